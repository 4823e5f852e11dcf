#pragma once
// EmbeddedStore: runnel's own S3-compatible object store, on local disk
// under one directory (`<data-dir>/s3`). Both the S3 service (s3_service.h,
// what clients reach over HTTP) and in-process writers (Firehose, through
// ObjectStore) use the same instance, so they see the same objects.
//
// Layout and durability (docs/s3.md has it byte by byte):
//   index.db   SQLite (WAL, synchronous=FULL): buckets, objects, uploads, parts
//   blobs/<id> an object's or a part's bytes, immutable once named
//   tmp/<id>   a blob being written
// Acknowledged means on disk: a blob is written to tmp/, fsynced, renamed to
// blobs/, blobs/ fsynced, and only then named by the index in one SQLite
// transaction (committed with synchronous=FULL). No reader sees an object
// before that commit, so a crash at any point loses nothing acknowledged and
// shows no partial object. The blob an overwrite or delete replaced is
// unlinked after the commit; temp files and blobs no row names (what a crash
// leaves) are removed by open().
//
// Errors: Status whose message starts with S3's error code and a colon
// ("NoSuchBucket: The specified bucket does not exist"): s3_error_code()
// splits it. kNotFound (NoSuchBucket, NoSuchKey, NoSuchUpload), kAborted
// (BucketAlreadyOwnedByYou, BucketNotEmpty), kInvalidArgument
// (InvalidBucketName, InvalidPart, InvalidPartOrder, EntityTooSmall,
// KeyTooLongError, InvalidArgument), kIoError / kResourceExhausted for the
// disk.
//
// Threads: every method may be called from any thread, concurrently; the
// synchronous ones block on the disk (fsync), so the S3 service calls them
// through run(), on the store's own worker threads. The ObjectStore methods
// do the same and call `done` on a worker thread.
#include <sqlite3.h>

#include <condition_variable>
#include <cstdint>
#include <deque>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "common/mutex.h"
#include "common/status.h"
#include "s3/blob_file.h"
#include "s3/object_store.h"

namespace runnel::s3 {

using Metadata = std::vector<std::pair<std::string, std::string>>;

// What the index knows about an object (or, for a part, the same fields).
struct ObjectMeta {
  ObjectInfo info;  // key, quoted etag, size, last_modified_ms
  std::string content_type = "binary/octet-stream";
  std::string content_encoding;
  Metadata metadata;
  std::string blob;  // blob id
};

struct BucketInfo {
  std::string name;
  int64_t created_ms = 0;
};

struct ListQuery {
  std::string prefix;
  std::string delimiter;  // empty: none
  std::string after;      // exclusive start (start-after, marker, continuation)
  int max_keys = 1000;
};

struct ListPage {
  std::vector<ObjectInfo> objects;
  std::vector<std::string> common_prefixes;
  bool truncated = false;
  std::string last;  // the last key or common prefix returned (the next `after`)
};

struct UploadInfo {
  std::string upload_id, key;
  int64_t initiated_ms = 0;
  std::string content_type, content_encoding;
  Metadata metadata;
};

struct PartInfo {
  int part_number = 0;
  std::string etag;  // quoted
  uint64_t size = 0;
  int64_t last_modified_ms = 0;
  std::string blob;
};

// An object opened for reading (EmbeddedStore::open_object()).
class OpenObject {
 public:
  OpenObject(ObjectMeta meta, int fd) : meta(std::move(meta)), fd_(fd) {}
  ~OpenObject();
  OpenObject(const OpenObject&) = delete;
  OpenObject& operator=(const OpenObject&) = delete;
  // Bytes [offset, offset + length) of the object (pread; any thread).
  Result<std::string> read(uint64_t offset, uint64_t length) const;
  const ObjectMeta meta;

 private:
  int fd_;
};

// The S3 error code a store Status carries ("NoSuchKey"), and its message.
std::pair<std::string, std::string> s3_error_code(const Status& s);

// S3's rules for a (general purpose) bucket name: 3-63 characters of a-z,
// 0-9, '.', '-'; begins and ends with a letter or digit; no "..", not an
// IPv4 address, not starting "xn--", "sthree-" or "amzn-s3-demo-", not ending
// "-s3alias", "--ol-s3", ".mrap" or "--x-s3".
bool valid_bucket_name(std::string_view name);

struct EmbeddedStoreOptions {
  int worker_threads = 2;
  // S3's smallest part but the last (EntityTooSmall below it); tests lower it.
  uint64_t min_part_size = 5u << 20;
};

class EmbeddedStore final : public ObjectStore {
 public:
  // Opens (creating) the store in `dir`, removing what a crash left behind.
  static Result<std::unique_ptr<EmbeddedStore>> open(const std::string& dir, EmbeddedStoreOptions options = {});
  ~EmbeddedStore() override;

