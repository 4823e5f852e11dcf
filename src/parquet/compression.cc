#include "parquet/compression.h"

#include <snappy.h>
#include <zlib.h>

namespace runnel::parquet {

Status deflate_append(std::string_view in, int window_bits, std::string* out) {
  z_stream z{};
  if (deflateInit2(&z, 6, Z_DEFLATED, window_bits, 8, Z_DEFAULT_STRATEGY) != Z_OK)
    return Status::resource_exhausted("deflateInit2 failed");
  size_t start = out->size();
  uLong bound = deflateBound(&z, static_cast<uLong>(in.size())) + 32;  // + a gzip framing
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
    case Codec::kGzip: return deflate_append(in, 15 + 16, out);  // a gzip header and trailer
  }
  return Status::invalid_argument("unknown codec");
}

}  // namespace runnel::parquet
