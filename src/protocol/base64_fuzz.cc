// libFuzzer target: base64 both ways, against a decoder written the slow way.
// base64_decode must accept exactly the texts the reference accepts and give
// the same bytes (its AVX2 path and its scalar loop alike); the input, as
// bytes, must encode to a text that decodes back to it.
#include <cstdint>
#include <cstdlib>
#include <optional>
#include <string>
#include <string_view>

#include "protocol/base64.h"

namespace {

constexpr std::string_view kAlphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

// Canonical-length padded base64, as base64.h documents it.
std::optional<std::string> slow_decode(std::string_view text) {
  if (text.size() % 4 != 0) return std::nullopt;
  std::size_t pad = 0;
  if (!text.empty() && text.back() == '=') pad = text.size() >= 2 && text[text.size() - 2] == '=' ? 2 : 1;
  std::string out;
  uint32_t acc = 0;
  int bits = 0;
  for (std::size_t i = 0; i < text.size() - pad; ++i) {
    const std::size_t v = kAlphabet.find(text[i]);
    if (v == std::string_view::npos) return std::nullopt;
    acc = (acc << 6) | static_cast<uint32_t>(v);
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out.push_back(static_cast<char>((acc >> bits) & 0xFF));
    }
  }
  return out;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view in(reinterpret_cast<const char*>(data), size);
  const auto fast = runnel::protocol::base64_decode(in);
  const auto slow = slow_decode(in);
  if (fast.has_value() != slow.has_value()) std::abort();
  if (fast && *fast != *slow) std::abort();
  std::string copy(in);
  if (runnel::protocol::base64_decode_in_place(copy) != fast.has_value()) std::abort();
  if (fast ? copy != *fast : copy != in) std::abort();
  const std::string text = runnel::protocol::base64_encode(in);
  if (text.size() != runnel::protocol::base64_encoded_size(size)) std::abort();
  if (runnel::protocol::base64_decode(text) != std::optional<std::string>(std::string(in))) std::abort();
  return 0;
}
