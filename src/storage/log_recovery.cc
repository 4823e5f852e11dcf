// LocalLog::recover: rebuilds the in-memory state from the checkpoint and the
// segment files before the writer thread starts (docs/storage.md, "Recovery").
#include <spdlog/spdlog.h>

#include <algorithm>
#include <cstring>

#include "storage/checkpoint.h"
#include "storage/local_log.h"
#include "storage/segment_name.h"

namespace runnel::storage {
namespace {

constexpr size_t kReadChunk = 4u << 20;
// Past a corrupt batch in the last segment, up to this many bytes are
// searched for an intact batch before deciding the damage is a torn tail.
constexpr uint64_t kMaxTailSearch = 256ull << 20;

// A sliding read window over a segment file, for the sequential scan.
class SegmentReader {
 public:
  SegmentReader(const File& file, uint64_t size) : file_(file), size_(size) {}

  // Makes [pos, pos+n) available; returns a pointer to it.
  Result<const char*> get(uint64_t pos, size_t n) {
    if (pos < start_ || pos + n > start_ + buf_.size()) {
      const size_t want = static_cast<size_t>(std::min<uint64_t>(std::max(n, kReadChunk), size_ - pos));
      buf_.resize(want);
      auto got = file_.read_at(pos, want, buf_.data());
      if (!got) return error(got.error());
      buf_.resize(*got);
      start_ = pos;
      if (*got < n) return error(Status::io_error("short read in segment scan"));
    }
    return buf_.data() + (pos - start_);
  }

