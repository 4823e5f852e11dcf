#pragma once
// aws-chunked: the body framing of SigV4 streaming uploads
// (x-amz-content-sha256: STREAMING-AWS4-HMAC-SHA256-PAYLOAD,
// STREAMING-AWS4-HMAC-SHA256-PAYLOAD-TRAILER, STREAMING-UNSIGNED-PAYLOAD-TRAILER;
// docs/protocol-streaming-bodies.md). It sits inside HTTP's own framing:
//
//   <hex size>[;chunk-signature=<64 hex>]\r\n<size bytes>\r\n     ... repeated
//   0[;chunk-signature=<64 hex>]\r\n                              the final chunk
//   <name>:<value>\r\n ...                                        trailers, if any
//   \r\n
//
// A signed chunk's signature chains from the one before it (the first from
// the request's own signature), so chunks cannot be dropped, reordered or
// altered. A signed chunk's data is held until its whole chunk is in and its
// signature checks out, then passed on; unsigned data is passed on as it
// arrives. The decoder is pure (no I/O, no clock) and fuzzed
// (aws_chunked_fuzz.cc).
//
// Thread-safety: one decoder per body.

#include <cstdint>
#include <functional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "protocol/api_error.h"
#include "protocol/sigv4.h"

namespace runnel::protocol {

class AwsChunkedDecoder {
 public:
  struct Options {
    bool signed_chunks = false;  // each chunk line carries ;chunk-signature=
    bool trailer = false;        // trailing headers may follow the final chunk
    // Checks each chunk's (and the trailer's) signature against this when
    // set; when null the signatures must be present (signed_chunks) but are
    // not checked (no credentials configured).
    const ChunkSigningKey* verify = nullptr;
    size_t max_signed_chunk_bytes = 16 << 20;  // a signed chunk is held whole until verified
    size_t max_line_bytes = 4096;              // a chunk line or one trailer line
    size_t max_trailer_bytes = 16 << 10;
  };
  using Emit = std::function<void(std::string_view payload)>;

  explicit AwsChunkedDecoder(Options options) : options_(options) {
    if (options_.verify) previous_signature_ = options_.verify->seed_signature;
  }

  // Decodes the next wire bytes, passing payload bytes to `emit` in order.
  // An error is final: later calls return it again.
  ApiResult<void> feed(std::string_view in, const Emit& emit);
  // The body ended: an error unless the final chunk and the trailers (if
  // any) were complete.
  ApiResult<void> finish() const;
  bool done() const { return state_ == State::kDone; }

  // Trailing headers (lower-case names, values trimmed), once done().
  const std::vector<std::pair<std::string, std::string>>& trailers() const { return trailers_; }
  uint64_t payload_bytes() const { return payload_bytes_; }

 private:
  enum class State { kLine, kData, kDataEnd, kTrailer, kDone, kError };

  ApiResult<void> fail(std::string message);
  ApiResult<void> on_chunk_line(std::string_view line, const Emit& emit);
  ApiResult<void> on_chunk_complete(const Emit& emit);
  ApiResult<void> on_trailer_line(std::string_view line);
  ApiResult<void> on_trailers_end();

  Options options_;
  State state_ = State::kLine;
  ApiError error_;
  std::string line_;  // a partial line
  uint64_t remaining_ = 0;
  std::string chunk_;  // a signed chunk being collected
  std::string chunk_signature_;
  std::string previous_signature_;
  size_t trailer_bytes_ = 0;
  std::string trailer_text_;  // "name:value\n" per trailer, for the trailer signature
  std::string trailer_signature_;
  std::vector<std::pair<std::string, std::string>> trailers_;
  uint64_t payload_bytes_ = 0;
};

}  // namespace runnel::protocol
