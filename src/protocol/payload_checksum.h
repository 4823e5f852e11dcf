#pragma once
// The checksums an AWS client may send with a payload (S3's flexible
// checksums: x-amz-checksum-crc32, -crc32c, -crc64nvme, -sha1, -sha256, as a
// header or as a trailer of an aws-chunked body), computed as the payload
// streams past, and compared with the base64 value the client sent.
//
// CRC32 comes from zlib and SHA-1/SHA-256 from OpenSSL; neither has CRC32C
// (Castagnoli) nor CRC64/NVME, so those two are small table-driven loops
// here (one table each, built once).
//
// Thread-safety: a PayloadChecksum belongs to one thread.

#include <memory>
#include <optional>
#include <string>
#include <string_view>

namespace runnel::protocol {

class PayloadChecksum {
 public:
  // For a header/trailer name such as "x-amz-checksum-crc32" (lower case),
  // or nullptr when the name is not a checksum runnel knows.
  static std::unique_ptr<PayloadChecksum> for_header(std::string_view name);

  virtual ~PayloadChecksum() = default;
  virtual void update(std::string_view bytes) = 0;
  // The base64 of the big-endian digest, as AWS writes it.
  virtual std::string base64() = 0;
  // The algorithm's name as AWS writes it ("CRC32", "SHA256", ...).
  virtual std::string_view algorithm() const = 0;
};

}  // namespace runnel::protocol
