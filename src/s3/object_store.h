#pragma once
// ObjectStore: how the other services (Firehose, later Analytics' reference
// data) write and read S3 objects, without HTTP or XML. Two implementations
// stand behind it (ARCHITECTURE.md): the embedded store that this folder
// serves on runnel's own port (s3/embedded_store.h, the default), and an S3
// client for `--s3-endpoint` (any S3-compatible store).
//
// Contracts every implementation keeps:
//  - put_object() is all or nothing: no reader ever sees a partly written
//    object, and `done` reports success only once the object is durable
//    (embedded: data and name fsynced; remote: the store answered 200 to the
//    PUT or to CompleteMultipartUpload).
//  - `done` is called exactly once, on a thread of the implementation's
//    choosing (never inside the call for the remote client); keep it short.
//  - Every method may be called from any thread, concurrently.
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "common/status.h"

namespace runnel::s3 {

struct ObjectInfo {
  std::string key;
  std::string etag;  // as S3 gives it, with its quotes
  uint64_t size = 0;
  int64_t last_modified_ms = 0;
};

struct PutObjectRequest {
  std::string bucket;
  std::string key;
  // The bytes, shared rather than copied: a caller that keeps them for a
  // retry (Firehose's delivery engine, 32–128 MiB objects) hands the store
  // its own buffer. Null: an empty object.
  std::shared_ptr<const std::string> body;
  std::string content_type = "application/octet-stream";
  std::string content_encoding;                               // empty: none
  std::vector<std::pair<std::string, std::string>> metadata;  // x-amz-meta-*

  std::string_view bytes() const { return body ? std::string_view(*body) : std::string_view(); }
  void set_body(std::string b) { body = std::make_shared<const std::string>(std::move(b)); }
};

struct ListResult {
  std::vector<ObjectInfo> objects;  // in key order
  std::optional<std::string> next;  // continuation: pass back as `after`
};

class ObjectStore {
 public:
  virtual ~ObjectStore() = default;

  // Stores `req.body` under (bucket, key), replacing any object there.
  // Status codes: kNotFound for a missing bucket (S3's NoSuchBucket),
  // kInvalidArgument for a name S3 refuses, kIoError/kResourceExhausted for
  // a failure worth retrying.
  virtual void put_object(PutObjectRequest req, std::function<void(Result<ObjectInfo>)> done) = 0;

  // Ok when the bucket exists and can be written; kNotFound when it does not.
  virtual void head_bucket(const std::string& bucket, std::function<void(Status)> done) = 0;

  // The whole object; kNotFound when the bucket or key is missing.
  virtual void get_object(const std::string& bucket, const std::string& key,
                          std::function<void(Result<std::string>)> done) = 0;

  // Up to `max_keys` objects whose key starts with `prefix` and sorts after
  // `after` (empty: from the first).
  virtual void list_objects(const std::string& bucket, const std::string& prefix, const std::string& after,
                            int max_keys, std::function<void(Result<ListResult>)> done) = 0;
};

// The bucket an S3 bucket ARN names: "arn:aws:s3:::b" -> "b" (any partition:
// aws, aws-cn, aws-us-gov); nullopt for anything else.
std::optional<std::string> bucket_from_arn(std::string_view arn);

}  // namespace runnel::s3
