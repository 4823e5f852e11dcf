#pragma once
// Timers: runs functions after a delay on one thread of its own (the
// asynchronous status transitions of delivery streams: ENABLING → ENABLED,
// DELETING → gone, ...).
//
// Threads: after() from any thread; functions run on the timer thread, one at
// a time, with no lock of Timers held. stop() (or the destructor) joins the
// thread; functions not yet due are dropped.

#include <cstdint>
#include <functional>
#include <map>
#include <thread>

#include "common/mutex.h"
#include "common/thread_annotations.h"

namespace runnel::firehose {

class Timers {
 public:
  Timers();
  ~Timers();
  Timers(const Timers&) = delete;
  Timers& operator=(const Timers&) = delete;

  // Runs `fn` once `delay_ms` (0: as soon as possible) has passed.
  void after(int64_t delay_ms, std::function<void()> fn) EXCLUDES(mu_);
  void stop() EXCLUDES(mu_);

 private:
  void loop() EXCLUDES(mu_);

  Mutex mu_;
  CondVar cv_;
  std::multimap<int64_t, std::function<void()>> due_ GUARDED_BY(mu_);  // steady ms → fn
  bool stopping_ GUARDED_BY(mu_) = false;
  std::thread thread_;
};

}  // namespace runnel::firehose
