#pragma once
// Test support, header-only (not part of runnel_orc): a minimal ORC reader
// written from the ORC v1 specification, separately from the writer, for
// the unit tests, the fuzz target and the benchmark to read files back. No
// ORC reader is packaged for Debian 12 or npm (docs/orc.md, "Verification"),
// so this is the check we have. It throws std::runtime_error on anything it
// cannot read. It decodes every run type of integer RLE v1 and v2 (PATCHED_BASE
// too, which runnel never writes), byte and boolean RLE, the three codecs,
// every type runnel writes, and seeks by row index positions. It parses
// bloom filter streams and tests values against them (bloom_may_contain).

#include <snappy.h>
#include <zlib.h>

#include <bit>
#include <cstdint>
#include <cstring>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include "orc/orc_proto.pb.h"
#include "parquet/value.h"

namespace runnel::orc::testing {

inline void check(bool ok, const char* what) {
  if (!ok) throw std::runtime_error(std::string("orc reader: ") + what);
}

// Reads bytes in order; runs off the end are errors.
class ByteReader {
 public:
  explicit ByteReader(std::string_view s) : s_(s) {}
  uint8_t byte() {
    check(at_ < s_.size(), "read past the end of a stream");
    return static_cast<uint8_t>(s_[at_++]);
  }
  uint64_t uvarint() {
    uint64_t v = 0;
    for (int shift = 0;; shift += 7) {
      check(shift < 64, "varint too long");
      uint8_t b = byte();
      v |= static_cast<uint64_t>(b & 0x7f) << shift;
      if (!(b & 0x80)) return v;
    }
  }
  int64_t svarint() {
    uint64_t z = uvarint();
    return static_cast<int64_t>(z >> 1) ^ -static_cast<int64_t>(z & 1);
  }
  __int128 svarint128() {
    unsigned __int128 v = 0;
    for (int shift = 0;; shift += 7) {
      check(shift < 128, "varint too long");
      uint8_t b = byte();
      v |= static_cast<unsigned __int128>(b & 0x7f) << shift;
      if (!(b & 0x80)) break;
    }
    return static_cast<__int128>(v >> 1) ^ -static_cast<__int128>(v & 1);
  }
  std::string_view take(size_t n) {
    check(n <= s_.size() - at_, "read past the end of a stream");
    auto v = s_.substr(at_, n);
    at_ += n;
    return v;
  }
  bool done() const { return at_ >= s_.size(); }

 private:
  std::string_view s_;
  size_t at_ = 0;
};

// Bits, most significant first.
class BitReader {
 public:
  explicit BitReader(ByteReader* r) : r_(r) {}
  uint64_t read(int width) {
    uint64_t v = 0;
    for (int i = 0; i < width; ++i) {
      if (left_ == 0) {
        cur_ = r_->byte();
        left_ = 8;
      }
      v = (v << 1) | ((cur_ >> --left_) & 1);
    }
    return v;
  }

