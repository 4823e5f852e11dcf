// Bloom filters against Apache ORC's own published test vectors (each
// vector says where it comes from), then files with bloom filters read back
// by the test reader: every value written tests positive in its row
// group's filter, absent values test positive at about the probability
// asked for, and the streams sit where ORC's writers put them.
#include "orc/bloom_filter.h"

#include <gtest/gtest.h>

#include <bit>
#include <cmath>
#include <set>
#include <string>
#include <vector>

#include "orc/file_writer.h"
#include "orc/testing/orc_reader.h"
#include "parquet/testing/random_values.h"

namespace runnel::orc {
namespace {

using parquet::ColumnSpec;
using parquet::Value;

// Vector: apache/orc java/core/src/test/org/apache/orc/util/TestMurmur3.java
// (testHashCodeM3_64) and c++/test/TestMurmur3.cc (testHash64), the same
// text and hash in both.
TEST(Murmur3, Hash64AsApacheOrc) {
  const std::string text =
      "It was the best of times, it was the worst of times,"
      " it was the age of wisdom, it was the age of foolishness,"
      " it was the epoch of belief, it was the epoch of incredulity,"
      " it was the season of Light, it was the season of Darkness,"
      " it was the spring of hope, it was the winter of despair,"
      " we had everything before us, we had nothing before us,"
      " we were all going direct to Heaven,"
      " we were all going direct the other way.";
  EXPECT_EQ(murmur3_hash64(text), 305830725663368540ULL);
}

// Vectors: apache/orc c++/test/TestBloomFilter.cc (testLongHash, "same test
// as TestBloomFilter#testLongHash() in Java").
TEST(LongHash, AsApacheOrc) {
  EXPECT_EQ(long_hash(0), 0);
  EXPECT_EQ(long_hash(-1), 6614246905173314819);
  EXPECT_EQ(long_hash(-2), -5218250166726157773);
  EXPECT_EQ(long_hash(-3), 1396019780946710816);
  EXPECT_EQ(long_hash(-9223372036854775805), 3691278333958578070);
  EXPECT_EQ(long_hash(-9223372036854775806), -1192099642781211952);
  EXPECT_EQ(long_hash(-9223372036854775807), -9102499068535824902);
  EXPECT_EQ(long_hash(790302201), 1499534499340523007);
  EXPECT_EQ(long_hash(790302202), -5108695154500810163);
  EXPECT_EQ(long_hash(790302203), -2450623810987162260);
  EXPECT_EQ(long_hash(18000000000), -1097054448615658549);
  EXPECT_EQ(long_hash(9223372036064673413), -4986173376161118712);
  EXPECT_EQ(long_hash(9223372036064673414), 3785699328822078862);
  EXPECT_EQ(long_hash(9223372036064673415), 294188322706112357);
}

// The bits one value sets in a fresh filter.
template <typename Add>
std::set<uint64_t> bits_of(Add add) {
  BloomFilter f(128, 0.05);
  add(f);
  std::set<uint64_t> out;
  for (uint64_t i = 0; i < f.num_bits(); ++i) {
    if (f.get_bit(i)) out.insert(i);
  }
  return out;
}

// Vectors: apache/orc c++/test/TestBloomFilter.cc
// (testBloomFilterBasicOperations, "same test as TestBloomFilter#
// testBasicOperations() in Java", checking "both the Java and C++ codes hash
// the same value into the same position"): a filter for 128 entries at the
// default 0.05, and the bit positions of each value. They pin the sizing
// (832 bits, 5 hash functions), both hashes, the split into 32-bit halves,
// the bit flip of negative combinations and the modulo.
TEST(BloomFilter, PositionsAsApacheOrc) {
  BloomFilter f(128, 0.05);
  EXPECT_EQ(f.num_bits(), 832u);
  EXPECT_EQ(f.num_hash_functions(), 5);

  using S = std::set<uint64_t>;
  auto longs = [](int64_t v) { return bits_of([v](BloomFilter& f) { f.add_long(v); }); };
  EXPECT_EQ(longs(1), (S{567, 288, 246, 306, 228}));
  EXPECT_EQ(longs(11), (S{228, 285, 342, 399, 456}));
  EXPECT_EQ(longs(111), (S{802, 630, 458, 545, 717}));
  EXPECT_EQ(longs(1111), (S{826, 526, 40, 480, 86}));
  EXPECT_EQ(longs(0), (S{0}));
  EXPECT_EQ(longs(-1), (S{120, 308, 335, 108, 535}));
  EXPECT_EQ(longs(-11), (S{323, 685, 215, 577, 107}));
  EXPECT_EQ(longs(-111), (S{357, 318, 279, 15, 54}));
  EXPECT_EQ(longs(-1111), (S{572, 680, 818, 434, 232}));

  auto doubles = [](double v) { return bits_of([v](BloomFilter& f) { f.add_double(v); }); };
  EXPECT_EQ(doubles(1.1), (S{522, 692, 12, 370, 753}));
  EXPECT_EQ(doubles(11.11), (S{210, 188, 89, 720, 389}));
  EXPECT_EQ(doubles(111.111), (S{831, 252, 583, 500, 335}));
  EXPECT_EQ(doubles(1111.1111), (S{725, 175, 374, 92, 642}));
  EXPECT_EQ(doubles(0.0), (S{0}));
  EXPECT_EQ(doubles(-1.1), (S{636, 163, 565, 206, 679}));
  EXPECT_EQ(doubles(-11.11), (S{473, 192, 743, 462, 181}));
  EXPECT_EQ(doubles(-111.111), (S{167, 152, 472, 295, 24}));
  EXPECT_EQ(doubles(-1111.1111), (S{308, 346, 384, 422, 371}));

  auto bytes = [](std::string v) { return bits_of([v](BloomFilter& f) { f.add_bytes(v); }); };
  EXPECT_EQ(bytes(""), (S{656, 807, 480, 151, 304}));
  EXPECT_EQ(bytes("english"), (S{576, 221, 68, 729, 392}));
  EXPECT_EQ(bytes("\xe4\xb8\xad\xe5\x9b\xbd\xe5\xad\x97"), (S{602, 636, 44, 362, 318}));  // 中国字, UTF-8

  BloomFilter g(128, 0.05);
  for (int64_t v : {1, 11, 111, 1111, 0, -1, -11, -111, -1111}) EXPECT_FALSE(g.test_long(v));
  for (int64_t v : {1, 11, 111, 1111, 0, -1, -11, -111, -1111}) g.add_long(v);
  for (int64_t v : {1, 11, 111, 1111, 0, -1, -11, -111, -1111}) EXPECT_TRUE(g.test_long(v));
}

// Sizing as ORC's BloomFilter constructor (apache/orc java/core/src/java/
// org/apache/orc/util/BloomFilter.java, c++/src/BloomFilter.cc):
// nb = (int)(-n ln p / (ln 2)^2), bits = nb + (64 - nb % 64), k =
// max(1, round(bits / n * ln 2)). The numbers below are worked by hand
// from that formula.
TEST(BloomFilter, SizingAsApacheOrc) {
  auto check = [](int64_t n, double p, uint64_t bits, int k) {
    BloomFilter f(n, p);
    EXPECT_EQ(f.num_bits(), bits) << n << " " << p;
    EXPECT_EQ(f.num_hash_functions(), k) << n << " " << p;
    EXPECT_EQ(BloomFilter::bits_for(n, p), static_cast<int64_t>(bits));
  };
  check(10000, 0.05, 62400, 4);                                  // nb 62352: ORC's default stride and fpp
  check(1000, 0.05, 6272, 4);                                    // nb 6235
  check(10000, 0.01, 95872, 7);                                  // nb 95850
  check(72, 0.05, 512, 5);                                       // nb 448, already a multiple of 64: 64 more
  check(1, 0.05, 64, 44);                                        // nb 6
  check(0, 0.05, 64, 44);                                        // fewer than one entry counts as one
  EXPECT_EQ(BloomFilter::bits_for(int64_t{1} << 31, 0.05), -1);  // past Java's int
}

// Vectors: apache/orc java/core/src/test/org/apache/orc/util/
// TestBloomFilter.java (testBitset: bit i is bit i % 64 of word i / 64;
// testBloomFilterSerialize: utf8bitset holds the words little-endian, and
// no repeated `bitset` field is written).
TEST(BloomFilter, BitLayoutAndUtf8BitsetAsApacheOrc) {
  BloomFilter f(std::vector<uint64_t>(2, 0), 1);
  for (uint64_t l = 0; l < 8; ++l) f.set_bit(l * 9);
  for (uint64_t l = 8; l < 16; ++l) {
    for (uint64_t b = 0; b < 8; ++b) {
      if (b != l - 8) f.set_bit(l * 8 + b);
    }
  }
  ASSERT_EQ(f.words().size(), 2u);
  EXPECT_EQ(f.words()[0], 0x8040201008040201ULL);
  EXPECT_EQ(f.words()[1], ~0x8040201008040201ULL);

  proto::BloomFilter p;
  f.to_proto(&p);
  EXPECT_EQ(p.numhashfunctions(), 1u);
  EXPECT_EQ(p.bitset_size(), 0);
  const unsigned char expected[] = {0x01, 0x02, 0x04, 0x08, 0x10, 0x20, 0x40, 0x80,
                                    0xfe, 0xfd, 0xfb, 0xf7, 0xef, 0xdf, 0xbf, 0x7f};
  EXPECT_EQ(p.utf8bitset(), std::string(reinterpret_cast<const char*>(expected), sizeof expected));
}

// NaN as Java's doubleToLongBits: one bit pattern for every NaN.
TEST(BloomFilter, EveryNanHashesAlike) {
  BloomFilter f(100, 0.05);
  f.add_double(std::bit_cast<double>(0x7ff0000000000001ULL));
  EXPECT_TRUE(f.test_double(std::bit_cast<double>(0xfff8000000000000ULL)));
  EXPECT_TRUE(f.test_long(0x7ff8000000000000LL));
}

// The string a reader makes of a decimal literal before testing it: apache/
// orc c++/src/sargs/PredicateLeaf.cc tests Decimal::toString(true)
// (trailing zeros trimmed); the Java reader tests HiveDecimalWritable's
// string, and "decimals are physically stored without any extra leading or
// trailing zeroes" (apache/hive storage-api/src/java/org/apache/hadoop/
// hive/common/type/HiveDecimal.java, the class comment). The cases below
// are worked by hand from that rule.
TEST(BloomFilter, DecimalStringsTrimTrailingZeros) {
  EXPECT_EQ(decimal_bloom_string(1250, 2), "12.5");
  EXPECT_EQ(decimal_bloom_string(1200, 2), "12");
  EXPECT_EQ(decimal_bloom_string(-50, 2), "-0.5");
  EXPECT_EQ(decimal_bloom_string(0, 3), "0");
  EXPECT_EQ(decimal_bloom_string(1005, 1), "100.5");
  EXPECT_EQ(decimal_bloom_string(1000, 0), "1000");
  EXPECT_EQ(decimal_bloom_string(-7, 10), "-0.0000000007");
}

// ---- Files --------------------------------------------------------------

// The 64-bit hash a reader tests for value `v` of a column of `kind`.
uint64_t reader_hash(parquet::HiveKind kind, const parquet::HiveType& t, const Value& v) {
  using K = parquet::HiveKind;
  switch (kind) {
    case K::kBoolean: return static_cast<uint64_t>(long_hash(v.as_bool() ? 1 : 0));
    case K::kTinyint:
    case K::kSmallint:
    case K::kInt:
    case K::kBigint:
    case K::kDate: return static_cast<uint64_t>(long_hash(v.as_int()));
    case K::kFloat:
    case K::kDouble: {
      double d = kind == K::kFloat ? static_cast<double>(static_cast<float>(v.as_double())) : v.as_double();
      return static_cast<uint64_t>(long_hash(std::isnan(d) ? 0x7ff8000000000000LL : std::bit_cast<int64_t>(d)));
    }
    case K::kDecimal: return murmur3_hash64(decimal_bloom_string(v.as_decimal(), t.scale));
    case K::kTimestamp: {
      // Floored UTC milliseconds, as java.sql.Timestamp.getTime().
      auto ts = v.as_timestamp();
      return static_cast<uint64_t>(long_hash(ts.seconds * 1000 + ts.nanos / 1000000));
    }
    default: return murmur3_hash64(v.as_bytes());
  }
}

const std::vector<ColumnSpec> kPrimitives = {
    {"b", "boolean"},  {"t", "tinyint"},          {"s", "smallint"},
    {"i", "int"},      {"l", "bigint"},           {"f", "float"},
    {"d", "double"},   {"dec", "decimal(38,10)"}, {"small_dec", "decimal(5,2)"},
    {"str", "string"}, {"vc", "varchar(20)"},     {"ch", "char(4)"},
    {"bin", "binary"}, {"ts", "timestamp"},       {"dt", "date"},
};

struct Case {
  Compression codec;
  FormatVersion version;
};

class BloomFile : public ::testing::TestWithParam<Case> {};

TEST_P(BloomFile, EveryValueTestsPositiveInItsRowGroup) {
  auto schema = parquet::Schema::from_columns(kPrimitives);
  ASSERT_TRUE(schema.has_value());
  WriterOptions o;
  o.compression = GetParam().codec;
  o.format_version = GetParam().version;
  o.stripe_size_bytes = 30000;
  o.row_index_stride = 50;
  o.compression_block_size = 500;
  for (const auto& c : kPrimitives) o.bloom_filter_columns.push_back(c.name);
  parquet::StringSink sink;
  auto w = FileWriter::open(*schema, o, &sink);
  ASSERT_TRUE(w.has_value());
  parquet::testing::SplitMix rng(7);
  std::vector<Value> rows;
  for (int r = 0; r < 1500; ++r) {
    std::vector<Value> row;
    for (const auto& t : (*schema)->column_types()) row.push_back(parquet::testing::random_value(t, rng));
    rows.push_back(Value::record(std::move(row)));
    ASSERT_TRUE((*w)->append(rows.back()));
  }
  ASSERT_TRUE((*w)->finish());
  auto file = testing::read_file(sink.data());
  ASSERT_GT(file.stripes.size(), 1u);

  size_t first = 0, tested = 0;
  for (const auto& s : file.stripes) {
    for (size_t c = 0; c < kPrimitives.size(); ++c) {
      const uint32_t col = static_cast<uint32_t>(c + 1);
      ASSERT_EQ(s.bloom_kinds[col], proto::Stream::BLOOM_FILTER_UTF8) << "column " << col;
      EXPECT_EQ(s.footer.columns(static_cast<int>(col)).bloomencoding(), kBloomEncodingUtf8Utc);
      const auto& filters = s.bloom_filters[col];
      ASSERT_EQ(static_cast<uint64_t>(filters.bloomfilter_size()), (s.info.numberofrows() + 49) / 50);
      for (const auto& f : filters.bloomfilter()) {
        EXPECT_EQ(f.utf8bitset().size(), 320u / 8);  // sized for 50 entries: nb 311, 320 bits
        EXPECT_EQ(f.bitset_size(), 0);
      }
      for (size_t r = 0; r < s.info.numberofrows(); ++r) {
        const auto& t = (*schema)->column_types()[c];
        const Value v = as_written(t, rows[first + r].items()[c]);  // char/varchar fitted to their length
        if (v.is_null()) continue;
        EXPECT_TRUE(
            testing::bloom_may_contain(filters.bloomfilter(static_cast<int>(r / 50)), reader_hash(t.kind, t, v)))
            << kPrimitives[c].name << " row " << first + r;
        ++tested;
      }
    }
    EXPECT_EQ(s.bloom_kinds[0], -1);  // the root struct has none
    first += s.info.numberofrows();
  }
  EXPECT_GT(tested, 10000u);
}

INSTANTIATE_TEST_SUITE_P(Codecs, BloomFile,
                         ::testing::Values(Case{Compression::kNone, FormatVersion::kV0_12},
                                           Case{Compression::kZlib, FormatVersion::kV0_12},
                                           Case{Compression::kSnappy, FormatVersion::kV0_11}));

// One stripe of `groups` row groups of 1,000 distinct integers and strings
// each; then 5,000 values never written tested against every group's
// filter. The measured rate should sit near the 0.05 asked for (the
// theoretical rate of a 6,272-bit, 4-hash filter holding 1,000 values is
// 0.049); the bound is generous, the seed fixed.
TEST(BloomFile, FalsePositiveRateNearWhatWasAskedFor) {
  WriterOptions o;
  o.row_index_stride = 1000;
  o.bloom_filter_columns = {"n", "s"};
  o.compression = Compression::kNone;
  parquet::StringSink sink;
  auto w = FileWriter::open(std::vector<ColumnSpec>{{"n", "bigint"}, {"s", "string"}}, o, &sink);
  ASSERT_TRUE(w.has_value());
  const int groups = 20;
  parquet::testing::SplitMix rng(2024);
  for (int r = 0; r < groups * 1000; ++r) {
    auto n = static_cast<int64_t>(rng.next() & ~uint64_t{1});  // even: every odd value is absent
    ASSERT_TRUE((*w)->append(Value::record({Value::integer(n), Value::bytes("v" + std::to_string(n))})));
  }
  ASSERT_TRUE((*w)->finish());
  auto file = testing::read_file(sink.data());
  ASSERT_EQ(file.stripes.size(), 1u);
  const auto& s = file.stripes[0];
  ASSERT_EQ(s.bloom_filters[1].bloomfilter_size(), groups);
  ASSERT_EQ(s.bloom_filters[2].bloomfilter_size(), groups);
  EXPECT_EQ(s.bloom_filters[1].bloomfilter(0).numhashfunctions(), 4u);
  EXPECT_EQ(s.bloom_filters[1].bloomfilter(0).utf8bitset().size(), 6272u / 8);

  size_t probes = 0, ints_positive = 0, strings_positive = 0;
  for (int q = 0; q < 5000; ++q) {
    int64_t absent = static_cast<int64_t>(rng.next() | 1);
    for (int g = 0; g < groups; ++g) {
      ++probes;
      ints_positive +=
          testing::bloom_may_contain(s.bloom_filters[1].bloomfilter(g), static_cast<uint64_t>(long_hash(absent)));
      strings_positive +=
          testing::bloom_may_contain(s.bloom_filters[2].bloomfilter(g), murmur3_hash64("v" + std::to_string(absent)));
    }
  }
  double ints_rate = static_cast<double>(ints_positive) / static_cast<double>(probes);
  double strings_rate = static_cast<double>(strings_positive) / static_cast<double>(probes);
  EXPECT_GT(ints_rate, 0.03);
  EXPECT_LT(ints_rate, 0.07);
  EXPECT_GT(strings_rate, 0.03);
  EXPECT_LT(strings_rate, 0.07);
  RecordProperty("int_fpp", std::to_string(ints_rate));
  RecordProperty("string_fpp", std::to_string(strings_rate));
  std::printf("measured false positive rate: integers %.4f, strings %.4f over %zu probes\n", ints_rate, strings_rate,
              probes);
}

// Where the streams sit: each filtered column's BLOOM_FILTER_UTF8 right
// after its ROW_INDEX, both in the index area; other columns have none and
// no bloomEncoding; a row group of nulls has an empty filter; no filters
// without a row index.
TEST(BloomFile, StreamLayoutNullsAndNoRowIndex) {
  WriterOptions o;
  o.row_index_stride = 3;
  o.bloom_filter_columns = {"a"};
  parquet::StringSink sink;
  auto w = FileWriter::open(std::vector<ColumnSpec>{{"a", "int"}, {"b", "int"}}, o, &sink);
  ASSERT_TRUE(w.has_value());
  for (int r = 0; r < 6; ++r) {
    Value a = r < 3 ? Value::integer(r) : Value::null();
    ASSERT_TRUE((*w)->append(Value::record({a, Value::integer(r)})));
  }
  ASSERT_TRUE((*w)->finish());
  auto file = testing::read_file(sink.data());
  ASSERT_EQ(file.stripes.size(), 1u);
  const auto& s = file.stripes[0];
  std::vector<std::pair<int, uint32_t>> order;
  for (const auto& st : s.footer.streams()) order.emplace_back(st.kind(), st.column());
  ASSERT_GE(order.size(), 4u);
  EXPECT_EQ(order[0], (std::pair<int, uint32_t>{proto::Stream::ROW_INDEX, 0}));
  EXPECT_EQ(order[1], (std::pair<int, uint32_t>{proto::Stream::ROW_INDEX, 1}));
  EXPECT_EQ(order[2], (std::pair<int, uint32_t>{proto::Stream::BLOOM_FILTER_UTF8, 1}));
  EXPECT_EQ(order[3], (std::pair<int, uint32_t>{proto::Stream::ROW_INDEX, 2}));
  EXPECT_TRUE(s.footer.columns(1).has_bloomencoding());
  EXPECT_FALSE(s.footer.columns(2).has_bloomencoding());
  EXPECT_EQ(s.bloom_kinds[2], -1);
  ASSERT_EQ(s.bloom_filters[1].bloomfilter_size(), 2);
  for (int v = 0; v < 3; ++v) {
    EXPECT_TRUE(testing::bloom_may_contain(s.bloom_filters[1].bloomfilter(0), static_cast<uint64_t>(long_hash(v))));
  }
  EXPECT_EQ(s.bloom_filters[1].bloomfilter(1).utf8bitset(), std::string(64 / 8, '\0'));  // nulls only: nothing set

  o.row_index_stride = 0;
  parquet::StringSink sink2;
  auto w2 = FileWriter::open(std::vector<ColumnSpec>{{"a", "int"}}, o, &sink2);
  ASSERT_TRUE(w2.has_value());
  ASSERT_TRUE((*w2)->append(Value::record({Value::integer(1)})));
  ASSERT_TRUE((*w2)->finish());
  auto file2 = testing::read_file(sink2.data());
  for (const auto& st : file2.stripes[0].footer.streams()) EXPECT_NE(st.kind(), proto::Stream::BLOOM_FILTER_UTF8);
}

// A float is hashed as the float written, widened to a double (Java's
// FloatTreeWriter); either zero puts both zeros in the filter.
TEST(BloomFile, FloatsAndZeros) {
  WriterOptions o;
  o.row_index_stride = 10;
  o.bloom_filter_columns = {"f", "d"};
  parquet::StringSink sink;
  auto w = FileWriter::open(std::vector<ColumnSpec>{{"f", "float"}, {"d", "double"}}, o, &sink);
  ASSERT_TRUE(w.has_value());
  ASSERT_TRUE((*w)->append(Value::record({Value::float32(0.1f), Value::float64(-0.0)})));
  ASSERT_TRUE((*w)->finish());
  auto file = testing::read_file(sink.data());
  const auto& s = file.stripes[0];
  auto has = [&](uint32_t col, double d) {
    return testing::bloom_may_contain(s.bloom_filters[col].bloomfilter(0),
                                      static_cast<uint64_t>(long_hash(std::bit_cast<int64_t>(d))));
  };
  EXPECT_TRUE(has(1, static_cast<double>(0.1f)));
  EXPECT_TRUE(has(2, -0.0));
  EXPECT_TRUE(has(2, 0.0));
}

// char(n) is written as ORC's writers write it (cut or space-padded to n
// characters); its filter holds that and the value without trailing spaces,
// whichever a reader tests.
TEST(BloomFile, CharValuesInEveryForm) {
  WriterOptions o;
  o.row_index_stride = 10;
  o.bloom_filter_columns = {"c"};
  parquet::StringSink sink;
  auto w = FileWriter::open(std::vector<ColumnSpec>{{"c", "char(4)"}}, o, &sink);
  ASSERT_TRUE(w.has_value());
  for (const char* v : {"ab", "abcdef", "x  ", "\xc3\xa9t\xc3\xa9"}) {
    ASSERT_TRUE((*w)->append(Value::record({Value::bytes(v)})));
  }
  ASSERT_TRUE((*w)->finish());
  auto file = testing::read_file(sink.data());
  const auto& f = file.stripes[0].bloom_filters[1].bloomfilter(0);
  // As stored (cut and padded to 4 characters) and without the padding.
  for (const char* v : {"ab", "ab  ", "abcd", "x   ", "x", "\xc3\xa9t\xc3\xa9", "\xc3\xa9t\xc3\xa9 "}) {
    EXPECT_TRUE(testing::bloom_may_contain(f, murmur3_hash64(v))) << v;
  }
  const std::vector<std::string> stored = {"ab  ", "abcd", "x   ", "\xc3\xa9t\xc3\xa9 "};
  for (size_t i = 0; i < stored.size(); ++i) EXPECT_EQ(file.rows[i].items()[0].as_bytes(), stored[i]) << i;
}

}  // namespace
}  // namespace runnel::orc
