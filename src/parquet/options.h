#pragma once
// The writer's options: Firehose's ParquetSerDe settings, with its defaults.

#include <cstdint>
#include <string>

#include "parquet/format.h"

namespace runnel::parquet {

enum class WriterVersion { kV1, kV2 };

struct WriterOptions {
  // ParquetSerDe.BlockSizeBytes: a row group is written once the buffered
  // column data (compressed pages, the open page, dictionaries) reaches this.
  int64_t block_size_bytes = int64_t{256} << 20;
  // ParquetSerDe.PageSizeBytes: a data page is closed at the first row
  // boundary at or past this (uncompressed, estimated). Dictionaries fall
  // back to PLAIN once their page would pass it.
  int64_t page_size_bytes = int64_t{1} << 20;
  // ParquetSerDe.Compression (Firehose's default is SNAPPY).
  Codec compression = Codec::kSnappy;
  // ParquetSerDe.EnableDictionaryCompression.
  bool enable_dictionary = true;
  // ParquetSerDe.WriterVersion: V1 writes DATA_PAGE, V2 DATA_PAGE_V2.
  WriterVersion writer_version = WriterVersion::kV1;
  // FileMetaData.created_by.
  std::string created_by = "runnel version 0.1.0";
};

}  // namespace runnel::parquet