 private:
  ByteReader* r_;
  uint8_t cur_ = 0;
  int left_ = 0;
};

inline std::vector<uint8_t> decode_byte_rle(ByteReader& r, size_t n) {
  std::vector<uint8_t> out;
  while (out.size() < n) {
    auto control = static_cast<int8_t>(r.byte());
    if (control >= 0) {
      uint8_t v = r.byte();
      out.insert(out.end(), static_cast<size_t>(control) + 3, v);
    } else {
      for (int i = 0; i < -control; ++i) out.push_back(r.byte());
    }
  }
  out.resize(n);  // a run may reach past what is asked for
  return out;
}

// n booleans after skipping `skip_bits` of the first byte.
inline std::vector<uint8_t> decode_bools(ByteReader& r, size_t n, size_t skip_bits = 0) {
  auto bytes = decode_byte_rle(r, (n + skip_bits + 7) / 8);
  std::vector<uint8_t> out(n);
  for (size_t i = 0; i < n; ++i) {
    size_t b = i + skip_bits;
    out[i] = (bytes[b / 8] >> (7 - b % 8)) & 1;
  }
  return out;
}

inline int decode_width(int code) {
  if (code <= 23) return code + 1;
  static const int kWide[] = {26, 28, 30, 32, 40, 48, 56, 64};
  return kWide[code - 24];
}

inline int64_t unzigzag(uint64_t z) { return static_cast<int64_t>(z >> 1) ^ -static_cast<int64_t>(z & 1); }

inline std::vector<int64_t> decode_int_rle_v2(ByteReader& r, size_t n, bool is_signed) {
  std::vector<int64_t> out;
  auto value = [&](uint64_t u) { return is_signed ? unzigzag(u) : static_cast<int64_t>(u); };
  while (out.size() < n) {
    uint8_t h = r.byte();
    int type = h >> 6;
    if (type == 0) {  // SHORT_REPEAT
      int bytes = ((h >> 3) & 7) + 1;
      int count = (h & 7) + 3;
      uint64_t u = 0;
      for (int i = 0; i < bytes; ++i) u = (u << 8) | r.byte();
      out.insert(out.end(), count, value(u));
    } else if (type == 1) {  // DIRECT
      int width = decode_width((h >> 1) & 0x1f);
      size_t len = ((static_cast<size_t>(h & 1) << 8) | r.byte()) + 1;
      BitReader bits(&r);
      for (size_t i = 0; i < len; ++i) out.push_back(value(bits.read(width)));
    } else if (type == 3) {  // DELTA
      int code = (h >> 1) & 0x1f;
      size_t len = ((static_cast<size_t>(h & 1) << 8) | r.byte()) + 1;
      int64_t base = is_signed ? r.svarint() : static_cast<int64_t>(r.uvarint());
      int64_t delta = r.svarint();
      out.push_back(base);
      if (len >= 2) out.push_back(static_cast<int64_t>(static_cast<uint64_t>(base) + static_cast<uint64_t>(delta)));
      if (code == 0) {
        for (size_t i = 2; i < len; ++i) {
          out.push_back(static_cast<int64_t>(static_cast<uint64_t>(out.back()) + static_cast<uint64_t>(delta)));
        }
      } else {
        int width = decode_width(code);
        BitReader bits(&r);
        for (size_t i = 2; i < len; ++i) {
          uint64_t d = bits.read(width);
          uint64_t prev = static_cast<uint64_t>(out.back());
          out.push_back(static_cast<int64_t>(delta < 0 ? prev - d : prev + d));
        }
      }
    } else {  // PATCHED_BASE
      int width = decode_width((h >> 1) & 0x1f);
      size_t len = ((static_cast<size_t>(h & 1) << 8) | r.byte()) + 1;
      uint8_t h3 = r.byte(), h4 = r.byte();
      int base_bytes = ((h3 >> 5) & 7) + 1;
      int patch_width = decode_width(h3 & 0x1f);
      int gap_width = ((h4 >> 5) & 7) + 1;
      size_t patches = h4 & 0x1f;
      check(patch_width + gap_width <= 64, "patch too wide");
      uint64_t b = 0;
      for (int i = 0; i < base_bytes; ++i) b = (b << 8) | r.byte();
      uint64_t sign = uint64_t{1} << (8 * base_bytes - 1);
      int64_t base = (b & sign) ? -static_cast<int64_t>(b & ~sign) : static_cast<int64_t>(b);
      std::vector<uint64_t> data(len);
      {
        BitReader bits(&r);
        for (auto& d : data) d = bits.read(width);
      }
      // Patch entries are packed in the least statable width that holds a
      // gap and a patch side by side.
      int entry_width = patch_width + gap_width;
      if (entry_width > 24)
        entry_width = entry_width <= 26   ? 26
                      : entry_width <= 28 ? 28
                      : entry_width <= 30 ? 30
                      : entry_width <= 32 ? 32
                                          : (entry_width + 7) / 8 * 8;
      std::vector<uint64_t> entries(patches);
      {
        BitReader bits(&r);
        for (auto& e : entries) e = bits.read(entry_width);
      }
      uint64_t patch_mask = patch_width == 64 ? ~uint64_t{0} : (uint64_t{1} << patch_width) - 1;
      size_t at = 0;
      for (uint64_t e : entries) {
        at += static_cast<size_t>(e >> patch_width);  // a gap of 255 with patch 0 only moves on
        uint64_t patch = e & patch_mask;
        if (patch == 0) continue;
        check(at < len, "patch past the run");
        data[at] |= patch << width;
      }
      for (uint64_t d : data) out.push_back(static_cast<int64_t>(static_cast<uint64_t>(base) + d));
    }
  }
  check(out.size() == n || true, "");
  out.resize(n);
  return out;
}

inline std::vector<int64_t> decode_int_rle_v1(ByteReader& r, size_t n, bool is_signed) {
  std::vector<int64_t> out;
  auto value = [&]() { return is_signed ? r.svarint() : static_cast<int64_t>(r.uvarint()); };
  while (out.size() < n) {
    auto control = static_cast<int8_t>(r.byte());
    if (control >= 0) {
      auto delta = static_cast<int8_t>(r.byte());
      int64_t v = value();
      for (int i = 0; i < control + 3; ++i) out.push_back(v + static_cast<int64_t>(i) * delta);
    } else {
      for (int i = 0; i < -control; ++i) out.push_back(value());
    }
  }
  out.resize(n);
  return out;
}

// A whole stream (or, from a row index position, its rest) decompressed.
inline std::string decompress(int codec, std::string_view in) {
  if (codec == proto::NONE) return std::string(in);
  std::string out;
  size_t at = 0;
  while (at < in.size()) {
    check(in.size() - at >= 3, "truncated chunk header");
    uint32_t h = static_cast<uint8_t>(in[at]) | (static_cast<uint8_t>(in[at + 1]) << 8) |
                 (static_cast<uint32_t>(static_cast<uint8_t>(in[at + 2])) << 16);
    at += 3;
    size_t len = h >> 1;
    check(len <= in.size() - at, "truncated chunk");
    std::string_view body = in.substr(at, len);
    at += len;
    if (h & 1) {
      out.append(body);
    } else if (codec == proto::SNAPPY) {
      std::string chunk;
      check(snappy::Uncompress(body.data(), body.size(), &chunk), "bad snappy chunk");
      out.append(chunk);
    } else if (codec == proto::ZLIB) {
      z_stream z{};
      check(inflateInit2(&z, -15) == Z_OK, "inflateInit2");
      z.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(body.data()));
      z.avail_in = static_cast<uInt>(body.size());
      char buf[65536];
      int rc;
      do {
        z.next_out = reinterpret_cast<Bytef*>(buf);
        z.avail_out = sizeof buf;
        rc = inflate(&z, Z_NO_FLUSH);
        out.append(buf, sizeof buf - z.avail_out);
      } while (rc == Z_OK);
      inflateEnd(&z);
      check(rc == Z_STREAM_END, "bad deflate chunk");
    } else {
      throw std::runtime_error("orc reader: unknown codec");
    }
  }
  return out;
}

