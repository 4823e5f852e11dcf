#pragma once
// AWS Signature Version 4: what a request's authentication says, and whether
// it is true.
//
// parse_sigv4() runs on every request (AWS rejects unsigned or malformed
// requests even where an emulator could not check the signature);
// verify_sigv4() runs only when runnel has been given credentials. Errors use
// AWS's `__type` and wording, as Kinesis returns them (all HTTP 400); the full
// list, and where our wording is a guess, is in docs/auth.md.
//
// Thread-safety: every function here is pure; call from any thread. A
// SigV4Signer belongs to one thread.

#include <array>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "net/http.h"
#include "protocol/api_error.h"

namespace runnel::protocol {

class CredentialStore;

struct SigV4Credential {
  std::string access_key_id;
  std::string date;  // YYYYMMDD, as written in the scope (checked against amz_date by verify)
  std::string region;
  std::string service;
  std::string terminator;  // should be "aws4_request" (checked by verify)
};

// What a request's auth says.
struct SigV4Request {
  SigV4Credential credential;
  std::vector<std::string> signed_headers;  // lower-cased, in the order listed
  std::string signature;                    // hex, as sent
  std::string amz_date;                     // "YYYYMMDDTHHMMSSZ": X-Amz-Date (header or query), else the
                                            // Date header converted to this form
  bool from_query = false;                  // presigned / query-string form
  std::string security_token;               // X-Amz-Security-Token, may be empty
  int64_t expires_seconds = -1;             // X-Amz-Expires of the query form (0..604800); -1 if absent
};

// Whether the request carries SigV4 authentication at all, well-formed or
// not: a non-blank Authorization header or the X-Amz-Algorithm query key.
// parse_sigv4() answers MissingAuthenticationTokenException exactly when this
// is false.
bool has_sigv4_authentication(const net::HttpRequest& req);

// Reads the Authorization header (`AWS4-HMAC-SHA256 Credential=..., SignedHeaders=..., Signature=...`) or the
// query-string form (X-Amz-Algorithm, X-Amz-Credential, X-Amz-SignedHeaders, X-Amz-Signature, X-Amz-Date).
// Checks, in AWS's order: header and query both -> InvalidSignatureException; neither ->
// MissingAuthenticationTokenException; a parameter without '=', missing parameters or date, a date not in ISO-8601
// basic format, an algorithm other than AWS4-HMAC-SHA256, a credential without 5 '/'-separated parts ->
// IncompleteSignatureException. Does not look at the secret, the clock, or the signature itself.
ApiResult<SigV4Request> parse_sigv4(const net::HttpRequest& req);

// Verifies `auth` (from parse_sigv4(req)) with the caller's secret key, at `now_epoch_seconds` (UTC):
//  1. the request time is within 5 minutes of now (for the query form, or until X-Amz-Expires has passed);
//  2. `host` or `:authority` is among the signed headers;
//  3. the credential scope ends in aws4_request and its date is the request's date;
//  4. every x-amz-* header the request carries is signed (and `date` when it gives the request time);
//  5. x-amz-content-sha256, if sent, is the body's SHA-256 (or UNSIGNED-PAYLOAD with an empty body);
//  6. the signature: HMAC-SHA256 over AWS's string to sign, compared in constant time.
// Failures are InvalidSignatureException; a signature mismatch carries AWS's explanation followed by the
// canonical request and string to sign runnel computed, as Kinesis does. The payload hash of a request with a body
// is always the body's SHA-256; UNSIGNED-PAYLOAD is accepted only for an empty body. Neither the region nor the
// service in the scope is checked against anything.
ApiResult<void> verify_sigv4(const net::HttpRequest& req, const SigV4Request& auth, std::string_view secret_access_key,
                             int64_t now_epoch_seconds);

// The whole authentication step, in AWS's order: parse; then, if `store` is non-null, the checks of
// verify_sigv4() steps 1-4, the access key lookup (unknown -> UnrecognizedClientException "The security token
// included in the request is invalid."), and the signature. With a null store, any well-formed auth passes.
ApiResult<SigV4Request> authenticate_sigv4(const net::HttpRequest& req, const CredentialStore* store,
                                           int64_t now_epoch_seconds);

// The part of authenticate_sigv4() that needs only the request's head (no
// body): parse; then, with a store, the clock, host and scope checks, that
// every x-amz-* header is signed, and that the access key is known. Lets a
// server refuse an unauthenticated request before reading a large body; the
// full authenticate_sigv4() must still run once the body is in.
ApiResult<SigV4Request> authenticate_sigv4_head(const net::HttpRequest& head, const CredentialStore* store,
                                                int64_t now_epoch_seconds);

// The error for an access key the store does not know.
ApiError unrecognized_client();

// What verifies the chunks of a SigV4 streaming upload (aws-chunked,
// STREAMING-AWS4-HMAC-SHA256-PAYLOAD[-TRAILER]): the day's signing key, the
// request time, the scope, and the seed (the request's own signature) that
// the first chunk's signature chains from. The key is wiped on destruction.
struct ChunkSigningKey {
  std::array<unsigned char, 32> key{};
  std::string amz_date;        // "YYYYMMDDTHHMMSSZ"
  std::string scope;           // "date/region/service/aws4_request"
  std::string seed_signature;  // lower-case hex
  ChunkSigningKey() = default;
  ChunkSigningKey(const ChunkSigningKey&) = default;
  ChunkSigningKey& operator=(const ChunkSigningKey&) = default;
  ~ChunkSigningKey();
};

// authenticate_sigv4() for a request whose body is streamed (not in
// head.body): the head's checks, then, with a store, the signature computed
// over `payload_hash` (what x-amz-content-sha256 claims: a hex SHA-256 the
// caller checks once the body is in, UNSIGNED-PAYLOAD, or a STREAMING-*
// value). With a store and `chunk_key`, fills it for the chunk signatures.
ApiResult<SigV4Request> authenticate_sigv4_streamed(const net::HttpRequest& head, const CredentialStore* store,
                                                    int64_t now_epoch_seconds, std::string_view payload_hash,
                                                    ChunkSigningKey* chunk_key);
// The signature of one chunk of a streaming upload (AWS4-HMAC-SHA256-PAYLOAD
// string to sign: time, scope, previous signature, SHA-256 of "", SHA-256 of
// the chunk's data), lower-case hex.
std::string sigv4_chunk_signature(const ChunkSigningKey& k, std::string_view previous_signature,
                                  std::string_view chunk_sha256_hex);
// The signature of a streaming upload's trailing headers
// (AWS4-HMAC-SHA256-TRAILER: time, scope, previous signature, SHA-256 of the
// trailer lines "name:value\n"), lower-case hex.
std::string sigv4_trailer_signature(const ChunkSigningKey& k, std::string_view previous_signature,
                                    std::string_view trailer_sha256_hex);
// Constant-time comparison of two signatures.
bool sigv4_signatures_equal(std::string_view a, std::string_view b);
std::string sigv4_sha256_hex(std::string_view data);

// Signs requests in the header form, as the AWS SDKs do (runnel bench signs
// with it). It keeps the key of the day it last signed on, so a request costs
// a SHA-256 of its body and of its canonical request, and one HMAC.
// Thread-safety: one signer per thread.
class SigV4Signer {
 public:
  SigV4Signer(std::string access_key_id, std::string_view secret_access_key, std::string region, std::string service);
  ~SigV4Signer();  // wipes the secret and the key
  SigV4Signer(const SigV4Signer&) = delete;
  SigV4Signer& operator=(const SigV4Signer&) = delete;

