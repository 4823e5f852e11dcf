#pragma once
// KDA's machine-learning table functions as push operators:
//   TABLE(RANDOM_CUT_FOREST(CURSOR(SELECT STREAM ...)[, numberOfTrees, subSampleSize, timeDecay, shingleSize]))
//   TABLE(RANDOM_CUT_FOREST_WITH_EXPLANATION(CURSOR(...)[, the same four, withDirectionality]))
//   TABLE(HOTSPOTS(CURSOR(...), windowSize, scanRadius, minimumNumberOfPointsInAHotspot))
// Each passes every row of its cursor on, at once and with its ROWTIME, with
// the function's columns appended (ANOMALY_SCORE [, ANOMALY_EXPLANATION] or
// HOTSPOTS_RESULT). The models (random_cut_forest.h, hotspots.h) read the
// cursor's numeric columns, in order.
//
// Threads: the engine's thread only.

#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "sql/hotspots.h"
#include "sql/lexer.h"
#include "sql/operators.h"
#include "sql/random_cut_forest.h"

namespace runnel::sql {

class RandomCutForestOp final : public Operator {
 public:
  // `numeric`: the input columns the forest reads; `names`: theirs, for the
  // explanation's JSON.
  RandomCutForestOp(std::vector<size_t> numeric, std::vector<std::string> names, const RandomCutForest::Options& o,
                    bool explain, bool directionality);
  void push(int64_t rowtime, const Row& row) override;

 private:
  std::string explanation(const std::vector<double>& attribution) const;

  std::vector<size_t> numeric_;
  std::vector<std::string> names_;
  RandomCutForest forest_;
  bool explain_;
  bool directionality_;
  std::vector<double> point_, attribution_;
  Row out_;
};

class HotspotsOp final : public Operator {
 public:
  HotspotsOp(std::vector<size_t> numeric, size_t window_size, double scan_radius, size_t min_points);
  void push(int64_t rowtime, const Row& row) override;

 private:
  std::vector<size_t> numeric_;
  HotspotDetector detector_;
  std::vector<double> point_;
  Row out_;
};

// Planning, for the planner's TABLE(...) branch.
bool is_ml_table_function(std::string_view name);

// One argument after the cursor: its value if it is a constant.
struct MlArgument {
  std::optional<Value> value;
  SourcePos pos;
};
struct MlPlan {
  std::unique_ptr<Operator> op;
  std::vector<ColumnSchema> columns;  // the cursor's, then the function's
};
struct MlPlanError {
  SourcePos pos;
  std::string message;
};

// Checks the arguments of `name` (is_ml_table_function) against KDA's
// documented ranges and the cursor's columns, and makes its operator; an
// error points at the offending argument (or `call_pos`).
std::variant<MlPlan, MlPlanError> plan_ml_table_function(const std::string& name, SourcePos call_pos,
                                                         const std::vector<MlArgument>& args,
                                                         const std::vector<ColumnSchema>& cursor_columns);

}  // namespace runnel::sql
