#include "bench/records_answer.h"

#include <simdjson.h>

#include <array>
#include <string>

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

namespace {

// A string member that may be null: "" for null.
bool nullable_string(od::value v, std::string* out) {
  bool is_null = false;
  if (v.is_null().get(is_null) == simdjson::SUCCESS && is_null) {
    out->clear();
    return true;
  }
  std::string_view s;
  if (v.get_string().get(s) != simdjson::SUCCESS) return false;
  *out = std::string(s);
  return true;
}

// Walks the top-level object of `text`: "Records" goes record by record to
// on_data (the last SequenceNumber into *last_sequence), any other member to
// on_member. False when `text` is not one JSON object with a Records array.
bool scan_object(std::string& text, const std::function<void(std::string_view)>& on_data, size_t* records,
                 std::string* last_sequence, const std::function<bool(std::string_view, od::value)>& on_member) {
  thread_local od::parser parser;
  const size_t size = text.size();
  if (text.capacity() < size + simdjson::SIMDJSON_PADDING) text.reserve(size + simdjson::SIMDJSON_PADDING);
  od::document doc;
  if (parser.iterate(simdjson::padded_string_view(text.data(), size, text.capacity())).get(doc) != simdjson::SUCCESS)
    return false;
  od::object top;
  if (doc.get_object().get(top) != simdjson::SUCCESS) return false;
  bool saw_records = false;
  for (auto field : top) {
    std::string_view key;
    if (field.unescaped_key().get(key) != simdjson::SUCCESS) return false;
    if (key == "Records") {
      if (saw_records) return false;  // twice: leave such a text to the generic decoder
      od::array list;
      if (field.value().get_array().get(list) != simdjson::SUCCESS) return false;
      for (auto item : list) {
        od::object rec;
        if (item.get_object().get(rec) != simdjson::SUCCESS) return false;
        std::string_view data, seq;
        if (!read_record(rec, &data, &seq)) return false;
        on_data(data);
        if (!seq.empty()) *last_sequence = std::string(seq);
        ++*records;
      }
      saw_records = true;
    } else {
      od::value v;
      if (field.value().get(v) != simdjson::SUCCESS || !on_member(key, v)) return false;
    }
  }
  // OUT_OF_BOUNDS: every token was consumed (nothing after the closing brace).
  return saw_records && doc.current_location().error() == simdjson::OUT_OF_BOUNDS;
}

}  // namespace

std::optional<RecordsAnswer> scan_records_json(std::string& body,
                                               const std::function<void(std::string_view)>& on_data) {
  RecordsAnswer answer;
  auto member = [&](std::string_view key, od::value v) {
    return key != "NextShardIterator" || nullable_string(v, &answer.next_iterator);
  };
  if (!scan_object(body, on_data, &answer.records, &answer.last_sequence, member)) return std::nullopt;
  return answer;
}

std::optional<EventAnswer> scan_subscribe_event_json(std::string& payload,
                                                     const std::function<void(std::string_view)>& on_data) {
  EventAnswer answer;
  std::string last_sequence;
  auto member = [&](std::string_view key, od::value v) {
    if (key == "ContinuationSequenceNumber") return nullable_string(v, &answer.continuation);
    if (key != "ChildShards") return true;
    bool is_null = false;
    if (v.is_null().get(is_null) == simdjson::SUCCESS && is_null) return true;
    od::array children;
    if (v.get_array().get(children) != simdjson::SUCCESS) return false;
    size_t n = 0;
    if (children.count_elements().get(n) != simdjson::SUCCESS) return false;
    answer.child_shards = n > 0;
    return true;
  };
  if (!scan_object(payload, on_data, &answer.records, &last_sequence, member)) return std::nullopt;
  return answer;
}

}  // namespace runnel::bench
