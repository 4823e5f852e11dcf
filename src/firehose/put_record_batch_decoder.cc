#include "firehose/put_record_batch_decoder.h"

#include "protocol/fast_json.h"

namespace runnel::firehose {

using namespace protocol;  // NOLINT(google-build-using-namespace): the codec's vocabulary
namespace {

namespace od = simdjson::ondemand;
using fast_json::base64_blob;
using fast_json::member_shape;
using fast_json::name_chars;
using fast_json::within;

}  // namespace

PutRecordBatchDecoder::PutRecordBatchDecoder(const ServiceModel& model) {
  if (model.target_prefix != "Firehose_20150804") return;
  const OperationModel* op = model.find_operation("PutRecordBatch");
  const Shape* in = op ? model.input_shape(*op) : nullptr;
  if (!in || in->members.size() != 2) return;
  const Shape* list = member_shape(model, *in, "Records");
  const Shape* name = member_shape(model, *in, "DeliveryStreamName");
  if (!list || list->type != ShapeType::kList || !list->has_min || !list->has_max || !name) return;
  const Shape& entry = model.shape(list->member);
  const Shape* data = member_shape(model, entry, "Data");
  if (entry.type != ShapeType::kStructure || entry.members.size() != 1 || !data) return;
  if (data->type != ShapeType::kBlob || !data->has_max || (data->has_min && data->min > 0)) return;
  if (name->type != ShapeType::kString || !name->has_min || !name->has_max ||
      name->pattern != fast_json::kNamePattern || !name->enum_values.empty())
    return;
  records_min_ = list->min;
  records_max_ = list->max;
  data_max_ = data->max;
  name_min_ = name->min;
  name_max_ = name->max;
  op_ = op;
}

std::optional<Value> PutRecordBatchDecoder::decode(const OperationModel& op, std::string& body) const {
  if (!covers(op)) return std::nullopt;
  fast_json::PaddedBody padded(body);
  if (!padded.ok()) return std::nullopt;
  thread_local od::parser parser;
  od::document doc;
  if (padded.iterate(parser).get(doc) != simdjson::SUCCESS) return std::nullopt;
  od::object root;
  if (doc.get_object().get(root) != simdjson::SUCCESS) return std::nullopt;

  Object top;
  top.reserve(2);
  bool seen_records = false, seen_name = false;
  for (auto field_result : root) {
    od::field field;
    if (std::move(field_result).get(field) != simdjson::SUCCESS) return std::nullopt;
    std::string_view key;
    if (field.unescaped_key().get(key) != simdjson::SUCCESS) return std::nullopt;
    if (key == "DeliveryStreamName") {
      std::string_view s;
      if (seen_name || field.value().get_string().get(s) != simdjson::SUCCESS) return std::nullopt;
      if (!within(utf16_length(s), name_min_, name_max_) || !name_chars(s)) return std::nullopt;
      seen_name = true;
      top.push_back(Member{"DeliveryStreamName", Value(std::string(s))});
      continue;
    }
    if (key != "Records" || seen_records) return std::nullopt;
    seen_records = true;
    od::array list;
    if (field.value().get_array().get(list) != simdjson::SUCCESS) return std::nullopt;
    Array records;
    records.reserve(static_cast<size_t>(std::min<int64_t>(records_max_, 500)));
    for (auto item_result : list) {
      od::value item;
      od::object entry;
      // simdjson's idiom: get() on the rvalue result (NOLINT: the check sees a trivially copyable type).
      if (std::move(item_result).get(item) != simdjson::SUCCESS ||  // NOLINT(performance-move-const-arg)
          item.get_object().get(entry) != simdjson::SUCCESS)
        return std::nullopt;
      if (static_cast<int64_t>(records.size()) >= records_max_) return std::nullopt;
      Object members;
      bool seen_data = false;
      for (auto member_result : entry) {
        od::field m;
        std::string_view mname;
        if (std::move(member_result).get(m) != simdjson::SUCCESS || m.unescaped_key().get(mname) != simdjson::SUCCESS)
          return std::nullopt;
        if (mname != "Data" || seen_data) return std::nullopt;
        seen_data = true;
        // Straight from the body's bytes into the record's.
        auto bytes = base64_blob(m.value(), data_max_);
        if (!bytes) return std::nullopt;
        members.push_back(Member{"Data", Value(Blob{std::move(*bytes)})});
      }
      if (!seen_data) return std::nullopt;
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

}  // namespace runnel::firehose
