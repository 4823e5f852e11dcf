#include "bench/firehose_setup.h"

#include <thread>

#include "bench/firehose_requests.h"
#include "bench/http_client.h"
#include "bench/kinesis_requests.h"

namespace runnel::bench {

using protocol::Object;
using protocol::Value;

namespace {

// "<what>: <Code>" of a failed S3 request.
Status s3_failure(std::string_view what, const HttpResult& r) {
  std::string type = r.network_error.empty() ? s3_error_code(r.body) : "network: " + r.network_error;
  if (type.empty()) type = "HTTP " + std::to_string(r.status);
  return Status::aborted(std::string(what) + ": " + type);
}

}  // namespace

Result<Value> FirehoseSetup::invoke(std::string_view operation, const Value& request) const {
  HttpResult r = call(o_, operation, encode_body(request, Encoding::kJson), kFirehoseApi);
  std::string op(operation);
  if (!r.ok()) {
    std::string msg = r.network_error.empty() ? error_message(r.body, Encoding::kJson) : std::string();
    return error(Status::aborted(op + ": " + r.error_type(Encoding::kJson) + (msg.empty() ? "" : ": " + msg)));
  }
  auto v = decode_body(r.body, Encoding::kJson);
  if (!v || !v->is_object()) return error(Status::aborted(op + ": the answer could not be decoded"));
  return std::move(*v);
}

Status FirehoseSetup::create_bucket(std::string_view bucket) const {
  HttpResult r = call_rest(o_, "PUT", "/" + std::string(bucket));
  if (!r.ok()) return s3_failure("CreateBucket " + std::string(bucket), r);
  return Status::ok();
}

Status FirehoseSetup::create_delivery_stream(std::string_view name, std::string_view bucket) const {
  auto r = invoke("CreateDeliveryStream", create_delivery_stream_request(name, bucket, o_));
  return r ? Status::ok() : r.error();
}

Status FirehoseSetup::wait_active(std::string_view name, std::chrono::seconds timeout) const {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  std::string status;
  while (std::chrono::steady_clock::now() < deadline) {
    auto r = invoke("DescribeDeliveryStream", Object{{"DeliveryStreamName", name}});
    if (!r) return r.error();
    const Value* d = r->find("DeliveryStreamDescription");
    if (!d) return Status::aborted("DescribeDeliveryStream: no DeliveryStreamDescription in the answer");
    status = std::string(string_member(*d, "DeliveryStreamStatus"));
    if (status == "ACTIVE") return Status::ok();
    if (status == "CREATING_FAILED") {
      const Value* f = d->find("FailureDescription");
      return Status::aborted(
          "delivery stream " + std::string(name) + " is CREATING_FAILED" +
          (f ? ": " + std::string(string_member(*f, "Type")) + ": " + std::string(string_member(*f, "Details"))
             : std::string()));
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  return Status::aborted("delivery stream " + std::string(name) + " is still " + status + " after " +
                         std::to_string(timeout.count()) + " s");
}

Status FirehoseSetup::delete_delivery_stream(std::string_view name, std::chrono::seconds timeout) const {
  if (auto r = invoke("DeleteDeliveryStream", Object{{"DeliveryStreamName", name}}); !r) return r.error();
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  while (std::chrono::steady_clock::now() < deadline) {
    auto r = invoke("DescribeDeliveryStream", Object{{"DeliveryStreamName", name}});
    if (!r) {
      if (r.error().message().find("ResourceNotFoundException") != std::string::npos) return Status::ok();
      return r.error();
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  return Status::aborted("delivery stream " + std::string(name) + " still exists " + std::to_string(timeout.count()) +
                         " s after DeleteDeliveryStream");
}

Result<std::vector<ListedObject>> FirehoseSetup::list_objects(std::string_view bucket) const {
  std::vector<ListedObject> out;
  std::string token;
  do {
    HttpResult r = call_rest(o_, "GET", list_objects_v2_target(bucket, token));
    if (!r.ok()) return error(s3_failure("ListObjectsV2 " + std::string(bucket), r));
    std::string why;
    auto page = parse_list_objects_v2(r.body, &why);
    if (!page) return error(Status::aborted("ListObjectsV2 " + std::string(bucket) + ": " + why));
    for (ListedObject& o : page->objects) out.push_back(std::move(o));
    token = page->truncated ? page->next_token : std::string();
  } while (!token.empty());
  return out;
}

Status FirehoseSetup::delete_bucket(std::string_view bucket) const {
  auto objects = list_objects(bucket);
  if (!objects) return objects.error();
  for (const ListedObject& o : *objects) {
    HttpResult r = call_rest(o_, "DELETE", object_target(bucket, o.key));
    if (!r.ok() && r.status != 204) return s3_failure("DeleteObject " + o.key, r);
  }
  HttpResult r = call_rest(o_, "DELETE", "/" + std::string(bucket));
  if (!r.ok() && r.status != 204) return s3_failure("DeleteBucket " + std::string(bucket), r);
  return Status::ok();
}

}  // namespace runnel::bench
