// Segment summaries (storage/segment_summary.h, docs/storage.md §3a): the
// codec, and a log that indexes its sealed segments from them at open.
#include "storage/segment_summary.h"

#include <gtest/gtest.h>

#include <cstring>
#include <filesystem>
#include <fstream>
#include <map>

#include "storage/crc32c.h"
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

std::vector<SummaryEntry> three_batches() {
  std::vector<SummaryEntry> out;
  uint32_t offset = 0;
  for (uint64_t i = 0; i < 3; ++i) {
    SummaryEntry e;
    e.offset = offset;
    e.header.shard = 7 + i;
    e.header.first_counter = 1 + 10 * i;
    e.header.record_count = 10;
    e.header.payload_length = 300 + static_cast<uint32_t>(i);
    e.header.first_arrival_ms = 1'700'000'000'000 + static_cast<int64_t>(i);
    e.header.last_arrival_ms = e.header.first_arrival_ms + 5;
    e.header.leader_epoch = i;
    offset += static_cast<uint32_t>(e.header.total_size());
    out.push_back(e);
  }
  return out;
}

uint64_t end_of(const std::vector<SummaryEntry>& entries) {
  return entries.back().offset + entries.back().header.total_size();
}

TEST(SegmentSummary, RoundTrips) {
  const auto entries = three_batches();
  const std::string bytes = encode_segment_summary(4, end_of(entries), entries);
  EXPECT_EQ(bytes.size(), 32u + 3 * 56u);
  auto back = decode_segment_summary(bytes, 4, end_of(entries));
  ASSERT_TRUE(back) << back.error().to_string();
  ASSERT_EQ(back->size(), 3u);
  for (size_t i = 0; i < 3; ++i) {
    const auto& a = entries[i];
    const auto& b = (*back)[i];
    EXPECT_EQ(b.offset, a.offset);
    EXPECT_EQ(b.header.shard, a.header.shard);
    EXPECT_EQ(b.header.first_counter, a.header.first_counter);
    EXPECT_EQ(b.header.record_count, a.header.record_count);
    EXPECT_EQ(b.header.payload_length, a.header.payload_length);
    EXPECT_EQ(b.header.first_arrival_ms, a.header.first_arrival_ms);
    EXPECT_EQ(b.header.last_arrival_ms, a.header.last_arrival_ms);
    EXPECT_EQ(b.header.leader_epoch, a.header.leader_epoch);
  }
  // An empty segment has an empty summary.
  EXPECT_TRUE(decode_segment_summary(encode_segment_summary(4, 0, {}), 4, 0));
}

TEST(SegmentSummary, AnyFlippedByteOrMismatchIsRejected) {
  const auto entries = three_batches();
  const uint64_t size = end_of(entries);
  const std::string bytes = encode_segment_summary(4, size, entries);
  for (size_t i = 0; i < bytes.size(); ++i) {
    std::string bad = bytes;
    bad[i] = static_cast<char>(bad[i] ^ 0x20);
    EXPECT_FALSE(decode_segment_summary(bad, 4, size)) << "byte " << i;
  }
  EXPECT_FALSE(decode_segment_summary(bytes.substr(0, bytes.size() - 56), 4, size));  // truncated
  EXPECT_FALSE(decode_segment_summary(bytes, 5, size));                               // another segment's
  EXPECT_FALSE(decode_segment_summary(bytes, 4, size + 1));                           // segment grew
  // Batches that leave a gap, or do not reach the end, are refused even with a good CRC.
  auto gap = entries;
  gap[1].offset += 1;
  EXPECT_FALSE(decode_segment_summary(encode_segment_summary(4, size, gap), 4, size));
  auto empty_batch = entries;
  empty_batch[2].header.record_count = 0;
  EXPECT_FALSE(decode_segment_summary(encode_segment_summary(4, size, empty_batch), 4, size));
  // The reserved words (header, and each entry) must be 0, even under a good CRC.
  for (size_t at : {size_t{28}, size_t{32 + 56 + 28}}) {
    std::string r = bytes;
    r[at] = 1;
    const uint32_t crc = crc32c::value(r.data() + 8, r.size() - 8);
    std::memcpy(r.data() + 4, &crc, 4);
    EXPECT_FALSE(decode_segment_summary(r, 4, size)) << "reserved byte " << at;
  }
}

