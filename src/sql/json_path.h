#pragma once
// The JSONPath subset of KDA's JSON source schemas (RecordRowPath and each
// RecordColumn's Mapping): `$`, `$.a`, `$.a.b`, `$.a[0]`, `$.a[0:]` and the
// bracket form `$["a b"]` / `$['a b']` for names that are not identifiers.
// `[n:]` is a fan-out: in a RecordRowPath each array element from n on is
// one row; in a column Mapping it takes element n.
//
// Threads: a JsonPath is immutable once parsed; evaluation is reentrant.

#include <simdjson.h>

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"

namespace runnel::sql {

class JsonPath {
 public:
  struct Step {
    enum class Kind : uint8_t { kField, kIndex, kFanOut };
    Kind kind = Kind::kField;
    std::string name;   // kField
    int64_t index = 0;  // kIndex; the first element of kFanOut
    friend bool operator==(const Step&, const Step&) = default;
  };

  // Parses `text`; an error names what is wrong ("expected '$'", ...).
  [[nodiscard]] static Result<JsonPath> parse(std::string_view text);

  const std::vector<Step>& steps() const { return steps_; }
  bool has_fan_out() const;
  const std::string& text() const { return text_; }

  // The element the path names below `root`, or false when a step is
  // missing (a field absent, an index past the end, the wrong JSON type).
  // A fan-out step takes its first element here.
  bool find(simdjson::dom::element root, simdjson::dom::element& out) const;

  // Every element the path names: a fan-out step contributes each element
  // of its array from its index on (an empty array or a missing path gives
  // none).
  void find_all(simdjson::dom::element root, std::vector<simdjson::dom::element>& out) const;

  // When `prefix`'s steps begin this path, the path of the remaining steps
  // (rooted at `$`); otherwise nullopt. KDA writes column mappings either
  // relative to the row ("$.price") or through the row path
  // ("$.orders[0:].price" under RecordRowPath "$.orders[0:]").
  std::optional<JsonPath> relative_to(const JsonPath& prefix) const;

 private:
  void walk(simdjson::dom::element at, size_t step, std::vector<simdjson::dom::element>& out) const;

  std::vector<Step> steps_;
  std::string text_;
};

}  // namespace runnel::sql
