#include "firehose/body_pool.h"

#include <algorithm>

namespace runnel::firehose {

std::string BodyPool::take() {
  MutexLock lock(mu_);
  if (free_.empty()) return {};
  // The largest: the next object is most likely as large as the last.
  auto it = std::max_element(free_.begin(), free_.end(),
                             [](const std::string& a, const std::string& b) { return a.capacity() < b.capacity(); });
  std::string s = std::move(*it);
  free_.erase(it);
  s.clear();
  return s;
}

std::shared_ptr<const std::string> BodyPool::share(std::string body) {
  auto* held = new std::string(std::move(body));
  return std::shared_ptr<const std::string>(held, [pool = shared_from_this()](const std::string* s) {
    pool->give(std::move(*const_cast<std::string*>(s)));
    delete s;
  });
}

void BodyPool::give(std::string buffer) {
  if (buffer.capacity() < kMinKept) return;
  MutexLock lock(mu_);
  if (free_.size() < kKept) {
    free_.push_back(std::move(buffer));
    return;
  }
  // Full: keep the larger of this one and the smallest kept.
  auto smallest = std::min_element(free_.begin(), free_.end(), [](const std::string& a, const std::string& b) {
    return a.capacity() < b.capacity();
  });
  if (smallest->capacity() < buffer.capacity()) *smallest = std::move(buffer);
}

size_t BodyPool::kept() const {
  MutexLock lock(mu_);
  return free_.size();
}

}  // namespace runnel::firehose