TEST(SegmentSummary, ABuilderPastItsLimitGivesNoSummary) {
  SummaryBuilder b;
  batch::Header h = three_batches()[0].header;
  uint32_t offset = 0;
  for (size_t i = 0; i < SummaryBuilder::kMaxBatches; ++i) {
    b.add(offset, h);
    offset += static_cast<uint32_t>(h.total_size());
  }
  EXPECT_TRUE(b.complete());
  EXPECT_EQ(b.batches(), SummaryBuilder::kMaxBatches);
  EXPECT_TRUE(decode_segment_summary(b.finish(3, offset), 3, offset));
  b.add(offset, h);
  EXPECT_FALSE(b.complete()) << "one batch too many: the segment will be read at open";
  b.clear();
  EXPECT_TRUE(b.complete());
  EXPECT_EQ(b.batches(), 0u);
}

// Commits of 3 records alternating over two shards, in tiny segments.
std::map<std::pair<ShardKey, uint64_t>, std::string> fill(Log& log, int commits, const std::string& tag) {
  std::map<std::pair<ShardKey, uint64_t>, std::string> data;
  for (int i = 0; i < commits; ++i) {
    const ShardKey shard = 1 + i % 2;
    auto sa = make_append(shard, 3, tag + std::to_string(i));
    for (auto& rec : sa.records) rec.data += std::string(100, 'p');
    auto r = append_wait(log, {sa});
    EXPECT_TRUE(r);
    for (size_t k = 0; k < sa.records.size(); ++k) data[{shard, (*r)[0].first_counter + k}] = sa.records[k].data;
  }
  return data;
}

void expect_reads(Log& log, const std::map<std::pair<ShardKey, uint64_t>, std::string>& data) {
  size_t n = 0;
  for (ShardKey shard : {1, 2}) {
    for (const auto& r : read_all(log, shard)) {
      auto it = data.find({shard, r.counter});
      ASSERT_NE(it, data.end()) << shard << "/" << r.counter;
      EXPECT_EQ(r.data, it->second);
      ++n;
    }
  }
  EXPECT_EQ(n, data.size());
}

LogOptions small_segments(const std::string& dir, FsyncPolicy fsync) {
  LogOptions o = options_for(dir);
  o.segment_bytes = 4096;
  o.fsync = fsync;
  return o;
}

using Written = std::map<std::pair<ShardKey, uint64_t>, std::string>;

// A log of 60 commits in tiny segments, closed cleanly: every segment but
// the last is sealed and summarised.
Written write_and_close(const LogOptions& opts) {
  auto log = LocalLog::open(opts, nullptr);
  EXPECT_TRUE(log);
  if (!log) return {};
  auto data = fill(**log, 60, "a");
  EXPECT_TRUE((*log)->close());
  return data;
}

class LogSummaries : public ::testing::TestWithParam<FsyncPolicy> {};

TEST_P(LogSummaries, SealedSegmentsOpenFromTheirSummaries) {
  TempDir dir;
  const auto opts = small_segments(dir.path(), GetParam());
  auto data = write_and_close(opts);
  const size_t segments = segment_paths(dir.path()).size();
  ASSERT_GE(segments, 4u);
  for (uint32_t id = 1; id < segments; ++id) EXPECT_TRUE(std::filesystem::exists(summary_path(dir.path(), id))) << id;
  EXPECT_FALSE(std::filesystem::exists(summary_path(dir.path(), static_cast<uint32_t>(segments))));
  {
    auto log = LocalLog::open(opts, nullptr);
    ASSERT_TRUE(log);
    EXPECT_EQ((*log)->stats().summaries_used, segments - 1);
    expect_reads(**log, data);
    // Appends go on from the right counters, into the segment that was last
    // (scanned at open), which must be summarised whole when it rolls.
    auto more = fill(**log, 60, "b");
    for (auto& [k, v] : more) EXPECT_TRUE(data.emplace(k, v).second) << "counter reused";
    ASSERT_TRUE((*log)->close());
  }
  const size_t segments2 = segment_paths(dir.path()).size();
  ASSERT_GT(segments2, segments);
  auto log = LocalLog::open(opts, nullptr);
  ASSERT_TRUE(log);
  EXPECT_EQ((*log)->stats().summaries_used, segments2 - 1);
  expect_reads(**log, data);
}

INSTANTIATE_TEST_SUITE_P(Policies, LogSummaries,
                         ::testing::Values(FsyncPolicy::kAlways, FsyncPolicy::kInterval, FsyncPolicy::kNever));

