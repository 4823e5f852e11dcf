#pragma once
// Test support, header-only: a generic Thrift compact protocol decoder (the
// footer and page headers as a tree of fields) and an RLE/bit-packed hybrid
// decoder, so unit tests can look inside the files the writer makes. Not a
// Parquet reader; the read-back tests use DuckDB and hyparquet for that.

#include <cstdint>
#include <cstring>
#include <map>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

namespace runnel::parquet::testing {

struct TNode {
  int type = 0;   // compact type id; 1 = bool
  int64_t i = 0;  // ints and bools
  std::string bin;
  std::map<int16_t, TNode> fields;  // structs
  std::vector<TNode> elems;         // lists

  const TNode& at(int16_t id) const {
    auto it = fields.find(id);
    if (it == fields.end()) throw std::runtime_error("no field " + std::to_string(id));
    return it->second;
  }
  bool has(int16_t id) const { return fields.count(id) != 0; }
};

class TDecoder {
 public:
  explicit TDecoder(std::string_view in) : in_(in) {}
  size_t pos() const { return pos_; }

  TNode read_struct() {
    TNode s;
    s.type = 12;
    int16_t last = 0;
    while (true) {
      uint8_t h = byte();
      if (h == 0) return s;
      int type = h & 0x0F;
      int16_t id = (h >> 4) ? static_cast<int16_t>(last + (h >> 4)) : static_cast<int16_t>(unzigzag(varint()));
      last = id;
      TNode f;
      if (type == 1 || type == 2) {
        f.type = 1;
        f.i = type == 1;
      } else {
        f = read_value(type);
      }
      s.fields[id] = std::move(f);
    }
  }

 private:
  uint8_t byte() {
    if (pos_ >= in_.size()) throw std::runtime_error("thrift: truncated");
    return static_cast<uint8_t>(in_[pos_++]);
  }
  uint64_t varint() {
    uint64_t v = 0;
    for (int shift = 0; shift < 64; shift += 7) {
      uint8_t b = byte();
      v |= static_cast<uint64_t>(b & 0x7F) << shift;
      if (!(b & 0x80)) return v;
    }
    throw std::runtime_error("thrift: varint too long");
  }
  static int64_t unzigzag(uint64_t v) { return static_cast<int64_t>(v >> 1) ^ -static_cast<int64_t>(v & 1); }

  TNode read_value(int type) {
    TNode v;
    v.type = type;
    switch (type) {
      case 1: v.i = byte() == 1; break;  // bool inside a list
      case 3: v.i = static_cast<int8_t>(byte()); break;
      case 4:
      case 5:
      case 6: v.i = unzigzag(varint()); break;
      case 8: {
        uint64_t n = varint();
        if (n > in_.size() - pos_) throw std::runtime_error("thrift: binary too long");
        v.bin.assign(in_.substr(pos_, n));
        pos_ += n;
        break;
      }
      case 9: {
        uint8_t h = byte();
        uint64_t n = h >> 4;
        if (n == 15) n = varint();
        for (uint64_t k = 0; k < n; ++k) v.elems.push_back(read_value(h & 0x0F));
        break;
      }
      case 12: v = read_struct(); break;
      default: throw std::runtime_error("thrift: unexpected type " + std::to_string(type));
    }
    return v;
  }

  std::string_view in_;
  size_t pos_ = 0;
};

// Decodes `count` values of an RLE/bit-packed hybrid stream at `in`; sets
// *used to the bytes consumed.
inline std::vector<uint32_t> rle_decode(std::string_view in, int width, size_t count, size_t* used = nullptr) {
  std::vector<uint32_t> out;
  size_t p = 0;
  auto byte = [&]() -> uint8_t {
    if (p >= in.size()) throw std::runtime_error("rle: truncated");
    return static_cast<uint8_t>(in[p++]);
  };
  while (out.size() < count) {
    uint64_t h = 0;
    for (int shift = 0;; shift += 7) {
      uint8_t b = byte();
      h |= static_cast<uint64_t>(b & 0x7F) << shift;
      if (!(b & 0x80)) break;
    }
    if (h & 1) {
      size_t n = (h >> 1) * 8;
      uint64_t acc = 0;
      int bits = 0;
      for (size_t k = 0; k < n; ++k) {
        while (bits < width) {
          acc |= static_cast<uint64_t>(byte()) << bits;
          bits += 8;
        }
        uint32_t v = static_cast<uint32_t>(acc & ((uint64_t{1} << width) - 1));
        acc >>= width;
        bits -= width;
        if (out.size() < count) out.push_back(v);
      }
    } else {
      uint32_t v = 0;
      for (int b = 0; b < (width + 7) / 8; ++b) v |= static_cast<uint32_t>(byte()) << (8 * b);
      for (uint64_t k = 0; k < (h >> 1) && out.size() < count; ++k) out.push_back(v);
    }
  }
  if (used) *used = p;
  return out;
}

// The footer of a whole file, decoded.
inline TNode read_footer(const std::string& file) {
  if (file.size() < 12 || file.substr(0, 4) != "PAR1" || file.substr(file.size() - 4) != "PAR1")
    throw std::runtime_error("not a Parquet file");
  uint32_t len;
  std::memcpy(&len, file.data() + file.size() - 8, 4);
  if (len > file.size() - 12) throw std::runtime_error("footer length out of range");
  TDecoder d(std::string_view(file).substr(file.size() - 8 - len, len));
  TNode f = d.read_struct();
  if (d.pos() != len) throw std::runtime_error("footer length does not match its content");
  return f;
}

// One page of a column chunk: its header, and its body as stored.
struct PageView {
  TNode header;
  std::string_view body;
};

// The pages of a column chunk, from its first page to its last byte.
inline std::vector<PageView> read_pages(const std::string& file, int64_t start, int64_t total_compressed) {
  std::vector<PageView> pages;
  int64_t p = start;
  while (p < start + total_compressed) {
    TDecoder d(std::string_view(file).substr(p));
    PageView v;
    v.header = d.read_struct();
    p += static_cast<int64_t>(d.pos());
    v.body = std::string_view(file).substr(p, v.header.at(3).i);
    p += v.header.at(3).i;
    pages.push_back(v);
  }
  if (p != start + total_compressed) throw std::runtime_error("pages overrun the chunk");
  return pages;
}

}  // namespace runnel::parquet::testing
