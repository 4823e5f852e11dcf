#pragma once
// The connection's side of one streamed request body (http.h, RequestBody),
// shared by HTTP/1.1 and HTTP/2: holds what arrives before the reader is
// attached, delivers to the reader, counts the bytes it has not consumed yet,
// and says whether net/ may read more. PostingBody is the RequestBody handed
// to the handler: it posts read() and consume() onto the connection's thread.
//
// Threads: BodyChannel belongs to the connection's worker thread. PostingBody
// may be called from any thread.

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <utility>

#include "net/asio.h"
#include "net/http.h"
#include "net/worker.h"

namespace runnel::net {

class BodyChannel {
 public:
  explicit BodyChannel(size_t window) : window_(window) {}

  // Bytes of the body from the wire, in order.
  void deliver(std::string_view bytes) {
    if (finished_ || bytes.empty()) return;
    if (!reader_) {
      pending_.append(bytes);
      return;
    }
    outstanding_ += bytes.size();
    reader_->on_body_data(bytes);
  }

  // The body is over (complete) or broke. Once; later calls are ignored.
  void finish(bool complete) {
    if (finished_) return;
    finished_ = true;
    complete_ = complete;
    if (!complete) std::string().swap(pending_);
    tell_end();
  }

  // RequestBody::read(): the first reader wins.
  void attach(std::shared_ptr<BodyReader> reader) {
    if (reader_ || !reader) return;
    reader_ = std::move(reader);
    if (!pending_.empty()) {
      std::string bytes = std::move(pending_);
      pending_.clear();
      outstanding_ += bytes.size();
      reader_->on_body_data(bytes);
    }
    tell_end();
  }

  // RequestBody::consume(): returns the bytes actually given back.
  size_t consumed(size_t n) {
    n = std::min(n, outstanding_);
    outstanding_ -= n;
    return n;
  }

  // Bytes waiting for the reader or delivered and not yet consumed.
  size_t held() const { return pending_.size() + outstanding_; }
  bool finished() const { return finished_; }
  // net/ may read more of the body.
  bool wants_more() const { return !finished_ && held() < window_; }

 private:
  void tell_end() {
    if (!finished_ || told_ || !reader_) return;
    told_ = true;
    auto reader = std::move(reader_);
    reader_.reset();
    reader->on_body_end(complete_);
  }

  size_t window_;
  std::shared_ptr<BodyReader> reader_;
  std::string pending_;
  size_t outstanding_ = 0;
  bool finished_ = false;
  bool complete_ = false;
  bool told_ = false;
};

// Target must provide, callable on its worker thread:
//   on_body_read(uint64_t id, std::shared_ptr<BodyReader>), on_body_consumed(uint64_t id, size_t n)
// and worker() returning std::shared_ptr<Worker>.
template <class Target>
class PostingBody final : public RequestBody {
 public:
  PostingBody(std::shared_ptr<Target> target, uint64_t id, int64_t declared_length)
      : target_(std::move(target)), id_(id), declared_length_(declared_length) {}

  void read(std::shared_ptr<BodyReader> reader) override {
    post([id = id_, r = std::move(reader)](Target& t) mutable { t.on_body_read(id, std::move(r)); });
  }
  void consume(size_t n) override {
    if (n) post([id = id_, n](Target& t) { t.on_body_consumed(id, n); });
  }
  int64_t declared_length() const override { return declared_length_; }

 private:
  template <class Fn>
  void post(Fn fn) {
    if (target_->worker()->stopped()) return;
    asio::post(target_->worker()->io(), [t = target_, fn = std::move(fn)]() mutable { fn(*t); });
  }

  std::shared_ptr<Target> target_;
  uint64_t id_;
  int64_t declared_length_;
};

}  // namespace runnel::net
