// libFuzzer target: metric math on hostile expressions. The input is up to
// four expressions, one per line, evaluated as e1..e4 of one request beside
// three metrics (one with gaps, one empty) and an expression e0 = "m1 * 2",
// so that Ids, cycles and arrays all get exercised. The first byte picks the
// period of the window's grid, the second where the 600 s window sits (at 0,
// or at either end of int64_t, where timestamp arithmetic can overflow). Whatever the input, evaluate_metric_math must
// return (no crash, no hang, no unbounded memory), and every result it gives
// must hold ascending timestamps and finite values.
#include <cmath>
#include <cstdint>
#include <cstdlib>
#include <limits>
#include <string>
#include <string_view>
#include <vector>

#include "cloudwatch/metric_math.h"

namespace rc = runnel::cloudwatch;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size < 2) return 0;
  const int64_t period = 1 + data[0] % 120;
  constexpr int64_t kStarts[] = {0, -300, std::numeric_limits<int64_t>::min(),
                                 std::numeric_limits<int64_t>::max() - 600};
  const int64_t start = kStarts[data[1] % 4];
  std::string_view text(reinterpret_cast<const char*>(data + 2), size - 2);

  std::vector<rc::MetricMathQuery> queries;
  rc::MetricMathQuery m1{"m1", "First", "", 60, {}};
  for (int64_t t = 0; t < 600; t += 60) m1.points.push_back({start + t, static_cast<double>(t) / 7 - 20});
  rc::MetricMathQuery m2{"m2", "", "", 30, {{start, 0}, {start + 90, -3.5}, {start + 300, 1e300}, {start + 540, 2}}};
  rc::MetricMathQuery m3{"m3_empty", "Empty", "", 0, {}};
  queries.push_back(m1);
  queries.push_back(m2);
  queries.push_back(m3);
  queries.push_back({"e0", "", "m1 * 2", 0, {}});
  for (int i = 1; i <= 4 && !text.empty(); ++i) {
    const std::size_t nl = text.find('\n');
    std::string expression(text.substr(0, nl));
    text = nl == std::string_view::npos ? std::string_view() : text.substr(nl + 1);
    if (expression.empty()) expression = " ";  // empty would make it a metric
    queries.push_back({"e" + std::to_string(i), "", expression, 0, {}});
  }
  const rc::MetricMathWindow window{start, start + 600, period};
  const auto results = rc::evaluate_metric_math(queries, window);
  if (!results) {
    if (results.error().message().empty()) std::abort();
    return 0;
  }
  for (const auto& r : *results) {
    for (std::size_t i = 0; i < r.points.size(); ++i) {
      if (!std::isfinite(r.points[i].value)) std::abort();
      if (i > 0 && r.points[i - 1].timestamp >= r.points[i].timestamp) std::abort();
    }
  }
  return 0;
}
