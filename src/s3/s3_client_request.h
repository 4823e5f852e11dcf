#pragma once
// The requests RemoteStore (s3/remote_store.h) sends to an S3-compatible
// store, built and signed without any I/O: path-style URLs (`/bucket/key`),
// keys percent-encoded as S3 and SigV4 want them, SigV4 headers for service
// `s3` with `x-amz-content-sha256` holding the payload's SHA-256.
//
// Thread-safety: pure functions; sign_s3_client_request() uses the signer it
// is given, which belongs to one thread (protocol/sigv4.h).

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "common/status.h"
#include "net/http.h"
#include "s3/object_store.h"

namespace runnel::protocol {
class SigV4Signer;
}

namespace runnel::s3 {

// Where the store is: `http://host[:port]` or `https://host[:port]`, with
// nothing after the authority but an optional "/".
struct S3ClientEndpoint {
  std::string scheme;     // "http" or "https"
  std::string authority;  // host[:port] as the Host header carries it (a default port dropped)
  // scheme://authority, what request URLs start with.
  std::string base_url() const { return scheme + "://" + authority; }
};

// The endpoint `url` names, or kInvalidArgument saying what is wrong with it.
Result<S3ClientEndpoint> parse_s3_client_endpoint(std::string_view url);

// `key` percent-encoded for a path: every byte but A-Z a-z 0-9 - _ . ~ and '/'
// as %XX (upper-case hex), UTF-8 byte by byte. A space is %20, '+' is %2B.
// S3 signs the path exactly as sent, so this is also the canonical URI.
std::string s3_client_encode_path(std::string_view key);
// A query-string key or value: as above, '/' encoded too.
std::string s3_client_encode_query(std::string_view value);

// One request, ready to sign and send. `body` views bytes owned by `owner`
// (an object's body shared by the parts of a multipart upload) or by
// `own_body`; it outlives the transfer because the request holds them.
struct S3ClientRequest {
  std::string method;                // GET, PUT, POST, HEAD, DELETE
  std::string path;                  // encoded: "/bucket" or "/bucket/key"
  std::string query;                 // encoded, without '?'; empty if none
  std::vector<net::Header> headers;  // lower-case names; signing adds host, x-amz-date, ...
  std::shared_ptr<const std::string> owner;
  std::string own_body;
  std::string_view body;
  std::string what;  // for error messages: "PutObject bucket/key"
  // Hex SHA-256 of `body`, if already computed (put_object does it on the
  // caller's thread, sparing the loop's); empty: signing computes it.
  std::string payload_sha256;

  void set_own_body(std::string b) {
    own_body = std::move(b);
    body = own_body;
  }
};

// S3 operations' requests. Keys and buckets are taken as given (S3 answers
// for names it refuses). `body` of put_object / upload_part is viewed from
// `owner` at [offset, offset + size).
S3ClientRequest s3_client_put_object(const PutObjectRequest& req, std::shared_ptr<const std::string> owner);
S3ClientRequest s3_client_get_object(std::string_view bucket, std::string_view key);
S3ClientRequest s3_client_head_bucket(std::string_view bucket);
// ListObjectsV2: list-type=2, prefix, start-after (when `after` is not
// empty), max-keys clamped to [0, 1000].
S3ClientRequest s3_client_list_objects(std::string_view bucket, std::string_view prefix, std::string_view after,
                                       int max_keys);
S3ClientRequest s3_client_create_multipart(const PutObjectRequest& req);
S3ClientRequest s3_client_upload_part(std::string_view bucket, std::string_view key, std::string_view upload_id,
                                      int part_number, std::shared_ptr<const std::string> owner, size_t offset,
                                      size_t size);
// `etags[i]` is part i+1's ETag, as UploadPart answered it (with quotes).
S3ClientRequest s3_client_complete_multipart(std::string_view bucket, std::string_view key, std::string_view upload_id,
                                             const std::vector<std::string>& etags);
S3ClientRequest s3_client_abort_multipart(std::string_view bucket, std::string_view key, std::string_view upload_id);

// Adds host (`authority`), x-amz-content-sha256 (hex SHA-256 of the body:
// req.payload_sha256, computed if empty),
// x-amz-security-token (when `session_token` is not empty), x-amz-date and
// authorization, signing every header the request has.
void sign_s3_client_request(S3ClientRequest& req, protocol::SigV4Signer& signer, std::string_view authority,
                            std::string_view session_token, int64_t now_epoch_seconds);

// Why a header value cannot be sent (a CR, LF or NUL would end the header
// or the request early), or an empty string when it can.
std::string s3_client_header_problem(std::string_view name, std::string_view value);

// base64 of the MD5 of `bytes` (Content-MD5).
std::string s3_client_content_md5(std::string_view bytes);

}  // namespace runnel::s3
