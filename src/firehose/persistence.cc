#include "firehose/persistence.h"

#include "protocol/json_codec.h"
#include "protocol/value_timestamps.h"

namespace runnel::firehose {

using protocol::ms_to_timestamps;
using protocol::timestamps_to_ms;
using protocol::Value;

std::string encode_stored(const StoredStream& s) {
  Value doc = protocol::Object{};
  Value description = api::encode(s.spec.description);
  timestamps_to_ms(description);
  doc.set("Description", std::move(description));
  doc.set("ShardKey", static_cast<int64_t>(s.spec.shard_key));
  Value secrets = protocol::Object{};
  if (s.secrets.http_access_key) secrets.set("HttpAccessKey", *s.secrets.http_access_key);
  if (s.secrets.redshift_password) secrets.set("RedshiftPassword", *s.secrets.redshift_password);
  doc.set("Secrets", std::move(secrets));
  protocol::Array tags;
  for (const auto& t : s.tags) tags.push_back(api::encode(t));
  doc.set("Tags", Value(std::move(tags)));
  protocol::Array calls;
  for (int64_t c : s.encryption_calls) calls.emplace_back(c);
  doc.set("EncryptionCalls", Value(std::move(calls)));
  return protocol::encode_json(doc);
}

Result<StoredStream> decode_stored(std::string_view json) {
  auto doc = protocol::decode_json(json);
  if (!doc || !doc->is_object())
    return std::unexpected(Status::corruption("firehose stream document is not a JSON object"));
  StoredStream out;
  Value* description = doc->find("Description");
  if (!description) return std::unexpected(Status::corruption("firehose stream document has no Description"));
  // Written as epoch ms under their own names; the generated decode() wants
  // Timestamp values back.
  ms_to_timestamps(*description, "Timestamp");
  if (auto r = api::decode(std::move(*description), out.spec.description); !r) {
    return std::unexpected(Status::corruption("firehose stream document: " + r.error().message));
  }
  if (const Value* key = doc->find("ShardKey"); key && key->is_int()) {
    out.spec.shard_key = static_cast<storage::ShardKey>(key->as_int());
  }
  if (const Value* secrets = doc->find("Secrets"); secrets && secrets->is_object()) {
    if (const Value* k = secrets->find("HttpAccessKey"); k && k->is_string())
      out.secrets.http_access_key = k->as_string();
    if (const Value* p = secrets->find("RedshiftPassword"); p && p->is_string()) {
      out.secrets.redshift_password = p->as_string();
    }
  }
  out.spec.http_access_key = out.secrets.http_access_key;
  out.spec.redshift_password = out.secrets.redshift_password;
  if (Value* tags = doc->find("Tags"); tags && tags->is_array()) {
    for (auto& t : tags->as_array()) {
      api::Tag tag;
      if (api::decode(std::move(t), tag)) out.tags.push_back(std::move(tag));
    }
  }
  if (const Value* calls = doc->find("EncryptionCalls"); calls && calls->is_array()) {
    for (const auto& c : calls->as_array()) {
      if (c.is_int()) out.encryption_calls.push_back(c.as_int());
    }
  }
  return out;
}

}  // namespace runnel::firehose
