// libFuzzer target: KDA JSONPath. The input is "<path>\n<json>": parsing
// any path must not crash; a path that parses must evaluate against any
// JSON document without crashing, find() must agree with the first of
// find_all() when the path has no fan-out, and a path relative to itself
// must be "$".
#include <simdjson.h>

#include <cstdint>
#include <cstdlib>
#include <string_view>
#include <vector>

#include "sql/json_path.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view in(reinterpret_cast<const char*>(data), size);
  const size_t nl = in.find('\n');
  const std::string_view path_text = in.substr(0, nl);
  auto path = runnel::sql::JsonPath::parse(path_text);
  if (!path) return 0;
  auto self = path->relative_to(*path);
  if (!self || !self->steps().empty()) std::abort();
  if (nl == std::string_view::npos) return 0;
  simdjson::dom::parser parser;
  simdjson::dom::element root;
  if (parser.parse(in.substr(nl + 1)).get(root) != simdjson::SUCCESS) return 0;
  std::vector<simdjson::dom::element> all;
  path->find_all(root, all);
  simdjson::dom::element one;
  const bool found = path->find(root, one);
  if (!path->has_fan_out()) {
    if (found != !all.empty() || all.size() > 1) std::abort();
  }
  return 0;
}
