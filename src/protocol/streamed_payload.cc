#include "protocol/streamed_payload.h"

#include "common/hex.h"
#include "protocol/base64.h"

namespace runnel::protocol {
namespace {

ApiError incomplete_body(std::string message) { return ApiError{"IncompleteBody", std::move(message), 400, true}; }

// PayloadChecksum speaks base64; SigV4 speaks hex.
std::string hex_of_base64(std::string_view base64_digest) {
  return runnel::to_hex(base64_decode(base64_digest).value_or(""));
}

}  // namespace

StreamedPayload::StreamedPayload(std::shared_ptr<net::RequestBody> body, PayloadFraming framing)
    : body_(std::move(body)), framing_(std::move(framing)) {
  if (framing_.aws_chunked) {
    AwsChunkedDecoder::Options o;
    o.signed_chunks = framing_.signed_chunks;
    o.trailer = framing_.trailer;
    o.verify = framing_.chunk_key ? &*framing_.chunk_key : nullptr;
    chunked_.emplace(o);
    length_ = framing_.decoded_length;
  } else {
    length_ = body_->declared_length();
  }
  needs_sha256_ = !framing_.expected_sha256.empty() || static_cast<bool>(framing_.verify_signature_at_end);
  if (needs_sha256_) sha256_ = PayloadChecksum::for_header("x-amz-checksum-sha256");
}

void StreamedPayload::read(std::shared_ptr<PayloadReader> reader) {
  reader_ = std::move(reader);
  body_->read(shared_from_this());
}

void StreamedPayload::consume(size_t n) {
  MutexLock lock(mu_);
  reader_outstanding_ -= std::min<uint64_t>(n, reader_outstanding_);
  settle();
}

void StreamedPayload::settle() {
  if (net_outstanding_ > reader_outstanding_) {
    body_->consume(static_cast<size_t>(net_outstanding_ - reader_outstanding_));
    net_outstanding_ = reader_outstanding_;
  }
}

void StreamedPayload::emit(std::string_view payload) {
  if (payload.empty() || ended_) return;
  if (framing_.checksum) framing_.checksum->update(payload);
  {
    MutexLock lock(mu_);
    reader_outstanding_ += payload.size();
  }
  reader_->on_payload(payload);
}

void StreamedPayload::on_body_data(std::string_view bytes) {
  {
    MutexLock lock(mu_);
    net_outstanding_ += bytes.size();
  }
  if (ended_) {
    MutexLock lock(mu_);
    settle();
    return;
  }
  raw_bytes_ += bytes.size();
  if (sha256_) sha256_->update(bytes);
  if (chunked_) {
    if (auto ok = chunked_->feed(bytes, [this](std::string_view p) { emit(p); }); !ok) end(std::unexpected(ok.error()));
  } else {
    emit(bytes);
  }
  MutexLock lock(mu_);
  settle();
}

void StreamedPayload::on_body_end(bool complete) {
  if (ended_) return;
  if (!complete) return end(std::unexpected(incomplete_body("The request body ended before it was complete.")));
  if (chunked_) {
    if (auto ok = chunked_->finish(); !ok) return end(std::unexpected(ok.error()));
    if (framing_.decoded_length >= 0 && chunked_->payload_bytes() != static_cast<uint64_t>(framing_.decoded_length))
      return end(std::unexpected(incomplete_body("The payload holds " + std::to_string(chunked_->payload_bytes()) +
                                                 " bytes, but x-amz-decoded-content-length says " +
                                                 std::to_string(framing_.decoded_length) + ".")));
  }
  if (sha256_) {
    std::string body_hash = hex_of_base64(sha256_->base64());
    if (!framing_.expected_sha256.empty() && body_hash != framing_.expected_sha256)
      return end(std::unexpected(ApiError{"XAmzContentSHA256Mismatch",
                                          "The provided 'x-amz-content-sha256' header does not match what was "
                                          "computed.",
                                          400, true}));
    if (framing_.verify_signature_at_end)
      if (auto ok = framing_.verify_signature_at_end(body_hash); !ok) return end(std::unexpected(ok.error()));
  }
  if (framing_.checksum) {
    std::string sent = framing_.checksum_value;
    if (sent.empty() && chunked_) {
      for (const auto& [name, value] : chunked_->trailers())
        if (name == framing_.checksum_header) sent = value;
      if (sent.empty())
        return end(std::unexpected(
            ApiError{"InvalidRequest",
                     "The trailing header " + framing_.checksum_header + " that x-amz-trailer announced was not sent.",
                     400, true}));
    }
    if (framing_.checksum->base64() != sent)
      return end(std::unexpected(ApiError{"BadDigest",
                                          "The " + std::string(framing_.checksum->algorithm()) +
                                              " you specified did not match the calculated checksum.",
                                          400, true}));
  }
  end({});
}

void StreamedPayload::end(ApiResult<void> result) {
  if (ended_) return;
  ended_ = true;
  auto reader = std::move(reader_);
  reader_.reset();
  if (reader) reader->on_payload_end(std::move(result));
}

}  // namespace runnel::protocol
