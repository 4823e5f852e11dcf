#include "bench/control_plane.h"

#include <thread>

#include "bench/http_client.h"
#include "bench/kinesis_requests.h"

namespace runnel::bench {

using protocol::Object;
using protocol::Value;

Result<Value> ControlPlane::invoke(std::string_view operation, const Value& request) const {
  HttpResult r = call(o_, operation, encode_body(request, o_.encoding));
  std::string op(operation);
  if (!r.ok()) {
    std::string msg = r.network_error.empty() ? error_message(r.body, o_.encoding) : std::string();
    return error(Status::aborted(op + ": " + r.error_type(o_.encoding) + (msg.empty() ? "" : ": " + msg)));
  }
  auto v = decode_body(r.body, o_.encoding);
  if (!v || !v->is_object()) return error(Status::aborted(op + ": the answer could not be decoded"));
  return std::move(*v);
}

Status ControlPlane::create_stream(std::string_view name, int shards) const {
  auto r = invoke("CreateStream", Object{{"StreamName", name}, {"ShardCount", shards}});
  return r ? Status::ok() : r.error();
}

Result<std::string> ControlPlane::wait_active(std::string_view name, std::chrono::seconds timeout) const {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  std::string last;
  while (std::chrono::steady_clock::now() < deadline) {
    auto r = invoke("DescribeStream", Object{{"StreamName", name}, {"Limit", 1}});
    if (!r) return error(r.error());
    const Value* d = r->find("StreamDescription");
    if (!d) return error(Status::aborted("DescribeStream: no StreamDescription in the answer"));
    last = std::string(string_member(*d, "StreamStatus"));
    if (last == "ACTIVE") return std::string(string_member(*d, "StreamARN"));
    std::this_thread::sleep_for(std::chrono::milliseconds(200));
  }
  return error(Status::aborted("stream " + std::string(name) + " is still " + last + " after " +
                               std::to_string(timeout.count()) + " s"));
}

namespace {

bool is_open(const Value& shard) {
  const Value* range = shard.find("SequenceNumberRange");
  return !range || string_member(*range, "EndingSequenceNumber").empty();
}

}  // namespace

Result<std::vector<std::string>> ControlPlane::open_shards(std::string_view name) const {
  std::vector<std::string> ids;
  std::string token;
  bool list_shards = true;
  std::string last_id;
  while (true) {
    Result<Value> r;
    if (list_shards) {
      Value req = token.empty() ? Value(Object{{"StreamName", name}}) : Value(Object{{"NextToken", token}});
      r = invoke("ListShards", req);
      if (!r && r.error().message().find("UnknownOperation") != std::string::npos && ids.empty()) {
        list_shards = false;
        continue;
      }
      if (!r) return error(r.error());
      if (const Value* shards = r->find("Shards"); shards && shards->is_array()) {
        for (const Value& s : shards->as_array()) {
          if (is_open(s)) ids.emplace_back(string_member(s, "ShardId"));
        }
      }
      token = std::string(string_member(*r, "NextToken"));
      if (token.empty()) break;
    } else {
      Value req = Object{{"StreamName", name}};
      if (!last_id.empty()) req.set("ExclusiveStartShardId", last_id);
      r = invoke("DescribeStream", req);
      if (!r) return error(r.error());
      const Value* d = r->find("StreamDescription");
      const Value* shards = d ? d->find("Shards") : nullptr;
      if (!shards || !shards->is_array() || shards->as_array().empty()) break;
      for (const Value& s : shards->as_array()) {
        last_id = std::string(string_member(s, "ShardId"));
        if (is_open(s)) ids.push_back(last_id);
      }
      const Value* more = d->find("HasMoreShards");
      if (!more || !more->is_bool() || !more->as_bool()) break;
    }
  }
  if (ids.empty()) return error(Status::aborted("stream " + std::string(name) + " has no open shards"));
  return ids;
}

Result<std::string> ControlPlane::register_consumer(std::string_view stream_arn, std::string_view consumer_name,
                                                    std::chrono::seconds timeout) const {
  auto r = invoke("RegisterStreamConsumer", Object{{"StreamARN", stream_arn}, {"ConsumerName", consumer_name}});
  if (!r) return error(r.error());
  const Value* c = r->find("Consumer");
  std::string arn = c ? std::string(string_member(*c, "ConsumerARN")) : std::string();
  if (arn.empty()) return error(Status::aborted("RegisterStreamConsumer: no ConsumerARN in the answer"));
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  std::string status = std::string(string_member(*c, "ConsumerStatus"));
  while (status != "ACTIVE") {
    if (std::chrono::steady_clock::now() > deadline) {
      return error(Status::aborted("consumer " + arn + " is still " + status));
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(200));
    auto d = invoke("DescribeStreamConsumer", Object{{"ConsumerARN", arn}});
    if (!d) return error(d.error());
    const Value* desc = d->find("ConsumerDescription");
    status = desc ? std::string(string_member(*desc, "ConsumerStatus")) : std::string();
  }
  return arn;
}

Status ControlPlane::deregister_consumer(std::string_view consumer_arn) const {
  auto r = invoke("DeregisterStreamConsumer", Object{{"ConsumerARN", consumer_arn}});
  return r ? Status::ok() : r.error();
}

Status ControlPlane::delete_stream(std::string_view name) const {
  auto r = invoke("DeleteStream", Object{{"StreamName", name}, {"EnforceConsumerDeletion", true}});
  return r ? Status::ok() : r.error();
}

}  // namespace runnel::bench
