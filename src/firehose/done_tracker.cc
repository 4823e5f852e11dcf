#include "firehose/done_tracker.h"

namespace runnel::firehose {

uint64_t DoneTracker::add(Position position, int pieces) {
  const uint64_t ticket = first_ticket_ + entries_.size();
  entries_.push_back({std::move(position), pieces});
  advance();
  return ticket;
}

void DoneTracker::done(uint64_t ticket) {
  if (ticket < first_ticket_ || ticket - first_ticket_ >= entries_.size()) return;  // already past it
  Entry& e = entries_[ticket - first_ticket_];
  if (e.left > 0) --e.left;
  advance();
}

void DoneTracker::advance() {
  while (!entries_.empty() && entries_.front().left == 0) {
    through_ = std::move(entries_.front().position);
    entries_.pop_front();
    ++first_ticket_;
  }
}

}  // namespace runnel::firehose
