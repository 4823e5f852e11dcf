#include "parquet/compression.h"

#include <snappy.h>
#include <zlib.h>

namespace runnel::parquet {
namespace {

Status gzip(std::string_view in, std::string* out) {
  z_stream z{};
  // windowBits 15 + 16: a gzip header and trailer around the deflate stream.
  if (deflateInit2(&z, 6, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY) != Z_OK)
    return Status::resource_exhausted("deflateInit2 failed");
  size_t start = out->size();
  uLong bound = deflateBound(&z, static_cast<uLong>(in.size())) + 32;  // + the gzip framing
  out->resize(start + bound);
  z.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(in.data()));
  z.avail_in = static_cast<uInt>(in.size());
  z.next_out = reinterpret_cast<Bytef*>(out->data() + start);
  z.avail_out = static_cast<uInt>(bound);
  int rc = deflate(&z, Z_FINISH);
  size_t produced = z.total_out;
  deflateEnd(&z);
  if (rc != Z_STREAM_END) {
    out->resize(start);
    return Status::io_error("deflate did not finish (" + std::to_string(rc) + ")");
  }
  out->resize(start + produced);
  return Status::ok();
}

}  // namespace

Status compress(Codec codec, std::string_view in, std::string* out) {
  switch (codec) {
    case Codec::kUncompressed: out->append(in); return Status::ok();
    case Codec::kSnappy: {
      size_t start = out->size();
      out->resize(start + snappy::MaxCompressedLength(in.size()));
      size_t n = 0;
      snappy::RawCompress(in.data(), in.size(), out->data() + start, &n);
      out->resize(start + n);
      return Status::ok();
    }
    case Codec::kGzip: return gzip(in, out);
  }
  return Status::invalid_argument("unknown codec");
}

}  // namespace runnel::parquet
