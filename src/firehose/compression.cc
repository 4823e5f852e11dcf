#include "firehose/compression.h"

#include <isa-l/igzip_lib.h>
#include <snappy.h>
#include <zip.h>
#include <zlib.h>

#include <algorithm>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <span>
#include <vector>

#include "storage/crc32c.h"

namespace runnel::firehose {
namespace {

// GZIP objects come from ISA-L's igzip at level 1 rather than zlib: the same
// deflate format (RFC 1951) in one gzip member (RFC 1952), readable by every
// gzip reader, at several times zlib level 1's rate on log-like records
// (docs/performance.md, "Firehose delivery"). Compression sits on the
// delivery path, where its speed decides how far one core goes.
// Into `out` (its contents replaced; its capacity reused).
Status gzip_into(std::span<const std::string_view> pieces, std::string& out) {
  // Zeroed first: isal_deflate_init() leaves parts of the state as they
  // were, and igzip then read past its window on garbage (a crash seen
  // in runnel_firehose_tests when the stack held other data).
  isal_zstream z{};
  isal_deflate_init(&z);
  // igzip's level-1 tables, 64-byte aligned for its vector code.
  constexpr size_t kLevelBuf = (ISAL_DEF_LVL1_DEFAULT + 63) / 64 * 64;
  std::unique_ptr<uint8_t, decltype(&std::free)> level_buf(static_cast<uint8_t*>(std::aligned_alloc(64, kLevelBuf)),
                                                           &std::free);
  if (!level_buf) return Status::resource_exhausted("igzip: no memory for its tables");
  z.level = 1;
  z.level_buf = level_buf.get();
  z.level_buf_size = static_cast<uint32_t>(kLevelBuf);
  z.gzip_flag = IGZIP_GZIP;
  z.flush = NO_FLUSH;
  z.end_of_stream = 0;
  size_t total = 0;
  for (std::string_view p : pieces) total += p.size();
  // Room for a 2:1 ratio at first (log-like records do better); it grows
  // if the data compresses worse.
  out.resize(total / 2 + 65536);
  size_t produced = 0;
  // The pieces go in one after another (slices of at most 1 GiB: avail_in
  // is 32 bits), the last marked as the end of the stream.
  constexpr size_t kSlice = size_t{1} << 30;
  size_t piece = 0, offset = 0;
  for (;;) {
    if (z.avail_in == 0 && !z.end_of_stream) {
      while (piece < pieces.size() && offset == pieces[piece].size()) {
        ++piece;
        offset = 0;
      }
      if (piece == pieces.size()) {
        z.next_in = nullptr;
        z.end_of_stream = 1;
      } else {
        const size_t n = std::min(kSlice, pieces[piece].size() - offset);
        z.next_in = reinterpret_cast<uint8_t*>(const_cast<char*>(pieces[piece].data() + offset));
        z.avail_in = static_cast<uint32_t>(n);
        offset += n;
      }
    }
    if (produced == out.size()) out.resize(out.size() * 2);
    const size_t room = std::min(out.size() - produced, size_t{UINT32_MAX});
    z.next_out = reinterpret_cast<uint8_t*>(out.data() + produced);
    z.avail_out = static_cast<uint32_t>(room);
    if (isal_deflate(&z) != COMP_OK) return Status::resource_exhausted("igzip: isal_deflate failed");
    produced += room - z.avail_out;
    if (z.internal_state.state == ZSTATE_END) break;
  }
  out.resize(produced);
  return Status::ok();
}

Result<std::string> gzip(std::span<const std::string_view> pieces) {
  std::string out;
  if (Status st = gzip_into(pieces, out); !st) return std::unexpected(st);
  return out;
}

Result<std::string> gunzip(std::string_view data) {
  z_stream z{};
  if (inflateInit2(&z, 15 + 32) != Z_OK) return std::unexpected(Status::resource_exhausted("zlib: inflateInit2"));
  std::string out;
  z.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(data.data()));
  z.avail_in = static_cast<uInt>(data.size());
  char buf[64 * 1024];
  int rc = Z_OK;
  // Concatenated members are one stream to gzip(1): go on after each end.
  while (true) {
    z.next_out = reinterpret_cast<Bytef*>(buf);
    z.avail_out = sizeof(buf);
    rc = inflate(&z, Z_NO_FLUSH);
    out.append(buf, sizeof(buf) - z.avail_out);
    if (rc == Z_STREAM_END) {
      if (z.avail_in == 0) break;
      inflateReset(&z);
      continue;
    }
    if (rc != Z_OK) break;
    if (z.avail_in == 0 && z.avail_out != 0) break;
  }
  inflateEnd(&z);
  if (rc != Z_STREAM_END) return std::unexpected(Status::invalid_argument("not a complete gzip stream"));
  return out;
}

struct ZipSourceFree {
  void operator()(zip_source_t* s) const { zip_source_free(s); }
};

Result<std::string> zip_one(std::string_view data, std::string_view entry_name) {
  // libzip writes archives to a source; a buffer source kept alive past
  // zip_close() holds the finished archive in memory.
  zip_error_t error;
  zip_error_init(&error);
  std::unique_ptr<zip_source_t, ZipSourceFree> archive(zip_source_buffer_create(nullptr, 0, 0, &error));
  if (!archive) return std::unexpected(Status::resource_exhausted("libzip: no buffer"));
  zip_t* z = zip_open_from_source(archive.get(), ZIP_TRUNCATE, &error);
  if (!z) return std::unexpected(Status::resource_exhausted(std::string("libzip: ") + zip_error_strerror(&error)));
  zip_source_keep(archive.get());
  zip_source_t* entry = zip_source_buffer(z, data.data(), data.size(), 0);
  const std::string name(entry_name.empty() ? std::string_view("data") : entry_name);
  if (!entry || zip_file_add(z, name.c_str(), entry, ZIP_FL_ENC_UTF_8) < 0) {
    if (entry) zip_source_free(entry);
    std::string why = zip_strerror(z);
    zip_discard(z);
    return std::unexpected(Status::resource_exhausted("libzip: " + why));
  }
  if (zip_close(z) < 0) {
    std::string why = zip_strerror(z);
    zip_discard(z);
    return std::unexpected(Status::resource_exhausted("libzip: " + why));
  }
  if (zip_source_open(archive.get()) < 0) return std::unexpected(Status::resource_exhausted("libzip: reopen"));
  std::string out;
  char buf[64 * 1024];
  zip_int64_t n;
  while ((n = zip_source_read(archive.get(), buf, sizeof(buf))) > 0) out.append(buf, static_cast<size_t>(n));
  zip_source_close(archive.get());
  if (n < 0) return std::unexpected(Status::resource_exhausted("libzip: read back"));
  return out;
}

Result<std::string> unzip_first(std::string_view data) {
  zip_error_t error;
  zip_error_init(&error);
  zip_source_t* src = zip_source_buffer_create(data.data(), data.size(), 0, &error);
  if (!src) return std::unexpected(Status::resource_exhausted("libzip: no buffer"));
  zip_t* z = zip_open_from_source(src, ZIP_RDONLY, &error);
  if (!z) {
    zip_source_free(src);
    return std::unexpected(Status::invalid_argument("not a ZIP archive"));
  }
  std::string out;
  zip_file_t* f = zip_get_num_entries(z, 0) > 0 ? zip_fopen_index(z, 0, 0) : nullptr;
  bool ok = f != nullptr;
  if (f) {
    char buf[64 * 1024];
    zip_int64_t n;
    while ((n = zip_fread(f, buf, sizeof(buf))) > 0) out.append(buf, static_cast<size_t>(n));
    ok = n == 0;
    zip_fclose(f);
  }
  zip_close(z);  // frees src
  if (!ok) return std::unexpected(Status::invalid_argument("ZIP archive has no readable first entry"));
  return out;
}

void put_le24(std::string& out, uint32_t v) {
  out.push_back(static_cast<char>(v & 0xff));
  out.push_back(static_cast<char>((v >> 8) & 0xff));
  out.push_back(static_cast<char>((v >> 16) & 0xff));
}
void put_le32(std::string& out, uint32_t v) {
  for (int i = 0; i < 4; ++i) out.push_back(static_cast<char>((v >> (8 * i)) & 0xff));
}
void put_be32(std::string& out, uint32_t v) {
  for (int i = 3; i >= 0; --i) out.push_back(static_cast<char>((v >> (8 * i)) & 0xff));
}
uint32_t get_le(std::string_view s, size_t at, int bytes) {
  uint32_t v = 0;
  for (int i = 0; i < bytes; ++i) v |= static_cast<uint32_t>(static_cast<uint8_t>(s[at + i])) << (8 * i);
  return v;
}
uint32_t get_be32(std::string_view s, size_t at) {
  uint32_t v = 0;
  for (int i = 0; i < 4; ++i) v = (v << 8) | static_cast<uint8_t>(s[at + i]);
  return v;
}

// Snappy framing format: the checksum of a chunk is CRC-32C "masked" so that
// checksums of data that holds checksums stay well distributed.
uint32_t masked_crc(std::string_view data) {
  const uint32_t crc = storage::crc32c::value(data);
  return ((crc >> 15) | (crc << 17)) + 0xa282ead8u;
}

constexpr std::string_view kSnappyStreamId{"\xff\x06\x00\x00sNaPpY", 10};
constexpr size_t kSnappyChunk = 65536;       // the framing format's maximum input per chunk
constexpr size_t kHadoopBlock = 256 * 1024;  // Hadoop's io.compression.codec.snappy.buffersize default

std::string snappy_framed(std::string_view data) {
  std::string out(kSnappyStreamId);
  std::string block;
  for (size_t at = 0; at < data.size(); at += kSnappyChunk) {
    std::string_view piece = data.substr(at, kSnappyChunk);
    snappy::Compress(piece.data(), piece.size(), &block);
    const bool stored = block.size() >= piece.size();  // incompressible: an uncompressed chunk
    const std::string_view body = stored ? piece : std::string_view(block);
    out.push_back(stored ? '\x01' : '\x00');
    put_le24(out, static_cast<uint32_t>(4 + body.size()));
    put_le32(out, masked_crc(piece));
    out.append(body);
  }
  return out;
}

Result<std::string> snappy_unframed(std::string_view s) {
  if (!s.starts_with(kSnappyStreamId)) return std::unexpected(Status::invalid_argument("no Snappy stream identifier"));
  std::string out;
  size_t at = kSnappyStreamId.size();
  while (at < s.size()) {
    if (s.size() - at < 4) return std::unexpected(Status::invalid_argument("truncated Snappy chunk header"));
    const uint8_t type = static_cast<uint8_t>(s[at]);
    const uint32_t len = get_le(s, at + 1, 3);
    at += 4;
    if (s.size() - at < len) return std::unexpected(Status::invalid_argument("truncated Snappy chunk"));
    std::string_view chunk = s.substr(at, len);
    at += len;
    if (type == 0xff || type >= 0x80) continue;  // skippable (and repeated stream identifiers)
    if (len < 4) return std::unexpected(Status::invalid_argument("Snappy chunk without checksum"));
    const uint32_t want = get_le(chunk, 0, 4);
    std::string plain;
    if (type == 0x00) {
      if (!snappy::Uncompress(chunk.data() + 4, chunk.size() - 4, &plain))
        return std::unexpected(Status::invalid_argument("corrupt Snappy block"));
    } else if (type == 0x01) {
      plain.assign(chunk.substr(4));
    } else {
      return std::unexpected(Status::invalid_argument("reserved unskippable Snappy chunk type"));
    }
    if (masked_crc(plain) != want) return std::unexpected(Status::invalid_argument("Snappy chunk checksum mismatch"));
    out += plain;
  }
  return out;
}

std::string hadoop_snappy(std::string_view data) {
  std::string out;
  std::string block;
  for (size_t at = 0; at < data.size(); at += kHadoopBlock) {
    std::string_view piece = data.substr(at, kHadoopBlock);
    snappy::Compress(piece.data(), piece.size(), &block);
    put_be32(out, static_cast<uint32_t>(piece.size()));
    put_be32(out, static_cast<uint32_t>(block.size()));
    out += block;
  }
  return out;
}

Result<std::string> hadoop_unsnappy(std::string_view s) {
  std::string out;
  size_t at = 0;
  while (at < s.size()) {
    if (s.size() - at < 4) return std::unexpected(Status::invalid_argument("truncated Hadoop-Snappy block header"));
    const uint32_t raw = get_be32(s, at);
    at += 4;
    std::string frame;
    while (frame.size() < raw) {
      if (s.size() - at < 4) return std::unexpected(Status::invalid_argument("truncated Hadoop-Snappy chunk header"));
      const uint32_t len = get_be32(s, at);
      at += 4;
      if (s.size() - at < len) return std::unexpected(Status::invalid_argument("truncated Hadoop-Snappy chunk"));
      std::string plain;
      if (!snappy::Uncompress(s.data() + at, len, &plain))
        return std::unexpected(Status::invalid_argument("corrupt Snappy block"));
      at += len;
      frame += plain;
    }
    if (frame.size() != raw) return std::unexpected(Status::invalid_argument("Hadoop-Snappy block length mismatch"));
    out += frame;
  }
  return out;
}

}  // namespace

