#include "orc/compression.h"

#include <snappy.h>

#include <algorithm>

#include "parquet/compression.h"

namespace runnel::orc {

Status compress_stream(Compression codec, int64_t block, std::string_view in, CompressedStream* out) {
  out->bytes.clear();
  out->chunk_starts.clear();
  if (codec == Compression::kNone) {
    out->bytes.assign(in);
    return Status::ok();
  }
  std::string packed;
  for (size_t at = 0; at < in.size(); at += static_cast<size_t>(block)) {
    std::string_view chunk = in.substr(at, static_cast<size_t>(block));
    packed.clear();
    if (codec == Compression::kZlib) {
      if (Status s = parquet::deflate_append(chunk, -15, &packed); !s) return s;  // raw deflate, as ORC's ZLIB is
    } else {
      packed.resize(snappy::MaxCompressedLength(chunk.size()));
      size_t n = 0;
      snappy::RawCompress(chunk.data(), chunk.size(), packed.data(), &n);
      packed.resize(n);
    }
    bool original = packed.size() >= chunk.size();
    std::string_view body = original ? chunk : std::string_view(packed);
    uint32_t header = (static_cast<uint32_t>(body.size()) << 1) | (original ? 1 : 0);
    out->chunk_starts.push_back(out->bytes.size());
    out->bytes.push_back(static_cast<char>(header & 0xff));
    out->bytes.push_back(static_cast<char>((header >> 8) & 0xff));
    out->bytes.push_back(static_cast<char>((header >> 16) & 0xff));
    out->bytes.append(body);
  }
  return Status::ok();
}

void append_position(Compression codec, int64_t block, const CompressedStream& s, uint64_t offset,
                     std::vector<uint64_t>* positions) {
  if (codec == Compression::kNone) {
    positions->push_back(offset);
    return;
  }
  size_t k = static_cast<size_t>(offset / static_cast<uint64_t>(block));
  // An offset at the very end of the stream lies past its last chunk.
  uint64_t start = k < s.chunk_starts.size() ? s.chunk_starts[k] : s.bytes.size();
  positions->push_back(start);
  positions->push_back(offset - k * static_cast<uint64_t>(block));
}

}  // namespace runnel::orc
