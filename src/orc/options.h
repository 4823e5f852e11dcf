#pragma once
// The ORC writer's options: Firehose's OrcSerDe settings, with its defaults
// (docs/orc.md says which of them act and how).

#include <cstdint>
#include <string>
#include <vector>

namespace runnel::orc {

// OrcSerDe.Compression; the PostScript's CompressionKind numbers.
enum class Compression { kNone = 0, kZlib = 1, kSnappy = 2 };

// OrcSerDe.FormatVersion: V0_11 writes integer RLE v1 (DIRECT/DICTIONARY),
// V0_12 integer RLE v2 (DIRECT_V2/DICTIONARY_V2).
enum class FormatVersion { kV0_11, kV0_12 };

struct WriterOptions {
  // OrcSerDe.StripeSizeBytes: a stripe is written once the values buffered
  // for it (their in-memory size: 8 bytes an integer, a string's bytes, ...)
  // reach this.
  int64_t stripe_size_bytes = int64_t{64} << 20;
  // OrcSerDe.BlockSizeBytes, EnablePadding, PaddingTolerance: HDFS block
  // alignment. Accepted and checked, not acting: objects have no blocks.
  int64_t block_size_bytes = int64_t{256} << 20;
  bool enable_padding = false;
  double padding_tolerance = 0.05;
  // OrcSerDe.RowIndexStride: rows per row group, each with an entry in
  // every column's ROW_INDEX stream. 0 writes no row index.
  int64_t row_index_stride = 10000;
  // OrcSerDe.Compression.
  Compression compression = Compression::kSnappy;
  // The most uncompressed bytes in one compression chunk (ORC's
  // compressionBlockSize; not an OrcSerDe field).
  int64_t compression_block_size = int64_t{256} << 10;
  // OrcSerDe.BloomFilterColumns and BloomFilterFalsePositiveProbability:
  // each named top-level column (matched case-insensitively), and every
  // column under it that holds values, gets a BLOOM_FILTER_UTF8 stream in
  // each stripe, one filter per row group sized for row_index_stride
  // values at this false positive probability (0 < p < 1), as ORC's own
  // writers build them (docs/orc.md, "Bloom filters"). None without a row
  // index (row_index_stride 0).
  std::vector<std::string> bloom_filter_columns;
  double bloom_filter_fpp = 0.05;
  // OrcSerDe.DictionaryKeyThreshold: a string column is dictionary-encoded
  // in a stripe when its distinct values are at most this fraction of its
  // non-null values; 0 never, 1 always. ORC's own default.
  double dictionary_key_threshold = 0.8;
  // OrcSerDe.FormatVersion.
  FormatVersion format_version = FormatVersion::kV0_12;
};

}  // namespace runnel::orc
