#include "s3/remote_store.h"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <chrono>
#include <cstdlib>
#include <utility>
#include <vector>

#include "protocol/http_date.h"
#include "protocol/sigv4.h"
#include "s3/s3_client_response.h"

namespace runnel::s3 {
namespace {

constexpr uint64_t kMinPartSize = 5ull << 20;  // S3's minimum for every part but the last
constexpr uint64_t kMaxParts = 10'000;

Status cancelled_status(std::string_view what) {
  return Status::aborted(std::string(what) + ": the S3 client shut down before the store answered");
}

// A 301 names the bucket's region in a header; say it.
Status with_region_hint(Status st, const S3ClientAnswer& a) {
  const std::string* region = a.header("x-amz-bucket-region");
  if (st.is_ok() || !region || a.status != 301) return st;
  return Status::invalid_argument(st.message() + "; the bucket is in region " + *region + " (set --s3-region)");
}

// The Status of an answer that is not a success.
Status answer_status(const S3ClientAnswer& a, std::string_view what) {
  if (a.cancelled) return cancelled_status(what);
  if (!a.network_error.empty()) return s3_client_network_status(a.network_error, what);
  return with_region_hint(s3_client_error_status(a.status, a.body, what), a);
}

// When the store wrote the object: its Date header (the answer to the PUT or
// Complete), else our clock.
int64_t answer_time_ms(const S3ClientAnswer& a) {
  if (const std::string* date = a.header("date")) {
    if (auto ms = protocol::parse_http_date_millis(*date)) return *ms;
  }
  return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::system_clock::now().time_since_epoch())
      .count();
}

Status check_names(std::string_view bucket, std::string_view key, bool need_key) {
  if (bucket.empty()) return Status::invalid_argument("S3: the bucket name is empty");
  if (need_key && key.empty())
    return Status::invalid_argument("S3: the key of an object in " + std::string(bucket) + " is empty");
  return Status::ok();
}

// The object's headers must not end the request's head early.
Status check_headers(const S3ClientRequest& http) {
  for (const auto& h : http.headers) {
    if (std::string problem = s3_client_header_problem(h.name, h.value); !problem.empty()) {
      return Status::invalid_argument(http.what + ": " + problem);
    }
  }
  return Status::ok();
}

}  // namespace

// One multipart upload. Lives in the callbacks of its requests, all of which
// run on the loop's thread, so its state needs no lock.
struct RemoteStore::MultipartPut : std::enable_shared_from_this<MultipartPut> {
  S3ClientLoop* loop = nullptr;
  PutObjectRequest req;  // body moved into `body`
  std::shared_ptr<const std::string> body;
  uint64_t part_size = 0;
  int part_count = 0;
  int parallelism = 1;
  std::function<void(Result<ObjectInfo>)> done;

  std::string upload_id;
  int next_part = 0;  // index of the next part to send
  int in_flight = 0;
  int uploaded = 0;
  std::vector<std::string> etags;
  Status failure;  // the first failure; once set, no new part starts

  std::string object() const { return req.bucket + "/" + req.key; }

  void start() {
    loop->submit(s3_client_create_multipart(req), [self = shared_from_this()](S3ClientAnswer a) {
      if (!a.ok()) return self->finish(answer_status(a, "CreateMultipartUpload " + self->object()));
      auto id = parse_s3_client_upload_id(a.body);
      if (!id) return self->finish(id.error());
      self->upload_id = std::move(*id);
      self->pump();
    });
  }

  void pump() {
    while (failure.is_ok() && in_flight < parallelism && next_part < part_count) {
      const int index = next_part++;
      const uint64_t offset = static_cast<uint64_t>(index) * part_size;
      const uint64_t size = std::min<uint64_t>(part_size, body->size() - offset);
      ++in_flight;
      loop->submit(s3_client_upload_part(req.bucket, req.key, upload_id, index + 1, body, offset, size),
                   [self = shared_from_this(), index](S3ClientAnswer a) { self->part_done(index, std::move(a)); });
    }
  }

  void part_done(int index, S3ClientAnswer a) {
    --in_flight;
    if (failure.is_ok()) {
      const std::string* etag = a.header("etag");
      if (!a.ok()) {
        failure = answer_status(a, "UploadPart " + std::to_string(index + 1) + " of " + object());
      } else if (!etag || etag->empty()) {
        failure = Status::io_error("UploadPart " + std::to_string(index + 1) + " of " + object() +
                                   ": the store answered without an ETag");
      } else {
        etags[index] = *etag;
        ++uploaded;
      }
    }
    if (!failure.is_ok()) {
      if (in_flight == 0) abort(a.cancelled);
      return;
    }
    if (uploaded == part_count) return complete();
    pump();
  }

