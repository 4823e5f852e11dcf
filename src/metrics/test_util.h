#pragma once
// Test helpers of metrics/: a temporary directory and a settable clock.

#include <atomic>
#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <string>

#include "metrics/series.h"

namespace runnel::metrics::testing {

class TempDir {
 public:
  TempDir() {
    std::string tmpl = (std::filesystem::temp_directory_path() / "metrics_test_XXXXXX").string();
    path_ = mkdtemp(tmpl.data()) ? tmpl : std::string();
  }
  ~TempDir() {
    std::error_code ec;
    std::filesystem::remove_all(path_, ec);
  }
  std::string file(const std::string& name) const { return path_ + "/" + name; }

 private:
  std::string path_;
};

// A clock the test moves by hand; readable from any thread.
class ManualClock {
 public:
  explicit ManualClock(int64_t unix_s) : now_(unix_s) {}
  void set(int64_t unix_s) { now_.store(unix_s); }
  void advance(int64_t s) { now_.fetch_add(s); }
  int64_t seconds() const { return now_.load(); }
  Clock clock() const {
    return [this] { return TimePoint(std::chrono::seconds(now_.load())); };
  }

 private:
  std::atomic<int64_t> now_;
};

inline TimePoint at(int64_t unix_s) { return TimePoint(std::chrono::seconds(unix_s)); }

}  // namespace runnel::metrics::testing
