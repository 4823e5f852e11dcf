// The writer's files read back by the test reader (testing/orc_reader.h,
// written from the specification apart from the writer): every type, nulls
// at every level, every codec and format version, several stripes; the
// tail's fields; statistics; the string encodings; row index positions
// followed to the values they point at; refused rows; bad options.
#include "orc/file_writer.h"

#include <gtest/gtest.h>

#include <climits>
#include <string>
#include <vector>

#include "orc/testing/orc_reader.h"
#include "parquet/testing/random_values.h"

namespace runnel::orc {
namespace {

using parquet::ColumnSpec;
using parquet::Value;

const std::vector<ColumnSpec> kAllTypes = {
    {"b", "boolean"},
    {"t", "tinyint"},
    {"s", "smallint"},
    {"i", "int"},
    {"l", "bigint"},
    {"f", "float"},
    {"d", "double"},
    {"dec", "decimal(38,10)"},
    {"small_dec", "decimal(5,2)"},
    {"str", "string"},
    {"vc", "varchar(20)"},
    {"ch", "char(4)"},
    {"bin", "binary"},
    {"ts", "timestamp"},
    {"dt", "date"},
    {"arr", "array<int>"},
    {"m", "map<string,double>"},
    {"st", "struct<x:int,y:array<struct<z:string,w:bigint>>>"},
    {"Nested", "array<map<string,array<int>>>"},
};

class FailingSink : public parquet::ByteSink {
 public:
  Status write(std::string_view) override { return Status::io_error("disk full"); }
};

parquet::HiveType row_type(const parquet::Schema& schema) {
  parquet::HiveType t;
  t.kind = parquet::HiveKind::kStruct;
  for (size_t i = 0; i < schema.column_types().size(); ++i) {
    t.fields.push_back({schema.root().children[i].name, schema.column_types()[i]});
  }
  return t;
}

std::string json(const parquet::HiveType& t, const Value& v) {
  std::string out;
  parquet::testing::to_json(t, v, &out);
  return out;
}

struct Written {
  std::string bytes;
  std::vector<Value> rows;
};

Written write_random(const std::vector<ColumnSpec>& columns, const WriterOptions& o, int rows, uint64_t seed) {
  auto schema = parquet::Schema::from_columns(columns);
  EXPECT_TRUE(schema.has_value());
  parquet::StringSink sink;
  auto w = FileWriter::open(*schema, o, &sink);
  EXPECT_TRUE(w.has_value());
  parquet::testing::SplitMix rng(seed);
  Written out;
  for (int r = 0; r < rows; ++r) {
    std::vector<Value> row;
    for (const auto& t : (*schema)->column_types()) row.push_back(parquet::testing::random_value(t, rng));
    Value v = Value::record(std::move(row));
    EXPECT_TRUE((*w)->append(v)) << "row " << r;
    out.rows.push_back(std::move(v));
  }
  EXPECT_TRUE((*w)->finish());
  out.bytes = sink.take();
  return out;
}

struct Case {
  Compression codec;
  FormatVersion version;
};

class RoundTrip : public ::testing::TestWithParam<Case> {};

TEST_P(RoundTrip, EveryTypeWithNullsAcrossStripesAndRowGroups) {
  WriterOptions o;
  o.compression = GetParam().codec;
  o.format_version = GetParam().version;
  o.stripe_size_bytes = 40000;
  o.row_index_stride = 97;
  o.compression_block_size = 700;                                      // many chunks, positions inside them
  o.bloom_filter_columns = {"i", "str", "ts", "dec", "st", "NESTED"};  // streams among the index streams
  auto w = write_random(kAllTypes, o, 3000, 42);
  auto file = testing::read_file(w.bytes);
  auto schema = parquet::Schema::from_columns(kAllTypes);
  auto type = row_type(**schema);
  ASSERT_EQ(file.rows.size(), w.rows.size());
  for (size_t i = 0; i < w.rows.size(); ++i)
    ASSERT_EQ(json(type, file.rows[i]), json(type, as_written(type, w.rows[i]))) << "row " << i;
  EXPECT_GT(file.stripes.size(), 2u);
  EXPECT_EQ(file.postscript.compression(), static_cast<int>(o.compression));
  EXPECT_EQ(file.postscript.version(1), o.format_version == FormatVersion::kV0_12 ? 12u : 11u);
  uint64_t rows = 0;
  for (const auto& s : file.stripes) {
    rows += s.info.numberofrows();
    // One index entry per started row group, in every column.
    size_t groups = (s.info.numberofrows() + 96) / 97;
    for (const auto& ri : s.row_index) EXPECT_EQ(static_cast<size_t>(ri.entry_size()), groups);
    // i, str, ts, dec; st's x, z and w; Nested's key and int column (not
    // the struct, list and map columns themselves).
    int with_bloom = 0;
    for (int k : s.bloom_kinds) with_bloom += k == proto::Stream::BLOOM_FILTER_UTF8;
    EXPECT_EQ(with_bloom, 9);
  }
  EXPECT_EQ(rows, 3000u);
  EXPECT_EQ(file.footer.statistics(0).numberofvalues(), 3000u);
  EXPECT_EQ(file.metadata.stripestats_size(), static_cast<int>(file.stripes.size()));
}

INSTANTIATE_TEST_SUITE_P(Codecs, RoundTrip,
                         ::testing::Values(Case{Compression::kNone, FormatVersion::kV0_12},
                                           Case{Compression::kZlib, FormatVersion::kV0_12},
                                           Case{Compression::kSnappy, FormatVersion::kV0_12},
                                           Case{Compression::kNone, FormatVersion::kV0_11},
                                           Case{Compression::kSnappy, FormatVersion::kV0_11}));

TEST(FileWriter, TailFieldsAndLayout) {
  WriterOptions o;
  o.stripe_size_bytes = 20000;
  auto w = write_random(kAllTypes, o, 2000, 5);
  const std::string& b = w.bytes;
  EXPECT_EQ(b.substr(0, 3), "ORC");
  auto ps_len = static_cast<uint8_t>(b.back());
  proto::PostScript ps;
  ASSERT_TRUE(ps.ParseFromString(b.substr(b.size() - 1 - ps_len, ps_len)));
  EXPECT_EQ(ps.magic(), "ORC");
  EXPECT_EQ(ps.compression(), proto::SNAPPY);
  EXPECT_EQ(ps.compressionblocksize(), 256u * 1024);
  ASSERT_EQ(ps.version_size(), 2);
  EXPECT_EQ(ps.version(0), 0u);
  EXPECT_EQ(ps.version(1), 12u);
  EXPECT_EQ(ps.writerversion(), 6u);
  auto file = testing::read_file(b);
  const auto& f = file.footer;
  EXPECT_EQ(f.headerlength(), 3u);
  EXPECT_EQ(f.contentlength() + ps.metadatalength() + ps.footerlength() + ps_len + 1, b.size());
  EXPECT_EQ(f.rowindexstride(), 10000u);
  EXPECT_EQ(f.numberofrows(), 2000u);
  uint64_t at = 3;
  for (const auto& s : f.stripes()) {
    EXPECT_EQ(s.offset(), at);
    at += s.indexlength() + s.datalength() + s.footerlength();
  }
  EXPECT_EQ(at, f.contentlength());
  // Types in pre-order; the root names the columns, lower-cased.
  ASSERT_GT(f.types_size(), 0);
  EXPECT_EQ(f.types(0).kind(), proto::Type::STRUCT);
  ASSERT_EQ(f.types(0).fieldnames_size(), static_cast<int>(kAllTypes.size()));
  EXPECT_EQ(f.types(0).fieldnames(18), "nested");
  EXPECT_EQ(f.types(1).kind(), proto::Type::BOOLEAN);
  EXPECT_EQ(f.types(8).kind(), proto::Type::DECIMAL);
  EXPECT_EQ(f.types(8).precision(), 38u);
  EXPECT_EQ(f.types(8).scale(), 10u);
  EXPECT_EQ(f.types(11).kind(), proto::Type::VARCHAR);
  EXPECT_EQ(f.types(11).maximumlength(), 20u);
  EXPECT_EQ(f.types(12).kind(), proto::Type::CHAR);
  EXPECT_EQ(f.types(16).kind(), proto::Type::LIST);
  EXPECT_EQ(f.types(16).subtypes(0), 17u);
  EXPECT_EQ(f.types(18).kind(), proto::Type::MAP);
  EXPECT_EQ(f.types(18).subtypes(0), 19u);
  EXPECT_EQ(f.types(18).subtypes(1), 20u);
  EXPECT_EQ(f.statistics_size(), f.types_size());
  for (const auto& s : file.stripes) EXPECT_EQ(s.footer.writertimezone(), "UTC");
}

TEST(FileWriter, StatisticsOfEachLevel) {
  WriterOptions o;
  o.row_index_stride = 3;
  auto schema = parquet::Schema::from_columns({{"n", "bigint"},
                                               {"s", "string"},
                                               {"b", "boolean"},
                                               {"d", "double"},
                                               {"dec", "decimal(6,2)"},
                                               {"dt", "date"},
                                               {"ts", "timestamp"}});
  parquet::StringSink sink;
  auto w = *FileWriter::open(*schema, o, &sink);
  auto row = [](Value n, Value s, Value b, Value d, Value dec, Value dt, Value ts) {
    return Value::record({n, s, b, d, dec, dt, ts});
  };
  ASSERT_TRUE(w->append(row(Value::integer(5), Value::bytes("pear"), Value::boolean(true), Value::float64(1.5),
                            Value::decimal(-1250), Value::date(10), Value::timestamp({0, 5000000}))));
  ASSERT_TRUE(w->append(row(Value::null(), Value::bytes("apple"), Value::boolean(false), Value::float64(-2),
                            Value::decimal(99), Value::date(-3), Value::timestamp({-10, 0}))));
  ASSERT_TRUE(w->append(row(Value::integer(-7), Value::null(), Value::boolean(true), Value::null(), Value::null(),
                            Value::null(), Value::null())));
  ASSERT_TRUE(w->append(row(Value::integer(100), Value::bytes("zz"), Value::null(), Value::float64(0.5),
                            Value::decimal(1), Value::date(0), Value::timestamp({100, 0}))));
  ASSERT_TRUE(w->finish());
  auto file = testing::read_file(sink.data());
  const auto& st = file.footer.statistics();
  EXPECT_EQ(st[0].numberofvalues(), 4u);
  EXPECT_EQ(st[1].numberofvalues(), 3u);
  EXPECT_TRUE(st[1].hasnull());
  EXPECT_EQ(st[1].intstatistics().minimum(), -7);
  EXPECT_EQ(st[1].intstatistics().maximum(), 100);
  EXPECT_EQ(st[1].intstatistics().sum(), 98);
  EXPECT_EQ(st[2].stringstatistics().minimum(), "apple");
  EXPECT_EQ(st[2].stringstatistics().maximum(), "zz");
  EXPECT_EQ(st[2].stringstatistics().sum(), 11);
  EXPECT_EQ(st[3].bucketstatistics().count(0), 2u);
  EXPECT_EQ(st[3].numberofvalues(), 3u);
  EXPECT_EQ(st[4].doublestatistics().minimum(), -2);
  EXPECT_EQ(st[4].doublestatistics().maximum(), 1.5);
  EXPECT_EQ(st[4].doublestatistics().sum(), 0);
  EXPECT_EQ(st[5].decimalstatistics().minimum(), "-12.50");
  EXPECT_EQ(st[5].decimalstatistics().maximum(), "0.99");
  EXPECT_EQ(st[5].decimalstatistics().sum(), "-11.50");
  EXPECT_EQ(st[6].datestatistics().minimum(), -3);
  EXPECT_EQ(st[6].datestatistics().maximum(), 10);
  EXPECT_EQ(st[7].timestampstatistics().minimum(), -10000);
  EXPECT_EQ(st[7].timestampstatistics().maximum(), 100000);
  EXPECT_EQ(st[7].timestampstatistics().minimumutc(), -10000);
  // Row groups of 3 rows: the second holds only the fourth row.
  const auto& ri = file.stripes.at(0).row_index.at(1);
  ASSERT_EQ(ri.entry_size(), 2);
  EXPECT_EQ(ri.entry(0).statistics().intstatistics().maximum(), 5);
  EXPECT_TRUE(ri.entry(0).statistics().hasnull());
  EXPECT_EQ(ri.entry(1).statistics().intstatistics().minimum(), 100);
  EXPECT_FALSE(ri.entry(1).statistics().hasnull());
  // The stripe's statistics in the metadata equal the file's (one stripe).
  EXPECT_EQ(file.metadata.stripestats(0).colstats(1).intstatistics().sum(), 98);
}

TEST(FileWriter, StringEncodingFollowsTheDictionaryThreshold) {
  auto encoding_of = [](double threshold, FormatVersion v) {
    WriterOptions o;
    o.dictionary_key_threshold = threshold;
    o.format_version = v;
    parquet::StringSink sink;
    auto w = *FileWriter::open(std::vector<ColumnSpec>{{"s", "string"}}, o, &sink);
    for (int i = 0; i < 100; ++i) EXPECT_TRUE(w->append(Value::record({Value::bytes(i % 3 ? "a" : "b")})));
    EXPECT_TRUE(w->finish());
    auto file = testing::read_file(sink.data());
    for (size_t i = 0; i < file.rows.size(); ++i) EXPECT_EQ(file.rows[i].items()[0].as_bytes(), i % 3 ? "a" : "b");
    return file.stripes.at(0).footer.columns(1);
  };
  auto dict = encoding_of(0.8, FormatVersion::kV0_12);
  EXPECT_EQ(dict.kind(), proto::ColumnEncoding::DICTIONARY_V2);
  EXPECT_EQ(dict.dictionarysize(), 2u);
  EXPECT_EQ(encoding_of(0, FormatVersion::kV0_12).kind(), proto::ColumnEncoding::DIRECT_V2);
  EXPECT_EQ(encoding_of(0.01, FormatVersion::kV0_12).kind(), proto::ColumnEncoding::DIRECT_V2);
  EXPECT_EQ(encoding_of(1, FormatVersion::kV0_11).kind(), proto::ColumnEncoding::DICTIONARY);
  EXPECT_EQ(encoding_of(0, FormatVersion::kV0_11).kind(), proto::ColumnEncoding::DIRECT);
}

// Follows each row group's positions in the index to its first values: a
// bigint with nulls (PRESENT, DATA), a direct string (PRESENT, DATA,
// LENGTH) and a boolean (PRESENT, DATA with a bit offset).
TEST(FileWriter, RowIndexPositionsPointAtEachRowGroup) {
  for (Compression codec : {Compression::kNone, Compression::kZlib, Compression::kSnappy}) {
    WriterOptions o;
    o.compression = codec;
    o.row_index_stride = 37;
    o.compression_block_size = 101;
    o.stripe_size_bytes = 30000;
    o.dictionary_key_threshold = 0;
    auto w = write_random({{"n", "bigint"}, {"s", "string"}, {"b", "boolean"}}, o, 2000, 9);
    testing::Reader reader(w.bytes);
    auto file = reader.read();
    size_t first_row = 0;
    for (const auto& stripe : file.stripes) {
      for (uint32_t col = 1; col <= 3; ++col) {
        const auto& streams = stripe.streams[col];
        ASSERT_EQ(streams.at(0).kind, proto::Stream::PRESENT);
        for (int g = 0; g < stripe.row_index[col].entry_size(); ++g) {
          const auto& pos = stripe.row_index[col].entry(g).positions();
          size_t at = 0, used = 0;
          std::string present = reader.seek(streams[0].bytes, pos.data() + at, &used);
          at += used;
          ASSERT_EQ(pos[at], 0u);  // a run starts there
          size_t bit = pos[at + 1];
          at += 2;
          size_t row0 = first_row + static_cast<size_t>(g) * 37;
          size_t k = std::min<size_t>(5, first_row + stripe.info.numberofrows() - row0);
          testing::ByteReader pr(present);
          auto bits = testing::decode_bools(pr, k, bit);
          std::vector<const Value*> expect;
          for (size_t i = 0; i < k; ++i) {
            const Value& v = w.rows[row0 + i].items()[col - 1];
            ASSERT_EQ(bits[i], v.is_null() ? 0 : 1) << "row " << row0 + i;
            if (!v.is_null()) expect.push_back(&v);
          }
          std::string data = reader.seek(streams.at(1).bytes, pos.data() + at, &used);
          at += used;
          testing::ByteReader dr(data);
          if (col == 1) {
            ASSERT_EQ(pos[at], 0u);
            auto got = testing::decode_int_rle_v2(dr, expect.size(), true);
            for (size_t i = 0; i < expect.size(); ++i) EXPECT_EQ(got[i], expect[i]->as_int());
          } else if (col == 2) {
            std::string lengths = reader.seek(streams.at(2).bytes, pos.data() + at, &used);
            at += used;
            ASSERT_EQ(pos[at], 0u);
            testing::ByteReader lr(lengths);
            auto lens = testing::decode_int_rle_v2(lr, expect.size(), false);
            for (size_t i = 0; i < expect.size(); ++i) {
              EXPECT_EQ(dr.take(static_cast<size_t>(lens[i])), expect[i]->as_bytes());
            }
          } else {
            ASSERT_EQ(pos[at], 0u);
            auto got = testing::decode_bools(dr, expect.size(), pos[at + 1]);
            for (size_t i = 0; i < expect.size(); ++i) EXPECT_EQ(got[i] != 0, expect[i]->as_bool());
          }
        }
      }
      first_row += stripe.info.numberofrows();
    }
    EXPECT_EQ(first_row, 2000u);
  }
}

TEST(FileWriter, TimestampsDatesAndDecimalsAtTheEdges) {
  auto schema = parquet::Schema::from_columns({{"ts", "timestamp"}, {"d", "decimal(38,0)"}, {"dt", "date"}});
  parquet::StringSink sink;
  WriterOptions o;
  o.compression = Compression::kNone;
  auto w = *FileWriter::open(*schema, o, &sink);
  __int128 max38 = 1;
  for (int i = 0; i < 38; ++i) max38 *= 10;
  max38 -= 1;
  std::vector<parquet::Timestamp> ts = {
      {0, 0},          {1420070400, 0}, {1420070399, 999999999}, {-2, 1000000},        {-100, 999999},
      {-5, 500000000}, {1, 100},        {1, 123456789},          {253402300799, 1000},
  };
  std::vector<Value> rows;
  for (size_t i = 0; i < ts.size(); ++i) {
    rows.push_back(Value::record(
        {Value::timestamp(ts[i]), Value::decimal(i % 2 ? max38 : -max38), Value::date(i % 2 ? INT32_MAX : INT32_MIN)}));
    ASSERT_TRUE(w->append(rows.back()));
  }
  ASSERT_TRUE(w->finish());
  auto file = testing::read_file(sink.data());
  ASSERT_EQ(file.rows.size(), ts.size());
  for (size_t i = 0; i < ts.size(); ++i) {
    auto got = file.rows[i].items()[0].as_timestamp();
    EXPECT_EQ(got.seconds, ts[i].seconds) << i;
    EXPECT_EQ(got.nanos, ts[i].nanos) << i;
    EXPECT_TRUE(file.rows[i].items()[1].as_decimal() == rows[i].items()[1].as_decimal()) << i;
    EXPECT_EQ(file.rows[i].items()[2].as_int(), rows[i].items()[2].as_int()) << i;
  }
}

TEST(FileWriter, RefusesABadRowAndGoesOn) {
  parquet::StringSink sink;
  auto w = *FileWriter::open(std::vector<ColumnSpec>{{"a", "int"}, {"m", "map<string,int>"}}, WriterOptions{}, &sink);
  EXPECT_TRUE(w->append(Value::record({Value::integer(1), Value::null()})));
  Status wrong = w->append(Value::record({Value::bytes("x"), Value::null()}));
  EXPECT_EQ(wrong.code(), Status::Code::kInvalidArgument);
  Status too_big = w->append(Value::record({Value::integer(int64_t{1} << 40), Value::null()}));
  EXPECT_EQ(too_big.code(), Status::Code::kInvalidArgument);
  Status null_key = w->append(Value::record({Value::integer(2), Value::map({{Value::null(), Value::integer(1)}})}));
  EXPECT_EQ(null_key.code(), Status::Code::kInvalidArgument);
  EXPECT_TRUE(w->append(Value::record({Value::integer(3), Value::map({{Value::bytes("k"), Value::null()}})})));
  ASSERT_TRUE(w->finish());
  auto file = testing::read_file(sink.data());
  ASSERT_EQ(file.rows.size(), 2u);
  EXPECT_EQ(file.rows[1].items()[0].as_int(), 3);
  EXPECT_EQ(file.rows[1].items()[1].items()[0].as_bytes(), "k");
  EXPECT_TRUE(file.rows[1].items()[1].items()[1].is_null());
}

TEST(FileWriter, EmptyFileHasNoStripes) {
  parquet::StringSink sink;
  auto w = *FileWriter::open(std::vector<ColumnSpec>{{"a", "int"}}, WriterOptions{}, &sink);
  ASSERT_TRUE(w->finish());
  auto file = testing::read_file(sink.data());
  EXPECT_EQ(file.footer.stripes_size(), 0);
  EXPECT_EQ(file.footer.numberofrows(), 0u);
  EXPECT_EQ(file.footer.types_size(), 2);
  EXPECT_FALSE(w->append(Value::record({Value::integer(1)})));
}

TEST(FileWriter, NoRowIndexWhenTheStrideIsZero) {
  WriterOptions o;
  o.row_index_stride = 0;
  auto w = write_random({{"a", "int"}, {"s", "string"}}, o, 500, 1);
  auto file = testing::read_file(w.bytes);
  EXPECT_EQ(file.rows.size(), 500u);
  EXPECT_EQ(file.footer.rowindexstride(), 0u);
  EXPECT_EQ(file.stripes.at(0).info.indexlength(), 0u);
}

TEST(FileWriter, ChecksItsOptions) {
  parquet::StringSink sink;
  std::vector<ColumnSpec> cols = {{"a", "int"}};
  auto bad = [&](auto change) {
    WriterOptions o;
    change(o);
    auto w = FileWriter::open(cols, o, &sink);
    return !w.has_value() && w.error().code() == Status::Code::kInvalidArgument;
  };
  EXPECT_TRUE(bad([](WriterOptions& o) { o.stripe_size_bytes = 0; }));
  EXPECT_TRUE(bad([](WriterOptions& o) { o.row_index_stride = int64_t{1} << 32; }));
  EXPECT_TRUE(bad([](WriterOptions& o) { o.row_index_stride = -1; }));
  EXPECT_TRUE(bad([](WriterOptions& o) { o.compression_block_size = int64_t{1} << 23; }));
  EXPECT_TRUE(bad([](WriterOptions& o) { o.bloom_filter_fpp = 1; }));
  EXPECT_TRUE(bad([](WriterOptions& o) { o.bloom_filter_columns = {"nope"}; }));
  EXPECT_TRUE(bad([](WriterOptions& o) { o.dictionary_key_threshold = 1.5; }));
  EXPECT_FALSE(bad([](WriterOptions& o) { o.bloom_filter_columns = {"a"}; }));
  EXPECT_FALSE(bad([](WriterOptions& o) { o.bloom_filter_columns = {"A"}; }));  // as ORC's Java writer
  // Filters of 2^31 bits or more: ORC's readers cannot address them.
  EXPECT_TRUE(bad([](WriterOptions& o) {
    o.bloom_filter_columns = {"a"};
    o.row_index_stride = int64_t{1} << 31;
  }));
  EXPECT_FALSE(bad([](WriterOptions& o) { o.row_index_stride = int64_t{1} << 31; }));  // no filters asked for
  auto w = FileWriter::open(std::vector<ColumnSpec>{{"a", "nope"}}, WriterOptions{}, &sink);
  EXPECT_FALSE(w.has_value());
}

TEST(FileWriter, ASinkErrorEndsTheWriter) {
  FailingSink sink;
  auto w = FileWriter::open(std::vector<ColumnSpec>{{"a", "int"}}, WriterOptions{}, &sink);
  ASSERT_FALSE(w.has_value());
  EXPECT_EQ(w.error().code(), Status::Code::kIoError);
}

TEST(FileWriter, CutsStripesBySize) {
  WriterOptions o;
  // About 1000 rows: 8 bytes a bigint, a byte for its null flag, a byte for
  // the row's (the root column's).
  o.stripe_size_bytes = 10 * 1000;
  auto schema = parquet::Schema::from_columns({{"n", "bigint"}});
  parquet::StringSink sink;
  auto w = *FileWriter::open(*schema, o, &sink);
  for (int i = 0; i < 10000; ++i) ASSERT_TRUE(w->append(Value::record({Value::integer(i * 7)})));
  ASSERT_TRUE(w->finish());
  EXPECT_GE(w->stripes_written(), 9);
  EXPECT_LE(w->stripes_written(), 11);
  auto file = testing::read_file(sink.data());
  for (int i = 0; i < 10000; ++i) ASSERT_EQ(file.rows[static_cast<size_t>(i)].items()[0].as_int(), i * 7);
}

}  // namespace
}  // namespace runnel::orc

