#pragma once
// Small SQLite helpers for the embedded store's index (embedded_store.cc):
// a prepared statement that finalizes itself, exec(), a transaction, and the
// metadata column's encoding. Callers hold the store's lock around every use
// of the connection.
#include <sqlite3.h>

#include <functional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "common/status.h"

namespace runnel::s3 {

class Stmt {
 public:
  Stmt(sqlite3* db, const std::string& sql);
  ~Stmt() { sqlite3_finalize(st_); }
  Stmt(const Stmt&) = delete;
  Stmt& operator=(const Stmt&) = delete;

  void bind_text(int i, std::string_view v);
  void bind_blob(int i, std::string_view v);  // keys: compared bytewise (S3's order)
  void bind_int64(int i, int64_t v);
  // SQLITE_ROW, SQLITE_DONE or an error code (also when prepare failed).
  int step();
  std::string text(int col) const;
  std::string blob(int col) const;
  int64_t int64(int col) const;
  // kIoError naming `what` and SQLite's message.
  Status error(const std::string& what) const;

 private:
  sqlite3* db_;
  sqlite3_stmt* st_ = nullptr;
  int prepare_rc_;
};

// Runs SQL statements without results.
Status exec(sqlite3* db, const char* sql);
// BEGIN IMMEDIATE, `body`, COMMIT (synchronous=FULL: durable once it
// returns ok); ROLLBACK when `body` fails.
Status transaction(sqlite3* db, const std::function<Status()>& body);

// The metadata column: "name=value" pairs joined by '&', both percent-encoded
// (every byte but A-Z a-z 0-9 - . _ ~ as %XX), in the order given.
std::string encode_metadata(const std::vector<std::pair<std::string, std::string>>& metadata);
std::vector<std::pair<std::string, std::string>> decode_metadata(std::string_view text);

}  // namespace runnel::s3
