#include "metrics/store.h"

#include <sqlite3.h>

#include <map>
#include <utility>

#include "common/hex.h"
#include "metrics/sqlite_util.h"

namespace runnel::metrics {
namespace {

using detail::Statement;

constexpr int64_t kListWindowSeconds = 14 * 86400;  // ListMetrics shows two weeks
constexpr int64_t kRecentSeconds = 3 * 3600;        // RecentlyActive=PT3H
constexpr int64_t kLastSeenStepSeconds = 60;        // last_seen is rewritten at most this often

const char* const kSchema[] = {
    "PRAGMA journal_mode=WAL",
    "PRAGMA synchronous=NORMAL",
    "CREATE TABLE IF NOT EXISTS meta(key TEXT PRIMARY KEY, value INTEGER NOT NULL)",
    "INSERT OR IGNORE INTO meta(key, value) VALUES('schema_version', 1)",
    "CREATE TABLE IF NOT EXISTS series("
    " id INTEGER PRIMARY KEY,"
    " namespace TEXT NOT NULL,"
    " name TEXT NOT NULL,"
    " dims BLOB NOT NULL,"
    " unit INTEGER NOT NULL,"
    " last_seen INTEGER NOT NULL,"
    " UNIQUE(namespace, name, dims, unit))",
    "CREATE TABLE IF NOT EXISTS datapoints("
    " period INTEGER NOT NULL,"
    " series_id INTEGER NOT NULL,"
    " start INTEGER NOT NULL,"
    " count REAL NOT NULL,"
    " total REAL NOT NULL,"
    " minimum REAL NOT NULL,"
    " maximum REAL NOT NULL,"
    " flags INTEGER NOT NULL,"
    " hist BLOB NOT NULL,"
    " PRIMARY KEY(period, start, series_id)) WITHOUT ROWID",
    "CREATE INDEX IF NOT EXISTS datapoints_by_series ON datapoints(series_id, period, start)",
};

int64_t floor_to(int64_t t, int64_t step) { return t - (((t % step) + step) % step); }

// hist_merge(a, b): the LogHistogram blob holding both blobs' counts.
void hist_merge(sqlite3_context* ctx, int, sqlite3_value** argv) {
  auto blob = [](sqlite3_value* v) {
    const void* p = sqlite3_value_blob(v);
    int n = sqlite3_value_bytes(v);
    return p ? std::string_view(static_cast<const char*>(p), static_cast<size_t>(n)) : std::string_view();
  };
  auto out = LogHistogram::merge_encoded(blob(argv[0]), blob(argv[1]));
  if (!out) {
    sqlite3_result_error(ctx, "corrupt histogram blob", -1);
    return;
  }
  sqlite3_result_blob(ctx, out->data(), static_cast<int>(out->size()), SQLITE_TRANSIENT);
}

Status exec(sqlite3* db, const char* sql) {
  char* err = nullptr;
  if (sqlite3_exec(db, sql, nullptr, nullptr, &err) != SQLITE_OK) {
    Status s = Status::io_error(std::string("metrics store: ") + sql + ": " + (err ? err : "?"));
    sqlite3_free(err);
    return s;
  }
  return Status::ok();
}

Result<sqlite3*> open_connection(const std::string& path, int flags, int64_t cache_kib) {
  sqlite3* db = nullptr;
  if (sqlite3_open_v2(path.c_str(), &db, flags | SQLITE_OPEN_NOMUTEX, nullptr) != SQLITE_OK) {
    std::string msg = db ? sqlite3_errmsg(db) : "out of memory";
    sqlite3_close(db);
    return error(Status::io_error("metrics store: open " + path + ": " + msg));
  }
  sqlite3_busy_timeout(db, 5000);
  std::string cache = "PRAGMA cache_size=-" + std::to_string(cache_kib);
  if (Status s = exec(db, cache.c_str()); !s) {
    sqlite3_close(db);
    return error(s);
  }
  return db;
}

std::string hex(std::string_view bytes) { return to_hex(bytes); }

Result<std::string> unhex(std::string_view text) {
  auto digit = [](char c) -> int {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    return -1;
  };
  if (text.size() % 2) return error(Status::invalid_argument("malformed NextToken"));
  std::string out;
  for (size_t i = 0; i < text.size(); i += 2) {
    int hi = digit(text[i]);
    int lo = digit(text[i + 1]);
    if (hi < 0 || lo < 0) return error(Status::invalid_argument("malformed NextToken"));
    out.push_back(static_cast<char>(hi * 16 + lo));
  }
  return out;
}

}  // namespace

Result<std::unique_ptr<MetricStore>> MetricStore::open(StoreOptions options) {
  auto writer = open_connection(options.path, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, options.cache_kib);
  if (!writer) return error(writer.error());
  for (const char* sql : kSchema) {
    if (Status s = exec(*writer, sql); !s) {
      sqlite3_close(*writer);
      return error(s);
    }
  }
  if (sqlite3_create_function(*writer, "hist_merge", 2, SQLITE_UTF8 | SQLITE_DETERMINISTIC, nullptr, hist_merge,
                              nullptr, nullptr) != SQLITE_OK) {
    sqlite3_close(*writer);
    return error(Status::io_error("metrics store: cannot register hist_merge"));
  }
  auto reader = open_connection(options.path, SQLITE_OPEN_READONLY, options.cache_kib);
  if (!reader) {
    sqlite3_close(*writer);
    return error(reader.error());
  }
  std::unique_ptr<MetricStore> store(new MetricStore(*writer, *reader, std::move(options.clock)));
  if (auto r = store->apply_retention(store->now()); !r) return error(r.error());
  return store;
}

MetricStore::~MetricStore() {
  sqlite3_close(reader_);
  sqlite3_close(writer_);
}

Result<int64_t> MetricStore::series_id(Series& s, int64_t now) {
  if (s.store_id != 0) {
    if (now - s.store_last_seen < kLastSeenStepSeconds) return s.store_id;
    Statement st(writer_, "UPDATE series SET last_seen = max(last_seen, ?1) WHERE id = ?2");
    st.bind(1, now);
    st.bind(2, s.store_id);
    if (!st.ok() || st.step() != SQLITE_DONE) return error(st.error("metrics store: last_seen"));
    s.store_last_seen = now;
    return s.store_id;
  }
  MetricId id = s.id();
  Statement st(writer_,
               "INSERT INTO series(namespace, name, dims, unit, last_seen) VALUES(?1, ?2, ?3, ?4, ?5) "
               "ON CONFLICT(namespace, name, dims, unit) DO UPDATE SET last_seen = max(last_seen, excluded.last_seen) "
               "RETURNING id");
  if (!st.ok()) return error(st.error("metrics store: series"));
  st.bind_text(1, id.ns());
  st.bind_text(2, id.name());
  st.bind_blob(3, id.dimensions_key());
  st.bind(4, static_cast<int64_t>(s.unit()));
  st.bind(5, now);
  if (st.step() != SQLITE_ROW) return error(st.error("metrics store: series"));
  s.store_id = st.int64(0);
  s.store_last_seen = now;
  return s.store_id;
}

Status MetricStore::write(std::vector<Registry::Delta>& deltas) {
  if (deltas.empty()) return Status::ok();
  MutexLock lock(write_mu_);
  int64_t now = unix_seconds(clock_());
  // What series_id() caches in the series is only true if the transaction
  // commits: remember it to undo on failure.
  std::vector<std::pair<int64_t, int64_t>> cached;
  cached.reserve(deltas.size());
  for (auto& d : deltas) cached.emplace_back(d.series->store_id, d.series->store_last_seen);
  auto fail = [&](Status s) REQUIRES(write_mu_) {
    exec(writer_, "ROLLBACK").is_ok();
    for (size_t i = 0; i < deltas.size(); ++i) {
      deltas[i].series->store_id = cached[i].first;
      deltas[i].series->store_last_seen = cached[i].second;
    }
    return s;
  };
  if (Status s = exec(writer_, "BEGIN IMMEDIATE"); !s) return s;
  Statement upsert(writer_,
                   "INSERT INTO datapoints(period, series_id, start, count, total, minimum, maximum, flags, hist) "
                   "VALUES(?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9) "
                   "ON CONFLICT(period, start, series_id) DO UPDATE SET "
                   "count = count + excluded.count, total = total + excluded.total, "
                   "minimum = min(minimum, excluded.minimum), maximum = max(maximum, excluded.maximum), "
                   "flags = flags | excluded.flags, hist = hist_merge(hist, excluded.hist)");
  if (!upsert.ok()) return fail(upsert.error("metrics store: prepare"));
  for (auto& d : deltas) {
    auto id = series_id(*d.series, now);
    if (!id) return fail(id.error());
    // One row per (tier, start), however many slots fall into it.
    std::map<std::pair<int64_t, int64_t>, Aggregate> rows;
    for (const auto& slot : d.slots) {
      if (slot.high_resolution) rows[{1, slot.start}].merge(slot.aggregate);
      for (int64_t tier : {int64_t{60}, int64_t{300}, int64_t{3600}}) {
        rows[{tier, floor_to(slot.start, tier)}].merge(slot.aggregate);
      }
    }
    for (const auto& [key, a] : rows) {
      upsert.reset();
      upsert.bind(1, key.first);
      upsert.bind(2, *id);
      upsert.bind(3, key.second);
      upsert.bind(4, a.count);
      upsert.bind(5, a.sum);
      upsert.bind(6, a.min);
      upsert.bind(7, a.max);
      upsert.bind(8, static_cast<int64_t>(a.flags));
      upsert.bind_blob(9, a.histogram.encode());
      if (upsert.step() != SQLITE_DONE) return fail(upsert.error("metrics store: datapoint"));
    }
  }
  if (Status s = exec(writer_, "COMMIT"); !s) return fail(s);
  return Status::ok();
}

Result<int64_t> MetricStore::apply_retention(TimePoint now_tp) {
  MutexLock lock(write_mu_);
  int64_t now = unix_seconds(now_tp);
  int64_t deleted = 0;
  Statement st(writer_, "DELETE FROM datapoints WHERE period = ?1 AND start < ?2");
  if (!st.ok()) return error(st.error("metrics store: retention"));
  for (size_t i = 0; i < std::size(kTiers); ++i) {
    st.reset();
    st.bind(1, kTiers[i]);
    // A row goes once its whole period is older than the retention.
    st.bind(2, now - kRetentionSeconds[i] - kTiers[i] + 1);
    if (st.step() != SQLITE_DONE) return error(st.error("metrics store: retention"));
    deleted += sqlite3_changes(writer_);
  }
  return deleted;
}

std::expected<std::vector<Datapoint>, QueryError> MetricStore::statistics(const MetricId& metric,
                                                                          std::optional<Unit> unit, TimePoint start,
                                                                          TimePoint end, int64_t period,
                                                                          int64_t max_datapoints) {
  auto plan = plan_statistics(clock_(), start, end, period, max_datapoints);
  if (!plan) return std::unexpected(plan.error());
  std::map<std::pair<int64_t, int>, Aggregate> periods;
  {
    MutexLock lock(read_mu_);
    Statement st(reader_,
                 "SELECT s.unit, d.start, d.count, d.total, d.minimum, d.maximum, d.flags, d.hist "
                 "FROM series s JOIN datapoints d INDEXED BY datapoints_by_series "
                 "ON d.series_id = s.id AND d.period = ?1 AND d.start >= ?2 AND d.start < ?3 "
                 "WHERE s.namespace = ?4 AND s.name = ?5 AND s.dims = ?6 AND (?7 < 0 OR s.unit = ?7)");
    auto storage_error = [&] {
      return std::unexpected(QueryError{QueryErrorCode::kStorage, st.error("metrics store: statistics").message()});
    };
    if (!st.ok()) return storage_error();
    st.bind(1, plan->tier);
    st.bind(2, plan->aligned_start);
    st.bind(3, plan->end);
    st.bind_text(4, metric.ns());
    st.bind_text(5, metric.name());
    st.bind_blob(6, metric.dimensions_key());
    st.bind(7, unit ? static_cast<int64_t>(*unit) : int64_t{-1});
    int rc;
    while ((rc = st.step()) == SQLITE_ROW) {
      int64_t row_start = st.int64(1);
      int64_t bucket = plan->aligned_start + (row_start - plan->aligned_start) / period * period;
      Aggregate a;
      a.count = st.real(2);
      a.sum = st.real(3);
      a.min = st.real(4);
      a.max = st.real(5);
      a.flags = static_cast<uint8_t>(st.int64(6));
      auto h = LogHistogram::decode(st.blob(7));
      if (!h) return std::unexpected(QueryError{QueryErrorCode::kStorage, h.error().message()});
      a.histogram = std::move(*h);
      periods[{bucket, static_cast<int>(st.int64(0))}].merge(a);
    }
    if (rc != SQLITE_DONE) return storage_error();
  }
  std::vector<Datapoint> out;
  out.reserve(periods.size());
  for (auto& [key, a] : periods) {
    out.push_back(Datapoint{TimePoint(std::chrono::seconds(key.first)), static_cast<Unit>(key.second), std::move(a)});
  }
  return out;
}

Result<ListMetricsPage> MetricStore::list_metrics(const ListMetricsQuery& q) {
  std::optional<MetricId> after;
  if (!q.next_token.empty()) {
    auto key = unhex(q.next_token);
    if (!key) return error(key.error());
    auto id = MetricId::from_key(*key);
    if (!id) return error(Status::invalid_argument("malformed NextToken"));
    after = std::move(*id);
  }
  int64_t now = unix_seconds(clock_());
  int64_t since = now - (q.recently_active ? kRecentSeconds : kListWindowSeconds);
  size_t page_size = q.page_size == 0 ? 500 : q.page_size;
  ListMetricsPage page;
  MutexLock lock(read_mu_);
  Statement st(reader_,
               "SELECT namespace, name, dims FROM series "
               "WHERE (?1 IS NULL OR namespace = ?1) AND (?2 IS NULL OR name = ?2) "
               "AND (?3 IS NULL OR (namespace, name, dims) > (?3, ?4, ?5)) "
               "GROUP BY namespace, name, dims HAVING max(last_seen) >= ?6 "
               "ORDER BY namespace, name, dims");
  if (!st.ok()) return error(st.error("metrics store: list"));
  if (q.ns)
    st.bind_text(1, *q.ns);
  else
    st.bind_null(1);
  if (q.metric_name)
    st.bind_text(2, *q.metric_name);
  else
    st.bind_null(2);
  if (after) {
    st.bind_text(3, after->ns());
    st.bind_text(4, after->name());
    st.bind_blob(5, after->dimensions_key());
  } else {
    st.bind_null(3);
  }
  st.bind(6, since);
  int rc;
  while ((rc = st.step()) == SQLITE_ROW) {
    auto dims = MetricId::dimensions_from_key(st.blob(2));
    if (!dims) return error(dims.error());
    auto id = MetricId::make(std::string(st.blob(0)), std::string(st.blob(1)), std::move(*dims));
    if (!id) return error(Status::corruption("metrics store: bad series row: " + id.error().message()));
    bool match = true;
    for (const auto& f : q.dimensions) {
      const std::string* v = id->dimension(f.name);
      if (!v || (f.value && *v != *f.value)) {
        match = false;
        break;
      }
    }
    if (!match) continue;
    if (page.metrics.size() == page_size) {
      page.next_token = hex(page.metrics.back().key());
      break;
    }
    page.metrics.push_back(std::move(*id));
  }
  if (rc != SQLITE_ROW && rc != SQLITE_DONE) return error(st.error("metrics store: list"));
  return page;
}

}  // namespace runnel::metrics
