#pragma once
// Pieces the services' one-pass decoders (FastDecoder: Kinesis's PutRecords,
// Firehose's PutRecordBatch) share: the padded in-place parse of a request
// body, plain string tokens, base64 blobs read straight from the body, and
// the model lookups their constructors make. Each decoder keeps its own walk
// over its own shape; these only spare them the same helpers twice.
//
// Threads: pure functions; PaddedBody is used by one thread at a time.

#include <simdjson.h>

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "protocol/base64.h"
#include "protocol/model.h"
#include "protocol/validator.h"

namespace runnel::protocol::fast_json {

namespace od = simdjson::ondemand;

// Whether `n` lies in [min, max].
inline bool within(size_t n, int64_t min, int64_t max) {
  return static_cast<int64_t>(n) >= min && static_cast<int64_t>(n) <= max;
}

// The pattern [a-zA-Z0-9_.-]+ (Kinesis's StreamName, Firehose's
// DeliveryStreamName), matched by hand; a decoder checks its model says so.
inline constexpr std::string_view kNamePattern = "[a-zA-Z0-9_.-]+";
inline bool name_chars(std::string_view s) {
  for (char c : s) {
    const bool ok =
        (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' || c == '.' || c == '-';
    if (!ok) return false;
  }
  return true;
}

// The shape of `structure`'s member `name`, or nullptr.
inline const Shape* member_shape(const ServiceModel& model, const Shape& structure, std::string_view name) {
  const MemberModel* m = structure.find_member(name);
  return m ? &model.shape(m->shape) : nullptr;
}

// The text of a JSON string token, quotes off, when it has no escapes (base64
// never needs any); nullopt for anything else.
inline std::optional<std::string_view> plain_string(od::value& v) {
  std::string_view raw = v.raw_json_token();
  while (!raw.empty() && (raw.back() == ' ' || raw.back() == '\t' || raw.back() == '\n' || raw.back() == '\r'))
    raw.remove_suffix(1);
  if (raw.size() < 2 || raw.front() != '"' || raw.back() != '"') return std::nullopt;
  raw = raw.substr(1, raw.size() - 2);
  if (raw.find('\\') != std::string_view::npos) return std::nullopt;
  return raw;
}

// A blob member's bytes, straight from the body's base64 (no unescaped copy),
// when it is a plain, canonical base64 string of at most `max` decoded bytes;
// nullopt otherwise. raw_json_token() does not consume the value, so it is
// consumed here: left to the object's iteration to skip, a malformed member
// after it (`"Data": "QUJD": 1`) went unnoticed (fast_input_fuzz,
// fuzz/corpus/fast_input_fuzz/regression-data-colon).
inline std::optional<std::string> base64_blob(od::value& v, int64_t max) {
  auto text = plain_string(v);
  od::raw_json_string consumed;
  if (!text || v.get_raw_json_string().get(consumed) != simdjson::SUCCESS) return std::nullopt;
  if (!canonical_base64_form(*text)) return std::nullopt;
  auto bytes = base64_decode(*text);
  if (!bytes || static_cast<int64_t>(bytes->size()) > max) return std::nullopt;
  return std::move(*bytes);
}

// A request body made parseable in place: simdjson's padding appended in the
// spare capacity request bodies have (net::kBodyPadding), removed again when
// this goes out of scope, so the body is left as it was. ok() is false when
// there is no such capacity (the decoder then declines).
class PaddedBody {
 public:
  explicit PaddedBody(std::string& body) : body_(body), n_(body.size()) {
    ok_ = body.capacity() - n_ >= simdjson::SIMDJSON_PADDING;
    if (ok_) body_.append(simdjson::SIMDJSON_PADDING, '\0');
  }
  ~PaddedBody() {
    if (ok_) body_.resize(n_);
  }
  PaddedBody(const PaddedBody&) = delete;
  PaddedBody& operator=(const PaddedBody&) = delete;

  bool ok() const { return ok_; }
  // The document of the body, parsed with `parser` (kept per thread by the caller).
  simdjson::simdjson_result<od::document> iterate(od::parser& parser) {
    return parser.iterate(simdjson::padded_string_view(body_.data(), n_, body_.size()));
  }

 private:
  std::string& body_;
  size_t n_;
  bool ok_ = false;
};

}  // namespace runnel::protocol::fast_json
