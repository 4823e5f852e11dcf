#include "protocol/aws_chunked.h"

#include <algorithm>

namespace runnel::protocol {
namespace {

constexpr std::string_view kSignatureKey = "chunk-signature=";
constexpr std::string_view kTrailerSignature = "x-amz-trailer-signature";

int hex_digit(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

bool is_signature(std::string_view s) {
  return s.size() == 64 && std::all_of(s.begin(), s.end(), [](char c) { return hex_digit(c) >= 0; });
}

std::string lower(std::string_view s) {
  std::string out(s);
  for (char& c : out)
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  return out;
}

ApiError signature_mismatch(std::string_view what) {
  return ApiError{"InvalidSignatureException",
                  "The " + std::string(what) +
                      " signature we calculated does not match the signature you provided. Check your AWS Secret "
                      "Access Key and signing method.",
                  400, true};
}

}  // namespace

ApiResult<void> AwsChunkedDecoder::fail(std::string message) {
  state_ = State::kError;
  error_ = ApiError{"SerializationException", "Malformed aws-chunked request body: " + std::move(message), 400, true};
  return std::unexpected(error_);
}

ApiResult<void> AwsChunkedDecoder::feed(std::string_view in, const Emit& emit) {
  if (state_ == State::kError) return std::unexpected(error_);
  while (!in.empty()) {
    switch (state_) {
      case State::kError: return std::unexpected(error_);
      case State::kDone: return fail("bytes after the end of the body");
      case State::kLine:
      case State::kTrailer: {
        size_t lf = in.find('\n');
        size_t take = lf == std::string_view::npos ? in.size() : lf + 1;
        if (line_.size() + take > options_.max_line_bytes + 2) return fail("a chunk or trailer line is too long");
        line_.append(in.substr(0, take));
        in.remove_prefix(take);
        if (lf == std::string_view::npos) break;
        if (line_.size() < 2 || line_[line_.size() - 2] != '\r') return fail("lines must end in CRLF");
        std::string line = std::move(line_);
        line_.clear();
        line.resize(line.size() - 2);
        if (auto ok = state_ == State::kLine ? on_chunk_line(line, emit) : on_trailer_line(line); !ok) return ok;
        break;
      }
      case State::kData: {
        size_t take = static_cast<size_t>(std::min<uint64_t>(remaining_, in.size()));
        if (options_.signed_chunks) {
          chunk_.append(in.substr(0, take));
        } else {
          payload_bytes_ += take;
          emit(in.substr(0, take));
        }
        in.remove_prefix(take);
        remaining_ -= take;
        if (remaining_ == 0)
          if (auto ok = on_chunk_complete(emit); !ok) return ok;
        break;
      }
      case State::kDataEnd: {
        size_t take = std::min<size_t>(2 - line_.size(), in.size());
        line_.append(in.substr(0, take));
        in.remove_prefix(take);
        if (line_.size() < 2) break;
        if (line_ != "\r\n") return fail("a chunk's data must be followed by CRLF");
        line_.clear();
        state_ = State::kLine;
        break;
      }
    }
  }
  return {};
}

ApiResult<void> AwsChunkedDecoder::on_chunk_line(std::string_view line, const Emit& emit) {
  uint64_t size = 0;
  size_t i = 0;
  for (; i < line.size() && hex_digit(line[i]) >= 0; ++i) {
    if (size > (UINT64_MAX >> 4)) return fail("the chunk size overflows");
    size = (size << 4) | static_cast<uint64_t>(hex_digit(line[i]));
  }
  if (i == 0) return fail("a chunk line must start with the chunk's size in hexadecimal");
  std::string_view rest = line.substr(i);
  chunk_signature_.clear();
  if (options_.signed_chunks) {
    if (!rest.starts_with(";") || !rest.substr(1).starts_with(kSignatureKey) ||
        !is_signature(rest.substr(1 + kSignatureKey.size())))
      return fail("a signed chunk's line must be <hex size>;chunk-signature=<64 hex digits>");
    chunk_signature_ = lower(rest.substr(1 + kSignatureKey.size()));
    if (size > options_.max_signed_chunk_bytes)
      return fail("a signed chunk may hold at most " + std::to_string(options_.max_signed_chunk_bytes) + " bytes");
  } else if (!rest.empty() && rest.front() != ';') {
    return fail("a chunk line must be <hex size>[;extensions]");
  }
  remaining_ = size;
  if (size > 0) {
    if (options_.signed_chunks) chunk_.reserve(static_cast<size_t>(size));
    state_ = State::kData;
    return {};
  }
  // The final chunk: its signature covers no data; trailers (or the empty
  // line that ends the body) follow.
  if (auto ok = on_chunk_complete(emit); !ok) return ok;
  state_ = State::kTrailer;
  return {};
}

// A chunk's data is all in: a signed chunk is checked, then passed on.
ApiResult<void> AwsChunkedDecoder::on_chunk_complete(const Emit& emit) {
  state_ = State::kDataEnd;
  if (!options_.signed_chunks) return {};
  if (options_.verify) {
    std::string expected = sigv4_chunk_signature(*options_.verify, previous_signature_, sigv4_sha256_hex(chunk_));
    if (!sigv4_signatures_equal(expected, chunk_signature_)) {
      state_ = State::kError;
      error_ = signature_mismatch("chunk");
      return std::unexpected(error_);
    }
    previous_signature_ = std::move(expected);
  }
  if (!chunk_.empty()) {
    payload_bytes_ += chunk_.size();
    emit(chunk_);
  }
  chunk_.clear();
  return {};
}

ApiResult<void> AwsChunkedDecoder::on_trailer_line(std::string_view line) {
  if (line.empty()) return on_trailers_end();
  trailer_bytes_ += line.size() + 2;
  if (trailer_bytes_ > options_.max_trailer_bytes) return fail("the trailing headers are too large");
  size_t colon = line.find(':');
  if (colon == std::string_view::npos || colon == 0) return fail("a trailing header must be <name>:<value>");
  std::string name = lower(trim(line.substr(0, colon)));
  std::string value(trim(line.substr(colon + 1)));
  if (name == kTrailerSignature) {
    if (!is_signature(value)) return fail("x-amz-trailer-signature must be 64 hex digits");
    trailer_signature_ = lower(value);
    return {};
  }
  if (!trailer_signature_.empty()) return fail("x-amz-trailer-signature must be the last trailing header");
  if (!options_.trailer)
    return fail("trailing headers were sent but x-amz-content-sha256 does not announce them (-TRAILER)");
  trailer_text_ += name;
  trailer_text_ += ':';
  trailer_text_ += value;
  trailer_text_ += '\n';
  trailers_.emplace_back(std::move(name), std::move(value));
  return {};
}

ApiResult<void> AwsChunkedDecoder::on_trailers_end() {
  if (options_.signed_chunks && options_.trailer) {
    if (trailer_signature_.empty())
      return fail("a signed upload with trailing headers must end with x-amz-trailer-signature");
    if (options_.verify) {
      std::string expected =
          sigv4_trailer_signature(*options_.verify, previous_signature_, sigv4_sha256_hex(trailer_text_));
      if (!sigv4_signatures_equal(expected, trailer_signature_)) {
        state_ = State::kError;
        error_ = signature_mismatch("trailer");
        return std::unexpected(error_);
      }
    }
  } else if (!trailer_signature_.empty()) {
    return fail("x-amz-trailer-signature was sent for an upload whose chunks are not signed");
  }
  state_ = State::kDone;
  return {};
}

ApiResult<void> AwsChunkedDecoder::finish() const {
  if (state_ == State::kError) return std::unexpected(error_);
  if (state_ != State::kDone) {
    return std::unexpected(ApiError{"SerializationException",
                                    "Malformed aws-chunked request body: the body ended before its final chunk", 400,
                                    true});
  }
  return {};
}

}  // namespace runnel::protocol
