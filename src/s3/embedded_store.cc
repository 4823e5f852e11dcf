#include "s3/embedded_store.h"

#include <dirent.h>
#include <fcntl.h>
#include <openssl/evp.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstring>
#include <set>

#include <spdlog/spdlog.h>

#include "protocol/percent_decode.h"
#include "s3/index_db.h"

namespace runnel::s3 {

// kOk when `bucket` exists, else NoSuchBucket. The caller holds the store's lock.
Status bucket_exists_in(sqlite3* db, const std::string& bucket);

namespace {

int64_t now_ms() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::system_clock::now().time_since_epoch())
      .count();
}

Status s3_status(Status::Code code, std::string_view s3_code, std::string_view message) {
  std::string m = std::string(s3_code) + ": " + std::string(message);
  switch (code) {
    case Status::Code::kNotFound: return Status::not_found(std::move(m));
    case Status::Code::kAborted: return Status::aborted(std::move(m));
    default: return Status::invalid_argument(std::move(m));
  }
}
Status no_such_bucket() {
  return s3_status(Status::Code::kNotFound, "NoSuchBucket", "The specified bucket does not exist");
}
Status no_such_key() { return s3_status(Status::Code::kNotFound, "NoSuchKey", "The specified key does not exist."); }
Status no_such_upload() {
  return s3_status(Status::Code::kNotFound, "NoSuchUpload",
                   "The specified upload does not exist. The upload ID may be invalid, or the upload may have been "
                   "aborted or completed.");
}
Status invalid_part() {
  return s3_status(Status::Code::kInvalidArgument, "InvalidPart",
                   "One or more of the specified parts could not be found.  The part may not have been uploaded, or "
                   "the specified entity tag may not match the part's entity tag.");
}

std::string quoted(const std::string& hex) { return "\"" + hex + "\""; }
std::string unquoted(std::string_view etag) {
  if (etag.size() >= 2 && etag.front() == '"' && etag.back() == '"') etag = etag.substr(1, etag.size() - 2);
  return std::string(etag);
}

std::optional<std::string> from_hex(std::string_view hex) {
  if (hex.size() % 2) return std::nullopt;
  auto digit = [](char c) -> int {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
  };
  std::string out;
  for (size_t i = 0; i < hex.size(); i += 2) {
    int hi = digit(hex[i]), lo = digit(hex[i + 1]);
    if (hi < 0 || lo < 0) return std::nullopt;
    out += static_cast<char>(hi * 16 + lo);
  }
  return out;
}

// The smallest string greater than every string starting with `prefix`, or
// nullopt when there is none (a prefix of 0xff bytes).
std::optional<std::string> prefix_end(std::string prefix) {
  while (!prefix.empty()) {
    unsigned char last = static_cast<unsigned char>(prefix.back());
    if (last != 0xff) {
      prefix.back() = static_cast<char>(last + 1);
      return prefix;
    }
    prefix.pop_back();
  }
  return std::nullopt;
}

Status mkdir_p(const std::string& dir) {
  std::string path;
  for (size_t i = 0; i <= dir.size(); ++i) {
    if (i == dir.size() || (dir[i] == '/' && i > 0)) {
      path = dir.substr(0, i);
      if (::mkdir(path.c_str(), 0755) != 0 && errno != EEXIST)
        return Status::io_error("mkdir " + path + ": " + std::strerror(errno));
    }
  }
  return Status::ok();
}

std::vector<std::string> list_dir(const std::string& dir) {
  std::vector<std::string> names;
  if (DIR* d = ::opendir(dir.c_str())) {
    while (dirent* e = ::readdir(d)) {
      std::string n = e->d_name;
      if (n != "." && n != "..") names.push_back(std::move(n));
    }
    ::closedir(d);
  }
  return names;
}

ObjectMeta object_row(Stmt& st, const std::string& key) {
  // SELECT blob, size, etag, content_type, content_encoding, metadata, last_modified_ms
  ObjectMeta m;
  m.info.key = key;
  m.blob = st.text(0);
  m.info.size = static_cast<uint64_t>(st.int64(1));
  m.info.etag = st.text(2);
  m.content_type = st.text(3);
  m.content_encoding = st.text(4);
  m.metadata = decode_metadata(st.text(5));
  m.info.last_modified_ms = st.int64(6);
  return m;
}

constexpr const char* kObjectColumns = "blob, size, etag, content_type, content_encoding, metadata, last_modified_ms";

