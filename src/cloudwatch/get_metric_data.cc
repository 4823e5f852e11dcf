// GetMetricData: MetricStat queries read from the store, Expression queries
// evaluated by metric math (metric_math.h) over them, results in
// ScanBy order. At most MaxDatapoints points (all results together) go in
// one answer: a result cut short has StatusCode PartialData and the answer a
// NextToken; the same request with that token continues where the last page
// stopped. Tokens carry no state on the server: the offset into the
// answer's points and a fingerprint of the request they belong to.

#include <algorithm>
#include <charconv>
#include <map>

#include "cloudwatch/cloudwatch_service.h"
#include "cloudwatch/dynamic_labels.h"
#include "cloudwatch/metric_math.h"
#include "cloudwatch/request_values.h"
#include "metrics/query_plan.h"
#include "protocol/base64.h"

namespace runnel::cloudwatch {

protocol::ApiError statistics_query_error(const metrics::QueryError& e);  // get_metric_statistics.cc

namespace {

constexpr int64_t kDefaultMaxDatapoints = 100'800;

protocol::ApiError validation(std::string message) { return protocol::validation_error(std::move(message)); }

std::string member(size_t i) { return "MetricDataQueries.member." + std::to_string(i + 1); }

// One result before paging: every point of it, in ScanBy order.
struct FullResult {
  std::string id;
  std::string label;
  std::vector<Datapoint> points;
  std::vector<MetricMathMessage> messages;
};

api::MetricDataResult page_of(const FullResult& full, size_t from, size_t count) {
  api::MetricDataResult r;
  r.id = full.id;
  r.label = full.label;
  auto& timestamps = r.timestamps.emplace();
  auto& values = r.values.emplace();
  timestamps.reserve(count);
  values.reserve(count);
  for (size_t k = from; k < from + count; ++k) {
    timestamps.push_back(timestamp_of(full.points[k].timestamp));
    values.push_back(full.points[k].value);
  }
  bool complete = from + count == full.points.size();
  r.status_code = std::string(complete ? api::StatusCode::kComplete : api::StatusCode::kPartialData);
  if (!full.messages.empty()) {
    auto& msgs = r.messages.emplace();
    for (const MetricMathMessage& m : full.messages) {
      api::MessageData& msg = msgs.emplace_back();
      msg.code = m.code;
      msg.value = m.value;
    }
  }
  return r;
}

// FNV-1a over what decides a request's answer, so a token is refused for
// another request.
uint64_t fingerprint(const api::GetMetricDataInput& in) {
  uint64_t h = 1469598103934665603ull;
  auto mix = [&](std::string_view s) {
    for (unsigned char c : s) h = (h ^ c) * 1099511628211ull;
    h = (h ^ 0xff) * 1099511628211ull;
  };
  for (const api::MetricDataQuery& q : in.metric_data_queries) {
    mix(q.id);
    mix(q.expression.value_or(""));
    mix(q.label.value_or(""));
    if (q.metric_stat) {
      mix(q.metric_stat->stat);
      mix(std::to_string(q.metric_stat->period));
      mix(q.metric_stat->metric.namespace_.value_or(""));
      mix(q.metric_stat->metric.metric_name.value_or(""));
      for (const auto& d : q.metric_stat->metric.dimensions.value_or(std::vector<api::Dimension>{})) {
        mix(d.name);
        mix(d.value);
      }
    }
  }
  mix(std::to_string(metrics::unix_seconds(time_point(in.start_time))));
  mix(std::to_string(metrics::unix_seconds(time_point(in.end_time))));
  mix(in.scan_by.value_or(""));
  mix(std::to_string(in.max_datapoints.value_or(kDefaultMaxDatapoints)));
  return h;
}

std::string make_token(uint64_t offset, uint64_t print) {
  return protocol::base64_encode("gmd1:" + std::to_string(offset) + ":" + std::to_string(print));
}

// The offset a token continues from, or nullopt when it is not one of ours
// for this request.
std::optional<uint64_t> parse_token(const std::string& token, uint64_t print) {
  auto text = protocol::base64_decode(token);
  if (!text || !text->starts_with("gmd1:")) return std::nullopt;
  std::string_view rest = std::string_view(*text).substr(5);
  size_t colon = rest.find(':');
  if (colon == std::string_view::npos) return std::nullopt;
  uint64_t offset = 0, got = 0;
  auto a = std::from_chars(rest.data(), rest.data() + colon, offset);
  auto b = std::from_chars(rest.data() + colon + 1, rest.data() + rest.size(), got);
  if (a.ec != std::errc() || a.ptr != rest.data() + colon || b.ec != std::errc() ||
      b.ptr != rest.data() + rest.size() || got != print || offset == 0)
    return std::nullopt;
  return offset;
}

}  // namespace

protocol::ApiResult<api::GetMetricDataOutput> CloudWatchService::get_metric_data(const api::GetMetricDataInput& in) {
  const std::vector<api::MetricDataQuery>& queries = in.metric_data_queries;
  if (queries.empty()) return std::unexpected(missing_parameter("The parameter MetricDataQueries is required."));
  if (queries.size() > kMaxQueries)
    return std::unexpected(validation("The collection MetricDataQueries must not have a size greater than " +
                                      std::to_string(kMaxQueries) + "."));
  const metrics::TimePoint start = time_point(in.start_time);
  const metrics::TimePoint end = time_point(in.end_time);
  const bool descending = !in.scan_by || *in.scan_by == api::ScanBy::kTimestampDescending;
  const uint64_t print = fingerprint(in);
  uint64_t skip = 0;
  if (in.next_token) {
    auto offset = parse_token(*in.next_token, print);
    if (!offset)
      return std::unexpected(
          protocol::ApiError{"InvalidNextToken", "The value for parameter NextToken is invalid.", 400, true});
    skip = *offset;
  }

