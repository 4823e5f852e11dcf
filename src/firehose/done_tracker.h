#pragma once
// DoneTracker: how far a source has been delivered when its records are
// delivered out of order. Records of one source (the log of a DirectPut
// stream, or one shard of a Kinesis source) are read in order, but with
// dynamic partitioning each goes to the buffer of its partition, and
// partitions deliver independently; a record may also become several pieces
// (de-aggregation). The checkpoint may only move past a record once every
// piece of it and of every record before it is done: this keeps the
// records read, in order, with their pieces still outstanding, and reports
// the last record of the prefix that is all done.
//
// Threads: one thread at a time (the engine's delivery thread).
#include <cstdint>
#include <deque>
#include <optional>
#include <string>

namespace runnel::firehose {

class DoneTracker {
 public:
  struct Position {
    std::string id;          // the record's place in its source: log counter, or sequence number
    int64_t arrival_ms = 0;  // its arrival time
  };

  // A record read next, with `pieces` pieces to be delivered (0: nothing to
  // deliver, it is done at once). Returns its ticket for done().
  uint64_t add(Position position, int pieces);

  // One piece of the record with `ticket` is done (delivered, written to
  // the error output, or given up on).
  void done(uint64_t ticket);

  // The last record of the all-done prefix; nullopt until one is.
  const std::optional<Position>& through() const { return through_; }

  // Records read and not yet all done.
  size_t outstanding() const { return entries_.size(); }

 private:
  void advance();

  struct Entry {
    Position position;
    int left = 0;
  };
  std::deque<Entry> entries_;
  uint64_t first_ticket_ = 0;  // the ticket of entries_.front()
  std::optional<Position> through_;
};

}  // namespace runnel::firehose