// Makes (bucket, key) the index row of `meta`'s blob, replacing any row
// there (inside the caller's transaction).
Status index_object(sqlite3* db, const std::string& bucket, const std::string& key, const ObjectMeta& meta) {
  Stmt st(db,
          "INSERT OR REPLACE INTO objects(bucket, key, blob, size, etag, content_type, content_encoding, metadata,"
          " last_modified_ms) VALUES(?, ?, ?, ?, ?, ?, ?, ?, ?)");
  st.bind_text(1, bucket);
  st.bind_blob(2, key);
  st.bind_text(3, meta.blob);
  st.bind_int64(4, static_cast<int64_t>(meta.info.size));
  st.bind_text(5, meta.info.etag);
  st.bind_text(6, meta.content_type);
  st.bind_text(7, meta.content_encoding);
  st.bind_text(8, encode_metadata(meta.metadata));
  st.bind_int64(9, meta.info.last_modified_ms);
  if (st.step() != SQLITE_DONE) return st.error("index object");
  return Status::ok();
}

}  // namespace

std::pair<std::string, std::string> s3_error_code(const Status& s) {
  const std::string& m = s.message();
  size_t colon = m.find(": ");
  if (colon != std::string::npos && colon > 0 && m.find(' ') > colon) return {m.substr(0, colon), m.substr(colon + 2)};
  if (s.code() == Status::Code::kResourceExhausted) return {"ServiceUnavailable", m};
  return {"InternalError", "We encountered an internal error. Please try again. (" + m + ")"};
}

bool valid_bucket_name(std::string_view n) {
  if (n.size() < 3 || n.size() > 63) return false;
  for (char c : n)
    if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '.' || c == '-')) return false;
  auto alnum = [](char c) { return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9'); };
  if (!alnum(n.front()) || !alnum(n.back())) return false;
  if (n.find("..") != std::string_view::npos) return false;
  for (std::string_view p : {"xn--", "sthree-", "amzn-s3-demo-"})
    if (n.starts_with(p)) return false;
  for (std::string_view s : {"-s3alias", "--ol-s3", ".mrap", "--x-s3"})
    if (n.ends_with(s)) return false;
  // Not formatted as an IPv4 address (four dot-separated numbers).
  int dots = 0;
  bool digits_and_dots = true;
  for (char c : n) {
    if (c == '.')
      ++dots;
    else if (c < '0' || c > '9')
      digits_and_dots = false;
  }
  return !(digits_and_dots && dots == 3);
}

// ---- OpenObject.

OpenObject::~OpenObject() {
  if (fd_ >= 0) ::close(fd_);
}

Result<std::string> OpenObject::read(uint64_t offset, uint64_t length) const {
  if (offset > meta.info.size) return std::string();
  length = std::min(length, meta.info.size - offset);
  std::string out;
  Status failed;
  // Read straight into the string (no zeroing of megabytes first). The
  // length is `length`, not the callback's second argument: libstdc++ 12
  // passes the rounded-up capacity there (fixed in GCC 13).
  out.resize_and_overwrite(length, [&](char* p, size_t) {
    const size_t n = length;
    size_t done = 0;
    while (done < n) {
      ssize_t got = ::pread(fd_, p + done, n - done, static_cast<off_t>(offset + done));
      if (got < 0 && errno == EINTR) continue;
      if (got < 0) {
        failed = Status::io_error(std::string("read blob: ") + std::strerror(errno));
        return done;
      }
      if (got == 0) {
        failed = Status::corruption("blob " + meta.blob + " is shorter than its index entry");
        return done;
      }
      done += static_cast<size_t>(got);
    }
    return done;
  });
  if (!failed) return error(std::move(failed));
  return out;
}

// ---- Opening.

EmbeddedStore::EmbeddedStore(std::string dir, EmbeddedStoreOptions options, sqlite3* db)
    : dir_(std::move(dir)), options_(options), db_(db) {
  for (int i = 0; i < std::max(1, options_.worker_threads); ++i) workers_.emplace_back([this] { worker_loop(); });
}

EmbeddedStore::~EmbeddedStore() {
  stop_workers();
  MutexLock l(mu_);
  sqlite3_close(db_);
}

Result<std::unique_ptr<EmbeddedStore>> EmbeddedStore::open(const std::string& dir, EmbeddedStoreOptions options) {
  for (const char* sub : {"", "/blobs", "/tmp"})
    if (Status s = mkdir_p(dir + sub); !s) return error(s);
  sqlite3* db = nullptr;
  std::string path = dir + "/index.db";
  if (sqlite3_open_v2(path.c_str(), &db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_FULLMUTEX, nullptr) !=
      SQLITE_OK) {
    std::string m = db ? sqlite3_errmsg(db) : "out of memory";
    sqlite3_close(db);
    return error(Status::io_error("open " + path + ": " + m));
  }
  std::unique_ptr<EmbeddedStore> store(new EmbeddedStore(dir, options, db));
  MutexLock l(store->mu_);
  if (Status s = store->init_schema(); !s) return error(s);
  if (Status s = store->remove_orphans(); !s) return error(s);
  return store;
}

