// libFuzzer target: RecordCipher::decrypt on arbitrary stored records (what a
// damaged or hostile log could hold), plus encrypt/decrypt round trips of
// records drawn from the input.
//
// Input: a 2-byte big-endian length n, then n bytes of stored partition key,
// then the stored data. The master key is fixed (32 bytes of 0x4b, written
// to a temporary key file once), so the seeds in
// fuzz/corpus/record_cipher_fuzz/ are real envelopes that authenticate.

#include <unistd.h>

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>

#include "streams/record_cipher.h"

namespace {

runnel::streams::RecordCipher& cipher() {
  static runnel::streams::RecordCipher* c = [] {
    const auto dir = std::filesystem::temp_directory_path() / ("runnel-cipher-fuzz-" + std::to_string(::getpid()));
    std::filesystem::create_directories(dir);
    const std::string path = (dir / "kms.key").string();
    std::ofstream(path, std::ios::binary | std::ios::trunc) << std::string(32, '\x4b');
    auto* made = new runnel::streams::RecordCipher(path);
    if (!made->ready()) std::abort();
    std::filesystem::remove_all(dir);  // the key stays in memory
    return made;
  }();
  return *c;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, std::size_t size) {
  using runnel::storage::AppendRecord;
  using runnel::storage::StoredRecord;
  using runnel::streams::RecordCipher;
  if (size < 2) return 0;
  const std::size_t key_size = std::min<std::size_t>((std::size_t{data[0]} << 8) | data[1], size - 2);
  const char* bytes = reinterpret_cast<const char*>(data) + 2;
  StoredRecord stored{1, 0, std::string(bytes, key_size), std::string(bytes + key_size, size - 2 - key_size)};

  // Decrypting anything either fails and leaves the record as it was, or
  // yields a plain record (never one that looks encrypted again, since a
  // restored partition key is whatever was encrypted).
  const StoredRecord before = stored;
  const bool claimed = RecordCipher::is_encrypted(stored);
  if (runnel::Status st = cipher().decrypt(stored); !st) {
    if (stored.partition_key != before.partition_key || stored.data != before.data) std::abort();
    (void)RecordCipher::api_error(st);
  } else if (!claimed) {
    std::abort();  // only envelopes decrypt
  }

  // Round trip: the same bytes as a plaintext record under a valid KeyId.
  if (before.partition_key.size() <= 0xFFFF) {
    AppendRecord plain{before.partition_key, before.data};
    if (!cipher().encrypt("alias/aws/kinesis", plain)) std::abort();
    StoredRecord back{2, 0, plain.partition_key, plain.data};
    if (!RecordCipher::is_encrypted(back) || !cipher().decrypt(back)) std::abort();
    if (back.partition_key != before.partition_key || back.data != before.data) std::abort();
  }
  return 0;
}
