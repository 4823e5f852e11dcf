#pragma once
// RemoteStore: the ObjectStore (s3/object_store.h) of `--s3-endpoint`, an S3
// client for any S3-compatible store (AWS S3, Ceph RGW, MinIO, s3rver).
// Path-style addressing (`endpoint/bucket/key`), SigV4 for service `s3`,
// over libcurl on one thread of its own (s3/s3_client_loop.h). docs/s3-client.md
// says how it behaves towards the store.
//
// put_object() sends a body of up to `multipart_threshold` bytes as one PUT
// with Content-MD5; a larger one as a multipart upload (Create, the parts
// `part_parallelism` at a time, each with Content-MD5, then Complete), which
// S3 makes visible only at Complete; on any failure the upload is aborted, so
// no part of it is ever visible under the key. `done` reports success only
// once the store answered 200 to the PUT or to Complete.
//
// Threads: every method may be called from any thread; every `done` runs on
// RemoteStore's own thread, never inside the call; keep it short (it holds up
// every other answer). put_object() returns once it has hashed a single-PUT
// body (MD5 and SHA-256, about 2 ms per MiB); parts are hashed on the
// client's thread. Errors: s3/s3_client_response.h's mapping, plus
// kAborted for calls the destructor cut short.
//
// Shutdown: the destructor fails every call still queued or running with
// kAborted (each `done` exactly once) and returns when all have run. A
// multipart upload cut short is left for the store to expire (its abort is
// not sent). Never destroy the store from one of its own `done` callbacks.

#include <cstdint>
#include <functional>
#include <memory>
#include <string>

#include "s3/object_store.h"
#include "s3/s3_client_loop.h"

namespace runnel::s3 {

struct RemoteStoreOptions {
  std::string endpoint;  // http://host[:port] or https://host[:port]
  std::string region = "us-east-1";
  std::string access_key_id;
  std::string secret_access_key;
  std::string session_token;  // empty: none

  int max_connections = 16;  // requests in flight at once, all calls together
  // Bodies larger than this go as multipart uploads, in parts of part_size
  // (grown if needed so that there are at most 10,000 parts).
  uint64_t multipart_threshold = 64ull << 20;
  uint64_t part_size = 16ull << 20;  // S3's minimum is 5 MiB
  int part_parallelism = 4;          // parts of one upload in flight at once

  long connect_timeout_ms = 10'000;
  long request_timeout_ms = 300'000;  // one request, body included
  bool verify_tls = true;
};

// Fills the credentials the usual AWS environment variables give
// (AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY, AWS_SESSION_TOKEN), and the
// region from AWS_REGION, else AWS_DEFAULT_REGION, else us-east-1, when
// `options.region` is empty. Fields already set are kept. `getenv` is std::getenv but for tests.
void fill_remote_store_options_from_environment(RemoteStoreOptions& options,
                                                const char* (*getenv)(const char*) = nullptr);

class RemoteStore final : public ObjectStore {
 public:
  // kInvalidArgument for an endpoint that is not http(s)://host[:port],
  // missing credentials, or sizes S3 would refuse (part_size < 5 MiB,
  // multipart_threshold < part_size). Starts the client's thread.
  static Result<std::unique_ptr<RemoteStore>> create(RemoteStoreOptions options);
  ~RemoteStore() override;

  void put_object(PutObjectRequest req, std::function<void(Result<ObjectInfo>)> done) override;
  // HEAD /bucket: Ok on 200; kNotFound on 404 (NoSuchBucket); AccessDenied
  // (403) is kInvalidArgument.
  void head_bucket(const std::string& bucket, std::function<void(Status)> done) override;
  void get_object(const std::string& bucket, const std::string& key,
                  std::function<void(Result<std::string>)> done) override;
  // ListObjectsV2 with start-after = `after`; ListResult::next is the last
  // key of a truncated page (store-independent, unlike continuation tokens).
  void list_objects(const std::string& bucket, const std::string& prefix, const std::string& after, int max_keys,
                    std::function<void(Result<ListResult>)> done) override;

  // What the store was built with (the endpoint normalised).
  const RemoteStoreOptions& options() const { return options_; }
  // HTTP requests sent to the store so far (a multipart upload of n parts
  // is n + 2). Any thread.
  uint64_t requests_sent() const { return loop_->requests_started(); }

 private:
  struct MultipartPut;
  RemoteStore(RemoteStoreOptions options, S3ClientEndpoint endpoint);
  void put_multipart(PutObjectRequest req, std::function<void(Result<ObjectInfo>)> done);
  // Runs `done(status)` on the client's thread (never inside the caller).
  template <class Done>
  void fail_soon(Done done, Status status);

  RemoteStoreOptions options_;
  std::unique_ptr<S3ClientLoop> loop_;
};

}  // namespace runnel::s3
