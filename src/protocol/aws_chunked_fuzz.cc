// libFuzzer target: the aws-chunked decoder. The first byte picks the options
// (signed chunks, trailers, a verification key); the rest is the body. The
// decoder must not crash, must give the same payload and the same verdict
// whether the body comes whole or a byte at a time, and must count what it
// passed on.
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

#include "protocol/aws_chunked.h"

namespace {

struct Run {
  std::string payload;
  bool fed = true;
  bool finished = false;
  uint64_t counted = 0;
};

Run run(const runnel::protocol::AwsChunkedDecoder::Options& o, std::string_view body, size_t piece) {
  runnel::protocol::AwsChunkedDecoder d(o);
  Run r;
  for (size_t at = 0; at < body.size() && r.fed; at += piece)
    r.fed = d.feed(body.substr(at, std::min(piece, body.size() - at)), [&](std::string_view p) {
               r.payload.append(p);
             }).has_value();
  r.finished = d.finish().has_value();
  r.counted = d.payload_bytes();
  return r;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size == 0) return 0;
  runnel::protocol::ChunkSigningKey key;
  key.amz_date = "20130524T000000Z";
  key.scope = "20130524/us-east-1/s3/aws4_request";
  key.seed_signature = std::string(64, '0');
  runnel::protocol::AwsChunkedDecoder::Options o;
  o.signed_chunks = data[0] & 1;
  o.trailer = data[0] & 2;
  o.verify = (data[0] & 4) ? &key : nullptr;
  o.max_signed_chunk_bytes = 1 << 16;
  std::string_view body(reinterpret_cast<const char*>(data + 1), size - 1);
  Run whole = run(o, body, SIZE_MAX);
  Run bytes = run(o, body, 1);
  if (whole.payload != bytes.payload || whole.fed != bytes.fed || whole.finished != bytes.finished) __builtin_trap();
  if (whole.counted != whole.payload.size()) __builtin_trap();
  if (whole.finished && !whole.fed) __builtin_trap();
  return 0;
}
