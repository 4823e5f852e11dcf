#include "parquet/column_writer.h"

#include <bit>
#include <cmath>
#include <cstring>

#include "parquet/compression.h"
#include "parquet/rle.h"
#include "parquet/thrift_compact.h"

namespace runnel::parquet {

static_assert(std::endian::native == std::endian::little, "PLAIN encoding below copies little-endian memory");

namespace {

constexpr int64_t kJulianDayOfEpoch = 2440588;  // 1970-01-01
// Dictionary values after which a dictionary that does not pay is dropped.
constexpr uint64_t kDictionaryProbeValues = 4096;
constexpr int64_t kSecondsPerDay = 86400;
// Byte arrays longer than this get no min/max (a footer of megabyte strings
// helps nobody); parquet-mr truncates instead.
constexpr size_t kMaxStatBytes = 256;

void put_le32(std::string* out, uint32_t v) {
  char b[4];
  std::memcpy(b, &v, 4);
  out->append(b, 4);
}

bool dictionary_allowed(const LeafColumn& leaf, const WriterOptions& o) {
  return o.enable_dictionary && leaf.node->physical != PhysicalType::kBoolean;
}

}  // namespace

ColumnWriter::ColumnWriter(const LeafColumn& leaf, const WriterOptions& options)
    : leaf_(leaf), options_(options), def_width_(bit_width(leaf.max_def)), rep_width_(bit_width(leaf.max_rep)) {
  reset_chunk();
}

void ColumnWriter::reset_chunk() {
  dictionary_mode_ = dictionary_allowed(leaf_, options_);
  fallback_pending_ = false;
  dict_probed_ = false;
  dict_values_ = 0;
  raw_bytes_ = 0;
  dict_entries_.clear();
  dict_slots_.assign(1024, 0);
  dict_plain_.clear();
  pages_.clear();
  meta_ = ChunkMeta{};
  meta_.type = leaf_.node->physical;
  has_min_max_ = false;
  min_s_.clear();
  max_s_.clear();
}

std::string_view ColumnWriter::value_bytes(const Value& v, char* scratch) const {
  switch (leaf_.node->physical) {
    case PhysicalType::kBoolean: scratch[0] = v.as_bool() ? 1 : 0; return {scratch, 1};
    case PhysicalType::kInt32: {
      auto x = static_cast<int32_t>(v.as_int());
      std::memcpy(scratch, &x, 4);
      return {scratch, 4};
    }
    case PhysicalType::kInt64: {
      int64_t x = v.as_int();
      std::memcpy(scratch, &x, 8);
      return {scratch, 8};
    }
    case PhysicalType::kInt96: {
      // Hive/Impala layout: nanoseconds within the day (8 bytes LE), then the
      // Julian day number (4 bytes LE).
      Timestamp t = v.as_timestamp();
      int64_t day = t.seconds / kSecondsPerDay;
      int64_t sod = t.seconds % kSecondsPerDay;
      if (sod < 0) {
        sod += kSecondsPerDay;
        --day;
      }
      int64_t nanos = sod * 1'000'000'000 + t.nanos;
      auto julian = static_cast<int32_t>(day + kJulianDayOfEpoch);
      std::memcpy(scratch, &nanos, 8);
      std::memcpy(scratch + 8, &julian, 4);
      return {scratch, 12};
    }
    case PhysicalType::kFloat: {
      auto x = static_cast<float>(v.as_double());
      std::memcpy(scratch, &x, 4);
      return {scratch, 4};
    }
    case PhysicalType::kDouble: {
      double x = v.as_double();
      std::memcpy(scratch, &x, 8);
      return {scratch, 8};
    }
    case PhysicalType::kByteArray: return v.as_bytes();
    case PhysicalType::kFixedLenByteArray: {
      // DECIMAL: the unscaled value, two's complement, big-endian.
      __int128 u = v.as_decimal();
      int n = leaf_.node->type_length;
      for (int i = 0; i < n; ++i) scratch[i] = static_cast<char>((u >> (8 * (n - 1 - i))) & 0xFF);
      return {scratch, static_cast<size_t>(n)};
    }
  }
  return {};
}

void ColumnWriter::update_stats(const Value& v, std::string_view bytes) {
  const bool first = !has_min_max_;
  switch (leaf_.node->physical) {
    case PhysicalType::kBoolean:
    case PhysicalType::kInt32:
    case PhysicalType::kInt64: {
      int64_t x = leaf_.node->physical == PhysicalType::kBoolean ? (v.as_bool() ? 1 : 0) : v.as_int();
      if (first || x < min_i_) min_i_ = x;
      if (first || x > max_i_) max_i_ = x;
      break;
    }
    case PhysicalType::kFloat:
    case PhysicalType::kDouble: {
      double x = v.as_double();
      if (std::isnan(x)) return;  // NaN is left out of min/max (parquet-format)
      if (first || x < min_d_) min_d_ = x;
      if (first || x > max_d_) max_d_ = x;
      break;
    }
    case PhysicalType::kByteArray:
      if (first || bytes < min_s_) min_s_.assign(bytes);
      if (first || bytes > max_s_) max_s_.assign(bytes);
      break;
    case PhysicalType::kFixedLenByteArray: {
      __int128 x = v.as_decimal();
      if (first || x < min_w_) min_w_ = x;
      if (first || x > max_w_) max_w_ = x;
      break;
    }
    case PhysicalType::kInt96: return;  // no defined sort order
  }
  has_min_max_ = true;
}

int64_t ColumnWriter::page_estimate() const {
  int64_t bits = static_cast<int64_t>(defs_.size()) * def_width_ + static_cast<int64_t>(reps_.size()) * rep_width_;
  if (dictionary_mode_)
    bits += static_cast<int64_t>(indices_.size()) * bit_width(dict_entries_.size());
  else if (leaf_.node->physical == PhysicalType::kBoolean)
    bits += static_cast<int64_t>(plain_.size());
  else
    bits += static_cast<int64_t>(plain_.size()) * 8;
  return bits / 8;
}

int64_t ColumnWriter::buffered_bytes() const {
  return static_cast<int64_t>(pages_.size() + dict_plain_.size()) + page_estimate();
}

uint32_t ColumnWriter::dictionary_index(std::string_view bytes, bool byte_array) {
  const size_t hash = std::hash<std::string_view>{}(bytes);
  size_t mask = dict_slots_.size() - 1;
  size_t slot = hash & mask;
  while (uint32_t at = dict_slots_[slot]) {
    const DictEntry& e = dict_entries_[at - 1];
    if (e.hash == hash && std::string_view(dict_plain_.data() + e.offset, e.size) == bytes) return at - 1;
    slot = (slot + 1) & mask;
  }
  const auto index = static_cast<uint32_t>(dict_entries_.size());
  if (byte_array) put_le32(&dict_plain_, static_cast<uint32_t>(bytes.size()));
  dict_entries_.push_back({hash, static_cast<uint32_t>(dict_plain_.size()), static_cast<uint32_t>(bytes.size())});
  dict_plain_.append(bytes);
  dict_slots_[slot] = index + 1;
  // At most half full: linear probes stay short.
  if (dict_entries_.size() * 2 > dict_slots_.size()) {
    dict_slots_.assign(dict_slots_.size() * 2, 0);
    mask = dict_slots_.size() - 1;
    for (uint32_t i = 0; i < dict_entries_.size(); ++i) {
      size_t s = dict_entries_[i].hash & mask;
      while (dict_slots_[s]) s = (s + 1) & mask;
      dict_slots_[s] = i + 1;
    }
  }
  return index;
}

Status ColumnWriter::add(uint16_t rep, uint16_t def, const Value* value) {
  if (rep == 0 && !defs_.empty() && (fallback_pending_ || page_estimate() >= options_.page_size_bytes)) {
    if (Status s = close_page(); !s) return s;
  }
  defs_.push_back(def);
  if (leaf_.max_rep > 0) reps_.push_back(rep);
  if (rep == 0) ++page_rows_;
  if (value == nullptr) {
    ++page_nulls_;
    ++meta_.null_count;
    return Status::ok();
  }
  char scratch[16];
  std::string_view bytes = value_bytes(*value, scratch);
  update_stats(*value, bytes);
  const bool byte_array = leaf_.node->physical == PhysicalType::kByteArray;
  if (dictionary_mode_) {
    const size_t before = dict_entries_.size();
    indices_.push_back(dictionary_index(bytes, byte_array));
    // Past the page size the dictionary stops growing: this page still
    // uses it, the next ones are PLAIN (parquet-mr's fallback).
    if (dict_entries_.size() != before && static_cast<int64_t>(dict_plain_.size()) >= options_.page_size_bytes)
      fallback_pending_ = true;
    ++dict_values_;
    raw_bytes_ += bytes.size() + (byte_array ? 4 : 0);
    // parquet-mr also falls back when, at the end of the first page, the
    // dictionary and its indices are no smaller than PLAIN would be. runnel
    // asks that question sooner, after kDictionaryProbeValues values, so
    // that a column of (nearly) unique values (ids, timestamps, amounts)
    // does not pay a lookup and an insert per value for a whole page.
    if (!dict_probed_ && dict_values_ >= kDictionaryProbeValues) {
      dict_probed_ = true;
      const uint64_t encoded = dict_values_ * static_cast<uint64_t>(bit_width(dict_entries_.size())) / 8;
      if (encoded + dict_plain_.size() >= raw_bytes_) fallback_pending_ = true;
    }
  } else {
    if (byte_array) put_le32(&plain_, static_cast<uint32_t>(bytes.size()));
    plain_.append(bytes);
  }
  return Status::ok();
}

Status ColumnWriter::close_page() {
  if (defs_.empty()) return Status::ok();
  const bool v2 = options_.writer_version == WriterVersion::kV2;
  std::string levels;
  int32_t rep_bytes = 0, def_bytes = 0;
  // V1: each level run is prefixed by its length (4 bytes LE); V2 gives the
  // lengths in the page header instead.
  auto put_levels = [&](const std::vector<uint32_t>& lv, int width) {
    size_t start = levels.size();
    if (!v2) levels.append(4, '\0');
    rle_hybrid_encode(lv, width, &levels);
    auto n = static_cast<uint32_t>(levels.size() - start - (v2 ? 0 : 4));
    if (!v2) std::memcpy(levels.data() + start, &n, 4);
    return static_cast<int32_t>(levels.size() - start);
  };
  if (leaf_.max_rep > 0) rep_bytes = put_levels(reps_, rep_width_);
  if (leaf_.max_def > 0) def_bytes = put_levels(defs_, def_width_);

  std::string values;
  Encoding encoding = Encoding::kPlain;
  const bool dict_page = dictionary_mode_ && !indices_.empty();
  if (dict_page) {
    // RLE_DICTIONARY: the index width in one byte, then the hybrid runs.
    int width = bit_width(dict_entries_.size() - 1);
    values.push_back(static_cast<char>(width));
    rle_hybrid_encode(indices_, width, &values);
    encoding = Encoding::kRleDictionary;
  } else if (leaf_.node->physical == PhysicalType::kBoolean) {
    std::vector<uint32_t> bits(plain_.begin(), plain_.end());
    bit_pack(bits, 1, &values);
  } else {
    values.swap(plain_);
  }
  auto num_values = static_cast<int32_t>(defs_.size());
  Status s = write_page(v2 ? PageType::kDataPageV2 : PageType::kDataPage, levels, values, num_values, page_nulls_,
                        page_rows_, encoding, rep_bytes, def_bytes);
  if (!s) return s;
  meta_.num_values += num_values;
  (dict_page ? meta_.dict_data_pages : meta_.plain_data_pages)++;
  if (fallback_pending_) {
    dictionary_mode_ = false;
    fallback_pending_ = false;
  }
  defs_.clear();
  reps_.clear();
  indices_.clear();
  plain_.clear();
  page_rows_ = 0;
  page_nulls_ = 0;
  return Status::ok();
}

Status ColumnWriter::write_page(PageType type, const std::string& levels, std::string_view values, int32_t num_values,
                                int32_t num_nulls, int32_t num_rows, Encoding encoding, int32_t rep_bytes,
                                int32_t def_bytes) {
  const Codec codec = options_.compression;
  std::string body;
  int64_t uncompressed = static_cast<int64_t>(levels.size() + values.size());
  if (type == PageType::kDataPageV2) {
    // V2 compresses the values only; the levels stay readable as they are.
    body = levels;
    if (Status s = compress(codec, values, &body); !s) return s;
  } else if (type == PageType::kDataPage) {
    std::string raw = levels;
    raw.append(values);
    if (Status s = compress(codec, raw, &body); !s) return s;
  } else {  // dictionary page
    if (Status s = compress(codec, values, &body); !s) return s;
  }
  if (uncompressed > INT32_MAX || body.size() > INT32_MAX)
    return Status::invalid_argument("a Parquet page cannot exceed 2 GiB");

  std::string header;
  CompactWriter w(&header);
  w.field_i32(1, static_cast<int32_t>(type));
  w.field_i32(2, static_cast<int32_t>(uncompressed));
  w.field_i32(3, static_cast<int32_t>(body.size()));
  if (type == PageType::kDataPage) {
    w.begin_struct(5);  // DataPageHeader
    w.field_i32(1, num_values);
    w.field_i32(2, static_cast<int32_t>(encoding));
    w.field_i32(3, static_cast<int32_t>(Encoding::kRle));  // definition_level_encoding
    w.field_i32(4, static_cast<int32_t>(Encoding::kRle));  // repetition_level_encoding
    w.end_struct();
  } else if (type == PageType::kDictionaryPage) {
    w.begin_struct(7);  // DictionaryPageHeader
    w.field_i32(1, num_values);
    w.field_i32(2, static_cast<int32_t>(Encoding::kPlain));
    w.end_struct();
  } else {
    w.begin_struct(8);  // DataPageHeaderV2
    w.field_i32(1, num_values);
    w.field_i32(2, num_nulls);
    w.field_i32(3, num_rows);
    w.field_i32(4, static_cast<int32_t>(encoding));
    w.field_i32(5, def_bytes);
    w.field_i32(6, rep_bytes);
    w.field_bool(7, codec != Codec::kUncompressed);
    w.end_struct();
  }
  w.end_struct();  // PageHeader

  std::string* out = &pages_;
  if (type == PageType::kDictionaryPage) out = &dict_page_;
  out->append(header);
  out->append(body);
  meta_.total_uncompressed_size += static_cast<int64_t>(header.size()) + uncompressed;
  meta_.total_compressed_size += static_cast<int64_t>(header.size() + body.size());
  return Status::ok();
}

Result<ChunkMeta> ColumnWriter::finish_chunk(std::string* out) {
  if (Status s = close_page(); !s) return error(s);
  dict_page_.clear();
  if (!dict_entries_.empty() && meta_.dict_data_pages > 0) {
    if (Status s = write_page(PageType::kDictionaryPage, {}, dict_plain_, static_cast<int32_t>(dict_entries_.size()), 0,
                              0, Encoding::kPlain, 0, 0);
        !s)
      return error(s);
    meta_.has_dictionary = true;
  }
  meta_.data_page_offset = static_cast<int64_t>(dict_page_.size());
  out->append(dict_page_);
  out->append(pages_);

  // Levels are RLE; the values PLAIN and/or RLE_DICTIONARY.
  meta_.encodings.push_back(Encoding::kRle);
  if (meta_.has_dictionary || meta_.plain_data_pages > 0) meta_.encodings.push_back(Encoding::kPlain);
  if (meta_.dict_data_pages > 0) meta_.encodings.push_back(Encoding::kRleDictionary);

  if (has_min_max_) {
    char a[16], b[16];
    switch (leaf_.node->physical) {
      case PhysicalType::kBoolean:
      case PhysicalType::kInt32:
      case PhysicalType::kInt64: {
        Value lo = Value::integer(min_i_), hi = Value::integer(max_i_);
        if (leaf_.node->physical == PhysicalType::kBoolean)
          lo = Value::boolean(min_i_ != 0), hi = Value::boolean(max_i_ != 0);
        meta_.min_value = value_bytes(lo, a);
        meta_.max_value = value_bytes(hi, b);
        break;
      }
      case PhysicalType::kFloat:
      case PhysicalType::kDouble: {
        // parquet-format: a zero minimum is written as -0, a zero maximum as +0.
        double lo = min_d_ == 0 ? -0.0 : min_d_, hi = max_d_ == 0 ? 0.0 : max_d_;
        meta_.min_value = value_bytes(Value::float64(lo), a);
        meta_.max_value = value_bytes(Value::float64(hi), b);
        break;
      }
      case PhysicalType::kByteArray:
        meta_.min_value = min_s_;
        meta_.max_value = max_s_;
        break;
      case PhysicalType::kFixedLenByteArray:
        meta_.min_value = value_bytes(Value::decimal(min_w_), a);
        meta_.max_value = value_bytes(Value::decimal(max_w_), b);
        break;
      case PhysicalType::kInt96: break;
    }
    meta_.has_min_max = meta_.min_value.size() <= kMaxStatBytes && meta_.max_value.size() <= kMaxStatBytes;
  }
  ChunkMeta done = std::move(meta_);
  reset_chunk();
  return done;
}

}  // namespace runnel::parquet
