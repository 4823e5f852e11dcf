#pragma once
// PutRecordBatchDecoder: Firehose's hottest request, PutRecordBatch in JSON
// (up to 500 records of up to 1,000 KiB each, base64), decoded and validated
// in one pass over the body, without the general path's Value tree
// conversion (decode_json, then validate_input). The same idea as Kinesis's
// PutRecordsDecoder (streams/put_records_decoder.h), for Firehose's shape:
// {"DeliveryStreamName": "...", "Records": [{"Data": "<base64>"}, ...]}.
//
// It only takes the plain case: every member one the shape knows, once, with
// a value that meets the model's constraints. For anything else it declines
// (nullopt) and the Dispatcher takes the general path, which words every
// error as AWS does; so it never decides an error, and what it accepts it
// turns into the same Value validate_input would (put_record_batch_decoder_test.cc
// and the put_record_batch_decoder_fuzz target check exactly that).
//
// The constraints are read from the model when the decoder is built; a model
// whose PutRecordBatch is not the shape this code expects turns the fast
// path off.
//
// Thread-safe: decode() keeps its parser per thread.

#include <optional>
#include <string>

#include "protocol/model.h"
#include "protocol/service.h"
#include "protocol/value.h"

namespace runnel::firehose {

class PutRecordBatchDecoder final : public protocol::FastDecoder {
 public:
  explicit PutRecordBatchDecoder(const protocol::ServiceModel& model);

  bool covers(const protocol::OperationModel& op) const override { return op_ && &op == op_; }
  // `body` needs net::kBodyPadding bytes of spare capacity (request bodies
  // have it); it is left as it was.
  std::optional<protocol::Value> decode(const protocol::OperationModel& op, std::string& body) const override;

 private:
  const protocol::OperationModel* op_ = nullptr;
  int64_t records_min_ = 0, records_max_ = 0;
  int64_t data_max_ = 0;
  int64_t name_min_ = 0, name_max_ = 0;
};

}  // namespace runnel::firehose