 private:
  const File& file_;
  uint64_t size_;
  uint64_t start_ = 0;
  std::string buf_;
};

// Why the batch at `pos` is not good, or "" when it is.
std::string check_batch(SegmentReader& reader, uint64_t pos, uint64_t size, batch::Header* out, Status* io) {
  if (size - pos < batch::kHeaderSize) return "truncated batch header";
  auto head = reader.get(pos, batch::kHeaderSize);
  if (!head) {
    *io = head.error();
    return "read error";
  }
  const auto h = batch::parse_header(*head);
  if (!h) return "bad batch header";
  if (h->total_size() > size - pos) return "batch runs past the end of the file";
  auto whole = reader.get(pos, h->total_size());
  if (!whole) {
    *io = whole.error();
    return "read error";
  }
  if (!batch::crc_matches(*h, *whole)) return "checksum mismatch";
  if (auto s = batch::validate(*h, std::string_view(*whole + batch::kHeaderSize, h->payload_length)); !s) {
    return s.message();
  }
  *out = *h;
  return "";
}

// Calls visit(const batch::Header&) for every batch with a valid CRC that
// starts in [from, size), found by searching for the magic bytes. Returns
// false when the region is too large to search or unreadable. The batches
// found are NOT trusted (a record's data could contain bytes that look like a
// batch); callers use them only to decide to keep bytes and to keep counters
// from going backwards.
template <class Visit>
bool search_intact_batches(const File& file, uint64_t from, uint64_t size, Visit&& visit) {
  if (from >= size) return true;
  if (size - from > kMaxTailSearch) return false;
  std::string rest(size - from, '\0');
  auto got = file.read_at(from, rest.size(), rest.data());
  if (!got || *got != rest.size()) return false;
  const char magic[4] = {'R', 'N', 'L', 'B'};
  for (size_t p = 0; p + batch::kHeaderSize <= rest.size(); ++p) {
    if (std::memcmp(rest.data() + p, magic, 4) != 0) continue;
    const auto h = batch::parse_header(rest.data() + p);
    if (h && h->total_size() <= rest.size() - p && batch::crc_matches(*h, rest.data() + p)) visit(*h);
  }
  return true;
}

// True when every byte of [from, size) is zero: the unused part of a
// runway (LocalLog::maybe_extend_runway), where the segment's data ends.
bool zeros_to_end(const File& file, uint64_t from, uint64_t size) {
  std::string chunk;
  for (uint64_t at = from; at < size;) {
    chunk.resize(static_cast<size_t>(std::min<uint64_t>(kReadChunk, size - at)));
    auto got = file.read_at(at, chunk.size(), chunk.data());
    if (!got || *got != chunk.size()) return false;
    if (chunk.find_first_not_of('\0') != std::string::npos) return false;
    at += chunk.size();
  }
  return true;
}

}  // namespace

Status LocalLog::recover() {
  if (auto s = env_->create_dirs(options_.dir); !s) return s;
  auto cp = read_checkpoint(env_, options_.dir);
  if (!cp) return cp.error();
  const std::string tmp = options_.dir + "/" + kCheckpointName + ".tmp";
  if (env_->file_exists(tmp)) (void)env_->remove_file(tmp);

  uint32_t next_id = 1;
  if (*cp) {
    next_id = static_cast<uint32_t>(std::min<uint64_t>((*cp)->next_segment_id, UINT32_MAX));
    next_segment_floor_ = (*cp)->next_segment_id;
    for (const CheckpointShard& s : (*cp)->shards) {
      if (s.dropped) {
        dropped_.insert(s.shard);
        continue;
      }
      ShardState& st = shards_[s.shard];
      st.tail = ShardTail{s.last_counter, s.last_arrival_ms};
      st.start_counter = std::max<uint64_t>(s.start_counter, 1);
    }
  }

  auto names = env_->list_dir(options_.dir);
  if (!names) return names.error();
  std::vector<uint32_t> ids;
  std::vector<uint32_t> summaries;
  for (const auto& name : *names) {
    if (auto id = parse_segment_file_name(name)) ids.push_back(*id);
    if (auto id = parse_summary_file_name(name)) summaries.push_back(*id);
  }
  std::sort(ids.begin(), ids.end());
  // A summary whose segment is gone (retention stopped between the two
  // deletes), or of the last segment, which is appended to from now on, is
  // removed: only a sealed segment's summary is trusted.
  for (uint32_t id : summaries) {
    if (std::binary_search(ids.begin(), ids.end(), id) && id != ids.back()) continue;
    if (auto s = env_->remove_file(summary_path(options_.dir, id)); !s) return s;
  }
  bool last_sealed = false;
  for (size_t i = 0; i < ids.size(); ++i) {
    if (auto s = recover_segment(ids[i], i + 1 == ids.size(), &last_sealed); !s) return s;
  }

  for (const auto& [key, st] : shards_) {
    Clock& c = clocks_[key];
    c.next_counter = st.tail.last_counter + 1;
    c.last_arrival_ms = st.tail.last_arrival_ms;
  }
  for (ShardKey key : dropped_) clocks_[key].dropped = true;

  if (ids.empty() || last_sealed) {
    const uint32_t id = std::max(next_id, ids.empty() ? 1u : ids.back() + 1);
    published_end_ = {id, 0};
    return create_segment(id);
  }
  active_id_ = ids.back();
  active_ = segments_[active_id_].file;
  published_end_ = {active_id_, active_->size()};  // every byte left in it is served
  return Status::ok();
}

Status LocalLog::recover_segment(uint32_t id, bool is_last, bool* sealed) {
  const std::string path = segment_path(options_.dir, id);
  auto opened = env_->open_file(path, is_last ? Env::OpenMode::kAppend : Env::OpenMode::kRead);
  if (!opened) return opened.error();
  std::shared_ptr<File> file(std::move(*opened));
  segments_[id].file = file;
  if (!is_last && recover_from_summary(id, file)) return Status::ok();
  const uint64_t size = file->size();
  SegmentReader reader(*file, size);
  uint64_t pos = 0;
  SummaryBuilder scanned;
  while (pos < size) {
    batch::Header h;
    Status io;
    const std::string bad =
        pos > UINT32_MAX ? std::string("segment larger than 4 GiB") : check_batch(reader, pos, size, &h, &io);
    if (!io.is_ok()) return io;
    if (bad.empty()) {
      index_batch(h, id, static_cast<uint32_t>(pos));
      scanned.add(static_cast<uint32_t>(pos), h);
      pos += h.total_size();
      continue;
    }
    if (zeros_to_end(*file, pos, size)) {
      // The unused runway, or lost writes that landed on it: data ends here.
      if (is_last) {
        if (auto s = file->truncate(pos); !s) return s;
        if (auto s = file->sync(); !s) return s;
      }
      break;
    }
    bool intact_after = false;
    std::vector<batch::Header> found;
    if (!search_intact_batches(*file, pos + 1, size, [&](const batch::Header& f) { found.push_back(f); })) {
      intact_after = true;  // could not look: keep the bytes
    }
    intact_after = intact_after || !found.empty();
    if (is_last && !intact_after) {
      spdlog::warn("log {}: segment {}: {} at offset {}: truncating a torn tail of {} bytes", options_.dir, id, bad,
                   pos, size - pos);
      if (auto s = file->truncate(pos); !s) return s;  // made durable by the sync below
    } else {
      spdlog::error(
          "log {}: segment {}: {} at offset {}; the remaining {} bytes of this segment are not trusted "
          "and will not be served",
          options_.dir, id, bad, pos, size - pos);
      if (is_last) *sealed = true;  // never append after untrusted bytes
      // Records past the damage were possibly acknowledged: keep their
      // counters from being handed out again. Each record takes at least 3
      // payload bytes, which bounds how far a (possibly forged) batch may
      // move a shard's counter.
      const uint64_t plausible = (size - pos) / 3;
      for (const batch::Header& f : found) {
        if (dropped_.contains(f.shard)) continue;
        ShardState& st = shards_[f.shard];
        if (f.last_counter() > st.tail.last_counter && f.last_counter() - st.tail.last_counter <= plausible) {
          st.tail.last_counter = f.last_counter();
        }
      }
    }
    break;
  }
  // What the scan found is served from now on, so it is made durable first.
  // After a process crash (not a power loss) the scan reads bytes that may
  // be only in the page cache, and nothing syncs a sealed segment again; its
  // summary, written below, must describe durable bytes (docs/storage.md
  // §3a). A file with no dirty pages costs one flush of the disk's cache.
  if (auto s = file->sync(); !s) return s;
  // The scan read the whole segment through the page cache. Counting it into
  // the cache window keeps only the newest bytes of the log cached, as they
  // were before the restart, and lets the scan of the next segments reuse
  // pages freed a moment ago (docs/storage.md, "Page cache window").
  cache_window_.synced(file, 0, file->size());
  // Every byte of the segment was a valid batch (a torn tail or runway is
  // gone now): the active segment's summary goes on from these, and a
  // sealed segment without a summary (or with a bad one) gets one.
  if (pos == file->size()) {
    if (is_last) {
      summary_ = std::move(scanned);
    } else {
      write_summary(id, pos, scanned);
    }
  }
  return Status::ok();
}

bool LocalLog::recover_from_summary(uint32_t id, const std::shared_ptr<File>& file) {
  const std::string path = summary_path(options_.dir, id);
  if (!env_->file_exists(path)) return false;
  auto bytes = read_whole_file(env_, path);
  if (!bytes) return false;
  auto entries = decode_segment_summary(*bytes, id, file->size());
  if (!entries) {
    spdlog::warn("log {}: segment {}: {}; reading the segment instead", options_.dir, id, entries.error().to_string());
    return false;
  }
  for (const SummaryEntry& e : *entries) index_batch(e.header, id, e.offset);
  ++stats_.summaries_used;
  return true;
}

void LocalLog::index_batch(const batch::Header& h, uint32_t segment, uint32_t offset) {
  Segment& seg = segments_[segment];
  auto note = [&] {
    SegmentShard& ss = seg.shards[h.shard];
    ss.max_arrival_ms = std::max(ss.max_arrival_ms, h.last_arrival_ms);
    ss.last_counter = std::max(ss.last_counter, h.last_counter());
  };
  if (dropped_.contains(h.shard)) {
    note();  // only so that retention can delete the segment
    return;
  }
  ShardState& st = shards_[h.shard];
  if (h.last_counter() < st.start_counter) return;  // deleted by retention: invisible, blocks nothing
  if (h.first_counter <= st.index.last_counter()) {
    spdlog::warn("log {}: segment {} offset {}: shard {} counters {}..{} repeat earlier ones; ignored", options_.dir,
                 segment, offset, h.shard, h.first_counter, h.last_counter());
    return;
  }
  note();
  st.index.add(h, segment, offset, options_.index_span_bytes);
  st.note_batch(h.first_counter, segment, offset);
  if (h.last_counter() > st.tail.last_counter) st.tail = ShardTail{h.last_counter(), h.last_arrival_ms};
  st.tail.last_arrival_ms = std::max(st.tail.last_arrival_ms, h.last_arrival_ms);
}

}  // namespace runnel::storage
