#pragma once
// CloudWatch metric math: the engine behind GetMetricData's Expression
// queries. A pure library: the caller (the GetMetricData handler) fetches the
// MetricStat series itself and hands them in with the expressions; this
// evaluates every expression and returns its time series.
//
// Semantics follow AWS's "Using metric math" (CloudWatch user guide); the
// grammar, the functions and where runnel had to choose are in
// cloudwatch/README.md. Thread-safety: no shared state; any thread may call
// evaluate_metric_math concurrently with other calls.

#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "common/status.h"

namespace runnel::cloudwatch {

// One data point: a timestamp in seconds since the epoch and its value.
struct Datapoint {
  int64_t timestamp = 0;
  double value = 0;
  friend bool operator==(const Datapoint&, const Datapoint&) = default;
};

// One MetricDataQuery of the request. A query with an empty `expression` is a
// MetricStat query whose data the caller already fetched into `points`
// (ascending timestamps; out-of-order input is sorted, a repeated timestamp
// keeps its first value); `period` is its MetricStat period in seconds.
// A query with an `expression` is evaluated; its `points` are ignored and
// its `period` (0 = unset) is the MetricDataQuery's Period, which gives the
// grid of FILL / TIME_SERIES when no input series decides it.
struct MetricMathQuery {
  std::string id;
  std::string label;  // the query's Label; may be empty
  std::string expression;
  int64_t period = 0;
  std::vector<Datapoint> points;
};

// The request's time range, [start, end) in seconds, and the period (seconds)
// to use for a grid when neither the series nor the query has one.
// FILL, TIME_SERIES and MINUTE()/HOUR()/... generate points at
// start, start + period, ... < end.
struct MetricMathWindow {
  int64_t start = 0;
  int64_t end = 0;
  int64_t period = 60;
};

// A MetricDataResult's Messages entry (Code, Value).
struct MetricMathMessage {
  std::string code;
  std::string value;
  friend bool operator==(const MetricMathMessage&, const MetricMathMessage&) = default;
};

// One MetricDataResult an expression produced. An expression giving one time
// series gives one of these; one giving an array (METRICS(), FILL(METRICS(),
// 0)...) gives one per series, in the array's order, all with the query's Id.
// StatusCode is always Complete: points dropped by arithmetic (division by
// zero, LOG of 0, overflow) are reported in `messages`, as AWS does.
struct MetricMathResult {
  std::string id;
  std::string label;
  std::vector<Datapoint> points;  // ascending timestamps
  std::vector<MetricMathMessage> messages;
};

// Limits. An expression is at most kMaxExpressionLength characters (the
// service model's MetricExpression max), a request at most kMaxQueries
// queries (AWS's GetMetricData limit). Parentheses, brackets and calls nest
// at most kMaxNestingDepth deep. One request's evaluation touches at most
// kMaxEvaluatedPoints data points in all (every intermediate result counts),
// and a generated grid holds at most kMaxGridPoints points (GetMetricData's
// per-call maximum of data points).
inline constexpr std::size_t kMaxExpressionLength = 2048;
inline constexpr std::size_t kMaxQueries = 500;
inline constexpr int kMaxNestingDepth = 64;
inline constexpr std::size_t kMaxEvaluatedPoints = 20'000'000;
inline constexpr int64_t kMaxGridPoints = 100'800;

// Evaluates every query with an expression. Returns, in query order, the
// results of each expression query (MetricStat queries give none: the caller
// already has their data). Every expression is evaluated, whatever its
// ReturnData; the caller drops the ones it should not return.
//
// An invalid request is Status::invalid_argument with a message naming the
// query and what is wrong with it, which the handler returns as
// ValidationError: a syntax error, an unknown Id or function, a reference
// cycle (an expression referring to itself included), a final result that is
// a scalar, an argument of the wrong type, a query over the limits above.
[[nodiscard]] Result<std::vector<MetricMathResult>> evaluate_metric_math(std::span<const MetricMathQuery> queries,
                                                                         const MetricMathWindow& window);

// The message text AWS gives (Code "ArithmeticError") when points were
// dropped because their value was not a finite number.
inline constexpr const char* kArithmeticErrorCode = "ArithmeticError";
inline constexpr const char* kArithmeticErrorMessage =
    "One or more data-points have been dropped due to non-numeric values (NaN, -Infinite, +Infinite)";

}  // namespace runnel::cloudwatch
