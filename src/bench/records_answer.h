#pragma once
// A fast reader of GetRecords answers and SubscribeToShard events in AWS
// JSON for the consumers:
// it walks the body with simdjson's on-demand API and hands over each
// record's Data (still base64) instead of building a protocol::Value tree,
// which cost the tool more CPU than the server spent producing the answer
// (docs/performance.md). CBOR answers and anything unusual go through the
// generic decoder.
//
// Thread-safety: pure functions (simdjson state is per thread).

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>

namespace runnel::bench {

struct RecordsAnswer {
  size_t records = 0;
  std::string last_sequence;  // SequenceNumber of the last record, "" if none
  std::string next_iterator;  // "" when null or absent (a closed shard's end)
};

// Calls on_data(base64 Data) per record, in order. nullopt when `body` is
// not a GetRecords answer in AWS JSON (on_data may have been called for
// some records already). `body` gains capacity for simdjson's padding.
std::optional<RecordsAnswer> scan_records_json(std::string& body, const std::function<void(std::string_view)>& on_data);

// What the bench consumer needs of a SubscribeToShardEvent.
struct EventAnswer {
  size_t records = 0;
  std::string continuation;   // ContinuationSequenceNumber; "" when null or absent
  bool child_shards = false;  // a non-empty ChildShards list (the shard ended)
};

// The same walk over a SubscribeToShardEvent payload in AWS JSON: on_data
// gets each record's Data (still base64). nullopt when `payload` is not such
// an event (on_data may have been called already). `payload` gains capacity
// for simdjson's padding.
std::optional<EventAnswer> scan_subscribe_event_json(std::string& payload,
                                                     const std::function<void(std::string_view)>& on_data);

// The first `n` (<= 12) bytes of base64 text `b64`, decoded into out; false
// when the text is shorter or not base64.
bool base64_prefix(std::string_view b64, size_t n, char* out);

// Bytes that base64 text `b64` decodes to (from its length and padding).
size_t base64_decoded_size(std::string_view b64);

}  // namespace runnel::bench
