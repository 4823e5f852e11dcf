#pragma once
// The metadata of a Kinesis data stream and its shards, as runnel keeps it:
// in memory in the StreamRegistry, and durably as one document per stream in
// the MetadataStore (kind "stream", key = stream name; format in
// docs/metadata.md). Records are not here: they live in storage::Log, keyed
// by each shard's ShardKey.

#include <algorithm>
#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "protocol/value.h"
#include "storage/log.h"
#include "streams/hash_key.h"

namespace runnel::streams {

// streams/stream_metrics.h: CloudWatch series handles, not persisted.
class StreamMetrics;
class ConsumerMetrics;
class ShardMetrics;

enum class StreamStatus { kCreating, kActive, kUpdating, kDeleting };
std::string_view to_string(StreamStatus s);

struct Shard {
  uint32_t index = 0;         // shardId-<index, 12 digits>
  storage::ShardKey key = 0;  // where its records live in the log; never reused
  HashKeyRange range{};
  int64_t created_ms = 0;  // also the time encoded in its sequence numbers
  std::optional<uint32_t> parent;
  std::optional<uint32_t> adjacent_parent;
  // Set when the shard closed (resharding): it takes no more writes, and
  // ending_counter is the last counter it holds.
  std::optional<int64_t> closed_ms;
  uint64_t ending_counter = 0;
  // Its enhanced (shard-level) metrics, when some are enabled and the
  // service records metrics; replaced only under the registry lock held
  // exclusively (streams/stream_metrics.h). Not persisted.
  std::shared_ptr<const ShardMetrics> metrics;

  bool open() const { return !closed_ms.has_value(); }
  int64_t created_secs() const { return created_ms / 1000; }
};

enum class ConsumerStatus { kCreating, kActive, kDeleting };
std::string_view to_string(ConsumerStatus s);

// An enhanced fan-out consumer registered on a stream. Its ARN is
// <stream ARN>/consumer/<name>:<created_ms / 1000>, so a consumer
// re-registered under the same name gets a new ARN.
struct Consumer {
  std::string name;
  int64_t created_ms = 0;
  ConsumerStatus status = ConsumerStatus::kCreating;
  int64_t transition_at_ms = 0;  // CREATING ends, or DELETING completes, at this time
  std::map<std::string, std::string> tags;
  // The resource policy attached with PutResourcePolicy, byte for byte as the
  // client gave it; empty when none is attached.
  std::string resource_policy;
  // Its SubscribeToShard metrics when the service records metrics. Not persisted.
  std::shared_ptr<const ConsumerMetrics> metrics;

  int64_t created_secs() const { return created_ms / 1000; }
};

struct StreamState {
  uint64_t uid = 0;  // this incarnation of the name; never reused
  std::string name;
  std::string region;  // the region the stream was created in (for its ARN)
  int64_t created_ms = 0;
  StreamStatus status = StreamStatus::kCreating;
  int64_t transition_at_ms = 0;  // CREATING/UPDATING ends, or DELETING completes, at this time
  std::string mode = "PROVISIONED";
  int32_t retention_hours = 24;
  std::vector<Shard> shards;  // by index
  std::map<std::string, std::string> tags;
  std::string encryption_type = "NONE";
  std::string key_id;
  std::vector<std::string> shard_level_metrics;
  int32_t max_record_kib = 1024;
  // Records that arrived before this stay trimmed even after the retention
  // period grows (AWS: "older data stays inaccessible after an increase").
  int64_t trim_floor_ms = 0;
  std::vector<Consumer> consumers;  // in registration order
  // The resource policy (PutResourcePolicy), byte for byte as given; empty
  // when none is attached.
  std::string resource_policy;
  // When UpdateShardCount calls, and capacity-mode switches, were accepted,
  // for AWS's per-stream quotas over a rolling 24 hours. Entries older than
  // 24 h are dropped when the next one is added.
  std::vector<int64_t> shard_count_updates_ms;
  std::vector<int64_t> mode_switches_ms;
  // UpdateStreamWarmThroughput's (or CreateStream's) target in MiB/s, for an
  // on-demand stream; absent when never set.
  std::optional<int32_t> warm_throughput_mibps;
  // Its stream-level metrics when the service records metrics (made at
  // create and load, dropped when the stream is removed). Not persisted.
  std::shared_ptr<const StreamMetrics> metrics;

  size_t open_shard_count() const;
  Consumer* find_consumer(std::string_view name);
  const Shard* find_shard(uint32_t index) const;
  // The arrival time before which records are trimmed.
  int64_t trim_horizon_ms(int64_t now_ms) const {
    return std::max(now_ms - int64_t{retention_hours} * 3600'000, trim_floor_ms);
  }
};

// The persisted form of a stream (see docs/metadata.md).
protocol::Value to_document(const StreamState& s);
std::optional<StreamState> from_document(const protocol::Value& v);

}  // namespace runnel::streams