  std::vector<MetricMathQuery> math;
  std::vector<bool> returned;
  std::vector<std::string> labels;
  std::vector<std::map<std::string, std::string>> properties;  // for dynamic labels
  std::vector<std::string> default_labels;
  int64_t min_period = 0;
  for (size_t i = 0; i < queries.size(); ++i) {
    const api::MetricDataQuery& q = queries[i];
    const auto& stat = q.metric_stat;
    if (stat.has_value() == q.expression.has_value())
      return std::unexpected(
          validation("The parameter " + member(i) + " must specify exactly one of MetricStat and Expression."));
    MetricMathQuery mq;
    mq.id = q.id;
    mq.label = q.label.value_or("");
    std::map<std::string, std::string> props;
    std::string default_label = q.id;
    returned.push_back(q.return_data.value_or(true));
    if (q.expression) {
      mq.expression = *q.expression;
      mq.period = q.period.value_or(0);
    } else {
      const std::string& s = stat->stat;
      if (!is_known_statistic(s))
        return std::unexpected(
            validation("The value " + s + " for parameter " + member(i) + ".MetricStat.Stat is not supported."));
      const api::Metric& metric = stat->metric;
      auto id = metric_id_from(metric.namespace_ ? &*metric.namespace_ : nullptr,
                               metric.metric_name ? &*metric.metric_name : nullptr, metric.dimensions,
                               member(i) + ".MetricStat.Metric.");
      if (!id) return std::unexpected(id.error());
      mq.period = stat->period;
      default_label = id->name();
      if (mq.label.empty()) mq.label = id->name();
      props = {
          {"MetricName", id->name()}, {"Namespace", id->ns()}, {"Period", std::to_string(stat->period)}, {"Stat", s}};
      for (const metrics::Dimension& d : id->dimensions()) props["Dim." + d.name] = d.value;
      auto points = metrics_.store().statistics(*id, unit_from(stat->unit), start, end, mq.period, kMaxGridPoints);
      if (!points) return std::unexpected(statistics_query_error(points.error()));
      // One value per period: the units the metric was recorded with, merged.
      for (size_t k = 0; k < points->size();) {
        metrics::Aggregate merged = (*points)[k].aggregate;
        auto ts = (*points)[k].timestamp;
        for (++k; k < points->size() && (*points)[k].timestamp == ts; ++k) merged.merge((*points)[k].aggregate);
        if (auto v = statistic_value(merged, s)) mq.points.push_back({metrics::unix_seconds(ts), *v});
      }
      if (min_period == 0 || mq.period < min_period) min_period = mq.period;
    }
    labels.push_back(mq.label);
    properties.push_back(std::move(props));
    default_labels.push_back(std::move(default_label));
    math.push_back(std::move(mq));
  }

  MetricMathWindow window{metrics::unix_seconds(start), metrics::unix_seconds(end), min_period ? min_period : 60};
  auto evaluated = evaluate_metric_math(math, window);
  if (!evaluated) return std::unexpected(validation(evaluated.error().message()));

  std::vector<FullResult> full;
  size_t next_expression_result = 0;
  for (size_t i = 0; i < math.size(); ++i) {
    if (math[i].expression.empty()) {
      if (returned[i])
        full.push_back({math[i].id,
                        expand_dynamic_label(labels[i], properties[i], default_labels[i], math[i].points),
                        std::move(math[i].points),
                        {}});
      continue;
    }
    // An expression gives one result or several (an array), all with its Id.
    while (next_expression_result < evaluated->size() && (*evaluated)[next_expression_result].id == math[i].id) {
      MetricMathResult& r = (*evaluated)[next_expression_result++];
      if (!returned[i]) continue;
      std::string label = expand_dynamic_label(r.label, properties[i], default_labels[i], r.points);
      full.push_back({r.id, std::move(label), std::move(r.points), r.messages});
    }
  }

  // The page: the points from `skip` on, at most MaxDatapoints of them, in
  // result order. A result shows in a page that holds points of it (and,
  // on the first page, also when it has none at all).
  api::GetMetricDataOutput out;
  auto& results = out.metric_data_results.emplace();
  // At least one point a page, so that paging always moves on.
  const uint64_t budget =
      static_cast<uint64_t>(std::max<int64_t>(in.max_datapoints.value_or(kDefaultMaxDatapoints), 1));
  uint64_t position = 0, taken = 0;
  bool more = false;
  for (FullResult& f : full) {
    if (descending) std::reverse(f.points.begin(), f.points.end());
    uint64_t size = f.points.size();
    uint64_t first = std::max(skip, position);
    position += size;
    if (first >= position) {
      if (size == 0 && skip == 0) results.push_back(page_of(f, 0, 0));
      continue;
    }
    if (taken == budget) {
      more = true;
      if (skip == 0 && first == position - size) results.push_back(page_of(f, 0, 0));  // PartialData, no points
      continue;
    }
    uint64_t from = first - (position - size);
    uint64_t count = std::min(size - from, budget - taken);
    results.push_back(page_of(f, static_cast<size_t>(from), static_cast<size_t>(count)));
    taken += count;
    if (from + count < size) more = true;
  }
  if (more) out.next_token = make_token(skip + taken, print);
  out.messages.emplace();
  return out;
}

}  // namespace runnel::cloudwatch
