#pragma once
// Page compression with the codecs Firehose's ParquetSerDe offers.

#include <string>
#include <string_view>

#include "common/status.h"
#include "parquet/format.h"

namespace runnel::parquet {

// Appends `in` compressed with `codec` to `out`: UNCOMPRESSED copies, SNAPPY
// is raw Snappy (no framing, as Parquet wants), GZIP is a gzip member
// (RFC 1952, zlib level 6). Thread-safe (no shared state).
Status compress(Codec codec, std::string_view in, std::string* out);

// Appends `in` deflated at zlib level 6 to `out`, framed as zlib's
// `window_bits` says: 15 + 16 a gzip member (Parquet's GZIP), -15 raw
// deflate (ORC's ZLIB). Thread-safe.
Status deflate_append(std::string_view in, int window_bits, std::string* out);

}  // namespace runnel::parquet
