#pragma once
// One ORC column: a node of the type tree, numbered in pre-order (the root
// struct is column 0). It buffers a stripe's values as they come, with a
// mark at each row group's end, and at the stripe's end encodes them into
// its streams, its ROW_INDEX and its statistics (docs/orc.md, "Columns").
// Encoding a whole stripe at once lets a string column choose DIRECT_V2 or
// DICTIONARY_V2 from the stripe's own distinct count, and start every row
// group on a fresh run so that the row index points at run starts.
// One thread at a time.

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"
#include "orc/bloom_filter.h"
#include "orc/compression.h"
#include "orc/options.h"
#include "orc/orc_proto.pb.h"
#include "orc/statistics.h"
#include "parquet/hive_type.h"
#include "parquet/value.h"

namespace runnel::orc {

// Seconds from the Unix epoch to 2015-01-01 00:00:00 UTC, the origin of a
// timestamp's DATA stream.
inline constexpr int64_t kTimestampBaseSeconds = 1420070400;

// What a stripe collects from its columns.
struct StripeParts {
  struct DataStream {
    proto::Stream::Kind kind;
    uint32_t column;
    std::string bytes;  // compressed
  };
  std::vector<std::string> row_indexes;  // per column: a RowIndex, compressed
  // Per column: a BloomFilterIndex (one filter per row group), compressed;
  // empty for a column without bloom filters.
  std::vector<std::string> bloom_filters;
  std::vector<DataStream> streams;  // in file order
  std::vector<proto::ColumnEncoding> encodings;
  std::vector<proto::ColumnStatistics> stats;
};

// Whether two column names are the same ASCII case-insensitively, as ORC's
// Java writer matches bloom filter column names.
bool same_column_name(std::string_view a, std::string_view b);
// Whether options.bloom_filter_columns names the top-level `column`.
bool names_bloom_column(const WriterOptions& options, std::string_view column);

// A char(n) or varchar(n) value as the writer stores it (ORC's
// CharTreeWriter and VarcharTreeWriter): cut to n characters (UTF-8 code
// points), a char(n) value then space-padded to n. Other values as they are.
std::string fit_to_length(std::string_view bytes, const parquet::HiveType& type);
// `v` (of `type`) with every char/varchar value in it fitted as above: what
// a reader reads back (tests).
parquet::Value as_written(const parquet::HiveType& type, const parquet::Value& v);

class ColumnWriter {
 public:
  // Builds the writer of `type` and its children; `next_id` is the next
  // pre-order column number. `type` and `options` must outlive the writer.
  // `bloom`: this column and every column under it write bloom filters
  // (those that hold values: not structs, lists or maps); for the root,
  // the top-level columns named in options->bloom_filter_columns do.
  ColumnWriter(const parquet::HiveType* type, uint32_t* next_id, const WriterOptions* options, bool is_root = false,
               bool bloom = false);

  // Buffers one value (a row for the root), already checked against the
  // type (parquet::check_row()).
  void add(const parquet::Value& v);
  // Ends the open row group, in this column and those under it.
  void mark_row_group();
  // The in-memory size of the values buffered for the open stripe.
  int64_t buffered_bytes() const;
  // Encodes and compresses the stripe's values into `parts` (this column
  // and those under it, in column order), then forgets them. Every column
  // must have the same number of row group marks, the last at the stripe's
  // end.
  Status write_stripe(StripeParts* parts);
  // The footer's Type entries, in column order.
  void add_types(proto::Footer* footer) const;
  // The file's statistics so far, in column order.
  void add_file_stats(std::vector<proto::ColumnStatistics>* out) const;

 private:
  struct Mark {
    size_t slots;   // values and nulls so far
    size_t values;  // non-null values so far
  };
  // A stream while it is encoded: its bytes before compression and, for
  // each row group, where the group starts in it and the positions that
  // follow the offset (run positions, the bit within a byte).
  struct Pending {
    proto::Stream::Kind kind;
    bool positioned = true;
    std::string raw;
    std::vector<uint64_t> starts;
    std::vector<std::vector<uint64_t>> extras;
  };

  void encode_ints(const std::vector<int64_t>& v, bool is_signed, Pending* p) const;
  void encode_bools(const std::vector<uint8_t>& bits, const std::vector<size_t>& bounds, Pending* p) const;
  ColumnStats group_stats(size_t g) const;
  void add_to_bloom(size_t g, BloomFilter* f) const;
  std::string_view bytes_at(size_t i) const;
  bool is_string() const;
  void clear();

  const parquet::HiveType* type_;
  uint32_t id_;
  const WriterOptions* options_;
  bool root_;
  bool bloom_;
  std::vector<std::unique_ptr<ColumnWriter>> children_;

  std::vector<uint8_t> present_;  // one per slot
  size_t values_ = 0;
  std::vector<int64_t> ints_;    // integers, booleans, dates, seconds, list/map lengths
  std::vector<uint32_t> nanos_;  // timestamps
  std::vector<double> doubles_;  // float, double
  std::string arena_;            // string, char, varchar, binary
  std::vector<uint64_t> ends_;   // value i is arena_[ends_[i-1], ends_[i])
  std::vector<__int128> decimals_;
  std::vector<Mark> marks_;
  ColumnStats file_stats_;
};

}  // namespace runnel::orc
