#include "parquet/file_writer.h"

#include <gtest/gtest.h>
#include <snappy.h>
#include <zlib.h>

#include <string>
#include <vector>

#include "parquet/testing/random_values.h"
#include "parquet/testing/thrift_reader.h"

namespace runnel::parquet {
namespace {

using testing::PageView;
using testing::TNode;

struct Written {
  std::string file;
  TNode footer;
  std::shared_ptr<const Schema> schema;
};

Written write(const std::vector<ColumnSpec>& columns, const std::vector<Value>& rows, const WriterOptions& o) {
  Written w;
  auto s = Schema::from_columns(columns);
  EXPECT_TRUE(s) << s.error().message();
  w.schema = *s;
  StringSink sink;
  auto fw = FileWriter::open(w.schema, o, &sink);
  EXPECT_TRUE(fw);
  for (const auto& r : rows) EXPECT_TRUE((*fw)->append(r));
  EXPECT_TRUE((*fw)->finish());
  w.file = sink.take();
  w.footer = testing::read_footer(w.file);
  return w;
}

// ColumnMetaData of column `c` in row group `g`.
const TNode& chunk(const Written& w, size_t g, size_t c) { return w.footer.at(4).elems.at(g).at(1).elems.at(c).at(3); }

std::vector<PageView> pages(const Written& w, size_t g, size_t c) {
  const TNode& m = chunk(w, g, c);
  int64_t start = m.has(11) ? m.at(11).i : m.at(9).i;
  return testing::read_pages(w.file, start, m.at(7).i);
}

std::string bytes(std::initializer_list<int> b) {
  std::string s;
  for (int x : b) s.push_back(static_cast<char>(x));
  return s;
}

WriterOptions plain_uncompressed() {
  WriterOptions o;
  o.compression = Codec::kUncompressed;
  o.enable_dictionary = false;
  return o;
}

TEST(FileWriter, FooterFields) {
  WriterOptions o;  // Firehose's defaults: SNAPPY, dictionary, V1
  Written w =
      write({{"id", "bigint"}, {"s", "string"}},
            {Value::record({Value::integer(-3), Value::bytes("b")}), Value::record({Value::null(), Value::bytes("a")}),
             Value::record({Value::integer(9), Value::null()})},
            o);
  EXPECT_EQ(w.file.substr(0, 4), "PAR1");
  const TNode& f = w.footer;
  EXPECT_EQ(f.at(1).i, 1);  // version
  ASSERT_EQ(f.at(2).elems.size(), 3u);
  EXPECT_EQ(f.at(2).elems[0].at(4).bin, "hive_schema");
  EXPECT_EQ(f.at(2).elems[0].at(5).i, 2);
  EXPECT_FALSE(f.at(2).elems[0].has(3));  // the root has no repetition
  EXPECT_EQ(f.at(2).elems[1].at(1).i, static_cast<int>(PhysicalType::kInt64));
  EXPECT_EQ(f.at(2).elems[1].at(3).i, static_cast<int>(Repetition::kOptional));
  EXPECT_EQ(f.at(2).elems[2].at(6).i, static_cast<int>(ConvertedType::kUtf8));
  EXPECT_TRUE(f.at(2).elems[2].at(10).has(1));  // LogicalType STRING
  EXPECT_EQ(f.at(3).i, 3);                      // num_rows
  ASSERT_EQ(f.at(4).elems.size(), 1u);
  EXPECT_EQ(f.at(4).elems[0].at(3).i, 3);
  EXPECT_EQ(f.at(4).elems[0].at(5).i, 4);  // the first row group starts after "PAR1"
  EXPECT_EQ(f.at(4).elems[0].at(7).i, 0);  // ordinal
  EXPECT_EQ(f.at(6).bin, "runnel version 0.1.0");
  ASSERT_EQ(f.at(7).elems.size(), 2u);  // column_orders
  EXPECT_TRUE(f.at(7).elems[0].has(1));

  const TNode& id = chunk(w, 0, 0);
  EXPECT_EQ(id.at(1).i, static_cast<int>(PhysicalType::kInt64));
  EXPECT_EQ(id.at(3).elems.at(0).bin, "id");
  EXPECT_EQ(id.at(4).i, static_cast<int>(Codec::kSnappy));
  EXPECT_EQ(id.at(5).i, 3);   // num_values, nulls included
  EXPECT_EQ(id.at(11).i, 4);  // the dictionary page comes first
  EXPECT_GT(id.at(9).i, id.at(11).i);
  const TNode& st = id.at(12);
  EXPECT_EQ(st.at(3).i, 1);                                                          // null_count
  EXPECT_EQ(st.at(6).bin, bytes({0xFD, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF}));  // min -3
  EXPECT_EQ(st.at(5).bin, bytes({0x09, 0, 0, 0, 0, 0, 0, 0}));                       // max 9
  EXPECT_EQ(chunk(w, 0, 1).at(12).at(6).bin, "a");
  EXPECT_EQ(chunk(w, 0, 1).at(12).at(5).bin, "b");
  // The chunks tile the file up to the footer.
  EXPECT_EQ(chunk(w, 0, 1).at(11).i, 4 + id.at(7).i);
}

// Each value's PLAIN bytes (parquet-format Encodings.md) after the
// definition levels, in V1 pages without compression or dictionary.
TEST(FileWriter, PlainValuesByteForByte) {
  std::vector<ColumnSpec> cols = {{"i", "int"},        {"b", "boolean"},         {"f", "float"}, {"s", "string"},
                                  {"ts", "timestamp"}, {"dec", "decimal(10,2)"}, {"dt", "date"}, {"ti", "tinyint"}};
  Value row1 =
      Value::record({Value::integer(5), Value::boolean(true), Value::float32(1.5f), Value::bytes("ab"),
                     Value::timestamp({946684800, 1}), Value::decimal(-1), Value::date(1), Value::integer(-2)});
  Value row2 = Value::record(std::vector<Value>(cols.size()));
  Value row3 =
      Value::record({Value::integer(-1), Value::boolean(true), Value::float32(-2.0f), Value::bytes(""),
                     Value::timestamp({-1, 999'999'999}), Value::decimal(12345), Value::date(-1), Value::integer(127)});
  Written w = write(cols, {row1, row2, row3}, plain_uncompressed());
  // Definition levels 1, 0, 1: a 4-byte length, then one bit-packed group.
  const std::string defs = bytes({0x02, 0, 0, 0, 0x03, 0x05});
  const std::string want[] = {
      bytes({5, 0, 0, 0, 0xFF, 0xFF, 0xFF, 0xFF}),
      bytes({0x03}),  // true, true: bits LSB first
      bytes({0, 0, 0xC0, 0x3F, 0, 0, 0, 0xC0}),
      bytes({2, 0, 0, 0, 'a', 'b', 0, 0, 0, 0}),
      // 2000-01-01 00:00:00.000000001: nanos of the day, Julian day 2451545;
      // 1969-12-31 23:59:59.999999999: 86399999999999 ns, day 2440587.
      bytes({1,    0,    0,    0,    0,    0,    0, 0, 0x59, 0x68, 0x25, 0x00,
             0xFF, 0xFF, 0x4E, 0x91, 0x94, 0x4E, 0, 0, 0x8B, 0x3D, 0x25, 0x00}),
      bytes({0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0x00, 0x00, 0x00, 0x30, 0x39}),  // two's complement, big-endian, 5 bytes
      bytes({1, 0, 0, 0, 0xFF, 0xFF, 0xFF, 0xFF}),
      bytes({0xFE, 0xFF, 0xFF, 0xFF, 0x7F, 0, 0, 0}),
  };
  for (size_t c = 0; c < cols.size(); ++c) {
    auto ps = pages(w, 0, c);
    ASSERT_EQ(ps.size(), 1u) << cols[c].name;
    EXPECT_EQ(ps[0].header.at(1).i, static_cast<int>(PageType::kDataPage));
    EXPECT_EQ(ps[0].header.at(5).at(1).i, 3);  // num_values
    EXPECT_EQ(ps[0].header.at(5).at(2).i, static_cast<int>(Encoding::kPlain));
    EXPECT_EQ(std::string(ps[0].body), defs + want[c]) << cols[c].name;
  }
  EXPECT_FALSE(chunk(w, 0, 4).at(12).has(6));  // no min/max for INT96
  EXPECT_EQ(chunk(w, 0, 5).at(12).at(6).bin, bytes({0xFF, 0xFF, 0xFF, 0xFF, 0xFF}));
}

// Row values for a nested column: 0..4 elements, some null.
std::vector<Value> list_rows(int n) {
  std::vector<Value> rows;
  testing::SplitMix rng(3);
  auto t = parse_hive_type("array<int>");
  for (int i = 0; i < n; ++i) rows.push_back(Value::record({testing::random_value(*t, rng, 6, 4)}));
  return rows;
}

TEST(FileWriter, PagesSplitAtRowBoundaries) {
  for (WriterVersion v : {WriterVersion::kV1, WriterVersion::kV2}) {
    WriterOptions o = plain_uncompressed();
    o.writer_version = v;
    o.page_size_bytes = 256;
    auto rows = list_rows(2000);
    Written w = write({{"a", "array<int>"}}, rows, o);
    auto ps = pages(w, 0, 0);
    ASSERT_GT(ps.size(), 10u);
    int64_t values = 0, nrows = 0;
    for (const auto& p : ps) {
      int64_t n;
      uint32_t first_rep;
      if (v == WriterVersion::kV2) {
        ASSERT_EQ(p.header.at(1).i, static_cast<int>(PageType::kDataPageV2));
        const TNode& h = p.header.at(8);
        n = h.at(1).i;
        nrows += h.at(3).i;
        EXPECT_FALSE(h.at(7).i);  // is_compressed: not with UNCOMPRESSED
        first_rep = testing::rle_decode(p.body.substr(0, h.at(6).i), 1, n)[0];
        // The page's bytes: levels and values, no more (page size + one row).
        EXPECT_LT(p.header.at(2).i, 256 + 64);
      } else {
        n = p.header.at(5).at(1).i;
        first_rep = testing::rle_decode(p.body.substr(4), 1, n)[0];
      }
      EXPECT_EQ(first_rep, 0u) << "a page starts a row";
      values += n;
    }
    EXPECT_EQ(values, chunk(w, 0, 0).at(5).i);
    if (v == WriterVersion::kV2) {
      EXPECT_EQ(nrows, 2000);
    }
  }
}

TEST(FileWriter, RowGroupsSplitAtTheBlockSize) {
  WriterOptions o;
  o.block_size_bytes = 4096;
  std::vector<Value> rows;
  for (int i = 0; i < 5000; ++i)
    rows.push_back(Value::record({Value::integer(i * 7919), Value::bytes("row " + std::to_string(i))}));
  Written w = write({{"id", "bigint"}, {"s", "string"}}, rows, o);
  const auto& groups = w.footer.at(4).elems;
  ASSERT_GT(groups.size(), 3u);
  int64_t total = 0, at = 4;
  for (size_t g = 0; g < groups.size(); ++g) {
    total += groups[g].at(3).i;
    EXPECT_EQ(groups[g].at(5).i, at) << "row group " << g;
    EXPECT_EQ(groups[g].at(7).i, static_cast<int64_t>(g));
    int64_t compressed = 0;
    for (size_t c = 0; c < 2; ++c) {
      const TNode& m = chunk(w, g, c);
      EXPECT_EQ(m.has(11) ? m.at(11).i : m.at(9).i, at);  // chunks are contiguous
      EXPECT_EQ(groups[g].at(1).elems[c].at(2).i, at);    // ColumnChunk.file_offset
      EXPECT_EQ(m.at(5).i, groups[g].at(3).i);
      at += m.at(7).i;
      compressed += m.at(7).i;
    }
    EXPECT_EQ(groups[g].at(6).i, compressed);
  }
  EXPECT_EQ(total, 5000);
  EXPECT_EQ(w.footer.at(3).i, 5000);
  uint32_t footer_len;
  std::memcpy(&footer_len, w.file.data() + w.file.size() - 8, 4);
  EXPECT_EQ(at, static_cast<int64_t>(w.file.size()) - 8 - footer_len);
}

TEST(FileWriter, DictionaryFallsBackToPlainWhenItOutgrowsAPage) {
  WriterOptions o;
  o.compression = Codec::kUncompressed;
  o.page_size_bytes = 1024;
  std::vector<Value> rows;
  for (int i = 0; i < 3000; ++i)
    rows.push_back(
        Value::record({Value::bytes("distinct-" + std::to_string(i)), Value::bytes(i % 2 ? "odd" : "even")}));
  Written w = write({{"uniq", "string"}, {"low", "string"}}, rows, o);

  auto ps = pages(w, 0, 0);
  ASSERT_EQ(ps[0].header.at(1).i, static_cast<int>(PageType::kDictionaryPage));
  const int64_t dict_entries = ps[0].header.at(7).at(1).i;
  EXPECT_GT(dict_entries, 10);
  EXPECT_LT(dict_entries, 3000);
  EXPECT_LT(ps[0].header.at(2).i, 1024 + 64);  // stopped growing at about a page
  int dict_pages = 0, plain_pages = 0;
  for (size_t i = 1; i < ps.size(); ++i) {
    int64_t enc = ps[i].header.at(5).at(2).i;
    if (enc == static_cast<int>(Encoding::kRleDictionary)) {
      EXPECT_EQ(plain_pages, 0) << "no dictionary page after the fallback";
      ++dict_pages;
    } else {
      EXPECT_EQ(enc, static_cast<int>(Encoding::kPlain));
      ++plain_pages;
    }
  }
  EXPECT_GE(dict_pages, 1);
  EXPECT_GE(plain_pages, 1);
  const TNode& m = chunk(w, 0, 0);
  std::vector<int64_t> encodings;
  for (const auto& e : m.at(2).elems) encodings.push_back(e.i);
  EXPECT_EQ(encodings, (std::vector<int64_t>{3, 0, 8}));  // RLE, PLAIN, RLE_DICTIONARY
  ASSERT_EQ(m.at(13).elems.size(), 3u);                   // encoding_stats
  EXPECT_EQ(m.at(13).elems[1].at(3).i, dict_pages);
  EXPECT_EQ(m.at(13).elems[2].at(3).i, plain_pages);

  // The low-cardinality column keeps its two-entry dictionary throughout.
  auto low = pages(w, 0, 1);
  EXPECT_EQ(low[0].header.at(7).at(1).i, 2);
  for (size_t i = 1; i < low.size(); ++i)
    EXPECT_EQ(low[i].header.at(5).at(2).i, static_cast<int>(Encoding::kRleDictionary));
  // Its indices: a width byte (1), then the hybrid runs of 0, 1, 0, 1, ...
  std::string_view body = low[1].body;
  size_t def_len = static_cast<uint8_t>(body[0]);
  std::string_view values = body.substr(4 + def_len);
  EXPECT_EQ(values[0], 1);
  auto idx = testing::rle_decode(values.substr(1), 1, 4);
  EXPECT_EQ(idx, (std::vector<uint32_t>{0, 1, 0, 1}));
}

TEST(FileWriter, NoDictionaryWhenDisabledNorForBooleans) {
  WriterOptions o;
  o.enable_dictionary = false;
  Written w = write({{"s", "string"}}, {Value::record({Value::bytes("x")})}, o);
  EXPECT_FALSE(chunk(w, 0, 0).has(11));
  WriterOptions d;
  Written b = write({{"b", "boolean"}}, {Value::record({Value::boolean(true)})}, d);
  EXPECT_FALSE(chunk(b, 0, 0).has(11));
}

TEST(FileWriter, AllNullColumnHasNoDictionaryPage) {
  WriterOptions o;
  Written w = write({{"s", "string"}}, {Value::record({Value::null()}), Value::record({Value::null()})}, o);
  EXPECT_FALSE(chunk(w, 0, 0).has(11));
  EXPECT_EQ(chunk(w, 0, 0).at(12).at(3).i, 2);
  EXPECT_FALSE(chunk(w, 0, 0).at(12).has(6));
}

std::string inflate_gzip(std::string_view in, size_t size) {
  std::string out(size, '\0');
  z_stream z{};
  EXPECT_EQ(inflateInit2(&z, 15 + 16), Z_OK);
  z.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(in.data()));
  z.avail_in = static_cast<uInt>(in.size());
  z.next_out = reinterpret_cast<Bytef*>(out.data());
  z.avail_out = static_cast<uInt>(out.size());
  EXPECT_EQ(inflate(&z, Z_FINISH), Z_STREAM_END);
  EXPECT_EQ(z.total_out, size);
  inflateEnd(&z);
  return out;
}

TEST(FileWriter, CompressedPagesDecompressToTheirStatedSize) {
  auto rows = list_rows(500);
  for (Codec c : {Codec::kGzip, Codec::kSnappy}) {
    for (WriterVersion v : {WriterVersion::kV1, WriterVersion::kV2}) {
      WriterOptions o;
      o.compression = c;
      o.writer_version = v;
      o.enable_dictionary = false;
      Written plain = write({{"a", "array<int>"}}, rows, plain_uncompressed());
      Written w = write({{"a", "array<int>"}}, rows, o);
      auto ps = pages(w, 0, 0);
      ASSERT_EQ(ps.size(), 1u);
      std::string want(pages(plain, 0, 0)[0].body);
      std::string_view body = ps[0].body;
      size_t raw = 0;  // V2: the levels stay uncompressed
      std::string got;
      if (v == WriterVersion::kV2) {
        raw = ps[0].header.at(8).at(5).i + ps[0].header.at(8).at(6).i;
        EXPECT_TRUE(ps[0].header.at(8).at(7).i);  // is_compressed
        // The V1 reference frames levels with lengths; compare values only.
        want = want.substr(want.size() - (ps[0].header.at(2).i - raw));
      }
      size_t size = ps[0].header.at(2).i - raw;
      if (c == Codec::kGzip) {
        EXPECT_EQ(body.substr(raw, 2), bytes({0x1F, 0x8B}));
        got = inflate_gzip(body.substr(raw), size);
      } else {
        ASSERT_TRUE(snappy::Uncompress(body.data() + raw, body.size() - raw, &got));
      }
      EXPECT_EQ(got.size(), size);
      EXPECT_EQ(got, want) << static_cast<int>(c) << " v" << (v == WriterVersion::kV2 ? 2 : 1);
      EXPECT_EQ(chunk(w, 0, 0).at(4).i, static_cast<int>(c));
    }
  }
}

TEST(FileWriter, ARefusedRowIsNotWrittenAndTheWriterGoesOn) {
  auto s = Schema::from_columns({{"n", "smallint"}, {"l", "array<string>"}});
  ASSERT_TRUE(s);
  StringSink sink;
  auto w = FileWriter::open(*s, WriterOptions{}, &sink);
  ASSERT_TRUE(w);
  EXPECT_TRUE((*w)->append(Value::record({Value::integer(1), Value::list({Value::bytes("a")})})));
  // Fails at the second list element, after the first column was fine.
  Status bad = (*w)->append(Value::record({Value::integer(2), Value::list({Value::bytes("b"), Value::integer(3)})}));
  EXPECT_EQ(bad.code(), Status::Code::kInvalidArgument);
  EXPECT_EQ(bad.message(), "column 'l.element': expected bytes for string, got an integer");
  EXPECT_TRUE((*w)->append(Value::record({Value::integer(3), Value::null()})));
  EXPECT_EQ((*w)->rows_written(), 2);
  ASSERT_TRUE((*w)->finish());
  TNode f = testing::read_footer(sink.data());
  EXPECT_EQ(f.at(3).i, 2);
  EXPECT_EQ(f.at(4).elems[0].at(1).elems[0].at(3).at(5).i, 2);  // n: 2 values
  EXPECT_EQ(f.at(4).elems[0].at(1).elems[1].at(3).at(5).i, 2);  // l.element: "a", null list
  EXPECT_EQ((*w)->append(Value::record({Value::integer(4), Value::null()})).code(), Status::Code::kAborted);
}

class FailingSink : public ByteSink {
 public:
  Status write(std::string_view b) override {
    if (++calls_ > 1) return Status::io_error("disk full");
    (void)b;
    return Status::ok();
  }

