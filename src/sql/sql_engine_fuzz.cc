// libFuzzer target: any text compiled as an application's code (parse, then
// plan against the stock-ticker input and a reference table), and when it
// compiles, a few rows pushed through it with time passing. Must never
// crash, hang or leak; a compile error is a normal outcome.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "sql/engine.h"

using namespace runnel::sql;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static const ProgramInputs kInputs = [] {
    ProgramInputs in;
    in.streams.push_back({"SOURCE_SQL_STREAM_001",
                          {{"TICKER_SYMBOL", SqlType::varchar(4)},
                           {"SECTOR", SqlType::varchar(16)},
                           {"CHANGE", SqlType::of(TypeKind::kReal)},
                           {"PRICE", SqlType::of(TypeKind::kReal)},
                           {"APPROXIMATE_ARRIVAL_TIME", SqlType::of(TypeKind::kTimestamp), true}}});
    in.tables.push_back({"COMPANY",
                         {{"TICKER", SqlType::varchar(4)}, {"NAME", SqlType::varchar(20)}},
                         {Row{Value::varchar("AMZN"), Value::varchar("Amazon")}}});
    return in;
  }();
  CompileError ce;
  auto engine = Engine::compile(std::string_view(reinterpret_cast<const char*>(data), size), kInputs, &ce);
  if (!engine) return 0;
  for (const std::string& s : (*engine)->stream_names()) (*engine)->subscribe(s, [](const StreamRow&) {});
  (*engine)->subscribe("error_stream", [](const StreamRow&) {});
  const int64_t t0 = 1'700'000'000'000;
  const char* tickers[] = {"AMZN", "MSFT", "", "XOM"};
  for (int i = 0; i < 16; ++i) {
    Row r{Value::varchar(tickers[i % 4]), i % 3 ? Value::varchar("TECH") : Value::null(TypeKind::kVarchar),
          Value::real(i - 8), Value::real(i * 1.5), Value::timestamp(t0 + i)};
    (*engine)->insert(0, t0 + i * 700, std::move(r));
    if (i % 5 == 0) (*engine)->advance(t0 + i * 700);
  }
  (*engine)->advance(t0 + 3'600'000);
  return 0;
}
