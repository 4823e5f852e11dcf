#pragma once
// Encryption at rest of records written while a stream's encryption is on
// (StartStreamEncryption): AES-256-GCM through OpenSSL, with key material
// from a local key file that stands in for AWS KMS. The envelope, byte by
// byte, and the key rules: docs/encryption.md.
//
// Every encrypted record describes itself: its stored partition key starts
// with the byte 0xFF, which no client partition key can start with (they are
// valid UTF-8), and carries the KeyId it was encrypted under. So records
// written before, during and after encryption, under any number of KeyIds,
// stay readable in any order, across resharding and restarts, without any
// metadata saying which counter range was encrypted.
//
// Keys: one 32-byte master key in the key file (created with mode 0600 on
// first need); the data key of a KeyId is HKDF-SHA256(master, KeyId). Any
// well-formed KeyId therefore "exists", and records written under different
// KeyIds stay readable as long as the key file is the same.
//
// Threads: every member function may be called from any thread concurrently.
// The key file is read (or created) once, on first need; derived keys are
// cached; each thread uses its own OpenSSL cipher context.

#include <array>
#include <atomic>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>

#include "common/mutex.h"
#include "common/status.h"
#include "common/thread_annotations.h"
#include "protocol/api_error.h"
#include "storage/log.h"

typedef struct evp_cipher_st EVP_CIPHER;

namespace runnel::streams {

class RecordCipher {
 public:
  static constexpr uint8_t kMarker = 0xFF;  // first byte of an encrypted record's stored partition key
  static constexpr uint8_t kVersion = 1;    // envelope format version
  static constexpr size_t kKeySize = 32;    // master and data keys (AES-256)
  static constexpr size_t kNonceSize = 12;
  static constexpr size_t kTagSize = 16;
  static constexpr size_t kMaxKeyIdSize = 2048;  // the model's KeyId limit

  // `key_file`: where the local master key lives. Nothing is read or created
  // until the first call that needs the key.
  explicit RecordCipher(std::string key_file);
  ~RecordCipher();
  RecordCipher(const RecordCipher&) = delete;
  RecordCipher& operator=(const RecordCipher&) = delete;

  // Loads the master key, creating the key file first if it does not exist
  // (32 bytes from RAND_bytes, mode 0600, written to a temporary file,
  // fsynced, linked into place so an existing key is never replaced, then
  // the directory fsynced). OK once the key is in memory; afterwards returns
  // OK without touching the file. A file of the wrong size is a Corruption
  // error, an unreadable one an IoError; a failed load is retried on the
  // next call, so an operator can fix the file without a restart.
  Status ready() EXCLUDES(load_mu_);

  // Whether `key_id` is a KeyId AWS accepts for Kinesis encryption: a key
  // ARN, an alias ARN, a key id (UUID or multi-Region "mrk-" id), or an
  // alias name ("alias/..." e.g. alias/aws/kinesis). On failure, the
  // InvalidArgumentException to answer. Pure; no key file access.
  static std::optional<protocol::ApiError> check_key_id(std::string_view key_id);

  // Replaces r's partition key and data by the envelope of (partition key,
  // data) under `key_id` (which the caller has checked with check_key_id).
  // Adds header_size(key_id) + 2 + kTagSize bytes in all. Fails only when the
  // key file is not usable (see ready()) or OpenSSL fails; `r` is then
  // unchanged.
  Status encrypt(std::string_view key_id, storage::AppendRecord& r);

  // Whether a stored record is an envelope written by encrypt().
  static bool is_encrypted(const storage::StoredRecord& r) {
    return !r.partition_key.empty() && static_cast<uint8_t>(r.partition_key[0]) == kMarker;
  }

  // Restores the partition key and data of an encrypted record in place.
  // InvalidArgument when the envelope is malformed, of an unknown version, or
  // does not authenticate (tampered, or written with another master key);
  // the key file's errors as in ready(). `r` is unchanged on failure. Never
  // crashes on any input.
  Status decrypt(storage::StoredRecord& r);

  // The client-visible error for a failed encrypt() or decrypt(): a record
  // that does not authenticate gives KMSAccessDeniedException (AWS: "the
  // ciphertext references a key that doesn't exist or that you don't have
  // access to"); an unusable key file gives KMSInvalidStateException (as a
  // KMS key without key material would).
  static protocol::ApiError api_error(const Status& s);

  // The stored partition key size of an envelope under `key_id`.
  static size_t header_size(std::string_view key_id) { return 4 + key_id.size() + kNonceSize; }

 private:
  using Key = std::array<uint8_t, kKeySize>;

  Status load_or_create_locked() REQUIRES(load_mu_);
  // The data key of `key_id`, derived on first use and cached.
  Result<Key> data_key(std::string_view key_id) EXCLUDES(keys_mu_);

  const std::string key_file_;
  Mutex load_mu_;  // serializes loading the key file
  // master_, aes_gcm_ and nonce_field_ are written under load_mu_ before
  // loaded_ is set (release) and only read after it is seen set (acquire):
  // not GUARDED_BY, their readers take no lock.
  std::atomic<bool> loaded_{false};  // master_ is set and never changes again
  Key master_{};
  EVP_CIPHER* aes_gcm_ = nullptr;           // fetched with the key; read-only afterwards
  std::array<uint8_t, 4> nonce_field_{};    // set with aes_gcm_; read-only afterwards
  std::atomic<uint64_t> nonce_counter_{0};  // the nonce's other 8 bytes

  SharedMutex keys_mu_;
  std::map<std::string, Key, std::less<>> keys_ GUARDED_BY(keys_mu_);  // bounded (kMaxCachedKeys)
};

}  // namespace runnel::streams