namespace runnel::orc {
namespace {

// The data streams of column 1 in the first stripe, uncompressed.
std::vector<std::pair<proto::Stream::Kind, std::string>> streams_of_first_column(const std::string& bytes) {
  auto file = testing::read_file(bytes);
  std::vector<std::pair<proto::Stream::Kind, std::string>> out;
  for (const auto& s : file.stripes.at(0).streams.at(1)) {
    out.emplace_back(s.kind, testing::decompress(file.postscript.compression(), s.bytes));
  }
  return out;
}

std::vector<int64_t> rle_v2(const std::string& s, size_t n) {
  testing::ByteReader r(s);
  return testing::decode_int_rle_v2(r, n, false);
}

TEST(ColumnEncodings, StringsAsTheSpecificationsExamples) {
  const std::vector<std::string> states = {"Nevada", "California", "Nevada", "California", "Florida"};
  for (double threshold : {1.0, 0.0}) {
    WriterOptions o;
    o.compression = Compression::kNone;
    o.dictionary_key_threshold = threshold;
    parquet::StringSink sink;
    auto w = *FileWriter::open(std::vector<ColumnSpec>{{"s", "string"}}, o, &sink);
    size_t n = threshold > 0 ? states.size() : 2;
    for (size_t i = 0; i < n; ++i) ASSERT_TRUE(w->append(Value::record({Value::bytes(states[i])})));
    ASSERT_TRUE(w->finish());
    auto streams = streams_of_first_column(sink.data());
    if (threshold > 0) {
      ASSERT_EQ(streams.size(), 3u);
      EXPECT_EQ(streams[0].first, proto::Stream::DATA);
      EXPECT_EQ(rle_v2(streams[0].second, 5), (std::vector<int64_t>{2, 0, 2, 0, 1}));
      EXPECT_EQ(streams[1].first, proto::Stream::LENGTH);
      EXPECT_EQ(rle_v2(streams[1].second, 3), (std::vector<int64_t>{10, 7, 6}));
      EXPECT_EQ(streams[2].first, proto::Stream::DICTIONARY_DATA);
      EXPECT_EQ(streams[2].second, "CaliforniaFloridaNevada");
    } else {
      ASSERT_EQ(streams.size(), 2u);
      EXPECT_EQ(streams[0].first, proto::Stream::DATA);
      EXPECT_EQ(streams[0].second, "NevadaCalifornia");
      EXPECT_EQ(streams[1].first, proto::Stream::LENGTH);
      EXPECT_EQ(rle_v2(streams[1].second, 2), (std::vector<int64_t>{6, 10}));
    }
  }
}

TEST(ColumnEncodings, TimestampNanosAsTheSpecificationsExamples) {
  WriterOptions o;
  o.compression = Compression::kNone;
  parquet::StringSink sink;
  auto w = *FileWriter::open(std::vector<ColumnSpec>{{"t", "timestamp"}}, o, &sink);
  // 2015-01-01 00:00:00.000001 and 00:00:00.0001: seconds 0 from the base.
  ASSERT_TRUE(w->append(Value::record({Value::timestamp({kTimestampBaseSeconds, 1000})})));
  ASSERT_TRUE(w->append(Value::record({Value::timestamp({kTimestampBaseSeconds, 100000})})));
  ASSERT_TRUE(w->finish());
  auto streams = streams_of_first_column(sink.data());
  ASSERT_EQ(streams.size(), 2u);
  EXPECT_EQ(streams[0].first, proto::Stream::DATA);
  testing::ByteReader d(streams[0].second);
  EXPECT_EQ(testing::decode_int_rle_v2(d, 2, true), (std::vector<int64_t>{0, 0}));
  EXPECT_EQ(streams[1].first, proto::Stream::SECONDARY);
  EXPECT_EQ(rle_v2(streams[1].second, 2), (std::vector<int64_t>{0x0a, 0x0c}));
}

TEST(ColumnEncodings, NoPresentStreamWithoutNulls) {
  WriterOptions o;
  parquet::StringSink sink;
  auto w = *FileWriter::open(std::vector<ColumnSpec>{{"a", "int"}}, o, &sink);
  for (int i = 0; i < 10; ++i) ASSERT_TRUE(w->append(Value::record({Value::integer(i)})));
  ASSERT_TRUE(w->finish());
  auto streams = streams_of_first_column(sink.data());
  ASSERT_EQ(streams.size(), 1u);
  EXPECT_EQ(streams[0].first, proto::Stream::DATA);
}

}  // namespace
}  // namespace runnel::orc

