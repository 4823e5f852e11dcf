#pragma once
// Shard iterators: opaque, tamper-evident tokens naming a read position in one
// shard of one stream incarnation. The position travels in the clear inside
// the token, authenticated by HMAC-SHA256 (truncated to 16 bytes) under a
// server secret, so a client can neither forge nor alter one, and the server
// keeps no state per iterator. Layout byte by byte: docs/sequence-numbers.md.

#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "common/status.h"

namespace runnel::streams {

// How long an iterator stays valid after it was issued, as AWS enforces it.
constexpr int64_t kIteratorLifetimeMs = 300'000;
// AWS's model caps ShardIterator at 512 characters; encode stays far below.
constexpr std::size_t kMaxShardIteratorLength = 512;
// The size of the secret iterator key.
constexpr std::size_t kIteratorKeySize = 32;

struct IteratorPosition {
  uint64_t stream_uid = 0;  // the stream incarnation (never reused)
  uint32_t shard_index = 0;
  uint64_t counter = 0;   // next record counter to read (records have counters 1, 2, 3, ...)
  int64_t issued_ms = 0;  // epoch ms when the iterator (chain) was issued

  friend bool operator==(const IteratorPosition&, const IteratorPosition&) = default;
};

// Encodes and verifies iterators under one key. Immutable after construction:
// encode and decode are safe to call concurrently from any threads. Copies
// share the keyed state and are cheap.
class ShardIteratorCodec {
 public:
  // `key` is the secret (kIteratorKeySize random bytes, from
  // load_or_create_iterator_key). Any length works for HMAC, but shorter keys
  // are weaker; iterators made under one key do not decode under another.
  explicit ShardIteratorCodec(std::string key);

  // The iterator for `pos`: standard base64 with '=' padding, starting
  // "AAAAAAAAAAE" as AWS's do. Deterministic: the same position, key and
  // length hint give the same string. Its decoded size follows what
  // kinesalite measured of AWS's iterators, 152 + 16 * floor((L + 2) / 16)
  // bytes for a stream name of L characters (clamped to 0..128), that is
  // 204 to 376 characters, never more than kMaxShardIteratorLength.
  std::string encode(const IteratorPosition& pos, std::size_t stream_name_length = 0) const;

  // The position `iterator` names, or nullopt when it is malformed (not
  // canonical base64, a wrong size, prefix or format version) or its MAC does
  // not verify under this codec's key (tampered, or issued under another
  // key). Tolerates one pair of literal double quotes around the iterator
  // ("\"AAAA...\""), which AWS accepts and the AWS CLI's --query output
  // produces. Does NOT check expiry: callers compare issued_ms with now
  // against kIteratorLifetimeMs (see iterator_expired_message).
  std::optional<IteratorPosition> decode(std::string_view iterator) const;

 private:
  struct MacState;  // HMAC-SHA256 inner and outer states, keyed once
  std::shared_ptr<const MacState> mac_;
};

// AWS's ExpiredIteratorException message, with both times printed as Java's
// Date.toString() prints them in UTC:
// "Iterator expired. The iterator was created at time Thu Jan 22 01:22:02 UTC
// 2015 while right now it is Thu Jan 22 01:27:03 UTC 2015 which is further in
// the future than the tolerated delay of 300000 milliseconds."
std::string iterator_expired_message(int64_t issued_ms, int64_t now_ms);

// `epoch_ms` as Java's Date.toString() prints it in UTC:
// "Thu Jan 22 01:22:02 UTC 2015".
std::string java_utc_date_string(int64_t epoch_ms);

// Loads the iterator key from `path`, or creates it if the file does not
// exist: kIteratorKeySize bytes from OpenSSL's RAND_bytes, written to a
// temporary file with mode 0600, fsync'd, linked into place (so that a crash
// never leaves a partial key at `path`, and two processes racing to create it
// agree on one), and the directory fsync'd. When this returns a key, that key
// is durable and every later call returns the same one. Errors: kCorruption if
// the file exists with the wrong size, kIoError for a failed system call,
// kAborted if the random generator fails. Call it once at startup; it is
// not meant to race with other writers of `path` besides other runnel
// processes doing the same.
Result<std::string> load_or_create_iterator_key(const std::string& path);

}  // namespace runnel::streams
