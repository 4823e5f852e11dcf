#include "metrics/query_plan.h"

#include <gtest/gtest.h>

#include "metrics/test_util.h"

namespace runnel::metrics {
namespace {

using testing::at;

constexpr int64_t kNow = 1'700'006'400;  // a whole hour (1'700'006'400 % 3600 == 0)
constexpr int64_t kDay = 86400;

TEST(QueryPlan, PeriodMustBeSubMinuteStepOrMultipleOf60) {
  for (int64_t p : {1, 5, 10, 20, 30, 60, 120, 300, 3600, 86400}) {
    EXPECT_TRUE(plan_statistics(at(kNow), at(kNow - 600), at(kNow), p).has_value()) << p;
  }
  for (int64_t p : {0, -60, 2, 45, 90, 61}) {
    auto plan = plan_statistics(at(kNow), at(kNow - 600), at(kNow), p);
    ASSERT_FALSE(plan.has_value()) << p;
    EXPECT_EQ(plan.error().code, QueryErrorCode::kInvalidPeriod);
  }
}

TEST(QueryPlan, OldDataNeedsCoarserPeriods) {
  auto expect_error = [](int64_t age, int64_t period) {
    auto plan = plan_statistics(at(kNow), at(kNow - age), at(kNow - age + 3 * 3600), period);
    ASSERT_FALSE(plan.has_value()) << age << " " << period;
    EXPECT_EQ(plan.error().code, QueryErrorCode::kPeriodTooFineForAge);
  };
  expect_error(4 * 3600, 10);
  expect_error(16 * kDay, 60);
  expect_error(64 * kDay, 300);
  EXPECT_TRUE(plan_statistics(at(kNow), at(kNow - 16 * kDay), at(kNow - 15 * kDay), 300).has_value());
  EXPECT_TRUE(plan_statistics(at(kNow), at(kNow - 64 * kDay), at(kNow - 63 * kDay), 3600).has_value());
}

TEST(QueryPlan, StartIsRoundedAsCloudWatchRoundsIt) {
  // 12:32:34-style starts: minute under 15 days, 5 minutes to 63, hour beyond.
  int64_t odd = 2 * 60 + 34 + 1800;  // 32 min 34 s past an hour
  auto recent = plan_statistics(at(kNow), at(kNow - 3600 + odd), at(kNow), 60);
  EXPECT_EQ(recent->aligned_start, kNow - 3600 + 1800 + 120);
  auto mid = plan_statistics(at(kNow), at(kNow - 20 * kDay + odd), at(kNow - 19 * kDay), 300);
  EXPECT_EQ(mid->aligned_start, kNow - 20 * kDay + 1800);
  auto old = plan_statistics(at(kNow), at(kNow - 70 * kDay + odd), at(kNow - 69 * kDay), 3600);
  EXPECT_EQ(old->aligned_start, kNow - 70 * kDay);
  // A 10-second period: 01:05:23 -> 01:05:20.
  auto fine = plan_statistics(at(kNow), at(kNow - 600 + 23), at(kNow), 10);
  EXPECT_EQ(fine->aligned_start, kNow - 600 + 20);
}

TEST(QueryPlan, TheCoarsestTierThatFitsThePeriodsIsRead) {
  EXPECT_EQ(plan_statistics(at(kNow), at(kNow - 7200), at(kNow), 3600)->tier, 3600);
  EXPECT_EQ(plan_statistics(at(kNow), at(kNow - 7200 + 60), at(kNow), 3600)->tier, 60);  // 1-minute aligned
  EXPECT_EQ(plan_statistics(at(kNow), at(kNow - 7200), at(kNow), 600)->tier, 300);
  EXPECT_EQ(plan_statistics(at(kNow), at(kNow - 7200), at(kNow), 120)->tier, 60);
  EXPECT_EQ(plan_statistics(at(kNow), at(kNow - 600), at(kNow), 30)->tier, 1);
}

TEST(QueryPlan, AtMost1440Datapoints) {
  EXPECT_TRUE(plan_statistics(at(kNow), at(kNow - 1440 * 60), at(kNow), 60).has_value());
  auto plan = plan_statistics(at(kNow), at(kNow - 1441 * 60), at(kNow), 60);
  ASSERT_FALSE(plan.has_value());
  EXPECT_EQ(plan.error().code, QueryErrorCode::kTooManyDatapoints);
  EXPECT_FALSE(plan_statistics(at(kNow), at(kNow), at(kNow), 60).has_value());
}

}  // namespace
}  // namespace runnel::metrics