Status EmbeddedStore::init_schema() {
  return exec(db_,
              "PRAGMA journal_mode=WAL;"
              "PRAGMA synchronous=FULL;"
              "PRAGMA busy_timeout=5000;"
              "CREATE TABLE IF NOT EXISTS buckets(name TEXT PRIMARY KEY, created_ms INTEGER NOT NULL);"
              "CREATE TABLE IF NOT EXISTS objects(bucket TEXT NOT NULL, key BLOB NOT NULL, blob TEXT NOT NULL,"
              " size INTEGER NOT NULL, etag TEXT NOT NULL, content_type TEXT NOT NULL,"
              " content_encoding TEXT NOT NULL, metadata TEXT NOT NULL, last_modified_ms INTEGER NOT NULL,"
              " PRIMARY KEY(bucket, key)) WITHOUT ROWID;"
              "CREATE TABLE IF NOT EXISTS uploads(upload_id TEXT PRIMARY KEY, bucket TEXT NOT NULL, key BLOB NOT NULL,"
              " content_type TEXT NOT NULL, content_encoding TEXT NOT NULL, metadata TEXT NOT NULL,"
              " initiated_ms INTEGER NOT NULL);"
              "CREATE INDEX IF NOT EXISTS uploads_by_key ON uploads(bucket, key, initiated_ms);"
              "CREATE TABLE IF NOT EXISTS parts(upload_id TEXT NOT NULL, part_number INTEGER NOT NULL,"
              " blob TEXT NOT NULL, size INTEGER NOT NULL, etag TEXT NOT NULL, last_modified_ms INTEGER NOT NULL,"
              " PRIMARY KEY(upload_id, part_number)) WITHOUT ROWID;");
}

Status EmbeddedStore::remove_orphans() {
  // Temp files are blobs nobody acknowledged.
  for (const std::string& name : list_dir(dir_ + "/tmp")) ::unlink((dir_ + "/tmp/" + name).c_str());
  std::set<std::string> named;
  for (const char* sql : {"SELECT blob FROM objects", "SELECT blob FROM parts"}) {
    Stmt st(db_, sql);
    int rc;
    while ((rc = st.step()) == SQLITE_ROW) named.insert(st.text(0));
    if (rc != SQLITE_DONE) return st.error("scan blobs");
  }
  size_t removed = 0;
  for (const std::string& name : list_dir(dir_ + "/blobs")) {
    if (named.contains(name)) continue;
    ::unlink((dir_ + "/blobs/" + name).c_str());
    ++removed;
  }
  // Rows whose blob is missing would be a bug or outside damage: say so, but
  // keep serving the rest (reading such an object is an InternalError).
  for (const std::string& id : named) {
    struct stat st {};
    if (::stat((dir_ + "/blobs/" + id).c_str(), &st) != 0)
      spdlog::error("S3 store {}: blob {} named by the index is missing", dir_, id);
  }
  if (removed) return sync_directory(dir_ + "/blobs");
  return Status::ok();
}

// ---- Workers.

void EmbeddedStore::stop_workers() {
  {
    MutexLock l(work_mu_);
    stopping_ = true;
  }
  work_cv_.notify_all();
  for (auto& t : workers_)
    if (t.joinable()) t.join();
}

void EmbeddedStore::run(std::move_only_function<void()> work) {
  {
    MutexLock l(work_mu_);
    if (!stopping_) {
      work_.push_back(std::move(work));
      work_cv_.notify_one();
      return;
    }
  }
  work();
}

void EmbeddedStore::worker_loop() {
  for (;;) {
    std::move_only_function<void()> work;
    {
      MutexLock l(work_mu_);
      while (work_.empty() && !stopping_) work_cv_.wait(work_mu_);
      if (work_.empty()) return;  // stopping, and everything queued has run
      work = std::move(work_.front());
      work_.pop_front();
    }
    work();
  }
}

void EmbeddedStore::unlink_blob(const std::string& id) { ::unlink((dir_ + "/blobs/" + id).c_str()); }

// ---- Buckets.

Status EmbeddedStore::bucket_exists(const std::string& bucket) { return bucket_exists_in(db_, bucket); }

