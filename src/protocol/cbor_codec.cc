#include "protocol/cbor_codec.h"

#include <simdjson.h>

#include <bit>
#include <cmath>
#include <cstdint>
#include <limits>

#include "protocol/json_codec.h"

namespace runnel::protocol {
namespace {

// Major types (RFC 8949 §3.1), as the top three bits of an initial byte.
enum Major : uint8_t {
  kUnsigned = 0,
  kNegative = 1,
  kBytes = 2,
  kText = 3,
  kArray = 4,
  kMap = 5,
  kTag = 6,
  kSimple = 7,
};

constexpr uint8_t kBreak = 0xff;
constexpr uint64_t kTagEpoch = 1;
constexpr uint64_t kTagPositiveBignum = 2;
constexpr uint64_t kTagNegativeBignum = 3;
// Tag 1 + float carries seconds; beyond this many the millis overflow int64.
constexpr double kMaxTimestampMillis = 9.2e18;

ApiError malformed() { return serialization_error(""); }

double half_to_double(uint16_t h) {
  const int exponent = (h >> 10) & 0x1f;
  const int mantissa = h & 0x3ff;
  double v;
  if (exponent == 0) {
    v = std::ldexp(mantissa, -24);
  } else if (exponent != 31) {
    v = std::ldexp(mantissa + 1024, exponent - 25);
  } else {
    v = mantissa == 0 ? std::numeric_limits<double>::infinity() : std::numeric_limits<double>::quiet_NaN();
  }
  return (h & 0x8000) ? -v : v;
}

// A cursor over the body. Every read checks the bytes that remain first, so
// a length field can never make the reader allocate more than the body holds.
class Reader {
 public:
  Reader(std::string_view body, CborEpoch epoch)
      : p_(reinterpret_cast<const uint8_t*>(body.data())), end_(p_ + body.size()), epoch_(epoch) {}

  bool at_end() const { return p_ == end_; }

  // Decodes one data item into `out`. `depth` is the nesting level of the
  // item's parent (0 for the root); arrays, maps and tags open a new level.
  bool item(Value& out, int depth) {
    Head h;
    if (!head(h)) return false;
    switch (h.major) {
      case kUnsigned:
        if (h.indefinite) return false;
        if (h.arg <= static_cast<uint64_t>(std::numeric_limits<int64_t>::max()))
          out = Value(static_cast<int64_t>(h.arg));
        else
          out = Value(static_cast<double>(h.arg));
        return true;
      case kNegative:
        if (h.indefinite) return false;
        if (h.arg <= static_cast<uint64_t>(std::numeric_limits<int64_t>::max()))
          out = Value(-1 - static_cast<int64_t>(h.arg));
        else
          out = Value(-1.0 - static_cast<double>(h.arg));
        return true;
      case kBytes: {
        Blob blob;
        if (!string_body(h, blob.bytes, false)) return false;
        out = Value(std::move(blob));
        return true;
      }
      case kText: {
        std::string text;
        if (!string_body(h, text, true)) return false;
        out = Value(std::move(text));
        return true;
      }
      case kArray: return depth < kMaxNestingDepth && array(h, out, depth + 1);
      case kMap: return depth < kMaxNestingDepth && map(h, out, depth + 1);
      case kTag: return !h.indefinite && depth < kMaxNestingDepth && tag(h.arg, out, depth + 1);
      default: return simple(h, out);
    }
  }

 private:
  struct Head {
    uint8_t major = 0;
    uint8_t info = 0;
    uint64_t arg = 0;
    bool indefinite = false;
  };

  std::size_t remaining() const { return static_cast<std::size_t>(end_ - p_); }

  // Reads an initial byte and its argument (RFC 8949 §3). Additional info
  // 28-30 is reserved; 31 means indefinite length (or break for major 7),
  // and whether that is allowed is the caller's decision.
  bool head(Head& h) {
    if (p_ == end_) return false;
    const uint8_t initial = *p_++;
    h.major = initial >> 5;
    h.info = initial & 0x1f;
    h.indefinite = false;
    if (h.info < 24) {
      h.arg = h.info;
      return true;
    }
    if (h.info == 31) {
      h.indefinite = true;
      return true;
    }
    if (h.info > 27) return false;
    const std::size_t n = std::size_t{1} << (h.info - 24);
    if (remaining() < n) return false;
    uint64_t arg = 0;
    for (std::size_t i = 0; i < n; ++i) arg = arg << 8 | p_[i];
    p_ += n;
    h.arg = arg;
    return true;
  }

