// The runway: synced zeros past the active segment's end at low write rates
// (LocalLog::maybe_extend_runway, docs/storage.md "Runway").
#include <gtest/gtest.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <thread>

#include "storage/fault_injection_env.h"
#include "storage/log_test_util.h"
#include "storage/segment_name.h"

namespace runnel::storage {
namespace {

using testing::append_wait;
using testing::make_append;
using testing::options_for;
using testing::read_all;
using testing::segment_paths;
using testing::slurp;
using testing::TempDir;

uint64_t file_size(const std::string& path) { return std::filesystem::file_size(path); }

// Waits until the file on disk is at least `size` bytes (the runway is laid
// down by the writer after the commit that triggered it was acknowledged).
bool wait_for_size(const std::string& path, uint64_t size) {
  for (int i = 0; i < 2000; ++i) {
    if (file_size(path) >= size) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
  return false;
}

// Bytes of batches in the segment file (offset of the first zero header).
uint64_t data_end(const std::string& bytes) {
  uint64_t pos = 0;
  while (pos + batch::kHeaderSize <= bytes.size()) {
    auto h = batch::parse_header(bytes.data() + pos);
    if (!h) break;
    pos += h->total_size();
  }
  return pos;
}

LogOptions runway_options(const std::string& dir, uint64_t runway = 64 << 10) {
  LogOptions o = options_for(dir);
  o.runway_bytes = runway;
  return o;
}

TEST(LogRunway, ZerosFollowTheDataAndAppendsOverwriteThem) {
  TempDir dir;
  auto opts = runway_options(dir.path());
  auto log = open_log(opts);
  ASSERT_TRUE(log);
  ASSERT_TRUE(append_wait(**log, {make_append(1, 3, "a")}));
  const std::string seg = segment_paths(dir.path()).back();
  ASSERT_TRUE(wait_for_size(seg, opts.runway_bytes));
  std::string bytes = slurp(seg);
  const uint64_t end = data_end(bytes);
  ASSERT_GT(end, 0u);
  EXPECT_EQ(bytes.find_first_not_of('\0', end), std::string::npos) << "the runway holds only zeros";
  EXPECT_LE(bytes.size(), end + opts.runway_bytes);

  // Later commits land on the zeros in place: the file does not grow while
  // the runway lasts, and every record reads back.
  const uint64_t before = file_size(seg);
  for (int i = 0; i < 5; ++i) ASSERT_TRUE(append_wait(**log, {make_append(1, 2, "b" + std::to_string(i))}));
  EXPECT_EQ(file_size(seg), before);
  EXPECT_EQ(read_all(**log, 1).size(), 13u);
  ASSERT_TRUE((*log)->close());

  // A clean close cuts the unused runway off: at rest a segment is batches only.
  bytes = slurp(seg);
  EXPECT_EQ(data_end(bytes), bytes.size());
}

TEST(LogRunway, ZeroTailAfterACrashIsTheEndOfTheData) {
  TempDir dir;
  auto opts = runway_options(dir.path());
  {
    auto log = open_log(opts);
    ASSERT_TRUE(log);
    ASSERT_TRUE(append_wait(**log, {make_append(1, 4, "a")}));
    ASSERT_TRUE((*log)->close());
  }
  // What a crash leaves: the data, then synced zeros of the runway.
  const std::string seg = segment_paths(dir.path()).back();
  const uint64_t end = file_size(seg);
  std::filesystem::resize_file(seg, end + 100'000);
  auto log = open_log(opts);
  ASSERT_TRUE(log) << log.error().to_string();
  EXPECT_EQ(file_size(seg), end) << "recovery cuts the zero tail off";
  EXPECT_EQ(read_all(**log, 1).size(), 4u);
  auto r = append_wait(**log, {make_append(1, 1, "b")});
  ASSERT_TRUE(r);
  EXPECT_EQ((*r)[0].first_counter, 5u);
  ASSERT_TRUE((*log)->close());
  log = open_log(opts);
  ASSERT_TRUE(log);
  EXPECT_EQ(read_all(**log, 1).size(), 5u);
}

TEST(LogRunway, ZeroTailOfAnOlderSegmentIsNotDamage) {
  TempDir dir;
  auto opts = runway_options(dir.path());
  opts.segment_bytes = 4096;
  {
    auto log = open_log(opts);
    ASSERT_TRUE(log);
    for (int i = 0; i < 40; ++i) {
      auto r = append_wait(**log, {make_append(1, 3, "c" + std::to_string(i) + std::string(60, 'x'))});
      ASSERT_TRUE(r) << r.error().to_string();
    }
    ASSERT_TRUE((*log)->close());
  }
  auto segs = segment_paths(dir.path());
  ASSERT_GE(segs.size(), 3u);
  for (const auto& s : segs) {
    const std::string bytes = slurp(s);
    EXPECT_EQ(data_end(bytes), bytes.size()) << "a roll trims the runway: " << s;
  }
  // Zeros left behind an older segment (a trim that never reached the disk)
  // end its data; they do not make its records or later segments untrusted.
  std::filesystem::resize_file(segs[0], file_size(segs[0]) + 8192);
  auto log = open_log(opts);
  ASSERT_TRUE(log);
  const auto got = read_all(**log, 1);
  ASSERT_EQ(got.size(), 120u);
  for (size_t i = 0; i < got.size(); ++i) EXPECT_EQ(got[i].counter, i + 1);
  auto r = append_wait(**log, {make_append(1, 1, "d")});
  ASSERT_TRUE(r);
  EXPECT_EQ((*r)[0].first_counter, 121u);
}

TEST(LogRunway, NoRunwayAtHighWriteRates) {
  TempDir dir;
  auto opts = runway_options(dir.path());
  opts.runway_max_rate = 1024;  // bytes per second: every commit below is over it
  auto log = open_log(opts);
  ASSERT_TRUE(log);
  for (int i = 0; i < 5; ++i) {
    ShardAppend sa;
    sa.shard = 1;
    sa.records.push_back({"pk", std::string(2000, 'x')});
    ASSERT_TRUE(append_wait(**log, {sa}));
  }
  const std::string seg = segment_paths(dir.path()).back();
  std::this_thread::sleep_for(std::chrono::milliseconds(50));
  const std::string bytes = slurp(seg);
  EXPECT_EQ(data_end(bytes), bytes.size());
}

TEST(LogRunway, NoRunwayWithoutFsyncAlways) {
  TempDir dir;
  auto opts = runway_options(dir.path());
  opts.fsync = FsyncPolicy::kNever;
  auto log = open_log(opts);
  ASSERT_TRUE(log);
  ASSERT_TRUE(append_wait(**log, {make_append(1, 3, "a")}));
  std::this_thread::sleep_for(std::chrono::milliseconds(50));
  const std::string bytes = slurp(segment_paths(dir.path()).back());
  EXPECT_EQ(data_end(bytes), bytes.size());
}

// The fault model: a write over synced zeros that is lost in a crash reads
// back as zeros, and the zeros themselves survive only once synced.
TEST(LogRunway, FaultInjectionRevertsLostWritesOnTheRunwayToZeros) {
  TempDir dir;
  FaultInjectionEnv env(Env::posix());
  const std::string path = dir.path() + "/f";
  {
    auto f = env.open_file(path, Env::OpenMode::kCreate);
    ASSERT_TRUE(f);
    ASSERT_TRUE(env.sync_dir(dir.path()));
    ASSERT_TRUE((*f)->append("abc"));
    ASSERT_TRUE((*f)->sync());
    ASSERT_TRUE((*f)->zero_fill(100));
    EXPECT_EQ((*f)->size(), 3u) << "zero_fill does not move the tracked end";
    ASSERT_TRUE((*f)->sync());
    ASSERT_TRUE((*f)->append("def"));   // on the runway, never synced
    ASSERT_TRUE((*f)->zero_fill(200));  // never synced: may vanish
  }
  env.crash();
  ASSERT_TRUE(env.apply_crash(FaultInjectionEnv::TornWrite::kDropAll));
  env.reset();
  const std::string bytes = slurp(path);
  ASSERT_EQ(bytes.size(), 100u);
  EXPECT_EQ(bytes.substr(0, 3), "abc");
  EXPECT_EQ(bytes.find_first_not_of('\0', 3), std::string::npos);
}

// Crashes at random moments with the runway on and commits landing on it:
// every acknowledged record survives (the general crash test, with a log
// that keeps a runway and rolls segments).
TEST(LogRunway, AckedRecordsSurviveCrashesOnTheRunway) {
  for (auto mode : {FaultInjectionEnv::TornWrite::kDropAll, FaultInjectionEnv::TornWrite::kRandomPrefix,
                    FaultInjectionEnv::TornWrite::kGarbage}) {
    TempDir dir;
    FaultInjectionEnv env(Env::posix(), 7, /*real_syncs=*/false);
    auto opts = runway_options(dir.path(), 8 << 10);
    opts.segment_bytes = 32 << 10;
    std::map<uint64_t, std::string> acked;
    for (int generation = 0; generation < 3; ++generation) {
      auto log = open_log(opts, &env);
      ASSERT_TRUE(log) << log.error().to_string();
      const auto got = read_all(**log, 1);
      std::map<uint64_t, std::string> seen;
      for (const auto& r : got) seen[r.counter] = r.data;
      for (const auto& [c, d] : acked) {
        ASSERT_TRUE(seen.contains(c)) << "lost acknowledged counter " << c;
        EXPECT_EQ(seen[c], d);
      }
      // Acknowledged appends, then one left in flight when the crash comes.
      for (int i = 0; i < 30; ++i) {
        auto sa = make_append(1, 2, "g" + std::to_string(generation) + "." + std::to_string(i));
        auto r = append_wait(**log, {sa});
        ASSERT_TRUE(r);
        for (size_t k = 0; k < sa.records.size(); ++k) acked[(*r)[0].first_counter + k] = sa.records[k].data;
      }
      (*log)->append({make_append(1, 2, "inflight")}, [](Result<std::vector<Appended>>) {});
      env.crash();
      log->reset();
      ASSERT_TRUE(env.apply_crash(mode));
      env.reset();
    }
    auto log = open_log(opts, &env);
    ASSERT_TRUE(log);
    const auto got = read_all(**log, 1);
    std::map<uint64_t, std::string> seen;
    for (const auto& r : got) seen[r.counter] = r.data;
    for (const auto& [c, d] : acked) ASSERT_EQ(seen[c], d) << "counter " << c;
  }
}

}  // namespace
}  // namespace runnel::storage
