// libFuzzer: infer_schema() on any records never crashes, and a schema it
// returns is one CreateApplication takes: at least one column, names
// non-empty and unique, every SqlType set, a Mapping for every JSON column,
// and one field per column in every parsed row. The input is split into
// records at 0x1E (ASCII record separator).
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "analytics/configuration.h"
#include "analytics/schema_discovery.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view in(reinterpret_cast<const char*>(data), size);
  std::vector<std::string> records;
  while (true) {
    const size_t at = in.find('\x1e');
    records.emplace_back(in.substr(0, at));
    if (at == std::string_view::npos) break;
    in.remove_prefix(at + 1);
  }
  auto out = runnel::analytics::infer_schema(records);
  if (!out) return 0;
  const auto& columns = out->schema.record_columns;
  if (columns.empty()) std::abort();
  std::set<std::string> names;
  const bool json = out->schema.record_format.record_format_type == "JSON";
  for (const auto& c : columns) {
    if (c.name.empty() || c.sql_type.empty() || !names.insert(c.name).second) std::abort();
    if (json && (!c.mapping || c.mapping->empty())) std::abort();
  }
  for (const auto& row : out->rows) {
    if (row.size() != columns.size()) std::abort();
  }
  if (runnel::analytics::check_schema(out->schema, "InputSchema")) std::abort();
  return 0;
}