struct StreamRef {
  proto::Stream::Kind kind;
  std::string_view bytes;  // compressed
};

struct Stripe {
  proto::StripeInformation info;
  proto::StripeFooter footer;
  std::vector<proto::RowIndex> row_index;  // per column, when written
  // Per column, when written: the BLOOM_FILTER_UTF8 (or old BLOOM_FILTER)
  // stream's filters, one per row group, and the stream's kind.
  std::vector<proto::BloomFilterIndex> bloom_filters;
  std::vector<int> bloom_kinds;                 // -1: none
  std::vector<std::vector<StreamRef>> streams;  // per column, data streams in file order
};

struct File {
  proto::PostScript postscript;
  proto::Footer footer;
  proto::Metadata metadata;
  std::vector<Stripe> stripes;
  std::vector<parquet::Value> rows;
};

class Reader {
 public:
  explicit Reader(std::string_view file) : f_(file) {}

  File read() {
    File out;
    check(f_.size() >= 4 && f_.substr(0, 3) == "ORC", "no leading ORC");
    size_t ps_len = static_cast<uint8_t>(f_.back());
    check(ps_len + 1 <= f_.size() - 3, "postscript length");
    check(out.postscript.ParseFromString(std::string(f_.substr(f_.size() - 1 - ps_len, ps_len))), "postscript");
    check(out.postscript.magic() == "ORC", "postscript magic");
    codec_ = out.postscript.compression();
    size_t footer_end = f_.size() - 1 - ps_len;
    check(out.postscript.footerlength() <= footer_end, "footer length");
    size_t footer_start = footer_end - out.postscript.footerlength();
    check(out.footer.ParseFromString(decompress(codec_, f_.substr(footer_start, out.postscript.footerlength()))),
          "footer");
    check(out.postscript.metadatalength() <= footer_start, "metadata length");
    size_t meta_start = footer_start - out.postscript.metadatalength();
    check(out.metadata.ParseFromString(decompress(codec_, f_.substr(meta_start, out.postscript.metadatalength()))),
          "metadata");
    types_ = &out.footer;
    for (const auto& si : out.footer.stripes()) {
      Stripe s = read_stripe(si);
      auto rows = read_column(s, 0, si.numberofrows());
      for (auto& r : rows) out.rows.push_back(std::move(r));
      out.stripes.push_back(std::move(s));
    }
    check(out.rows.size() == out.footer.numberofrows(), "row count");
    return out;
  }

