#include "storage/checkpoint.h"

#include <cstring>

#include "storage/crc32c.h"
#include "storage/fixed_le.h"

namespace runnel::storage {
namespace {

constexpr uint32_t kMagic = 0x434C4E52;  // bytes "RNLC"
constexpr uint32_t kVersion = 1;
constexpr size_t kHeaderSize = 32;
constexpr size_t kEntrySize = 40;
constexpr uint32_t kFlagDropped = 1;

}  // namespace

std::string encode_checkpoint(const Checkpoint& cp) {
  std::string out;
  out.reserve(kHeaderSize + cp.shards.size() * kEntrySize);
  append_fixed<uint32_t>(&out, kMagic);
  append_fixed<uint32_t>(&out, kVersion);
  append_fixed<uint32_t>(&out, 0);  // crc, filled below
  append_fixed<uint32_t>(&out, 0);
  append_fixed<uint64_t>(&out, cp.next_segment_id);
  append_fixed<uint64_t>(&out, cp.shards.size());
  for (const auto& s : cp.shards) {
    append_fixed<uint64_t>(&out, s.shard);
    append_fixed<uint64_t>(&out, s.last_counter);
    append_fixed<int64_t>(&out, s.last_arrival_ms);
    append_fixed<uint64_t>(&out, s.start_counter);
    append_fixed<uint32_t>(&out, s.dropped ? kFlagDropped : 0);
    append_fixed<uint32_t>(&out, 0);
  }
  const uint32_t crc = crc32c::value(out.data() + 12, out.size() - 12);
  std::memcpy(out.data() + 8, &crc, 4);
  return out;
}

Result<Checkpoint> decode_checkpoint(std::string_view b) {
  if (b.size() < kHeaderSize || get_fixed<uint32_t>(b.data()) != kMagic)
    return error(Status::corruption("checkpoint: bad magic"));
  if (get_fixed<uint32_t>(b.data() + 4) != kVersion) return error(Status::corruption("checkpoint: unknown version"));
  if (crc32c::value(b.data() + 12, b.size() - 12) != get_fixed<uint32_t>(b.data() + 8)) {
    return error(Status::corruption("checkpoint: checksum mismatch"));
  }
  Checkpoint cp;
  cp.next_segment_id = get_fixed<uint64_t>(b.data() + 16);
  const uint64_t n = get_fixed<uint64_t>(b.data() + 24);
  if (n > (b.size() - kHeaderSize) / kEntrySize || b.size() != kHeaderSize + n * kEntrySize) {
    return error(Status::corruption("checkpoint: bad length"));
  }
  cp.shards.reserve(n);
  for (uint64_t i = 0; i < n; ++i) {
    const char* p = b.data() + kHeaderSize + i * kEntrySize;
    CheckpointShard s;
    s.shard = get_fixed<uint64_t>(p);
    s.last_counter = get_fixed<uint64_t>(p + 8);
    s.last_arrival_ms = get_fixed<int64_t>(p + 16);
    s.start_counter = get_fixed<uint64_t>(p + 24);
    s.dropped = (get_fixed<uint32_t>(p + 32) & kFlagDropped) != 0;
    cp.shards.push_back(s);
  }
  return cp;
}

Status write_checkpoint(Env* env, const std::string& dir, const Checkpoint& cp) {
  const std::string path = dir + "/" + kCheckpointName;
  const std::string tmp = path + ".tmp";
  if (env->file_exists(tmp)) {
    if (auto s = env->remove_file(tmp); !s) return s;
  }
  {
    auto file = env->open_file(tmp, Env::OpenMode::kCreate);
    if (!file) return file.error();
    if (auto s = (*file)->append(encode_checkpoint(cp)); !s) return s;
    if (auto s = (*file)->sync(); !s) return s;
  }
  if (auto s = env->rename_file(tmp, path); !s) return s;
  return env->sync_dir(dir);
}

Result<std::optional<Checkpoint>> read_checkpoint(Env* env, const std::string& dir) {
  const std::string path = dir + "/" + kCheckpointName;
  if (!env->file_exists(path)) return std::optional<Checkpoint>();
  auto bytes = read_whole_file(env, path);
  if (!bytes) return error(bytes.error());
  auto cp = decode_checkpoint(*bytes);
  if (!cp) return error(cp.error());
  return std::optional<Checkpoint>(std::move(*cp));
}

}  // namespace runnel::storage