  void complete() {
    loop->submit(s3_client_complete_multipart(req.bucket, req.key, upload_id, etags), [self = shared_from_this()](
                                                                                          S3ClientAnswer a) {
      Status st;
      if (!a.ok()) {
        st = answer_status(a, "CompleteMultipartUpload " + self->object());
      } else if (auto etag = parse_s3_client_complete(a.body, "CompleteMultipartUpload " + self->object())) {
        ObjectInfo info{self->req.key, std::move(*etag), self->body->size(), answer_time_ms(a)};
        return self->finish(std::move(info));
      } else {
        st = etag.error();
      }
      self->failure = std::move(st);
      self->abort(a.cancelled);
    });
  }

  // Abandons the upload on the store (its parts are dropped; nothing was
  // ever visible), then reports `failure`. Skipped when the loop is shutting
  // down: the abort would be cancelled too.
  void abort(bool shutting_down) {
    if (shutting_down) return finish(failure);
    loop->submit(s3_client_abort_multipart(req.bucket, req.key, upload_id), [self =
                                                                                 shared_from_this()](S3ClientAnswer a) {
      if (!a.ok() && !a.cancelled) {
        Status st = answer_status(a, "AbortMultipartUpload " + self->object());
        spdlog::warn("s3 client: upload {} of {}/{} not aborted ({}); the store keeps its parts until it expires them",
                     self->upload_id, self->req.bucket, self->req.key, st.to_string());
      }
      self->finish(self->failure);
    });
  }

  void finish(Result<ObjectInfo> r) {
    auto d = std::move(done);
    if (d) d(std::move(r));
  }
  void finish(Status st) { finish(Result<ObjectInfo>(error(std::move(st)))); }
};

void fill_remote_store_options_from_environment(RemoteStoreOptions& options, const char* (*getenv)(const char*)) {
  auto get = [&](const char* name) -> std::string {
    const char* v = getenv ? getenv(name) : std::getenv(name);
    return v ? std::string(v) : std::string();
  };
  if (options.access_key_id.empty() && options.secret_access_key.empty()) {
    options.access_key_id = get("AWS_ACCESS_KEY_ID");
    options.secret_access_key = get("AWS_SECRET_ACCESS_KEY");
    if (options.session_token.empty()) options.session_token = get("AWS_SESSION_TOKEN");
  }
  if (options.region.empty()) options.region = get("AWS_REGION");
  if (options.region.empty()) options.region = get("AWS_DEFAULT_REGION");
  if (options.region.empty()) options.region = "us-east-1";
}

Result<std::unique_ptr<RemoteStore>> RemoteStore::create(RemoteStoreOptions options) {
  auto endpoint = parse_s3_client_endpoint(options.endpoint);
  if (!endpoint) return error(endpoint.error());
  if (options.access_key_id.empty() || options.secret_access_key.empty()) {
    return error(Status::invalid_argument(
        "S3 endpoint " + options.endpoint +
        ": no credentials (set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, or pass them as flags)"));
  }
  if (options.region.empty()) return error(Status::invalid_argument("S3 endpoint: the region is empty"));
  if (options.part_size < kMinPartSize) {
    return error(Status::invalid_argument("S3 part size " + std::to_string(options.part_size) +
                                          " is below S3's minimum of 5 MiB"));
  }
  if (options.multipart_threshold < options.part_size) {
    return error(Status::invalid_argument("S3 multipart threshold " + std::to_string(options.multipart_threshold) +
                                          " is below the part size " + std::to_string(options.part_size)));
  }
  if (options.max_connections < 1 || options.part_parallelism < 1 || options.connect_timeout_ms < 1 ||
      options.request_timeout_ms < 1) {
    return error(Status::invalid_argument("S3 client: connections, part parallelism and timeouts must be positive"));
  }
  return std::unique_ptr<RemoteStore>(new RemoteStore(std::move(options), std::move(*endpoint)));
}

RemoteStore::RemoteStore(RemoteStoreOptions options, S3ClientEndpoint endpoint) : options_(std::move(options)) {
  options_.endpoint = endpoint.base_url();
  S3ClientLoopOptions lo;
  lo.endpoint = std::move(endpoint);
  lo.region = options_.region;
  lo.access_key_id = options_.access_key_id;
  lo.secret_access_key = options_.secret_access_key;
  lo.session_token = options_.session_token;
  lo.max_in_flight = options_.max_connections;
  lo.connect_timeout_ms = options_.connect_timeout_ms;
  lo.request_timeout_ms = options_.request_timeout_ms;
  lo.verify_tls = options_.verify_tls;
  loop_ = std::make_unique<S3ClientLoop>(std::move(lo));
  // The secret lives in the signer now; do not keep a second copy.
  options_.secret_access_key.assign(options_.secret_access_key.size(), '\0');
  options_.secret_access_key.clear();
}

