#include "protocol/json_codec.h"

#include <simdjson.h>

#include <algorithm>
#include <charconv>
#include <cmath>
#include <cstring>
#include <memory>
#include <numeric>

#include "net/http.h"
#include "protocol/base64.h"

namespace runnel::protocol {
namespace {

// On-Demand rather than DOM: it hands out numbers as raw tokens, so integers
// beyond 64 bits can become doubles (the DOM parser rejects them), and it
// builds no intermediate tape. Its stage 1 (structure indexing and UTF-8
// validation of the whole body) runs in simdjson's runtime-dispatched SIMD
// kernel; the traversal below is inlined from the header and, built without
// -march flags, uses simdjson's portable kernel (string copies are scalar).
namespace od = simdjson::ondemand;

// AWS (and kinesalite, which mirrors it) answer an unparseable body with a
// bare {"__type":"SerializationException"}: no message.
ApiError malformed() { return serialization_error(""); }

// Per-thread decoding state. simdjson reads up to SIMDJSON_PADDING bytes past
// the end of its input, and a request body's buffer gives no such promise, so
// the body is copied once into `input`, which has the padding. The copy is a
// memcpy of the body; everything after it works on the parser's buffers.
struct ThreadState {
  od::parser parser;
  std::unique_ptr<char[]> input;
  std::size_t input_capacity = 0;

