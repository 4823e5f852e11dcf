#pragma once
// PutRecordsJsonWriter (Kinesis) and PutRecordBatchJsonWriter (Firehose):
// write the AWS JSON body of a PutRecords / PutRecordBatch request
// straight into a string, without building a protocol::Value tree. The
// producer sends one of these per request, so at 500 records per request
// this is its hot path.
//
// The bytes are exactly what encode_json(put_records_request(...)) gives
// for the same records (kinesis_requests.h):
//
//   {"Records":[{"Data":"<base64>","PartitionKey":"<key>"},...],"StreamName":"<name>"}
//
// Every record's Data is the RecordFactory layout (latency_stamp.h): a
// 12-byte stamp, then filler that is the same for every record. Because 12
// is a multiple of 3, the base64 of the whole is the base64 of the stamp (16
// characters) followed by the base64 of the filler, which is encoded once
// here; per record only the stamp is encoded.
//
// Thread-safety: a writer is immutable after construction; write() may be
// called from several threads at once.

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace runnel::bench {

class PutRecordsJsonWriter {
 public:
  // `data_template`: the Data of any record of the run (its stamp bytes are
  // ignored); at least kStampBytes long.
  PutRecordsJsonWriter(std::string_view stream, std::string_view data_template);

  // Starts a body for `records` records in `out` (cleared; its capacity is
  // reused), adds records one by one, and closes it.
  void begin(std::string& out, size_t records) const;
  void add(std::string& out, std::string_view partition_key, int64_t stamp_us) const;
  void finish(std::string& out) const;

 private:
  std::string filler_base64_;  // base64 of data_template[12..)
  std::string stream_json_;    // the stream name as a JSON string, quotes included
};

// The same for Firehose's PutRecordBatch: records have no partition key, and
// the bytes are exactly encode_json(put_record_batch_request(...))
// (firehose_requests.h):
//
//   {"DeliveryStreamName":"<name>","Records":[{"Data":"<base64>"},...]}
//
// A record's Data is one of several templates (firehose_record_templates in
// record_factory.h) with its stamp written over the first 12 bytes; each
// template's filler is base64-encoded once.
class PutRecordBatchJsonWriter {
 public:
  // `data_templates`: at least one, each at least kStampBytes long.
  PutRecordBatchJsonWriter(std::string_view delivery_stream, const std::vector<std::string>& data_templates);

  void begin(std::string& out, size_t records) const;
  // Adds a record: template `variant` modulo their number, stamped `stamp_us`.
  void add(std::string& out, int64_t stamp_us, size_t variant) const;
  void finish(std::string& out) const;

 private:
  std::vector<std::string> filler_base64_;
  std::string head_;  // {"DeliveryStreamName":"<name>","Records":[
};

}  // namespace runnel::bench
