#pragma once
// ORC's compression framing (docs/orc.md, "Compression"): a stream is cut
// into chunks of at most `block` uncompressed bytes, each compressed on its
// own and preceded by a 3-byte little-endian header, (length << 1) |
// original, where original (1) means the chunk is stored as it was because
// compressing did not make it smaller. NONE has no headers at all. ZLIB is
// raw deflate (no zlib header or trailer), SNAPPY raw Snappy blocks.

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"
#include "orc/options.h"

namespace runnel::orc {

// A stream after compression, with where each chunk starts, so that an
// uncompressed offset can be told as the row index wants it.
struct CompressedStream {
  std::string bytes;
  // For chunk k: its first byte in `bytes` (the header's).
  std::vector<uint64_t> chunk_starts;
};

// Compresses `in` chunk by chunk. Thread-safe (no shared state).
Status compress_stream(Compression codec, int64_t block, std::string_view in, CompressedStream* out);

// Appends the row index's position of uncompressed offset `offset` in a
// stream compressed by compress_stream(): [chunk start, offset within the
// chunk's uncompressed bytes], or [offset] for NONE.
void append_position(Compression codec, int64_t block, const CompressedStream& s, uint64_t offset,
                     std::vector<uint64_t>* positions);

}  // namespace runnel::orc