namespace runnel::orc {
namespace {

// A regression test: two decimal(38) values of 38 nines summed past
// 2^127 (UBSan caught the overflow); the sum is left out, min/max stay.
TEST(Statistics, DecimalAndIntegerSumsThatOverflowAreLeftOut) {
  __int128 max38 = 1;
  for (int i = 0; i < 38; ++i) max38 *= 10;
  max38 -= 1;
  parquet::StringSink sink;
  auto w = *FileWriter::open(std::vector<ColumnSpec>{{"d", "decimal(38,2)"}, {"n", "bigint"}}, WriterOptions{}, &sink);
  for (int i = 0; i < 2; ++i) ASSERT_TRUE(w->append(Value::record({Value::decimal(max38), Value::integer(INT64_MAX)})));
  ASSERT_TRUE(w->finish());
  auto file = testing::read_file(sink.data());
  const auto& d = file.footer.statistics(1).decimalstatistics();
  EXPECT_FALSE(d.has_sum());
  EXPECT_EQ(d.maximum(), std::string(36, '9') + ".99");
  const auto& n = file.footer.statistics(2).intstatistics();
  EXPECT_FALSE(n.has_sum());
  EXPECT_EQ(n.maximum(), INT64_MAX);
}

}  // namespace
}  // namespace runnel::orc
