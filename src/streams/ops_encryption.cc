// StartStreamEncryption, StopStreamEncryption (docs/encryption.md).
//
// Both change only the stream's encryption_type and key_id, under the
// exclusive hold of mu_, and persist them before answering. put_records reads
// the two under its shared hold, so every record appended after a Start
// returns is encrypted under the new KeyId and every record appended after a
// Stop returns is not; the change applies at once, not when UPDATING ends
// (AWS allows up to 5 s of either). Records already written keep whatever
// form they were written in: each encrypted one names its own KeyId.

#include <mutex>

#include "streams/kinesis_service.h"

namespace runnel::streams {

namespace {

// The checks Start and Stop share before the stream is looked up: the only
// EncryptionType either accepts is KMS, and the KeyId must be well formed.
std::optional<protocol::ApiError> check_encryption_input(const std::string& type, const std::string& key_id) {
  if (type != api::EncryptionType::kKms)
    return protocol::invalid_argument("KMS is the only valid EncryptionType for this request");
  return RecordCipher::check_key_id(key_id);
}

}  // namespace

protocol::ApiResult<NoOutput> KinesisService::start_stream_encryption(const api::StartStreamEncryptionInput& in,
                                                                      const Ctx& ctx) {
  if (auto err = check_encryption_input(in.encryption_type, in.key_id)) return std::unexpected(*err);

  WriterLock lock(mu_);
  auto found = find_stream_locked(stream_ref(in), ctx);
  if (!found) return std::unexpected(found.error());
  StreamState& s = **found;
  if (auto err = require_active(s)) return std::unexpected(*err);
  // The key must be usable before any put relies on it: this loads (or
  // creates) the key file now rather than on the first put.
  if (Status st = cipher_.ready(); !st) return std::unexpected(RecordCipher::api_error(st));

  StreamState next = s;
  next.encryption_type = "KMS";
  next.key_id = in.key_id;
  if (auto err = commit_update_locked(s, std::move(next), now_ms(), options_.update_stream_ms > 0))
    return std::unexpected(*err);
  return NoOutput{};
}

protocol::ApiResult<NoOutput> KinesisService::stop_stream_encryption(const api::StopStreamEncryptionInput& in,
                                                                     const Ctx& ctx) {
  if (auto err = check_encryption_input(in.encryption_type, in.key_id)) return std::unexpected(*err);
  const std::string* key_id = &in.key_id;

  WriterLock lock(mu_);
  auto found = find_stream_locked(stream_ref(in), ctx);
  if (!found) return std::unexpected(found.error());
  StreamState& s = **found;
  if (auto err = require_active(s)) return std::unexpected(*err);
  // Stopping what is not on changes nothing (and does not pass through
  // UPDATING).
  if (s.encryption_type == "NONE") return NoOutput{};
  if (*key_id != s.key_id)
    return std::unexpected(protocol::invalid_argument("KeyId " + *key_id + " does not match the KeyId " + s.key_id +
                                                      " that stream " + s.name + " under account " +
                                                      options_.account_id + " is encrypted with."));

  StreamState next = s;
  next.encryption_type = "NONE";
  next.key_id.clear();
  if (auto err = commit_update_locked(s, std::move(next), now_ms(), options_.update_stream_ms > 0))
    return std::unexpected(*err);
  return NoOutput{};
}

}  // namespace runnel::streams
