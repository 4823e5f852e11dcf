// libFuzzer: RecordConverter::convert() on any bytes, with both SerDes and a
// schema of every Hive type (nested ones included), never crashes; a failure
// is kInvalidArgument (a value that does not convert) or kCorruption (not
// JSON objects); and every row it returns is one the Parquet writer
// accepts (the engine relies on that: a converted row is not refused later).
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <memory>
#include <string_view>

#include "firehose/record_conversion.h"
#include "parquet/file_writer.h"

namespace {

using namespace runnel;

std::shared_ptr<const parquet::Schema> fuzz_schema() {
  static const auto schema = parquet::Schema::from_columns({
      {"b", "boolean"},
      {"t", "tinyint"},
      {"s", "smallint"},
      {"i", "int"},
      {"l", "bigint"},
      {"f", "float"},
      {"d", "double"},
      {"dec", "decimal(10,2)"},
      {"big", "decimal(38,9)"},
      {"str", "string"},
      {"c", "char(3)"},
      {"v", "varchar(5)"},
      {"bin", "binary"},
      {"ts", "timestamp"},
      {"day", "date"},
      {"arr", "array<int>"},
      {"m", "map<string,array<double>>"},
      {"st", "struct<a:string,b:struct<c:bigint,d:array<timestamp>>>"},
  });
  return schema ? *schema : nullptr;
}

std::unique_ptr<firehose::RecordConverter> converter(bool hive) {
  firehose::DeserializerOptions o;
  if (hive) {
    o.kind = firehose::DeserializerOptions::Kind::kHive;
    o.hive.timestamp_formats = {"millis", "yyyy-MM-dd'T'HH:mm:ss.SSSZ", "dd/MMM/yyyy:HH:mm:ss Z"};
  } else {
    o.openx.convert_dots_in_json_keys_to_underscores = true;
    o.openx.column_to_json_key_mappings = {{"str", "message"}};
  }
  auto c = firehose::RecordConverter::create(fuzz_schema(), o);
  if (!c) std::abort();
  return std::move(*c);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (!fuzz_schema()) std::abort();
  static auto openx = converter(false);
  static auto hive = converter(true);
  std::string_view in(reinterpret_cast<const char*>(data), size);
  for (firehose::RecordConverter* c : {openx.get(), hive.get()}) {
    auto rows = c->convert(in);
    if (!rows) {
      const Status::Code code = rows.error().code();
      if (code != Status::Code::kInvalidArgument && code != Status::Code::kCorruption) std::abort();
      continue;
    }
    parquet::StringSink sink;
    auto writer = parquet::FileWriter::open(fuzz_schema(), parquet::WriterOptions{}, &sink);
    if (!writer) std::abort();
    for (const auto& row : *rows)
      if (!(*writer)->append(row)) std::abort();
    if (!(*writer)->finish()) std::abort();
  }
  return 0;
}
