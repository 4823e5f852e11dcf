// libFuzzer target: ShardIteratorCodec::decode on arbitrary client bytes
// (GetRecords' ShardIterator), plus encode/decode round trips of positions
// drawn from the input.

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <string>
#include <string_view>

#include "streams/shard_iterator.h"

namespace {

const runnel::streams::ShardIteratorCodec& codec() {
  static const runnel::streams::ShardIteratorCodec c(std::string(32, '\x5a'));
  return c;
}

template <class T>
T take(const uint8_t*& p, std::size_t& n) {
  T v{};
  const std::size_t k = n < sizeof(T) ? n : sizeof(T);
  std::memcpy(&v, p, k);
  p += k;
  n -= k;
  return v;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, std::size_t size) {
  using runnel::streams::IteratorPosition;
  const std::string_view text(reinterpret_cast<const char*>(data), size);

  // Whatever decodes must re-encode to the same bytes (quotes aside): the
  // format has one encoding per position and size.
  if (auto pos = codec().decode(text)) {
    std::string_view bare = text;
    if (bare.size() >= 2 && bare.front() == '"' && bare.back() == '"') bare = bare.substr(1, bare.size() - 2);
    bool matched = false;
    for (std::size_t name_len = 0; name_len <= 128 && !matched; name_len += 16) {
      matched = codec().encode(*pos, name_len) == bare;
    }
    if (!matched) std::abort();
  }

  // Positions from the input round-trip at every size.
  const uint8_t* p = data;
  std::size_t n = size;
  IteratorPosition pos;
  pos.stream_uid = take<uint64_t>(p, n);
  pos.shard_index = take<uint32_t>(p, n);
  pos.counter = take<uint64_t>(p, n);
  pos.issued_ms = take<int64_t>(p, n);
  const std::size_t name_len = take<uint8_t>(p, n);
  const std::string it = codec().encode(pos, name_len);
  if (it.size() > runnel::streams::kMaxShardIteratorLength) std::abort();
  auto back = codec().decode(it);
  if (!back || !(*back == pos)) std::abort();
  (void)runnel::streams::iterator_expired_message(pos.issued_ms, static_cast<int64_t>(pos.counter));
  return 0;
}
