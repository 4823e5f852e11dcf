#include "analytics/persistence.h"

#include <fmt/format.h>

#include "protocol/json_codec.h"
#include "protocol/value_timestamps.h"

namespace runnel::analytics {

using protocol::Value;

std::string encode_application(const StoredApplication& app) {
  Value doc = protocol::Object{};
  Value detail = api::encode(app.detail);
  protocol::timestamps_to_ms(detail);
  doc.set("Application", std::move(detail));
  Value tags = protocol::Array{};
  for (const api::Tag& t : app.tags) tags.as_array().push_back(api::encode(t));
  doc.set("Tags", std::move(tags));
  Value ids = protocol::Object{};
  ids.set("Input", app.next_ids.input);
  ids.set("Output", app.next_ids.output);
  ids.set("Reference", app.next_ids.reference);
  ids.set("Logging", app.next_ids.logging);
  doc.set("NextIds", std::move(ids));
  doc.set("SettleAtMs", app.settle_at_ms);
  doc.set("SettlesTo", app.settles_to);
  doc.set("RunStartedMs", app.run_started_ms);
  return protocol::encode_json(doc);
}

Result<StoredApplication> decode_application(std::string_view json) {
  auto doc = protocol::decode_json(json);
  auto corrupt = [](std::string what) {
    return std::unexpected(Status::corruption("analytics application document: " + what));
  };
  if (!doc || !doc->is_object()) return corrupt("not a JSON object");
  StoredApplication out;
  Value* detail = doc->find("Application");
  if (!detail || !detail->is_object()) return corrupt("no Application");
  // CreateTimestamp and LastUpdateTimestamp are the only timestamps.
  protocol::ms_to_timestamps(*detail, "Timestamp");
  if (auto r = api::decode(std::move(*detail), out.detail); !r) return corrupt(r.error().message);
  if (const Value* tags = doc->find("Tags"); tags && tags->is_array()) {
    for (const Value& t : tags->as_array()) {
      api::Tag tag;
      if (auto r = api::decode(t, tag); !r) return corrupt(r.error().message);
      out.tags.push_back(std::move(tag));
    }
  }
  if (const Value* ids = doc->find("NextIds"); ids && ids->is_object()) {
    auto read = [&](std::string_view key, int64_t& into) {
      if (const Value* v = ids->find(key); v && v->is_int()) into = v->as_int();
    };
    read("Input", out.next_ids.input);
    read("Output", out.next_ids.output);
    read("Reference", out.next_ids.reference);
    read("Logging", out.next_ids.logging);
  }
  if (const Value* v = doc->find("SettleAtMs"); v && v->is_int()) out.settle_at_ms = v->as_int();
  if (const Value* v = doc->find("SettlesTo"); v && v->is_string()) out.settles_to = v->as_string();
  if (const Value* v = doc->find("RunStartedMs"); v && v->is_int()) out.run_started_ms = v->as_int();
  return out;
}

}  // namespace runnel::analytics
