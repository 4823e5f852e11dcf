#include "parquet/thrift_compact.h"

namespace runnel::parquet {

void CompactWriter::put_varint(std::string* out, uint64_t v) {
  while (v >= 0x80) {
    out->push_back(static_cast<char>((v & 0x7F) | 0x80));
    v >>= 7;
  }
  out->push_back(static_cast<char>(v));
}

// A field header is one byte (delta << 4 | type) when the id is 1..15 above
// the previous field's, else the type byte and the id as a zigzag varint.
void CompactWriter::field_header(int16_t id, ThriftType t) {
  int delta = id - last_id_;
  if (delta > 0 && delta <= 15) {
    out_->push_back(static_cast<char>((delta << 4) | static_cast<uint8_t>(t)));
  } else {
    out_->push_back(static_cast<char>(t));
    put_varint(out_, zigzag(id));
  }
  last_id_ = id;
}

void CompactWriter::field_bool(int16_t id, bool v) {
  field_header(id, v ? ThriftType::kBoolTrue : ThriftType::kBoolFalse);
}

void CompactWriter::field_i8(int16_t id, int8_t v) {
  field_header(id, ThriftType::kI8);
  out_->push_back(static_cast<char>(v));
}

void CompactWriter::field_i16(int16_t id, int16_t v) {
  field_header(id, ThriftType::kI16);
  put_varint(out_, zigzag(v));
}

void CompactWriter::field_i32(int16_t id, int32_t v) {
  field_header(id, ThriftType::kI32);
  put_varint(out_, zigzag(v));
}

void CompactWriter::field_i64(int16_t id, int64_t v) {
  field_header(id, ThriftType::kI64);
  put_varint(out_, zigzag(v));
}

void CompactWriter::field_binary(int16_t id, std::string_view v) {
  field_header(id, ThriftType::kBinary);
  put_varint(out_, v.size());
  out_->append(v);
}

void CompactWriter::begin_struct(int16_t id) {
  field_header(id, ThriftType::kStruct);
  stack_.push_back(last_id_);
  last_id_ = 0;
}

void CompactWriter::end_struct() {
  out_->push_back(0);  // STOP
  if (!stack_.empty()) {
    last_id_ = stack_.back();
    stack_.pop_back();
  }
}

// A list header is one byte (size << 4 | type) below 15 elements, else
// 0xF0 | type and the size as a varint.
void CompactWriter::begin_list(int16_t id, ThriftType elem, size_t n) {
  field_header(id, ThriftType::kList);
  if (n < 15) {
    out_->push_back(static_cast<char>((n << 4) | static_cast<uint8_t>(elem)));
  } else {
    out_->push_back(static_cast<char>(0xF0 | static_cast<uint8_t>(elem)));
    put_varint(out_, n);
  }
}

void CompactWriter::element_i32(int32_t v) { put_varint(out_, zigzag(v)); }

void CompactWriter::element_binary(std::string_view v) {
  put_varint(out_, v.size());
  out_->append(v);
}

void CompactWriter::begin_element_struct() {
  stack_.push_back(last_id_);
  last_id_ = 0;
}

}  // namespace runnel::parquet