 private:
  int calls_ = 0;
};

TEST(FileWriter, ASinkErrorEndsTheWriter) {
  auto s = Schema::from_columns({{"n", "int"}});
  ASSERT_TRUE(s);
  FailingSink sink;
  auto w = FileWriter::open(*s, WriterOptions{}, &sink);  // "PAR1" goes through
  ASSERT_TRUE(w);
  EXPECT_TRUE((*w)->append(Value::record({Value::integer(1)})));
  EXPECT_EQ((*w)->finish().code(), Status::Code::kIoError);
  EXPECT_EQ((*w)->append(Value::record({Value::integer(1)})).code(), Status::Code::kAborted);
}

TEST(FileWriter, OptionsAreChecked) {
  auto s = Schema::from_columns({{"n", "int"}});
  StringSink sink;
  WriterOptions o;
  o.block_size_bytes = 0;
  EXPECT_FALSE(FileWriter::open(*s, o, &sink));
  o = WriterOptions{};
  o.page_size_bytes = -1;
  EXPECT_FALSE(FileWriter::open(*s, o, &sink));
  EXPECT_TRUE(sink.data().empty());
}

TEST(FileWriter, AnEmptyFileHasNoRowGroups) {
  Written w = write({{"n", "int"}}, {}, WriterOptions{});
  EXPECT_EQ(w.footer.at(3).i, 0);
  EXPECT_TRUE(w.footer.at(4).elems.empty());
}

TEST(FileWriter, V2FilesSayVersion2) {
  WriterOptions o;
  o.writer_version = WriterVersion::kV2;
  Written w = write({{"n", "int"}}, {Value::record({Value::integer(1)})}, o);
  EXPECT_EQ(w.footer.at(1).i, 2);
  EXPECT_EQ(pages(w, 0, 0).back().header.at(1).i, static_cast<int>(PageType::kDataPageV2));
}

}  // namespace
}  // namespace runnel::parquet
