#pragma once
// Test-only (header-only, used by net/*_test.cc): a blocking HTTP/2 client
// built on an nghttp2 client session over a TestSocket (TCP or TLS).
// Deliberately independent of the server code under test.

#include <nghttp2/nghttp2.h>

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <cstring>
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <thread>
#include <utility>
#include <vector>

#include "net/test_socket.h"

namespace runnel::net::testing {

using namespace std::chrono_literals;

// A blocking HTTP/2 client for tests.
class H2Client {
 public:
  struct Response {
    int status = 0;
    std::map<std::string, std::string> headers;
    std::string body;
    int data_frames = 0;
    uint64_t unconsumed = 0;  // DATA bytes not yet returned to the server's window (manual_window)
    bool closed = false;
    uint32_t error_code = 0;
  };

  // trickle_preface: send the 24-byte preface one byte at a time.
  // manual_window: send no WINDOW_UPDATE until grant() is called, so the
  // server stays limited by the initial 65 535-byte windows.
  // initial_window >= 0: announce SETTINGS_INITIAL_WINDOW_SIZE = that (0: the
  // server may send no DATA at all); implies manual_window.
  explicit H2Client(TestSocket& s, bool trickle_preface = false, bool manual_window = false,
                    int32_t initial_window = -1)
      : s_(s), trickle_(trickle_preface) {
    if (initial_window >= 0) manual_window = true;
    nghttp2_session_callbacks* cb;
    nghttp2_session_callbacks_new(&cb);
    nghttp2_session_callbacks_set_send_callback(
        cb, [](nghttp2_session*, const uint8_t* data, size_t len, int, void* user) -> ssize_t {
          auto* self = static_cast<H2Client*>(user);
          std::string_view bytes(reinterpret_cast<const char*>(data), len);
          if (self->trickle_ && !self->preface_sent_) {
            self->preface_sent_ = true;
            for (size_t i = 0; i < 24 && i < bytes.size(); ++i) {
              if (!self->s_.write(bytes.substr(i, 1))) return NGHTTP2_ERR_CALLBACK_FAILURE;
              std::this_thread::sleep_for(2ms);
            }
            bytes.remove_prefix(std::min<size_t>(24, bytes.size()));
          }
          return self->s_.write(bytes) ? static_cast<ssize_t>(len) : static_cast<ssize_t>(NGHTTP2_ERR_CALLBACK_FAILURE);
        });
    nghttp2_session_callbacks_set_on_header_callback(
        cb,
        [](nghttp2_session*, const nghttp2_frame* f, const uint8_t* n, size_t nl, const uint8_t* v, size_t vl, uint8_t,
           void* self) -> int {
          auto& r = static_cast<H2Client*>(self)->responses_[f->hd.stream_id];
          std::string name(reinterpret_cast<const char*>(n), nl), value(reinterpret_cast<const char*>(v), vl);
          if (name == ":status")
            r.status = std::stoi(value);
          else
            r.headers[name] = value;
          return 0;
        });
    nghttp2_session_callbacks_set_on_data_chunk_recv_callback(
        cb, [](nghttp2_session*, uint8_t, int32_t id, const uint8_t* d, size_t len, void* self) -> int {
          auto& r = static_cast<H2Client*>(self)->responses_[id];
          r.body.append(reinterpret_cast<const char*>(d), len);
          r.unconsumed += len;
          ++r.data_frames;
          return 0;
        });
    nghttp2_session_callbacks_set_on_stream_close_callback(
        cb, [](nghttp2_session*, int32_t id, uint32_t code, void* self) -> int {
          auto& r = static_cast<H2Client*>(self)->responses_[id];
          r.closed = true;
          r.error_code = code;
          return 0;
        });
    nghttp2_option* opt;
    nghttp2_option_new(&opt);
    if (manual_window) nghttp2_option_set_no_auto_window_update(opt, 1);
    nghttp2_session_client_new2(&session_, cb, this, opt);
    nghttp2_option_del(opt);
    nghttp2_session_callbacks_del(cb);
    nghttp2_settings_entry window{NGHTTP2_SETTINGS_INITIAL_WINDOW_SIZE, static_cast<uint32_t>(initial_window)};
    nghttp2_submit_settings(session_, NGHTTP2_FLAG_NONE, initial_window >= 0 ? &window : nullptr,
                            initial_window >= 0 ? 1 : 0);
  }
  ~H2Client() { nghttp2_session_del(session_); }