  // The rest of a stream from a row index position (for compressed files
  // two numbers, the chunk's start and the offset in its bytes, else one),
  // decompressed; `used` tells how many numbers were taken.
  std::string seek(std::string_view stream, const uint64_t* pos, size_t* used) const {
    if (codec_ == proto::NONE) {
      *used = 1;
      check(pos[0] <= stream.size(), "position past the stream");
      return std::string(stream.substr(pos[0]));
    }
    *used = 2;
    check(pos[0] <= stream.size(), "position past the stream");
    std::string rest = decompress(codec_, stream.substr(pos[0]));
    check(pos[1] <= rest.size(), "offset past the chunk");
    return rest.substr(pos[1]);
  }

  int codec() const { return codec_; }

 private:
  Stripe read_stripe(const proto::StripeInformation& si) {
    Stripe s;
    s.info = si;
    size_t ncols = static_cast<size_t>(types_->types_size());
    check(si.offset() + si.indexlength() + si.datalength() + si.footerlength() <= f_.size(), "stripe bounds");
    size_t foot = si.offset() + si.indexlength() + si.datalength();
    check(s.footer.ParseFromString(decompress(codec_, f_.substr(foot, si.footerlength()))), "stripe footer");
    check(static_cast<size_t>(s.footer.columns_size()) == ncols, "an encoding per column");
    s.streams.resize(ncols);
    s.row_index.resize(ncols);
    s.bloom_filters.resize(ncols);
    s.bloom_kinds.assign(ncols, -1);
    size_t index_end = si.offset() + si.indexlength();
    uint64_t at = si.offset();
    for (const auto& st : s.footer.streams()) {
      check(st.column() < ncols, "stream column");
      check(at + st.length() <= foot, "stream bounds");
      std::string_view bytes = f_.substr(at, st.length());
      bool index_kind = st.kind() == proto::Stream::ROW_INDEX || st.kind() == proto::Stream::BLOOM_FILTER ||
                        st.kind() == proto::Stream::BLOOM_FILTER_UTF8;
      // Index streams fill the stripe's index area, data streams the rest.
      check(index_kind == (at < index_end), "stream in the wrong area of the stripe");
      if (st.kind() == proto::Stream::ROW_INDEX) {
        check(s.row_index[st.column()].ParseFromString(decompress(codec_, bytes)), "row index");
      } else if (index_kind) {
        check(s.bloom_kinds[st.column()] == -1, "two bloom filter streams for a column");
        check(s.bloom_filters[st.column()].ParseFromString(decompress(codec_, bytes)), "bloom filter index");
        s.bloom_kinds[st.column()] = st.kind();
      } else {
        s.streams[st.column()].push_back({st.kind(), bytes});
      }
      at += st.length();
    }
    check(at == foot, "streams fill the stripe");
    for (size_t c = 0; c < ncols; ++c) {
      if (s.bloom_kinds[c] == -1) continue;
      check(s.row_index[c].entry_size() == s.bloom_filters[c].bloomfilter_size(), "a bloom filter per row group");
      check(s.footer.columns(static_cast<int>(c)).bloomencoding() == 1, "bloomEncoding UTF8_UTC");
    }
    return s;
  }

  std::string stream(const Stripe& s, uint32_t col, proto::Stream::Kind kind, bool* found = nullptr) const {
    for (const auto& st : s.streams[col]) {
      if (st.kind == kind) {
        if (found) *found = true;
        return decompress(codec_, st.bytes);
      }
    }
    if (found) {
      *found = false;
      return {};
    }
    throw std::runtime_error("orc reader: missing stream " + std::to_string(kind) + " of column " +
                             std::to_string(col));
  }

  std::vector<int64_t> ints(const Stripe& s, uint32_t col, proto::Stream::Kind kind, size_t n, bool is_signed) const {
    std::string b = stream(s, col, kind);
    ByteReader r(b);
    auto enc = s.footer.columns(static_cast<int>(col)).kind();
    bool v2 = enc == proto::ColumnEncoding::DIRECT_V2 || enc == proto::ColumnEncoding::DICTIONARY_V2;
    return v2 ? decode_int_rle_v2(r, n, is_signed) : decode_int_rle_v1(r, n, is_signed);
  }

