// libFuzzer target for the event-stream Decoder (the bench tool's parser of
// a server's SubscribeToShard body) and its header parser. Checks, beyond
// "does not crash":
//  - feeding the same bytes whole, in two halves, or in small chunks gives
//    the same messages and the same final error (the decoder's result does
//    not depend on how the bytes were split);
//  - every decoded message re-encodes to exactly the bytes it came from (the
//    encoding is canonical), and decoding that gives back an equal message;
//  - the same input with its CRCs recomputed goes through the same checks,
//    so lengths, headers and payloads past the CRC gate get explored too
//    (libFuzzer cannot forge a CRC32 by mutation);
//  - decode_headers on the raw input (reaching the header parser without
//    first having to forge two CRCs) either fails or re-encodes to the same
//    bytes.
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>
#include <vector>

#include <zlib.h>

#include "protocol/event_stream.h"

namespace {

namespace es = runnel::protocol::eventstream;

void check(bool ok) {
  if (!ok) std::abort();
}

struct Outcome {
  std::vector<es::Message> messages;
  std::string error;  // "" when the input ended without an error
};

void drain(es::Decoder& d, Outcome& out) {
  for (;;) {
    auto r = d.next();
    if (!r) {
      out.error = r.error().to_string();
      check(!out.error.empty());
      return;
    }
    if (!r->has_value()) return;
    out.messages.push_back(std::move(**r));
  }
}

// Decodes `input` fed in chunks of `chunk` bytes, draining after each feed.
Outcome decode_in_chunks(std::string_view input, size_t chunk) {
  es::Decoder d(1u << 20);
  Outcome out;
  for (size_t at = 0; at < input.size() && out.error.empty(); at += chunk) {
    d.feed(input.substr(at, chunk));
    drain(d, out);
  }
  return out;
}

bool same(const Outcome& a, const Outcome& b) { return a.messages == b.messages && a.error == b.error; }

uint32_t be32(std::string_view s, size_t at) {
  uint32_t v = 0;
  for (size_t k = 0; k < 4; ++k) v = (v << 8) | static_cast<uint8_t>(s[at + k]);
  return v;
}

void put_be32(std::string& s, size_t at, uint32_t v) {
  for (size_t k = 0; k < 4; ++k) s[at + k] = static_cast<char>(v >> (24 - 8 * k));
}

uint32_t crc(std::string_view s) {
  return static_cast<uint32_t>(::crc32(0, reinterpret_cast<const Bytef*>(s.data()), static_cast<uInt>(s.size())));
}

// `input` with the prelude and message CRCs of each frame it holds (as far
// as the lengths allow) set to the right values.
std::string with_fixed_crcs(std::string_view input) {
  std::string out(input);
  size_t at = 0;
  while (out.size() - at >= es::kPreludeBytes) {
    put_be32(out, at + 8, crc(std::string_view(out).substr(at, 8)));
    const uint32_t total = be32(out, at);
    if (total < es::kMessageOverheadBytes || total > out.size() - at) break;
    put_be32(out, at + total - 4, crc(std::string_view(out).substr(at, total - 4)));
    at += total;
  }
  return out;
}

void check_stream(std::string_view input) {
  const Outcome whole = decode_in_chunks(input, input.size() + 1);
  check(same(whole, decode_in_chunks(input, input.size() / 2 + 1)));
  const size_t small = input.empty() ? 1 : static_cast<size_t>(static_cast<uint8_t>(input.back()) % 13) + 1;
  check(same(whole, decode_in_chunks(input, small)));

  size_t offset = 0;
  for (const es::Message& m : whole.messages) {
    const std::string frame = es::encode_message(m.headers, m.payload);
    check(!frame.empty());
    check(input.substr(offset, frame.size()) == frame);
    offset += frame.size();
    es::Decoder again;
    again.feed(frame);
    auto r = again.next();
    check(r.has_value() && r->has_value() && **r == m);
    auto end = again.next();
    check(end.has_value() && !end->has_value());
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view input(reinterpret_cast<const char*>(data), size);
  check_stream(input);
  check_stream(with_fixed_crcs(input));

  if (auto headers = es::decode_headers(input)) {
    const std::string frame = es::encode_message(*headers, "");
    check(!frame.empty());
    check(std::string_view(frame).substr(es::kPreludeBytes, input.size()) == input);
    check(frame.size() == input.size() + es::kMessageOverheadBytes);
  }
  return 0;
}
