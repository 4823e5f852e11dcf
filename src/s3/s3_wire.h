#pragma once
// Helpers shared by the S3 service's handlers (s3_service.cc,
// s3_objects.cc, s3_multipart.cc): reading input members, S3's errors,
// writing a streamed payload into a blob. Internal to s3/.
#include <memory>
#include <optional>
#include <string>

#include "protocol/api_error.h"
#include "protocol/dispatcher.h"
#include "protocol/service.h"
#include "protocol/value.h"
#include "s3/embedded_store.h"

namespace runnel::s3 {

// The string member `name` of `in`, or `fallback`.
std::string str(const protocol::Value& in, std::string_view name, std::string fallback = "");
std::optional<int64_t> int_member(const protocol::Value& in, std::string_view name);

// Registers `handler` for the operation `op`; its errors carry S3's
// <Resource>, the request's "/bucket" or "/bucket/key".
void on(protocol::OperationTable& table, std::string_view op, protocol::OperationHandler handler);

// S3's error for a store Status, with its HTTP status.
protocol::ApiError s3_error(const Status& s);
protocol::ApiError s3_error(std::string code, std::string message);
std::unexpected<protocol::ApiError> fail(const Status& s);
std::unexpected<protocol::ApiError> fail(std::string code, std::string message);

// The object's metadata as an output Metadata map.
protocol::Value metadata_value(const Metadata& m);
// x-amz-meta-* of the input (the Metadata map).
Metadata metadata_of(const protocol::Value& in);
// ContentType, ContentEncoding, Metadata of a PutObject-like input.
ObjectMeta object_meta_of(const protocol::Value& in, const std::string& key);

// Checks a key's length (S3: at most 1024 bytes).
std::optional<protocol::ApiError> check_key(const std::string& key);

// The decoded Content-MD5 (16 bytes) of the input, nullopt when absent, or
// InvalidDigest when it is not base64 of 16 bytes.
protocol::ApiResult<std::optional<std::string>> content_md5(const protocol::Value& in);

// Writes the request's payload into a new blob and calls `done` on a store
// worker with the blob (and its MD5 checked against `md5`, BadDigest), or
// the error. The payload comes from ctx.payload when the body was streamed,
// else from the input's `body_member` blob.
void receive_payload(EmbeddedStore& store, const protocol::Value& in, std::string_view body_member,
                     const protocol::RequestContext& ctx, std::optional<std::string> md5,
                     std::function<void(protocol::ApiResult<std::unique_ptr<BlobWriter>>)> done);

}  // namespace runnel::s3