Status bucket_exists_in(sqlite3* db, const std::string& bucket) {
  Stmt st(db, "SELECT 1 FROM buckets WHERE name = ?");
  st.bind_text(1, bucket);
  int rc = st.step();
  if (rc == SQLITE_ROW) return Status::ok();
  if (rc == SQLITE_DONE) return no_such_bucket();
  return st.error("find bucket");
}

Status EmbeddedStore::create_bucket(const std::string& bucket) {
  if (!valid_bucket_name(bucket))
    return s3_status(Status::Code::kInvalidArgument, "InvalidBucketName", "The specified bucket is not valid.");
  MutexLock l(mu_);
  Stmt st(db_, "INSERT INTO buckets(name, created_ms) VALUES(?, ?) ON CONFLICT(name) DO NOTHING");
  st.bind_text(1, bucket);
  st.bind_int64(2, now_ms());
  if (st.step() != SQLITE_DONE) return st.error("create bucket");
  if (sqlite3_changes(db_) == 0)
    return s3_status(Status::Code::kAborted, "BucketAlreadyOwnedByYou",
                     "Your previous request to create the named bucket succeeded and you already own it.");
  return Status::ok();
}

Status EmbeddedStore::delete_bucket(const std::string& bucket) {
  MutexLock l(mu_);
  if (Status s = bucket_exists(bucket); !s) return s;
  for (const char* sql :
       {"SELECT 1 FROM objects WHERE bucket = ? LIMIT 1", "SELECT 1 FROM uploads WHERE bucket = ? LIMIT 1"}) {
    Stmt st(db_, sql);
    st.bind_text(1, bucket);
    int rc = st.step();
    if (rc == SQLITE_ROW)
      return s3_status(Status::Code::kAborted, "BucketNotEmpty", "The bucket you tried to delete is not empty");
    if (rc != SQLITE_DONE) return st.error("delete bucket");
  }
  Stmt del(db_, "DELETE FROM buckets WHERE name = ?");
  del.bind_text(1, bucket);
  if (del.step() != SQLITE_DONE) return del.error("delete bucket");
  return Status::ok();
}

Result<BucketInfo> EmbeddedStore::find_bucket(const std::string& bucket) {
  MutexLock l(mu_);
  Stmt st(db_, "SELECT created_ms FROM buckets WHERE name = ?");
  st.bind_text(1, bucket);
  int rc = st.step();
  if (rc == SQLITE_ROW) return BucketInfo{bucket, st.int64(0)};
  if (rc == SQLITE_DONE) return error(no_such_bucket());
  return error(st.error("find bucket"));
}

Result<std::vector<BucketInfo>> EmbeddedStore::list_buckets() {
  MutexLock l(mu_);
  Stmt st(db_, "SELECT name, created_ms FROM buckets ORDER BY name");
  std::vector<BucketInfo> out;
  int rc;
  while ((rc = st.step()) == SQLITE_ROW) out.push_back({st.text(0), st.int64(1)});
  if (rc != SQLITE_DONE) return error(st.error("list buckets"));
  return out;
}

// ---- Objects.

Result<ObjectMeta> EmbeddedStore::commit_object(const std::string& bucket, ObjectMeta meta,
                                                std::unique_ptr<BlobWriter> blob) {
  {
    MutexLock l(mu_);
    if (Status s = bucket_exists(bucket); !s) return error(s);
  }
  if (Status s = blob->seal(); !s) return error(s);
  if (meta.info.etag.empty()) meta.info.etag = quoted(to_hex(blob->md5()));
  meta.info.size = blob->size();
  meta.info.last_modified_ms = now_ms();
  meta.blob = blob->id();
  MutexLock l(mu_);
  std::optional<std::string> replaced;
  sqlite3* const db = db_;  // the lock is held: the transaction runs under it
  Status s = transaction(db, [&]() -> Status {
    if (Status b = bucket_exists_in(db, bucket); !b) return b;
    Stmt old(db, "SELECT blob FROM objects WHERE bucket = ? AND key = ?");
    old.bind_text(1, bucket);
    old.bind_blob(2, meta.info.key);
    if (old.step() == SQLITE_ROW) replaced = old.text(0);
    if (Status st = index_object(db, bucket, meta.info.key, meta); !st) return st;
    return Status::ok();
  });
  if (!s) {
    unlink_blob(meta.blob);
    return error(s);
  }
  if (replaced && *replaced != meta.blob) unlink_blob(*replaced);
  return meta;
}

