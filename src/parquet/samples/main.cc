// runnel_parquet_samples <dir>: writes Parquet files covering every type,
// nulls at every level, nested values, each codec, dictionary on and off,
// writer V1 and V2, several pages and row groups, a dictionary fallback and
// an empty file; beside each, <name>.expected.json (the rows as JSON, see
// testing/random_values.h), and manifest.json listing them. Readers nobody
// here wrote read them back in tests/e2e/node/parquet.test.mjs.
#include <cstdio>
#include <fstream>
#include <iostream>
#include <string>
#include <vector>

#include "parquet/file_writer.h"
#include "parquet/testing/random_values.h"

namespace runnel::parquet {
namespace {

using testing::SplitMix;

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
    {"dec_small", "DECIMAL(3)"},
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
    {"arr_s", "array<string>"},
    {"m", "map<string,bigint>"},
    {"m_int", "map<int,array<double>>"},
    {"st", "struct<a:int,B:string,inner:struct<x:double,y:array<date>>>"},
    {"nested", "array<struct<k:string,v:array<map<int,string>>>>"},
    {"ts_arr", "array<timestamp>"},
    {"dec_map", "map<string,decimal(20,4)>"},
};

// Rows with the extremes of each primitive, then random ones. Columns 17
// and 18 are a constant string and all-null.
std::vector<Value> all_type_rows(const Schema& schema, int n, uint64_t seed) {
  std::vector<Value> rows;
  const auto& types = schema.column_types();
  // All null.
  rows.push_back(Value::record(std::vector<Value>(types.size())));
  // Extremes and empty containers.
  std::vector<Value> x(types.size());
  x[0] = Value::boolean(true);
  x[1] = Value::integer(-128);
  x[2] = Value::integer(32767);
  x[3] = Value::integer(INT32_MIN);
  x[4] = Value::integer(INT64_MIN);
  x[5] = Value::float32(-3.4028234663852886e38f);
  x[6] = Value::float64(1.7976931348623157e308);
  x[7] = Value::decimal(-9999999999);
  __int128 max38 = 1;
  for (int i = 0; i < 38; ++i) max38 *= 10;
  x[8] = Value::decimal(max38 - 1);
  x[9] = Value::decimal(-999);
  x[10] = Value::bytes("");
  x[11] = Value::bytes("char");
  x[12] = Value::bytes("caf\xC3\xA9");
  x[13] = Value::bytes(std::string("\0\xFF\x80", 3));
  x[14] = Value::timestamp({-2208988800 - 1, 999'999'999});  // 1899-12-31T23:59:59.999999999
  x[15] = Value::date(-719162);                              // 0001-01-01
  x[16] = Value::integer(INT32_MAX);
  x[19] = Value::list({});
  x[20] = Value::list({Value::null(), Value::bytes("")});
  x[21] = Value::map({});
  x[22] = Value::map({{Value::integer(1), Value::null()}, {Value::integer(2), Value::list({})}});
  x[23] = Value::record({Value::null(), Value::null(), Value::record({Value::null(), Value::list({Value::null()})})});
  x[24] = Value::list({Value::null(), Value::record({Value::null(), Value::list({Value::null(), Value::map({})})})});
  x[25] = Value::list({Value::timestamp({0, 0}), Value::timestamp({1700000000, 123456789})});
  x[26] = Value::map({{Value::bytes("max"), Value::decimal(static_cast<__int128>(99999999999999999) * 1000 + 999)}});
  rows.push_back(Value::record(std::move(x)));
  SplitMix rng(seed);
  while (static_cast<int>(rows.size()) < n) {
    std::vector<Value> r;
    for (const auto& t : types) r.push_back(testing::random_value(t, rng));
    rows.push_back(Value::record(std::move(r)));
  }
  for (size_t i = 1; i < rows.size(); ++i) {
    auto items = rows[i].items();
    items[17] = Value::bytes("constant");
    items[18] = Value::null();
    rows[i] = Value::record(std::move(items));
  }
  return rows;
}

// Many distinct strings in one column, few in another: with 4 KiB pages the
// first falls back from the dictionary to PLAIN, the second does not.
std::vector<Value> fallback_rows(int n) {
  std::vector<Value> rows;
  for (int i = 0; i < n; ++i)
    rows.push_back(Value::record({Value::integer(i), Value::bytes("unique-value-" + std::to_string(i * 7919)),
                                  Value::bytes(i % 3 == 0 ? "red" : "blue")}));
  return rows;
}

const char* codec_name(Codec c) {
  switch (c) {
    case Codec::kUncompressed: return "UNCOMPRESSED";
    case Codec::kSnappy: return "SNAPPY";
    case Codec::kGzip: return "GZIP";
  }
  return "?";
}

bool write_file(const std::string& path, const std::string& data) {
  std::ofstream f(path, std::ios::binary);
  f.write(data.data(), static_cast<std::streamsize>(data.size()));
  return static_cast<bool>(f);
}

// Writes <dir>/<name>.parquet and <name>.expected.json; appends its entry to
// the manifest.
bool sample(const std::string& dir, const std::string& name, const std::vector<ColumnSpec>& columns,
            const std::vector<Value>& rows, const WriterOptions& o, std::string* manifest) {
  auto schema = Schema::from_columns(columns);
  if (!schema) {
    std::cerr << name << ": " << schema.error().to_string() << "\n";
    return false;
  }
  StringSink sink;
  auto w = FileWriter::open(*schema, o, &sink);
  if (!w) return false;
  for (const auto& r : rows) {
    if (Status s = (*w)->append(r); !s) {
      std::cerr << name << ": " << s.to_string() << "\n";
      return false;
    }
  }
  if (Status s = (*w)->finish(); !s) return false;

  std::string e = "{\"columns\":[";
  const auto& nodes = (*schema)->root().children;
  for (size_t i = 0; i < nodes.size(); ++i) {
    if (i) e += ",";
    testing::json_string(nodes[i].name, &e);
  }
  e += "],\"types\":[";
  for (size_t i = 0; i < nodes.size(); ++i) {
    if (i) e += ",";
    testing::type_json((*schema)->column_types()[i], &e);
  }
  e += "],\"rows\":[\n";
  for (size_t r = 0; r < rows.size(); ++r) {
    if (r) e += ",\n";
    e += "[";
    for (size_t i = 0; i < nodes.size(); ++i) {
      if (i) e += ",";
      testing::to_json((*schema)->column_types()[i], rows[r].items()[i], &e);
    }
    e += "]";
  }
  e += "]}\n";
  if (!write_file(dir + "/" + name + ".parquet", sink.data()) || !write_file(dir + "/" + name + ".expected.json", e))
    return false;
  if (manifest->size() > 1) *manifest += ",\n";
  *manifest += "{\"name\":\"" + name + "\",\"rows\":" + std::to_string(rows.size()) + ",\"compression\":\"" +
               codec_name(o.compression) + "\",\"dictionary\":" + (o.enable_dictionary ? "true" : "false") +
               ",\"version\":\"" + (o.writer_version == WriterVersion::kV2 ? "V2" : "V1") +
               "\",\"row_groups\":" + std::to_string((*w)->row_groups_written()) +
               ",\"page_size\":" + std::to_string(o.page_size_bytes) + "}";
  return true;
}

int run(const std::string& dir) {
  std::string manifest = "[";
  bool ok = true;
  auto schema = Schema::from_columns(kAllTypes);
  if (!schema) {
    std::cerr << schema.error().to_string() << "\n";
    return 1;
  }
  std::vector<Value> rows = all_type_rows(**schema, 600, 42);
  for (Codec c : {Codec::kUncompressed, Codec::kSnappy, Codec::kGzip}) {
    for (bool dict : {true, false}) {
      for (WriterVersion v : {WriterVersion::kV1, WriterVersion::kV2}) {
        WriterOptions o;
        o.compression = c;
        o.enable_dictionary = dict;
        o.writer_version = v;
        o.page_size_bytes = 2048;        // several pages per chunk
        o.block_size_bytes = 48 * 1024;  // several row groups
        std::string name = std::string("all_types_") + codec_name(c) + (dict ? "_dict" : "_plain") +
                           (v == WriterVersion::kV2 ? "_v2" : "_v1");
        ok = ok && sample(dir, name, kAllTypes, rows, o, &manifest);
      }
    }
  }
  // Firehose's defaults: one row group, one page per chunk.
  const std::vector<Value> first(rows.begin(), rows.begin() + 50);
  ok = ok && sample(dir, "defaults", kAllTypes, first, WriterOptions{}, &manifest);
  WriterOptions small;
  small.page_size_bytes = 4096;
  const std::vector<ColumnSpec> fallback_columns = {{"id", "bigint"}, {"uniq", "string"}, {"low", "string"}};
  ok = ok && sample(dir, "dict_fallback", fallback_columns, fallback_rows(5000), small, &manifest);
  const std::vector<Value> none;
  const WriterOptions defaults;
  ok = ok && sample(dir, "empty", kAllTypes, none, defaults, &manifest);
  manifest += "]\n";
  ok = ok && write_file(dir + "/manifest.json", manifest);
  if (!ok) std::cerr << "runnel_parquet_samples: failed\n";
  return ok ? 0 : 1;
}

}  // namespace
}  // namespace runnel::parquet

int main(int argc, char** argv) {
  if (argc != 2) {
    std::cerr << "usage: runnel_parquet_samples <dir>\n";
    return 2;
  }
  return runnel::parquet::run(argv[1]);
}
