#include "bench/records_answer.h"

#include <simdjson.h>

#include <array>

namespace runnel::bench {

namespace {

namespace od = simdjson::ondemand;

constexpr std::array<int8_t, 256> make_table() {
  std::array<int8_t, 256> t{};
  for (auto& v : t) v = -1;
  const char* alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  for (int i = 0; i < 64; ++i) t[static_cast<uint8_t>(alphabet[i])] = static_cast<int8_t>(i);
  return t;
}
constexpr auto kDecode = make_table();

bool read_record(od::object rec, std::string_view* data, std::string_view* seq) {
  for (auto field : rec) {
    std::string_view key;
    if (field.unescaped_key().get(key) != simdjson::SUCCESS) return false;
    if (key == "Data") {
      if (field.value().get_string().get(*data) != simdjson::SUCCESS) return false;
    } else if (key == "SequenceNumber") {
      if (field.value().get_string().get(*seq) != simdjson::SUCCESS) return false;
    }
  }
  return true;
}

}  // namespace

bool base64_prefix(std::string_view b64, size_t n, char* out) {
  const size_t chars = (n + 2) / 3 * 4;
  if (n > 12 || b64.size() < chars) return false;
  char buf[12];
  size_t w = 0;
  for (size_t i = 0; i < chars; i += 4) {
    uint32_t v = 0;
    for (size_t j = 0; j < 4; ++j) {
      const int8_t d = kDecode[static_cast<uint8_t>(b64[i + j])];
      if (d < 0) return false;
      v = v << 6 | static_cast<uint32_t>(d);
    }
    buf[w++] = static_cast<char>(v >> 16);
    buf[w++] = static_cast<char>(v >> 8);
    buf[w++] = static_cast<char>(v);
  }
  std::copy(buf, buf + n, out);
  return true;
}

size_t base64_decoded_size(std::string_view b64) {
  size_t n = b64.size() / 4 * 3;
  if (!b64.empty() && b64.back() == '=') --n;
  if (b64.size() >= 2 && b64[b64.size() - 2] == '=') --n;
  return n;
}

std::optional<RecordsAnswer> scan_records_json(std::string& body,
                                               const std::function<void(std::string_view)>& on_data) {
  thread_local od::parser parser;
  const size_t size = body.size();
  if (body.capacity() < size + simdjson::SIMDJSON_PADDING) body.reserve(size + simdjson::SIMDJSON_PADDING);
  od::document doc;
  if (parser.iterate(simdjson::padded_string_view(body.data(), size, body.capacity())).get(doc) !=
      simdjson::SUCCESS)
    return std::nullopt;
  od::object top;
  if (doc.get_object().get(top) != simdjson::SUCCESS) return std::nullopt;
  RecordsAnswer answer;
  bool saw_records = false;
  for (auto field : top) {
    std::string_view key;
    if (field.unescaped_key().get(key) != simdjson::SUCCESS) return std::nullopt;
    if (key == "Records") {
      od::array list;
      if (field.value().get_array().get(list) != simdjson::SUCCESS) return std::nullopt;
      for (auto item : list) {
        od::object rec;
        if (item.get_object().get(rec) != simdjson::SUCCESS) return std::nullopt;
        std::string_view data, seq;
        if (!read_record(rec, &data, &seq)) return std::nullopt;
        on_data(data);
        if (!seq.empty()) answer.last_sequence = std::string(seq);
        ++answer.records;
      }
      saw_records = true;
    } else if (key == "NextShardIterator") {
      od::value v;
      if (field.value().get(v) != simdjson::SUCCESS) return std::nullopt;
      bool is_null = false;
      if (v.is_null().get(is_null) == simdjson::SUCCESS && is_null) continue;
      std::string_view it;
      if (v.get_string().get(it) != simdjson::SUCCESS) return std::nullopt;
      answer.next_iterator = std::string(it);
    }
  }
  // OUT_OF_BOUNDS: every token was consumed (nothing after the closing brace).
  if (!saw_records || doc.current_location().error() != simdjson::OUT_OF_BOUNDS) return std::nullopt;
  return answer;
}

}  // namespace runnel::bench
