#pragma once
// The head of a request whose payload is streamed: what x-amz-content-sha256
// says about how the body carries the payload (raw, or aws-chunked with or
// without chunk signatures and trailers), the authentication that fits it,
// and the checks the payload must pass once it has arrived.
//
// Thread-safety: pure; any thread.

#include <cstdint>

#include "net/http.h"
#include "protocol/api_error.h"
#include "protocol/sigv4.h"
#include "protocol/streamed_payload.h"

namespace runnel::protocol {

class CredentialStore;

struct StreamedRequestAuth {
  SigV4Request auth;
  PayloadFraming framing;
};

// Authenticates `head` (with `store`: signature, key, clock; without: only
// that the authentication is well-formed) for the payload's framing:
//   STREAMING-AWS4-HMAC-SHA256-PAYLOAD[-TRAILER]: aws-chunked, signed chunks
//     (and a signed trailer), verified with the request's signing key;
//   STREAMING-UNSIGNED-PAYLOAD-TRAILER: aws-chunked, unsigned, with trailers;
//   UNSIGNED-PAYLOAD: the raw body, unchecked;
//   a SHA-256 in hex: the raw body, whose hash must match at the end;
//   absent: the raw body; with a store, the signature is checked once the
//     body's SHA-256 is known.
// Anything else is InvalidSignatureException. x-amz-decoded-content-length
// (required for aws-chunked, as S3 requires it) and a checksum header or
// announced trailer (x-amz-checksum-*, x-amz-trailer) become checks too.
ApiResult<StreamedRequestAuth> authenticate_streamed_request(const net::HttpRequest& head, const CredentialStore* store,
                                                             int64_t now_epoch_seconds);

}  // namespace runnel::protocol
