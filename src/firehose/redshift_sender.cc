#include "firehose/redshift_sender.h"

#include <libpq-fe.h>
#include <spdlog/spdlog.h>

#include <chrono>
#include <ctime>
#include <deque>
#include <future>
#include <map>
#include <thread>

#include "common/mutex.h"
#include "firehose/compression.h"
#include "firehose/redshift_copy.h"

namespace runnel::firehose {
namespace {

constexpr int64_t kDefaultDurationS = 3600;
constexpr int64_t kMaxBackoffMs = 5 * 60 * 1000;

int64_t system_now_ms() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::system_clock::now().time_since_epoch())
      .count();
}

// AWS's error code for a PostgreSQL SQLSTATE (Firehose's "Amazon Redshift
// data delivery errors"); Redshift.DataLoadFailed for the rest.
std::string error_code_for(std::string_view sqlstate) {
  static const std::map<std::string_view, std::string_view> kCodes = {
      {"42P01", "Redshift.TableNotFound"},        {"3F000", "Redshift.TableNotFound"},
      {"42703", "Redshift.ColumnNotFound"},       {"42601", "Redshift.SyntaxError"},
      {"42602", "Redshift.SyntaxError"},          {"42501", "Redshift.InsufficientPrivilege"},
      {"28P01", "Redshift.AuthenticationFailed"}, {"28000", "Redshift.AuthenticationFailed"},
      {"3D000", "Redshift.DatabaseNotFound"},     {"53100", "Redshift.DiskFull"},
      {"25006", "Redshift.ReadOnlyCluster"},      {"57P01", "Redshift.ConnectionFailed"},
      {"57P03", "Redshift.ConnectionFailed"},     {"53300", "Redshift.ConnectionFailed"},
  };
  if (auto it = kCodes.find(sqlstate); it != kCodes.end()) return std::string(it->second);
  if (sqlstate.starts_with("08")) return "Redshift.ConnectionFailed";
  return "Redshift.DataLoadFailed";
}

std::string trim(std::string s) {
  while (!s.empty() && (s.back() == '\n' || s.back() == ' ')) s.pop_back();
  return s;
}

struct ResultDeleter {
  void operator()(PGresult* r) const { PQclear(r); }
};
using PgResult = std::unique_ptr<PGresult, ResultDeleter>;

struct Job {
  SendRequest request;
  std::function<void(SendOutcome)> done;
};

class RedshiftSender final : public Sender {
 public:
  RedshiftSender(const api::RedshiftDestinationDescription& d, std::optional<std::string> password,
                 s3::ObjectStore& store, RedshiftOptions options, JdbcTarget target)
      : desc_(d),
        password_(std::move(password)),
        store_(store),
        options_(std::move(options)),
        target_(std::move(target)) {
    if (!options_.backoff_ms)
      options_.backoff_ms = [](int attempt) {
        return std::min<int64_t>(kMaxBackoffMs, int64_t{1000} << std::clamp(attempt - 1, 0, 20));
      };
    if (!options_.now_ms) options_.now_ms = system_now_ms;
    spec_ = parse_copy_options(d.copy_command.copy_options.value_or(""));
    if (d.copy_command.data_table_columns && !d.copy_command.data_table_columns->empty())
      column_list_ = parse_column_list(*d.copy_command.data_table_columns);
    worker_ = std::thread([this] { run(); });
  }

  ~RedshiftSender() override {
    {
      MutexLock lock(mu_);
      stopping_ = true;
      cv_.notify_all();
    }
    worker_.join();
    if (conn_) PQfinish(conn_);
  }

  std::string_view error_output_type() const override { return ""; }  // never kFailed: kHandled with a manifest

  void send(SendRequest request, std::function<void(SendOutcome)> done) override {
    MutexLock lock(mu_);
    queue_.push_back(Job{std::move(request), std::move(done)});
    cv_.notify_one();
  }

 private:
  void run() {
    for (;;) {
      Job job;
      {
        MutexLock lock(mu_);
        cv_.wait(mu_, [&]() REQUIRES(mu_) { return stopping_ || !queue_.empty(); });
        if (stopping_) {
          std::deque<Job> left;
          left.swap(queue_);
          lock.unlock();
          for (auto& j : left) {
            SendOutcome o;
            o.verdict = SendOutcome::Verdict::kRetry;
            o.error_message = "the Redshift sender is shutting down";
            j.done(std::move(o));
          }
          return;
        }
        job = std::move(queue_.front());
        queue_.pop_front();
      }
      SendOutcome outcome = attempt(job.request);
      job.done(std::move(outcome));
    }
  }

