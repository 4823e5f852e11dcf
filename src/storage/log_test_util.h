#pragma once
// Helpers shared by the storage tests: a scratch directory, a fake clock,
// and blocking wrappers around the asynchronous append.

#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <future>
#include <string>
#include <vector>

#include "storage/local_log.h"
#include "storage/log.h"
#include "storage/segment_name.h"

namespace runnel::storage::testing {

class TempDir {
 public:
  TempDir() {
    std::string tmpl = (std::filesystem::temp_directory_path() / "runnel-storage-XXXXXX").string();
    path_ = ::mkdtemp(tmpl.data());
  }
  ~TempDir() { std::filesystem::remove_all(path_); }
  const std::string& path() const { return path_; }

 private:
  std::string path_;
};

struct FakeClock {
  std::atomic<int64_t> now{1'700'000'000'000};
  std::function<int64_t()> fn() {
    return [this] { return now.load(); };
  }
};

inline Result<std::vector<Appended>> append_wait(Log& log, std::vector<ShardAppend> appends) {
  std::promise<Result<std::vector<Appended>>> p;
  auto f = p.get_future();
  log.append(std::move(appends), [&](Result<std::vector<Appended>> r) { p.set_value(std::move(r)); });
  return f.get();
}

inline ShardAppend make_append(ShardKey shard, int n, const std::string& prefix) {
  ShardAppend sa;
  sa.shard = shard;
  for (int i = 0; i < n; ++i)
    sa.records.push_back({prefix + "-pk" + std::to_string(i), prefix + "-data-" + std::to_string(i)});
  return sa;
}

// Every readable record of the shard, from counter 0, in small read calls.
inline std::vector<StoredRecord> read_all(Log& log, ShardKey shard, int64_t min_arrival = INT64_MIN,
                                          uint32_t step = 37) {
  std::vector<StoredRecord> all;
  uint64_t from = 0;
  for (int guard = 0; guard < 1'000'000; ++guard) {
    auto r = log.read(shard, from, step, UINT64_MAX, min_arrival);
    EXPECT_TRUE(r.has_value()) << (r ? "" : r.error().to_string());
    if (!r || r->records.empty()) break;
    EXPECT_GT(r->next_counter, from);
    for (auto& rec : r->records) all.push_back(std::move(rec));
    from = r->next_counter;
  }
  return all;
}

// The segment files of a log directory, oldest first.
inline std::vector<std::string> segment_paths(const std::string& dir) {
  std::vector<std::string> out;
  for (const auto& e : std::filesystem::directory_iterator(dir)) {
    if (parse_segment_file_name(e.path().filename().string())) out.push_back(e.path().string());
  }
  std::sort(out.begin(), out.end());
  return out;
}

// A whole file's bytes.
inline std::string slurp(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(in), {});
}

inline LogOptions options_for(const std::string& dir) {
  LogOptions o;
  o.dir = dir;
  return o;
}

}  // namespace runnel::storage::testing
