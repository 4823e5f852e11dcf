#include "orc/column_writer.h"

#include <algorithm>
#include <bit>
#include <cstring>
#include <optional>
#include <span>
#include <string_view>
#include <unordered_map>

#include "orc/rle.h"

namespace runnel::orc {

using parquet::HiveKind;
using parquet::Value;

namespace {

// The SECONDARY stream's form of nanoseconds: trailing decimal zeros
// (2..8 of them) are dropped and their count less one kept in the low
// three bits.
uint64_t encode_nanos(uint32_t n) {
  if (n == 0) return 0;
  if (n % 100 != 0) return static_cast<uint64_t>(n) << 3;
  n /= 100;
  uint64_t zeros = 1;
  while (n % 10 == 0 && zeros < 7) {
    n /= 10;
    ++zeros;
  }
  return (static_cast<uint64_t>(n) << 3) | zeros;
}

void put_le(std::string* out, uint64_t v, int bytes) {
  for (int i = 0; i < bytes; ++i) out->push_back(static_cast<char>((v >> (8 * i)) & 0xff));
}

proto::Type::Kind type_kind(HiveKind k) {
  switch (k) {
    case HiveKind::kBoolean: return proto::Type::BOOLEAN;
    case HiveKind::kTinyint: return proto::Type::BYTE;
    case HiveKind::kSmallint: return proto::Type::SHORT;
    case HiveKind::kInt: return proto::Type::INT;
    case HiveKind::kBigint: return proto::Type::LONG;
    case HiveKind::kFloat: return proto::Type::FLOAT;
    case HiveKind::kDouble: return proto::Type::DOUBLE;
    case HiveKind::kDecimal: return proto::Type::DECIMAL;
    case HiveKind::kString: return proto::Type::STRING;
    case HiveKind::kChar: return proto::Type::CHAR;
    case HiveKind::kVarchar: return proto::Type::VARCHAR;
    case HiveKind::kBinary: return proto::Type::BINARY;
    case HiveKind::kTimestamp: return proto::Type::TIMESTAMP;
    case HiveKind::kDate: return proto::Type::DATE;
    case HiveKind::kArray: return proto::Type::LIST;
    case HiveKind::kMap: return proto::Type::MAP;
    case HiveKind::kStruct: return proto::Type::STRUCT;
  }
  return proto::Type::STRUCT;
}

// A char(n) value in both forms a reader may test: as stored (cut and
// space-padded to n characters by fit_to_length(), as ORC's CharTreeWriter
// stores it) and without its trailing spaces (Hive's comparison form). An
// extra form can only add false positives; a missing one would skip a row
// group that matches.
void add_char_forms(std::string_view stored, BloomFilter* f) {
  f->add_bytes(stored);
  std::string_view trimmed = stored.substr(0, stored.find_last_not_of(' ') + 1);
  if (trimmed != stored) f->add_bytes(trimmed);
}

}  // namespace

bool same_column_name(std::string_view a, std::string_view b) {
  auto lower = [](char c) { return c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c; };
  return a.size() == b.size() &&
         std::equal(a.begin(), a.end(), b.begin(), [&](char x, char y) { return lower(x) == lower(y); });
}

bool names_bloom_column(const WriterOptions& options, std::string_view column) {
  return std::any_of(options.bloom_filter_columns.begin(), options.bloom_filter_columns.end(),
                     [&](const std::string& name) { return same_column_name(name, column); });
}

ColumnWriter::ColumnWriter(const parquet::HiveType* type, uint32_t* next_id, const WriterOptions* options, bool is_root,
                           bool bloom)
    : type_(type),
      id_((*next_id)++),
      options_(options),
      root_(is_root),
      // No bloom filters without a row index (as ORC's writers), nor for
      // the columns that hold no values of their own.
      bloom_(bloom && options->row_index_stride > 0 && type->kind != HiveKind::kStruct &&
             type->kind != HiveKind::kArray && type->kind != HiveKind::kMap),
      file_stats_(type, is_root) {
  if (type->kind == HiveKind::kStruct) {
    for (const auto& f : type->fields) {
      bool b = is_root ? names_bloom_column(*options, f.name) : bloom;
      children_.push_back(std::make_unique<ColumnWriter>(&f.type, next_id, options, false, b));
    }
  } else {
    for (const auto& c : type->children) {
      children_.push_back(std::make_unique<ColumnWriter>(&c, next_id, options, false, bloom));
    }
  }
}

bool ColumnWriter::is_string() const {
  return type_->kind == HiveKind::kString || type_->kind == HiveKind::kChar || type_->kind == HiveKind::kVarchar;
}

std::string fit_to_length(std::string_view bytes, const parquet::HiveType& type) {
  if (type.kind != HiveKind::kChar && type.kind != HiveKind::kVarchar) return std::string(bytes);
  int64_t chars = 0;
  size_t cut = bytes.size();
  for (size_t i = 0; i < bytes.size(); ++i) {
    if ((static_cast<uint8_t>(bytes[i]) & 0xc0) == 0x80) continue;  // a UTF-8 continuation byte
    if (chars == type.length) {
      cut = i;
      break;
    }
    ++chars;
  }
  std::string out(bytes.substr(0, cut));
  if (type.kind == HiveKind::kChar && chars < type.length) out.append(static_cast<size_t>(type.length - chars), ' ');
  return out;
}

parquet::Value as_written(const parquet::HiveType& type, const parquet::Value& v) {
  if (v.is_null()) return v;
  switch (type.kind) {
    case HiveKind::kChar:
    case HiveKind::kVarchar: return Value::bytes(fit_to_length(v.as_bytes(), type));
    case HiveKind::kArray: {
      std::vector<Value> items;
      for (const Value& item : v.items()) items.push_back(as_written(type.children[0], item));
      return Value::list(std::move(items));
    }
    case HiveKind::kMap: {
      std::vector<std::pair<Value, Value>> entries;
      for (size_t i = 0; i + 1 < v.items().size(); i += 2)
        entries.emplace_back(as_written(type.children[0], v.items()[i]),
                             as_written(type.children[1], v.items()[i + 1]));
      return Value::map(std::move(entries));
    }
    case HiveKind::kStruct: {
      std::vector<Value> fields;
      for (size_t i = 0; i < v.items().size() && i < type.fields.size(); ++i)
        fields.push_back(as_written(type.fields[i].type, v.items()[i]));
      return Value::record(std::move(fields));
    }
    default: return v;
  }
}

std::string_view ColumnWriter::bytes_at(size_t i) const {
  size_t begin = i == 0 ? 0 : ends_[i - 1];
  return std::string_view(arena_).substr(begin, ends_[i] - begin);
}

void ColumnWriter::add(const Value& v) {
  if (v.is_null()) {
    present_.push_back(0);
    return;
  }
  present_.push_back(1);
  ++values_;
  switch (type_->kind) {
    case HiveKind::kBoolean: ints_.push_back(v.as_bool() ? 1 : 0); break;
    case HiveKind::kTinyint:
    case HiveKind::kSmallint:
    case HiveKind::kInt:
    case HiveKind::kBigint:
    case HiveKind::kDate: ints_.push_back(v.as_int()); break;
    case HiveKind::kFloat:
    case HiveKind::kDouble: doubles_.push_back(v.as_double()); break;
    case HiveKind::kString:
    case HiveKind::kBinary:
      arena_.append(v.as_bytes());
      ends_.push_back(arena_.size());
      break;
    case HiveKind::kChar:
    case HiveKind::kVarchar:
      // A reader that maps char(n) to a fixed-width type (ClickHouse's
      // FixedString(n)) refuses a longer value.
      arena_.append(fit_to_length(v.as_bytes(), *type_));
      ends_.push_back(arena_.size());
      break;
    case HiveKind::kDecimal: decimals_.push_back(v.as_decimal()); break;
    case HiveKind::kTimestamp:
      ints_.push_back(v.as_timestamp().seconds);
      nanos_.push_back(v.as_timestamp().nanos);
      break;
    case HiveKind::kArray:
      ints_.push_back(static_cast<int64_t>(v.items().size()));
      for (const auto& item : v.items()) children_[0]->add(item);
      break;
    case HiveKind::kMap:
      ints_.push_back(static_cast<int64_t>(v.items().size() / 2));
      for (size_t i = 0; i + 1 < v.items().size(); i += 2) {
        children_[0]->add(v.items()[i]);
        children_[1]->add(v.items()[i + 1]);
      }
      break;
    case HiveKind::kStruct:
      for (size_t i = 0; i < children_.size(); ++i) children_[i]->add(v.items()[i]);
      break;
  }
}

void ColumnWriter::mark_row_group() {
  marks_.push_back({present_.size(), values_});
  for (auto& c : children_) c->mark_row_group();
}

int64_t ColumnWriter::buffered_bytes() const {
  auto n = static_cast<int64_t>(present_.size() + ints_.size() * 8 + nanos_.size() * 4 + doubles_.size() * 8 +
                                arena_.size() + ends_.size() * 8 + decimals_.size() * 16);
  for (const auto& c : children_) n += c->buffered_bytes();
  return n;
}

void ColumnWriter::encode_ints(const std::vector<int64_t>& v, bool is_signed, Pending* p) const {
  auto encode = options_->format_version == FormatVersion::kV0_12 ? encode_int_rle_v2 : encode_int_rle_v1;
  size_t begin = 0;
  for (const Mark& m : marks_) {
    p->starts.push_back(p->raw.size());
    p->extras.push_back({0});
    encode(std::span<const int64_t>(v).subspan(begin, m.values - begin), is_signed, &p->raw);
    begin = m.values;
  }
}

void ColumnWriter::encode_bools(const std::vector<uint8_t>& bits, const std::vector<size_t>& bounds, Pending* p) const {
  std::vector<uint8_t> bytes((bits.size() + 7) / 8, 0);
  for (size_t i = 0; i < bits.size(); ++i) {
    if (bits[i]) bytes[i / 8] |= static_cast<uint8_t>(0x80 >> (i % 8));
  }
  // A group may start inside a byte: its run starts with that byte, and
  // the position says how many of the byte's bits to skip.
  size_t seg = 0;
  for (size_t b : bounds) {
    size_t at = b / 8;
    if (at > seg) {
      encode_byte_rle(std::span<const uint8_t>(bytes).subspan(seg, at - seg), &p->raw);
      seg = at;
    }
    p->starts.push_back(p->raw.size());
    p->extras.push_back({0, b % 8});
  }
  encode_byte_rle(std::span<const uint8_t>(bytes).subspan(seg), &p->raw);
}

ColumnStats ColumnWriter::group_stats(size_t g) const {
  ColumnStats s(type_, root_);
  size_t s0 = g == 0 ? 0 : marks_[g - 1].slots, s1 = marks_[g].slots;
  size_t v0 = g == 0 ? 0 : marks_[g - 1].values, v1 = marks_[g].values;
  if (s1 - s0 > v1 - v0) s.add_null();
  for (size_t i = v0; i < v1; ++i) {
    switch (type_->kind) {
      case HiveKind::kBoolean: s.add_bool(ints_[i] != 0); break;
      case HiveKind::kTinyint:
      case HiveKind::kSmallint:
      case HiveKind::kInt:
      case HiveKind::kBigint:
      case HiveKind::kDate: s.add_int(ints_[i]); break;
      case HiveKind::kFloat:
      case HiveKind::kDouble: s.add_double(doubles_[i]); break;
      case HiveKind::kString:
      case HiveKind::kChar:
      case HiveKind::kVarchar:
      case HiveKind::kBinary: s.add_bytes(bytes_at(i)); break;
      case HiveKind::kDecimal: s.add_decimal(decimals_[i]); break;
      case HiveKind::kTimestamp: s.add_timestamp({ints_[i], nanos_[i]}); break;
      case HiveKind::kArray:
      case HiveKind::kMap: s.add_children(static_cast<uint64_t>(ints_[i])); break;
      case HiveKind::kStruct: s.add_present(); break;
    }
  }
  return s;
}

void ColumnWriter::add_to_bloom(size_t g, BloomFilter* f) const {
  size_t v0 = g == 0 ? 0 : marks_[g - 1].values, v1 = marks_[g].values;
  bool zero_seen = false;
  for (size_t i = v0; i < v1; ++i) {
    switch (type_->kind) {
      // Booleans as 0 and 1, as ORC's C++ writer (Java's adds none; no
      // reader tests a boolean's filter).
      case HiveKind::kBoolean:
      case HiveKind::kTinyint:
      case HiveKind::kSmallint:
      case HiveKind::kInt:
      case HiveKind::kBigint:
      case HiveKind::kDate: f->add_long(ints_[i]); break;
      case HiveKind::kFloat:
      case HiveKind::kDouble: {
        // A float as the float it is written as, widened (Java's
        // FloatTreeWriter). Both zeros when either is seen: SQL's -0.0 = 0.0
        // would otherwise skip a group that holds the other zero.
        double d = type_->kind == HiveKind::kFloat ? static_cast<double>(static_cast<float>(doubles_[i])) : doubles_[i];
        if (d == 0) {
          zero_seen = true;
        } else {
          f->add_double(d);
        }
        break;
      }
      case HiveKind::kString:
      case HiveKind::kVarchar:
      case HiveKind::kBinary: f->add_bytes(bytes_at(i)); break;
      case HiveKind::kChar: add_char_forms(bytes_at(i), f); break;
      case HiveKind::kDecimal: f->add_bytes(decimal_bloom_string(decimals_[i], type_->scale)); break;
      // UTC milliseconds, floored (the statistics' minimumUtc/maximumUtc).
      case HiveKind::kTimestamp: f->add_long(ints_[i] * 1000 + nanos_[i] / 1000000); break;
      case HiveKind::kArray:
      case HiveKind::kMap:
      case HiveKind::kStruct: break;
    }
  }
  if (zero_seen) {
    f->add_double(0.0);
    f->add_double(-0.0);
  }
}

Status ColumnWriter::write_stripe(StripeParts* parts) {
  const bool v2 = options_->format_version == FormatVersion::kV0_12;
  std::vector<Pending> streams;
  streams.reserve(4);  // no column has more: references to them stay valid
  proto::ColumnEncoding enc;
  // The columns with no integer RLE stream of their own (boolean and byte
  // RLE are not versioned, floats are raw, a struct has only PRESENT) are
  // DIRECT in every format version, as ORC's writers say; Apache ORC's C++
  // reader refuses a struct column that says DIRECT_V2 ("Unknown encoding
  // for StructColumnReader", found by ClickHouse reading our files).
  const bool unversioned = type_->kind == HiveKind::kBoolean || type_->kind == HiveKind::kTinyint ||
                           type_->kind == HiveKind::kFloat || type_->kind == HiveKind::kDouble ||
                           type_->kind == HiveKind::kStruct;
  enc.set_kind(v2 && !unversioned ? proto::ColumnEncoding::DIRECT_V2 : proto::ColumnEncoding::DIRECT);
  auto stream = [&](proto::Stream::Kind kind) -> Pending& {
    streams.emplace_back().kind = kind;
    return streams.back();
  };

  if (!root_ && values_ < present_.size()) {
    std::vector<size_t> bounds;
    for (size_t g = 0; g < marks_.size(); ++g) bounds.push_back(g == 0 ? 0 : marks_[g - 1].slots);
    encode_bools(present_, bounds, &stream(proto::Stream::PRESENT));
  }
  std::vector<size_t> vbounds;
  for (size_t g = 0; g < marks_.size(); ++g) vbounds.push_back(g == 0 ? 0 : marks_[g - 1].values);

  switch (type_->kind) {
    case HiveKind::kBoolean: {
      std::vector<uint8_t> bits(ints_.begin(), ints_.end());
      encode_bools(bits, vbounds, &stream(proto::Stream::DATA));
      break;
    }
    case HiveKind::kTinyint: {
      Pending& p = stream(proto::Stream::DATA);
      std::vector<uint8_t> bytes(ints_.size());
      for (size_t i = 0; i < ints_.size(); ++i) bytes[i] = static_cast<uint8_t>(ints_[i]);
      size_t begin = 0;
      for (const Mark& m : marks_) {
        p.starts.push_back(p.raw.size());
        p.extras.push_back({0});
        encode_byte_rle(std::span<const uint8_t>(bytes).subspan(begin, m.values - begin), &p.raw);
        begin = m.values;
      }
      break;
    }
    case HiveKind::kSmallint:
    case HiveKind::kInt:
    case HiveKind::kBigint:
    case HiveKind::kDate: encode_ints(ints_, true, &stream(proto::Stream::DATA)); break;
    case HiveKind::kFloat:
    case HiveKind::kDouble: {
      Pending& p = stream(proto::Stream::DATA);
      const bool f = type_->kind == HiveKind::kFloat;
      size_t begin = 0;
      for (const Mark& m : marks_) {
        p.starts.push_back(p.raw.size());
        p.extras.push_back({});
        for (size_t i = begin; i < m.values; ++i) {
          if (f) {
            put_le(&p.raw, std::bit_cast<uint32_t>(static_cast<float>(doubles_[i])), 4);
          } else {
            put_le(&p.raw, std::bit_cast<uint64_t>(doubles_[i]), 8);
          }
        }
        begin = m.values;
      }
      break;
    }
    case HiveKind::kString:
    case HiveKind::kChar:
    case HiveKind::kVarchar:
    case HiveKind::kBinary: {
      const size_t n = ends_.size();
      std::unordered_map<std::string_view, uint32_t> ids;
      bool dictionary = false;
      if (is_string() && n > 0 && options_->dictionary_key_threshold > 0) {
        ids.reserve(n);
        for (size_t i = 0; i < n; ++i) ids.emplace(bytes_at(i), 0);
        dictionary = static_cast<double>(ids.size()) <= options_->dictionary_key_threshold * static_cast<double>(n);
      }
      if (dictionary) {
        // Entries in byte order, numbered in that order.
        std::vector<std::string_view> keys;
        keys.reserve(ids.size());
        for (const auto& [k, unused] : ids) keys.push_back(k);
        std::sort(keys.begin(), keys.end());
        for (uint32_t i = 0; i < keys.size(); ++i) ids[keys[i]] = i;
        std::vector<int64_t> index(n);
        for (size_t i = 0; i < n; ++i) index[i] = ids[bytes_at(i)];
        encode_ints(index, false, &stream(proto::Stream::DATA));
        std::vector<int64_t> lengths;
        std::string dict;
        for (auto k : keys) {
          lengths.push_back(static_cast<int64_t>(k.size()));
          dict.append(k);
        }
        Pending& len = stream(proto::Stream::LENGTH);
        len.positioned = false;
        (v2 ? encode_int_rle_v2 : encode_int_rle_v1)(lengths, false, &len.raw);
        Pending& data = stream(proto::Stream::DICTIONARY_DATA);
        data.positioned = false;
        data.raw = std::move(dict);
        enc.set_kind(v2 ? proto::ColumnEncoding::DICTIONARY_V2 : proto::ColumnEncoding::DICTIONARY);
        enc.set_dictionarysize(static_cast<uint32_t>(keys.size()));
      } else {
        Pending& p = stream(proto::Stream::DATA);
        std::vector<int64_t> lengths(n);
        size_t begin = 0;
        for (const Mark& m : marks_) {
          p.starts.push_back(p.raw.size());
          p.extras.push_back({});
          for (size_t i = begin; i < m.values; ++i) {
            std::string_view b = bytes_at(i);
            p.raw.append(b);
            lengths[i] = static_cast<int64_t>(b.size());
          }
          begin = m.values;
        }
        encode_ints(lengths, false, &stream(proto::Stream::LENGTH));
      }
      break;
    }
    case HiveKind::kDecimal: {
      Pending& p = stream(proto::Stream::DATA);
      size_t begin = 0;
      for (const Mark& m : marks_) {
        p.starts.push_back(p.raw.size());
        p.extras.push_back({});
        for (size_t i = begin; i < m.values; ++i) put_svarint128(&p.raw, decimals_[i]);
        begin = m.values;
      }
      std::vector<int64_t> scales(decimals_.size(), type_->scale);
      encode_ints(scales, true, &stream(proto::Stream::SECONDARY));
      break;
    }
    case HiveKind::kTimestamp: {
      std::vector<int64_t> secs(ints_.size());
      std::vector<int64_t> nanos(ints_.size());
      for (size_t i = 0; i < ints_.size(); ++i) {
        int64_t s = ints_[i];
        // Readers (ORC-763) take a second off a negative second with more
        // than 999,999 nanoseconds: seconds are written rounded toward zero.
        if (s < 0 && nanos_[i] > 999999) s += 1;
        secs[i] = s - kTimestampBaseSeconds;
        nanos[i] = static_cast<int64_t>(encode_nanos(nanos_[i]));
      }
      encode_ints(secs, true, &stream(proto::Stream::DATA));
      encode_ints(nanos, false, &stream(proto::Stream::SECONDARY));
      break;
    }
    case HiveKind::kArray:
    case HiveKind::kMap: encode_ints(ints_, false, &stream(proto::Stream::LENGTH)); break;
    case HiveKind::kStruct: break;
  }

  // Compress, then tell each row group's positions in compressed terms.
  const Compression codec = options_->compression;
  const int64_t block = options_->compression_block_size;
  proto::RowIndex index;
  std::vector<CompressedStream> packed(streams.size());
  for (size_t i = 0; i < streams.size(); ++i) {
    if (Status s = compress_stream(codec, block, streams[i].raw, &packed[i]); !s) return s;
  }
  ColumnStats stripe(type_, root_);
  proto::BloomFilterIndex blooms;
  std::optional<BloomFilter> bloom;
  if (bloom_) bloom.emplace(options_->row_index_stride, options_->bloom_filter_fpp);
  for (size_t g = 0; g < marks_.size(); ++g) {
    if (bloom) {
      bloom->reset();
      add_to_bloom(g, &*bloom);
      bloom->to_proto(blooms.add_bloomfilter());
    }
    auto* entry = index.add_entry();
    std::vector<uint64_t> positions;
    for (size_t i = 0; i < streams.size(); ++i) {
      if (!streams[i].positioned) continue;
      append_position(codec, block, packed[i], streams[i].starts[g], &positions);
      positions.insert(positions.end(), streams[i].extras[g].begin(), streams[i].extras[g].end());
    }
    for (uint64_t p : positions) entry->add_positions(p);
    ColumnStats gs = group_stats(g);
    gs.to_proto(entry->mutable_statistics());
    stripe.merge(gs);
  }
  CompressedStream packed_index;
  if (Status s = compress_stream(codec, block, index.SerializeAsString(), &packed_index); !s) return s;
  parts->row_indexes[id_] = std::move(packed_index.bytes);
  if (bloom) {
    CompressedStream packed_blooms;
    if (Status s = compress_stream(codec, block, blooms.SerializeAsString(), &packed_blooms); !s) return s;
    parts->bloom_filters[id_] = std::move(packed_blooms.bytes);
    enc.set_bloomencoding(kBloomEncodingUtf8Utc);
  }
  for (size_t i = 0; i < streams.size(); ++i) {
    parts->streams.push_back({streams[i].kind, id_, std::move(packed[i].bytes)});
  }
  parts->encodings[id_] = enc;
  stripe.to_proto(&parts->stats[id_]);
  file_stats_.merge(stripe);
  clear();
  for (auto& c : children_) {
    if (Status s = c->write_stripe(parts); !s) return s;
  }
  return Status::ok();
}

void ColumnWriter::clear() {
  present_.clear();
  values_ = 0;
  ints_.clear();
  nanos_.clear();
  doubles_.clear();
  arena_.clear();
  ends_.clear();
  decimals_.clear();
  marks_.clear();
}

void ColumnWriter::add_types(proto::Footer* footer) const {
  auto* t = footer->add_types();
  t->set_kind(type_kind(type_->kind));
  for (const auto& c : children_) t->add_subtypes(c->id_);
  for (const auto& f : type_->fields) t->add_fieldnames(f.name);
  if (type_->kind == HiveKind::kChar || type_->kind == HiveKind::kVarchar) {
    t->set_maximumlength(static_cast<uint32_t>(type_->length));
  }
  if (type_->kind == HiveKind::kDecimal) {
    t->set_precision(static_cast<uint32_t>(type_->precision));
    t->set_scale(static_cast<uint32_t>(type_->scale));
  }
  for (const auto& c : children_) c->add_types(footer);
}

void ColumnWriter::add_file_stats(std::vector<proto::ColumnStatistics>* out) const {
  file_stats_.to_proto(&out->emplace_back());
  for (const auto& c : children_) c->add_file_stats(out);
}

}  // namespace runnel::orc
