#pragma once
// Where a running application's input records come from: a Data Streams
// stream (firehose::KinesisSource, every shard, children after parents) or
// a Firehose delivery stream (DeliveryStreamInput below). The runtime reads
// either through InputSource and checkpoints what `delivered()` returns.
//
// A Firehose delivery stream as input: KDA read the records put to the
// delivery stream. runnel keeps a DirectPut delivery stream's records in
// its own log shard (firehose::StreamSpec::shard_key), which the Firehose
// engine reads back to deliver; DeliveryStreamInput reads the same shard
// from its own position (a second reader of the durable log, no copy), and
// decrypts records stored under the stream's server-side encryption. Its
// checkpoint is the last log counter whose results were written,
// {"counter":N}. A KinesisStreamAsSource delivery stream's records are the
// Kinesis stream's: the runtime reads that stream with a KinesisSource.
//
// Retention: the log drops a delivery stream's records once Firehose has
// delivered them, except those a reader still needs (firehose::LogReaders:
// the runtime tells it needed_arrival_ms()), and after 24 hours whatever
// happened; a reader that falls that far behind skips what was dropped
// (logged).
//
// Threads: used by the runtime's thread only.
#include <cstdint>
#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "common/status.h"
#include "firehose/kinesis_source.h"
#include "storage/log.h"
#include "streams/data_streams.h"
#include "streams/record_cipher.h"

namespace runnel::analytics {

// What holds a Firehose delivery stream's records: its log shard (a
// DirectPut stream), or its Kinesis stream (KinesisStreamAsSource).
struct DeliveryStreamSource {
  storage::ShardKey shard_key = 0;
  std::string kinesis_stream;  // set for KinesisStreamAsSource
};
using FindDeliveryStream = std::function<std::optional<DeliveryStreamSource>(const std::string& delivery_stream)>;

class InputSource {
 public:
  virtual ~InputSource() = default;
  // Reads more records (about `max_bytes` of data at most), appending to
  // `out`. An error is returned and reading goes on at the next call.
  virtual Status read(uint64_t max_bytes, std::vector<firehose::SourceRecord>& out) = 0;
  // The records up to these positions (per SourceRecord::shard_id, its
  // sequence_number) have their results written: the checkpoint to save.
  virtual std::string delivered(const std::map<std::string, std::string>& last_sequence_by_shard) = 0;
};

// A Data Streams stream from `start_ms` (or after `checkpoint`).
std::unique_ptr<InputSource> kinesis_input(streams::DataStreams& streams, std::string stream, int64_t start_ms,
                                           const std::string& checkpoint);

// A DirectPut delivery stream's log shard. Its records' shard_id is
// kDeliveryStreamShard and sequence_number the log counter.
class DeliveryStreamInput final : public InputSource {
 public:
  static constexpr std::string_view kDeliveryStreamShard = "deliveryStream";
  // Starts after `checkpoint` when it reads, else at the first record that
  // arrived at or after `start_ms` (0: the oldest the log holds). `log`
  // must outlive this object; `key_file` is the encryption key file
  // (streams/record_cipher.h).
  DeliveryStreamInput(storage::Log& log, storage::ShardKey shard, std::string key_file, int64_t start_ms,
                      const std::string& checkpoint);

  Status read(uint64_t max_bytes, std::vector<firehose::SourceRecord>& out) override;
  std::string delivered(const std::map<std::string, std::string>& last_sequence_by_shard) override;

  storage::ShardKey shard() const { return shard_; }
  // Records that arrived before this (epoch ms) are no longer needed: those
  // after the checkpoint all arrived at or after it.
  int64_t needed_arrival_ms() const { return needed_ms_; }

 private:
  storage::Log& log_;
  const storage::ShardKey shard_;
  streams::RecordCipher cipher_;
  uint64_t next_ = 0;       // the next counter to read
  uint64_t delivered_ = 0;  // checkpointed: the last counter whose results are written
  int64_t needed_ms_ = 0;
  std::deque<std::pair<uint64_t, int64_t>> unconfirmed_;  // (counter, arrival) read, not delivered yet
};

}  // namespace runnel::analytics
