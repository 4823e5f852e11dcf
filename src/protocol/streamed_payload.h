#pragma once
// StreamedPayload: the payload of an operation whose input is a streaming
// blob (S3 PutObject, Video Streams PutMedia), read as it arrives instead of
// whole. The dispatcher makes one from net/'s streamed body
// (net::RequestBody) and the request's x-amz-content-sha256, and hands it to
// the service in RequestContext::payload. It removes aws-chunked framing,
// verifies chunk and trailer signatures, the payload's SHA-256 when the
// client declared one, a deferred request signature when it did not, and any
// x-amz-checksum-* (header or trailer) and x-amz-decoded-content-length; the
// service sees only payload bytes and, at the end, whether all of that held
// (docs/protocol-streaming-bodies.md).
//
// Flow control: net/ reads ahead of the service by about the bytes the
// service has not consumed yet (plus one aws-chunked chunk, which is held
// until its signature is checked), so a service that consumes slowly slows
// the client.
//
// Threads: the reader's callbacks run on the connection's thread, one at a
// time, and must not block; read() and consume() may be called from any
// thread.

#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>

#include "common/mutex.h"
#include "net/http.h"
#include "protocol/api_error.h"
#include "protocol/aws_chunked.h"
#include "protocol/payload_checksum.h"
#include "protocol/sigv4.h"

namespace runnel::protocol {

// Receives a streamed payload. Implemented by services.
class PayloadReader {
 public:
  virtual ~PayloadReader() = default;
  // The next payload bytes, in order; the view lives only during the call.
  // Each byte counts against the flow-control window until consumed.
  virtual void on_payload(std::string_view bytes) = 0;
  // The payload is over: success once every byte arrived and every check
  // held; otherwise the error to answer with (a broken or truncated body, a
  // signature or checksum mismatch). Once; nothing follows. A service that
  // stored bytes it received before an error must drop them.
  virtual void on_payload_end(ApiResult<void> result) = 0;
};

// How the body carries the payload, and what must be checked: chosen by the
// dispatcher from the request's head.
struct PayloadFraming {
  bool aws_chunked = false;    // STREAMING-*: aws-chunked framing
  bool signed_chunks = false;  // STREAMING-AWS4-HMAC-SHA256-PAYLOAD[-TRAILER]
  bool trailer = false;        // ...-TRAILER
  // With credentials: what chunk (and trailer) signatures are checked with.
  std::optional<ChunkSigningKey> chunk_key;
  // The payload's SHA-256 the client signed (x-amz-content-sha256: <hex>).
  std::string expected_sha256;
  // With credentials and no x-amz-content-sha256: the request's signature,
  // checked once the body's SHA-256 is known.
  std::function<ApiResult<void>(std::string_view body_sha256_hex)> verify_signature_at_end;
  // x-amz-decoded-content-length (aws-chunked), or -1.
  int64_t decoded_length = -1;
  // A checksum the client sent as a header (x-amz-checksum-<alg>: value),
  // or announced as a trailer (x-amz-trailer: x-amz-checksum-<alg>).
  std::unique_ptr<PayloadChecksum> checksum;
  std::string checksum_header;  // its name, lower case
  std::string checksum_value;   // the header's value; empty when it comes as a trailer
};

class StreamedPayload final : public net::BodyReader, public std::enable_shared_from_this<StreamedPayload> {
 public:
  StreamedPayload(std::shared_ptr<net::RequestBody> body, PayloadFraming framing);

  // Starts the payload. Call once. Any thread.
  void read(std::shared_ptr<PayloadReader> reader);
  // The reader is done with `n` more payload bytes. Any thread.
  void consume(size_t n);
  // The payload's length when the client declared it (Content-Length, or
  // x-amz-decoded-content-length for aws-chunked), else -1.
  int64_t length() const { return length_; }

  // net::BodyReader (the connection's thread).
  void on_body_data(std::string_view bytes) override;
  void on_body_end(bool complete) override;

 private:
  void emit(std::string_view payload);
  void end(ApiResult<void> result);
  // Gives net/ back what it delivered beyond what the reader still holds.
  void settle() REQUIRES(mu_);

  std::shared_ptr<net::RequestBody> body_;
  PayloadFraming framing_;
  std::optional<AwsChunkedDecoder> chunked_;
  int64_t length_ = -1;
  std::shared_ptr<PayloadReader> reader_;
  bool ended_ = false;
  bool needs_sha256_ = false;
  std::unique_ptr<PayloadChecksum> sha256_;  // of the raw body, when a check needs it
  uint64_t raw_bytes_ = 0;

  Mutex mu_;
  uint64_t net_outstanding_ GUARDED_BY(mu_) = 0;     // delivered by net/, not given back
  uint64_t reader_outstanding_ GUARDED_BY(mu_) = 0;  // passed to the reader, not consumed
};

}  // namespace runnel::protocol
