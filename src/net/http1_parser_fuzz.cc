// libFuzzer target: arbitrary bytes into Http1Parser, delivered in pieces the
// way a connection delivers them. The first input byte picks the piece size
// so both whole-buffer and byte-at-a-time paths are explored; small limits
// make the 413/431 paths reachable. Each input is parsed twice: with bodies
// read whole, and with every body streamed (stream_body() at each head, its
// bytes taken out after every feed, as a connection does); both must see the
// same requests and bodies up to the first 413, which only the whole-body
// reading may give.
#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "net/http1_parser.h"

namespace {

struct Parsed {
  std::vector<std::string> requests;  // method, path, query and body of each
  int error = 0;                      // the status that ended the parse, 0 if none
};

Parsed parse(std::string_view input, size_t step, bool stream) {
  runnel::net::Http1Limits limits;
  limits.max_header_bytes = 2048;
  limits.max_header_count = 32;
  limits.max_body_bytes = 4096;
  runnel::net::Http1Parser parser(limits);
  Parsed out;
  std::string buffered, body;
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
      if (stream) {
        body += parser.request().body;
        parser.request().body.clear();
      }
      if (r == runnel::net::Http1Parser::Result::kNeedMore) break;
      if (r == runnel::net::Http1Parser::Result::kHeadersDone) {
        if (stream) parser.stream_body();
        continue;
      }
      if (r == runnel::net::Http1Parser::Result::kError) {
        int status = parser.error().status;
        if (status != 400 && status != 413 && status != 431 && status != 501 && status != 505) __builtin_trap();
        if (stream && status == 413) __builtin_trap();  // a streamed body has no limit
        out.error = status;
        return out;
      }
      runnel::net::HttpRequest req = parser.take_request();
      if (!stream && req.body.size() > limits.max_body_bytes) __builtin_trap();
      if (req.method.empty()) __builtin_trap();
      out.requests.push_back(req.method + " " + req.path + "?" + req.query + "\n" + (stream ? body : req.body));
      body.clear();
    }
    if (fed == input.size()) break;
  }
  return out;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size == 0) return 0;
  size_t step = data[0] == 0 ? size : data[0];
  std::string_view input(reinterpret_cast<const char*>(data + 1), size - 1);
  Parsed whole = parse(input, step, false);
  Parsed streamed = parse(input, step, true);
  size_t common = std::min(whole.requests.size(), streamed.requests.size());
  for (size_t i = 0; i < common; ++i)
    if (whole.requests[i] != streamed.requests[i]) __builtin_trap();
  if (whole.error != 413) {
    if (whole.requests != streamed.requests || whole.error != streamed.error) __builtin_trap();
  } else if (streamed.requests.size() < whole.requests.size()) {
    __builtin_trap();
  }
  return 0;
}
