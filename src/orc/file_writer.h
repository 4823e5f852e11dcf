#pragma once
// orc::FileWriter: rows in, an ORC file out (docs/orc.md describes every
// byte). The same rows as parquet::FileWriter takes (parquet::Value trees
// checked against a parquet::Schema built from the Hive columns), so
// Firehose's record converter can feed either. Rows are buffered per column
// and a stripe is encoded once StripeSizeBytes of values are buffered;
// finish() writes the file's tail. One writer per thread; a writer is not
// safe for concurrent use.

#include <cstdint>
#include <memory>
#include <vector>

#include "common/status.h"
#include "orc/column_writer.h"
#include "orc/options.h"
#include "orc/orc_proto.pb.h"
#include "parquet/file_writer.h"
#include "parquet/schema.h"
#include "parquet/value.h"

namespace runnel::orc {

class FileWriter {
 public:
  // Checks the options (kInvalidArgument: sizes must be positive, the
  // compression block below 8 MiB, bloom filter columns must name
  // top-level columns, probabilities within (0, 1), bloom filters below
  // 2^31 bits, the dictionary threshold within [0, 1]) and writes the
  // leading "ORC". `sink` must outlive the writer.
  static Result<std::unique_ptr<FileWriter>> open(std::shared_ptr<const parquet::Schema> schema, WriterOptions options,
                                                  parquet::ByteSink* sink);
  // The same, from the Hive column list (names and type strings).
  static Result<std::unique_ptr<FileWriter>> open(const std::vector<parquet::ColumnSpec>& columns,
                                                  WriterOptions options, parquet::ByteSink* sink);

  // Checks `row` against the schema (parquet::check_row()) and buffers it;
  // a row that does not fit is refused whole with kInvalidArgument and the
  // writer stays usable. Writes a stripe when the buffered values reach
  // stripe_size_bytes; a sink or compression error is returned and ends the
  // writer.
  Status append(const parquet::Value& row);

  // Writes the buffered rows as a stripe now (nothing if there are none).
  Status flush_stripe();

  // Flushes, then writes the metadata, the footer, the postscript and its
  // length byte. No rows may be appended afterwards. A file with no rows
  // has no stripes.
  Status finish();

  int64_t rows_written() const { return total_rows_; }
  int64_t stripes_written() const { return static_cast<int64_t>(stripes_.size()); }
  // Bytes handed to the sink so far.
  int64_t bytes_written() const { return offset_; }
  // The in-memory size of the values buffered for the open stripe.
  int64_t buffered_bytes() const { return root_->buffered_bytes(); }

 private:
  FileWriter(std::shared_ptr<const parquet::Schema> schema, WriterOptions options, parquet::ByteSink* sink);
  Status write(std::string_view bytes);
  Status fail(Status s);

  std::shared_ptr<const parquet::Schema> schema_;
  WriterOptions options_;
  parquet::ByteSink* sink_;
  parquet::HiveType root_type_;  // struct<the columns>
  std::unique_ptr<ColumnWriter> root_;
  uint32_t column_count_ = 0;
  std::vector<proto::StripeInformation> stripes_;
  proto::Metadata metadata_;
  int64_t stripe_rows_ = 0;
  int64_t group_rows_ = 0;
  int64_t total_rows_ = 0;
  int64_t offset_ = 0;
  bool failed_ = false;
  bool finished_ = false;
};

}  // namespace runnel::orc
