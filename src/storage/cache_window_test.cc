// The page cache window (storage/cache_window.h, docs/storage.md "Page cache
// window"): what is dropped, when, and in which order; and that the log
// drops only synced bytes and still reads everything back.
#include "storage/cache_window.h"

#include <gtest/gtest.h>

#include <memory>
#include <utility>
#include <vector>

#include "storage/fault_injection_env.h"
#include "storage/log_test_util.h"

namespace runnel::storage {
namespace {

using testing::append_wait;
using testing::make_append;
using testing::options_for;
using testing::read_all;
using testing::TempDir;

struct Drop {
  int file;
  uint64_t begin;
  uint64_t end;
  bool operator==(const Drop&) const = default;
};

// A File that only records what it is asked to drop.
class DropRecorder final : public File {
 public:
  DropRecorder(std::vector<Drop>* drops, int id = 0) : drops_(drops), id_(id) {}
  Result<size_t> read_at(uint64_t, size_t, char*) const override { return size_t{0}; }
  Status append(std::string_view) override { return Status::ok(); }
  Status sync() override { return Status::ok(); }
  Status truncate(uint64_t) override { return Status::ok(); }
  Status zero_fill(uint64_t) override { return Status::ok(); }
  uint64_t size() const override { return 0; }
  void drop_cache(uint64_t offset, uint64_t length) override { drops_->push_back({id_, offset, offset + length}); }

 private:
  std::vector<Drop>* drops_;
  int id_;
};

constexpr uint64_t kMiB = 1 << 20;

TEST(CacheWindow, ZeroWindowNeverDrops) {
  std::vector<Drop> drops;
  auto f = std::make_shared<DropRecorder>(&drops);
  CacheWindow w(0);
  for (uint64_t at = 0; at < 64 * kMiB; at += kMiB) w.synced(f, at, at + kMiB);
  EXPECT_TRUE(drops.empty());
  EXPECT_EQ(w.held(), 0u);
}

TEST(CacheWindow, DropsTheOldestPagesOnceAStepPastTheWindow) {
  std::vector<Drop> drops;
  auto f = std::make_shared<DropRecorder>(&drops);
  CacheWindow w(16 * kMiB);  // step: 1 MiB
  // Commits of odd sizes, back to back in one file.
  uint64_t at = 0;
  const uint64_t commit = 100'003;
  while (at + commit <= 17 * kMiB) {
    w.synced(f, at, at + commit);
    at += commit;
  }
  EXPECT_TRUE(drops.empty()) << "nothing dropped until a step past the window";
  while (at < 80 * kMiB) {
    w.synced(f, at, at + commit);
    at += commit;
  }
  ASSERT_FALSE(drops.empty());
  // Contiguous from the file's start, page-aligned ends, each at least about a step.
  uint64_t expect_begin = 0;
  for (const auto& [file, b, e] : drops) {
    EXPECT_EQ(b, expect_begin);
    EXPECT_EQ(e % 4096, 0u);
    EXPECT_GE(e - b, kMiB - 4096);
    expect_begin = e;
  }
  EXPECT_EQ(expect_begin + w.held(), at) << "every synced byte is either held or dropped";
  EXPECT_GE(w.held(), 16 * kMiB);
  EXPECT_LE(w.held(), 17 * kMiB + commit);
}

TEST(CacheWindow, DropsAnOldSegmentWholeBeforeTheNewOne) {
  std::vector<Drop> drops;
  auto old_seg = std::make_shared<DropRecorder>(&drops, 1);
  auto new_seg = std::make_shared<DropRecorder>(&drops, 2);
  CacheWindow w(4 * kMiB);               // step: 256 KiB
  w.synced(old_seg, 0, 3 * kMiB + 123);  // a sealed segment's last bytes need not end on a page
  w.synced(new_seg, 0, 3 * kMiB);
  w.synced(new_seg, 3 * kMiB, 6 * kMiB);
  const std::vector<Drop> expected{
      {1, 0, 2 * kMiB},               // down to the window, on a page boundary
      {1, 2 * kMiB, 3 * kMiB + 123},  // the rest of the old segment, to its last byte
      {2, 0, 2 * kMiB},               // then the new one's oldest
  };
  EXPECT_EQ(drops, expected);
  EXPECT_EQ(w.held(), 4 * kMiB);
}

TEST(CacheWindow, SkipsAFileThatIsGone) {
  std::vector<Drop> drops;
  auto old_seg = std::make_shared<DropRecorder>(&drops, 1);
  auto new_seg = std::make_shared<DropRecorder>(&drops, 2);
  CacheWindow w(kMiB);
  w.synced(old_seg, 0, kMiB);
  old_seg.reset();  // retention deleted it: the window held no reference
  w.synced(new_seg, 0, 2 * kMiB);
  const std::vector<Drop> expected{{2, 0, kMiB}};
  EXPECT_EQ(drops, expected);
  EXPECT_EQ(w.held(), kMiB);
}

// The log under each fsync policy, with a window far smaller than what it
// writes: pages are dropped, never before they are synced, and every record
// reads back, before and after a reopen.
class LogCacheWindow : public ::testing::TestWithParam<FsyncPolicy> {};

TEST_P(LogCacheWindow, DropsOnlySyncedBytesAndEveryRecordReadsBack) {
  TempDir dir;
  FaultInjectionEnv env(Env::posix(), 1, /*real_syncs=*/false);
  LogOptions o = options_for(dir.path());
  o.fsync = GetParam();
  o.fsync_interval_ms = 5;
  o.segment_bytes = 256 << 10;  // several rolls
  o.cache_window_bytes = 64 << 10;
  const std::string big(2000, 'x');
  size_t written = 0;
  {
    auto log = LocalLog::open(o, &env);
    ASSERT_TRUE(log);
    for (int i = 0; i < 200; ++i) {
      ShardAppend sa = make_append(static_cast<ShardKey>(1 + i % 3), 4, "r" + std::to_string(i));
      for (auto& r : sa.records) r.data += big;
      written += sa.records.size();
      ASSERT_TRUE(append_wait(**log, {std::move(sa)}));
    }
    size_t read = 0;
    for (ShardKey s = 1; s <= 3; ++s) read += read_all(**log, s).size();
    EXPECT_EQ(read, written);
    ASSERT_TRUE((*log)->close());
  }
  EXPECT_GT(env.dropped_bytes(), 0u);
  EXPECT_EQ(env.unsynced_drops(), 0u);

  auto log = LocalLog::open(o, &env);
  ASSERT_TRUE(log);
  size_t read = 0;
  for (ShardKey s = 1; s <= 3; ++s) read += read_all(**log, s).size();
  EXPECT_EQ(read, written);
  EXPECT_EQ(env.unsynced_drops(), 0u) << "recovery counts only synced bytes into the window";
}

INSTANTIATE_TEST_SUITE_P(Policies, LogCacheWindow,
                         ::testing::Values(FsyncPolicy::kAlways, FsyncPolicy::kInterval, FsyncPolicy::kNever));

}  // namespace
}  // namespace runnel::storage
