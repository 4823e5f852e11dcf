#pragma once
// The scheduling loop both consumers share: one request per shard at a time,
// each started once the shard is idle and its next time has come.

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <vector>

#include "bench/http_client.h"

namespace runnel::bench {

// Until stopping(): calls start(shard) for every shard with idle(shard) true
// whose `next` time has come, then polls `loop` until the earliest `next`
// (at least 1 ms, at most 100 ms, so stopping() is seen promptly). Cancels
// the loop's transfers at the end.
template <class Shard, class Stopping, class Idle, class Start>
void run_shard_rounds(std::vector<Shard>& shards, HttpLoop& loop, Stopping&& stopping, Idle&& idle, Start&& start) {
  using Clock = std::chrono::steady_clock;
  while (!stopping()) {
    const Clock::time_point now = Clock::now();
    Clock::time_point wake = now + std::chrono::milliseconds(100);
    for (Shard& s : shards) {
      if (!idle(s)) continue;
      if (s.next <= now) {
        start(s);
      } else {
        wake = std::min(wake, s.next);
      }
    }
    auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(wake - now).count();
    loop.poll(static_cast<int>(std::clamp<int64_t>(ms, 1, 100)));
  }
  loop.cancel_all();
}

}  // namespace runnel::bench
