#include "metrics/histogram.h"

#include <algorithm>
#include <bit>
#include <cmath>

namespace runnel::metrics {

// Bucket counts add up saturating: blobs read back from the store (or shaped
// by hand) may hold counts near 2^64, and a wrapped sum would become a zero
// count, which neither encodes nor decodes. Both merge paths use this, so
// they agree (metric_key_fuzz found a wrapped sum).
static uint64_t saturating_add(uint64_t a, uint64_t b) { return a > UINT64_MAX - b ? UINT64_MAX : a + b; }
namespace {

constexpr int kShift = 46;  // 52 mantissa bits - 6 kept

void put_varint(std::string& out, uint64_t v) {
  while (v >= 0x80) {
    out.push_back(static_cast<char>((v & 0x7f) | 0x80));
    v >>= 7;
  }
  out.push_back(static_cast<char>(v));
}

bool get_varint(std::string_view& in, uint64_t& v) {
  v = 0;
  for (int shift = 0; shift < 64; shift += 7) {
    if (in.empty()) return false;
    auto b = static_cast<uint8_t>(in[0]);
    in.remove_prefix(1);
    v |= static_cast<uint64_t>(b & 0x7f) << shift;
    if (!(b & 0x80)) return true;
  }
  return false;
}

}  // namespace

uint32_t LogHistogram::bucket_of(double v) {
  if (!(v > 0)) return 0;
  return static_cast<uint32_t>(std::bit_cast<uint64_t>(v) >> kShift);
}

double LogHistogram::bucket_value(uint32_t index) {
  if (index == 0) return 0;
  double lo = std::bit_cast<double>(static_cast<uint64_t>(index) << kShift);
  double hi = std::bit_cast<double>(static_cast<uint64_t>(index + 1) << kShift);
  return std::isfinite(hi) ? lo + (hi - lo) / 2 : lo;
}

void LogHistogram::add_bucket(uint32_t index, uint64_t count) {
  if (count == 0) return;
  // Recording usually hits the same few buckets; search from the back is
  // no faster in general, so a binary search it is.
  auto it = std::lower_bound(buckets_.begin(), buckets_.end(), index,
                             [](const Bucket& b, uint32_t i) { return b.index < i; });
  if (it != buckets_.end() && it->index == index) {
    it->count += count;
  } else {
    buckets_.insert(it, Bucket{index, count});
  }
}

void LogHistogram::merge(const LogHistogram& other) {
  if (other.buckets_.empty()) return;
  if (buckets_.empty()) {
    buckets_ = other.buckets_;
    return;
  }
  std::vector<Bucket> out;
  out.reserve(buckets_.size() + other.buckets_.size());
  auto a = buckets_.begin();
  auto b = other.buckets_.begin();
  while (a != buckets_.end() || b != other.buckets_.end()) {
    if (b == other.buckets_.end() || (a != buckets_.end() && a->index < b->index)) {
      out.push_back(*a++);
    } else if (a == buckets_.end() || b->index < a->index) {
      out.push_back(*b++);
    } else {
      out.push_back(Bucket{a->index, saturating_add(a->count, b->count)});
      ++a;
      ++b;
    }
  }
  buckets_ = std::move(out);
}

uint64_t LogHistogram::total() const {
  uint64_t t = 0;
  for (const auto& b : buckets_) t += b.count;
  return t;
}

std::optional<double> LogHistogram::quantile(double q) const {
  uint64_t n = total();
  if (n == 0) return std::nullopt;
  q = std::clamp(q, 0.0, 1.0);
  auto rank = static_cast<uint64_t>(std::ceil(q * static_cast<double>(n)));
  rank = std::clamp<uint64_t>(rank, 1, n);
  uint64_t seen = 0;
  for (const auto& b : buckets_) {
    seen += b.count;
    if (seen >= rank) return bucket_value(b.index);
  }
  return bucket_value(buckets_.back().index);
}

std::string LogHistogram::encode() const {
  std::string out;
  out.reserve(2 + buckets_.size() * 4);
  out.push_back(1);
  put_varint(out, buckets_.size());
  uint32_t prev = 0;
  for (const auto& b : buckets_) {
    put_varint(out, b.index - prev);
    put_varint(out, b.count);
    prev = b.index;
  }
  return out;
}

Result<LogHistogram> LogHistogram::decode(std::string_view blob) {
  LogHistogram h;
  if (blob.empty()) return h;
  if (blob[0] != 1) return error(Status::corruption("unknown histogram version"));
  blob.remove_prefix(1);
  uint64_t n = 0;
  if (!get_varint(blob, n) || n > blob.size()) return error(Status::corruption("bad histogram bucket count"));
  h.buckets_.reserve(n);
  uint64_t index = 0;
  for (uint64_t i = 0; i < n; ++i) {
    uint64_t delta = 0;
    uint64_t count = 0;
    if (!get_varint(blob, delta) || !get_varint(blob, count)) return error(Status::corruption("truncated histogram"));
    if ((i > 0 && delta == 0) || count == 0) return error(Status::corruption("histogram buckets out of order"));
    // Checked before adding: a delta near 2^64 would wrap the sum back into range.
    if (delta > UINT32_MAX - index) return error(Status::corruption("histogram index out of range"));
    index += delta;
    h.buckets_.push_back(Bucket{static_cast<uint32_t>(index), count});
  }
  if (!blob.empty()) return error(Status::corruption("trailing bytes after histogram"));
  return h;
}

namespace {

// Reads one encoded histogram bucket by bucket.
class BlobReader {
 public:
  bool open(std::string_view blob) {
    in_ = blob;
    if (in_.empty()) return true;
    if (in_[0] != 1) return false;
    in_.remove_prefix(1);
    return get_varint(in_, left_) && left_ <= in_.size();
  }
  // Advances to the next bucket; false at the end or on a malformed blob
  // (then bad() is true).
  bool next() {
    if (left_ == 0) {
      bad_ = !in_.empty();
      return false;
    }
    uint64_t delta = 0;
    if (!get_varint(in_, delta) || !get_varint(in_, count_) || (started_ && delta == 0) || count_ == 0 ||
        delta > UINT32_MAX - index_) {  // not index_ + delta: that can wrap
      bad_ = true;
      return false;
    }
    index_ += delta;
    started_ = true;
    --left_;
    return true;
  }
  bool bad() const { return bad_; }
  uint64_t index() const { return index_; }
  uint64_t count() const { return count_; }

