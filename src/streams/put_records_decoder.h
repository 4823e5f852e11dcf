#pragma once
// PutRecordsDecoder: the hottest request, PutRecords in JSON, decoded and validated in
// one pass over the body, without the general path's Value tree conversion
// (decode_json, then validate_input's deserialisation and constraint passes).
//
// It only takes the plain case: a body whose every member is one the input
// shape knows, once, with a string value that meets the model's constraints.
// For anything else (a null, a number, an unknown or repeated member, bad
// base64, a key too long, a StreamARN) it declines, and the Dispatcher takes
// the general path, which words every error as AWS does. So the fast path
// never decides an error, and what it accepts it turns into the same Value
// validate_input would: fast_input_test.cc and the fast_input_fuzz target
// check exactly that against the general path.
//
// The constraints are read from the service model when the PutRecordsDecoder is
// built; if the model's PutRecords is not the shape this code expects (its
// patterns or members changed), the fast path is off and every request takes
// the general path.
//
// Thread-safe: decode() keeps its parser per thread.

#include <optional>
#include <string>

#include "protocol/model.h"
#include "protocol/service.h"
#include "protocol/value.h"

namespace runnel::streams {

class PutRecordsDecoder final : public protocol::FastDecoder {
 public:
  explicit PutRecordsDecoder(const protocol::ServiceModel& model);

  // Whether `op` has a fast path here.
  bool covers(const protocol::OperationModel& op) const override { return put_records_ && &op == put_records_; }

  // The validated input of `op`, or nullopt to take the general path.
  // `body` needs net::kBodyPadding bytes of spare capacity to be parsed in
  // place (as request bodies have); it is left as it was.
  std::optional<protocol::Value> decode(const protocol::OperationModel& op, std::string& body) const override;

 private:
  std::optional<protocol::Value> put_records(std::string& body) const;

  const protocol::OperationModel* put_records_ = nullptr;
  int64_t records_min_ = 0, records_max_ = 0;
  int64_t data_max_ = 0;
  int64_t key_min_ = 0, key_max_ = 0;
  int64_t name_min_ = 0, name_max_ = 0;
};

}  // namespace runnel::streams
