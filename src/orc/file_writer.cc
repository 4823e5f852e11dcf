#include "orc/file_writer.h"

#include <cstdint>

#include "orc/bloom_filter.h"
#include "parquet/shredder.h"

namespace runnel::orc {

namespace {

// The PostScript's writerVersion: writers other than ORC Java's number
// their versions from 6 (ORC-202).
constexpr uint32_t kWriterVersion = 6;
// A chunk header holds a 23-bit length.
constexpr int64_t kMaxCompressionBlock = (int64_t{1} << 23) - 1;

}  // namespace

Result<std::unique_ptr<FileWriter>> FileWriter::open(const std::vector<parquet::ColumnSpec>& columns,
                                                     WriterOptions options, parquet::ByteSink* sink) {
  auto schema = parquet::Schema::from_columns(columns);
  if (!schema) return error(schema.error());
  return open(*schema, std::move(options), sink);
}

Result<std::unique_ptr<FileWriter>> FileWriter::open(std::shared_ptr<const parquet::Schema> schema,
                                                     WriterOptions options, parquet::ByteSink* sink) {
  if (options.stripe_size_bytes <= 0 || options.block_size_bytes <= 0 || options.row_index_stride < 0 ||
      options.row_index_stride > int64_t{UINT32_MAX} || options.compression_block_size <= 0 ||
      options.compression_block_size > kMaxCompressionBlock) {
    return error(Status::invalid_argument(
        "stripe and block sizes must be positive, the row index stride within [0, 2^32), and the compression "
        "block size at most 8388607"));
  }
  if (!(options.padding_tolerance >= 0 && options.padding_tolerance <= 1)) {
    return error(Status::invalid_argument("PaddingTolerance must be within [0, 1]"));
  }
  if (!(options.bloom_filter_fpp > 0 && options.bloom_filter_fpp < 1)) {
    return error(Status::invalid_argument("BloomFilterFalsePositiveProbability must be within (0, 1)"));
  }
  if (!(options.dictionary_key_threshold >= 0 && options.dictionary_key_threshold <= 1)) {
    return error(Status::invalid_argument("DictionaryKeyThreshold must be within [0, 1]"));
  }
  for (const auto& name : options.bloom_filter_columns) {
    bool found = false;
    for (const auto& c : schema->root().children) found = found || same_column_name(name, c.name);
    if (!found) return error(Status::invalid_argument("BloomFilterColumns: no column '" + name + "'"));
  }
  // A filter's bits must fit ORC's 32-bit arithmetic (about 2^31).
  if (!options.bloom_filter_columns.empty() && options.row_index_stride > 0 &&
      BloomFilter::bits_for(options.row_index_stride, options.bloom_filter_fpp) < 0) {
    return error(Status::invalid_argument(
        "BloomFilterColumns: RowIndexStride and BloomFilterFalsePositiveProbability ask for a bloom filter of 2^31 "
        "bits or more"));
  }
  std::unique_ptr<FileWriter> w(new FileWriter(std::move(schema), std::move(options), sink));
  if (Status s = w->write("ORC"); !s) return error(s);
  return w;
}

FileWriter::FileWriter(std::shared_ptr<const parquet::Schema> schema, WriterOptions options, parquet::ByteSink* sink)
    : schema_(std::move(schema)), options_(std::move(options)), sink_(sink) {
  root_type_.kind = parquet::HiveKind::kStruct;
  const auto& types = schema_->column_types();
  for (size_t i = 0; i < types.size(); ++i) root_type_.fields.push_back({schema_->root().children[i].name, types[i]});
  root_ = std::make_unique<ColumnWriter>(&root_type_, &column_count_, &options_, /*is_root=*/true);
}

Status FileWriter::write(std::string_view bytes) {
  if (Status s = sink_->write(bytes); !s) return fail(s);
  offset_ += static_cast<int64_t>(bytes.size());
  return Status::ok();
}

Status FileWriter::fail(Status s) {
  failed_ = true;
  return s;
}

Status FileWriter::append(const parquet::Value& row) {
  if (failed_) return Status::aborted("the writer failed earlier");
  if (finished_) return Status::aborted("the file is finished");
  if (Status s = parquet::check_row(*schema_, row); !s) return s;
  root_->add(row);
  ++stripe_rows_;
  ++total_rows_;
  if (options_.row_index_stride > 0 && ++group_rows_ == options_.row_index_stride) {
    root_->mark_row_group();
    group_rows_ = 0;
  }
  if (root_->buffered_bytes() >= options_.stripe_size_bytes) return flush_stripe();
  return Status::ok();
}

Status FileWriter::flush_stripe() {
  if (failed_) return Status::aborted("the writer failed earlier");
  if (stripe_rows_ == 0) return Status::ok();
  // Without a row index the stripe is one group; otherwise close the last,
  // partial one.
  if (group_rows_ > 0 || options_.row_index_stride == 0) root_->mark_row_group();
  group_rows_ = 0;
  StripeParts parts;
  parts.row_indexes.resize(column_count_);
  parts.bloom_filters.resize(column_count_);
  parts.encodings.resize(column_count_);
  parts.stats.resize(column_count_);
  if (Status s = root_->write_stripe(&parts); !s) return fail(s);

  proto::StripeInformation info;
  info.set_offset(static_cast<uint64_t>(offset_));
  proto::StripeFooter footer;
  uint64_t index_length = 0;
  // Per column its ROW_INDEX, then its BLOOM_FILTER_UTF8 if it has one
  // (the order of ORC's Java and C++ writers).
  auto write_index = [&](proto::Stream::Kind kind, uint32_t column, const std::string& bytes) {
    auto* st = footer.add_streams();
    st->set_kind(kind);
    st->set_column(column);
    st->set_length(bytes.size());
    index_length += bytes.size();
    return write(bytes);
  };
  if (options_.row_index_stride > 0) {
    for (uint32_t c = 0; c < column_count_; ++c) {
      if (Status s = write_index(proto::Stream::ROW_INDEX, c, parts.row_indexes[c]); !s) return s;
      if (parts.bloom_filters[c].empty()) continue;
      if (Status s = write_index(proto::Stream::BLOOM_FILTER_UTF8, c, parts.bloom_filters[c]); !s) return s;
    }
  }
  uint64_t data_length = 0;
  for (const auto& d : parts.streams) {
    auto* st = footer.add_streams();
    st->set_kind(d.kind);
    st->set_column(d.column);
    st->set_length(d.bytes.size());
    if (Status s = write(d.bytes); !s) return s;
    data_length += d.bytes.size();
  }
  for (auto& e : parts.encodings) *footer.add_columns() = e;
  footer.set_writertimezone("UTC");
  CompressedStream packed;
  if (Status s =
          compress_stream(options_.compression, options_.compression_block_size, footer.SerializeAsString(), &packed);
      !s) {
    return fail(s);
  }
  if (Status s = write(packed.bytes); !s) return s;
  info.set_indexlength(index_length);
  info.set_datalength(data_length);
  info.set_footerlength(packed.bytes.size());
  info.set_numberofrows(static_cast<uint64_t>(stripe_rows_));
  stripes_.push_back(info);
  auto* ss = metadata_.add_stripestats();
  for (auto& st : parts.stats) *ss->add_colstats() = st;
  stripe_rows_ = 0;
  return Status::ok();
}

Status FileWriter::finish() {
  if (failed_) return Status::aborted("the writer failed earlier");
  if (finished_) return Status::aborted("the file is finished");
  if (Status s = flush_stripe(); !s) return s;
  const uint64_t content_length = static_cast<uint64_t>(offset_);

  CompressedStream metadata;
  if (Status s = compress_stream(options_.compression, options_.compression_block_size, metadata_.SerializeAsString(),
                                 &metadata);
      !s) {
    return fail(s);
  }
  if (Status s = write(metadata.bytes); !s) return s;

  proto::Footer footer;
  footer.set_headerlength(3);
  footer.set_contentlength(content_length);
  for (const auto& st : stripes_) *footer.add_stripes() = st;
  root_->add_types(&footer);
  footer.set_numberofrows(static_cast<uint64_t>(total_rows_));
  std::vector<proto::ColumnStatistics> stats;
  root_->add_file_stats(&stats);
  for (auto& st : stats) *footer.add_statistics() = st;
  footer.set_rowindexstride(static_cast<uint32_t>(options_.row_index_stride));
  CompressedStream packed;
  if (Status s =
          compress_stream(options_.compression, options_.compression_block_size, footer.SerializeAsString(), &packed);
      !s) {
    return fail(s);
  }
  if (Status s = write(packed.bytes); !s) return s;

  proto::PostScript ps;
  ps.set_footerlength(packed.bytes.size());
  ps.set_compression(static_cast<proto::CompressionKind>(options_.compression));
  ps.set_compressionblocksize(static_cast<uint64_t>(options_.compression_block_size));
  ps.add_version(0);
  ps.add_version(options_.format_version == FormatVersion::kV0_12 ? 12 : 11);
  ps.set_metadatalength(metadata.bytes.size());
  ps.set_writerversion(kWriterVersion);
  ps.set_magic("ORC");
  std::string tail = ps.SerializeAsString();
  tail.push_back(static_cast<char>(tail.size()));
  if (Status s = write(tail); !s) return s;
  finished_ = true;
  return Status::ok();
}

}  // namespace runnel::orc
