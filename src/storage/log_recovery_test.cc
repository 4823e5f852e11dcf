// Recovery from damaged segment files: torn tails, flipped bytes, strays.
#include <fcntl.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include <algorithm>
#include <fstream>
#include <map>

#include "storage/batch_format.h"
#include "storage/checkpoint.h"
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

void append_bytes(const std::string& path, const std::string& bytes) {
  std::ofstream out(path, std::ios::binary | std::ios::app);
  out << bytes;
}

void flip_byte(const std::string& path, uint64_t offset) {
  const int fd = ::open(path.c_str(), O_RDWR);
  ASSERT_GE(fd, 0);
  char c;
  ASSERT_EQ(::pread(fd, &c, 1, static_cast<off_t>(offset)), 1);
  c = static_cast<char>(c ^ 0x5A);
  ASSERT_EQ(::pwrite(fd, &c, 1, static_cast<off_t>(offset)), 1);
  ::close(fd);
}

// (offset, header) of every batch in a segment file.
std::vector<std::pair<uint64_t, batch::Header>> batches_of(const std::string& path) {
  const std::string bytes = slurp(path);
  std::vector<std::pair<uint64_t, batch::Header>> out;
  for (size_t pos = 0; pos + batch::kHeaderSize <= bytes.size();) {
    auto h = batch::parse_header(bytes.data() + pos);
    if (!h) break;
    out.emplace_back(pos, *h);
    pos += h->total_size();
  }
  return out;
}

// Writes `commits` separate commits of 3 records to shard 1; returns all data by counter.
std::map<uint64_t, std::string> fill(const LogOptions& opts, int commits) {
  std::map<uint64_t, std::string> data;
  auto log = open_log(opts);
  EXPECT_TRUE(log);
  for (int i = 0; i < commits; ++i) {
    auto sa = make_append(1, 3, "c" + std::to_string(i));
    auto r = append_wait(**log, {sa});
    EXPECT_TRUE(r);
    for (size_t k = 0; k < sa.records.size(); ++k) data[(*r)[0].first_counter + k] = sa.records[k].data;
  }
  EXPECT_TRUE((*log)->close());
  return data;
}

TEST(LogRecovery, TornTailIsTruncated) {
  for (int variant = 0; variant < 3; ++variant) {
    TempDir dir;
    auto opts = options_for(dir.path());
    auto data = fill(opts, 10);
    const std::string seg = segment_paths(dir.path()).back();
    const std::string before = slurp(seg);
    if (variant == 0) append_bytes(seg, before.substr(0, before.size() / 25));      // half a batch
    if (variant == 1) append_bytes(seg, std::string(100, '\x7f'));                  // garbage
    if (variant == 2) append_bytes(seg, before.substr(0, batch::kHeaderSize + 2));  // header, no payload
    auto log = open_log(opts);
    ASSERT_TRUE(log) << log.error().to_string();
    auto got = read_all(**log, 1);
    ASSERT_EQ(got.size(), 30u);
    for (const auto& r : got) EXPECT_EQ(r.data, data[r.counter]);
    EXPECT_EQ(slurp(seg), before) << "variant " << variant;
    auto r = append_wait(**log, {make_append(1, 1, "new")});
    ASSERT_TRUE(r);
    EXPECT_EQ((*r)[0].first_counter, 31u);
    ASSERT_TRUE((*log)->close());
    log = open_log(opts);
    ASSERT_TRUE(log);
    EXPECT_EQ(read_all(**log, 1).size(), 31u);
  }
}

TEST(LogRecovery, FlippedByteInLastSegmentIsNeverServed) {
  TempDir dir;
  auto opts = options_for(dir.path());
  auto data = fill(opts, 10);
  const std::string seg = segment_paths(dir.path()).back();
  auto batches = batches_of(seg);
  ASSERT_EQ(batches.size(), 10u);
  const auto& [off, h] = batches[5];  // counters 16..18
  flip_byte(seg, off + batch::kHeaderSize + h.payload_length / 2);
  auto log = open_log(opts);
  ASSERT_TRUE(log) << log.error().to_string();
  auto got = read_all(**log, 1);
  ASSERT_EQ(got.size(), 15u);  // the damaged batch and everything after it in the segment are not trusted
  for (const auto& r : got) EXPECT_EQ(r.data, data[r.counter]);
  // The intact batches after the damage were acknowledged once: their counters are not reused.
  auto r = append_wait(**log, {make_append(1, 1, "new")});
  ASSERT_TRUE(r);
  EXPECT_EQ((*r)[0].first_counter, 31u);
  ASSERT_TRUE((*log)->close());
  log = open_log(opts);
  ASSERT_TRUE(log);
  got = read_all(**log, 1);
  ASSERT_EQ(got.size(), 16u);
  EXPECT_EQ(got.back().counter, 31u);
  EXPECT_EQ(got.back().data, "new-data-0");
  EXPECT_EQ(segment_paths(dir.path()).size(), 2u);  // writes moved to a fresh segment
}

