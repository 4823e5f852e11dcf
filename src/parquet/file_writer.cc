#include "parquet/file_writer.h"

#include "parquet/shredder.h"
#include "parquet/thrift_compact.h"

namespace runnel::parquet {
namespace {

constexpr std::string_view kMagic = "PAR1";

// Routes the shredder's triples to the column writers; remembers the first
// error (a column writer fails only when compression does).
class ColumnRouter : public LevelSink {
 public:
  explicit ColumnRouter(std::vector<ColumnWriter>& columns) : columns_(columns) {}
  void emit(int leaf, uint16_t rep, uint16_t def, const Value* value) override {
    Status s = columns_[leaf].add(rep, def, value);
    if (!s && status_) status_ = std::move(s);
  }
  Status status() { return std::move(status_); }

 private:
  std::vector<ColumnWriter>& columns_;
  Status status_;
};

// SchemaElement (parquet.thrift), depth-first.
void write_schema(CompactWriter& w, const SchemaNode& n, bool root) {
  w.begin_element_struct();
  if (n.is_leaf) {
    w.field_i32(1, static_cast<int32_t>(n.physical));
    if (n.physical == PhysicalType::kFixedLenByteArray) w.field_i32(2, n.type_length);
  }
  if (!root) w.field_i32(3, static_cast<int32_t>(n.repetition));
  w.field_binary(4, n.name);
  if (!n.is_leaf) w.field_i32(5, static_cast<int32_t>(n.children.size()));
  if (n.converted != ConvertedType::kNone) w.field_i32(6, static_cast<int32_t>(n.converted));
  if (n.logical == LogicalKind::kDecimal) {
    w.field_i32(7, n.scale);
    w.field_i32(8, n.precision);
  }
  if (n.logical != LogicalKind::kNone) {
    w.begin_struct(10);  // LogicalType, a union: one member
    w.begin_struct(static_cast<int16_t>(n.logical));
    if (n.logical == LogicalKind::kDecimal) {
      w.field_i32(1, n.scale);
      w.field_i32(2, n.precision);
    } else if (n.logical == LogicalKind::kInteger) {
      w.field_i8(1, n.int_bits);
      w.field_bool(2, true);  // signed
    }
    w.end_struct();
    w.end_struct();
  }
  w.end_struct();
  for (const auto& c : n.children) write_schema(w, c, false);
}

void write_statistics(CompactWriter& w, const ChunkMeta& m) {
  w.begin_struct(12);
  w.field_i64(3, m.null_count);
  if (m.has_min_max) {
    w.field_binary(5, m.max_value);
    w.field_binary(6, m.min_value);
  }
  w.end_struct();
}

}  // namespace

Result<std::unique_ptr<FileWriter>> FileWriter::open(std::shared_ptr<const Schema> schema, WriterOptions options,
                                                     ByteSink* sink) {
  if (options.block_size_bytes <= 0) return error(Status::invalid_argument("block size must be positive"));
  if (options.page_size_bytes <= 0) return error(Status::invalid_argument("page size must be positive"));
  std::unique_ptr<FileWriter> w(new FileWriter(std::move(schema), std::move(options), sink));
  if (Status s = w->write(kMagic); !s) return error(s);
  return w;
}

FileWriter::FileWriter(std::shared_ptr<const Schema> schema, WriterOptions options, ByteSink* sink)
    : schema_(std::move(schema)), options_(std::move(options)), sink_(sink) {
  columns_.reserve(schema_->leaves().size());
  for (const auto& leaf : schema_->leaves()) columns_.emplace_back(leaf, options_);
}

Status FileWriter::write(std::string_view bytes) {
  Status s = sink_->write(bytes);
  if (!s) {
    failed_ = true;
    return s;
  }
  offset_ += static_cast<int64_t>(bytes.size());
  return Status::ok();
}

int64_t FileWriter::buffered_bytes() const {
  int64_t n = 0;
  for (const auto& c : columns_) n += c.buffered_bytes();
  return n;
}

Status FileWriter::append(const Value& row) {
  if (failed_ || finished_) return Status::aborted("the Parquet writer is finished or failed");
  if (Status s = check_row(*schema_, row); !s) return s;
  ColumnRouter router(columns_);
  shred_row(*schema_, row, router);
  if (Status s = router.status(); !s) {
    failed_ = true;
    return s;
  }
  ++group_rows_;
  ++total_rows_;
  if (buffered_bytes() >= options_.block_size_bytes) return flush_row_group();
  return Status::ok();
}

Status FileWriter::flush_row_group() {
  if (failed_ || finished_) return Status::aborted("the Parquet writer is finished or failed");
  if (group_rows_ == 0) return Status::ok();
  RowGroupMeta g;
  g.num_rows = group_rows_;
  g.file_offset = offset_;
  std::string chunk;
  for (auto& c : columns_) {
    chunk.clear();
    auto meta = c.finish_chunk(&chunk);
    if (!meta) {
      failed_ = true;
      return meta.error();
    }
    g.chunk_offsets.push_back(offset_);
    g.total_byte_size += meta->total_uncompressed_size;
    g.total_compressed_size += meta->total_compressed_size;
    g.chunks.push_back(std::move(*meta));
    if (Status s = write(chunk); !s) return s;
  }
  row_groups_.push_back(std::move(g));
  group_rows_ = 0;
  return Status::ok();
}

Status FileWriter::finish() {
  if (Status s = flush_row_group(); !s) return s;
  std::string f = footer();
  auto len = static_cast<uint32_t>(f.size());
  char le[4] = {static_cast<char>(len), static_cast<char>(len >> 8), static_cast<char>(len >> 16),
                static_cast<char>(len >> 24)};
  f.append(le, 4);
  f.append(kMagic);
  finished_ = true;
  return write(f);
}

// FileMetaData (parquet.thrift); docs/parquet.md lists each field.
std::string FileWriter::footer() const {
  std::string out;
  CompactWriter w(&out);
  w.field_i32(1, options_.writer_version == WriterVersion::kV2 ? 2 : 1);  // version
  w.begin_list(2, ThriftType::kStruct, schema_->node_count());
  write_schema(w, schema_->root(), true);
  w.field_i64(3, total_rows_);
  w.begin_list(4, ThriftType::kStruct, row_groups_.size());
  const auto& leaves = schema_->leaves();
  for (size_t gi = 0; gi < row_groups_.size(); ++gi) {
    const RowGroupMeta& g = row_groups_[gi];
    w.begin_element_struct();
    w.begin_list(1, ThriftType::kStruct, g.chunks.size());
    for (size_t ci = 0; ci < g.chunks.size(); ++ci) {
      const ChunkMeta& m = g.chunks[ci];
      int64_t at = g.chunk_offsets[ci];
      w.begin_element_struct();  // ColumnChunk
      w.field_i64(2, at);        // file_offset: the chunk's first byte
      w.begin_struct(3);         // ColumnMetaData
      w.field_i32(1, static_cast<int32_t>(m.type));
      w.begin_list(2, ThriftType::kI32, m.encodings.size());
      for (Encoding e : m.encodings) w.element_i32(static_cast<int32_t>(e));
      w.begin_list(3, ThriftType::kBinary, leaves[ci].path.size());
      for (const auto& p : leaves[ci].path) w.element_binary(p);
      w.field_i32(4, static_cast<int32_t>(options_.compression));
      w.field_i64(5, m.num_values);
      w.field_i64(6, m.total_uncompressed_size);
      w.field_i64(7, m.total_compressed_size);
      w.field_i64(9, at + m.data_page_offset);
      if (m.has_dictionary) w.field_i64(11, at);
      write_statistics(w, m);
      // encoding_stats: which pages use which encoding.
      const PageType data_type =
          options_.writer_version == WriterVersion::kV2 ? PageType::kDataPageV2 : PageType::kDataPage;
      size_t n = (m.has_dictionary ? 1 : 0) + (m.dict_data_pages ? 1 : 0) + (m.plain_data_pages ? 1 : 0);
      w.begin_list(13, ThriftType::kStruct, n);
      auto stat = [&](PageType t, Encoding e, int32_t count) {
        w.begin_element_struct();
        w.field_i32(1, static_cast<int32_t>(t));
        w.field_i32(2, static_cast<int32_t>(e));
        w.field_i32(3, count);
        w.end_struct();
      };
      if (m.has_dictionary) stat(PageType::kDictionaryPage, Encoding::kPlain, 1);
      if (m.dict_data_pages) stat(data_type, Encoding::kRleDictionary, m.dict_data_pages);
      if (m.plain_data_pages) stat(data_type, Encoding::kPlain, m.plain_data_pages);
      w.end_struct();  // ColumnMetaData
      w.end_struct();  // ColumnChunk
    }
    w.field_i64(2, g.total_byte_size);
    w.field_i64(3, g.num_rows);
    w.field_i64(5, g.file_offset);
    w.field_i64(6, g.total_compressed_size);
    w.field_i16(7, static_cast<int16_t>(gi));
    w.end_struct();
  }
  w.field_binary(6, options_.created_by);
  // column_orders: TypeDefinedOrder for every leaf, so readers trust
  // min_value/max_value.
  w.begin_list(7, ThriftType::kStruct, leaves.size());
  for (size_t i = 0; i < leaves.size(); ++i) {
    w.begin_element_struct();
    w.begin_struct(1);
    w.end_struct();
    w.end_struct();
  }
  w.end_struct();  // FileMetaData
  return out;
}

}  // namespace runnel::parquet
