#pragma once
// Retention pushed down to the log (issue 15: storage must not call up into
// streams). The service tells the log each shard's retention whenever it
// changes: a stream created or loaded, new shards from resharding,
// Increase/DecreaseStreamRetentionPeriod; a deleted stream's shards are
// cleared (storage::Log::set_retention). The log computes the cutoff,
// max(now - retention_hours, trim_floor_ms) as StreamState::trim_horizon_ms
// does, at each of its retention passes from its own clock.
//
// Thread-safety: call with the service's mu_ held (the stream is read);
// Log::set_retention takes only a leaf lock of the log.

#include "storage/log.h"
#include "streams/stream.h"

namespace runnel::streams {

// The retention of every shard of `s`.
storage::ShardRetention shard_retention(const StreamState& s);

// Sets the retention of every shard of `s` (closed ones too: they keep their
// records for the stream's retention period).
void push_retention(storage::Log& log, const StreamState& s);

}  // namespace runnel::streams
