#include "streams/put_records_decoder.h"

#include "protocol/fast_json.h"

namespace runnel::streams {

using namespace protocol;  // NOLINT(google-build-using-namespace): the codec's vocabulary
namespace {

namespace od = simdjson::ondemand;
using fast_json::base64_blob;
using fast_json::member_shape;
using fast_json::within;

// The hash key's pattern, checked by hand; the fast path is off for a model
// whose shapes say anything else (the stream name's is fast_json::kNamePattern).
constexpr std::string_view kHashKeyPattern = "0|([1-9]\\d{0,38})";

// 0|([1-9]\d{0,38}), matched whole.
bool hash_key_form(std::string_view s) {
  if (s.empty() || s.size() > 39) return false;
  if (s == "0") return true;
  if (s[0] < '1' || s[0] > '9') return false;
  for (char c : s)
    if (c < '0' || c > '9') return false;
  return true;
}

}  // namespace

PutRecordsDecoder::PutRecordsDecoder(const ServiceModel& model) {
  if (model.target_prefix != "Kinesis_20131202") return;
  const OperationModel* op = model.find_operation("PutRecords");
  const Shape* in = op ? model.input_shape(*op) : nullptr;
  if (!in) return;
  const Shape* list = member_shape(model, *in, "Records");
  const Shape* name = member_shape(model, *in, "StreamName");
  if (!list || list->type != ShapeType::kList || !list->has_min || !list->has_max || !name) return;
  const Shape& entry = model.shape(list->member);
  const Shape* data = member_shape(model, entry, "Data");
  const Shape* key = member_shape(model, entry, "PartitionKey");
  const Shape* hash = member_shape(model, entry, "ExplicitHashKey");
  if (entry.type != ShapeType::kStructure || entry.members.size() != 3 || !data || !key || !hash) return;
  if (data->type != ShapeType::kBlob || !data->has_max || (data->has_min && data->min > 0)) return;
  if (key->type != ShapeType::kString || !key->has_min || !key->has_max || !key->pattern.empty() ||
      !key->enum_values.empty())
    return;
  if (hash->type != ShapeType::kString || hash->has_min || hash->has_max || hash->pattern != kHashKeyPattern) return;
  if (name->type != ShapeType::kString || !name->has_min || !name->has_max || name->pattern != fast_json::kNamePattern)
    return;
  records_min_ = list->min;
  records_max_ = list->max;
  data_max_ = data->max;
  key_min_ = key->min;
  key_max_ = key->max;
  name_min_ = name->min;
  name_max_ = name->max;
  put_records_ = op;
}

std::optional<Value> PutRecordsDecoder::decode(const OperationModel& op, std::string& body) const {
  if (!covers(op)) return std::nullopt;
  return put_records(body);
}

std::optional<Value> PutRecordsDecoder::put_records(std::string& body) const {
  fast_json::PaddedBody padded(body);
  if (!padded.ok()) return std::nullopt;
  thread_local od::parser parser;
  od::document doc;
  if (padded.iterate(parser).get(doc) != simdjson::SUCCESS) return std::nullopt;
  od::object root;
  if (doc.get_object().get(root) != simdjson::SUCCESS) return std::nullopt;

  Object top;
  top.reserve(2);
  bool seen_records = false;
  bool seen_name = false;
  for (auto field_result : root) {
    od::field field;
    if (std::move(field_result).get(field) != simdjson::SUCCESS) return std::nullopt;
    std::string_view name;
    if (field.unescaped_key().get(name) != simdjson::SUCCESS) return std::nullopt;
    if (name == "StreamName") {
      std::string_view s;
      if (seen_name || field.value().get_string().get(s) != simdjson::SUCCESS) return std::nullopt;
      if (!within(utf16_length(s), name_min_, name_max_) || !fast_json::name_chars(s)) return std::nullopt;
      seen_name = true;
      top.push_back(Member{"StreamName", Value(std::string(s))});
      continue;
    }
    if (name != "Records" || seen_records) return std::nullopt;
    seen_records = true;
    od::array list;
    if (field.value().get_array().get(list) != simdjson::SUCCESS) return std::nullopt;
    Array records;
    records.reserve(static_cast<size_t>(std::min<int64_t>(records_max_, 64)));
    for (auto item_result : list) {
      od::value item;
      od::object entry;
      // simdjson's idiom: get() on the rvalue result (NOLINT: the check sees a trivially copyable type).
      if (std::move(item_result).get(item) != simdjson::SUCCESS ||  // NOLINT(performance-move-const-arg)
          item.get_object().get(entry) != simdjson::SUCCESS)
        return std::nullopt;
      if (static_cast<int64_t>(records.size()) >= records_max_) return std::nullopt;
      Object members;
      members.reserve(3);
      bool seen_data = false, seen_key = false, seen_hash = false;
      for (auto member_result : entry) {
        od::field m;
        std::string_view mname;
        if (std::move(member_result).get(m) != simdjson::SUCCESS || m.unescaped_key().get(mname) != simdjson::SUCCESS)
          return std::nullopt;
        if (mname == "Data") {
          if (seen_data) return std::nullopt;
          seen_data = true;
          // Straight from the body's bytes into the record's (fast_json::base64_blob).
          auto bytes = base64_blob(m.value(), data_max_);
          if (!bytes) return std::nullopt;
          members.push_back(Member{"Data", Value(Blob{std::move(*bytes)})});
        } else if (mname == "PartitionKey") {
          std::string_view s;
          if (seen_key || m.value().get_string().get(s) != simdjson::SUCCESS) return std::nullopt;
          if (!within(utf16_length(s), key_min_, key_max_)) return std::nullopt;
          seen_key = true;
          members.push_back(Member{"PartitionKey", Value(std::string(s))});
        } else if (mname == "ExplicitHashKey") {
          std::string_view s;
          if (seen_hash || m.value().get_string().get(s) != simdjson::SUCCESS || !hash_key_form(s)) return std::nullopt;
          seen_hash = true;
          members.push_back(Member{"ExplicitHashKey", Value(std::string(s))});
        } else {
          return std::nullopt;
        }
      }
      if (!seen_data || !seen_key) return std::nullopt;
      records.push_back(Value(std::move(members)));
    }
    if (!within(records.size(), records_min_, records_max_)) return std::nullopt;
    top.push_back(Member{"Records", Value(std::move(records))});
  }
  if (!seen_records || !seen_name) return std::nullopt;
  // Anything after the root object is trailing garbage: the general path's error.
  if (doc.current_location().error() != simdjson::OUT_OF_BOUNDS) return std::nullopt;
  return Value(std::move(top));
}

}  // namespace runnel::streams
