// kill -9 of a process that records and flushes: what a flush acknowledged
// is never lost, and nothing is counted twice after the restart.

#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <string>

#include "metrics/metrics.h"
#include "metrics/test_util.h"

namespace runnel::metrics {
namespace {

using testing::at;
using testing::TempDir;

constexpr int64_t kT0 = 1'700'006'400;

MetricId crash_metric() { return *MetricId::make("Test", "Crash", {{"Run", "1"}}); }

std::unique_ptr<Metrics> open_at(const std::string& path, int64_t flush_ms) {
  MetricsOptions o;
  o.path = path;
  o.flush_interval_ms = flush_ms;
  o.clock = [] { return at(kT0 + 10); };
  auto m = Metrics::open(std::move(o));
  return m ? std::move(*m) : nullptr;
}

double stored_sum(const std::string& path, double* count = nullptr) {
  auto m = open_at(path, 3'600'000);
  if (!m) return -1;
  auto r = m->store().statistics(crash_metric(), std::nullopt, at(kT0), at(kT0 + 60), 60);
  if (!r || r->empty()) return 0;
  if (count) *count = (*r)[0].aggregate.count;
  return (*r)[0].aggregate.sum;
}

// The child records `before` as ones, flushes, records `after` more without
// flushing, then SIGKILLs itself.
void run_child(const std::string& path, int before, int after) {
  auto m = open_at(path, 3'600'000);
  if (!m) _exit(2);
  auto s = m->registry().series(crash_metric(), Unit::kCount);
  for (int i = 0; i < before; ++i) s->record(1);
  if (!m->flush().is_ok()) _exit(3);
  for (int i = 0; i < after; ++i) s->record(1);
  raise(SIGKILL);
  _exit(4);
}

int wait_child(pid_t pid) {
  int status = 0;
  waitpid(pid, &status, 0);
  return WIFSIGNALED(status) ? WTERMSIG(status) : -WEXITSTATUS(status);
}

TEST(CrashSafety, KilledAfterAFlushKeepsTheFlushedValuesOnly) {
  TempDir dir;
  std::string path = dir.file("metrics.db");
  for (int round = 1; round <= 3; ++round) {
    pid_t pid = fork();
    ASSERT_GE(pid, 0);
    if (pid == 0) run_child(path, 100, 50);
    ASSERT_EQ(wait_child(pid), SIGKILL);
    double count = 0;
    // Each round adds its flushed 100; the 50 unflushed are gone; reopening
    // (twice) re-adds nothing.
    EXPECT_EQ(stored_sum(path, &count), 100.0 * round);
    EXPECT_EQ(count, 100.0 * round);
    EXPECT_EQ(stored_sum(path), 100.0 * round);
  }
}

TEST(CrashSafety, KilledWhileTheFlusherRunsLosesAtMostTheUnflushedTail) {
  TempDir dir;
  std::string path = dir.file("metrics.db");
  int fds[2];
  ASSERT_EQ(pipe(fds), 0);
  pid_t pid = fork();
  ASSERT_GE(pid, 0);
  if (pid == 0) {
    close(fds[0]);
    // The flusher thread writes every 2 ms while this thread records; every
    // 1,000 values we flush by hand too and report what is durable.
    auto m = open_at(path, 2);
    if (!m) _exit(2);
    auto s = m->registry().series(crash_metric(), Unit::kCount);
    for (int i = 1; i <= 200000; ++i) {
      s->record(1);
      if (i % 1000 == 0) {
        if (!m->flush().is_ok()) _exit(3);
        std::string line = std::to_string(i) + "\n";
        if (write(fds[1], line.data(), line.size()) < 0) _exit(5);
      }
      if (i == 150500) raise(SIGKILL);
    }
    _exit(4);
  }
  close(fds[1]);
  std::string reported;
  char buf[4096];
  ssize_t n;
  while ((n = read(fds[0], buf, sizeof buf)) > 0) reported.append(buf, static_cast<size_t>(n));
  close(fds[0]);
  ASSERT_EQ(wait_child(pid), SIGKILL);
  ASSERT_FALSE(reported.empty());
  reported.pop_back();
  double acknowledged = std::stod(reported.substr(reported.rfind('\n') + 1));
  EXPECT_EQ(acknowledged, 150000);
  double count = 0;
  double sum = stored_sum(path, &count);
  EXPECT_GE(sum, acknowledged);  // nothing flushed is lost
  EXPECT_LE(sum, 150500);        // nothing counted twice
  EXPECT_EQ(count, sum);
}

}  // namespace
}  // namespace runnel::metrics
