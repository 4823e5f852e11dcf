#pragma once
// The CompressionFormat of an S3 destination, applied to a whole object's
// bytes before it is written. Every format is a well-kept library's:
//  - GZIP: ISA-L igzip level 1, one gzip member (RFC 1952) per object;
//  - ZIP: libzip, an archive with one stored-deflated entry;
//  - Snappy: libsnappy blocks in Snappy's framing format (the stream format
//    of google/snappy's framing_format.txt: a stream identifier, then
//    chunks of at most 64 KiB of input, each with the masked CRC-32C of its
//    uncompressed bytes), what `snzip -t framing` and python-snappy read;
//  - HADOOP_SNAPPY: libsnappy blocks in Hadoop's BlockCompressorStream
//    framing (per 256 KiB of input: its length, then the compressed block's
//    length and bytes, all big-endian u32), what Hadoop's SnappyCodec reads.
// libsnappy has the block codec only; the two framings are a few lines each
// and written here (compression.cc), byte by byte as the formats define.
//
// Threads: pure functions, callable from any thread.
#include <optional>
#include <span>
#include <string>
#include <string_view>

#include "common/status.h"

namespace runnel::firehose {

enum class Compression { kUncompressed, kGzip, kZip, kSnappy, kHadoopSnappy };

// The API's name (UNCOMPRESSED, GZIP, ZIP, Snappy, HADOOP_SNAPPY); nullopt
// for anything else.
std::optional<Compression> parse_compression(std::string_view name);

// The file extension AWS gives objects of this format when FileExtension is
// not set: "", ".gz", ".zip", ".snappy", ".snappy".
std::string_view default_extension(Compression c);

// `data` compressed as `c`. `entry_name` names the single entry of a ZIP
// archive (the object's name without its directories and extension).
// Fails only when a library does (out of memory).
Result<std::string> compress(Compression c, std::string_view data, std::string_view entry_name = "data");
// The same for the concatenation of `pieces` (a batch's records), which
// GZIP compresses as they are, without joining them first.
Result<std::string> compress(Compression c, std::span<const std::string_view> pieces,
                             std::string_view entry_name = "data");
// The same into `out`, whose contents are replaced and whose capacity is
// reused (UNCOMPRESSED and GZIP write into it directly): the delivery
// engine passes buffers it keeps (body_pool.h).
Status compress_into(Compression c, std::span<const std::string_view> pieces, std::string_view entry_name,
                     std::string& out);

// The inverse, for tests and for the Decompression processor (GZIP). ZIP
// returns the first entry's bytes. Fails on malformed input.
Result<std::string> decompress(Compression c, std::string_view data);

}  // namespace runnel::firehose
