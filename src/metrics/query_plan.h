#pragma once
// Which stored tier answers a statistics query and how its periods are
// aligned, following CloudWatch's GetMetricStatistics rules:
//  - Period is 1, 5, 10, 20 or 30 (high-resolution metrics only) or a
//    multiple of 60.
//  - StartTime is rounded down to the minute when less than 15 days ago, to
//    5 minutes when 15 to 63 days ago, to the hour beyond; with a period
//    under 60 to a multiple of the period.
//  - Data older than 3 hours needs a multiple of 60, older than 15 days of
//    300, older than 63 days of 3600. CloudWatch answers such a request with
//    no datapoints; we answer an error value so the service can say why.
//  - At most 1,440 datapoints per request.
// Pure functions, any thread.

#include <cstdint>
#include <expected>
#include <string>

#include "metrics/series.h"

namespace runnel::metrics {

// Stored tiers (seconds per row) and how long each is kept (AWS's retention).
inline constexpr int64_t kTiers[] = {1, 60, 300, 3600};
inline constexpr int64_t kRetentionSeconds[] = {3 * 3600, 15 * 86400, 63 * 86400, 455 * 86400};
inline constexpr int64_t kMaxDatapoints = 1440;

enum class QueryErrorCode {
  kInvalidPeriod,        // not 1, 5, 10, 20, 30 or a multiple of 60
  kPeriodTooFineForAge,  // data that old is kept only at a coarser period
  kTooManyDatapoints,    // more than 1,440 periods
  kInvalidTimeRange,     // end not after start
  kStorage,              // the store failed (an internal error)
};

struct QueryError {
  QueryErrorCode code;
  std::string message;  // worded as CloudWatch's InvalidParameterCombination/Value texts
};

struct PeriodPlan {
  int64_t tier = 60;          // the rows read (seconds each)
  int64_t aligned_start = 0;  // Unix seconds of the first period
  int64_t end = 0;            // Unix seconds, exclusive
  int64_t period = 60;
};

// `max_datapoints`: 1,440 for GetMetricStatistics; GetMetricData allows
// 100,800 per call.
std::expected<PeriodPlan, QueryError> plan_statistics(TimePoint now, TimePoint start, TimePoint end,
                                                      int64_t period_seconds, int64_t max_datapoints = kMaxDatapoints);

}  // namespace runnel::metrics
