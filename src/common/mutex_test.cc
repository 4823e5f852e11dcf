#include "common/mutex.h"

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <thread>
#include <vector>

namespace runnel {
namespace {

// Whether another thread can take `mu` now (it lets it go at once).
bool free_elsewhere(Mutex& mu) {
  bool took = false;
  std::thread([&] {
    if (mu.try_lock()) {
      took = true;
      mu.unlock();
    }
  }).join();
  return took;
}
bool free_elsewhere(SharedMutex& mu) {
  bool took = false;
  std::thread([&] {
    if (mu.try_lock()) {
      took = true;
      mu.unlock();
    }
  }).join();
  return took;
}
bool shareable_elsewhere(SharedMutex& mu) {
  bool took = false;
  std::thread([&] {
    if (mu.try_lock_shared()) {
      took = true;
      mu.unlock_shared();
    }
  }).join();
  return took;
}

// What the analysis sees as well: guarded state, written from threads.
struct Counter {
  Mutex mu;
  CondVar cv;
  int value GUARDED_BY(mu) = 0;
};

TEST(MutexTest, MutexLockExcludesOtherThreads) {
  Counter c;
  constexpr int kThreads = 4;
  constexpr int kBumps = 20000;
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&c] {
      for (int i = 0; i < kBumps; ++i) {
        MutexLock lock(c.mu);
        int v = c.value;  // a read and a write apart: lost updates without the lock
        c.value = v + 1;
      }
    });
  }
  for (auto& t : threads) t.join();
  MutexLock lock(c.mu);
  EXPECT_EQ(c.value, kThreads * kBumps);
}

TEST(MutexTest, TryLockFailsWhileAnotherThreadHoldsIt) {
  Mutex mu;
  MutexLock lock(mu);
  EXPECT_FALSE(free_elsewhere(mu));
}

TEST(MutexTest, MutexLockUnlockLetsOthersInAndLockTakesItBack) {
  Mutex mu;
  MutexLock lock(mu);
  lock.unlock();
  EXPECT_TRUE(free_elsewhere(mu));
  lock.lock();
  EXPECT_FALSE(free_elsewhere(mu));
}

TEST(MutexTest, MutexLockReleasesAtTheEndOfItsScope) {
  Mutex mu;
  { MutexLock lock(mu); }
  EXPECT_TRUE(free_elsewhere(mu));
  {
    MutexLock lock(mu);
    lock.unlock();
    lock.lock();
  }  // released once, by the destructor
  EXPECT_TRUE(free_elsewhere(mu));
  {
    MutexLock lock(mu);
    lock.unlock();
  }  // not released twice
  EXPECT_TRUE(free_elsewhere(mu));
}

TEST(MutexTest, ReaderLocksShareAndWriterLockExcludesThem) {
  SharedMutex mu;
  {
    ReaderLock reader(mu);
    EXPECT_TRUE(shareable_elsewhere(mu));
    EXPECT_FALSE(free_elsewhere(mu));
  }
  {
    WriterLock writer(mu);
    EXPECT_FALSE(shareable_elsewhere(mu));
    EXPECT_FALSE(free_elsewhere(mu));
  }
  EXPECT_TRUE(free_elsewhere(mu));
}

TEST(MutexTest, CondVarWaitReturnsWhenThePredicateHoldsWithTheLockHeld) {
  Counter c;
  std::thread producer([&c] {
    for (int i = 0; i < 3; ++i) {
      MutexLock lock(c.mu);
      ++c.value;
      c.cv.notify_all();
    }
  });
  {
    MutexLock lock(c.mu);
    c.cv.wait(c.mu, [&]() REQUIRES(c.mu) { return c.value == 3; });
    EXPECT_EQ(c.value, 3);
    EXPECT_FALSE(free_elsewhere(c.mu));  // still held after the wait
  }
  producer.join();
}

TEST(MutexTest, CondVarWaitUntilAPassedDeadlineTimesOutHoldingTheLock) {
  Counter c;
  MutexLock lock(c.mu);
  auto past = std::chrono::steady_clock::now() - std::chrono::seconds(1);
  EXPECT_EQ(c.cv.wait_until(c.mu, past), std::cv_status::timeout);
  EXPECT_FALSE(c.cv.wait_until(c.mu, past, [&]() REQUIRES(c.mu) { return c.value > 0; }));
  c.value = 1;
  EXPECT_TRUE(c.cv.wait_until(c.mu, past, [&]() REQUIRES(c.mu) { return c.value > 0; }));
  EXPECT_TRUE(c.cv.wait_for(c.mu, std::chrono::seconds(0), [&]() REQUIRES(c.mu) { return c.value > 0; }));
  EXPECT_FALSE(free_elsewhere(c.mu));
}

TEST(MutexTest, CondVarNotifyOneWakesAWaiter) {
  Counter c;
  std::atomic<bool> waiting{false};
  std::thread waiter([&] {
    MutexLock lock(c.mu);
    waiting = true;
    while (c.value == 0) c.cv.wait(c.mu);
    c.value = 2;
  });
  while (!waiting) std::this_thread::yield();
  {
    MutexLock lock(c.mu);  // the waiter is blocked in wait() (it released the lock)
    c.value = 1;
    c.cv.notify_one();
  }
  waiter.join();
  MutexLock lock(c.mu);
  EXPECT_EQ(c.value, 2);
}

}  // namespace
}  // namespace runnel
