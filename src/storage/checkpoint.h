#pragma once
// The shard-tail checkpoint: a small file, replaced atomically (temp file +
// fsync + rename + directory fsync), that remembers per shard the last counter
// handed out, the first counter still retained, and whether the shard was
// dropped. Retention writes it before deleting segments, so that counters
// never go backwards after the segments holding a shard are gone, and so that
// recovery does not resurrect trimmed or dropped records still present in
// surviving segments. Format in docs/storage.md. Called only from the log's
// writer thread (and from open_log before it starts).

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "common/status.h"
#include "storage/env.h"

namespace runnel::storage {

struct CheckpointShard {
  uint64_t shard = 0;
  uint64_t last_counter = 0;    // highest counter ever durable (or assigned) for the shard
  int64_t last_arrival_ms = 0;  // its arrival time
  uint64_t start_counter = 0;   // records below this counter were deleted by retention
  bool dropped = false;         // drop_shard() was called: ignore its records
};

struct Checkpoint {
  uint64_t next_segment_id = 1;  // segment ids are never reused
  std::vector<CheckpointShard> shards;
};

inline constexpr const char* kCheckpointName = "shard_tails.ckpt";

// Writes `cp` to <dir>/shard_tails.ckpt atomically and durably.
Status write_checkpoint(Env* env, const std::string& dir, const Checkpoint& cp);

// Reads <dir>/shard_tails.ckpt: nullopt when there is none, corruption when
// it exists but fails its checksum.
Result<std::optional<Checkpoint>> read_checkpoint(Env* env, const std::string& dir);

// The byte encoding, exposed for tests.
std::string encode_checkpoint(const Checkpoint& cp);
Result<Checkpoint> decode_checkpoint(std::string_view bytes);

}  // namespace runnel::storage
