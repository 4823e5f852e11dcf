#pragma once
// The AWS event-stream binary framing (`application/vnd.amazon.eventstream`),
// the body of a SubscribeToShard response: a sequence of self-delimiting
// messages, each with typed headers, an opaque payload and two CRC32s. The
// byte layout is written out in docs/event-stream.md.
//
// The server encodes (event_frame and friends); the bench tool and the tests
// decode (Decoder). Encoding functions are pure and thread-safe. A Decoder
// is a plain value with no internal locking: one thread at a time.

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"

namespace runnel::protocol::eventstream {

// Bytes of a message that are not headers or payload: the 12-byte prelude
// (total length, headers length, prelude CRC) and the 4-byte message CRC.
inline constexpr size_t kPreludeBytes = 12;
inline constexpr size_t kMessageOverheadBytes = 16;
// Longest string / byte-array header value (its length is a u16 on the wire)
// and longest header name (a u8).
inline constexpr size_t kMaxHeaderValueBytes = 65535;
inline constexpr size_t kMaxHeaderNameBytes = 255;

// One typed header value. Which field carries the value depends on `type`:
// `b` for the booleans (kBoolTrue/kBoolFalse; the type alone decides what is
// encoded), `i` for kByte/kShort/kInteger/kLong/kTimestamp (milliseconds
// since the epoch), `bytes` for kByteArray, kString (UTF-8, not checked) and
// kUuid (exactly 16 raw bytes). Fields that the type does not use are
// ignored by the encoder and by operator==.
struct HeaderValue {
  enum class Type : uint8_t {
    kBoolTrue = 0,
    kBoolFalse = 1,
    kByte = 2,
    kShort = 3,
    kInteger = 4,
    kLong = 5,
    kByteArray = 6,
    kString = 7,
    kTimestamp = 8,
    kUuid = 9,
  };

  Type type = Type::kString;
  bool b = false;
  int64_t i = 0;
  std::string bytes;

  static HeaderValue boolean(bool v);
  static HeaderValue byte(int8_t v);
  static HeaderValue int16(int16_t v);
  static HeaderValue int32(int32_t v);
  static HeaderValue int64(int64_t v);
  static HeaderValue timestamp_millis(int64_t millis);
  static HeaderValue byte_array(std::string_view v);
  static HeaderValue string(std::string_view v);
  static HeaderValue uuid(std::string_view sixteen_bytes);

  friend bool operator==(const HeaderValue& a, const HeaderValue& b);
};

struct Header {
  std::string name;
  HeaderValue value;

  friend bool operator==(const Header&, const Header&) = default;
};

// A decoded (or to-be-encoded) message. Headers keep their wire order;
// duplicate names are kept as they came (botocore would reject them).
struct Message {
  std::vector<Header> headers;
  std::string payload;

  // The first header called `name`, or nullptr.
  const HeaderValue* find(std::string_view name) const;
  // The value of the first header called `name` if it is a string; "" when
  // it is absent or of another type. Points into this Message.
  std::string_view string_header(std::string_view name) const;

  friend bool operator==(const Message&, const Message&) = default;
};

// Encodes one message. Returns "" (never a valid frame: the shortest one is
// 16 bytes) when a header cannot be represented: an empty name or one longer
// than 255 bytes, a string/byte-array value longer than 65535 bytes, a uuid
// that is not 16 bytes, an integer outside its type's range, an unknown type,
// or a message longer than 2^32-1 bytes. Nothing is ever truncated.
std::string encode_message(const std::vector<Header>& headers, std::string_view payload);

// The three kinds of message Kinesis sends; every header is a string (type 7).
//   event:     :message-type=event, :event-type, :content-type; payload
//   exception: :message-type=exception, :exception-type, :content-type; payload
//   error:     :message-type=error, :error-code, :error-message; no payload
// Each returns "" under the same conditions as encode_message (in practice a
// value longer than 65535 bytes).
std::string event_frame(std::string_view event_type, std::string_view content_type, std::string_view payload);
std::string exception_frame(std::string_view exception_type, std::string_view content_type, std::string_view payload);
std::string error_frame(std::string_view code, std::string_view message);

// Incremental decoder of a byte stream of messages, for the client side
// (bench tool, tests). Feed bytes as they arrive, then call next() until it
// returns nullopt. Memory is bounded by max_message_bytes plus whatever was
// fed beyond the current message.
class Decoder {
 public:
  explicit Decoder(size_t max_message_bytes = 16u << 20);

  // Appends bytes to the buffer. Ignored once the decoder has failed.
  void feed(std::string_view bytes);

  // The next complete message, or nullopt when more bytes are needed. A
  // kCorruption Status when the stream is bad: a prelude CRC mismatch (checked
  // as soon as 12 bytes are there), lengths that do not add up (total < 16,
  // headers_length > total - 16, total > max_message_bytes), a message CRC
  // mismatch, or malformed headers (truncated, unknown type, empty name).
  // After an error the decoder stays failed and returns the same Status.
  [[nodiscard]] Result<std::optional<Message>> next();

  // Bytes fed but not yet returned as messages.
  size_t buffered() const { return buffer_.size() - start_; }
  bool failed() const { return !failure_.is_ok(); }

 private:
  Result<std::optional<Message>> fail(Status s);

  size_t max_message_bytes_;
  std::string buffer_;
  size_t start_ = 0;  // offset of the first unconsumed byte in buffer_
  Status failure_;
};

// Decodes the headers block of one message (already CRC-checked); exposed for
// the fuzz target and tests.
[[nodiscard]] Result<std::vector<Header>> decode_headers(std::string_view block);

}  // namespace runnel::protocol::eventstream
