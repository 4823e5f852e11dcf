#pragma once
// One leaf column's chunk in the row group being written: levels and values
// of the open page, the closed pages (compressed, with their headers), the
// dictionary and the statistics. Owned by FileWriter; not thread-safe.

#include <cstdint>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "common/status.h"
#include "parquet/options.h"
#include "parquet/schema.h"
#include "parquet/value.h"

namespace runnel::parquet {

// What the footer needs to know about a finished column chunk; offsets are
// relative to the chunk's first byte (FileWriter adds the file position).
struct ChunkMeta {
  PhysicalType type = PhysicalType::kBoolean;
  std::vector<Encoding> encodings;
  int64_t num_values = 0;
  int64_t total_uncompressed_size = 0;  // page headers included
  int64_t total_compressed_size = 0;    // page headers included
  int64_t data_page_offset = 0;
  bool has_dictionary = false;  // the dictionary page is at offset 0
  int64_t null_count = 0;
  bool has_min_max = false;
  std::string min_value, max_value;  // PLAIN bytes (no length prefix)
  // encoding_stats: data pages per encoding, and the dictionary page.
  int32_t dict_data_pages = 0;
  int32_t plain_data_pages = 0;
};

class ColumnWriter {
 public:
  ColumnWriter(const LeafColumn& leaf, const WriterOptions& options);

  // One triple from the shredder. A new page is started first when `rep` is
  // 0 (a new row) and the open page is full.
  Status add(uint16_t rep, uint16_t def, const Value* value);

  // Bytes this chunk holds now: closed pages, the open page's estimate and
  // the dictionary.
  int64_t buffered_bytes() const;

  // Closes the open page and appends the whole chunk (dictionary page, then
  // the data pages) to `out`; resets for the next row group.
  Result<ChunkMeta> finish_chunk(std::string* out);

 private:
  // The index of `bytes` in the chunk's dictionary, adding it (to
  // dict_plain_ too) when new.
  uint32_t dictionary_index(std::string_view bytes, bool byte_array);

  // The value's bytes as PLAIN writes them, without BYTE_ARRAY's length
  // prefix (also the dictionary key). `scratch` holds fixed-width encodings.
  std::string_view value_bytes(const Value& v, char* scratch) const;
  void update_stats(const Value& v, std::string_view bytes);
  int64_t page_estimate() const;
  Status close_page();
  Status write_page(PageType type, const std::string& levels, std::string_view values, int32_t num_values,
                    int32_t num_nulls, int32_t num_rows, Encoding encoding, int32_t rep_bytes, int32_t def_bytes);
  void reset_chunk();

  const LeafColumn& leaf_;
  const WriterOptions& options_;
  const int def_width_;
  const int rep_width_;

  // The open page.
  std::vector<uint32_t> defs_, reps_;
  std::vector<uint32_t> indices_;  // dictionary mode
  std::string plain_;              // PLAIN mode (BOOLEAN: one byte per value, packed on close)
  int32_t page_rows_ = 0;
  int32_t page_nulls_ = 0;

  // The chunk.
  bool dictionary_mode_ = false;
  bool fallback_pending_ = false;
  bool dict_probed_ = false;  // the early fallback check (column_writer.cc) is done
  uint64_t dict_values_ = 0;  // values added in dictionary mode
  uint64_t raw_bytes_ = 0;    // their PLAIN size
  // The dictionary: an open-addressing table over the values' bytes in
  // dict_plain_ (no allocation per value, which a map of strings costs on
  // every new value of a high-cardinality column).
  struct DictEntry {
    size_t hash;
    uint32_t offset, size;  // of the value's bytes in dict_plain_
  };
  std::vector<DictEntry> dict_entries_;  // by dictionary index
  std::vector<uint32_t> dict_slots_;     // index + 1, 0 for empty; a power of two long
  std::string dict_plain_;
  std::string pages_;      // the closed data pages, headers included
  std::string dict_page_;  // the dictionary page, written by finish_chunk()
  ChunkMeta meta_;
  // Statistics, kept typed; has_min_max_ once a comparable value was seen.
  bool has_min_max_ = false;
  int64_t min_i_ = 0, max_i_ = 0;
  double min_d_ = 0, max_d_ = 0;
  __int128 min_w_ = 0, max_w_ = 0;
  std::string min_s_, max_s_;
};

}  // namespace runnel::parquet
