// libFuzzer target: arbitrary bytes into Http1Parser, delivered in pieces the
// way a connection delivers them. The first input byte picks the piece size
// so both whole-buffer and byte-at-a-time paths are explored; small limits
// make the 413/431 paths reachable.
#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <string>

#include "net/http1_parser.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size == 0) return 0;
  size_t step = data[0] == 0 ? size : data[0];
  std::string_view input(reinterpret_cast<const char*>(data + 1), size - 1);

  runnel::net::Http1Limits limits;
  limits.max_header_bytes = 2048;
  limits.max_header_count = 32;
  limits.max_body_bytes = 4096;
  runnel::net::Http1Parser parser(limits);

  std::string buffered;
  size_t fed = 0;
  while (true) {
    size_t take = std::min(step, input.size() - fed);
    buffered.append(input.substr(fed, take));
    fed += take;
    while (true) {
      size_t consumed = 0;
      auto r = parser.feed(buffered, &consumed);
      if (consumed > buffered.size()) __builtin_trap();
      buffered.erase(0, consumed);
      if (r == runnel::net::Http1Parser::Result::kNeedMore) break;
      if (r == runnel::net::Http1Parser::Result::kError) {
        int status = parser.error().status;
        if (status != 400 && status != 413 && status != 431 && status != 501 && status != 505) __builtin_trap();
        return 0;
      }
      if (r == runnel::net::Http1Parser::Result::kRequestDone) {
        runnel::net::HttpRequest req = parser.take_request();
        if (req.body.size() > limits.max_body_bytes || req.method.empty()) __builtin_trap();
      }
    }
    if (fed == input.size()) break;
  }
  return 0;
}
