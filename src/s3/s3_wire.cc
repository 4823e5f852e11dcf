#include "s3/s3_wire.h"

#include "common/mutex.h"
#include "protocol/base64.h"
#include "protocol/streamed_payload.h"

namespace runnel::s3 {

using protocol::Object;
using protocol::Value;

std::string str(const Value& in, std::string_view name, std::string fallback) {
  const Value* v = in.find(name);
  return v && v->is_string() ? v->as_string() : fallback;
}

std::optional<int64_t> int_member(const Value& in, std::string_view name) {
  const Value* v = in.find(name);
  if (v && v->is_int()) return v->as_int();
  return std::nullopt;
}

namespace {
int status_of(std::string_view code) {
  if (code == "NoSuchBucket" || code == "NoSuchKey" || code == "NoSuchUpload") return 404;
  if (code == "BucketAlreadyOwnedByYou" || code == "BucketNotEmpty" || code == "BucketAlreadyExists") return 409;
  if (code == "InvalidRange") return 416;
  if (code == "PreconditionFailed") return 412;
  if (code == "NotImplemented") return 501;
  if (code == "InternalError") return 500;
  if (code == "ServiceUnavailable") return 503;
  return 400;
}
}  // namespace

void on(protocol::OperationTable& table, std::string_view op, protocol::OperationHandler handler) {
  table.on(op, [handler = std::move(handler)](const protocol::OperationModel& model_op, Value in,
                                              const protocol::RequestContext& ctx, protocol::OperationReply reply) {
    std::string resource = str(in, "Bucket");
    if (!resource.empty()) resource.insert(0, "/");  // ListBuckets names none
    if (const Value* key = in.find("Key"); key && key->is_string()) resource += "/" + key->as_string();
    handler(model_op, std::move(in), ctx,
            [reply = std::move(reply), resource = std::move(resource)](protocol::ApiResult<Value> result) {
              if (!result && result.error().resource.empty()) result.error().resource = resource;
              reply(std::move(result));
            });
  });
}

protocol::ApiError s3_error(std::string code, std::string message) {
  int status = status_of(code);
  return protocol::ApiError{std::move(code), std::move(message), status, false};
}

protocol::ApiError s3_error(const Status& s) {
  auto [code, message] = s3_error_code(s);
  return s3_error(std::move(code), std::move(message));
}

std::unexpected<protocol::ApiError> fail(const Status& s) { return std::unexpected(s3_error(s)); }
std::unexpected<protocol::ApiError> fail(std::string code, std::string message) {
  return std::unexpected(s3_error(std::move(code), std::move(message)));
}

Value metadata_value(const Metadata& m) {
  Value out = Object{};
  for (const auto& [k, v] : m) out.set(k, v);
  return out;
}

Metadata metadata_of(const Value& in) {
  Metadata out;
  if (const Value* m = in.find("Metadata"); m && m->is_object())
    for (const auto& member : m->as_object())
      if (member.value.is_string()) out.emplace_back(member.key, member.value.as_string());
  return out;
}

ObjectMeta object_meta_of(const Value& in, const std::string& key) {
  ObjectMeta meta;
  meta.info.key = key;
  meta.content_type = str(in, "ContentType", "binary/octet-stream");
  meta.content_encoding = str(in, "ContentEncoding");
  // aws-chunked is the request's framing (already removed), not the object's.
  if (meta.content_encoding == "aws-chunked") meta.content_encoding.clear();
  if (meta.content_encoding.starts_with("aws-chunked,")) meta.content_encoding.erase(0, 12);
  while (meta.content_encoding.starts_with(" ")) meta.content_encoding.erase(0, 1);
  meta.metadata = metadata_of(in);
  return meta;
}

std::optional<protocol::ApiError> check_key(const std::string& key) {
  if (key.size() > 1024) return s3_error("KeyTooLongError", "Your key is too long");
  return std::nullopt;
}

protocol::ApiResult<std::optional<std::string>> content_md5(const Value& in) {
  const Value* v = in.find("ContentMD5");
  if (!v || !v->is_string()) return std::optional<std::string>();
  auto raw = protocol::base64_decode(v->as_string());
  if (!raw || raw->size() != 16) return fail("InvalidDigest", "The Content-MD5 you specified was not valid.");
  return std::optional<std::string>(std::move(*raw));
}

namespace {

Status check_md5(BlobWriter& blob, const std::optional<std::string>& md5) {
  if (md5 && blob.md5() != *md5)
    return Status::invalid_argument("BadDigest: The Content-MD5 you specified did not match what we received.");
  return Status::ok();
}

// Writes a streamed payload into a blob as it arrives.
class BlobSink final : public protocol::PayloadReader {
 public:
  BlobSink(EmbeddedStore& store, std::shared_ptr<protocol::StreamedPayload> payload, std::unique_ptr<BlobWriter> blob,
           std::optional<std::string> md5, std::function<void(protocol::ApiResult<std::unique_ptr<BlobWriter>>)> done)
      : store_(store),
        payload_(std::move(payload)),
        blob_(std::move(blob)),
        md5_(std::move(md5)),
        done_(std::move(done)) {}

  void on_payload(std::string_view bytes) override {
    if (write_error_.is_ok()) write_error_ = blob_->append(bytes);
    payload_->consume(bytes.size());
  }
  void on_payload_end(protocol::ApiResult<void> result) override {
    if (!result) return done_(std::unexpected(result.error()));  // the blob's temp file goes with it
    if (!write_error_) return done_(fail(write_error_));
    store_.run([blob = std::move(blob_), md5 = md5_, done = std::move(done_)]() mutable {
      if (Status s = check_md5(*blob, md5); !s) return done(fail(s));
      done(std::move(blob));
    });
  }

 private:
  EmbeddedStore& store_;
  std::shared_ptr<protocol::StreamedPayload> payload_;
  std::unique_ptr<BlobWriter> blob_;
  std::optional<std::string> md5_;
  std::function<void(protocol::ApiResult<std::unique_ptr<BlobWriter>>)> done_;
  Status write_error_;
};

}  // namespace

void receive_payload(EmbeddedStore& store, const Value& in, std::string_view body_member,
                     const protocol::RequestContext& ctx, std::optional<std::string> md5,
                     std::function<void(protocol::ApiResult<std::unique_ptr<BlobWriter>>)> done) {
  auto blob = store.new_blob();
  if (!blob) return done(fail(blob.error()));
  if (ctx.payload) {
    auto payload = ctx.payload;
    payload->read(std::make_shared<BlobSink>(store, payload, std::move(*blob), std::move(md5), std::move(done)));
    return;
  }
  std::string body;
  if (const Value* b = in.find(body_member); b && b->is_blob()) body = b->as_blob().bytes;
  store.run([body = std::move(body), blob = std::move(*blob), md5 = std::move(md5), done = std::move(done)]() mutable {
    if (Status s = blob->append(body); !s) return done(fail(s));
    if (Status s = check_md5(*blob, md5); !s) return done(fail(s));
    done(std::move(blob));
  });
}

}  // namespace runnel::s3
