#pragma once
// How applications are kept in the MetadataStore (format in
// docs/analytics.md, "Metadata"): one JSON document per application, kind
// "analytics.application", key = the application's name, written whole on
// every change:
//
//   {"Application": <ApplicationDetail as DescribeApplication answers it,
//                    timestamps as epoch milliseconds>,
//    "Tags": [{"Key","Value"}...],
//    "NextIds": {"Input": n, "Output": n, "Reference": n, "Logging": n},
//    "SettleAtMs": n, "SettlesTo": "RUNNING"|"READY"|""}
//
// Threads: pure functions.

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"
#include "kinesisanalytics_shapes.h"

namespace runnel::analytics {

inline constexpr std::string_view kApplicationKind = "analytics.application";

// The next number of each kind of item's id ("1.<n>", configuration.h).
struct NextIds {
  int64_t input = 1;
  int64_t output = 1;
  int64_t reference = 1;
  int64_t logging = 1;
};

// One application with what the API does not show.
struct StoredApplication {
  api::ApplicationDetail detail;
  std::vector<api::Tag> tags;  // in the order added
  NextIds next_ids;
  // A transient status (STARTING, STOPPING, UPDATING, DELETING) ends at
  // SettleAtMs (epoch ms) in SettlesTo ("" for DELETING: the application
  // is gone). Unused in READY and RUNNING.
  int64_t settle_at_ms = 0;
  std::string settles_to;
  // When the last StartApplication was called (epoch ms): the runtime
  // resumes a run's own checkpoint whatever its starting position.
  int64_t run_started_ms = 0;
};

std::string encode_application(const StoredApplication& app);
Result<StoredApplication> decode_application(std::string_view json);

}  // namespace runnel::analytics