Result<ObjectMeta> EmbeddedStore::head_object(const std::string& bucket, const std::string& key) {
  MutexLock l(mu_);
  Stmt st(db_, std::string("SELECT ") + kObjectColumns + " FROM objects WHERE bucket = ? AND key = ?");
  st.bind_text(1, bucket);
  st.bind_blob(2, key);
  int rc = st.step();
  if (rc == SQLITE_ROW) return object_row(st, key);
  if (rc != SQLITE_DONE) return error(st.error("find object"));
  if (Status s = bucket_exists(bucket); !s) return error(s);
  return error(no_such_key());
}

Result<std::unique_ptr<OpenObject>> EmbeddedStore::open_object(const std::string& bucket, const std::string& key) {
  auto meta = head_object(bucket, key);  // takes mu_; re-checked below under it
  if (!meta) return error(meta.error());
  MutexLock l(mu_);
  Stmt st(db_, std::string("SELECT ") + kObjectColumns + " FROM objects WHERE bucket = ? AND key = ?");
  st.bind_text(1, bucket);
  st.bind_blob(2, key);
  int rc = st.step();
  if (rc == SQLITE_DONE) return error(no_such_key());
  if (rc != SQLITE_ROW) return error(st.error("find object"));
  ObjectMeta m = object_row(st, key);
  // Blobs are unlinked only under mu_, after their row is gone.
  std::string path = dir_ + "/blobs/" + m.blob;
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return error(Status::io_error("open " + path + ": " + std::strerror(errno)));
  return std::make_unique<OpenObject>(std::move(m), fd);
}

Status EmbeddedStore::delete_object(const std::string& bucket, const std::string& key) {
  MutexLock l(mu_);
  if (Status s = bucket_exists(bucket); !s) return s;
  Stmt old(db_, "SELECT blob FROM objects WHERE bucket = ? AND key = ?");
  old.bind_text(1, bucket);
  old.bind_blob(2, key);
  if (old.step() != SQLITE_ROW) return Status::ok();
  std::string blob = old.text(0);
  Stmt st(db_, "DELETE FROM objects WHERE bucket = ? AND key = ?");
  st.bind_text(1, bucket);
  st.bind_blob(2, key);
  if (st.step() != SQLITE_DONE) return st.error("delete object");
  unlink_blob(blob);
  return Status::ok();
}

Result<ObjectMeta> EmbeddedStore::copy_object(const std::string& src_bucket, const std::string& src_key,
                                              const std::string& dst_bucket, const std::string& dst_key,
                                              const std::optional<ObjectMeta>& replace) {
  auto src = open_object(src_bucket, src_key);
  if (!src) return error(src.error());
  auto blob = new_blob();
  if (!blob) return error(blob.error());
  constexpr uint64_t kChunk = 1 << 20;
  for (uint64_t off = 0; off < (*src)->meta.info.size; off += kChunk) {
    auto bytes = (*src)->read(off, kChunk);
    if (!bytes) return error(bytes.error());
    if (Status s = (*blob)->append(*bytes); !s) return error(s);
  }
  ObjectMeta meta = replace ? *replace : (*src)->meta;
  meta.info = ObjectInfo{};
  meta.info.key = dst_key;
  // A copy keeps the source's ETag (a multipart ETag stays as it was).
  meta.info.etag = (*src)->meta.info.etag;
  return commit_object(dst_bucket, std::move(meta), std::move(*blob));
}

Result<ListPage> EmbeddedStore::list(const std::string& bucket, const ListQuery& q) {
  MutexLock l(mu_);
  if (Status s = bucket_exists(bucket); !s) return error(s);
  std::optional<std::string> end = q.prefix.empty() ? std::nullopt : prefix_end(q.prefix);
  std::string sql = "SELECT key, size, etag, last_modified_ms FROM objects WHERE bucket = ? AND key > ? AND key >= ?";
  if (end) sql += " AND key < ?";
  sql += " ORDER BY key";
  Stmt st(db_, sql);
  st.bind_text(1, bucket);
  st.bind_blob(2, q.after);
  st.bind_blob(3, q.prefix);
  if (end) st.bind_blob(4, *end);
  ListPage page;
  int count = 0;
  int rc;
  while ((rc = st.step()) == SQLITE_ROW) {
    std::string key = st.blob(0);
    std::optional<std::string> common;
    if (!q.delimiter.empty()) {
      size_t pos = key.find(q.delimiter, q.prefix.size());
      if (pos != std::string::npos) common = key.substr(0, pos + q.delimiter.size());
    }
    if (common) {
      // A prefix already given (on this page, or up to `after` on an earlier one).
      if (*common <= q.after || (!page.common_prefixes.empty() && page.common_prefixes.back() == *common)) continue;
    }
    if (count >= q.max_keys) {
      page.truncated = true;
      break;
    }
    ++count;
    if (common) {
      page.common_prefixes.push_back(*common);
      page.last = *common;
    } else {
      ObjectInfo info;
      info.key = key;
      info.size = static_cast<uint64_t>(st.int64(1));
      info.etag = st.text(2);
      info.last_modified_ms = st.int64(3);
      page.last = key;
      page.objects.push_back(std::move(info));
    }
  }
  if (rc != SQLITE_ROW && rc != SQLITE_DONE) return error(st.error("list objects"));
  return page;
}