// A sealed segment without a summary (written by an older runnel, or its
// summary lost) is read whole at open, and damage found there is handled as
// in the last segment, except that nothing is truncated.
TEST(LogRecovery, CorruptionInOlderSegmentStopsTrustingItsRest) {
  TempDir dir;
  auto opts = options_for(dir.path());
  opts.segment_bytes = 4096;
  auto data = fill(opts, 120);
  auto segs = segment_paths(dir.path());
  ASSERT_GE(segs.size(), 3u);
  for (uint32_t id = 1; id < segs.size(); ++id) ASSERT_TRUE(std::filesystem::remove(summary_path(dir.path(), id)));
  auto batches = batches_of(segs[0]);
  ASSERT_GE(batches.size(), 6u);
  const auto& [off, h] = batches[3];
  flip_byte(segs[0], off + 30);  // inside the header's CRC-covered part
  auto log = open_log(opts);
  ASSERT_TRUE(log);
  auto got = read_all(**log, 1);
  for (const auto& r : got) {
    EXPECT_EQ(r.data, data[r.counter]);
    EXPECT_FALSE(r.counter >= h.first_counter && r.counter <= batches.back().second.last_counter()) << r.counter;
  }
  EXPECT_EQ(got.size(), data.size() - (batches.back().second.last_counter() - h.first_counter + 1));
  auto r = append_wait(**log, {make_append(1, 1, "new")});
  ASSERT_TRUE(r);
  EXPECT_EQ((*r)[0].first_counter, data.size() + 1);
}

TEST(LogRecovery, CorruptionAfterOpenIsCaughtAtRead) {
  TempDir dir;
  auto opts = options_for(dir.path());
  auto log = open_log(opts);
  ASSERT_TRUE(log);
  for (int i = 0; i < 4; ++i) ASSERT_TRUE(append_wait(**log, {make_append(1, 3, "x" + std::to_string(i))}));
  const std::string seg = segment_paths(dir.path()).back();
  auto batches = batches_of(seg);
  ASSERT_EQ(batches.size(), 4u);
  flip_byte(seg, batches[2].first + batch::kHeaderSize + 3);
  // A read starting before the damage returns only intact records.
  auto r = (*log)->read(1, 1, 100, UINT64_MAX, INT64_MIN);
  ASSERT_TRUE(r);
  EXPECT_EQ(r->records.size(), 6u);
  // A read starting at the damage fails rather than serve it.
  r = (*log)->read(1, 7, 100, UINT64_MAX, INT64_MIN);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code(), Status::Code::kCorruption);
}

TEST(LogRecovery, StrayFilesAreIgnored) {
  TempDir dir;
  auto opts = options_for(dir.path());
  fill(opts, 2);
  append_bytes(dir.path() + "/notes.txt", "hello");
  append_bytes(dir.path() + "/123.seg", "junk");
  append_bytes(dir.path() + std::string("/") + kCheckpointName + ".tmp", "half-written");
  auto log = open_log(opts);
  ASSERT_TRUE(log) << log.error().to_string();
  EXPECT_EQ(read_all(**log, 1).size(), 6u);
}

TEST(LogRecovery, EmptyAndGarbageOnlySegments) {
  TempDir dir;
  auto opts = options_for(dir.path());
  append_bytes(dir.path() + "/" + segment_file_name(1), "");
  append_bytes(dir.path() + "/" + segment_file_name(2), std::string(5000, 'z'));
  auto log = open_log(opts);
  ASSERT_TRUE(log) << log.error().to_string();
  auto r = append_wait(**log, {make_append(1, 2, "a")});
  ASSERT_TRUE(r);
  EXPECT_EQ((*r)[0].first_counter, 1u);
  EXPECT_EQ(read_all(**log, 1).size(), 2u);
}

TEST(LogRecovery, CorruptCheckpointRefusesToOpen) {
  TempDir dir;
  auto opts = options_for(dir.path());
  fill(opts, 2);  // close() writes a checkpoint
  const std::string cp = dir.path() + "/" + kCheckpointName;
  ASSERT_TRUE(std::filesystem::exists(cp));
  flip_byte(cp, 20);
  auto log = open_log(opts);
  ASSERT_FALSE(log);
  EXPECT_EQ(log.error().code(), Status::Code::kCorruption);
}

TEST(Checkpoint, RoundTrip) {
  Checkpoint cp;
  cp.next_segment_id = 42;
  cp.shards.push_back({1, 100, 5000, 7, false});
  cp.shards.push_back({2, 0, 0, 0, true});
  auto back = decode_checkpoint(encode_checkpoint(cp));
  ASSERT_TRUE(back);
  EXPECT_EQ(back->next_segment_id, 42u);
  ASSERT_EQ(back->shards.size(), 2u);
  EXPECT_EQ(back->shards[0].last_counter, 100u);
  EXPECT_EQ(back->shards[0].start_counter, 7u);
  EXPECT_TRUE(back->shards[1].dropped);
  std::string bytes = encode_checkpoint(cp);
  bytes.pop_back();
  EXPECT_FALSE(decode_checkpoint(bytes));
}

}  // namespace
}  // namespace runnel::storage