std::optional<Compression> parse_compression(std::string_view name) {
  if (name == "UNCOMPRESSED") return Compression::kUncompressed;
  if (name == "GZIP") return Compression::kGzip;
  if (name == "ZIP") return Compression::kZip;
  if (name == "Snappy") return Compression::kSnappy;
  if (name == "HADOOP_SNAPPY") return Compression::kHadoopSnappy;
  return std::nullopt;
}

std::string_view default_extension(Compression c) {
  switch (c) {
    case Compression::kUncompressed: return "";
    case Compression::kGzip: return ".gz";
    case Compression::kZip: return ".zip";
    case Compression::kSnappy:
    case Compression::kHadoopSnappy: return ".snappy";
  }
  return "";
}

Result<std::string> compress(Compression c, std::string_view data, std::string_view entry_name) {
  switch (c) {
    case Compression::kUncompressed: return std::string(data);
    case Compression::kGzip: return gzip(std::span<const std::string_view>(&data, 1));
    case Compression::kZip: return zip_one(data, entry_name);
    case Compression::kSnappy: return snappy_framed(data);
    case Compression::kHadoopSnappy: return hadoop_snappy(data);
  }
  return std::unexpected(Status::invalid_argument("unknown compression"));
}

Result<std::string> decompress(Compression c, std::string_view data) {
  switch (c) {
    case Compression::kUncompressed: return std::string(data);
    case Compression::kGzip: return gunzip(data);
    case Compression::kZip: return unzip_first(data);
    case Compression::kSnappy: return snappy_unframed(data);
    case Compression::kHadoopSnappy: return hadoop_unsnappy(data);
  }
  return std::unexpected(Status::invalid_argument("unknown compression"));
}

Result<std::string> compress(Compression c, std::span<const std::string_view> pieces, std::string_view entry_name) {
  std::string out;
  if (Status st = compress_into(c, pieces, entry_name, out); !st) return std::unexpected(st);
  return out;
}

Status compress_into(Compression c, std::span<const std::string_view> pieces, std::string_view entry_name,
                     std::string& out) {
  if (c == Compression::kGzip) return gzip_into(pieces, out);
  size_t total = 0;
  for (std::string_view p : pieces) total += p.size();
  out.clear();
  out.reserve(total);
  for (std::string_view p : pieces) out += p;
  if (c == Compression::kUncompressed) return Status::ok();
  auto packed = compress(c, out, entry_name);
  if (!packed) return packed.error();
  out = std::move(*packed);
  return Status::ok();
}

}  // namespace runnel::firehose