RemoteStore::~RemoteStore() { loop_.reset(); }  // fails what is outstanding, joins

template <class Done>
void RemoteStore::fail_soon(Done done, Status status) {
  loop_->post([done = std::move(done), status = std::move(status)](bool) mutable { done(error(std::move(status))); });
}

void RemoteStore::put_object(PutObjectRequest req, std::function<void(Result<ObjectInfo>)> done) {
  if (Status st = check_names(req.bucket, req.key, true); !st.is_ok()) return fail_soon(std::move(done), st);
  if (Status st = check_headers(s3_client_create_multipart(req)); !st.is_ok()) {
    return fail_soon(std::move(done), st);
  }
  if (req.bytes().size() > options_.multipart_threshold) return put_multipart(std::move(req), std::move(done));
  auto body = req.body ? std::move(req.body) : std::make_shared<const std::string>();
  S3ClientRequest http = s3_client_put_object(req, body);
  http.payload_sha256 = protocol::sigv4_sha256_hex(http.body);  // here, not on the loop's thread
  std::string what = http.what;
  loop_->submit(std::move(http), [key = std::move(req.key), size = body->size(), what = std::move(what),
                                  done = std::move(done)](S3ClientAnswer a) {
    if (!a.ok()) return done(error(answer_status(a, what)));
    const std::string* etag = a.header("etag");
    done(ObjectInfo{key, etag ? *etag : std::string(), size, answer_time_ms(a)});
  });
}

void RemoteStore::put_multipart(PutObjectRequest req, std::function<void(Result<ObjectInfo>)> done) {
  auto up = std::make_shared<MultipartPut>();
  up->loop = loop_.get();
  up->body = req.body ? std::move(req.body) : std::make_shared<const std::string>();
  req.body.reset();
  const uint64_t size = up->body->size();
  up->part_size = std::max<uint64_t>(options_.part_size, (size + kMaxParts - 1) / kMaxParts);
  up->part_count = static_cast<int>((size + up->part_size - 1) / up->part_size);
  up->parallelism = options_.part_parallelism;
  up->etags.resize(static_cast<std::size_t>(up->part_count));
  up->req = std::move(req);
  up->done = std::move(done);
  up->start();
}

void RemoteStore::head_bucket(const std::string& bucket, std::function<void(Status)> done) {
  if (Status st = check_names(bucket, "", false); !st.is_ok()) {
    return loop_->post([done = std::move(done), st = std::move(st)](bool) mutable { done(std::move(st)); });
  }
  S3ClientRequest http = s3_client_head_bucket(bucket);
  std::string what = http.what;
  loop_->submit(std::move(http), [what = std::move(what), done = std::move(done)](S3ClientAnswer a) {
    if (a.ok()) return done(Status::ok());
    // HEAD answers carry no body: name S3's code for the usual case.
    if (!a.cancelled && a.network_error.empty() && a.status == 404) {
      return done(Status::not_found(what + ": S3 NoSuchBucket: The specified bucket does not exist (HTTP 404)"));
    }
    done(answer_status(a, what));
  });
}

void RemoteStore::get_object(const std::string& bucket, const std::string& key,
                             std::function<void(Result<std::string>)> done) {
  if (Status st = check_names(bucket, key, true); !st.is_ok()) return fail_soon(std::move(done), st);
  S3ClientRequest http = s3_client_get_object(bucket, key);
  std::string what = http.what;
  loop_->submit(std::move(http), [what = std::move(what), done = std::move(done)](S3ClientAnswer a) {
    if (!a.ok()) return done(error(answer_status(a, what)));
    done(std::move(a.body));
  });
}

void RemoteStore::list_objects(const std::string& bucket, const std::string& prefix, const std::string& after,
                               int max_keys, std::function<void(Result<ListResult>)> done) {
  if (Status st = check_names(bucket, "", false); !st.is_ok()) return fail_soon(std::move(done), st);
  S3ClientRequest http = s3_client_list_objects(bucket, prefix, after, max_keys);
  std::string what = http.what;
  loop_->submit(std::move(http), [what = std::move(what), done = std::move(done)](S3ClientAnswer a) {
    if (!a.ok()) return done(error(answer_status(a, what)));
    done(parse_s3_client_list(a.body));
  });
}

}  // namespace runnel::s3
