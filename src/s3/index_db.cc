#include "s3/index_db.h"

#include "protocol/percent_decode.h"

namespace runnel::s3 {

Stmt::Stmt(sqlite3* db, const std::string& sql) : db_(db) {
  prepare_rc_ = sqlite3_prepare_v2(db, sql.c_str(), static_cast<int>(sql.size()), &st_, nullptr);
}

void Stmt::bind_text(int i, std::string_view v) {
  sqlite3_bind_text(st_, i, v.data(), static_cast<int>(v.size()), SQLITE_TRANSIENT);
}
void Stmt::bind_blob(int i, std::string_view v) {
  // A zero-length blob must still be a blob (not NULL) to compare with keys.
  sqlite3_bind_blob(st_, i, v.empty() ? "" : v.data(), static_cast<int>(v.size()), SQLITE_TRANSIENT);
}
void Stmt::bind_int64(int i, int64_t v) { sqlite3_bind_int64(st_, i, v); }

int Stmt::step() {
  if (prepare_rc_ != SQLITE_OK) return prepare_rc_;
  return sqlite3_step(st_);
}

std::string Stmt::text(int col) const {
  const unsigned char* p = sqlite3_column_text(st_, col);
  return p ? std::string(reinterpret_cast<const char*>(p), static_cast<size_t>(sqlite3_column_bytes(st_, col)))
           : std::string();
}
std::string Stmt::blob(int col) const {
  const void* p = sqlite3_column_blob(st_, col);
  return p ? std::string(static_cast<const char*>(p), static_cast<size_t>(sqlite3_column_bytes(st_, col)))
           : std::string();
}
int64_t Stmt::int64(int col) const { return sqlite3_column_int64(st_, col); }

Status Stmt::error(const std::string& what) const { return Status::io_error(what + ": " + sqlite3_errmsg(db_)); }

Status exec(sqlite3* db, const char* sql) {
  char* err = nullptr;
  if (sqlite3_exec(db, sql, nullptr, nullptr, &err) != SQLITE_OK) {
    std::string m = err ? err : "unknown error";
    sqlite3_free(err);
    return Status::io_error("sqlite: " + m);
  }
  return Status::ok();
}

Status transaction(sqlite3* db, const std::function<Status()>& body) {
  if (Status s = exec(db, "BEGIN IMMEDIATE"); !s) return s;
  Status s = body();
  if (!s) {
    (void)exec(db, "ROLLBACK");
    return s;
  }
  if (Status c = exec(db, "COMMIT"); !c) {
    (void)exec(db, "ROLLBACK");
    return c;
  }
  return Status::ok();
}

namespace {
void encode_part(std::string_view v, std::string& out) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  for (unsigned char c : v) {
    if ((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '.' ||
        c == '_' || c == '~') {
      out += static_cast<char>(c);
    } else {
      out += '%';
      out += kHex[c >> 4];
      out += kHex[c & 15];
    }
  }
}
}  // namespace

std::string encode_metadata(const std::vector<std::pair<std::string, std::string>>& metadata) {
  std::string out;
  for (const auto& [name, value] : metadata) {
    if (!out.empty()) out += '&';
    encode_part(name, out);
    out += '=';
    encode_part(value, out);
  }
  return out;
}

std::vector<std::pair<std::string, std::string>> decode_metadata(std::string_view text) {
  std::vector<std::pair<std::string, std::string>> out;
  while (!text.empty()) {
    size_t amp = text.find('&');
    std::string_view pair = text.substr(0, amp);
    text = amp == std::string_view::npos ? std::string_view() : text.substr(amp + 1);
    size_t eq = pair.find('=');
    if (eq == std::string_view::npos) continue;
    auto name = protocol::percent_decode(pair.substr(0, eq));
    auto value = protocol::percent_decode(pair.substr(eq + 1));
    if (name && value) out.emplace_back(std::move(*name), std::move(*value));
  }
  return out;
}

}  // namespace runnel::s3
