#include "protocol/value.h"

namespace runnel::protocol {

const Value* Value::find(std::string_view key) const {
  if (!is_object()) return nullptr;
  for (const auto& m : as_object())
    if (m.key == key) return &m.value;
  return nullptr;
}

Value* Value::find(std::string_view key) { return const_cast<Value*>(static_cast<const Value*>(this)->find(key)); }

Value& Value::set(std::string key, Value v) {
  if (is_null()) v_ = Object{};
  auto& obj = as_object();
  for (auto& m : obj) {
    if (m.key == key) {
      m.value = std::move(v);
      return m.value;
    }
  }
  obj.push_back(Member{std::move(key), std::move(v)});
  return obj.back().value;
}

bool Value::operator==(const Value& o) const { return v_ == o.v_; }

std::string_view kind_name(Value::Kind k) {
  switch (k) {
    case Value::Kind::kNull: return "null";
    case Value::Kind::kBool: return "boolean";
    case Value::Kind::kInt: return "integer";
    case Value::Kind::kDouble: return "number";
    case Value::Kind::kString: return "string";
    case Value::Kind::kBlob: return "blob";
    case Value::Kind::kTimestamp: return "timestamp";
    case Value::Kind::kArray: return "list";
    case Value::Kind::kObject: return "structure";
    case Value::Kind::kEncoded: return "encoded";
  }
  return "unknown";
}

}  // namespace runnel::protocol