// ---- Multipart uploads.

Result<std::string> EmbeddedStore::create_upload(const std::string& bucket, ObjectMeta meta) {
  MutexLock l(mu_);
  if (Status s = bucket_exists(bucket); !s) return error(s);
  std::string id = random_hex_id();
  Stmt st(db_,
          "INSERT INTO uploads(upload_id, bucket, key, content_type, content_encoding, metadata, initiated_ms)"
          " VALUES(?, ?, ?, ?, ?, ?, ?)");
  st.bind_text(1, id);
  st.bind_text(2, bucket);
  st.bind_blob(3, meta.info.key);
  st.bind_text(4, meta.content_type);
  st.bind_text(5, meta.content_encoding);
  st.bind_text(6, encode_metadata(meta.metadata));
  st.bind_int64(7, now_ms());
  if (st.step() != SQLITE_DONE) return error(st.error("create upload"));
  return id;
}

Result<UploadInfo> EmbeddedStore::find_upload(const std::string& bucket, const std::string& key,
                                              const std::string& upload_id) {
  MutexLock l(mu_);
  Stmt st(db_,
          "SELECT content_type, content_encoding, metadata, initiated_ms FROM uploads"
          " WHERE upload_id = ? AND bucket = ? AND key = ?");
  st.bind_text(1, upload_id);
  st.bind_text(2, bucket);
  st.bind_blob(3, key);
  int rc = st.step();
  if (rc == SQLITE_ROW)
    return UploadInfo{upload_id, key, st.int64(3), st.text(0), st.text(1), decode_metadata(st.text(2))};
  if (rc != SQLITE_DONE) return error(st.error("find upload"));
  if (Status s = bucket_exists(bucket); !s) return error(s);
  return error(no_such_upload());
}

Result<PartInfo> EmbeddedStore::commit_part(const std::string& bucket, const std::string& key,
                                            const std::string& upload_id, int part_number,
                                            std::unique_ptr<BlobWriter> blob) {
  if (auto u = find_upload(bucket, key, upload_id); !u) return error(u.error());
  if (Status s = blob->seal(); !s) return error(s);
  PartInfo part{part_number, quoted(to_hex(blob->md5())), blob->size(), now_ms(), blob->id()};
  MutexLock l(mu_);
  std::optional<std::string> replaced;
  sqlite3* const db = db_;  // the lock is held: the transaction runs under it
  Status s = transaction(db, [&]() -> Status {
    Stmt up(db, "SELECT 1 FROM uploads WHERE upload_id = ?");
    up.bind_text(1, upload_id);
    if (up.step() != SQLITE_ROW) return no_such_upload();
    Stmt old(db, "SELECT blob FROM parts WHERE upload_id = ? AND part_number = ?");
    old.bind_text(1, upload_id);
    old.bind_int64(2, part_number);
    if (old.step() == SQLITE_ROW) replaced = old.text(0);
    Stmt st(db,
            "INSERT OR REPLACE INTO parts(upload_id, part_number, blob, size, etag, last_modified_ms)"
            " VALUES(?, ?, ?, ?, ?, ?)");
    st.bind_text(1, upload_id);
    st.bind_int64(2, part_number);
    st.bind_text(3, part.blob);
    st.bind_int64(4, static_cast<int64_t>(part.size));
    st.bind_text(5, part.etag);
    st.bind_int64(6, part.last_modified_ms);
    if (st.step() != SQLITE_DONE) return st.error("index part");
    return Status::ok();
  });
  if (!s) {
    unlink_blob(part.blob);
    return error(s);
  }
  if (replaced) unlink_blob(*replaced);
  return part;
}

