// Metric math against hand-computed values; the semantics are AWS's "Using
// metric math" (see cloudwatch/README.md for the choices runnel made).
#include "cloudwatch/metric_math.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <cmath>
#include <optional>
#include <ostream>
#include <string>
#include <vector>

namespace runnel::cloudwatch {

// Failures print points as {timestamp, value}, not as bytes.
void PrintTo(const Datapoint& p, std::ostream* os) { *os << "{" << p.timestamp << ", " << p.value << "}"; }

namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using Points = std::vector<Datapoint>;

// The window used by most tests: 5 periods of 60 s from t = 0.
constexpr MetricMathWindow kWindow{0, 300, 60};

MetricMathQuery metric(std::string id, Points points, std::string label = "", int64_t period = 60) {
  MetricMathQuery q;
  q.id = std::move(id);
  q.label = std::move(label);
  q.period = period;
  q.points = std::move(points);
  return q;
}

MetricMathQuery expr(std::string id, std::string expression, std::string label = "") {
  MetricMathQuery q;
  q.id = std::move(id);
  q.label = std::move(label);
  q.expression = std::move(expression);
  return q;
}

// m1 = [10, 20, 30, 40] at 0, 60, 120, 180; m2 = [1, -, 3, 4] (no value at 60).
std::vector<MetricMathQuery> base() {
  return {metric("m1", {{0, 10}, {60, 20}, {120, 30}, {180, 40}}, "Errors"),
          metric("m2", {{0, 1}, {120, 3}, {180, 4}}, "Requests")};
}

// Evaluates `expression` as query e1 over base() (plus `extra`) and returns
// its results; fails the test on an error.
std::vector<MetricMathResult> eval(const std::string& expression, std::vector<MetricMathQuery> extra = {},
                                   MetricMathWindow window = kWindow) {
  auto queries = base();
  for (auto& q : extra) queries.push_back(std::move(q));
  queries.push_back(expr("e1", expression));
  auto r = evaluate_metric_math(queries, window);
  EXPECT_TRUE(r.has_value()) << expression << ": " << (r ? "" : r.error().message());
  if (!r) return {};
  std::vector<MetricMathResult> mine;
  for (auto& x : *r) {
    if (x.id == "e1") mine.push_back(std::move(x));
  }
  return mine;
}

Points points(const std::string& expression, std::vector<MetricMathQuery> extra = {},
              MetricMathWindow window = kWindow) {
  auto r = eval(expression, std::move(extra), window);
  EXPECT_EQ(r.size(), 1u) << expression;
  return r.empty() ? Points{} : r[0].points;
}

std::string error_of(const std::string& expression, std::vector<MetricMathQuery> extra = {}) {
  auto queries = base();
  for (auto& q : extra) queries.push_back(std::move(q));
  queries.push_back(expr("e1", expression));
  auto r = evaluate_metric_math(queries, kWindow);
  EXPECT_FALSE(r.has_value()) << expression;
  if (r) return "";
  EXPECT_EQ(r.error().code(), Status::Code::kInvalidArgument);
  return r.error().message();
}

// --- arithmetic -------------------------------------------------------------

TEST(MetricMath, SeriesTimesScalarAndScalarArithmetic) {
  EXPECT_THAT(points("5 * m1"),
              ElementsAre(Datapoint{0, 50}, Datapoint{60, 100}, Datapoint{120, 150}, Datapoint{180, 200}));
  EXPECT_THAT(points("m1 / 10 - 1"),
              ElementsAre(Datapoint{0, 0}, Datapoint{60, 1}, Datapoint{120, 2}, Datapoint{180, 3}));
  EXPECT_THAT(points("100 / m1"),
              ElementsAre(Datapoint{0, 10}, Datapoint{60, 5}, Datapoint{120, 100.0 / 30}, Datapoint{180, 2.5}));
  EXPECT_THAT(points("m2 ^ 2"), ElementsAre(Datapoint{0, 1}, Datapoint{120, 9}, Datapoint{180, 16}));
  EXPECT_THAT(points("m1 * (2 + 3) - 2 ^ 3 ^ 0"),
              ElementsAre(Datapoint{0, 48}, Datapoint{60, 98}, Datapoint{120, 148}, Datapoint{180, 198}));
}

TEST(MetricMath, PrecedenceOfUnaryMinusAndPower) {
  // -2^2 is -(2^2); ^ is right-associative: 2^3^2 = 2^9.
  EXPECT_THAT(points("m2 * 0 + -2^2"), ElementsAre(Datapoint{0, -4}, Datapoint{120, -4}, Datapoint{180, -4}));
  EXPECT_THAT(points("m2 * 0 + 2^3^2"), ElementsAre(Datapoint{0, 512}, Datapoint{120, 512}, Datapoint{180, 512}));
  EXPECT_THAT(points("-m2"), ElementsAre(Datapoint{0, -1}, Datapoint{120, -3}, Datapoint{180, -4}));
  EXPECT_THAT(points("m2 - -1"), ElementsAre(Datapoint{0, 2}, Datapoint{120, 4}, Datapoint{180, 5}));
  EXPECT_THAT(points("2^-1 * m2"), ElementsAre(Datapoint{0, 0.5}, Datapoint{120, 1.5}, Datapoint{180, 2}));
}

// AWS: "Missing values in a time series are treated as 0."
TEST(MetricMath, SeriesWithSeriesTreatsAMissingValueAsZero) {
  EXPECT_THAT(points("m1 + m2"),
              ElementsAre(Datapoint{0, 11}, Datapoint{60, 20}, Datapoint{120, 33}, Datapoint{180, 44}));
  EXPECT_THAT(points("m2 - m1"),
              ElementsAre(Datapoint{0, -9}, Datapoint{60, -20}, Datapoint{120, -27}, Datapoint{180, -36}));
  EXPECT_THAT(points("m1 * m2"),
              ElementsAre(Datapoint{0, 10}, Datapoint{60, 0}, Datapoint{120, 90}, Datapoint{180, 160}));
}

// AWS: "If the value of a data point causes a function to attempt to divide
// by zero, the data point is dropped", with an ArithmeticError message.
TEST(MetricMath, DivisionByZeroDropsThePointAndSaysSo) {
  auto r = eval("m1 / m2");
  ASSERT_EQ(r.size(), 1u);
  EXPECT_THAT(r[0].points, ElementsAre(Datapoint{0, 10}, Datapoint{120, 10}, Datapoint{180, 10}));
  EXPECT_THAT(r[0].messages, ElementsAre(MetricMathMessage{"ArithmeticError", kArithmeticErrorMessage}));
  EXPECT_THAT(points("m1 / 0"), ElementsAre());
  EXPECT_TRUE(eval("m1 / 2")[0].messages.empty());
  EXPECT_THAT(points("LOG(m1 - 10)"), ElementsAre(Datapoint{60, std::log(10.0)}, Datapoint{120, std::log(20.0)},
                                                  Datapoint{180, std::log(30.0)}));
}

TEST(MetricMath, ArraysCombineElementByElement) {
  auto r = eval("METRICS() * 2");
  ASSERT_EQ(r.size(), 2u);
  EXPECT_EQ(r[0].label, "Errors");
  EXPECT_EQ(r[1].label, "Requests");
  EXPECT_THAT(r[1].points, ElementsAre(Datapoint{0, 2}, Datapoint{120, 6}, Datapoint{180, 8}));
  r = eval("100 / [m1, m2]");
  ASSERT_EQ(r.size(), 2u);
  EXPECT_THAT(r[0].points,
              ElementsAre(Datapoint{0, 10}, Datapoint{60, 5}, Datapoint{120, 100.0 / 30}, Datapoint{180, 2.5}));
  r = eval("[m1, m2] - m2");
  ASSERT_EQ(r.size(), 2u);
  EXPECT_THAT(r[0].points, ElementsAre(Datapoint{0, 9}, Datapoint{60, 20}, Datapoint{120, 27}, Datapoint{180, 36}));
  EXPECT_THAT(r[1].points, ElementsAre(Datapoint{0, 0}, Datapoint{120, 0}, Datapoint{180, 0}));
  EXPECT_THAT(points("SUM(-[m1, m2])"),
              ElementsAre(Datapoint{0, -11}, Datapoint{60, -20}, Datapoint{120, -33}, Datapoint{180, -44}));
  EXPECT_THAT(error_of("METRICS() + METRICS()"), HasSubstr("two arrays"));
}

// --- comparison and logical operators (AWS's own example) --------------------

TEST(MetricMath, ComparisonAndLogicalOperatorsAsInAwsExample) {
  // metric1 = [30, 20, 0, 0], metric2 = [20, -, 20, -].
  std::vector<MetricMathQuery> extra = {metric("metric1", {{0, 30}, {60, 20}, {120, 0}, {180, 0}}),
                                        metric("metric2", {{0, 20}, {120, 20}})};
  auto values = [&](const std::string& e) {
    std::vector<double> v;
    for (const auto& p : points(e, extra)) v.push_back(p.value);
    return v;
  };
  EXPECT_THAT(values("(metric1 < metric2)"), ElementsAre(0, 0, 1, 0));
  EXPECT_THAT(values("(metric1 >= 30)"), ElementsAre(1, 0, 0, 0));
  EXPECT_THAT(values("(metric1 > 15 AND metric2 > 15)"), ElementsAre(1, 0, 0, 0));
  EXPECT_THAT(values("metric1 > 15 && metric2 > 15"), ElementsAre(1, 0, 0, 0));
  EXPECT_THAT(values("metric1 == 0 OR metric2 != 0"), ElementsAre(1, 0, 1, 1));
  EXPECT_THAT(values("metric1 < 1 || metric1 <= 20"), ElementsAre(0, 1, 1, 1));
}

// --- aggregates --------------------------------------------------------------

TEST(MetricMath, AggregatesOfOneSeriesAreScalars) {
  // AVG(m1) = 25, so m1 - AVG(m1) = [-15, -5, 5, 15].
  EXPECT_THAT(points("m1 - AVG(m1)"),
              ElementsAre(Datapoint{0, -15}, Datapoint{60, -5}, Datapoint{120, 5}, Datapoint{180, 15}));
  EXPECT_THAT(points("m2 * 0 + SUM(m1)"), ElementsAre(Datapoint{0, 100}, Datapoint{120, 100}, Datapoint{180, 100}));
  EXPECT_THAT(points("m2 * 0 + MIN(m1) + MAX(m2)"),
              ElementsAre(Datapoint{0, 14}, Datapoint{120, 14}, Datapoint{180, 14}));
  // Population standard deviation of [1, 3, 4]: sqrt(14/9).
  EXPECT_THAT(points("m2 * 0 + STDDEV(m2)"),
              ElementsAre(Datapoint{0, std::sqrt(14.0 / 9)}, Datapoint{120, std::sqrt(14.0 / 9)},
                          Datapoint{180, std::sqrt(14.0 / 9)}));
  EXPECT_THAT(points("m1 / DATAPOINT_COUNT(m2)"), ElementsAre(Datapoint{0, 10.0 / 3}, Datapoint{60, 20.0 / 3},
                                                              Datapoint{120, 10}, Datapoint{180, 40.0 / 3}));
  EXPECT_THAT(points("m1 / METRIC_COUNT(METRICS())"),
              ElementsAre(Datapoint{0, 5}, Datapoint{60, 10}, Datapoint{120, 15}, Datapoint{180, 20}));
}

TEST(MetricMath, AggregatesOfAnArrayArePerTimestampWithMissingAsZero) {
  EXPECT_THAT(points("SUM(METRICS())"),
              ElementsAre(Datapoint{0, 11}, Datapoint{60, 20}, Datapoint{120, 33}, Datapoint{180, 44}));
  EXPECT_THAT(points("AVG([m1, m2])"),
              ElementsAre(Datapoint{0, 5.5}, Datapoint{60, 10}, Datapoint{120, 16.5}, Datapoint{180, 22}));
  EXPECT_THAT(points("MIN(METRICS())"),
              ElementsAre(Datapoint{0, 1}, Datapoint{60, 0}, Datapoint{120, 3}, Datapoint{180, 4}));
  EXPECT_THAT(points("MAX(METRICS())"),
              ElementsAre(Datapoint{0, 10}, Datapoint{60, 20}, Datapoint{120, 30}, Datapoint{180, 40}));
  EXPECT_THAT(points("STDDEV([m1, m2])"),
              ElementsAre(Datapoint{0, 4.5}, Datapoint{60, 10}, Datapoint{120, 13.5}, Datapoint{180, 18}));
  EXPECT_THAT(points("DATAPOINT_COUNT(METRICS())"),
              ElementsAre(Datapoint{0, 2}, Datapoint{60, 1}, Datapoint{120, 2}, Datapoint{180, 2}));
}

TEST(MetricMath, EmptySeriesAndEmptyArrays) {
  std::vector<MetricMathQuery> extra = {metric("empty", {})};
  EXPECT_THAT(points("empty * 2", extra), ElementsAre());
  EXPECT_THAT(points("m1 - AVG(empty)", extra), ElementsAre());  // AVG of nothing is no number
  EXPECT_THAT(points("m2 + empty", extra), ElementsAre(Datapoint{0, 1}, Datapoint{120, 3}, Datapoint{180, 4}));
  EXPECT_THAT(points("SUM(METRICS(\"nothing\"))"), ElementsAre());
  EXPECT_THAT(eval("METRICS(\"nothing\")"), ElementsAre());
  EXPECT_THAT(eval("REMOVE_EMPTY(METRICS())", extra).size(), 2u);
  EXPECT_THAT(points("RATE(empty)", extra), ElementsAre());
  EXPECT_THAT(points("FIRST(METRICS(\"nothing\"))"), ElementsAre());
}

// --- METRICS() ---------------------------------------------------------------

TEST(MetricMath, MetricsReturnsTheMetricStatQueriesWhoseIdContainsTheString) {
  std::vector<MetricMathQuery> extra = {metric("errors_4xx", {{0, 1}}, "4xx"), metric("errors_5xx", {{0, 2}}, "5xx"),
                                        expr("errors_e", "m1 * 2")};
  auto r = eval("METRICS(\"errors\")", extra);
  ASSERT_EQ(r.size(), 2u);  // the expression errors_e is not a metric
  EXPECT_EQ(r[0].label, "4xx");
  EXPECT_EQ(r[1].label, "5xx");
  EXPECT_EQ(eval("METRICS()", extra).size(), 4u);
  EXPECT_THAT(points("SUM([METRICS(\"4xx\"), METRICS(\"5xx\")])", extra), ElementsAre(Datapoint{0, 3}));
  // Matching is on the Id, not the label.
  EXPECT_EQ(eval("METRICS(\"Errors\")").size(), 0u);
}

TEST(MetricMath, ArrayResultsAreLabelledExpressionLabelThenMetricLabel) {
  auto queries = base();
  queries.push_back(expr("e1", "FILL(METRICS(), 0)", "Filled With 0:"));
  auto r = evaluate_metric_math(queries, kWindow);
  ASSERT_TRUE(r.has_value());
  ASSERT_EQ(r->size(), 2u);
  EXPECT_EQ((*r)[0].label, "Filled With 0: Errors");
  EXPECT_EQ((*r)[1].label, "Filled With 0: Requests");
  EXPECT_EQ((*r)[0].id, "e1");
  EXPECT_EQ((*r)[1].id, "e1");
}

// --- RATE, DIFF, DIFF_TIME, RUNNING_SUM ---------------------------------------

TEST(MetricMath, RateIsTheChangePerSecondOverTheTimeBetweenPoints) {
  // m2 = [1 @0, 3 @120, 4 @180]: (3-1)/120, (4-3)/60.
  EXPECT_THAT(points("RATE(m2)"), ElementsAre(Datapoint{120, 2.0 / 120}, Datapoint{180, 1.0 / 60}));
  EXPECT_THAT(points("DIFF(m2)"), ElementsAre(Datapoint{120, 2}, Datapoint{180, 1}));
  EXPECT_THAT(points("DIFF_TIME(m2)"), ElementsAre(Datapoint{120, 120}, Datapoint{180, 60}));
  EXPECT_THAT(points("RUNNING_SUM(m2)"), ElementsAre(Datapoint{0, 1}, Datapoint{120, 4}, Datapoint{180, 8}));
  auto r = eval("RATE(METRICS())");
  ASSERT_EQ(r.size(), 2u);
  EXPECT_THAT(r[0].points, ElementsAre(Datapoint{60, 10.0 / 60}, Datapoint{120, 10.0 / 60}, Datapoint{180, 10.0 / 60}));
}

// --- FILL ----------------------------------------------------------------------

TEST(MetricMath, FillWithAValueFillsEveryMissingPeriodOfTheWindow) {
  // Window [0, 300) at 60 s: 0, 60, 120, 180, 240; m2 lacks 60 and 240.
  EXPECT_THAT(points("FILL(m2, 0)"),
              ElementsAre(Datapoint{0, 1}, Datapoint{60, 0}, Datapoint{120, 3}, Datapoint{180, 4}, Datapoint{240, 0}));
  EXPECT_THAT(points("FILL(m2, MIN(m1))"), ElementsAre(Datapoint{0, 1}, Datapoint{60, 10}, Datapoint{120, 3},
                                                       Datapoint{180, 4}, Datapoint{240, 10}));
  EXPECT_THAT(points("FILL(m2, m1)"),
              ElementsAre(Datapoint{0, 1}, Datapoint{60, 20}, Datapoint{120, 3}, Datapoint{180, 4}));
}

TEST(MetricMath, FillRepeatAndLinear) {
  // m3 = [-, 10, -, -, 40]: REPEAT carries 10 forward, nothing before the first
  // value; LINEAR interpolates inside the gap only.
  std::vector<MetricMathQuery> extra = {metric("m3", {{60, 10}, {240, 40}})};
  EXPECT_THAT(points("FILL(m3, REPEAT)", extra),
              ElementsAre(Datapoint{60, 10}, Datapoint{120, 10}, Datapoint{180, 10}, Datapoint{240, 40}));
  EXPECT_THAT(points("FILL(m3, LINEAR)", extra),
              ElementsAre(Datapoint{60, 10}, Datapoint{120, 20}, Datapoint{180, 30}, Datapoint{240, 40}));
  EXPECT_THAT(points("FILL(m2, REPEAT)"),
              ElementsAre(Datapoint{0, 1}, Datapoint{60, 1}, Datapoint{120, 3}, Datapoint{180, 4}, Datapoint{240, 4}));
  auto r = eval("FILL(METRICS(), LINEAR)");
  ASSERT_EQ(r.size(), 2u);
  EXPECT_THAT(r[1].points, ElementsAre(Datapoint{0, 1}, Datapoint{60, 2}, Datapoint{120, 3}, Datapoint{180, 4}));
}

TEST(MetricMath, FillUsesTheSeriesPeriodForItsGrid) {
  std::vector<MetricMathQuery> extra = {metric("slow", {{0, 5}}, "", 120)};
  EXPECT_THAT(points("FILL(slow, 1)", extra), ElementsAre(Datapoint{0, 5}, Datapoint{120, 1}, Datapoint{240, 1}));
}

// --- element-wise functions ----------------------------------------------------

TEST(MetricMath, ElementWiseFunctions) {
  std::vector<MetricMathQuery> extra = {metric("m4", {{0, -1.5}, {60, 2.25}, {120, 100}})};
  EXPECT_THAT(points("ABS(m4)", extra), ElementsAre(Datapoint{0, 1.5}, Datapoint{60, 2.25}, Datapoint{120, 100}));
  EXPECT_THAT(points("CEIL(m4)", extra), ElementsAre(Datapoint{0, -1}, Datapoint{60, 3}, Datapoint{120, 100}));
  EXPECT_THAT(points("FLOOR(m4)", extra), ElementsAre(Datapoint{0, -2}, Datapoint{60, 2}, Datapoint{120, 100}));
  EXPECT_THAT(points("LOG10(ABS(m4))", extra),
              ElementsAre(Datapoint{0, std::log10(1.5)}, Datapoint{60, std::log10(2.25)}, Datapoint{120, 2}));
  auto r = eval("LOG10(m4)", extra);  // LOG10(-1.5) is not a number: dropped
  ASSERT_EQ(r.size(), 1u);
  EXPECT_THAT(r[0].points, ElementsAre(Datapoint{60, std::log10(2.25)}, Datapoint{120, 2}));
  EXPECT_EQ(r[0].messages.size(), 1u);
  EXPECT_EQ(eval("ABS(METRICS())").size(), 2u);
}

TEST(MetricMath, PeriodAndTimeSeries) {
  std::vector<MetricMathQuery> extra = {metric("slow", {{0, 600}}, "", 300)};
  EXPECT_THAT(points("slow / PERIOD(slow)", extra), ElementsAre(Datapoint{0, 2}));
  EXPECT_THAT(points("TIME_SERIES(5 * AVG(m1))"),
              ElementsAre(Datapoint{0, 125}, Datapoint{60, 125}, Datapoint{120, 125}, Datapoint{180, 125},
                          Datapoint{240, 125}));
  EXPECT_THAT(points("TIME_SERIES(10)", {}, {0, 180, 90}), ElementsAre(Datapoint{0, 10}, Datapoint{90, 10}));
  EXPECT_THAT(error_of("PERIOD(e0)", {expr("e0", "m1 * 2")}), HasSubstr("not of an expression"));
}

// --- IF (AWS's examples) ---------------------------------------------------------

TEST(MetricMath, IfFollowsAwsExamples) {
  // metric1 [1, 1, 0, 0, -], metric2 [30, -, 0, 0, 30], metric3 [0, 0, 20, -, 20].
  std::vector<MetricMathQuery> extra = {metric("metric1", {{0, 1}, {60, 1}, {120, 0}, {180, 0}}),
                                        metric("metric2", {{0, 30}, {120, 0}, {180, 0}, {240, 30}}),
                                        metric("metric3", {{0, 0}, {60, 0}, {120, 20}, {240, 20}})};
  EXPECT_THAT(points("IF(metric1, metric2, metric3)", extra),
              ElementsAre(Datapoint{0, 30}, Datapoint{60, 0}, Datapoint{120, 20}));
  EXPECT_THAT(points("IF(metric1, 5, metric3)", extra),
              ElementsAre(Datapoint{0, 5}, Datapoint{60, 5}, Datapoint{120, 20}));
  EXPECT_THAT(points("IF(metric1, metric2, 5)", extra),
              ElementsAre(Datapoint{0, 30}, Datapoint{60, 0}, Datapoint{120, 5}, Datapoint{180, 5}));
  EXPECT_THAT(points("IF(metric1, metric2)", extra), ElementsAre(Datapoint{0, 30}, Datapoint{60, 0}));
  EXPECT_THAT(points("IF(m1 < 25, m1)"), ElementsAre(Datapoint{0, 10}, Datapoint{60, 20}));
  EXPECT_THAT(points("IF(m1 > 25, 10, 2)"),
              ElementsAre(Datapoint{0, 2}, Datapoint{60, 2}, Datapoint{120, 10}, Datapoint{180, 10}));
  EXPECT_THAT(points("IF(1, m2, m1)"), ElementsAre(Datapoint{0, 1}, Datapoint{120, 3}, Datapoint{180, 4}));
  EXPECT_THAT(points("IF(0, m2)"), ElementsAre());
}

// --- arrays: FIRST, LAST, SORT, SLICE ---------------------------------------------

TEST(MetricMath, FirstLastSortSlice) {
  EXPECT_THAT(points("FIRST(METRICS())"),
              ElementsAre(Datapoint{0, 10}, Datapoint{60, 20}, Datapoint{120, 30}, Datapoint{180, 40}));
  EXPECT_THAT(points("LAST(METRICS())"), ElementsAre(Datapoint{0, 1}, Datapoint{120, 3}, Datapoint{180, 4}));
  auto r = eval("SORT(METRICS(), AVG, ASC)");
  ASSERT_EQ(r.size(), 2u);
  EXPECT_EQ(r[0].label, "Requests");  // AVG 8/3 < 25
  r = eval("SORT(METRICS(), MAX, DESC, 1)");
  ASSERT_EQ(r.size(), 1u);
  EXPECT_EQ(r[0].label, "Errors");
  r = eval("SLICE(SORT(METRICS(), SUM, ASC), 1)");
  ASSERT_EQ(r.size(), 1u);
  EXPECT_EQ(r[0].label, "Errors");
  EXPECT_EQ(eval("SLICE(METRICS(), 0, 1)").size(), 1u);
}

TEST(MetricMath, TimeFieldsOfTheWindowInUtc) {
  // 2021-06-01T10:30:00Z was a Tuesday: 1622543400.
  const MetricMathWindow w{1622543400, 1622543400 + 120, 60};
  std::vector<MetricMathQuery> extra = {metric("m5", {{1622543400, 1}}, "", 60)};
  auto field = [&](const std::string& f) { return points(f + "(m5)", extra, w).at(0).value; };
  EXPECT_EQ(field("MINUTE"), 30);
  EXPECT_EQ(field("HOUR"), 10);
  EXPECT_EQ(field("DAY"), 2);
  EXPECT_EQ(field("DATE"), 1);
  EXPECT_EQ(field("MONTH"), 6);
  EXPECT_EQ(field("YEAR"), 2021);
  EXPECT_EQ(field("EPOCH"), 1622543400);
  EXPECT_EQ(points("MINUTE(m5)", extra, w).size(), 2u);  // non-sparse over the window
}

TEST(MetricMath, ExtremeTimestampsNeitherOverflowNorGiveCalendarNonsense) {
  // A window spanning all of int64: the grid count must not wrap around.
  auto queries = base();
  queries.push_back(expr("e1", "TIME_SERIES(1)"));
  auto r = evaluate_metric_math(queries, MetricMathWindow{INT64_MIN, INT64_MAX, 1'000'000'000'000'000'000});
  ASSERT_TRUE(r.has_value()) << r.error().message();
  EXPECT_EQ(r->at(0).points.size(), 19u);  // ceil((2^64 - 1) / 1e18)
  std::vector<MetricMathQuery> extra = {metric("far", {{INT64_MIN, 1}, {INT64_MAX, 2}})};
  EXPECT_THAT(points("RATE(far)", extra), ElementsAre(Datapoint{INT64_MAX, 1.0 / 18446744073709551615.0}));
  EXPECT_THAT(points("YEAR(far)", extra, MetricMathWindow{INT64_MAX - 10, INT64_MAX, 5}), ElementsAre());
}

// --- expressions referring to expressions ---------------------------------------

TEST(MetricMath, ExpressionsMayReferToExpressionsInAnyOrder) {
  std::vector<MetricMathQuery> q = {expr("e2", "e1 * 2"), metric("m1", {{0, 3}}), expr("e1", "m1 + 1")};
  auto r = evaluate_metric_math(q, kWindow);
  ASSERT_TRUE(r.has_value()) << r.error().message();
  ASSERT_EQ(r->size(), 2u);
  EXPECT_EQ((*r)[0].id, "e2");  // results keep the query order
  EXPECT_THAT((*r)[0].points, ElementsAre(Datapoint{0, 8}));
  EXPECT_EQ((*r)[0].label, "e2");  // no Label: the Id
  EXPECT_THAT((*r)[1].points, ElementsAre(Datapoint{0, 4}));
}

// --- errors -----------------------------------------------------------------------

TEST(MetricMath, AScalarFinalResultIsAnError) {
  EXPECT_THAT(error_of("AVG(m1)"), HasSubstr("must be a time series or an array of time series, not a scalar"));
  EXPECT_THAT(error_of("1 + 2"), HasSubstr("Error in expression e1"));
}

TEST(MetricMath, SyntaxErrorsSayWhereAndWhat) {
  EXPECT_THAT(error_of("m1 +"), HasSubstr("syntax error at column 5"));
  EXPECT_THAT(error_of("(m1 + m2"), HasSubstr("expected ')'"));
  EXPECT_THAT(error_of("m1 m2"), HasSubstr("unexpected 'm2'"));
  EXPECT_THAT(error_of("SUM(m1,"), HasSubstr("syntax error"));
  EXPECT_THAT(error_of("m1 = 2"), HasSubstr("unexpected '='"));
  EXPECT_THAT(error_of("METRICS(\"abc)"), HasSubstr("no closing"));
  EXPECT_THAT(error_of("  "), HasSubstr("expected a value but found the end"));
  EXPECT_THAT(error_of("m1 # 2"), HasSubstr("unexpected '#'"));
  EXPECT_THAT(error_of("1.2.3 * m1"), HasSubstr("syntax error"));
}

TEST(MetricMath, UnknownIdsAndFunctionsAreErrors) {
  EXPECT_THAT(error_of("m1 + m9"), HasSubstr("unknown Id 'm9'"));
  EXPECT_THAT(error_of("SQRT(m1)"), HasSubstr("unknown function 'SQRT'"));
  EXPECT_THAT(error_of("avg(m1)"), HasSubstr("function names are upper case"));
  EXPECT_THAT(error_of("M1 + 1"), HasSubstr("'M1'"));
  EXPECT_THAT(error_of("SEARCH(\"{AWS/EC2} CPUUtilization\", \"Average\", 300)"),
              HasSubstr("SEARCH is not supported by runnel"));
  EXPECT_THAT(error_of("ANOMALY_DETECTION_BAND(m1)"), HasSubstr("not supported by runnel"));
}

TEST(MetricMath, WrongArgumentTypesAreErrors) {
  EXPECT_THAT(error_of("FILL(5, 0)"), HasSubstr("not a scalar"));
  EXPECT_THAT(error_of("RATE(5) + m1"), HasSubstr("not a scalar"));
  EXPECT_THAT(error_of("FIRST(m1)"), HasSubstr("expects an array"));
  EXPECT_THAT(error_of("TIME_SERIES(m1)"), HasSubstr("expects a scalar"));
  EXPECT_THAT(error_of("ABS(m1, m2)"), HasSubstr("takes 1 argument"));
  EXPECT_THAT(error_of("[m1, 5]"), HasSubstr("not scalars"));
  EXPECT_THAT(error_of("FILL(m1, METRICS())"), HasSubstr("not TS[]"));
  EXPECT_THAT(error_of("METRICS(m1)"), HasSubstr("string"));
  EXPECT_THAT(error_of("m1 + \"x\""), HasSubstr("only valid as the argument of METRICS"));
  EXPECT_THAT(error_of("FILL(m1, REPEATS)"), HasSubstr("'REPEATS'"));
}

TEST(MetricMath, CircularReferencesAreErrors) {
  std::vector<MetricMathQuery> self = {metric("m1", {{0, 1}}), expr("e1", "e1 + m1")};
  auto r = evaluate_metric_math(self, kWindow);
  ASSERT_FALSE(r.has_value());
  EXPECT_THAT(r.error().message(), HasSubstr("e1: the expression refers to itself"));

  std::vector<MetricMathQuery> loop = {metric("m1", {{0, 1}}), expr("e1", "e2 + m1"), expr("e2", "e3 * 2"),
                                       expr("e3", "e1"), expr("ok", "m1")};
  r = evaluate_metric_math(loop, kWindow);
  ASSERT_FALSE(r.has_value());
  EXPECT_THAT(r.error().message(), HasSubstr("Circular reference between the expressions e1, e2, e3"));
}

TEST(MetricMath, InvalidAndDuplicateIds) {
  std::vector<MetricMathQuery> q = {metric("M1", {})};
  EXPECT_THAT(evaluate_metric_math(q, kWindow).error().message(), HasSubstr("Invalid Id 'M1'"));
  q = {metric("m1", {}), metric("m1", {})};
  EXPECT_THAT(evaluate_metric_math(q, kWindow).error().message(), HasSubstr("Duplicate Id 'm1'"));
  q = {metric("m-1", {})};
  EXPECT_FALSE(evaluate_metric_math(q, kWindow).has_value());
}

TEST(MetricMath, LimitsAreErrorsNotCrashes) {
  EXPECT_THAT(error_of("m1" + std::string(2047, ' ')), HasSubstr("2049 characters long; the maximum is 2048"));
  EXPECT_TRUE(points("m1" + std::string(2046, ' ')).size() == 4);
  EXPECT_THAT(error_of(std::string(100, '(') + "m1" + std::string(100, ')')), HasSubstr("nests deeper than 64"));
  EXPECT_THAT(error_of(std::string(1000, '-') + "m1"), HasSubstr("nests deeper"));
  EXPECT_THAT(error_of("ABS(" + std::string(1000, '[') + "m1"), HasSubstr("nests deeper"));
  EXPECT_FALSE(eval(std::string(30, '(') + "m1" + std::string(30, ')')).empty());

  std::vector<MetricMathQuery> many(501);
  for (std::size_t i = 0; i < many.size(); ++i) many[i] = metric("m" + std::to_string(i), {});
  EXPECT_THAT(evaluate_metric_math(many, kWindow).error().message(), HasSubstr("at most 500"));

  // A grid of more than 100,800 points is refused.
  auto queries = base();
  queries.push_back(expr("e1", "TIME_SERIES(1)"));
  auto r = evaluate_metric_math(queries, MetricMathWindow{0, 1'000'000'000, 1});
  ASSERT_FALSE(r.has_value());
  EXPECT_THAT(r.error().message(), HasSubstr("at most 100800 data points"));
}

// Long flat chains of operators are not nesting: they parse as one level and
// evaluate (the tree is deep, but its depth is bounded by the 2048 characters).
TEST(MetricMath, LongFlatChainsOfOperatorsEvaluate) {
  std::string e = "m2";
  while (e.size() + 3 <= kMaxExpressionLength) e += "+m2";
  auto p = points(e);
  ASSERT_EQ(p.size(), 3u);
  const size_t terms = (e.size() + 1) / 3;  // "m2" and each "+m2"; the division is exact
  EXPECT_EQ(p[0].value, static_cast<double>(terms));
}

TEST(MetricMath, WorkIsBoundedOnRepeatedLargeOperands) {
  // 20,000 points per series; each reference and operation counts the points
  // it touches, so a long chain of them stops at kMaxEvaluatedPoints.
  Points big;
  for (int64_t t = 0; t < 20000; ++t) big.push_back({t * 60, 1});
  std::vector<MetricMathQuery> q = {metric("b", big)};
  std::string e = "b";
  for (int i = 0; i < 600; ++i) e += "+b";
  q.push_back(expr("e1", e));
  auto r = evaluate_metric_math(q, MetricMathWindow{0, 20000 * 60, 60});
  ASSERT_FALSE(r.has_value());
  EXPECT_THAT(r.error().message(), HasSubstr("more than 20000000 data points"));
}

TEST(MetricMath, MetricInputIsSortedAndDeduplicated) {
  std::vector<MetricMathQuery> q = {metric("m1", {{120, 3}, {0, 1}, {60, 2}, {60, 9}}), expr("e1", "m1 * 1")};
  auto r = evaluate_metric_math(q, kWindow);
  ASSERT_TRUE(r.has_value());
  EXPECT_THAT((*r)[0].points, ElementsAre(Datapoint{0, 1}, Datapoint{60, 2}, Datapoint{120, 3}));
}

TEST(MetricMath, NumbersAndWhitespace) {
  EXPECT_THAT(points("m2*.5"), ElementsAre(Datapoint{0, 0.5}, Datapoint{120, 1.5}, Datapoint{180, 2}));
  EXPECT_THAT(points("m2 * 1e2"), ElementsAre(Datapoint{0, 100}, Datapoint{120, 300}, Datapoint{180, 400}));
  EXPECT_THAT(points("\tm2\n*\r2 "), ElementsAre(Datapoint{0, 2}, Datapoint{120, 6}, Datapoint{180, 8}));
  EXPECT_THAT(error_of("m1 * 1e999"), HasSubstr("not a valid number"));
}

}  // namespace
}  // namespace runnel::cloudwatch
