#include "sql/ml_operators.h"

#include <cmath>
#include <cstdio>

namespace runnel::sql {

namespace {

constexpr std::string_view kRcf = "RANDOM_CUT_FOREST";
constexpr std::string_view kRcfExplained = "RANDOM_CUT_FOREST_WITH_EXPLANATION";
constexpr std::string_view kHotspots = "HOTSPOTS";

// Numbers beyond this are treated as missing: their squares and the sums of
// box sides would overflow.
constexpr double kLargest = 1e150;

// A forest's size, trees × subSampleSize × numbers per shingled point: about
// 40 bytes each once the samples are full (320 MB at the limit).
constexpr double kMaxForestCells = 1e7;

// The row's numbers in `point`; false when one is NULL, not finite or
// beyond ±kLargest.
bool numbers_of(const Row& row, const std::vector<size_t>& numeric, std::vector<double>& point) {
  point.clear();
  for (size_t i : numeric) {
    if (i >= row.size() || row[i].is_null()) return false;
    const double d = row[i].to_double();
    if (!(std::abs(d) <= kLargest)) return false;
    point.push_back(d);
  }
  return true;
}

void append_json_string(std::string& out, const std::string& s) {
  out += '"';
  for (unsigned char c : s) {
    if (c == '"' || c == '\\') {
      out += '\\';
      out += static_cast<char>(c);
    } else if (c < 0x20) {
      char buf[8];
      std::snprintf(buf, sizeof buf, "\\u%04x", c);
      out += buf;
    } else {
      out += static_cast<char>(c);
    }
  }
  out += '"';
}

std::string fixed4(double d) {
  char buf[48];
  std::snprintf(buf, sizeof buf, "%.4f", d);
  return buf;
}

}  // namespace

// ---- RandomCutForestOp -----------------------------------------------------

RandomCutForestOp::RandomCutForestOp(std::vector<size_t> numeric, std::vector<std::string> names,
                                     const RandomCutForest::Options& o, bool explain, bool directionality)
    : numeric_(std::move(numeric)),
      names_(std::move(names)),
      forest_(o),
      explain_(explain),
      directionality_(directionality) {}

std::string RandomCutForestOp::explanation(const std::vector<double>& a) const {
  std::string s = "{";
  for (size_t c = 0; c < names_.size(); ++c) {
    if (c > 0) s += ",";
    const double high = c * 2 < a.size() ? a[2 * c] : 0, low = c * 2 + 1 < a.size() ? a[2 * c + 1] : 0;
    append_json_string(s, names_[c]);
    s += ":{";
    if (directionality_) {
      s += "\"DIRECTION\":\"";
      s += high >= low ? "HIGH" : "LOW";
      s += "\",\"STRENGTH\":\"" + fixed4(std::abs(high - low)) + "\",";
    }
    s += "\"ATTRIBUTION_SCORE\":\"" + fixed4(high + low) + "\"}";
  }
  return s + "}";
}

void RandomCutForestOp::push(int64_t rowtime, const Row& row) {
  double score = 0;
  attribution_.assign(numeric_.size() * 2, 0.0);
  // A record with a NULL (or an infinite) number is passed on scored 0 and
  // the forest does not learn it.
  if (numbers_of(row, numeric_, point_)) score = forest_.score_and_update(point_, explain_ ? &attribution_ : nullptr);
  out_.assign(row.begin(), row.end());
  out_.push_back(Value::dbl(score));
  if (explain_) out_.push_back(Value::varchar(explanation(attribution_)));
  if (next_ != nullptr) next_->push(rowtime, out_);
}

// ---- HotspotsOp ------------------------------------------------------------

HotspotsOp::HotspotsOp(std::vector<size_t> numeric, size_t window_size, double scan_radius, size_t min_points)
    : numeric_(std::move(numeric)), detector_(numeric_.size(), window_size, scan_radius, min_points) {}

void HotspotsOp::push(int64_t rowtime, const Row& row) {
  // A record with a NULL number does not enter the window; it gets the
  // window's hotspots as they are.
  if (numbers_of(row, numeric_, point_)) detector_.add(point_);
  out_.assign(row.begin(), row.end());
  out_.push_back(Value::varchar(HotspotDetector::to_json(detector_.hotspots())));
  if (next_ != nullptr) next_->push(rowtime, out_);
}

// ---- Planning --------------------------------------------------------------

bool is_ml_table_function(std::string_view name) { return name == kRcf || name == kRcfExplained || name == kHotspots; }

std::variant<MlPlan, MlPlanError> plan_ml_table_function(const std::string& name, SourcePos call_pos,
                                                         const std::vector<MlArgument>& args,
                                                         const std::vector<ColumnSchema>& cursor_columns) {
  // The cursor's numeric columns, in order; DECIMAL is refused as KDA did.
  std::vector<size_t> numeric;
  std::vector<std::string> names;
  for (size_t i = 0; i < cursor_columns.size(); ++i) {
    const SqlType& t = cursor_columns[i].type;
    if (t.kind == TypeKind::kDecimal)
      return MlPlanError{call_pos, name + " does not take DECIMAL columns (" + cursor_columns[i].name +
                                       "); CAST it to DOUBLE in the cursor's query"};
    if (t.is_integer() || t.is_approx_numeric()) {
      numeric.push_back(i);
      names.push_back(cursor_columns[i].name);
    }
  }
  if (numeric.empty())
    return MlPlanError{call_pos, name +
                                     " needs at least one numeric column (TINYINT, SMALLINT, INTEGER, BIGINT, "
                                     "REAL, DOUBLE) in the cursor's query"};
  // An integer argument in [lo, hi].
  auto integer = [&](size_t i, int64_t lo, int64_t hi, const char* what, int64_t& out) -> std::optional<MlPlanError> {
    const MlArgument& a = args[i];
    if (!a.value || a.value->is_null() || !SqlType::of(a.value->kind()).is_integer() || a.value->as_int() < lo ||
        a.value->as_int() > hi)
      return MlPlanError{a.pos,
                         std::string(what) + " is an integer from " + std::to_string(lo) + " to " + std::to_string(hi)};
    out = a.value->as_int();
    return std::nullopt;
  };
  std::vector<ColumnSchema> cols = cursor_columns;
  for (ColumnSchema& c : cols) c.system = false;

  if (name == kHotspots) {
    if (args.size() != 3)
      return MlPlanError{call_pos,
                         "HOTSPOTS takes 4 arguments: CURSOR(SELECT STREAM ...), windowSize, scanRadius, "
                         "minimumNumberOfPointsInAHotspot"};
    int64_t window = 0, min_points = 0;
    if (auto e = integer(0, 100, 1000, "windowSize", window)) return *e;
    const MlArgument& r = args[1];
    if (!r.value || r.value->is_null() || !SqlType::of(r.value->kind()).is_numeric() || !(r.value->to_double() > 0) ||
        !std::isfinite(r.value->to_double()))
      return MlPlanError{r.pos, "scanRadius is a number greater than 0"};
    if (auto e = integer(2, 2, window, "minimumNumberOfPointsInAHotspot", min_points)) return *e;
    cols.push_back(ColumnSchema{"HOTSPOTS_RESULT", SqlType::varchar(kMaxCharLength)});
    return MlPlan{std::make_unique<HotspotsOp>(std::move(numeric), static_cast<size_t>(window), r.value->to_double(),
                                               static_cast<size_t>(min_points)),
                  std::move(cols)};
  }

  const bool explain = name == kRcfExplained;
  const size_t most = explain ? 5 : 4;
  if (args.size() > most)
    return MlPlanError{call_pos, name + " takes CURSOR(SELECT STREAM ...) and up to " + std::to_string(most) +
                                     " more arguments: numberOfTrees, subSampleSize, timeDecay, shingleSize" +
                                     (explain ? ", withDirectionality" : "")};
  RandomCutForest::Options o;
  int64_t v = 0;
  if (args.size() > 0) {
    if (auto e = integer(0, 1, 1000, "numberOfTrees", v)) return *e;
    o.number_of_trees = static_cast<size_t>(v);
  }
  if (args.size() > 1) {
    if (auto e = integer(1, 10, 1000, "subSampleSize", v)) return *e;
    o.sub_sample_size = static_cast<size_t>(v);
  }
  if (args.size() > 2) {
    if (auto e = integer(2, 1, 2'147'483'647, "timeDecay", v)) return *e;
    o.time_decay = static_cast<double>(v);
  }
  if (args.size() > 3) {
    if (auto e = integer(3, 1, 30, "shingleSize", v)) return *e;
    o.shingle_size = static_cast<size_t>(v);
  }
  bool directionality = false;
  if (args.size() > 4) {
    const MlArgument& a = args[4];
    if (!a.value || a.value->is_null() || a.value->kind() != TypeKind::kBoolean)
      return MlPlanError{a.pos, "withDirectionality is TRUE or FALSE"};
    directionality = a.value->as_int() != 0;
  }
  o.input_dims = numeric.size();
  const double cells = static_cast<double>(o.number_of_trees) * static_cast<double>(o.sub_sample_size) *
                       static_cast<double>(o.input_dims * o.shingle_size);
  if (cells > kMaxForestCells)
    return MlPlanError{call_pos, name + ": numberOfTrees × subSampleSize × numeric columns × shingleSize is " +
                                     std::to_string(static_cast<int64_t>(cells)) + "; runnel runs up to " +
                                     std::to_string(static_cast<int64_t>(kMaxForestCells))};
  cols.push_back(ColumnSchema{"ANOMALY_SCORE", SqlType::of(TypeKind::kDouble)});
  if (explain) cols.push_back(ColumnSchema{"ANOMALY_EXPLANATION", SqlType::varchar(kMaxCharLength)});
  return MlPlan{std::make_unique<RandomCutForestOp>(std::move(numeric), std::move(names), o, explain, directionality),
                std::move(cols)};
}

}  // namespace runnel::sql
