#include "streams/stream.h"

namespace runnel::streams {

using protocol::Array;
using protocol::Object;
using protocol::Value;

std::string_view to_string(StreamStatus s) {
  switch (s) {
    case StreamStatus::kCreating: return "CREATING";
    case StreamStatus::kActive: return "ACTIVE";
    case StreamStatus::kUpdating: return "UPDATING";
    case StreamStatus::kDeleting: return "DELETING";
  }
  return "ACTIVE";
}

std::string_view to_string(ConsumerStatus s) {
  switch (s) {
    case ConsumerStatus::kCreating: return "CREATING";
    case ConsumerStatus::kActive: return "ACTIVE";
    case ConsumerStatus::kDeleting: return "DELETING";
  }
  return "ACTIVE";
}

Consumer* StreamState::find_consumer(std::string_view name) {
  for (auto& c : consumers)
    if (c.name == name) return &c;
  return nullptr;
}

size_t StreamState::open_shard_count() const {
  size_t n = 0;
  for (const auto& s : shards) n += s.open() ? 1 : 0;
  return n;
}

const Shard* StreamState::find_shard(uint32_t index) const {
  if (index < shards.size() && shards[index].index == index) return &shards[index];
  for (const auto& s : shards)
    if (s.index == index) return &s;
  return nullptr;
}

namespace {

std::optional<ConsumerStatus> parse_consumer_status(const std::string& s) {
  if (s == "CREATING") return ConsumerStatus::kCreating;
  if (s == "ACTIVE") return ConsumerStatus::kActive;
  if (s == "DELETING") return ConsumerStatus::kDeleting;
  return std::nullopt;
}

std::optional<StreamStatus> parse_status(const std::string& s) {
  if (s == "CREATING") return StreamStatus::kCreating;
  if (s == "ACTIVE") return StreamStatus::kActive;
  if (s == "UPDATING") return StreamStatus::kUpdating;
  if (s == "DELETING") return StreamStatus::kDeleting;
  return std::nullopt;
}

int64_t get_int(const Value& v, std::string_view key, int64_t dflt = 0) {
  const Value* m = v.find(key);
  return m && m->is_int() ? m->as_int() : dflt;
}

std::string get_str(const Value& v, std::string_view key, std::string dflt = "") {
  const Value* m = v.find(key);
  return m && m->is_string() ? m->as_string() : dflt;
}

Value times_to_array(const std::vector<int64_t>& times) {
  Array a;
  for (int64_t t : times) a.emplace_back(t);
  return a;
}

std::vector<int64_t> array_to_times(const Value* v) {
  std::vector<int64_t> out;
  if (v && v->is_array())
    for (const auto& t : v->as_array())
      if (t.is_int()) out.push_back(t.as_int());
  return out;
}

}  // namespace

Value to_document(const StreamState& s) {
  Value doc = Object{};
  doc.set("version", 1);
  doc.set("uid", static_cast<int64_t>(s.uid));
  doc.set("name", s.name);
  doc.set("region", s.region);
  doc.set("created_ms", s.created_ms);
  doc.set("status", std::string(to_string(s.status)));
  doc.set("transition_at_ms", s.transition_at_ms);
  doc.set("mode", s.mode);
  doc.set("retention_hours", s.retention_hours);
  Array shards;
  for (const auto& sh : s.shards) {
    Value d = Object{};
    d.set("index", static_cast<int64_t>(sh.index));
    d.set("key", static_cast<int64_t>(sh.key));
    d.set("start", format_hash_key(sh.range.start));
    d.set("end", format_hash_key(sh.range.end));
    d.set("created_ms", sh.created_ms);
    if (sh.parent) d.set("parent", static_cast<int64_t>(*sh.parent));
    if (sh.adjacent_parent) d.set("adjacent_parent", static_cast<int64_t>(*sh.adjacent_parent));
    if (sh.closed_ms) {
      d.set("closed_ms", *sh.closed_ms);
      d.set("ending_counter", static_cast<int64_t>(sh.ending_counter));
    }
    shards.push_back(std::move(d));
  }
  doc.set("shards", std::move(shards));
  Value tags = Object{};
  for (const auto& [k, v] : s.tags) tags.set(k, v);
  doc.set("tags", std::move(tags));
  doc.set("encryption_type", s.encryption_type);
  doc.set("key_id", s.key_id);
  Array metrics;
  for (const auto& m : s.shard_level_metrics) metrics.emplace_back(m);
  doc.set("shard_level_metrics", std::move(metrics));
  doc.set("max_record_kib", s.max_record_kib);
  doc.set("trim_floor_ms", s.trim_floor_ms);
  Array consumers;
  for (const auto& c : s.consumers) {
    Value d = Object{};
    d.set("name", c.name);
    d.set("created_ms", c.created_ms);
    d.set("status", std::string(to_string(c.status)));
    d.set("transition_at_ms", c.transition_at_ms);
    Value ctags = Object{};
    for (const auto& [k, v] : c.tags) ctags.set(k, v);
    d.set("tags", std::move(ctags));
    if (!c.resource_policy.empty()) d.set("resource_policy", c.resource_policy);
    consumers.push_back(std::move(d));
  }
  doc.set("consumers", std::move(consumers));
  // Added after version 1 shipped; absent members mean "none" on load.
  if (!s.resource_policy.empty()) doc.set("resource_policy", s.resource_policy);
  if (!s.shard_count_updates_ms.empty()) doc.set("shard_count_updates_ms", times_to_array(s.shard_count_updates_ms));
  if (!s.mode_switches_ms.empty()) doc.set("mode_switches_ms", times_to_array(s.mode_switches_ms));
  if (s.warm_throughput_mibps) doc.set("warm_throughput_mibps", *s.warm_throughput_mibps);
  return doc;
}

std::optional<StreamState> from_document(const Value& v) {
  if (!v.is_object() || get_int(v, "version") != 1) return std::nullopt;
  StreamState s;
  s.uid = static_cast<uint64_t>(get_int(v, "uid"));
  s.name = get_str(v, "name");
  s.region = get_str(v, "region", "us-east-1");
  s.created_ms = get_int(v, "created_ms");
  auto status = parse_status(get_str(v, "status"));
  if (!status || s.name.empty() || s.uid == 0) return std::nullopt;
  s.status = *status;
  s.transition_at_ms = get_int(v, "transition_at_ms");
  s.mode = get_str(v, "mode", "PROVISIONED");
  s.retention_hours = static_cast<int32_t>(get_int(v, "retention_hours", 24));
  if (const Value* shards = v.find("shards"); shards && shards->is_array()) {
    for (const auto& d : shards->as_array()) {
      Shard sh;
      sh.index = static_cast<uint32_t>(get_int(d, "index"));
      sh.key = static_cast<storage::ShardKey>(get_int(d, "key"));
      auto start = parse_hash_key(get_str(d, "start"));
      auto end = parse_hash_key(get_str(d, "end"));
      if (!start || !end) return std::nullopt;
      sh.range = HashKeyRange{*start, *end};
      sh.created_ms = get_int(d, "created_ms");
      if (d.find("parent")) sh.parent = static_cast<uint32_t>(get_int(d, "parent"));
      if (d.find("adjacent_parent")) sh.adjacent_parent = static_cast<uint32_t>(get_int(d, "adjacent_parent"));
      if (d.find("closed_ms")) {
        sh.closed_ms = get_int(d, "closed_ms");
        sh.ending_counter = static_cast<uint64_t>(get_int(d, "ending_counter"));
      }
      s.shards.push_back(sh);
    }
  }
  if (const Value* tags = v.find("tags"); tags && tags->is_object())
    for (const auto& m : tags->as_object())
      if (m.value.is_string()) s.tags[m.key] = m.value.as_string();
  s.encryption_type = get_str(v, "encryption_type", "NONE");
  s.key_id = get_str(v, "key_id");
  if (const Value* metrics = v.find("shard_level_metrics"); metrics && metrics->is_array())
    for (const auto& m : metrics->as_array())
      if (m.is_string()) s.shard_level_metrics.push_back(m.as_string());
  s.max_record_kib = static_cast<int32_t>(get_int(v, "max_record_kib", 1024));
  s.trim_floor_ms = get_int(v, "trim_floor_ms", 0);
  if (const Value* consumers = v.find("consumers"); consumers && consumers->is_array()) {
    for (const auto& d : consumers->as_array()) {
      Consumer c;
      c.name = get_str(d, "name");
      c.created_ms = get_int(d, "created_ms");
      auto status = parse_consumer_status(get_str(d, "status"));
      if (c.name.empty() || !status) return std::nullopt;
      c.status = *status;
      c.transition_at_ms = get_int(d, "transition_at_ms");
      if (const Value* ctags = d.find("tags"); ctags && ctags->is_object())
        for (const auto& m : ctags->as_object())
          if (m.value.is_string()) c.tags[m.key] = m.value.as_string();
      c.resource_policy = get_str(d, "resource_policy");
      s.consumers.push_back(std::move(c));
    }
  }
  s.resource_policy = get_str(v, "resource_policy");
  s.shard_count_updates_ms = array_to_times(v.find("shard_count_updates_ms"));
  s.mode_switches_ms = array_to_times(v.find("mode_switches_ms"));
  if (const Value* warm = v.find("warm_throughput_mibps"); warm && warm->is_int())
    s.warm_throughput_mibps = static_cast<int32_t>(warm->as_int());
  return s;
}

}  // namespace runnel::streams