  SendOutcome attempt(const SendRequest& r) {
    auto loaded = write_and_load(r);
    if (loaded) {
      spdlog::debug("firehose redshift: loaded {} rows of s3://{}/{}", *loaded, r.bucket, r.key);
      return SendOutcome{};
    }
    const LoadError& e = loaded.error();
    spdlog::warn("firehose redshift: attempt {} at s3://{}/{} failed: {}: {}", r.attempt, r.bucket, r.key, e.code,
                 e.message);
    SendOutcome o;
    o.error_code = e.code;
    o.error_message = e.message;
    int64_t duration_ms = int64_t{desc_.retry_options && desc_.retry_options->duration_in_seconds
                                      ? *desc_.retry_options->duration_in_seconds
                                      : kDefaultDurationS} *
                          1000;
    int64_t elapsed = options_.now_ms() - r.first_attempt_ms;
    if (elapsed < duration_ms) {
      o.verdict = SendOutcome::Verdict::kRetry;
      o.retry_after_ms = std::max<int64_t>(0, std::min(options_.backoff_ms(r.attempt), duration_ms - elapsed));
      return o;
    }
    // Retrying is over: list the object in a manifest for a manual COPY.
    if (auto st = write_manifest(r); !st) {
      o.verdict = SendOutcome::Verdict::kRetry;
      o.retry_after_ms = options_.backoff_ms(r.attempt);
      o.error_message += "; and the error manifest could not be written: " + st.to_string();
      return o;
    }
    o.verdict = SendOutcome::Verdict::kHandled;
    return o;
  }

  std::string manifest_key(const SendRequest& r) const {
    std::time_t t = r.first_attempt_ms / 1000;
    std::tm tm{};
    gmtime_r(&t, &tm);
    char hour[32];
    std::strftime(hour, sizeof hour, "%Y/%m/%d/%H/", &tm);
    size_t slash = r.key.rfind('/');
    std::string base = slash == std::string::npos ? r.key : r.key.substr(slash + 1);
    return desc_.s3_destination_description.prefix.value_or("") + "errors/manifests/" + hour + base;
  }

  Status write_manifest(const SendRequest& r) {
    s3::PutObjectRequest put;
    put.bucket = r.bucket;
    put.key = manifest_key(r);
    put.content_type = "application/json";
    put.set_body("{\"entries\":[{\"url\":\"s3://" + r.bucket + "/" + r.key + "\",\"mandatory\":true}]}");
    std::promise<Status> p;
    store_.put_object(std::move(put),
                      [&p](Result<s3::ObjectInfo> res) { p.set_value(res ? Status::ok() : res.error()); });
    return p.get_future().get();
  }

  LoadResult<uint64_t> write_and_load(const SendRequest& r) {
    {
      s3::PutObjectRequest put;
      put.bucket = r.bucket;
      put.key = r.key;
      put.body = r.body;
      std::promise<Status> p;
      store_.put_object(std::move(put),
                        [&p](Result<s3::ObjectInfo> res) { p.set_value(res ? Status::ok() : res.error()); });
      // Written again on every attempt: the same bytes under the same name.
      if (Status st = p.get_future().get(); !st)
        return load_error(
            st.code() == Status::Code::kNotFound ? "S3.NoSuchBucket" : "InternalError",
            "could not write the intermediate object s3://" + r.bucket + "/" + r.key + ": " + st.to_string());
    }
    if (!spec_) return std::unexpected(spec_.error());
    if (!column_list_) return std::unexpected(column_list_.error());
    std::string inflated;
    std::string_view data = r.bytes();
    if (spec_->gzip) {
      auto d = decompress(Compression::kGzip, data);
      if (!d)
        return load_error("Redshift.DataLoadFailed", "CopyOptions has GZIP but s3://" + r.bucket + "/" + r.key +
                                                         " is not GZIP data (" + d.error().message() +
                                                         "); is the S3 CompressionFormat GZIP?");
      inflated = std::move(*d);
      data = inflated;
    }
    std::optional<std::vector<JsonPath>> jsonpaths;
    if (spec_->jsonpaths_key) {
      std::promise<Result<std::string>> p;
      store_.get_object(*spec_->jsonpaths_bucket, *spec_->jsonpaths_key,
                        [&p](Result<std::string> res) { p.set_value(std::move(res)); });
      auto text = p.get_future().get();
      std::string where = "s3://" + *spec_->jsonpaths_bucket + "/" + *spec_->jsonpaths_key;
      if (!text)
        return load_error("Redshift.MissingS3File",
                          "could not read the JSONPaths file " + where + ": " + text.error().to_string());
      auto parsed = parse_jsonpaths_file(*text);
      if (!parsed) return load_error(parsed.error().code, where + ": " + parsed.error().message);
      jsonpaths = std::move(*parsed);
    }
    if (auto e = connect()) return std::unexpected(*e);
    auto rows = load(data, jsonpaths ? &*jsonpaths : nullptr);
    if (!rows) {
      if (PQstatus(conn_) != CONNECTION_OK) {
        PQfinish(conn_);
        conn_ = nullptr;
      } else if (PQtransactionStatus(conn_) != PQTRANS_IDLE) {
        PgResult rb(PQexec(conn_, "ROLLBACK"));
      }
    }
    return rows;
  }