  // Runs `work` on one of the store's worker threads (for calls that block);
  // inline once stop_workers() has been called.
  void run(std::move_only_function<void()> work);
  // Runs what was queued, then stops the workers (the destructor does too).
  void stop_workers();

  // ---- Buckets.
  Status create_bucket(const std::string& bucket);
  Status delete_bucket(const std::string& bucket);  // BucketNotEmpty while objects or uploads remain
  Result<BucketInfo> find_bucket(const std::string& bucket);
  Result<std::vector<BucketInfo>> list_buckets();

  // ---- Objects.
  // A new blob to write an object or part into (then commit_*()).
  Result<std::unique_ptr<BlobWriter>> new_blob() { return BlobWriter::create(dir_); }
  // Seals `blob` and makes it (bucket, key), replacing any object there.
  // `meta.info.key`, etag, size and time are filled in here.
  Result<ObjectMeta> commit_object(const std::string& bucket, ObjectMeta meta, std::unique_ptr<BlobWriter> blob);
  Result<ObjectMeta> head_object(const std::string& bucket, const std::string& key);
  // The object and an open descriptor of its blob, taken together so that
  // a concurrent overwrite or delete cannot remove the bytes under the
  // reader: reads of the returned object see the version it describes.
  Result<std::unique_ptr<OpenObject>> open_object(const std::string& bucket, const std::string& key);
  // Deletes (bucket, key); ok when there was no such key (as S3).
  Status delete_object(const std::string& bucket, const std::string& key);
  // Copies an object; `replace` (metadata directive REPLACE) gives the new
  // content type, encoding and metadata, else the source's are kept.
  Result<ObjectMeta> copy_object(const std::string& src_bucket, const std::string& src_key,
                                 const std::string& dst_bucket, const std::string& dst_key,
                                 const std::optional<ObjectMeta>& replace);
  Result<ListPage> list(const std::string& bucket, const ListQuery& q);

  // ---- Multipart uploads.
  Result<std::string> create_upload(const std::string& bucket, ObjectMeta meta);
  Result<PartInfo> commit_part(const std::string& bucket, const std::string& key, const std::string& upload_id,
                               int part_number, std::unique_ptr<BlobWriter> blob);
  // Joins the listed parts (number and quoted or bare ETag, ascending) into
  // the object; ETag = MD5 of the parts' MD5s, "-<count>".
  Result<ObjectMeta> complete_upload(const std::string& bucket, const std::string& key, const std::string& upload_id,
                                     const std::vector<std::pair<int, std::string>>& parts);
  Status abort_upload(const std::string& bucket, const std::string& key, const std::string& upload_id);
  Result<UploadInfo> find_upload(const std::string& bucket, const std::string& key, const std::string& upload_id);
  Result<std::vector<PartInfo>> list_parts(const std::string& bucket, const std::string& key,
                                           const std::string& upload_id);
  Result<std::vector<UploadInfo>> list_uploads(const std::string& bucket, const std::string& prefix);

  // ---- ObjectStore.
  void put_object(PutObjectRequest req, std::function<void(Result<ObjectInfo>)> done) override;
  void head_bucket(const std::string& bucket, std::function<void(Status)> done) override;
  void get_object(const std::string& bucket, const std::string& key,
                  std::function<void(Result<std::string>)> done) override;
  void list_objects(const std::string& bucket, const std::string& prefix, const std::string& after, int max_keys,
                    std::function<void(Result<ListResult>)> done) override;

  const std::string& dir() const { return dir_; }

 private:
  EmbeddedStore(std::string dir, EmbeddedStoreOptions options, sqlite3* db);
  Status init_schema() REQUIRES(mu_);
  Status remove_orphans() REQUIRES(mu_);
  Status bucket_exists(const std::string& bucket) REQUIRES(mu_);
  void unlink_blob(const std::string& id);
  void worker_loop();

  const std::string dir_;
  const EmbeddedStoreOptions options_;
  Mutex mu_;
  sqlite3* db_ GUARDED_BY(mu_);

  Mutex work_mu_;
  CondVar work_cv_;
  std::deque<std::move_only_function<void()>> work_ GUARDED_BY(work_mu_);
  bool stopping_ GUARDED_BY(work_mu_) = false;
  std::vector<std::thread> workers_;
};

}  // namespace runnel::s3