  // Sets req's x-amz-date to `now_epoch_seconds` (adding the header if absent)
  // and returns the Authorization header's value, signing every header req
  // has (lower-case names, as net::HttpRequest keeps them) but authorization.
  std::string sign(net::HttpRequest& req, int64_t now_epoch_seconds);
  // As above, over `payload_hash` instead of the SHA-256 of req.body (a
  // streamed body: UNSIGNED-PAYLOAD, STREAMING-..., or the hash of a body
  // sent later). The caller sets x-amz-content-sha256 itself.
  std::string sign(net::HttpRequest& req, int64_t now_epoch_seconds, std::string_view payload_hash);

 private:
  std::string secret_;
  SigV4Credential credential_;  // date: the day key_ belongs to
  std::array<unsigned char, 32> key_{};
};

// Building blocks, exposed for tests and tools.
// SigV4's URI encoding (RFC 3986): every byte outside A-Z a-z 0-9 - _ . ~
// (and '/', when `keep_slash`) as %XX in upper-case hex. What clients of
// runnel's own (the S3 client, the Lambda invoker) use for paths they sign.
std::string sigv4_uri_encode(std::string_view s, bool keep_slash);
// The canonical URI of a raw (undecoded) request path: dot segments and empty segments removed, then each byte
// outside A-Z a-z 0-9 - _ . ~ / percent-encoded once (so "%20" on the wire becomes "%2520", as AWS does for every
// service but S3).
std::string sigv4_canonical_uri(std::string_view raw_path);
// The canonical query string of a raw query: pairs decoded, re-encoded (RFC 3986), sorted by key then value;
// X-Amz-Signature dropped when `drop_signature`.
std::string sigv4_canonical_query(std::string_view raw_query, bool drop_signature);

}  // namespace runnel::protocol
