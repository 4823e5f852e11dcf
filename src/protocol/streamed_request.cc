#include "protocol/streamed_request.h"

#include <algorithm>
#include <charconv>

#include "protocol/credentials.h"

namespace runnel::protocol {
namespace {

constexpr std::string_view kSignedChunks = "STREAMING-AWS4-HMAC-SHA256-PAYLOAD";
constexpr std::string_view kSignedChunksTrailer = "STREAMING-AWS4-HMAC-SHA256-PAYLOAD-TRAILER";
constexpr std::string_view kUnsignedTrailer = "STREAMING-UNSIGNED-PAYLOAD-TRAILER";
constexpr std::string_view kUnsigned = "UNSIGNED-PAYLOAD";

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

bool is_sha256_hex(std::string_view s) {
  return s.size() == 64 && std::all_of(s.begin(), s.end(), [](char c) {
           return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
         });
}

std::string lower(std::string_view s) {
  std::string out(s);
  for (char& c : out)
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  return out;
}

ApiError bad_request(std::string message) { return ApiError{"InvalidRequest", std::move(message), 400, true}; }

}  // namespace

ApiResult<StreamedRequestAuth> authenticate_streamed_request(const net::HttpRequest& head, const CredentialStore* store,
                                                             int64_t now_epoch_seconds) {
  StreamedRequestAuth out;
  PayloadFraming& f = out.framing;
  const std::string* claim_header = head.header("x-amz-content-sha256");
  std::string_view claim = claim_header ? trim(*claim_header) : std::string_view();
  ChunkSigningKey key;
  ApiResult<SigV4Request> auth = std::unexpected(ApiError{});
  if (!claim_header) {
    auth = authenticate_sigv4_head(head, store, now_epoch_seconds);
    if (auth && store) {
      net::HttpRequest copy;  // the head, kept for the check at the end
      copy.method = head.method;
      copy.path = head.path;
      copy.query = head.query;
      copy.headers = head.headers;
      f.verify_signature_at_end = [copy = std::move(copy), store, now_epoch_seconds](std::string_view sha256) {
        auto ok = authenticate_sigv4_streamed(copy, store, now_epoch_seconds, sha256, nullptr);
        return ok ? ApiResult<void>() : ApiResult<void>(std::unexpected(ok.error()));
      };
    }
  } else if (claim == kSignedChunks || claim == kSignedChunksTrailer || claim == kUnsignedTrailer) {
    f.aws_chunked = true;
    f.signed_chunks = claim != kUnsignedTrailer;
    f.trailer = claim != kSignedChunks;
    auth = authenticate_sigv4_streamed(head, store, now_epoch_seconds, claim, f.signed_chunks ? &key : nullptr);
    if (auth && store && f.signed_chunks) f.chunk_key = key;
  } else if (claim == kUnsigned) {
    auth = authenticate_sigv4_streamed(head, store, now_epoch_seconds, claim, nullptr);
  } else if (is_sha256_hex(claim)) {
    f.expected_sha256 = lower(claim);
    auth = authenticate_sigv4_streamed(head, store, now_epoch_seconds, f.expected_sha256, nullptr);
  } else {
    return std::unexpected(ApiError{"InvalidSignatureException",
                                    "x-amz-content-sha256 must be the payload's SHA-256 in hex, UNSIGNED-PAYLOAD, "
                                    "STREAMING-AWS4-HMAC-SHA256-PAYLOAD[-TRAILER] or "
                                    "STREAMING-UNSIGNED-PAYLOAD-TRAILER.",
                                    400, true});
  }
  if (!auth) return std::unexpected(auth.error());
  out.auth = std::move(*auth);

  if (f.aws_chunked) {
    const std::string* decoded = head.header("x-amz-decoded-content-length");
    if (!decoded)
      return std::unexpected(
          ApiError{"MissingContentLength", "An aws-chunked upload must send x-amz-decoded-content-length.", 411, true});
    std::string_view v = trim(*decoded);
    int64_t n = -1;
    auto [end, ec] = std::from_chars(v.data(), v.data() + v.size(), n);
    if (ec != std::errc() || end != v.data() + v.size() || n < 0)
      return std::unexpected(bad_request("x-amz-decoded-content-length must be a non-negative integer."));
    f.decoded_length = n;
  }
  // One checksum: a header with its value, or a trailer x-amz-trailer announces.
  for (const net::Header& h : head.headers) {
    if (!h.name.starts_with("x-amz-checksum-") || h.name == "x-amz-checksum-type" ||
        h.name == "x-amz-checksum-algorithm")
      continue;
    auto sum = PayloadChecksum::for_header(h.name);
    if (!sum) return std::unexpected(bad_request("Unknown checksum header " + h.name + "."));
    if (f.checksum) return std::unexpected(bad_request("Send at most one x-amz-checksum-* header."));
    f.checksum = std::move(sum);
    f.checksum_header = h.name;
    f.checksum_value = std::string(trim(h.value));
  }
  if (const std::string* trailer = head.header("x-amz-trailer")) {
    std::string name = lower(trim(*trailer));
    if (!f.trailer) return std::unexpected(bad_request("x-amz-trailer needs an aws-chunked upload with trailers."));
    auto sum = PayloadChecksum::for_header(name);
    if (!sum) return std::unexpected(bad_request("Unknown trailing checksum " + name + "."));
    if (f.checksum) return std::unexpected(bad_request("Send a checksum as a header or as a trailer, not both."));
    f.checksum = std::move(sum);
    f.checksum_header = std::move(name);
  }
  return out;
}

}  // namespace runnel::protocol