 private:
  std::string_view in_;
  uint64_t left_ = 0;
  uint64_t index_ = 0;
  uint64_t count_ = 0;
  bool started_ = false;
  bool bad_ = false;
};

}  // namespace

Result<std::string> LogHistogram::merge_encoded(std::string_view a, std::string_view b) {
  BlobReader ra;
  BlobReader rb;
  if (!ra.open(a) || !rb.open(b)) return error(Status::corruption("bad histogram blob"));
  std::string body;
  body.reserve(a.size() + b.size());
  uint64_t n = 0;
  uint64_t prev = 0;
  auto emit = [&](uint64_t index, uint64_t count) {
    put_varint(body, index - prev);
    put_varint(body, count);
    prev = index;
    ++n;
  };
  bool has_a = ra.next();
  bool has_b = rb.next();
  while (has_a || has_b) {
    if (has_a && (!has_b || ra.index() < rb.index())) {
      emit(ra.index(), ra.count());
      has_a = ra.next();
    } else if (has_b && (!has_a || rb.index() < ra.index())) {
      emit(rb.index(), rb.count());
      has_b = rb.next();
    } else {
      emit(ra.index(), saturating_add(ra.count(), rb.count()));
      has_a = ra.next();
      has_b = rb.next();
    }
  }
  if (ra.bad() || rb.bad()) return error(Status::corruption("bad histogram blob"));
  std::string out;
  out.reserve(body.size() + 4);
  out.push_back(1);
  put_varint(out, n);
  out += body;
  return out;
}

}  // namespace runnel::metrics