  // Takes the next `n` bytes (already checked to be there), appending them
  // to `out`; text must be valid UTF-8 on its own.
  bool take(uint64_t n, bool utf8, std::string& out) {
    const auto* data = reinterpret_cast<const char*>(p_);
    const auto size = static_cast<std::size_t>(n);
    if (utf8 && !simdjson::validate_utf8(data, size)) return false;
    out.append(data, size);
    p_ += size;
    return true;
  }

  // Reads the payload of a byte or text string whose head is `h`. An
  // indefinite-length string is a sequence of definite-length chunks of the
  // same major type, ended by a break; each text chunk must be valid UTF-8
  // by itself (RFC 8949 §3.2.3: a code point cannot span chunks).
  bool string_body(const Head& h, std::string& out, bool utf8) {
    if (!h.indefinite) return h.arg <= remaining() && take(h.arg, utf8, out);
    for (;;) {
      if (p_ == end_) return false;
      if (*p_ == kBreak) {
        ++p_;
        return true;
      }
      Head chunk;
      if (!head(chunk) || chunk.major != h.major || chunk.indefinite || chunk.arg > remaining()) return false;
      if (!take(chunk.arg, utf8, out)) return false;
    }
  }

  // True (consuming it) when the next byte ends an indefinite-length item.
  bool take_break() {
    if (p_ != end_ && *p_ == kBreak) {
      ++p_;
      return true;
    }
    return false;
  }

  bool array(const Head& h, Value& out, int depth) {
    Array items;
    if (h.indefinite) {
      while (!take_break())
        if (!item(items.emplace_back(), depth)) return false;
    } else {
      // Every item takes at least one byte.
      if (h.arg > remaining()) return false;
      items.reserve(static_cast<std::size_t>(h.arg));
      for (uint64_t i = 0; i < h.arg; ++i)
        if (!item(items.emplace_back(), depth)) return false;
    }
    out = Value(std::move(items));
    return true;
  }

  bool map(const Head& h, Value& out, int depth) {
    Object members;
    if (h.indefinite) {
      while (!take_break())
        if (!member(members, depth)) return false;
    } else {
      // Every entry takes at least two bytes.
      if (h.arg > remaining() / 2) return false;
      members.reserve(static_cast<std::size_t>(h.arg));
      for (uint64_t i = 0; i < h.arg; ++i)
        if (!member(members, depth)) return false;
    }
    dedupe_members(members);
    out = Value(std::move(members));
    return true;
  }

  bool member(Object& members, int depth) {
    Head h;
    if (!head(h) || h.major != kText) return false;
    Member& m = members.emplace_back();
    if (!string_body(h, m.key, true)) return false;
    return item(m.value, depth);
  }

  bool tag(uint64_t number, Value& out, int depth) {
    Value inner;
    if (!item(inner, depth)) return false;
    if (number == kTagEpoch) {
      // The AWS Java SDK writes integer epoch millis under tag 1; RFC 8949
      // (and other encoders) write seconds, as a float when fractional.
      if (inner.is_int()) {
        if (epoch_ == CborEpoch::kMillis) {
          out = Value(Timestamp{inner.as_int()});
          return true;
        }
        if (std::abs(inner.as_int()) > static_cast<int64_t>(kMaxTimestampMillis / 1000)) return false;
        out = Value(Timestamp{inner.as_int() * 1000});
        return true;
      }
      if (!inner.is_double()) return false;
      const double millis = inner.as_double() * 1000.0;
      if (!(std::fabs(millis) < kMaxTimestampMillis)) return false;
      out = Value(Timestamp{std::llround(millis)});
      return true;
    }
    if (number == kTagPositiveBignum || number == kTagNegativeBignum) {
      if (!inner.is_blob()) return false;
      double magnitude = 0;
      for (unsigned char c : inner.as_blob().bytes) magnitude = magnitude * 256 + c;
      out = Value(number == kTagPositiveBignum ? magnitude : -1.0 - magnitude);
      return true;
    }
    out = std::move(inner);
    return true;
  }

  bool simple(const Head& h, Value& out) {
    switch (h.info) {
      case 20: out = Value(false); return true;
      case 21: out = Value(true); return true;
      case 22:
      case 23: out = Value(nullptr); return true;
      case 25: out = Value(half_to_double(static_cast<uint16_t>(h.arg))); return true;
      case 26: out = Value(static_cast<double>(std::bit_cast<float>(static_cast<uint32_t>(h.arg)))); return true;
      case 27: out = Value(std::bit_cast<double>(h.arg)); return true;
      default: return false;  // unassigned simple values, or a stray break
    }
  }

