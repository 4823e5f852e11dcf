// LocalLog: the read side (read, counter_at_time, tail). Readers copy index
// entries and File handles under a shared lock, then pread and decode with no
// lock held, so reads never wait for an fsync.
#include <spdlog/spdlog.h>

#include "storage/local_log.h"

namespace runnel::storage {
namespace {

// Entries copied per trip under the index lock.
constexpr size_t kEntriesPerRound = 16;

struct EntryRef {
  IndexEntry entry;
  std::shared_ptr<File> file;
};

// Reads the span of index entry `e` and calls visit(const batch::RecordView&)
// -> bool for each record of `shard` with counter >= skip_below the entry
// covers, in counter order, until visit returns false. Every batch passed to
// the visitor has had its CRC verified; batches of other shards, and batches
// of this shard that end below skip_below, are skipped by their header alone.
template <class Visit>
Status scan_entry(ShardKey shard, const IndexEntry& e, const File& file, std::string* buf, uint64_t skip_below,
                  Visit&& visit) {
  // Sized without zero-filling what pread overwrites at once (a resize()
  // cleared the whole span on every read). The size is returned
  // explicitly: libstdc++ 12 passes the operation the capacity.
  buf->resize_and_overwrite(e.length, [&](char*, size_t) { return static_cast<size_t>(e.length); });
  auto n = file.read_at(e.offset, e.length, buf->data());
  if (!n) return n.error();
  if (*n != e.length) return Status::corruption("segment shorter than its index");
  uint64_t expected = e.first_counter;
  size_t pos = 0;
  while (pos < e.length && expected <= e.last_counter()) {
    if (e.length - pos < batch::kHeaderSize) return Status::corruption("truncated batch header");
    const auto h = batch::parse_header(buf->data() + pos);
    if (!h || h->total_size() > e.length - pos) return Status::corruption("bad batch header");
    // A batch of this shard that the index does not expect (e.g. one that
    // recovery rejected as a duplicate) is skipped like another shard's.
    if (h->shard == shard && h->first_counter == expected && expected + h->record_count <= skip_below) {
      expected += h->record_count;
    } else if (h->shard == shard && h->first_counter == expected) {
      if (!batch::crc_matches(*h, buf->data() + pos)) {
        return Status::corruption(
            fmt::format("checksum mismatch in segment {} at offset {}", e.segment, uint64_t{e.offset} + pos));
      }
      bool stopped = false;
      const std::string_view payload(buf->data() + pos + batch::kHeaderSize, h->payload_length);
      auto s = batch::decode(*h, payload, [&](const batch::RecordView& r) {
        if (visit(r)) return true;
        stopped = true;
        return false;
      });
      if (!s) return s;
      if (stopped) return Status::ok();
      expected += h->record_count;
    }
    pos += h->total_size();
  }
  if (expected <= e.last_counter()) return Status::corruption("batches missing from an index span");
  return Status::ok();
}

}  // namespace

void LocalLog::ShardState::narrow(IndexEntry& e, uint64_t from) const {
  const BatchStart* best = nullptr;
  for (const BatchStart& b : recent) {
    if (b.segment != e.segment || b.offset <= e.offset || b.first_counter > from) continue;
    if (b.first_counter <= e.first_counter || b.first_counter > e.last_counter()) continue;
    if (!best || b.first_counter > best->first_counter) best = &b;
  }
  if (!best) return;
  const uint32_t end = e.offset + e.length;
  e.record_count = static_cast<uint32_t>(e.last_counter() - best->first_counter + 1);
  e.first_counter = best->first_counter;
  e.offset = best->offset;
  e.length = end - best->offset;
  // (first_arrival_ms stays: readers do not rely on it after find_arrival.)
}

Result<ReadResult> LocalLog::read(ShardKey shard, uint64_t from_counter, uint32_t max_records, uint64_t max_bytes,
                                  int64_t min_arrival_ms) {
  ReadResult out;
  uint64_t next = std::max<uint64_t>(from_counter, 1);  // first counter not yet examined
  uint64_t tail = 0;
  uint64_t bytes = 0;
  bool full = max_records == 0;
  std::vector<EntryRef> refs;
  std::string buf;
  while (!full) {
    refs.clear();
    {
      ReaderLock lock(index_mu_);
      auto it = shards_.find(shard);
      if (it == shards_.end()) break;
      const ShardState& st = it->second;
      tail = st.tail.last_counter;
      next = std::max(next, st.start_counter);
      const auto& entries = st.index.entries();
      size_t i = std::max(st.index.find_counter(next), st.index.find_arrival(min_arrival_ms));
      uint64_t want = max_records - out.records.size();
      uint64_t span_bytes = 0;
      for (; i < entries.size() && refs.size() < kEntriesPerRound; ++i) {
        auto seg = segments_.find(entries[i].segment);
        if (seg == segments_.end()) continue;
        refs.push_back({entries[i], seg->second.file});
        if (refs.size() == 1) st.narrow(refs.back().entry, next);  // only the first can start before `next`
        span_bytes += entries[i].length;
        if (entries[i].record_count >= want || span_bytes >= max_bytes - std::min(max_bytes, bytes)) break;
        want -= entries[i].record_count;
      }
    }
    if (refs.empty()) break;
    for (const EntryRef& ref : refs) {
      auto s = scan_entry(shard, ref.entry, *ref.file, &buf, next, [&](const batch::RecordView& r) {
        if (r.counter < next) return true;
        if (r.arrival_ms < min_arrival_ms) {
          next = r.counter + 1;
          return true;
        }
        const uint64_t size = r.partition_key.size() + r.data.size();
        if (!out.records.empty() && bytes + size > max_bytes) {
          full = true;
          return false;
        }
        out.records.push_back(StoredRecord{r.counter, r.arrival_ms, std::string(r.partition_key), std::string(r.data)});
        bytes += size;
        next = r.counter + 1;
        full = out.records.size() >= max_records;
        return !full;
      });
      if (!s) {
        spdlog::error("log {}: shard {}: {}", options_.dir, shard, s.to_string());
        if (out.records.empty()) return error(s);
        full = true;
      }
      if (full) break;
      next = std::max(next, ref.entry.last_counter() + 1);
    }
  }
  if (!out.records.empty()) {
    out.next_counter = out.records.back().counter + 1;
  } else {
    out.next_counter = max_records == 0 ? from_counter : std::max({from_counter, next, tail + 1});
  }
  return out;
}

uint64_t LocalLog::counter_at_time(ShardKey shard, int64_t ts_ms) {
  EntryRef ref;
  {
    ReaderLock lock(index_mu_);
    auto it = shards_.find(shard);
    if (it == shards_.end()) return 1;
    const ShardState& st = it->second;
    const size_t k = st.index.find_arrival(ts_ms);
    if (k == st.index.entries().size()) return st.tail.last_counter + 1;
    ref.entry = st.index.entries()[k];
    if (ref.entry.first_arrival_ms >= ts_ms) return ref.entry.first_counter;
    auto seg = segments_.find(ref.entry.segment);
    if (seg == segments_.end()) return ref.entry.first_counter;
    ref.file = seg->second.file;
  }
  // The answer is inside this entry. On a read error fall back to its first
  // counter: earlier than exact, so an iterator never skips a record.
  uint64_t result = ref.entry.first_counter;
  std::string buf;
  auto s = scan_entry(shard, ref.entry, *ref.file, &buf, 0, [&](const batch::RecordView& r) {
    if (r.arrival_ms < ts_ms) return true;
    result = r.counter;
    return false;
  });
  if (!s) spdlog::error("log {}: shard {}: {}", options_.dir, shard, s.to_string());
  return result;
}

ShardTail LocalLog::tail(ShardKey shard) {
  ReaderLock lock(index_mu_);
  auto it = shards_.find(shard);
  return it == shards_.end() ? ShardTail{} : it->second.tail;
}

}  // namespace runnel::storage
