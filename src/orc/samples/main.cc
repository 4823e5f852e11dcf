// runnel_orc_samples <dir>: writes ORC files covering every type, nulls at
// every level, nested values and the extremes of each primitive, with each
// codec and format version, several stripes and row groups, dictionary and
// direct strings, bloom filters on every column, and an empty file; beside each, <name>.expected.json (the
// rows as JSON, parquet/testing/random_values.h's form). Each file is read
// back by the test reader (testing/orc_reader.h) and compared; the exit
// status is 1 if any differs. The files are there for a reader nobody here
// wrote: manifest.json lists them for tests/e2e/node/orc.test.mjs, which
// reads them with Apache ORC's C++ library inside ClickHouse (chDB;
// docs/orc.md, "Verification").
#include <cstdio>
#include <fstream>
#include <iostream>
#include <string>
#include <vector>

#include "orc/file_writer.h"
#include "orc/testing/orc_reader.h"
#include "parquet/testing/random_values.h"

namespace runnel::orc {
namespace {

using parquet::ColumnSpec;
using parquet::Value;

const std::vector<ColumnSpec> kAllTypes = {
    {"b", "boolean"},
    {"ti", "tinyint"},
    {"si", "smallint"},
    {"i", "int"},
    {"bi", "bigint"},
    {"f", "float"},
    {"d", "double"},
    {"dec", "decimal(10,2)"},
    {"dec38", "decimal(38,6)"},
    {"s", "string"},
    {"c", "char(10)"},
    {"vc", "varchar(20)"},
    {"bin", "binary"},
    {"ts", "timestamp"},
    {"dt", "date"},
    {"UserId", "INT"},
    {"const_s", "string"},
    {"nothing", "bigint"},
    {"arr", "array<int>"},
    {"m", "map<string,bigint>"},
    {"st", "struct<a:int,B:string,inner:struct<x:double,y:array<date>>>"},
    {"nested", "array<struct<k:string,v:array<map<int,string>>>>"},
};

// An all-null row, a row of extremes, then random rows; columns 16 and 17
// are a constant string and all-null.
std::vector<Value> all_type_rows(const parquet::Schema& schema, int n, uint64_t seed) {
  const auto& types = schema.column_types();
  std::vector<Value> rows;
  rows.push_back(Value::record(std::vector<Value>(types.size())));
  std::vector<Value> x(types.size());
  __int128 max38 = 1;
  for (int i = 0; i < 38; ++i) max38 *= 10;
  x[0] = Value::boolean(true);
  x[1] = Value::integer(-128);
  x[2] = Value::integer(32767);
  x[3] = Value::integer(INT32_MIN);
  x[4] = Value::integer(INT64_MIN);
  x[5] = Value::float32(-3.4028234663852886e38f);
  x[6] = Value::float64(1.7976931348623157e308);
  x[7] = Value::decimal(-9999999999);
  x[8] = Value::decimal(max38 - 1);
  x[9] = Value::bytes("");
  x[10] = Value::bytes("char");
  x[11] = Value::bytes("caf\xC3\xA9");
  x[12] = Value::bytes(std::string("\0\xFF\x80", 3));
  x[13] = Value::timestamp({-2208988800 - 1, 999'999'999});  // 1899-12-31T23:59:59.999999999
  x[14] = Value::date(-719162);                              // 0001-01-01
  x[15] = Value::integer(INT32_MAX);
  x[18] = Value::list({});
  x[19] = Value::map({{Value::bytes("k"), Value::null()}});
  x[20] = Value::record({Value::null(), Value::null(), Value::record({Value::null(), Value::list({Value::null()})})});
  x[21] = Value::list({Value::null(), Value::record({Value::null(), Value::list({Value::null(), Value::map({})})})});
  rows.push_back(Value::record(std::move(x)));
  parquet::testing::SplitMix rng(seed);
  while (static_cast<int>(rows.size()) < n) {
    std::vector<Value> r;
    r.reserve(types.size());
    for (const auto& t : types) r.push_back(parquet::testing::random_value(t, rng));
    rows.push_back(Value::record(std::move(r)));
  }
  for (size_t i = 1; i < rows.size(); ++i) {
    auto items = rows[i].items();
    items[16] = Value::bytes("constant");
    items[17] = Value::null();
    rows[i] = Value::record(std::move(items));
  }
  return rows;
}

const char* codec_name(Compression c) {
  switch (c) {
    case Compression::kNone: return "NONE";
    case Compression::kZlib: return "ZLIB";
    case Compression::kSnappy: return "SNAPPY";
  }
  return "?";
}

struct Sample {
  std::string name;
  WriterOptions options;
  int rows;
};

int write_sample(const std::string& dir, const Sample& s, std::string* manifest) {
  auto schema = *parquet::Schema::from_columns(kAllTypes);
  auto rows = s.rows == 0 ? std::vector<Value>{} : all_type_rows(*schema, s.rows, 17);
  parquet::StringSink sink;
  auto w = FileWriter::open(schema, s.options, &sink);
  if (!w) return std::cerr << s.name << ": " << w.error().to_string() << "\n", 1;
  for (const auto& r : rows) {
    if (Status st = (*w)->append(r); !st) return std::cerr << s.name << ": " << st.to_string() << "\n", 1;
  }
  if (Status st = (*w)->finish(); !st) return std::cerr << s.name << ": " << st.to_string() << "\n", 1;
  parquet::HiveType type;
  type.kind = parquet::HiveKind::kStruct;
  for (size_t i = 0; i < kAllTypes.size(); ++i) {
    type.fields.push_back({schema->root().children[i].name, schema->column_types()[i]});
  }
  std::string expected = "[";
  for (size_t i = 0; i < rows.size(); ++i) {
    if (i) expected += ",\n";
    parquet::testing::to_json(type, as_written(type, rows[i]), &expected);  // char(n) padded, varchar(n) cut
  }
  expected += "]\n";
  std::ofstream orc(dir + "/" + s.name + ".orc", std::ios::binary);
  std::ofstream json(dir + "/" + s.name + ".expected.json");
  orc << sink.data();
  json << expected;
  if (!orc.flush() || !json.flush()) return std::cerr << s.name << ": cannot write into " << dir << "\n", 1;
  try {
    auto file = testing::read_file(sink.data());
    std::string got = "[";
    for (size_t i = 0; i < file.rows.size(); ++i) {
      if (i) got += ",\n";
      parquet::testing::to_json(type, file.rows[i], &got);
    }
    got += "]\n";
    if (got != expected) return std::cerr << s.name << ": read back differs\n", 1;
    if (manifest->size() > 1) *manifest += ",\n";
    *manifest += "{\"name\":\"" + s.name + "\",\"rows\":" + std::to_string(rows.size()) + ",\"compression\":\"" +
                 codec_name(s.options.compression) + "\",\"type\":";
    parquet::testing::type_json(type, manifest);
    *manifest += "}";
    std::cout << s.name << ": " << rows.size() << " rows, " << file.stripes.size() << " stripes, " << sink.data().size()
              << " bytes, read back\n";
  } catch (const std::exception& e) {
    return std::cerr << s.name << ": " << e.what() << "\n", 1;
  }
  return 0;
}

}  // namespace
}  // namespace runnel::orc

