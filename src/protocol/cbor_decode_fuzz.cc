// libFuzzer target for decode_cbor, the parser of every CBOR request body
// (Java SDK, KCL). Checks, beyond "does not crash" and "allocates no more
// than the input justifies" (libFuzzer's -rss_limit_mb / -malloc_limit_mb):
//  - encode_cbor then decode_cbor gives back an equal Value (NaN payloads
//    aside), and encoding that again gives the same bytes;
//  - encode_json of any decoded Value is JSON that decode_json accepts
//    (text was validated as UTF-8, depth is within the shared limit).
#include <cmath>
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "protocol/cbor_codec.h"
#include "protocol/json_codec.h"

namespace {

using runnel::protocol::Value;

// Value equality, except that NaN equals NaN (CBOR can carry NaN; == cannot).
bool same(const Value& a, const Value& b) {
  if (a.kind() != b.kind()) return false;
  switch (a.kind()) {
    case Value::Kind::kDouble:
      return a.as_double() == b.as_double() || (std::isnan(a.as_double()) && std::isnan(b.as_double()));
    case Value::Kind::kArray: {
      const auto& x = a.as_array();
      const auto& y = b.as_array();
      if (x.size() != y.size()) return false;
      for (size_t i = 0; i < x.size(); ++i)
        if (!same(x[i], y[i])) return false;
      return true;
    }
    case Value::Kind::kObject: {
      const auto& x = a.as_object();
      const auto& y = b.as_object();
      if (x.size() != y.size()) return false;
      for (size_t i = 0; i < x.size(); ++i)
        if (x[i].key != y[i].key || !same(x[i].value, y[i].value)) return false;
      return true;
    }
    default: return a == b;
  }
}

void check(bool ok) {
  if (!ok) std::abort();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view body(reinterpret_cast<const char*>(data), size);
  auto decoded = runnel::protocol::decode_cbor(body);
  if (!decoded) return 0;

  const std::string cbor = runnel::protocol::encode_cbor(*decoded);
  auto again = runnel::protocol::decode_cbor(cbor);
  check(again.has_value() && same(*again, *decoded));
  check(runnel::protocol::encode_cbor(*again) == cbor);

  auto json = runnel::protocol::decode_json(runnel::protocol::encode_json(*decoded));
  check(json.has_value());
  return 0;
}
