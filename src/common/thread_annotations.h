#pragma once
// Clang thread-safety annotations (https://clang.llvm.org/docs/ThreadSafetyAnalysis.html),
// in the spirit of LevelDB's port/thread_annotations.h: they state which
// lock guards which state, which locks a function needs or must not hold,
// and the lock order, where the compiler can read them. Under Clang they
// expand to the attributes; under any other compiler (g++, what runnel
// builds with) to nothing, so they cost nothing and change no code.
//
// Clang checks them with -Wthread-safety, and only for capability-annotated
// lock types: use runnel::Mutex / SharedMutex and their scoped locks
// (common/mutex.h), never std::mutex, for state annotated here.
// scripts/check-thread-safety.sh compiles the annotated folders with clang++
// and -Wthread-safety -Werror (a step of scripts/test.sh).
//
// Usage:
//   Mutex mu_;
//   int count_ GUARDED_BY(mu_) = 0;
//   void bump_locked() REQUIRES(mu_);
//   void bump() EXCLUDES(mu_) { MutexLock lock(mu_); bump_locked(); }
//   Mutex outer_ ACQUIRED_BEFORE(inner_);  // checked only with -Wthread-safety-beta

#if defined(__clang__)
#define RUNNEL_THREAD_ANNOTATION(x) __attribute__((x))
#else
#define RUNNEL_THREAD_ANNOTATION(x)
#endif

// State read or written only with the lock held (shared for reads of a
// shared_mutex, exclusive for writes).
#ifndef GUARDED_BY
#define GUARDED_BY(x) RUNNEL_THREAD_ANNOTATION(guarded_by(x))
#endif
// The pointee of a pointer member is guarded by the lock.
#ifndef PT_GUARDED_BY
#define PT_GUARDED_BY(x) RUNNEL_THREAD_ANNOTATION(pt_guarded_by(x))
#endif
// Lock order: this lock is taken before / after the named ones.
#ifndef ACQUIRED_BEFORE
#define ACQUIRED_BEFORE(...) RUNNEL_THREAD_ANNOTATION(acquired_before(__VA_ARGS__))
#endif
#ifndef ACQUIRED_AFTER
#define ACQUIRED_AFTER(...) RUNNEL_THREAD_ANNOTATION(acquired_after(__VA_ARGS__))
#endif
// The caller must hold the lock (exclusively / at least shared).
#ifndef REQUIRES
#define REQUIRES(...) RUNNEL_THREAD_ANNOTATION(requires_capability(__VA_ARGS__))
#endif
#ifndef REQUIRES_SHARED
#define REQUIRES_SHARED(...) RUNNEL_THREAD_ANNOTATION(requires_shared_capability(__VA_ARGS__))
#endif
// The caller must not hold the lock (the function takes it).
#ifndef EXCLUDES
#define EXCLUDES(...) RUNNEL_THREAD_ANNOTATION(locks_excluded(__VA_ARGS__))
#endif
// The function acquires / releases the lock.
#ifndef ACQUIRE
#define ACQUIRE(...) RUNNEL_THREAD_ANNOTATION(acquire_capability(__VA_ARGS__))
#endif
#ifndef RELEASE
#define RELEASE(...) RUNNEL_THREAD_ANNOTATION(release_capability(__VA_ARGS__))
#endif
#ifndef ACQUIRE_SHARED
#define ACQUIRE_SHARED(...) RUNNEL_THREAD_ANNOTATION(acquire_shared_capability(__VA_ARGS__))
#endif
#ifndef RELEASE_SHARED
#define RELEASE_SHARED(...) RUNNEL_THREAD_ANNOTATION(release_shared_capability(__VA_ARGS__))
#endif
// The function acquires the lock when it returns `x` (try_lock).
#ifndef TRY_ACQUIRE
#define TRY_ACQUIRE(...) RUNNEL_THREAD_ANNOTATION(try_acquire_capability(__VA_ARGS__))
#endif
#ifndef TRY_ACQUIRE_SHARED
#define TRY_ACQUIRE_SHARED(...) RUNNEL_THREAD_ANNOTATION(try_acquire_shared_capability(__VA_ARGS__))
#endif
// The function checks (or promises) that the lock is held; after the call
// the analysis assumes it is.
#ifndef ASSERT_CAPABILITY
#define ASSERT_CAPABILITY(x) RUNNEL_THREAD_ANNOTATION(assert_capability(x))
#endif
// A lock type, and an RAII type that holds one.
#ifndef CAPABILITY
#define CAPABILITY(x) RUNNEL_THREAD_ANNOTATION(capability(x))
#endif
#ifndef SCOPED_CAPABILITY
#define SCOPED_CAPABILITY RUNNEL_THREAD_ANNOTATION(scoped_lockable)
#endif
// The function returns a reference to the lock.
#ifndef LOCK_RETURNED
#define LOCK_RETURNED(x) RUNNEL_THREAD_ANNOTATION(lock_returned(x))
#endif
// Turns the analysis off for one function (lock hand-offs it cannot follow).
#ifndef NO_THREAD_SAFETY_ANALYSIS
#define NO_THREAD_SAFETY_ANALYSIS RUNNEL_THREAD_ANNOTATION(no_thread_safety_analysis)
#endif