  std::string where() const { return target_.host + ":" + std::to_string(target_.port) + "/" + target_.database; }

  std::optional<LoadError> connect() {
    if (conn_ && PQstatus(conn_) == CONNECTION_OK) {
      // A connection kept from an earlier load may have died since (a
      // restarted server): one round trip tells, before any work is sent.
      PgResult probe(PQexec(conn_, ""));
      if (PQresultStatus(probe.get()) == PGRES_EMPTY_QUERY) return std::nullopt;
    }
    if (conn_) {
      PQfinish(conn_);
      conn_ = nullptr;
    }
    std::map<std::string, std::string> kv;
    kv["host"] = target_.host;
    kv["port"] = std::to_string(target_.port);
    kv["dbname"] = target_.database;
    kv["connect_timeout"] = std::to_string(options_.connect_timeout_s);
    kv["application_name"] = "runnel-firehose";
    for (const auto& [k, v] : target_.params) kv[k] = v;
    if (desc_.username) kv["user"] = *desc_.username;
    if (password_) kv["password"] = *password_;
    std::vector<const char*> keys, values;
    for (const auto& [k, v] : kv) {
      keys.push_back(k.c_str());
      values.push_back(v.c_str());
    }
    keys.push_back(nullptr);
    values.push_back(nullptr);
    conn_ = PQconnectdbParams(keys.data(), values.data(), 0);
    if (PQstatus(conn_) == CONNECTION_OK) return std::nullopt;
    std::string msg = trim(PQerrorMessage(conn_));
    PQfinish(conn_);
    conn_ = nullptr;
    if (msg.find("authentication failed") != std::string::npos || msg.find("no password supplied") != std::string::npos)
      return LoadError{"Redshift.AuthenticationFailed", "PostgreSQL at " + where() + " refused the login of user \"" +
                                                            kv["user"] + "\": check Username and Password (" + msg +
                                                            ")"};
    if (msg.find("database \"") != std::string::npos && msg.find("does not exist") != std::string::npos)
      return LoadError{"Redshift.DatabaseNotFound",
                       "the database in ClusterJDBCURL does not exist at " + where() + " (" + msg + ")"};
    return LoadError{"Redshift.ConnectionFailed",
                     "could not connect to PostgreSQL at " + where() +
                         ": check that it is running and reachable, and ClusterJDBCURL's host and port (" + msg + ")"};
  }

  LoadError pg_error(const PGresult* res, std::string_view doing) const {
    const char* state = PQresultErrorField(res, PG_DIAG_SQLSTATE);
    std::string msg = trim(res ? PQresultErrorMessage(res) : PQerrorMessage(conn_));
    if (msg.empty()) msg = trim(PQerrorMessage(conn_));
    std::string code = state ? error_code_for(state) : "Redshift.ConnectionFailed";
    return LoadError{code, std::string(doing) + " failed: " + msg};
  }

  std::optional<LoadError> exec(const char* sql, std::string_view doing) {
    PgResult res(PQexec(conn_, sql));
    if (PQresultStatus(res.get()) != PGRES_COMMAND_OK) return pg_error(res.get(), doing);
    return std::nullopt;
  }

  std::string quote_ident(std::string_view name) const {
    char* q = PQescapeIdentifier(conn_, name.data(), name.size());
    std::string out = q ? q : "\"\"";
    PQfreemem(q);
    return out;
  }