int main(int argc, char** argv) {
  using namespace runnel::orc;
  if (argc != 2) {
    std::cerr << "usage: runnel_orc_samples <dir>\n";
    return 2;
  }
  std::vector<Sample> samples;
  for (auto v : {FormatVersion::kV0_12, FormatVersion::kV0_11}) {
    for (auto c : {Compression::kNone, Compression::kZlib, Compression::kSnappy}) {
      WriterOptions o;
      o.compression = c;
      o.format_version = v;
      o.stripe_size_bytes = 64 << 10;
      o.row_index_stride = 100;
      o.compression_block_size = 4096;
      samples.push_back(
          {std::string("all_types_") + codec_name(c) + (v == FormatVersion::kV0_12 ? "_0.12" : "_0.11"), o, 1500});
    }
  }
  WriterOptions defaults;
  samples.push_back({"defaults", defaults, 3000});
  WriterOptions direct;
  direct.dictionary_key_threshold = 0;
  samples.push_back({"no_dictionary", direct, 1000});
  samples.push_back({"empty", defaults, 0});
  // Bloom filters on every column (the compound ones' value columns), for a
  // reader's predicate push-down to be tried against: every value of the
  // JSON must still be found by an equality search.
  WriterOptions bloom;
  bloom.compression = Compression::kZlib;
  bloom.stripe_size_bytes = 64 << 10;
  bloom.row_index_stride = 100;
  for (const auto& c : kAllTypes) bloom.bloom_filter_columns.push_back(c.name);
  samples.push_back({"bloom_filters", bloom, 1500});
  int failed = 0;
  std::string manifest = "[";
  for (const auto& s : samples) failed |= write_sample(argv[1], s, &manifest);
  manifest += "]\n";
  // The samples, their row counts, codecs and row types, for the readers of
  // tests/e2e/node/orc.test.mjs.
  std::ofstream out(std::string(argv[1]) + "/manifest.json");
  out << manifest;
  if (!out.flush()) return std::cerr << "cannot write manifest.json into " << argv[1] << "\n", 1;
  return failed;
}