Result<std::vector<PartInfo>> EmbeddedStore::list_parts(const std::string& bucket, const std::string& key,
                                                        const std::string& upload_id) {
  if (auto u = find_upload(bucket, key, upload_id); !u) return error(u.error());
  MutexLock l(mu_);
  Stmt st(db_,
          "SELECT part_number, etag, size, last_modified_ms, blob FROM parts WHERE upload_id = ? ORDER BY part_number");
  st.bind_text(1, upload_id);
  std::vector<PartInfo> out;
  int rc;
  while ((rc = st.step()) == SQLITE_ROW)
    out.push_back(
        {static_cast<int>(st.int64(0)), st.text(1), static_cast<uint64_t>(st.int64(2)), st.int64(3), st.text(4)});
  if (rc != SQLITE_DONE) return error(st.error("list parts"));
  return out;
}

Result<std::vector<UploadInfo>> EmbeddedStore::list_uploads(const std::string& bucket, const std::string& prefix) {
  MutexLock l(mu_);
  if (Status s = bucket_exists(bucket); !s) return error(s);
  Stmt st(db_,
          "SELECT upload_id, key, initiated_ms, content_type, content_encoding, metadata FROM uploads"
          " WHERE bucket = ? ORDER BY key, initiated_ms");
  st.bind_text(1, bucket);
  std::vector<UploadInfo> out;
  int rc;
  while ((rc = st.step()) == SQLITE_ROW) {
    std::string key = st.blob(1);
    if (!key.starts_with(prefix)) continue;
    out.push_back({st.text(0), std::move(key), st.int64(2), st.text(3), st.text(4), decode_metadata(st.text(5))});
  }
  if (rc != SQLITE_DONE) return error(st.error("list uploads"));
  return out;
}

Result<ObjectMeta> EmbeddedStore::complete_upload(const std::string& bucket, const std::string& key,
                                                  const std::string& upload_id,
                                                  const std::vector<std::pair<int, std::string>>& wanted) {
  auto upload = find_upload(bucket, key, upload_id);
  if (!upload) return error(upload.error());
  auto parts = list_parts(bucket, key, upload_id);
  if (!parts) return error(parts.error());
  if (wanted.empty())
    return error(s3_status(Status::Code::kInvalidArgument, "MalformedXML",
                           "The XML you provided was not well-formed or did not validate against our published "
                           "schema."));
  std::vector<const PartInfo*> chosen;
  for (size_t i = 0; i < wanted.size(); ++i) {
    if (i > 0 && wanted[i].first <= wanted[i - 1].first)
      return error(s3_status(Status::Code::kInvalidArgument, "InvalidPartOrder",
                             "The list of parts was not in ascending order. The parts list must be specified in "
                             "order by part number."));
    const PartInfo* found = nullptr;
    for (const PartInfo& p : *parts)
      if (p.part_number == wanted[i].first) found = &p;
    if (!found || unquoted(found->etag) != unquoted(wanted[i].second)) return error(invalid_part());
    chosen.push_back(found);
  }
  for (size_t i = 0; i + 1 < chosen.size(); ++i)
    if (chosen[i]->size < options_.min_part_size)
      return error(s3_status(Status::Code::kInvalidArgument, "EntityTooSmall",
                             "Your proposed upload is smaller than the minimum allowed object size."));
  // The object: the parts' bytes one after the other, in a new blob (the
  // parts stay until the commit below, so a crash in between loses nothing).
  auto blob = new_blob();
  if (!blob) return error(blob.error());
  std::string md5s;
  for (const PartInfo* p : chosen) {
    if (Status s = (*blob)->append_file(dir_ + "/blobs/" + p->blob); !s) {
      // Aborted meanwhile: its blobs are gone.
      if (auto again = find_upload(bucket, key, upload_id); !again) return error(again.error());
      return error(s);
    }
    auto md5 = from_hex(unquoted(p->etag));
    if (!md5) return error(Status::corruption("part ETag " + p->etag + " is not hex"));
    md5s += *md5;
  }
  if (Status s = (*blob)->seal(); !s) return error(s);
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  EVP_Digest(md5s.data(), md5s.size(), digest, &len, EVP_md5(), nullptr);
  ObjectMeta meta;
  meta.info.key = key;
  meta.info.etag =
      quoted(to_hex(std::string_view(reinterpret_cast<char*>(digest), len)) + "-" + std::to_string(chosen.size()));
  meta.info.size = (*blob)->size();
  meta.info.last_modified_ms = now_ms();
  meta.blob = (*blob)->id();
  meta.content_type = upload->content_type;
  meta.content_encoding = upload->content_encoding;
  meta.metadata = upload->metadata;

  MutexLock l(mu_);
  std::vector<std::string> dropped;
  sqlite3* const db = db_;  // the lock is held: the transaction runs under it
  Status s = transaction(db, [&]() -> Status {
    if (Status b = bucket_exists_in(db, bucket); !b) return b;
    Stmt up(db, "SELECT 1 FROM uploads WHERE upload_id = ?");
    up.bind_text(1, upload_id);
    if (up.step() != SQLITE_ROW) return no_such_upload();
    Stmt pb(db, "SELECT blob FROM parts WHERE upload_id = ?");
    pb.bind_text(1, upload_id);
    while (pb.step() == SQLITE_ROW) dropped.push_back(pb.text(0));
    Stmt old(db, "SELECT blob FROM objects WHERE bucket = ? AND key = ?");
    old.bind_text(1, bucket);
    old.bind_blob(2, key);
    if (old.step() == SQLITE_ROW) dropped.push_back(old.text(0));
    if (Status st = index_object(db, bucket, key, meta); !st) return st;
    for (const char* sql : {"DELETE FROM parts WHERE upload_id = ?", "DELETE FROM uploads WHERE upload_id = ?"}) {
      Stmt del(db, sql);
      del.bind_text(1, upload_id);
      if (del.step() != SQLITE_DONE) return del.error("drop upload");
    }
    return Status::ok();
  });
  if (!s) {
    unlink_blob(meta.blob);
    return error(s);
  }
  for (const std::string& b : dropped) unlink_blob(b);
  return meta;
}

