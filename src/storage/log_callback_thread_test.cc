// The thread contract of Log::append's `done` callback (log.h), per fsync
// policy. The comments said "on the log's writer thread" everywhere, which
// was false under kAlways: the sync thread acknowledges written batches
// (issue 15). This records the thread each callback runs on.
#include <gtest/gtest.h>

#include <future>
#include <thread>

#include "storage/local_log.h"
#include "storage/log_test_util.h"

namespace runnel::storage {
namespace {

using testing::make_append;
using testing::TempDir;

struct Completion {
  std::thread::id thread;
  bool ok = false;
};

// Appends and waits; returns where and how `done` ran.
Completion append_on(Log& log, std::vector<ShardAppend> appends) {
  std::promise<Completion> p;
  auto f = p.get_future();
  log.append(std::move(appends), [&p](Result<std::vector<Appended>> r) {
    p.set_value(Completion{std::this_thread::get_id(), r.has_value()});
  });
  return f.get();
}

class CallbackThread : public ::testing::TestWithParam<FsyncPolicy> {};

TEST_P(CallbackThread, MatchesTheDocumentedContract) {
  TempDir dir;
  LogOptions o = testing::options_for(dir.path());
  o.fsync = GetParam();
  auto log = LocalLog::open(o, nullptr);
  ASSERT_TRUE(log);
  const std::thread::id caller = std::this_thread::get_id();

  // An append that writes nothing (its shard was dropped) completes on the
  // writer thread under every policy.
  ASSERT_TRUE((*log)->drop_shards({9}));
  const Completion rejected = append_on(**log, {make_append(9, 1, "x")});
  EXPECT_FALSE(rejected.ok);
  const std::thread::id writer = rejected.thread;
  EXPECT_NE(writer, caller);

  // Written batches: the sync thread under kAlways, the writer otherwise;
  // always the same thread.
  std::thread::id acknowledger;
  for (int i = 0; i < 5; ++i) {
    const Completion written = append_on(**log, {make_append(1, 3, "r" + std::to_string(i))});
    ASSERT_TRUE(written.ok);
    EXPECT_NE(written.thread, caller);
    if (i == 0) acknowledger = written.thread;
    EXPECT_EQ(written.thread, acknowledger);
  }
  if (GetParam() == FsyncPolicy::kAlways) {
    EXPECT_NE(acknowledger, writer) << "kAlways: the sync thread acknowledges written batches";
  } else {
    EXPECT_EQ(acknowledger, writer) << "kInterval/kNever: the writer acknowledges";
  }

  // Once the log is closed: the caller of append(), before it returns.
  ASSERT_TRUE((*log)->close());
  const Completion closed = append_on(**log, {make_append(1, 1, "late")});
  EXPECT_FALSE(closed.ok);
  EXPECT_EQ(closed.thread, caller);
}

INSTANTIATE_TEST_SUITE_P(Policies, CallbackThread,
                         ::testing::Values(FsyncPolicy::kAlways, FsyncPolicy::kInterval, FsyncPolicy::kNever),
                         [](const ::testing::TestParamInfo<FsyncPolicy>& info) {
                           switch (info.param) {
                             case FsyncPolicy::kAlways: return std::string("Always");
                             case FsyncPolicy::kInterval: return std::string("Interval");
                             case FsyncPolicy::kNever: return std::string("Never");
                           }
                           return std::string("Unknown");
                         });

}  // namespace
}  // namespace runnel::storage