  int32_t submit(std::string method, std::string path, std::string body = "",
                 std::vector<std::pair<std::string, std::string>> extra = {}, bool end_stream = true) {
    std::vector<std::pair<std::string, std::string>> h = {
        {":method", method}, {":path", path}, {":scheme", "http"}, {":authority", "example.test:4567"}};
    for (auto& e : extra) h.push_back(e);
    std::vector<nghttp2_nv> nv;
    for (auto& [n, v] : h)
      nv.push_back({reinterpret_cast<uint8_t*>(n.data()), reinterpret_cast<uint8_t*>(v.data()), n.size(), v.size(),
                    NGHTTP2_NV_FLAG_NONE});
    auto owned = std::make_unique<Body>();
    owned->data = std::move(body);
    owned->end_stream = end_stream;
    nghttp2_data_provider prd{};
    prd.source.ptr = owned.get();
    prd.read_callback = [](nghttp2_session*, int32_t, uint8_t* buf, size_t len, uint32_t* flags,
                           nghttp2_data_source* src, void*) -> ssize_t {
      auto* b = static_cast<Body*>(src->ptr);
      size_t n = std::min(len, b->data.size() - b->offset);
      std::memcpy(buf, b->data.data() + b->offset, n);
      b->offset += n;
      if (b->offset == b->data.size()) {
        if (!b->end_stream) return n > 0 ? static_cast<ssize_t>(n) : static_cast<ssize_t>(NGHTTP2_ERR_DEFERRED);
        *flags |= NGHTTP2_DATA_FLAG_EOF;
      }
      return static_cast<ssize_t>(n);
    };
    bool has_body = !owned->data.empty() || !end_stream;
    int32_t id = nghttp2_submit_request(session_, nullptr, nv.data(), nv.size(), has_body ? &prd : nullptr, nullptr);
    bodies_.push_back(std::move(owned));
    return id;
  }

  void reset(int32_t id) { nghttp2_submit_rst_stream(session_, NGHTTP2_FLAG_NONE, id, NGHTTP2_CANCEL); }
  // manual_window: returns the DATA received on `id` to the stream and
  // connection windows (WINDOW_UPDATE goes out with the next pump).
  void grant(int32_t id) {
    auto& r = responses_[id];
    if (r.unconsumed) nghttp2_session_consume(session_, id, r.unconsumed);
    r.unconsumed = 0;
  }

  // Pumps the session until `done()` or the timeout; false on timeout or connection loss.
  template <class Pred>
  bool run_until(Pred done, std::chrono::milliseconds timeout = 3000ms) {
    auto deadline = std::chrono::steady_clock::now() + timeout;
    while (true) {
      if (nghttp2_session_send(session_) != 0) return false;
      if (done()) return true;
      if (std::chrono::steady_clock::now() >= deadline) return false;
      std::string in;
      ssize_t n = s_.read_some(in, 50);
      if (n == 0) return done();
      if (n > 0 && nghttp2_session_mem_recv(session_, reinterpret_cast<const uint8_t*>(in.data()), in.size()) < 0)
        return false;
    }
  }
  bool wait(int32_t id) {
    return run_until([&] { return responses_[id].closed; });
  }
  Response& response(int32_t id) { return responses_[id]; }
  bool goaway_received() const { return nghttp2_session_want_read(session_) == 0; }

 private:
  struct Body {
    std::string data;
    size_t offset = 0;
    bool end_stream = true;
  };
  TestSocket& s_;
  bool trickle_ = false;
  bool preface_sent_ = false;
  nghttp2_session* session_ = nullptr;
  std::map<int32_t, Response> responses_;
  std::vector<std::unique_ptr<Body>> bodies_;
};

}  // namespace runnel::net::testing
