// libFuzzer: the Hive type parser and the writer. The input's first line is
// a schema, column types separated by '|'; the rest drives the options and
// random rows for that schema (testing/random_values.h), a few of them made
// not to fit. Checks: parsing never crashes, a parsed type's canonical
// spelling parses back to itself, a row is refused only with
// kInvalidArgument, and every file finishes with a footer that decodes and
// counts exactly the rows accepted.
#include <fuzzer/FuzzedDataProvider.h>

#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>
#include <vector>

#include "parquet/file_writer.h"
#include "parquet/testing/random_values.h"
#include "parquet/testing/thrift_reader.h"

namespace {

using namespace runnel::parquet;
using runnel::Status;

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

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view in(reinterpret_cast<const char*>(data), size);
  size_t nl = in.find('\n');
  std::string_view head = in.substr(0, nl);
  std::string_view rest = nl == std::string_view::npos ? std::string_view() : in.substr(nl + 1);

  std::vector<ColumnSpec> columns;
  for (auto& t : split(head, '|')) {
    auto parsed = parse_hive_type(t);
    if (parsed) {
      std::string canonical = to_string(*parsed);
      auto again = parse_hive_type(canonical);
      if (!again || to_string(*again) != canonical) std::abort();
    }
    columns.push_back({"c" + std::to_string(columns.size()), t});
    if (columns.size() > 64) return 0;
  }
  auto schema = Schema::from_columns(columns);
  if (!schema) return 0;

  FuzzedDataProvider p(reinterpret_cast<const uint8_t*>(rest.data()), rest.size());
  WriterOptions o;
  o.page_size_bytes = p.ConsumeIntegralInRange<int64_t>(1, 4096);
  o.block_size_bytes = p.ConsumeIntegralInRange<int64_t>(1, 1 << 16);
  o.compression = p.PickValueInArray({Codec::kUncompressed, Codec::kSnappy, Codec::kGzip});
  o.enable_dictionary = p.ConsumeBool();
  o.writer_version = p.ConsumeBool() ? WriterVersion::kV2 : WriterVersion::kV1;

  StringSink sink;
  auto w = FileWriter::open(*schema, o, &sink);
  if (!w) std::abort();
  FuzzRng rng{&p};
  int64_t accepted = 0;
  for (int r = 0; r < 64 && p.remaining_bytes() > 0; ++r) {
    std::vector<Value> row;
    for (const auto& t : (*schema)->column_types()) row.push_back(runnel::parquet::testing::random_value(t, rng));
    // Now and then a value of the wrong kind somewhere at the top.
    if (p.ConsumeIntegralInRange<int>(0, 15) == 0) row[rng.next() % row.size()] = Value::list({Value::integer(1)});
    Status s = (*w)->append(Value::record(std::move(row)));
    if (s) {
      ++accepted;
    } else if (s.code() != Status::Code::kInvalidArgument) {
      std::abort();
    }
  }
  if (!(*w)->finish()) std::abort();
  try {
    auto footer = runnel::parquet::testing::read_footer(sink.data());
    if (footer.at(3).i != accepted) std::abort();
    int64_t rows = 0;
    for (const auto& g : footer.at(4).elems) rows += g.at(3).i;
    if (rows != accepted) std::abort();
  } catch (const std::exception&) {
    std::abort();
  }
  return 0;
}
