#pragma once
// Test helper: a ServerOptions::transport_error hook that records what net/
// reported (the head's path and x-probe header, the error) and answers
// with a recognisable response: the status of the kind, header
// x-transport-error, body "hook:<kind>:<body_bytes>/<limit>".

#include <mutex>
#include <string>
#include <vector>

#include "common/mutex.h"
#include "common/thread_annotations.h"
#include "net/transport_error.h"

namespace runnel::net::testing {

struct RecordedTransportError {
  std::string path;
  std::string probe;  // the head's x-probe header, "-" if none
  TransportError error;
};

class TransportErrorRecorder {
 public:
  TransportErrorHook hook() {
    return [this](const HttpRequest& head, TransportError e) {
      const std::string* probe = head.header("x-probe");
      {
        MutexLock lock(mu_);
        seen_.push_back({head.path, probe ? *probe : "-", e});
      }
      int status = e.kind == TransportErrorKind::kBodyTooLarge          ? 413
                   : e.kind == TransportErrorKind::kBodyMemoryExhausted ? 503
                                                                        : 500;
      HttpResponse r;
      r.status = status;
      r.headers.push_back({"x-transport-error", std::to_string(static_cast<int>(e.kind))});
      r.body = "hook:" + std::to_string(static_cast<int>(e.kind)) + ":" + std::to_string(e.body_bytes) + "/" +
               std::to_string(e.limit);
      return r;
    };
  }

  std::vector<RecordedTransportError> seen() {
    MutexLock lock(mu_);
    return seen_;
  }

 private:
  Mutex mu_;
  std::vector<RecordedTransportError> seen_ GUARDED_BY(mu_);
};

}  // namespace runnel::net::testing
