#include "parquet/thrift_compact.h"

#include <gtest/gtest.h>

#include <climits>
#include <string>
#include <vector>

#include "parquet/testing/thrift_reader.h"

namespace runnel::parquet {
namespace {

std::string bytes(std::initializer_list<int> b) {
  std::string s;
  for (int x : b) s.push_back(static_cast<char>(x));
  return s;
}

TEST(ThriftCompact, ShortFieldHeadersCarryTheIdDeltaAndType) {
  std::string out;
  CompactWriter w(&out);
  w.field_i32(1, 0);    // 0x15: delta 1, i32; zigzag(0) = 0
  w.field_i32(2, -1);   // zigzag(-1) = 1
  w.field_i32(3, 1);    // zigzag(1) = 2
  w.field_i32(4, 150);  // zigzag(150) = 300 = 0xAC 0x02
  w.end_struct();
  EXPECT_EQ(out, bytes({0x15, 0x00, 0x15, 0x01, 0x15, 0x02, 0x15, 0xAC, 0x02, 0x00}));
}

TEST(ThriftCompact, LongFieldHeadersWhenTheDeltaIsOutOfRange) {
  std::string out;
  CompactWriter w(&out);
  w.field_i32(1, 5);   // 0x15 0x0A
  w.field_i32(20, 5);  // delta 19: 0x05, then zigzag(20) = 40 = 0x28, value 0x0A
  w.field_i32(3, 5);   // backwards: long form again, zigzag(3) = 6
  EXPECT_EQ(out, bytes({0x15, 0x0A, 0x05, 0x28, 0x0A, 0x05, 0x06, 0x0A}));
}

TEST(ThriftCompact, BoolsLiveInTheTypeNibble) {
  std::string out;
  CompactWriter w(&out);
  w.field_bool(1, true);
  w.field_bool(2, false);
  EXPECT_EQ(out, bytes({0x11, 0x12}));
}

TEST(ThriftCompact, I8I16I64AndBinary) {
  std::string out;
  CompactWriter w(&out);
  w.field_i8(1, -1);          // 0x13 0xFF
  w.field_i16(2, -2);         // delta 1, i16: 0x14; zigzag(-2) = 3
  w.field_i64(3, INT64_MIN);  // delta 1, i64: 0x16; 2^64-1: nine 0xFF, 0x01
  w.field_binary(4, "ab");    // 0x18 0x02 'a' 'b'
  EXPECT_EQ(out, bytes({0x13, 0xFF, 0x14, 0x03, 0x16, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0x01, 0x18,
                        0x02, 'a', 'b'}));
}

TEST(ThriftCompact, NestedStructsRestartFieldIds) {
  std::string out;
  CompactWriter w(&out);
  w.field_i32(1, 0);
  w.begin_struct(5);  // delta 4, struct: 0x4C
  w.field_i32(1, 7);  // ids restart at 0 inside: 0x15 0x0E
  w.end_struct();     // STOP
  w.field_i32(6, 1);  // delta 1 from the struct field 5: 0x15 0x02
  w.end_struct();
  EXPECT_EQ(out, bytes({0x15, 0x00, 0x4C, 0x15, 0x0E, 0x00, 0x15, 0x02, 0x00}));
}

TEST(ThriftCompact, ListHeaders) {
  std::string out;
  CompactWriter w(&out);
  w.begin_list(1, ThriftType::kI32, 3);  // 0x19, size 3 << 4 | i32 = 0x35
  for (int i = 0; i < 3; ++i) w.element_i32(i);
  EXPECT_EQ(out, bytes({0x19, 0x35, 0x00, 0x02, 0x04}));

  out.clear();
  CompactWriter w14(&out);
  w14.begin_list(1, ThriftType::kBinary, 14);  // still short: 0xE8
  EXPECT_EQ(out, bytes({0x19, 0xE8}));

  out.clear();
  CompactWriter w15(&out);
  w15.begin_list(1, ThriftType::kStruct, 15);  // long: 0xFC, then varint 15
  EXPECT_EQ(out, bytes({0x19, 0xFC, 0x0F}));
}

TEST(ThriftCompact, StructElementsOfAList) {
  std::string out;
  CompactWriter w(&out);
  w.begin_list(2, ThriftType::kStruct, 2);
  for (int i = 0; i < 2; ++i) {
    w.begin_element_struct();
    w.field_i32(1, i);
    w.end_struct();
  }
  w.field_i32(3, 9);  // delta 1 from the list field 2
  w.end_struct();
  EXPECT_EQ(out, bytes({0x29, 0x2C, 0x15, 0x00, 0x00, 0x15, 0x02, 0x00, 0x15, 0x12, 0x00}));
}

// A V1 data page header as the writer makes it, byte by byte (docs/parquet.md).
TEST(ThriftCompact, ADataPageHeader) {
  std::string out;
  CompactWriter w(&out);
  w.field_i32(1, 0);    // type DATA_PAGE
  w.field_i32(2, 100);  // uncompressed_page_size
  w.field_i32(3, 100);  // compressed_page_size
  w.begin_struct(5);    // data_page_header
  w.field_i32(1, 10);   // num_values
  w.field_i32(2, 0);    // encoding PLAIN
  w.field_i32(3, 3);    // definition_level_encoding RLE
  w.field_i32(4, 3);    // repetition_level_encoding RLE
  w.end_struct();
  w.end_struct();
  EXPECT_EQ(out, bytes({0x15, 0x00, 0x15, 0xC8, 0x01, 0x15, 0xC8, 0x01, 0x2C, 0x15, 0x14, 0x15, 0x00, 0x15, 0x06, 0x15,
                        0x06, 0x00, 0x00}));
  // And the test decoder reads it back.
  testing::TDecoder d(out);
  auto h = d.read_struct();
  EXPECT_EQ(h.at(2).i, 100);
  EXPECT_EQ(h.at(5).at(1).i, 10);
  EXPECT_EQ(d.pos(), out.size());
}

TEST(ThriftCompact, ZigzagAndVarint) {
  EXPECT_EQ(CompactWriter::zigzag(0), 0u);
  EXPECT_EQ(CompactWriter::zigzag(-1), 1u);
  EXPECT_EQ(CompactWriter::zigzag(1), 2u);
  EXPECT_EQ(CompactWriter::zigzag(INT64_MAX), UINT64_MAX - 1);
  EXPECT_EQ(CompactWriter::zigzag(INT64_MIN), UINT64_MAX);
  std::string out;
  CompactWriter::put_varint(&out, 127);
  CompactWriter::put_varint(&out, 128);
  EXPECT_EQ(out, bytes({0x7F, 0x80, 0x01}));
}

}  // namespace
}  // namespace runnel::parquet
