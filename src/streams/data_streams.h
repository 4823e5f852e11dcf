#pragma once
// DataStreams: the typed internal API of Kinesis Data Streams for the other
// services in the process (Firehose with a Kinesis source, Analytics' inputs
// and outputs). It speaks C++ types, never JSON: create, describe and list
// streams, put records (acknowledged once durable, as PutRecords is), read a
// shard from a position and follow it into its child shards after
// resharding, and be told when records become durable on a shard and when
// streams appear, change shape or go. It runs the same operations the API
// runs (same limits, same errors, same sequence numbers), without the HTTP
// and protocol layers.
//
// Threads: every method may be called from any thread. put_records()
// completes on the log's thread that made the records durable (the writer,
// or the sync thread under --fsync always): keep `done` short or hand the
// work off. Watchers are called on the thread that caused the event (a
// net/ thread for a stream created through the API, the log's thread for
// durable records); they must not call back into DataStreams synchronously
// from a durable-records event.

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "protocol/api_error.h"

namespace runnel::streams {

class KinesisService;

struct StreamShard {
  std::string shard_id;
  std::optional<std::string> parent_shard_id;
  std::optional<std::string> adjacent_parent_shard_id;
  std::string starting_hash_key, ending_hash_key;  // decimal, as the API gives them
  std::string starting_sequence_number;
  std::optional<std::string> ending_sequence_number;  // set once the shard is closed
  bool open() const { return !ending_sequence_number.has_value(); }
};

struct StreamInfo {
  std::string name;
  std::string arn;
  std::string status;  // CREATING, ACTIVE, UPDATING, DELETING
  std::string mode;    // PROVISIONED, ON_DEMAND
  int64_t retention_hours = 24;
  int64_t created_ms = 0;
  std::string encryption_type;      // NONE, KMS
  std::vector<StreamShard> shards;  // every shard the stream has, open and closed
};

struct PutEntry {
  std::string partition_key;
  std::string data;
  std::optional<std::string> explicit_hash_key;
};

// One entry's outcome, in the order of the entries put.
struct PutOutcome {
  std::string shard_id;                     // empty on failure
  std::string sequence_number;              // empty on failure
  std::optional<protocol::ApiError> error;  // ProvisionedThroughputExceededException, InternalFailure...
};

struct StreamRecord {
  std::string sequence_number;
  std::string partition_key;
  std::string data;
  int64_t arrival_ms = 0;
};

enum class ReadPositionType { kTrimHorizon, kLatest, kAtSequenceNumber, kAfterSequenceNumber, kAtTimestamp };
struct ReadPosition {
  ReadPositionType type = ReadPositionType::kTrimHorizon;
  std::string sequence_number;  // kAt/kAfterSequenceNumber
  int64_t timestamp_ms = 0;     // kAtTimestamp
};

struct ShardRead {
  std::vector<StreamRecord> records;
  // Where to read next; nullopt once a closed shard has been read to its end
  // (then `child_shards` names where its keys went).
  std::optional<std::string> next_cursor;
  int64_t millis_behind_latest = 0;
  std::vector<std::string> child_shards;
};

// kRecordsDurable is raised on the log's thread for every shard that got
// durable records, with only `shard_key` set (naming the shard would take
// the registry lock there): a watcher hands the key to another thread, which
// calls DataStreams::locate(). The other kinds name the stream.
struct StreamEvent {
  enum class Kind { kCreated, kDeleted, kResharded, kRecordsDurable };
  Kind kind = Kind::kCreated;
  std::string stream;
  uint64_t shard_key = 0;  // kRecordsDurable
};

// A shard's place: its stream and id.
struct ShardLocation {
  std::string stream;
  std::string shard_id;
};

class DataStreams {
 public:
  // `service` must outlive this object.
  explicit DataStreams(KinesisService& service);
  ~DataStreams();
  DataStreams(const DataStreams&) = delete;
  DataStreams& operator=(const DataStreams&) = delete;

  // shard_count nullopt: an ON_DEMAND stream.
  protocol::ApiResult<StreamInfo> create_stream(const std::string& name, std::optional<int> shard_count,
                                                const std::string& region);
  protocol::ApiResult<StreamInfo> describe_stream(const std::string& name);
  std::vector<std::string> list_streams();

  // Puts entries (at most 500, as PutRecords) and calls `done` once they are
  // durable, with one outcome per entry, or with the error that refused the
  // whole call (a missing stream, ...).
  void put_records(const std::string& stream, std::vector<PutEntry> entries,
                   std::function<void(protocol::ApiResult<std::vector<PutOutcome>>)> done);

  // A cursor into `shard_id` of `stream` at `position`, for read(). Valid for
  // five minutes, as shard iterators are (each read gives a fresh one).
  protocol::ApiResult<std::string> cursor(const std::string& stream, const std::string& shard_id,
                                          const ReadPosition& position);
  // Up to `limit` records (1..10,000) from `cursor`: GetRecords' read, its
  // limits and errors, with the records moved out of the log's read as they
  // are (no Records list built and copied back out).
  protocol::ApiResult<ShardRead> read(const std::string& cursor, int limit);

  // Calls `watcher` for every StreamEvent from now on; returns an id for
  // unwatch(). Events of streams created or resharded through the API and
  // through this object both arrive.
  int watch(std::function<void(const StreamEvent&)> watcher);
  void unwatch(int id);
  // The stream and shard of a kRecordsDurable event's key; nullopt once the
  // stream is gone. Not from the log's thread.
  std::optional<ShardLocation> locate(uint64_t shard_key) const;

 private:
  KinesisService& service_;
};

}  // namespace runnel::streams