  simdjson::padded_string_view pad(std::string_view body) {
    const std::size_t need = body.size() + simdjson::SIMDJSON_PADDING;
    if (need > input_capacity) {
      const std::size_t cap = std::max(need, input_capacity * 2);
      input.reset(new char[cap]);
      input_capacity = cap;
    }
    std::memcpy(input.get(), body.data(), body.size());
    std::memset(input.get() + body.size(), 0, simdjson::SIMDJSON_PADDING);
    return simdjson::padded_string_view(input.get(), body.size(), input_capacity);
  }
};

ThreadState& thread_state() {
  thread_local ThreadState state;
  return state;
}

bool convert_value(od::value v, int depth, Value& out);

// `depth` is the nesting level of the object itself (the root object is 1).
bool convert_object(od::object obj, int depth, Value& out) {
  if (depth > kMaxNestingDepth) return false;
  // Sized up front: one allocation per object rather than one per doubling
  // (and no large reallocations for the 500-record PutRecords list).
  std::size_t count = 0;
  if (obj.count_fields().get(count) != simdjson::SUCCESS) return false;
  Object members;
  members.reserve(count);
  for (auto field_result : obj) {
    od::field field;
    if (std::move(field_result).get(field) != simdjson::SUCCESS) return false;
    std::string_view key;
    if (field.unescaped_key().get(key) != simdjson::SUCCESS) return false;
    Member& m = members.emplace_back(Member{std::string(key), Value()});
    if (!convert_value(field.value(), depth, m.value)) return false;
  }
  dedupe_members(members);
  out = Value(std::move(members));
  return true;
}

bool convert_array(od::array arr, int depth, Value& out) {
  if (depth > kMaxNestingDepth) return false;
  std::size_t count = 0;
  if (arr.count_elements().get(count) != simdjson::SUCCESS) return false;
  Array items;
  items.reserve(count);
  for (auto item_result : arr) {
    od::value item;
    if (std::move(item_result).get(item) != simdjson::SUCCESS) return false;
    if (!convert_value(item, depth, items.emplace_back())) return false;
  }
  out = Value(std::move(items));
  return true;
}

// Reads a number that simdjson's on-demand parser refused but that may still
// be valid JSON: it gives up on exponents with very many digits (which its
// DOM parser accepts, e.g. 1e-99999999999999999999 as 0). `token` is the raw
// number text. Accepts exactly RFC 8259's number grammar; a value too small
// for a double becomes zero, one too large is an error (as 1e400 is).
bool parse_number_slow(std::string_view token, double& out) {
  while (!token.empty() &&
         (token.back() == ' ' || token.back() == '\t' || token.back() == '\n' || token.back() == '\r'))
    token.remove_suffix(1);
  std::size_t i = 0;
  const auto digit = [&](std::size_t k) { return k < token.size() && token[k] >= '0' && token[k] <= '9'; };
  const bool negative = i < token.size() && token[i] == '-';
  if (negative) ++i;
  // Decimal exponent of the first non-zero digit of the mantissa, if any.
  bool nonzero = false;
  int64_t lead = 0;
  if (!digit(i)) return false;
  if (token[i] == '0') {
    ++i;
  } else {
    nonzero = true;
    for (; digit(i); ++i) ++lead;
    --lead;
  }
  if (i < token.size() && token[i] == '.') {
    ++i;
    if (!digit(i)) return false;
    for (int64_t place = -1; digit(i); ++i, --place) {
      if (!nonzero && token[i] != '0') {
        nonzero = true;
        lead = place;
      }
    }
  }
  int64_t exponent = 0;
  if (i < token.size() && (token[i] == 'e' || token[i] == 'E')) {
    ++i;
    const bool exp_negative = i < token.size() && token[i] == '-';
    if (i < token.size() && (token[i] == '-' || token[i] == '+')) ++i;
    if (!digit(i)) return false;
    // Any exponent this large already dwarfs every mantissa a body can hold.
    constexpr int64_t kSaturated = 100'000'000'000'000'000;
    for (; digit(i); ++i) exponent = exponent >= kSaturated ? kSaturated : exponent * 10 + (token[i] - '0');
    if (exp_negative) exponent = -exponent;
  }
  if (i != token.size()) return false;
  auto [end, ec] = std::from_chars(token.data(), token.data() + token.size(), out);
  if (ec == std::errc() && end == token.data() + token.size()) return true;
  if (ec != std::errc::result_out_of_range) return false;
  if (nonzero && lead + exponent >= 0) return false;  // overflow
  out = negative ? -0.0 : 0.0;                        // underflow
  return true;
}

bool convert_number(od::value& v, Value& out) {
  od::number_type type;
  if (v.get_number_type().get(type) != simdjson::SUCCESS) return false;
  if (type == od::number_type::signed_integer) {
    int64_t i;
    if (v.get_int64().get(i) == simdjson::SUCCESS) {
      out = Value(i);
      return true;
    }
    // Below INT64_MIN: falls through to double, like any other big integer.
  }
  double d;
  if (v.get_double().get(d) != simdjson::SUCCESS) {
    if (!parse_number_slow(v.raw_json_token(), d)) return false;
  }
  out = Value(d);
  return true;
}

// `depth` is the nesting level of the container holding `v`.
bool convert_value(od::value v, int depth, Value& out) {
  od::json_type type;
  if (v.type().get(type) != simdjson::SUCCESS) return false;
  switch (type) {
    case od::json_type::object: {
      od::object obj;
      if (v.get_object().get(obj) != simdjson::SUCCESS) return false;
      return convert_object(obj, depth + 1, out);
    }
    case od::json_type::array: {
      od::array arr;
      if (v.get_array().get(arr) != simdjson::SUCCESS) return false;
      return convert_array(arr, depth + 1, out);
    }
    case od::json_type::string: {
      std::string_view s;
      if (v.get_string().get(s) != simdjson::SUCCESS) return false;
      out = Value(std::string(s));
      return true;
    }
    case od::json_type::number: return convert_number(v, out);
    case od::json_type::boolean: {
      bool b;
      if (v.get_bool().get(b) != simdjson::SUCCESS) return false;
      out = Value(b);
      return true;
    }
    case od::json_type::null: {
      bool is_null = false;
      if (v.is_null().get(is_null) != simdjson::SUCCESS || !is_null) return false;
      out = Value(nullptr);
      return true;
    }
  }
  return false;
}

// Bytes that must be escaped inside a JSON string: '"', '\\' and C0 controls.
constexpr std::array<bool, 256> kNeedsEscape = [] {
  std::array<bool, 256> t{};
  for (int c = 0; c < 0x20; ++c) t[c] = true;
  t['"'] = true;
  t['\\'] = true;
  return t;
}();

// True if any of the 8 bytes of `w` is one kNeedsEscape marks. Each test is
// the exact "some byte is zero / below n" bit trick: a false positive can
// only occur in a word that also holds a true match.
bool word_needs_escape(uint64_t w) {
  constexpr uint64_t kOnes = 0x0101010101010101ull;
  constexpr uint64_t kHigh = 0x8080808080808080ull;
  const uint64_t quote = w ^ (kOnes * '"');
  const uint64_t backslash = w ^ (kOnes * '\\');
  const uint64_t below_space = (w - kOnes * 0x20) & ~w;
  return ((below_space | ((quote - kOnes) & ~quote) | ((backslash - kOnes) & ~backslash)) & kHigh) != 0;
}

void append_string(std::string_view s, std::string& out) {
  static constexpr char kHex[] = "0123456789abcdef";
  out.push_back('"');
  std::size_t run = 0;
  for (std::size_t i = 0; i < s.size(); ++i) {
    // Skip whole words without escapes (sequence numbers, ids, base64 text).
    while (i + 8 <= s.size()) {
      uint64_t w;
      std::memcpy(&w, s.data() + i, sizeof w);
      if (word_needs_escape(w)) break;
      i += 8;
    }
    if (i == s.size()) break;
    const auto c = static_cast<uint8_t>(s[i]);
    if (!kNeedsEscape[c]) continue;
    out.append(s.data() + run, i - run);
    run = i + 1;
    switch (c) {
      case '"': out.append("\\\""); break;
      case '\\': out.append("\\\\"); break;
      case '\b': out.append("\\b"); break;
      case '\f': out.append("\\f"); break;
      case '\n': out.append("\\n"); break;
      case '\r': out.append("\\r"); break;
      case '\t': out.append("\\t"); break;
      default: {
        const char esc[] = {'\\', 'u', '0', '0', kHex[c >> 4], kHex[c & 15]};
        out.append(esc, sizeof esc);
      }
    }
  }
  out.append(s.data() + run, s.size() - run);
  out.push_back('"');
}

void append_double(double d, std::string& out) {
  if (!std::isfinite(d)) {
    out.append("null");
    return;
  }
  char buf[32];
  auto [end, ec] = std::to_chars(buf, buf + sizeof buf, d);
  std::string_view text(buf, static_cast<std::size_t>(end - buf));
  out.append(text);
  // "5" would decode as an Int; keep the kind.
  if (text.find_first_of(".e") == std::string_view::npos) out.append(".0");
}

void append_timestamp(int64_t millis, std::string& out) {
  const bool negative = millis < 0;
  const uint64_t magnitude = negative ? 0 - static_cast<uint64_t>(millis) : static_cast<uint64_t>(millis);
  const uint64_t seconds = magnitude / 1000;
  uint64_t fraction = magnitude % 1000;
  char buf[32];
  char* p = buf;
  if (negative) *p++ = '-';
  p = std::to_chars(p, buf + sizeof buf, seconds).ptr;
  if (fraction != 0) {
    *p++ = '.';
    int digits = 3;
    while (fraction % 10 == 0) {
      fraction /= 10;
      --digits;
    }
    for (int i = digits - 1; i >= 0; --i) {
      p[i] = static_cast<char>('0' + fraction % 10);
      fraction /= 10;
    }
    p += digits;
  }
  out.append(buf, static_cast<std::size_t>(p - buf));
}

void append_value(const Value& v, std::string& out) {
  switch (v.kind()) {
    case Value::Kind::kNull: out.append("null"); return;
    case Value::Kind::kBool: out.append(v.as_bool() ? "true" : "false"); return;
    case Value::Kind::kInt: {
      char buf[24];
      auto [end, ec] = std::to_chars(buf, buf + sizeof buf, v.as_int());
      out.append(buf, static_cast<std::size_t>(end - buf));
      return;
    }
    case Value::Kind::kDouble: append_double(v.as_double(), out); return;
    case Value::Kind::kString: append_string(v.as_string(), out); return;
    case Value::Kind::kBlob:
      out.push_back('"');
      base64_encode_append(v.as_blob().bytes, out);
      out.push_back('"');
      return;
    case Value::Kind::kTimestamp: append_timestamp(v.as_timestamp().millis, out); return;
    case Value::Kind::kArray: {
      out.push_back('[');
      bool first = true;
      for (const auto& item : v.as_array()) {
        if (!first) out.push_back(',');
        first = false;
        append_value(item, out);
      }
      out.push_back(']');
      return;
    }
    case Value::Kind::kObject: {
      out.push_back('{');
      bool first = true;
      for (const auto& m : v.as_object()) {
        if (!first) out.push_back(',');
        first = false;
        append_string(m.key, out);
        out.push_back(':');
        append_value(m.value, out);
      }
      out.push_back('}');
      return;
    }
    case Value::Kind::kEncoded:
      if (v.as_encoded().cbor) {
        out.append("null");
      } else {
        out.append(v.as_encoded().bytes);
      }
      return;
  }
}

// Bytes encode_json will write for `v`, exact except for escapes in strings
// and the digits of numbers (estimated high), so that one reservation
// usually suffices for a multi-megabyte GetRecords response.
std::size_t size_estimate(const Value& v) {
  switch (v.kind()) {
    case Value::Kind::kString: return v.as_string().size() + 2;
    case Value::Kind::kBlob: return base64_encoded_size(v.as_blob().bytes.size()) + 2;
    case Value::Kind::kArray: {
      std::size_t n = 2;
      for (const auto& item : v.as_array()) n += size_estimate(item) + 1;
      return n;
    }
    case Value::Kind::kObject: {
      std::size_t n = 2;
      for (const auto& m : v.as_object()) n += m.key.size() + 4 + size_estimate(m.value);
      return n;
    }
    case Value::Kind::kEncoded: return v.as_encoded().bytes.size();
    default: return 24;
  }
}

// Objects up to this size are checked for duplicates pairwise; larger ones
// (only hostile input has them) by sorting indices, to stay O(n log n).
constexpr std::size_t kPairwiseDedupeLimit = 16;

}  // namespace

void append_json_string(std::string_view s, std::string& out) { append_string(s, out); }
void append_json_timestamp(int64_t millis, std::string& out) { append_timestamp(millis, out); }

void dedupe_members(Object& members) {
  const std::size_t n = members.size();
  if (n < 2) return;
  std::vector<bool> drop;
  if (n <= kPairwiseDedupeLimit) {
    for (std::size_t i = 1; i < n; ++i) {
      for (std::size_t j = 0; j < i; ++j) {
        if (members[j].key == members[i].key && (drop.empty() || !drop[j])) {
          if (drop.empty()) drop.assign(n, false);
          members[j].value = std::move(members[i].value);
          drop[i] = true;
          break;
        }
      }
    }
  } else {
    std::vector<std::size_t> order(n);
    std::iota(order.begin(), order.end(), 0);
    std::stable_sort(order.begin(), order.end(),
                     [&](std::size_t a, std::size_t b) { return members[a].key < members[b].key; });
    for (std::size_t g = 0; g < n;) {
      std::size_t e = g + 1;
      while (e < n && members[order[e]].key == members[order[g]].key) ++e;
      if (e - g > 1) {
        if (drop.empty()) drop.assign(n, false);
        members[order[g]].value = std::move(members[order[e - 1]].value);
        for (std::size_t k = g + 1; k < e; ++k) drop[order[k]] = true;
      }
      g = e;
    }
  }
  if (drop.empty()) return;
  std::size_t out = 0;
  for (std::size_t i = 0; i < n; ++i) {
    if (drop[i]) continue;
    if (out != i) members[out] = std::move(members[i]);
    ++out;
  }
  members.resize(out);
}

namespace {

ApiResult<Value> decode_padded(od::parser& parser, simdjson::padded_string_view input) {
  od::document doc;
  if (parser.iterate(input).get(doc) != simdjson::SUCCESS) return std::unexpected(malformed());
  od::object root;
  if (doc.get_object().get(root) != simdjson::SUCCESS) return std::unexpected(malformed());
  Value out;
  if (!convert_object(root, 1, out)) return std::unexpected(malformed());
  // Anything after the root object's closing brace is trailing garbage; the
  // iterator reports OUT_OF_BOUNDS exactly when every token was consumed.
  if (doc.current_location().error() != simdjson::OUT_OF_BOUNDS) return std::unexpected(malformed());
  return out;
}

}  // namespace

ApiResult<Value> decode_json(std::string_view body) {
  ThreadState& state = thread_state();
  return decode_padded(state.parser, state.pad(body));
}

static_assert(net::kBodyPadding >= simdjson::SIMDJSON_PADDING, "request bodies must be parseable in place");

ApiResult<Value> decode_json_in_place(std::string& body) {
  const std::size_t n = body.size();
  if (body.capacity() - n < simdjson::SIMDJSON_PADDING) return decode_json(body);
  // Zeroed padding inside the existing allocation: no reallocation, no copy.
  body.append(simdjson::SIMDJSON_PADDING, '\0');
  auto result = decode_padded(thread_state().parser, simdjson::padded_string_view(body.data(), n, body.size()));
  body.resize(n);
  return result;
}

std::string encode_json(const Value& v) {
  std::string out;
  out.reserve(size_estimate(v));
  append_value(v, out);
  return out;
}

}  // namespace runnel::protocol
