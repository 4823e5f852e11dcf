#pragma once
// PostingSink: the ResponseSink handed to the RequestHandler. Every call is
// posted onto the connection's io_context, so handlers may complete from any
// thread; the connection (Target) then applies it on its own thread, where it
// drops calls for requests that are gone. A sink destroyed without having
// completed its response reports on_abandoned(), so the client is not left
// hanging.
//
// Target must provide, callable on its worker thread:
//   on_send(uint64_t id, HttpResponse), on_begin_stream(uint64_t id, int, std::vector<Header>),
//   bool on_chunk(uint64_t id, std::string), on_end_stream(uint64_t id), on_abandoned(uint64_t id)
// and worker() returning std::shared_ptr<Worker>.
//
// unsent_bytes accounting: write_chunk() adds the chunk's size to
// SinkState::unsent before posting. If on_chunk() returns false (chunk
// dropped) the sink subtracts it again; if it returns true the Target owns
// those bytes and must subtract them once they have been written, or when it
// discards them (stream or connection closed).
//
// Thread-safety: the methods may be called from any thread, but calls for one
// sink must not race each other (the contract of ResponseSink is sequential use).

#include <atomic>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <utility>
#include <vector>

#include "common/mutex.h"
#include "net/asio.h"
#include "net/http.h"
#include "net/worker.h"

namespace runnel::net {

// What a connection shares with the sink of one response. Written by the
// connection's thread (closed, unsent decrements) and the producer's thread
// (unsent increments); read from any thread.
struct SinkState {
  std::atomic<bool> closed{false};
  std::atomic<uint64_t> unsent{0};

  void close() {
    closed.store(true, std::memory_order_seq_cst);
    wake();
  }
  void release(uint64_t n) {
    if (n) unsent.fetch_sub(n, std::memory_order_seq_cst);
    if (waiting_.load(std::memory_order_seq_cst)) wake();
  }
  // ResponseSink::when_drained: `fn` runs once unsent <= below or closed,
  // on the thread that sees it (at once on the caller's if already so).
  void when_drained(uint64_t below, std::function<void()> fn) {
    {
      MutexLock lock(mu_);
      waiter_ = std::move(fn);
      below_ = below;
      waiting_.store(true, std::memory_order_seq_cst);
    }
    wake();  // a release() that ran before waiting_ was set is not missed
  }

 private:
  void wake() EXCLUDES(mu_) {
    std::function<void()> fn;
    {
      MutexLock lock(mu_);
      if (!waiter_) return;
      if (!closed.load(std::memory_order_seq_cst) && unsent.load(std::memory_order_seq_cst) > below_) return;
      fn = std::move(waiter_);
      waiter_ = nullptr;
      waiting_.store(false, std::memory_order_seq_cst);
    }
    fn();
  }

  Mutex mu_;
  std::function<void()> waiter_ GUARDED_BY(mu_);
  uint64_t below_ GUARDED_BY(mu_) = 0;
  std::atomic<bool> waiting_{false};
};

template <class Target>
class PostingSink final : public ResponseSink {
 public:
  PostingSink(std::shared_ptr<Target> target, uint64_t id, std::shared_ptr<SinkState> state)
      : target_(std::move(target)), id_(id), state_(std::move(state)) {}

  ~PostingSink() override {
    if (!finished_.load(std::memory_order_acquire)) post([id = id_](Target& t) { t.on_abandoned(id); });
  }

  void send(HttpResponse response) override {
    if (started_.load(std::memory_order_acquire) || finished_.exchange(true, std::memory_order_acq_rel)) return;
    post([id = id_, r = std::move(response)](Target& t) mutable { t.on_send(id, std::move(r)); });
  }

  void begin_stream(int status, std::vector<Header> headers) override {
    if (finished_.load(std::memory_order_acquire) || started_.exchange(true, std::memory_order_acq_rel)) return;
    post(
        [id = id_, status, h = std::move(headers)](Target& t) mutable { t.on_begin_stream(id, status, std::move(h)); });
  }

  void write_chunk(std::string bytes) override {
    if (!started_.load(std::memory_order_acquire) || finished_.load(std::memory_order_acquire)) return;
    if (bytes.empty() || closed()) return;
    uint64_t n = bytes.size();
    state_->unsent.fetch_add(n, std::memory_order_acq_rel);
    bool posted = post([id = id_, b = std::move(bytes), state = state_, n](Target& t) mutable {
      if (!t.on_chunk(id, std::move(b))) state->release(n);
    });
    if (!posted) state_->release(n);
  }

  void end_stream() override {
    if (!started_.load(std::memory_order_acquire) || finished_.exchange(true, std::memory_order_acq_rel)) return;
    post([id = id_](Target& t) { t.on_end_stream(id); });
  }

  void run_on_connection_thread(std::function<void()> work) override {
    if (target_->worker()->stopped()) return work();
    asio::post(target_->worker()->io(), [t = target_, w = std::move(work)]() mutable { w(); });
  }

  bool closed() const override { return state_->closed.load(std::memory_order_acquire); }

  void when_drained(uint64_t below, std::function<void()> fn) override { state_->when_drained(below, std::move(fn)); }

  uint64_t unsent_bytes() const override { return closed() ? 0 : state_->unsent.load(std::memory_order_acquire); }

 private:
  // False if the worker has stopped (the call is dropped).
  template <class Fn>
  bool post(Fn fn) {
    if (target_->worker()->stopped()) return false;
    asio::post(target_->worker()->io(), [t = target_, fn = std::move(fn)]() mutable { fn(*t); });
    return true;
  }

  std::shared_ptr<Target> target_;
  uint64_t id_;
  std::shared_ptr<SinkState> state_;
  std::atomic<bool> started_{false};
  std::atomic<bool> finished_{false};
};

}  // namespace runnel::net
