// The log's internals for /metrics: fdatasync latency and group-commit sizes
// recorded into the Series handles of LogOptions::metrics, and
// Log::usage()'s segments and bytes.

#include <gtest/gtest.h>

#include "metrics/registry.h"
#include "storage/log.h"
#include "storage/log_test_util.h"

namespace runnel::storage {
namespace {

using testing::append_wait;
using testing::make_append;
using testing::TempDir;

std::shared_ptr<metrics::Series> series(metrics::Registry& r, const std::string& name) {
  return r.series(*metrics::MetricId::make("test", name, {}), metrics::Unit::kNone);
}

class LogMetricsTest : public ::testing::TestWithParam<FsyncPolicy> {};

TEST_P(LogMetricsTest, RecordsSyncsAndGroupCommitSizes) {
  TempDir dir;
  metrics::Registry registry;
  LogOptions o;
  o.dir = dir.path();
  o.fsync = GetParam();
  o.metrics.fdatasync_ms = series(registry, "fdatasync");
  o.metrics.group_commit_records = series(registry, "group");
  auto log = open_log(o);
  ASSERT_TRUE(log.has_value()) << log.error().to_string();
  EXPECT_EQ((*log)->usage().segments, 1u);
  EXPECT_EQ((*log)->usage().bytes, 0u);

  ASSERT_TRUE(append_wait(**log, {make_append(1, 5, "a"), make_append(2, 3, "b")}).has_value());
  ASSERT_TRUE(append_wait(**log, {make_append(1, 4, "c")}).has_value());

  // One append call is one group here (each waits for the previous).
  metrics::SeriesTotals group = o.metrics.group_commit_records->totals();
  EXPECT_EQ(group.count, 2);
  EXPECT_EQ(group.sum, 12);
  if (GetParam() == FsyncPolicy::kAlways) {
    EXPECT_GE(o.metrics.fdatasync_ms->totals().count, 2);
  }
  LogUsage u = (*log)->usage();
  EXPECT_EQ(u.segments, 1u);
  EXPECT_GT(u.bytes, 12u * 10);
  ASSERT_TRUE((*log)->close().is_ok());
  // close() syncs what interval and never left unsynced.
  EXPECT_GE(o.metrics.fdatasync_ms->totals().count, 1);
}

INSTANTIATE_TEST_SUITE_P(Policies, LogMetricsTest,
                         ::testing::Values(FsyncPolicy::kAlways, FsyncPolicy::kInterval, FsyncPolicy::kNever));

TEST(LogMetrics, WithoutHandlesNothingIsRecorded) {
  TempDir dir;
  LogOptions o;
  o.dir = dir.path();
  auto log = open_log(o);
  ASSERT_TRUE(log.has_value());
  ASSERT_TRUE(append_wait(**log, {make_append(1, 2, "a")}).has_value());
  EXPECT_GT((*log)->usage().bytes, 0u);
  ASSERT_TRUE((*log)->close().is_ok());
}

}  // namespace
}  // namespace runnel::storage