Status EmbeddedStore::abort_upload(const std::string& bucket, const std::string& key, const std::string& upload_id) {
  if (auto u = find_upload(bucket, key, upload_id); !u) return u.error();
  MutexLock l(mu_);
  std::vector<std::string> dropped;
  sqlite3* const db = db_;  // the lock is held: the transaction runs under it
  Status s = transaction(db, [&]() -> Status {
    Stmt pb(db, "SELECT blob FROM parts WHERE upload_id = ?");
    pb.bind_text(1, upload_id);
    while (pb.step() == SQLITE_ROW) dropped.push_back(pb.text(0));
    for (const char* sql : {"DELETE FROM parts WHERE upload_id = ?", "DELETE FROM uploads WHERE upload_id = ?"}) {
      Stmt del(db, sql);
      del.bind_text(1, upload_id);
      if (del.step() != SQLITE_DONE) return del.error("abort upload");
    }
    return Status::ok();
  });
  if (!s) return s;
  for (const std::string& b : dropped) unlink_blob(b);
  return Status::ok();
}

// ---- ObjectStore.

void EmbeddedStore::put_object(PutObjectRequest req, std::function<void(Result<ObjectInfo>)> done) {
  run([this, req = std::move(req), done = std::move(done)]() mutable {
    if (!valid_bucket_name(req.bucket))
      return done(
          error(s3_status(Status::Code::kInvalidArgument, "InvalidBucketName", "The specified bucket is not valid.")));
    if (req.key.empty() || req.key.size() > 1024)
      return done(error(s3_status(Status::Code::kInvalidArgument, "KeyTooLongError", "Your key is too long")));
    auto blob = new_blob();
    if (!blob) return done(error(blob.error()));
    if (Status s = (*blob)->append(req.bytes()); !s) return done(error(s));
    ObjectMeta meta;
    meta.info.key = req.key;
    meta.content_type = req.content_type;
    meta.content_encoding = req.content_encoding;
    meta.metadata = req.metadata;
    auto r = commit_object(req.bucket, std::move(meta), std::move(*blob));
    if (!r) return done(error(r.error()));
    done(r->info);
  });
}

void EmbeddedStore::head_bucket(const std::string& bucket, std::function<void(Status)> done) {
  run([this, bucket, done = std::move(done)] {
    auto b = find_bucket(bucket);
    done(b ? Status::ok() : b.error());
  });
}

void EmbeddedStore::get_object(const std::string& bucket, const std::string& key,
                               std::function<void(Result<std::string>)> done) {
  run([this, bucket, key, done = std::move(done)] {
    auto o = open_object(bucket, key);
    if (!o) return done(error(o.error()));
    done((*o)->read(0, (*o)->meta.info.size));
  });
}

void EmbeddedStore::list_objects(const std::string& bucket, const std::string& prefix, const std::string& after,
                                 int max_keys, std::function<void(Result<ListResult>)> done) {
  run([this, bucket, prefix, after, max_keys, done = std::move(done)] {
    auto page = list(bucket, ListQuery{prefix, "", after, max_keys});
    if (!page) return done(error(page.error()));
    ListResult r;
    r.objects = std::move(page->objects);
    if (page->truncated) r.next = page->last;
    done(std::move(r));
  });
}

}  // namespace runnel::s3
