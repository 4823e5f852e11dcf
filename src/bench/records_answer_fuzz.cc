// libFuzzer target for the bench tool's on-demand readers of GetRecords
// answers and SubscribeToShard events (records_answer.h), which read what an
// endpoint under test sends. Beyond "no crash": when the walk accepts a text
// and the generic JSON decoder accepts it too, both must find the same
// records' Data, in order, and the same NextShardIterator or
// ContinuationSequenceNumber and ChildShards. (The walk skips members it
// does not need without checking them, so it may accept a text the generic
// decoder refuses, e.g. a number out of range; those are not compared.)

#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>
#include <vector>

#include "bench/kinesis_requests.h"
#include "bench/records_answer.h"
#include "protocol/value.h"

using namespace runnel;

namespace {

void check(bool ok) {
  if (!ok) std::abort();
}

// A member that is a string, "" when absent or null; false when present with another type.
bool optional_string(const protocol::Value& object, std::string_view key, std::string* out) {
  const protocol::Value* v = object.find(key);
  out->clear();
  if (v == nullptr || v->is_null()) return true;
  if (!v->is_string()) return false;
  *out = v->as_string();
  return true;
}

// The generic decoder's view: the Data of each record. False when `answer`
// is not an object with one Records array of objects with string Data.
bool generic_records(const protocol::Value& answer, std::vector<std::string>* data) {
  if (!answer.is_object()) return false;
  const protocol::Value* records = answer.find("Records");
  if (records == nullptr || !records->is_array()) return false;
  for (const protocol::Value& r : records->as_array()) {
    if (!r.is_object()) return false;
    std::string d;
    if (!optional_string(r, "Data", &d)) return false;
    data->push_back(std::move(d));
  }
  return true;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* bytes, size_t size) {
  const std::string text(reinterpret_cast<const char*>(bytes), size);
  auto generic = bench::decode_body(text, bench::Encoding::kJson);

  std::string copy = text;
  std::vector<std::string> seen;
  auto answer = bench::scan_records_json(copy, [&](std::string_view d) { seen.emplace_back(d); });
  check(copy == text);
  if (answer && generic) {
    std::vector<std::string> data;
    std::string next;
    if (generic_records(*generic, &data) && optional_string(*generic, "NextShardIterator", &next)) {
      check(seen == data);
      check(answer->records == data.size());
      check(answer->next_iterator == next);
    }
  }

  copy = text;
  seen.clear();
  auto event = bench::scan_subscribe_event_json(copy, [&](std::string_view d) { seen.emplace_back(d); });
  check(copy == text);
  if (event && generic) {
    std::vector<std::string> data;
    std::string continuation;
    if (generic_records(*generic, &data) && optional_string(*generic, "ContinuationSequenceNumber", &continuation)) {
      check(seen == data);
      check(event->continuation == continuation);
      const protocol::Value* children = generic->find("ChildShards");
      if (children != nullptr && children->is_array()) check(event->child_shards == !children->as_array().empty());
    }
  }
  return 0;
}