  const uint8_t* p_;
  const uint8_t* end_;
  CborEpoch epoch_;
};

void put_head(uint8_t major, uint64_t arg, std::string& out) {
  const auto initial = static_cast<uint8_t>(major << 5);
  char buf[9];
  std::size_t n;
  if (arg < 24) {
    buf[0] = static_cast<char>(initial | arg);
    n = 1;
  } else {
    const int width = arg <= 0xff ? 1 : arg <= 0xffff ? 2 : arg <= 0xffffffff ? 4 : 8;
    buf[0] = static_cast<char>(initial | (24 + std::countr_zero(static_cast<unsigned>(width))));
    for (int i = 0; i < width; ++i) buf[1 + i] = static_cast<char>(arg >> (8 * (width - 1 - i)));
    n = 1 + static_cast<std::size_t>(width);
  }
  out.append(buf, n);
}

void put_int(int64_t v, std::string& out) {
  if (v >= 0)
    put_head(kUnsigned, static_cast<uint64_t>(v), out);
  else
    put_head(kNegative, static_cast<uint64_t>(-(v + 1)), out);
}

// Bytes encode_cbor will write for `v`, or slightly more (heads are counted
// at their widest), so that the output is reserved once.
std::size_t size_estimate(const Value& v) {
  switch (v.kind()) {
    case Value::Kind::kString: return v.as_string().size() + 9;
    case Value::Kind::kBlob: return v.as_blob().bytes.size() + 9;
    case Value::Kind::kArray: {
      std::size_t n = 9;
      for (const auto& item : v.as_array()) n += size_estimate(item);
      return n;
    }
    case Value::Kind::kObject: {
      std::size_t n = 9;
      for (const auto& m : v.as_object()) n += m.key.size() + 9 + size_estimate(m.value);
      return n;
    }
    case Value::Kind::kEncoded: return v.as_encoded().bytes.size();
    default: return 10;
  }
}

void put_value(const Value& v, CborEpoch epoch, std::string& out) {
  switch (v.kind()) {
    case Value::Kind::kNull: out.push_back(static_cast<char>(0xf6)); return;
    case Value::Kind::kBool: out.push_back(static_cast<char>(v.as_bool() ? 0xf5 : 0xf4)); return;
    case Value::Kind::kInt: put_int(v.as_int(), out); return;
    case Value::Kind::kDouble: {
      const uint64_t bits = std::bit_cast<uint64_t>(v.as_double());
      char buf[9];
      buf[0] = static_cast<char>(0xfb);
      for (int i = 0; i < 8; ++i) buf[1 + i] = static_cast<char>(bits >> (8 * (7 - i)));
      out.append(buf, sizeof buf);
      return;
    }
    case Value::Kind::kString:
      put_head(kText, v.as_string().size(), out);
      out.append(v.as_string());
      return;
    case Value::Kind::kBlob:
      put_head(kBytes, v.as_blob().bytes.size(), out);
      out.append(v.as_blob().bytes);
      return;
    case Value::Kind::kTimestamp:
      put_head(kTag, kTagEpoch, out);
      if (epoch == CborEpoch::kMillis) {
        put_int(v.as_timestamp().millis, out);
      } else {
        put_value(Value(static_cast<double>(v.as_timestamp().millis) / 1000.0), epoch, out);
      }
      return;
    case Value::Kind::kArray:
      put_head(kArray, v.as_array().size(), out);
      for (const auto& item : v.as_array()) put_value(item, epoch, out);
      return;
    case Value::Kind::kObject:
      put_head(kMap, v.as_object().size(), out);
      for (const auto& m : v.as_object()) {
        put_head(kText, m.key.size(), out);
        out.append(m.key);
        put_value(m.value, epoch, out);
      }
      return;
    case Value::Kind::kEncoded:
      if (v.as_encoded().cbor) {
        out.append(v.as_encoded().bytes);
      } else {
        out.push_back(static_cast<char>(0xf6));
      }
      return;
  }
}

}  // namespace

void append_cbor_text(std::string_view s, std::string& out) {
  put_head(kText, s.size(), out);
  out.append(s);
}

void append_cbor_bytes(std::string_view b, std::string& out) {
  put_head(kBytes, b.size(), out);
  out.append(b);
}

void append_cbor_timestamp(int64_t millis, std::string& out) {
  put_head(kTag, kTagEpoch, out);
  put_int(millis, out);
}

void append_cbor_array_head(uint64_t n, std::string& out) { put_head(kArray, n, out); }
void append_cbor_map_head(uint64_t n, std::string& out) { put_head(kMap, n, out); }

ApiResult<Value> decode_cbor(std::string_view body, CborEpoch epoch) {
  Reader reader(body, epoch);
  Value out;
  if (!reader.item(out, 0) || !reader.at_end() || !out.is_object()) return std::unexpected(malformed());
  return out;
}

std::string encode_cbor(const Value& v, CborEpoch epoch) {
  std::string out;
  out.reserve(size_estimate(v));
  put_value(v, epoch, out);
  return out;
}

}  // namespace runnel::protocol
