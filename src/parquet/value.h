#pragma once
// A row to write: a tree of values mirroring the Hive schema, null allowed at
// every level (but map keys). The writer checks each row against the schema
// before writing any of it (file_writer.h).

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

namespace runnel::parquet {

// A point in time as Hive's timestamp holds it: seconds since the Unix epoch
// (UTC) and nanoseconds within that second (0..999,999,999).
struct Timestamp {
  int64_t seconds = 0;
  uint32_t nanos = 0;

  // Whether a file can hold it: nanos below 10^9, and a Julian day that
  // fits INT96's 32-bit day field (about ±5.4 million years).
  static constexpr int64_t kSecondsLimit = int64_t{2'000'000'000} * 86400;
  bool writable() const { return nanos < 1'000'000'000 && seconds <= kSecondsLimit && seconds >= -kSecondsLimit; }
};

class Value {
 public:
  enum class Kind : uint8_t {
    kNull,
    kBool,       // boolean
    kInt,        // tinyint, smallint, int, bigint
    kFloat,      // float
    kDouble,     // double
    kBytes,      // string, char, varchar (UTF-8), binary
    kDecimal,    // decimal(p,s): the unscaled integer (value * 10^s)
    kTimestamp,  // timestamp
    kDate,       // date: days since 1970-01-01
    kList,       // array
    kMap,        // map: items_ alternate key, value
    kStruct,     // struct, and a whole row: one item per field, in order
  };

  Value() = default;
  static Value null() { return Value(); }
  static Value boolean(bool v) { return scalar(Kind::kBool, v ? 1 : 0); }
  static Value integer(int64_t v) { return scalar(Kind::kInt, v); }
  static Value float32(float v) {
    Value x(Kind::kFloat);
    x.d_ = v;
    return x;
  }
  static Value float64(double v) {
    Value x(Kind::kDouble);
    x.d_ = v;
    return x;
  }
  static Value bytes(std::string v) {
    Value x(Kind::kBytes);
    x.s_ = std::move(v);
    return x;
  }
  static Value decimal(__int128 unscaled) {
    Value x(Kind::kDecimal);
    x.wide_ = unscaled;
    return x;
  }
  static Value timestamp(Timestamp t) {
    Value x(Kind::kTimestamp);
    x.i_ = t.seconds;
    x.nanos_ = t.nanos;
    return x;
  }
  static Value date(int32_t days) { return scalar(Kind::kDate, days); }
  static Value list(std::vector<Value> items) { return group(Kind::kList, std::move(items)); }
  static Value record(std::vector<Value> fields) { return group(Kind::kStruct, std::move(fields)); }
  static Value map(std::vector<std::pair<Value, Value>> entries) {
    Value x(Kind::kMap);
    x.items_.reserve(entries.size() * 2);
    for (auto& [k, v] : entries) {
      x.items_.push_back(std::move(k));
      x.items_.push_back(std::move(v));
    }
    return x;
  }

  Kind kind() const { return kind_; }
  bool is_null() const { return kind_ == Kind::kNull; }
  bool as_bool() const { return i_ != 0; }
  int64_t as_int() const { return i_; }  // kInt, kDate
  double as_double() const { return d_; }
  const std::string& as_bytes() const { return s_; }
  __int128 as_decimal() const { return wide_; }
  Timestamp as_timestamp() const { return {i_, nanos_}; }
  // kList: the elements; kStruct: the fields; kMap: key0, value0, key1, ...
  const std::vector<Value>& items() const { return items_; }

 private:
  explicit Value(Kind k) : kind_(k) {}
  static Value scalar(Kind k, int64_t v) {
    Value x(k);
    x.i_ = v;
    return x;
  }
  static Value group(Kind k, std::vector<Value> items) {
    Value x(k);
    x.items_ = std::move(items);
    return x;
  }

  Kind kind_ = Kind::kNull;
  uint32_t nanos_ = 0;
  int64_t i_ = 0;
  double d_ = 0;
  __int128 wide_ = 0;
  std::string s_;
  std::vector<Value> items_;
};

}  // namespace runnel::parquet
