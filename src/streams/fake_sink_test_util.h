#pragma once
// Test helper shared by the fan-out and consumer tests: a ResponseSink that
// records what net/ would have sent, and decodes it back into event-stream
// frames.

#include <gtest/gtest.h>

#include <atomic>
#include <string>
#include <string_view>
#include <vector>

#include "common/mutex.h"
#include "common/thread_annotations.h"
#include "net/http.h"
#include "protocol/cbor_codec.h"
#include "protocol/event_stream.h"
#include "protocol/json_codec.h"
#include "protocol/value.h"

namespace runnel::streams::testing {

using protocol::Value;
using protocol::WireFormat;

struct Frame {
  std::string message_type;
  std::string event_type;
  std::string exception_type;
  std::string content_type;
  size_t wire_bytes = 0;
  Value payload;
};

// A thread-safe ResponseSink that keeps everything it was given. Like net/'s
// sinks it turns closed() once the stream ended and then drops calls; calls
// that arrive after the end (or before begin_stream) are counted as misuse.
class FakeSink : public net::ResponseSink {
 public:
  void send(net::HttpResponse) override {
    MutexLock lock(mu_);
    ++misuse_;
  }
  void begin_stream(int status, std::vector<net::Header> headers) override {
    MutexLock lock(mu_);
    if (closed_) return note_dropped();
    ++begins_;
    status_ = status;
    headers_ = std::move(headers);
  }
  void write_chunk(std::string bytes) override {
    MutexLock lock(mu_);
    if (closed_) return note_dropped();
    if (begins_ == 0) ++misuse_;
    if (never_drains_) unsent_ += bytes.size();
    chunks_.push_back(std::move(bytes));
  }
  void end_stream() override {
    MutexLock lock(mu_);
    if (closed_) return note_dropped();
    ++ends_;
    closed_ = true;
  }
  bool closed() const override { return closed_.load(); }
  uint64_t unsent_bytes() const override {
    ++unsent_reads_;
    return closed_ ? 0 : unsent_.load();
  }

  void set_closed() { closed_ = true; }
  void set_unsent(uint64_t n) { unsent_ = n; }
  // From now on every chunk written counts as unsent for good: a reader
  // that stopped reading (a full socket, a closed HTTP/2 window).
  void stop_draining() {
    MutexLock lock(mu_);
    never_drains_ = true;
  }
  // How often the producer looked at unsent_bytes(): its polling.
  uint64_t unsent_reads() const { return unsent_reads_.load(); }
  uint64_t unsent() const { return unsent_.load(); }

  int status() const {
    MutexLock lock(mu_);
    return status_;
  }
  std::string header(std::string_view name) const {
    MutexLock lock(mu_);
    for (const auto& h : headers_)
      if (h.name == name) return h.value;
    return "";
  }
  int begins() const {
    MutexLock lock(mu_);
    return begins_;
  }
  int ends() const {
    MutexLock lock(mu_);
    return ends_;
  }
  int misuse() const {
    MutexLock lock(mu_);
    return misuse_;
  }
  int dropped_after_close() const {
    MutexLock lock(mu_);
    return dropped_;
  }
  size_t chunk_count() const {
    MutexLock lock(mu_);
    return chunks_.size();
  }

  // Every frame received so far, decoded; payloads decoded per `format`.
  std::vector<Frame> frames(WireFormat format = WireFormat::kJson) const {
    std::vector<std::string> chunks;
    {
      MutexLock lock(mu_);
      chunks = chunks_;
    }
    std::vector<Frame> out;
    protocol::eventstream::Decoder decoder;
    for (const auto& c : chunks) {
      decoder.feed(c);
      for (;;) {
        auto m = decoder.next();
        EXPECT_TRUE(m.has_value()) << "undecodable event-stream bytes";
        if (!m || !m->has_value()) break;
        Frame f;
        f.message_type = std::string((*m)->string_header(":message-type"));
        f.event_type = std::string((*m)->string_header(":event-type"));
        f.exception_type = std::string((*m)->string_header(":exception-type"));
        f.content_type = std::string((*m)->string_header(":content-type"));
        f.wire_bytes = c.size();
        auto v =
            format == WireFormat::kCbor ? protocol::decode_cbor((*m)->payload) : protocol::decode_json((*m)->payload);
        EXPECT_TRUE(v.has_value()) << "undecodable payload of a " << f.event_type << " frame";
        if (v) f.payload = std::move(*v);
        out.push_back(std::move(f));
      }
      EXPECT_EQ(decoder.buffered(), 0u) << "a chunk that is not whole frames";
    }
    return out;
  }

  // The SubscribeToShardEvent frames only.
  std::vector<Frame> events(WireFormat format = WireFormat::kJson) const {
    std::vector<Frame> out;
    for (auto& f : frames(format))
      if (f.message_type == "event" && f.event_type == "SubscribeToShardEvent") out.push_back(std::move(f));
    return out;
  }

 private:
  void note_dropped() REQUIRES(mu_) { ++dropped_; }

  mutable Mutex mu_;
  std::atomic<bool> closed_{false};
  std::atomic<uint64_t> unsent_{0};
  mutable std::atomic<uint64_t> unsent_reads_{0};
  bool never_drains_ GUARDED_BY(mu_) = false;
  int status_ GUARDED_BY(mu_) = 0;
  std::vector<net::Header> headers_ GUARDED_BY(mu_);
  std::vector<std::string> chunks_ GUARDED_BY(mu_);
  int begins_ GUARDED_BY(mu_) = 0;
  int ends_ GUARDED_BY(mu_) = 0;
  int misuse_ GUARDED_BY(mu_) = 0;
  int dropped_ GUARDED_BY(mu_) = 0;
};

}  // namespace runnel::streams::testing
