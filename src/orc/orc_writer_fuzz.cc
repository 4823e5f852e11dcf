// libFuzzer: the ORC writer on random rows. The input's first line is a
// schema, column types separated by '|' (the same inputs as
// parquet_writer_fuzz); the rest drives the options and random rows for
// that schema (parquet/testing/random_values.h), a few of them made not to
// fit, and bloom filters on some columns. Checks: a row is refused only
// with kInvalidArgument, every file finishes, the test reader
// (testing/orc_reader.h) reads back exactly the rows accepted, value for
// value, and every value tests positive in its row group's bloom filter.
#include <fuzzer/FuzzedDataProvider.h>

#include <bit>
#include <cmath>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>
#include <vector>

#include "orc/bloom_filter.h"
#include "orc/file_writer.h"
#include "orc/testing/orc_reader.h"
#include "parquet/testing/random_values.h"

namespace {

using namespace runnel::orc;
using runnel::Status;
using runnel::parquet::ColumnSpec;
using runnel::parquet::Value;

// random_value()'s source of numbers: the fuzzer's bytes, then zeros (which
// make every further value null, so rows stay finite).
struct FuzzRng {
  FuzzedDataProvider* p;
  uint64_t next() { return p->ConsumeIntegral<uint64_t>(); }
};

std::vector<std::string> split(std::string_view s, char sep) {
  std::vector<std::string> out;
  size_t start = 0;
  while (true) {
    size_t at = s.find(sep, start);
    out.emplace_back(s.substr(start, at == std::string_view::npos ? std::string_view::npos : at - start));
    if (at == std::string_view::npos) return out;
    start = at + 1;
  }
}

// The ORC columns of a type: itself and every column under it.
uint32_t column_count(const runnel::parquet::HiveType& t) {
  uint32_t n = 1;
  for (const auto& f : t.fields) n += column_count(f.type);
  for (const auto& c : t.children) n += column_count(c);
  return n;
}

// The 64-bit hash a reader tests for value `v` of a column of type `t`.
uint64_t bloom_hash(const runnel::parquet::HiveType& t, const Value& v) {
  using K = runnel::parquet::HiveKind;
  switch (t.kind) {
    case K::kBoolean: return static_cast<uint64_t>(long_hash(v.as_bool() ? 1 : 0));
    case K::kFloat:
    case K::kDouble: {
      double d = t.kind == K::kFloat ? static_cast<double>(static_cast<float>(v.as_double())) : v.as_double();
      return static_cast<uint64_t>(long_hash(std::isnan(d) ? 0x7ff8000000000000LL : std::bit_cast<int64_t>(d)));
    }
    case K::kDecimal: return murmur3_hash64(decimal_bloom_string(v.as_decimal(), t.scale));
    case K::kTimestamp:
      return static_cast<uint64_t>(long_hash(v.as_timestamp().seconds * 1000 + v.as_timestamp().nanos / 1000000));
    case K::kString:
    case K::kChar:
    case K::kVarchar:
    case K::kBinary: return murmur3_hash64(v.as_bytes());
    default: return static_cast<uint64_t>(long_hash(v.as_int()));
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view in(reinterpret_cast<const char*>(data), size);
  size_t nl = in.find('\n');
  std::string_view head = in.substr(0, nl);
  std::string_view rest = nl == std::string_view::npos ? std::string_view() : in.substr(nl + 1);

  std::vector<ColumnSpec> columns;
  for (auto& t : split(head, '|')) {
    columns.push_back({"c" + std::to_string(columns.size()), t});
    if (columns.size() > 64) return 0;
  }
  auto schema = runnel::parquet::Schema::from_columns(columns);
  if (!schema) return 0;

  FuzzedDataProvider p(reinterpret_cast<const uint8_t*>(rest.data()), rest.size());
  WriterOptions o;
  o.stripe_size_bytes = p.ConsumeIntegralInRange<int64_t>(1, 1 << 16);
  o.row_index_stride = p.ConsumeIntegralInRange<int64_t>(0, 20);
  o.compression_block_size = p.ConsumeIntegralInRange<int64_t>(1, 4096);
  o.compression = p.PickValueInArray({Compression::kNone, Compression::kZlib, Compression::kSnappy});
  o.format_version = p.ConsumeBool() ? FormatVersion::kV0_12 : FormatVersion::kV0_11;
  o.dictionary_key_threshold = p.ConsumeProbability<double>();
  // Bloom filters on a random subset of the columns, at a random
  // probability (kept away from 0, where filters grow past memory).
  for (const auto& c : columns) {
    if (p.ConsumeBool()) o.bloom_filter_columns.push_back(c.name);
  }
  o.bloom_filter_fpp = 0.001 + 0.998 * p.ConsumeProbability<double>();

  runnel::parquet::StringSink sink;
  auto w = FileWriter::open(*schema, o, &sink);
  if (!w) std::abort();
  FuzzRng rng{&p};
  std::vector<Value> accepted;
  for (int r = 0; r < 64 && p.remaining_bytes() > 0; ++r) {
    std::vector<Value> row;
    for (const auto& t : (*schema)->column_types()) row.push_back(runnel::parquet::testing::random_value(t, rng));
    // Now and then a value of the wrong kind somewhere at the top.
    if (p.ConsumeIntegralInRange<int>(0, 15) == 0) row[rng.next() % row.size()] = Value::list({Value::integer(1)});
    Value v = Value::record(std::move(row));
    Status s = (*w)->append(v);
    if (s) {
      accepted.push_back(std::move(v));
    } else if (s.code() != Status::Code::kInvalidArgument) {
      std::abort();
    }
  }
  if (!(*w)->finish()) std::abort();
  runnel::parquet::HiveType type;
  type.kind = runnel::parquet::HiveKind::kStruct;
  for (size_t i = 0; i < columns.size(); ++i) type.fields.push_back({"c", (*schema)->column_types()[i]});
  try {
    auto file = runnel::orc::testing::read_file(sink.data());
    if (file.rows.size() != accepted.size()) std::abort();
    for (size_t i = 0; i < accepted.size(); ++i) {
      std::string a, b;
      // As stored: char(n) padded to n, varchar(n) cut (orc::as_written).
      runnel::parquet::testing::to_json(type, runnel::orc::as_written(type, accepted[i]), &a);
      runnel::parquet::testing::to_json(type, file.rows[i], &b);
      if (a != b) std::abort();
    }
    // Every non-null value of a top-level column with bloom filters tests
    // positive in its row group's filter (the reader checked there is one
    // per row group).
    size_t first = 0;
    for (const auto& s : file.stripes) {
      uint32_t col = 1;  // top-level column c's pre-order number
      for (size_t c = 0; c < columns.size(); col += column_count((*schema)->column_types()[c]), ++c) {
        const auto& t = (*schema)->column_types()[c];
        bool named = false;
        for (const auto& n : o.bloom_filter_columns) named = named || n == columns[c].name;
        bool compound = t.kind == runnel::parquet::HiveKind::kStruct || t.kind == runnel::parquet::HiveKind::kArray ||
                        t.kind == runnel::parquet::HiveKind::kMap;
        bool expected = named && !compound && o.row_index_stride > 0;
        if ((s.bloom_kinds[col] != -1) != expected) std::abort();
        if (!expected) continue;
        for (uint64_t r = 0; r < s.info.numberofrows(); ++r) {
          const Value& v = file.rows[first + r].items()[c];
          if (v.is_null()) continue;
          const auto& f =
              s.bloom_filters[col].bloomfilter(static_cast<int>(r / static_cast<uint64_t>(o.row_index_stride)));
          if (!runnel::orc::testing::bloom_may_contain(f, bloom_hash(t, v))) std::abort();
        }
      }
      first += s.info.numberofrows();
    }
  } catch (const std::exception&) {
    std::abort();
  }
  return 0;
}
