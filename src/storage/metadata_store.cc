#include "storage/metadata_store.h"

#include <sqlite3.h>

namespace runnel::storage {
namespace {

// RAII for a prepared statement.
class Statement {
 public:
  Statement(sqlite3* db, const char* sql) { rc_ = sqlite3_prepare_v2(db, sql, -1, &stmt_, nullptr); }
  ~Statement() { sqlite3_finalize(stmt_); }
  Statement(const Statement&) = delete;
  Statement& operator=(const Statement&) = delete;
  bool ok() const { return rc_ == SQLITE_OK; }
  void bind(int i, std::string_view s) {
    sqlite3_bind_text(stmt_, i, s.data(), static_cast<int>(s.size()), SQLITE_TRANSIENT);
  }
  void bind_blob(int i, std::string_view s) {
    sqlite3_bind_blob(stmt_, i, s.data(), static_cast<int>(s.size()), SQLITE_TRANSIENT);
  }
  void bind_int(int i, int64_t v) { sqlite3_bind_int64(stmt_, i, v); }
  int step() { return sqlite3_step(stmt_); }
  std::string column(int i) {
    const void* p = sqlite3_column_blob(stmt_, i);
    int n = sqlite3_column_bytes(stmt_, i);
    return p ? std::string(static_cast<const char*>(p), static_cast<size_t>(n)) : std::string();
  }
  int64_t column_int(int i) { return sqlite3_column_int64(stmt_, i); }

 private:
  sqlite3_stmt* stmt_ = nullptr;
  int rc_ = SQLITE_ERROR;
};

Status sqlite_error(sqlite3* db, std::string_view what) {
  return Status::io_error(std::string(what) + ": " + sqlite3_errmsg(db));
}

}  // namespace

Result<std::unique_ptr<MetadataStore>> MetadataStore::open(const std::string& path) {
  sqlite3* db = nullptr;
  if (sqlite3_open_v2(path.c_str(), &db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_FULLMUTEX, nullptr) !=
      SQLITE_OK) {
    Status s = Status::io_error("cannot open metadata store " + path + ": " + (db ? sqlite3_errmsg(db) : "?"));
    sqlite3_close(db);
    return error(s);
  }
  std::unique_ptr<MetadataStore> store(new MetadataStore(db));
  MutexLock lock(store->mu_);  // not shared yet: only for exec()'s contract
  for (const char* sql : {
           "PRAGMA journal_mode=WAL",
           "PRAGMA synchronous=FULL",
           "CREATE TABLE IF NOT EXISTS documents (kind TEXT NOT NULL, key TEXT NOT NULL, value BLOB NOT NULL,"
           " PRIMARY KEY (kind, key)) WITHOUT ROWID",
           "CREATE TABLE IF NOT EXISTS counters (name TEXT PRIMARY KEY, value INTEGER NOT NULL) WITHOUT ROWID",
       }) {
    if (Status s = store->exec(sql); !s) return error(s);
  }
  return store;
}

MetadataStore::~MetadataStore() { sqlite3_close(db_); }

Status MetadataStore::exec(const char* sql) {
  char* msg = nullptr;
  if (sqlite3_exec(db_, sql, nullptr, nullptr, &msg) != SQLITE_OK) {
    std::string m = msg ? msg : "unknown error";
    sqlite3_free(msg);
    return Status::io_error(std::string("metadata store: ") + m);
  }
  return Status::ok();
}

Status MetadataStore::put(std::string_view kind, std::string_view key, std::string_view value) {
  MutexLock lock(mu_);
  Statement st(db_, "INSERT OR REPLACE INTO documents (kind, key, value) VALUES (?1, ?2, ?3)");
  if (!st.ok()) return sqlite_error(db_, "prepare put");
  st.bind(1, kind);
  st.bind(2, key);
  st.bind_blob(3, value);
  if (st.step() != SQLITE_DONE) return sqlite_error(db_, "put");
  return Status::ok();
}

Status MetadataStore::remove(std::string_view kind, std::string_view key) {
  MutexLock lock(mu_);
  Statement st(db_, "DELETE FROM documents WHERE kind = ?1 AND key = ?2");
  if (!st.ok()) return sqlite_error(db_, "prepare remove");
  st.bind(1, kind);
  st.bind(2, key);
  if (st.step() != SQLITE_DONE) return sqlite_error(db_, "remove");
  return Status::ok();
}

Result<std::vector<std::pair<std::string, std::string>>> MetadataStore::load_all(std::string_view kind) {
  MutexLock lock(mu_);
  Statement st(db_, "SELECT key, value FROM documents WHERE kind = ?1 ORDER BY key");
  if (!st.ok()) return error(sqlite_error(db_, "prepare load"));
  st.bind(1, kind);
  std::vector<std::pair<std::string, std::string>> out;
  int rc;
  while ((rc = st.step()) == SQLITE_ROW) out.emplace_back(st.column(0), st.column(1));
  if (rc != SQLITE_DONE) return error(sqlite_error(db_, "load"));
  return out;
}

Result<uint64_t> MetadataStore::next_id(std::string_view counter, uint64_t count) {
  MutexLock lock(mu_);
  Statement st(db_,
               "INSERT INTO counters (name, value) VALUES (?1, ?2) "
               "ON CONFLICT(name) DO UPDATE SET value = value + ?2 RETURNING value");
  if (!st.ok()) return error(sqlite_error(db_, "prepare next_id"));
  st.bind(1, counter);
  st.bind_int(2, static_cast<int64_t>(count));
  if (st.step() != SQLITE_ROW) return error(sqlite_error(db_, "next_id"));
  auto v = static_cast<uint64_t>(st.column_int(0)) - count + 1;
  st.step();
  return v;
}

}  // namespace runnel::storage