  // One transaction: the table's columns, the COPY, the commit.
  LoadResult<uint64_t> load(std::string_view data, const std::vector<JsonPath>* jsonpaths) {
    if (auto e = exec("BEGIN", "BEGIN")) return std::unexpected(*e);
    const std::string& table = desc_.copy_command.data_table_name;
    const char* params[] = {table.c_str()};
    PgResult cols(PQexecParams(conn_,
                               "SELECT quote_ident(n.nspname) || '.' || quote_ident(c.relname), a.attname, a.atttypid, "
                               "a.atttypmod FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace "
                               "JOIN pg_attribute a ON a.attrelid = c.oid WHERE c.oid = to_regclass($1) "
                               "AND a.attnum > 0 AND NOT a.attisdropped ORDER BY a.attnum",
                               1, nullptr, params, nullptr, nullptr, 0));
    if (PQresultStatus(cols.get()) != PGRES_TUPLES_OK)
      return std::unexpected(pg_error(cols.get(), "reading the columns of table \"" + table + "\""));
    int n = PQntuples(cols.get());
    if (n == 0)
      return load_error("Redshift.TableNotFound", "table \"" + table + "\" (DataTableName) does not exist in " +
                                                      where() + ": create it, or correct DataTableName");
    std::string qualified = PQgetvalue(cols.get(), 0, 0);
    std::vector<TableColumn> all;
    for (int i = 0; i < n; ++i) {
      TableColumn c;
      c.name = PQgetvalue(cols.get(), i, 1);
      int oid = std::atoi(PQgetvalue(cols.get(), i, 2));
      int typmod = std::atoi(PQgetvalue(cols.get(), i, 3));
      if (oid == 25 || oid == 1042 || oid == 1043) c.kind = TableColumn::Kind::kCharacter;
      if (oid == 1114 || oid == 1184) c.kind = TableColumn::Kind::kTimestamp;
      if ((oid == 1042 || oid == 1043) && typmod > 4) c.max_chars = typmod - 4;
      all.push_back(std::move(c));
    }
    std::vector<TableColumn> target;
    if (column_list_->empty()) {
      target = all;
    } else {
      for (const auto& name : *column_list_) {
        auto it = std::find_if(all.begin(), all.end(), [&](const TableColumn& c) { return c.name == name; });
        if (it == all.end())
          return load_error("Redshift.ColumnNotFound", "column \"" + name + "\" of DataTableColumns is not in table " +
                                                           qualified + " at " + where());
        target.push_back(*it);
      }
    }
    std::string sql = "COPY " + qualified + " (";
    for (size_t i = 0; i < target.size(); ++i) sql += (i ? ", " : "") + quote_ident(target[i].name);
    sql += ") FROM STDIN";
    PgResult copy(PQexec(conn_, sql.c_str()));
    if (PQresultStatus(copy.get()) != PGRES_COPY_IN) return std::unexpected(pg_error(copy.get(), "COPY"));
    auto rows =
        translate_rows(*spec_, data, target, jsonpaths, [&](std::string_view chunk) -> std::optional<LoadError> {
          if (PQputCopyData(conn_, chunk.data(), static_cast<int>(chunk.size())) != 1)
            return LoadError{"Redshift.ConnectionFailed", "sending rows failed: " + trim(PQerrorMessage(conn_))};
          return std::nullopt;
        });
    PQputCopyEnd(conn_, rows ? nullptr : "the object could not be read");
    PgResult end(PQgetResult(conn_));
    bool copied = PQresultStatus(end.get()) == PGRES_COMMAND_OK;
    LoadError copy_error = copied ? LoadError{} : pg_error(end.get(), "COPY into " + qualified);
    while (PgResult extra{PQgetResult(conn_)}) {
    }
    if (!rows) return std::unexpected(rows.error());
    if (!copied) return std::unexpected(copy_error);
    if (auto e = exec("COMMIT", "COMMIT")) return std::unexpected(*e);
    return *rows;
  }

  const api::RedshiftDestinationDescription desc_;
  const std::optional<std::string> password_;
  s3::ObjectStore& store_;
  RedshiftOptions options_;
  const JdbcTarget target_;
  LoadResult<CopySpec> spec_;
  LoadResult<std::vector<std::string>> column_list_ = std::vector<std::string>{};
  PGconn* conn_ = nullptr;  // the worker's

  Mutex mu_;
  CondVar cv_;
  std::deque<Job> queue_ GUARDED_BY(mu_);
  bool stopping_ GUARDED_BY(mu_) = false;
  std::thread worker_;
};

}  // namespace

Result<std::unique_ptr<Sender>> make_redshift_sender(const api::RedshiftDestinationDescription& d,
                                                     std::optional<std::string> password, s3::ObjectStore& store,
                                                     RedshiftOptions options) {
  auto target = parse_jdbc_url(d.cluster_jdbcurl);
  if (!target) return error(Status::invalid_argument(target.error().message));
  return std::unique_ptr<Sender>(
      std::make_unique<RedshiftSender>(d, std::move(password), store, std::move(options), std::move(*target)));
}

}  // namespace runnel::firehose
