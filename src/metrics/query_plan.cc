#include "metrics/query_plan.h"

namespace runnel::metrics {
namespace {

constexpr int64_t kHour = 3600;
constexpr int64_t kDay = 86400;

int64_t floor_to(int64_t t, int64_t step) { return t - (((t % step) + step) % step); }

bool is_sub_minute(int64_t p) { return p == 1 || p == 5 || p == 10 || p == 20 || p == 30; }

std::unexpected<QueryError> fail(QueryErrorCode code, std::string message) {
  return std::unexpected<QueryError>(QueryError{code, std::move(message)});
}

}  // namespace

std::expected<PeriodPlan, QueryError> plan_statistics(TimePoint now_tp, TimePoint start_tp, TimePoint end_tp,
                                                      int64_t period, int64_t max_datapoints) {
  if (period < 1 || (!is_sub_minute(period) && period % 60 != 0)) {
    return fail(QueryErrorCode::kInvalidPeriod, "The parameter Period must be 1, 5, 10, 20, 30, or a multiple of 60.");
  }
  int64_t now = unix_seconds(now_tp);
  int64_t start = unix_seconds(start_tp);
  int64_t end = unix_seconds(end_tp);
  if (end_tp <= start_tp) {
    return fail(QueryErrorCode::kInvalidTimeRange, "The parameter StartTime must be less than the parameter EndTime.");
  }
  int64_t age = now - start;
  if (age > 63 * kDay && period % 3600 != 0) {
    return fail(QueryErrorCode::kPeriodTooFineForAge,
                "The parameter Period must be a multiple of 3600 for data older than 63 days.");
  }
  if (age > 15 * kDay && period % 300 != 0) {
    return fail(QueryErrorCode::kPeriodTooFineForAge,
                "The parameter Period must be a multiple of 300 for data older than 15 days.");
  }
  if (age > 3 * kHour && period % 60 != 0) {
    return fail(QueryErrorCode::kPeriodTooFineForAge,
                "The parameter Period must be a multiple of 60 for data older than 3 hours.");
  }
  int64_t aligned = age > 63 * kDay   ? floor_to(start, 3600)
                    : age > 15 * kDay ? floor_to(start, 300)
                                      : floor_to(start, 60);
  if (period < 60) aligned = floor_to(start, period);
  int64_t periods = (end - aligned + period - 1) / period;
  if (periods > max_datapoints) {
    return fail(QueryErrorCode::kTooManyDatapoints, "You have requested up to " + std::to_string(periods) +
                                                        " datapoints, which exceeds the limit of " +
                                                        std::to_string(max_datapoints) +
                                                        ". You may reduce the datapoints requested by "
                                                        "increasing Period, or decreasing the time range.");
  }
  PeriodPlan plan;
  plan.aligned_start = aligned;
  plan.end = end;
  plan.period = period;
  plan.tier = 1;
  // The coarsest tier whose rows fall whole into the periods: fewest rows read.
  for (int64_t t : {int64_t{3600}, int64_t{300}, int64_t{60}}) {
    if (period % t == 0 && aligned % t == 0) {
      plan.tier = t;
      break;
    }
  }
  return plan;
}

}  // namespace runnel::metrics