  // `n` slots of column `col`, nulls included.
  std::vector<parquet::Value> read_column(const Stripe& s, uint32_t col, size_t n) {
    const proto::Type& t = types_->types(static_cast<int>(col));
    bool has_present = false;
    std::string pb = stream(s, col, proto::Stream::PRESENT, &has_present);
    std::vector<uint8_t> present(n, 1);
    if (has_present) {
      ByteReader r(pb);
      present = decode_bools(r, n);
    }
    size_t m = 0;
    for (auto p : present) m += p;
    std::vector<parquet::Value> vals = read_values(s, col, t, m);
    check(vals.size() == m, "value count");
    std::vector<parquet::Value> out(n);
    for (size_t i = 0, j = 0; i < n; ++i) {
      if (present[i]) out[i] = std::move(vals[j++]);
    }
    return out;
  }

  std::vector<parquet::Value> read_values(const Stripe& s, uint32_t col, const proto::Type& t, size_t m) {
    using parquet::Value;
    std::vector<Value> out;
    out.reserve(m);
    switch (t.kind()) {
      case proto::Type::BOOLEAN: {
        std::string b = stream(s, col, proto::Stream::DATA);
        ByteReader r(b);
        for (auto v : decode_bools(r, m)) out.push_back(Value::boolean(v));
        break;
      }
      case proto::Type::BYTE: {
        std::string b = stream(s, col, proto::Stream::DATA);
        ByteReader r(b);
        for (auto v : decode_byte_rle(r, m)) out.push_back(Value::integer(static_cast<int8_t>(v)));
        break;
      }
      case proto::Type::SHORT:
      case proto::Type::INT:
      case proto::Type::LONG:
        for (auto v : ints(s, col, proto::Stream::DATA, m, true)) out.push_back(Value::integer(v));
        break;
      case proto::Type::DATE:
        for (auto v : ints(s, col, proto::Stream::DATA, m, true)) out.push_back(Value::date(static_cast<int32_t>(v)));
        break;
      case proto::Type::FLOAT:
      case proto::Type::DOUBLE: {
        std::string b = stream(s, col, proto::Stream::DATA);
        size_t w = t.kind() == proto::Type::FLOAT ? 4 : 8;
        check(b.size() == m * w, "float data size");
        for (size_t i = 0; i < m; ++i) {
          uint64_t u = 0;
          for (size_t k = 0; k < w; ++k) u |= static_cast<uint64_t>(static_cast<uint8_t>(b[i * w + k])) << (8 * k);
          out.push_back(w == 4 ? Value::float32(std::bit_cast<float>(static_cast<uint32_t>(u)))
                               : Value::float64(std::bit_cast<double>(u)));
        }
        break;
      }
      case proto::Type::STRING:
      case proto::Type::VARCHAR:
      case proto::Type::CHAR:
      case proto::Type::BINARY: {
        auto enc = s.footer.columns(static_cast<int>(col));
        if (enc.kind() == proto::ColumnEncoding::DICTIONARY_V2 || enc.kind() == proto::ColumnEncoding::DICTIONARY) {
          size_t d = enc.dictionarysize();
          auto lengths = ints(s, col, proto::Stream::LENGTH, d, false);
          std::string dict = stream(s, col, proto::Stream::DICTIONARY_DATA);
          std::vector<std::string> entries;
          entries.reserve(d);
          ByteReader dr(dict);
          for (auto len : lengths) entries.emplace_back(dr.take(static_cast<size_t>(len)));
          for (auto idx : ints(s, col, proto::Stream::DATA, m, false)) {
            check(idx >= 0 && static_cast<size_t>(idx) < d, "dictionary index");
            out.push_back(Value::bytes(entries[static_cast<size_t>(idx)]));
          }
        } else {
          auto lengths = ints(s, col, proto::Stream::LENGTH, m, false);
          std::string data = stream(s, col, proto::Stream::DATA);
          ByteReader r(data);
          for (auto len : lengths) out.push_back(Value::bytes(std::string(r.take(static_cast<size_t>(len)))));
          check(r.done(), "string data left over");
        }
        break;
      }
      case proto::Type::DECIMAL: {
        std::string data = stream(s, col, proto::Stream::DATA);
        ByteReader r(data);
        auto scales = ints(s, col, proto::Stream::SECONDARY, m, true);
        for (size_t i = 0; i < m; ++i) {
          check(scales[i] == static_cast<int64_t>(t.scale()), "decimal scale");
          out.push_back(Value::decimal(r.svarint128()));
        }
        break;
      }
      case proto::Type::TIMESTAMP: {
        auto secs = ints(s, col, proto::Stream::DATA, m, true);
        auto nanos = ints(s, col, proto::Stream::SECONDARY, m, false);
        for (size_t i = 0; i < m; ++i) {
          uint64_t e = static_cast<uint64_t>(nanos[i]);
          uint64_t zeros = e & 7;
          uint64_t ns = e >> 3;
          if (zeros != 0) {
            for (uint64_t z = 0; z <= zeros; ++z) ns *= 10;
          }
          int64_t sec = secs[i] + 1420070400;
          if (sec < 0 && ns > 999999) sec -= 1;
          out.push_back(Value::timestamp({sec, static_cast<uint32_t>(ns)}));
        }
        break;
      }
      case proto::Type::LIST: {
        auto lengths = ints(s, col, proto::Stream::LENGTH, m, false);
        size_t total = 0;
        for (auto l : lengths) total += static_cast<size_t>(l);
        auto items = read_column(s, t.subtypes(0), total);
        size_t at = 0;
        for (auto l : lengths) {
          std::vector<Value> v(items.begin() + at, items.begin() + at + l);
          at += static_cast<size_t>(l);
          out.push_back(Value::list(std::move(v)));
        }
        break;
      }
      case proto::Type::MAP: {
        auto lengths = ints(s, col, proto::Stream::LENGTH, m, false);
        size_t total = 0;
        for (auto l : lengths) total += static_cast<size_t>(l);
        auto keys = read_column(s, t.subtypes(0), total);
        auto values = read_column(s, t.subtypes(1), total);
        size_t at = 0;
        for (auto l : lengths) {
          std::vector<std::pair<Value, Value>> e;
          for (int64_t k = 0; k < l; ++k, ++at) e.emplace_back(keys[at], values[at]);
          out.push_back(Value::map(std::move(e)));
        }
        break;
      }
      case proto::Type::STRUCT: {
        std::vector<std::vector<Value>> fields;
        for (uint32_t c : t.subtypes()) fields.push_back(read_column(s, c, m));
        for (size_t i = 0; i < m; ++i) {
          std::vector<Value> v;
          v.reserve(fields.size());
          for (auto& f : fields) v.push_back(std::move(f[i]));
          out.push_back(Value::record(std::move(v)));
        }
        break;
      }
      default: throw std::runtime_error("orc reader: type not read");
    }
    return out;
  }

