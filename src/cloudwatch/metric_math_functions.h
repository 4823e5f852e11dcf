#pragma once
// Functions of metric math with more than one argument form, shared between
// metric_math_functions.cc (the dispatcher) and metric_math_fill.cc.
// Internal to cloudwatch/.

#include "cloudwatch/metric_math_eval.h"

namespace runnel::cloudwatch {

// FILL(TS | TS[], S | TS | REPEAT | LINEAR): fills the timestamps of the
// request's grid (grid_timestamps) at which the series has no value.
[[nodiscard]] Result<MathValue> fill_function(const MathNode& call, EvalContext& ctx);

// IF(condition, trueValue [, falseValue]), as AWS's "Using IF expressions".
[[nodiscard]] Result<MathValue> if_function(const MathNode& call, EvalContext& ctx);

}  // namespace runnel::cloudwatch
