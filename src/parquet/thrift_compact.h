#pragma once
// A writer of the Thrift compact protocol, the encoding of Parquet's page
// headers and footer (docs/parquet.md). Only what parquet.thrift needs:
// structs, i8/i16/i32/i64, bool, binary, lists. No Thrift library: the
// protocol is a page of rules (varints, zigzag, field-id deltas).
//
// Usage: field_*() writes one field of the struct being written;
// begin_struct(id) opens a nested struct field, end_struct() closes it (and
// writes the STOP byte). The outermost struct is implicit: call end_struct()
// once more at the end to write its STOP. Not thread-safe; one per thread.

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace runnel::parquet {

// Compact protocol type ids (the low nibble of a field header).
enum class ThriftType : uint8_t {
  kBoolTrue = 1,
  kBoolFalse = 2,
  kI8 = 3,
  kI16 = 4,
  kI32 = 5,
  kI64 = 6,
  kDouble = 7,
  kBinary = 8,
  kList = 9,
  kStruct = 12,
};

class CompactWriter {
 public:
  explicit CompactWriter(std::string* out) : out_(out) {}

  void field_bool(int16_t id, bool v);
  void field_i8(int16_t id, int8_t v);
  void field_i16(int16_t id, int16_t v);
  void field_i32(int16_t id, int32_t v);
  void field_i64(int16_t id, int64_t v);
  void field_binary(int16_t id, std::string_view v);

  // A nested struct as field `id`; its fields follow until end_struct().
  void begin_struct(int16_t id);
  // Writes STOP and returns to the enclosing struct.
  void end_struct();

  // A list field of n elements of type `elem`; the elements follow, written
  // with the element_* calls (struct elements: begin_element_struct() ...
  // end_struct()).
  void begin_list(int16_t id, ThriftType elem, size_t n);
  void element_i32(int32_t v);
  void element_binary(std::string_view v);
  void begin_element_struct();

  // The protocol's integer encodings, exposed for tests.
  static void put_varint(std::string* out, uint64_t v);
  static uint64_t zigzag(int64_t v) { return (static_cast<uint64_t>(v) << 1) ^ static_cast<uint64_t>(v >> 63); }

 private:
  void field_header(int16_t id, ThriftType t);

  std::string* out_;
  int16_t last_id_ = 0;
  std::vector<int16_t> stack_;  // enclosing structs' last field ids
};

}  // namespace runnel::parquet
