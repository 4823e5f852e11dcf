#pragma once
// FileWriter: rows in, a Parquet file out (docs/parquet.md describes every
// byte). Rows are checked, shredded into per-leaf column writers, and cut
// into row groups once BlockSizeBytes is buffered; finish() writes the
// footer. One writer per thread; a writer is not safe for concurrent use.

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"
#include "parquet/column_writer.h"
#include "parquet/options.h"
#include "parquet/schema.h"
#include "parquet/value.h"

namespace runnel::parquet {

// Where the file's bytes go, in order. A failed write() fails the writer.
class ByteSink {
 public:
  virtual ~ByteSink() = default;
  virtual Status write(std::string_view bytes) = 0;
};

// A sink that keeps the whole file in memory.
class StringSink : public ByteSink {
 public:
  Status write(std::string_view bytes) override {
    data_.append(bytes);
    return Status::ok();
  }
  const std::string& data() const { return data_; }
  std::string take() { return std::move(data_); }

 private:
  std::string data_;
};

class FileWriter {
 public:
  // Checks the options (sizes must be positive) and writes the leading
  // "PAR1". `sink` must outlive the writer.
  static Result<std::unique_ptr<FileWriter>> open(std::shared_ptr<const Schema> schema, WriterOptions options,
                                                  ByteSink* sink);

  // Checks `row` against the schema (check_row(), shredder.h) and buffers
  // it; a row that does not fit is refused whole with kInvalidArgument and
  // the writer stays usable. Writes a row group when the buffered data
  // reaches block_size_bytes; a sink error is returned and ends the writer.
  Status append(const Value& row);

  // Writes the buffered rows as a row group now (nothing if there are none).
  Status flush_row_group();

  // Flushes, then writes the footer and the trailing "PAR1". No rows may be
  // appended afterwards. A file with no rows has no row groups.
  Status finish();

  int64_t rows_written() const { return total_rows_; }
  int64_t row_groups_written() const { return static_cast<int64_t>(row_groups_.size()); }
  // Bytes handed to the sink so far.
  int64_t bytes_written() const { return offset_; }
  // Column data buffered for the open row group (an estimate: the open
  // pages uncompressed).
  int64_t buffered_bytes() const;

 private:
  struct RowGroupMeta {
    int64_t num_rows = 0;
    int64_t file_offset = 0;
    int64_t total_byte_size = 0;
    int64_t total_compressed_size = 0;
    std::vector<ChunkMeta> chunks;
    std::vector<int64_t> chunk_offsets;
  };

  FileWriter(std::shared_ptr<const Schema> schema, WriterOptions options, ByteSink* sink);
  Status write(std::string_view bytes);
  std::string footer() const;

  std::shared_ptr<const Schema> schema_;
  WriterOptions options_;
  ByteSink* sink_;
  std::vector<ColumnWriter> columns_;
  std::vector<RowGroupMeta> row_groups_;
  int64_t group_rows_ = 0;
  int64_t total_rows_ = 0;
  int64_t offset_ = 0;
  bool failed_ = false;
  bool finished_ = false;
};

}  // namespace runnel::parquet