TEST(LogSummaries, ABadOrMissingSummaryMeansTheSegmentIsReadAndSummarisedAgain) {
  TempDir dir;
  const auto opts = small_segments(dir.path(), FsyncPolicy::kAlways);
  const auto data = write_and_close(opts);
  const size_t segments = segment_paths(dir.path()).size();
  ASSERT_GE(segments, 4u);
  {
    std::fstream f(summary_path(dir.path(), 1), std::ios::in | std::ios::out | std::ios::binary);
    f.seekp(40);
    f.put('\x7f');
  }
  std::filesystem::remove(summary_path(dir.path(), 2));
  // Leftovers a crash could leave: a summary without its segment, and one of
  // the last segment (which is appended to from now on).
  std::filesystem::copy_file(summary_path(dir.path(), 3), summary_path(dir.path(), 99));
  std::filesystem::copy_file(summary_path(dir.path(), 3), summary_path(dir.path(), static_cast<uint32_t>(segments)));
  {
    auto log = LocalLog::open(opts, nullptr);
    ASSERT_TRUE(log);
    EXPECT_EQ((*log)->stats().summaries_used, segments - 3);
    expect_reads(**log, data);
    ASSERT_TRUE((*log)->close());
  }
  EXPECT_FALSE(std::filesystem::exists(summary_path(dir.path(), 99)));
  EXPECT_FALSE(std::filesystem::exists(summary_path(dir.path(), static_cast<uint32_t>(segments))));
  auto log = LocalLog::open(opts, nullptr);
  ASSERT_TRUE(log);
  EXPECT_EQ((*log)->stats().summaries_used, segments - 1) << "the scanned segments were summarised again";
  expect_reads(**log, data);
}

// After a process crash a sealed segment can hold bytes that are only in the
// page cache: its last fdatasync was still queued for the sync thread. The
// open that scans it serves those records and summarises the segment, so it
// makes them durable first: a power loss right after that open keeps them.
TEST(LogSummaries, ASegmentScannedAtOpenIsMadeDurableBeforeItIsServed) {
  TempDir dir;
  const auto opts = small_segments(dir.path(), FsyncPolicy::kAlways);
  const auto data = write_and_close(opts);
  const auto segs = segment_paths(dir.path());
  ASSERT_GE(segs.size(), 3u);
  // Segment 1 as such a crash leaves it: no summary, its directory entry
  // durable, its bytes written and never synced.
  std::filesystem::remove(summary_path(dir.path(), 1));
  const std::string bytes = slurp(segs[0]);
  std::filesystem::remove(segs[0]);
  FaultInjectionEnv env(Env::posix(), 1, /*real_syncs=*/false);
  {
    auto f = env.open_file(segs[0], Env::OpenMode::kCreate);
    ASSERT_TRUE(f);
    ASSERT_TRUE((*f)->append(bytes));
    ASSERT_TRUE(env.sync_dir(dir.path()));
  }
  {
    auto log = LocalLog::open(opts, &env);
    ASSERT_TRUE(log);
    EXPECT_EQ((*log)->stats().summaries_used, segs.size() - 2);
    expect_reads(**log, data);
    env.crash();  // the power goes right after the open
  }
  ASSERT_TRUE(env.apply_crash(FaultInjectionEnv::TornWrite::kDropAll));
  env.reset();
  auto log = LocalLog::open(opts, nullptr);
  ASSERT_TRUE(log);
  expect_reads(**log, data);
}

// A summarised segment is not read at open, so damage in it is found by the
// reads' CRC check: records before it are served, a read at it fails, and the
// shard's counters are not disturbed.
TEST(LogSummaries, DamageInASummarisedSegmentIsCaughtAtRead) {
  TempDir dir;
  const auto opts = small_segments(dir.path(), FsyncPolicy::kAlways);
  const auto data = write_and_close(opts);
  const std::string seg = segment_paths(dir.path())[0];
  const std::string bytes = slurp(seg);
  auto first = batch::parse_header(bytes.data());
  ASSERT_TRUE(first);
  ASSERT_EQ(first->shard, 1u);
  {
    std::fstream f(seg, std::ios::in | std::ios::out | std::ios::binary);
    f.seekp(batch::kHeaderSize + 2);
    f.put('\x55');
  }
  auto log = LocalLog::open(opts, nullptr);
  ASSERT_TRUE(log);
  EXPECT_EQ((*log)->stats().summaries_used, segment_paths(dir.path()).size() - 1);
  auto r = (*log)->read(1, first->first_counter, 100, UINT64_MAX, INT64_MIN);
  EXPECT_FALSE(r) << "the damaged batch is never served";
  auto after = (*log)->read(1, first->last_counter() + 1, 1000, UINT64_MAX, INT64_MIN);
  ASSERT_TRUE(after);
  EXPECT_FALSE(after->records.empty());
  auto r2 = append_wait(**log, {make_append(2, 1, "new")});
  ASSERT_TRUE(r2);
  ASSERT_EQ(data.rbegin()->first.first, 2u);  // the map's last key: shard 2's newest record
  EXPECT_EQ((*r2)[0].first_counter, data.rbegin()->first.second + 1);
}

}  // namespace
}  // namespace runnel::storage