  std::string_view f_;
  int codec_ = 0;
  const proto::Footer* types_ = nullptr;
};

// Whether a row group's filter may hold a value whose 64-bit hash is
// `hash64` (orc::murmur3_hash64 of its bytes, orc::long_hash of an
// integer), read as a reader does: the utf8bitset taken byte by byte (bit
// i is bit i % 8 of byte i / 8, which is the spec's little-endian 64-bit
// words), k positions from the two 32-bit halves.
inline bool bloom_may_contain(const proto::BloomFilter& f, uint64_t hash64) {
  const std::string& bits = f.utf8bitset();
  check(!bits.empty() && bits.size() % 8 == 0, "utf8bitset a whole number of 64-bit words");
  check(f.numhashfunctions() > 0, "numHashFunctions");
  const int64_t m = static_cast<int64_t>(bits.size()) * 8;
  const auto h1 = static_cast<int32_t>(static_cast<uint32_t>(hash64));
  const auto h2 = static_cast<int32_t>(static_cast<uint32_t>(hash64 >> 32));
  for (int64_t i = 1; i <= f.numhashfunctions(); ++i) {
    int64_t combined = static_cast<int32_t>(static_cast<uint32_t>(static_cast<int64_t>(h1) + i * h2));
    if (combined < 0) combined = -combined - 1;
    int64_t pos = combined % m;
    if (!((static_cast<uint8_t>(bits[static_cast<size_t>(pos / 8)]) >> (pos % 8)) & 1)) return false;
  }
  return true;
}

// Reads the whole file.
inline File read_file(std::string_view bytes) { return Reader(bytes).read(); }

}  // namespace runnel::orc::testing
