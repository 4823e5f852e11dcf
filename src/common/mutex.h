#pragma once
// Locks the thread-safety analysis can check (common/thread_annotations.h):
// std::mutex, std::shared_mutex and std::condition_variable wrapped in types
// annotated as capabilities, as LevelDB's port::Mutex / MutexLock and
// Abseil's absl::Mutex are. Same cost and semantics as the std types (each
// call is the std call, inlined); g++ sees no difference.
//
// Usage:
//   Mutex mu_;
//   CondVar cv_;
//   std::vector<Op> queue_ GUARDED_BY(mu_);
//
//   void push(Op op) EXCLUDES(mu_) {
//     MutexLock lock(mu_);
//     queue_.push_back(std::move(op));
//     cv_.notify_one();
//   }
//   Op pop() EXCLUDES(mu_) {
//     MutexLock lock(mu_);
//     cv_.wait(mu_, [&]() REQUIRES(mu_) { return !queue_.empty(); });
//     ...
//   }
//
// A lambda that reads guarded state is analysed on its own: say REQUIRES(mu_)
// on it when it runs with the lock held (a CondVar predicate), or take the
// lock inside it.
//
// All types are safe to use from any thread; none is copyable or movable.

#include <chrono>
#include <condition_variable>
#include <mutex>
#include <shared_mutex>
#include <utility>

#include "common/thread_annotations.h"

namespace runnel {

// An exclusive lock (std::mutex). Not recursive.
class CAPABILITY("mutex") Mutex {
 public:
  Mutex() = default;
  Mutex(const Mutex&) = delete;
  Mutex& operator=(const Mutex&) = delete;

  void lock() ACQUIRE() { mu_.lock(); }
  void unlock() RELEASE() { mu_.unlock(); }
  // True when the lock was free and is now held by the caller.
  bool try_lock() TRY_ACQUIRE(true) { return mu_.try_lock(); }

 private:
  friend class CondVar;
  std::mutex mu_;
};

// Holds a Mutex for its scope (std::unique_lock without the moves).
class SCOPED_CAPABILITY MutexLock {
 public:
  explicit MutexLock(Mutex& mu) ACQUIRE(mu) : mu_(mu) { mu_.lock(); }
  ~MutexLock() RELEASE() {
    if (locked_) mu_.unlock();
  }
  MutexLock(const MutexLock&) = delete;
  MutexLock& operator=(const MutexLock&) = delete;

  // Lets the lock go before the end of the scope, and takes it again.
  void unlock() RELEASE() {
    mu_.unlock();
    locked_ = false;
  }
  void lock() ACQUIRE() {
    mu_.lock();
    locked_ = true;
  }

 private:
  Mutex& mu_;
  bool locked_ = true;
};

// A reader-writer lock (std::shared_mutex): one writer or many readers.
class CAPABILITY("shared mutex") SharedMutex {
 public:
  SharedMutex() = default;
  SharedMutex(const SharedMutex&) = delete;
  SharedMutex& operator=(const SharedMutex&) = delete;

  void lock() ACQUIRE() { mu_.lock(); }
  void unlock() RELEASE() { mu_.unlock(); }
  bool try_lock() TRY_ACQUIRE(true) { return mu_.try_lock(); }
  void lock_shared() ACQUIRE_SHARED() { mu_.lock_shared(); }
  void unlock_shared() RELEASE_SHARED() { mu_.unlock_shared(); }
  bool try_lock_shared() TRY_ACQUIRE_SHARED(true) { return mu_.try_lock_shared(); }

 private:
  std::shared_mutex mu_;
};

// Holds a SharedMutex exclusively for its scope: guarded state may be
// written.
class SCOPED_CAPABILITY WriterLock {
 public:
  explicit WriterLock(SharedMutex& mu) ACQUIRE(mu) : mu_(mu) { mu_.lock(); }
  ~WriterLock() RELEASE() { mu_.unlock(); }
  WriterLock(const WriterLock&) = delete;
  WriterLock& operator=(const WriterLock&) = delete;

 private:
  SharedMutex& mu_;
};

// Holds a SharedMutex shared for its scope: guarded state may be read.
class SCOPED_CAPABILITY ReaderLock {
 public:
  explicit ReaderLock(SharedMutex& mu) ACQUIRE_SHARED(mu) : mu_(mu) { mu_.lock_shared(); }
  ~ReaderLock() RELEASE() { mu_.unlock_shared(); }
  ReaderLock(const ReaderLock&) = delete;
  ReaderLock& operator=(const ReaderLock&) = delete;

 private:
  SharedMutex& mu_;
};

// A condition variable (std::condition_variable) waited on with a Mutex the
// caller holds, however it took it (a MutexLock, usually). Every wait
// releases the mutex while blocked and holds it again when it returns; it
// may wake spuriously, except the predicate forms.
class CondVar {
 public:
  CondVar() = default;
  CondVar(const CondVar&) = delete;
  CondVar& operator=(const CondVar&) = delete;

  void notify_one() noexcept { cv_.notify_one(); }
  void notify_all() noexcept { cv_.notify_all(); }

  void wait(Mutex& mu) REQUIRES(mu) {
    std::unique_lock<std::mutex> lock(mu.mu_, std::adopt_lock);
    cv_.wait(lock);
    lock.release();  // the caller's lock keeps owning it
  }
  // Waits until pred() is true; pred runs with mu held (annotate the lambda
  // REQUIRES(mu)). The loop std::condition_variable::wait(lock, pred) is.
  // The analysis cannot follow `mu` into pred's own REQUIRES, hence
  // NO_THREAD_SAFETY_ANALYSIS; callers are still checked to hold mu.
  template <class Pred>
  void wait(Mutex& mu, Pred pred) REQUIRES(mu) NO_THREAD_SAFETY_ANALYSIS {
    while (!pred()) wait(mu);
  }
  // std::cv_status::timeout when `deadline` passed before a notification.
  template <class Clock, class Duration>
  std::cv_status wait_until(Mutex& mu, const std::chrono::time_point<Clock, Duration>& deadline) REQUIRES(mu) {
    std::unique_lock<std::mutex> lock(mu.mu_, std::adopt_lock);
    std::cv_status status = cv_.wait_until(lock, deadline);
    lock.release();
    return status;
  }
  // Waits until pred() is true or `deadline` passed; returns pred() (false:
  // timed out). As std::condition_variable::wait_until(lock, deadline, pred).
  template <class Clock, class Duration, class Pred>
  bool wait_until(Mutex& mu, const std::chrono::time_point<Clock, Duration>& deadline, Pred pred)
      REQUIRES(mu) NO_THREAD_SAFETY_ANALYSIS {
    while (!pred()) {
      if (wait_until(mu, deadline) == std::cv_status::timeout) return pred();
    }
    return true;
  }
  template <class Rep, class Period, class Pred>
  bool wait_for(Mutex& mu, const std::chrono::duration<Rep, Period>& timeout, Pred pred) REQUIRES(mu) {
    return wait_until(mu, std::chrono::steady_clock::now() + timeout, std::move(pred));
  }

 private:
  std::condition_variable cv_;
};

}  // namespace runnel
