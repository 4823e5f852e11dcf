#pragma once
// KinesisSource: the records of a KinesisStreamAsSource delivery stream,
// read from a runnel Data Streams stream through the typed internal API
// (streams/data_streams.h) as a consumer would: every shard from the
// delivery stream's DeliveryStartTimestamp (its creation: "LATEST" as of
// then, so nothing put after the create is missed however late delivery
// starts), children after their parents once resharding closes them.
//
// Its checkpoint is, per shard, the sequence number of the last record
// delivered and whether the shard is done (closed and delivered to its end):
// JSON {"shards":{"<shardId>":{"seq":"<sequence number>","done":true}}},
// saved by the engine after each delivered batch. A restart goes on
// AFTER_SEQUENCE_NUMBER each shard's checkpoint, so it neither loses nor
// re-delivers more than the last unfinished batch.
//
// Threads: used by the engine's delivery thread only.
#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "common/status.h"
#include "storage/log.h"
#include "streams/data_streams.h"

namespace runnel::firehose {

struct SourceRecord {
  storage::StoredRecord record;  // data, partition key, arrival time (counter unused)
  std::string shard_id;
  std::string sequence_number;
};

class KinesisSource {
 public:
  // `checkpoint`: the JSON saved before (empty: none). A checkpoint that
  // cannot be read counts as none, and is reported by load().
  KinesisSource(streams::DataStreams& streams, std::string stream, int64_t start_ms, const std::string& checkpoint);

  const std::string& stream() const { return stream_; }

  // Reads more records, at most about `max_bytes` of data, appending to
  // `out`. An error (the stream is gone, ...) is returned and reading goes
  // on at the next call.
  Status read(uint64_t max_bytes, std::vector<SourceRecord>& out);

  // The records up to and including these positions (the last delivered
  // record of each shard in a batch) are delivered; returns the checkpoint
  // to save.
  std::string delivered(const std::map<std::string, std::string>& last_sequence_by_shard);

 private:
  struct Shard {
    std::string id;
    std::vector<std::string> parents;
    std::string cursor;         // empty: not started
    std::string delivered_seq;  // checkpointed
    std::string read_seq;       // last read into the buffer
    bool finished = false;      // read to its end (closed)
    bool done = false;          // finished and delivered to its end
  };

  Status discover();
  bool parents_done(const Shard& s) const;
  std::string checkpoint_json() const;

  streams::DataStreams& streams_;
  const std::string stream_;
  const int64_t start_ms_;
  std::map<std::string, Shard> shards_;
  int64_t discovered_ms_ = 0;
};

}  // namespace runnel::firehose
