#pragma once
// Test support, header-only (not part of runnel_parquet): values for a Hive
// type drawn from any source of random numbers, with nulls at every level,
// and the JSON form of a value that tests/e2e/node/parquet.test.mjs compares
// readers' rows against. Used by the samples tool, the unit tests, the fuzz
// target and the benchmark.

#include <cinttypes>
#include <cstdint>
#include <cstdio>
#include <string>
#include <vector>

#include "parquet/hive_type.h"
#include "parquet/value.h"

namespace runnel::parquet::testing {

// A small deterministic generator (splitmix64).
class SplitMix {
 public:
  explicit SplitMix(uint64_t seed) : s_(seed) {}
  uint64_t next() {
    uint64_t z = (s_ += 0x9E3779B97F4A7C15ULL);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
    return z ^ (z >> 31);
  }

 private:
  uint64_t s_;
};

// Strings worth writing: empty, ASCII, JSON escapes, 2/3/4-byte UTF-8.
inline const std::vector<std::string>& sample_strings() {
  static const std::vector<std::string> s = {
      "",
      "a",
      "hello",
      "GET /index.html",
      "quote\" backslash\\ slash/",
      "tab\tnewline\n",
      "\x01\x1f",
      "caf\xC3\xA9",
      "\xE6\x97\xA5\xE6\x9C\xAC\xE8\xAA\x9E",
      "emoji \xF0\x9F\x99\x82",
      "zzzz",
  };
  return s;
}

// Draws a value of type `t`; null with probability 1/null_in at every level
// (never for map keys); lists and maps of 0..max_items entries.
template <class Rng>
Value random_value(const HiveType& t, Rng& rng, int null_in = 8, int max_items = 3) {
  auto pick = [&](uint64_t n) { return n ? rng.next() % n : 0; };
  if (null_in > 0 && pick(null_in) == 0) return Value::null();
  switch (t.kind) {
    case HiveKind::kBoolean: return Value::boolean(pick(2));
    case HiveKind::kTinyint: return Value::integer(static_cast<int64_t>(pick(256)) - 128);
    case HiveKind::kSmallint: return Value::integer(static_cast<int64_t>(pick(65536)) - 32768);
    case HiveKind::kInt: return Value::integer(static_cast<int32_t>(rng.next()));
    case HiveKind::kBigint: {
      uint64_t r = rng.next();
      return Value::integer(static_cast<int64_t>(pick(4) == 0 ? r : r % 100000));
    }
    case HiveKind::kFloat:
      return Value::float32(static_cast<float>(static_cast<int32_t>(rng.next() % 2000001) - 1000000) / 64.0f);
    case HiveKind::kDouble: {
      double x = static_cast<double>(static_cast<int64_t>(rng.next() % 20000001) - 10000000) / 1024.0;
      return Value::float64(pick(3) == 0 ? x * 1e-7 : x);
    }
    case HiveKind::kDecimal: {
      // Any unscaled value of at most `precision` digits.
      __int128 limit = 1;
      for (int i = 0; i < t.precision; ++i) limit *= 10;
      unsigned __int128 r = (static_cast<unsigned __int128>(rng.next()) << 64) | rng.next();
      __int128 u = static_cast<__int128>(r % static_cast<unsigned __int128>(limit));
      if (pick(4) == 0) u = limit - 1;  // the widest value
      return Value::decimal(pick(2) ? -u : u);
    }
    case HiveKind::kString:
    case HiveKind::kChar:
    case HiveKind::kVarchar: {
      const auto& s = sample_strings();
      std::string v = s[pick(s.size())];
      if (pick(2)) v += std::to_string(pick(1000));
      return Value::bytes(std::move(v));
    }
    case HiveKind::kBinary: {
      std::string v(pick(6), '\0');
      for (char& c : v) c = static_cast<char>(pick(256));
      return Value::bytes(std::move(v));
    }
    case HiveKind::kTimestamp: {
      // 1900..2100, nanosecond precision.
      int64_t secs = static_cast<int64_t>(pick(int64_t{200} * 365 * 86400)) - int64_t{70} * 365 * 86400;
      return Value::timestamp({secs, static_cast<uint32_t>(pick(1'000'000'000))});
    }
    case HiveKind::kDate: return Value::date(static_cast<int32_t>(pick(200 * 365)) - 70 * 365);
    case HiveKind::kArray: {
      std::vector<Value> items(pick(max_items + 1));
      for (auto& v : items) v = random_value(t.children[0], rng, null_in, max_items);
      return Value::list(std::move(items));
    }
    case HiveKind::kMap: {
      std::vector<std::pair<Value, Value>> entries(pick(max_items + 1));
      for (auto& [k, v] : entries) {
        k = random_value(t.children[0], rng, 0, max_items);
        v = random_value(t.children[1], rng, null_in, max_items);
      }
      return Value::map(std::move(entries));
    }
    case HiveKind::kStruct: {
      std::vector<Value> fields;
      for (const auto& f : t.fields) fields.push_back(random_value(f.type, rng, null_in, max_items));
      return Value::record(std::move(fields));
    }
  }
  return Value::null();
}

inline void json_string(std::string_view s, std::string* out) {
  out->push_back('"');
  for (unsigned char c : s) {
    if (c == '"' || c == '\\') {
      out->push_back('\\');
      out->push_back(static_cast<char>(c));
    } else if (c < 0x20) {
      char buf[8];
      std::snprintf(buf, sizeof buf, "\\u%04x", c);
      out->append(buf);
    } else {
      out->push_back(static_cast<char>(c));
    }
  }
  out->push_back('"');
}

inline std::string int128_string(__int128 v) {
  if (v == 0) return "0";
  bool neg = v < 0;
  unsigned __int128 u = neg ? -static_cast<unsigned __int128>(v) : static_cast<unsigned __int128>(v);
  std::string s;
  while (u) {
    s.insert(s.begin(), static_cast<char>('0' + static_cast<int>(u % 10)));
    u /= 10;
  }
  return neg ? "-" + s : s;
}

// The decimal as text with exactly `scale` fraction digits ("-0.05").
inline std::string decimal_string(__int128 unscaled, int scale) {
  bool neg = unscaled < 0;
  std::string digits = int128_string(neg ? -unscaled : unscaled);
  if (scale > 0) {
    if (static_cast<int>(digits.size()) <= scale) digits.insert(0, scale + 1 - digits.size(), '0');
    digits.insert(digits.size() - scale, ".");
  }
  return neg ? "-" + digits : digits;
}

// The JSON the read-back test expects: integers, decimals and timestamps
// (nanoseconds since the epoch) as strings, binary as hex, dates as days,
// maps as [key, value] pairs, structs as objects.
inline void to_json(const HiveType& t, const Value& v, std::string* out) {
  if (v.is_null()) {
    out->append("null");
    return;
  }
  char buf[64];
  switch (t.kind) {
    case HiveKind::kBoolean: out->append(v.as_bool() ? "true" : "false"); return;
    case HiveKind::kTinyint:
    case HiveKind::kSmallint:
    case HiveKind::kInt:
    case HiveKind::kBigint: out->append("\"" + std::to_string(v.as_int()) + "\""); return;
    case HiveKind::kFloat:
      std::snprintf(buf, sizeof buf, "%.17g", static_cast<double>(static_cast<float>(v.as_double())));
      out->append(buf);
      return;
    case HiveKind::kDouble:
      std::snprintf(buf, sizeof buf, "%.17g", v.as_double());
      out->append(buf);
      return;
    case HiveKind::kDecimal: out->append("\"" + decimal_string(v.as_decimal(), t.scale) + "\""); return;
    case HiveKind::kString:
    case HiveKind::kChar:
    case HiveKind::kVarchar: json_string(v.as_bytes(), out); return;
    case HiveKind::kBinary: {
      out->push_back('"');
      for (unsigned char c : v.as_bytes()) {
        std::snprintf(buf, sizeof buf, "%02x", c);
        out->append(buf);
      }
      out->push_back('"');
      return;
    }
    case HiveKind::kTimestamp: {
      Timestamp ts = v.as_timestamp();
      out->append("\"" + int128_string(static_cast<__int128>(ts.seconds) * 1'000'000'000 + ts.nanos) + "\"");
      return;
    }
    case HiveKind::kDate: out->append(std::to_string(v.as_int())); return;
    case HiveKind::kArray:
      out->push_back('[');
      for (size_t i = 0; i < v.items().size(); ++i) {
        if (i) out->push_back(',');
        to_json(t.children[0], v.items()[i], out);
      }
      out->push_back(']');
      return;
    case HiveKind::kMap:
      out->push_back('[');
      for (size_t i = 0; i + 1 < v.items().size(); i += 2) {
        if (i) out->push_back(',');
        out->push_back('[');
        to_json(t.children[0], v.items()[i], out);
        out->push_back(',');
        to_json(t.children[1], v.items()[i + 1], out);
        out->push_back(']');
      }
      out->push_back(']');
      return;
    case HiveKind::kStruct:
      out->push_back('{');
      for (size_t i = 0; i < t.fields.size(); ++i) {
        if (i) out->push_back(',');
        json_string(t.fields[i].name, out);
        out->push_back(':');
        to_json(t.fields[i].type, v.items()[i], out);
      }
      out->push_back('}');
      return;
  }
}

// The type as JSON for the read-back test: {"kind":"decimal","precision":..}.
inline void type_json(const HiveType& t, std::string* out) {
  std::string kind = to_string(t);
  kind = kind.substr(0, kind.find_first_of("(<"));
  out->append("{\"kind\":\"" + kind + "\"");
  if (t.kind == HiveKind::kDecimal)
    out->append(",\"precision\":" + std::to_string(t.precision) + ",\"scale\":" + std::to_string(t.scale));
  if (!t.children.empty()) {
    out->append(",\"children\":[");
    for (size_t i = 0; i < t.children.size(); ++i) {
      if (i) out->push_back(',');
      type_json(t.children[i], out);
    }
    out->push_back(']');
  }
  if (!t.fields.empty()) {
    out->append(",\"fields\":[");
    for (size_t i = 0; i < t.fields.size(); ++i) {
      if (i) out->push_back(',');
      out->append("[");
      json_string(t.fields[i].name, out);
      out->push_back(',');
      type_json(t.fields[i].type, out);
      out->push_back(']');
    }
    out->push_back(']');
  }
  out->push_back('}');
}

}  // namespace runnel::parquet::testing
