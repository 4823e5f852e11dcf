// The Redshift destination's load into PostgreSQL against `psql \copy` of
// the same file, in the same run, on the same cluster
// (docs/firehose-redshift.md, "Performance"; scripts/bench-copy.sh starts
// the cluster and runs these):
//   BM_RedshiftLoad/0   our sender: the object written to the in-memory
//                       store, then its pipe-delimited rows translated
//                       (redshift_copy.h) and streamed into COPY FROM STDIN,
//                       in one transaction; timed from send() to `done`;
//   BM_RedshiftLoad/1   the same rows as concatenated JSON objects, JSON 'auto';
//   BM_PsqlCopy         psql -c "\copy t FROM 'file' (DELIMITER '|')" of the
//                       pipe-delimited file: PostgreSQL's own client, the
//                       ceiling (it includes starting psql and its login);
//   BM_PsqlStartup      psql -c 'SELECT 1': that fixed part alone.
// Each iteration loads 200,000 rows (8.6 MB as text) into an emptied,
// unlogged table. bytes_per_second counts the text file's bytes in every
// case, so the three compare directly. Skipped without RUNNEL_PG_HOST.
#include <benchmark/benchmark.h>
#include <libpq-fe.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <future>

#include "firehose/redshift_sender.h"
#include "firehose/test_object_store.h"

namespace runnel::firehose {
namespace {

constexpr int kRows = 200'000;

const char* env(const char* n) { return std::getenv(n); }

struct Data {
  std::string text, json;
  Data() {
    for (int i = 0; i < kRows; ++i) {
      std::string name = "name-" + std::to_string(i);
      std::string at = "2026-12-07 10:" + std::to_string(10 + i % 50) + ":00";
      text += std::to_string(i) + "|" + name + "|" + at + "|" + std::to_string(i * 7 % 1000) + ".25\n";
      json += "{\"id\":" + std::to_string(i) + ",\"name\":\"" + name + "\",\"at\":\"" + at +
              "\",\"amount\":" + std::to_string(i * 7 % 1000) + ".25}";
    }
  }
};
const Data& data() {
  static const Data d;
  return d;
}

bool exec(PGconn* c, const char* sql) {
  PGresult* r = PQexec(c, sql);
  bool ok = PQresultStatus(r) == PGRES_COMMAND_OK;
  PQclear(r);
  return ok;
}

PGconn* connect_or_skip(benchmark::State& state) {
  if (!env("RUNNEL_PG_HOST")) {
    state.SkipWithError("RUNNEL_PG_HOST is not set: run scripts/bench-copy.sh");
    return nullptr;
  }
  PGconn* c = PQconnectdb("");  // PGHOST, PGPORT, PGUSER, PGPASSWORD, PGDATABASE from pg-cluster.sh
  if (PQstatus(c) != CONNECTION_OK ||
      !exec(c,
            "DROP TABLE IF EXISTS bench; CREATE UNLOGGED TABLE bench (id int, name varchar(64), "
            "at timestamp, amount numeric(10,2))")) {
    state.SkipWithError(PQerrorMessage(c));
    PQfinish(c);
    return nullptr;
  }
  return c;
}

void BM_RedshiftLoad(benchmark::State& state) {
  PGconn* c = connect_or_skip(state);
  if (!c) return;
  bool json = state.range(0) == 1;
  api::RedshiftDestinationDescription d;
  d.cluster_jdbcurl = std::string("jdbc:postgresql://") + env("RUNNEL_PG_HOST") + ":" + env("RUNNEL_PG_PORT") + "/" +
                      env("RUNNEL_PG_DATABASE");
  d.username = env("RUNNEL_PG_USER");
  d.copy_command.data_table_name = "bench";
  d.copy_command.copy_options = json ? "JSON 'auto'" : "";
  testing::MemoryStore store;
  auto sender = make_redshift_sender(d, std::string(env("RUNNEL_PG_PASSWORD")), store);
  if (!sender) {
    state.SkipWithError(sender.error().to_string().c_str());
    PQfinish(c);
    return;
  }
  const std::string& body = json ? data().json : data().text;
  int attempt = 0;
  for (auto _ : state) {
    state.PauseTiming();
    exec(c, "TRUNCATE bench");
    state.ResumeTiming();
    SendRequest r;
    r.batch_id = "bench-" + std::to_string(++attempt);
    r.bucket = "inter";
    r.key = "bench/" + r.batch_id;
    r.body = body;
    std::promise<SendOutcome> p;
    (*sender)->send(std::move(r), [&p](SendOutcome o) { p.set_value(std::move(o)); });
    SendOutcome o = p.get_future().get();
    if (o.verdict != SendOutcome::Verdict::kDelivered) {
      state.SkipWithError(o.error_message.c_str());
      break;
    }
  }
  state.SetBytesProcessed(int64_t(state.iterations()) * int64_t(data().text.size()));
  state.counters["rows"] = kRows;
  PQfinish(c);
}
BENCHMARK(BM_RedshiftLoad)->Arg(0)->Arg(1)->Unit(benchmark::kMillisecond)->UseRealTime();

void BM_PsqlCopy(benchmark::State& state) {
  PGconn* c = connect_or_skip(state);
  if (!c) return;
  auto file = std::filesystem::temp_directory_path() / ("runnel-bench-copy-" + std::to_string(getpid()) + ".txt");
  std::ofstream(file, std::ios::binary) << data().text;
  std::string cmd = "psql -q -v ON_ERROR_STOP=1 -c \"\\copy bench FROM '" + file.string() + "' (DELIMITER '|')\"";
  for (auto _ : state) {
    state.PauseTiming();
    exec(c, "TRUNCATE bench");
    state.ResumeTiming();
    if (std::system(cmd.c_str()) != 0) {
      state.SkipWithError("psql \\copy failed");
      break;
    }
  }
  std::filesystem::remove(file);
  state.SetBytesProcessed(int64_t(state.iterations()) * int64_t(data().text.size()));
  state.counters["rows"] = kRows;
  PQfinish(c);
}
BENCHMARK(BM_PsqlCopy)->Unit(benchmark::kMillisecond)->UseRealTime();

// psql's fixed cost in BM_PsqlCopy: starting, logging in (scram-sha-256,
// TLS), one statement.
void BM_PsqlStartup(benchmark::State& state) {
  PGconn* c = connect_or_skip(state);
  if (!c) return;
  for (auto _ : state) {
    if (std::system("psql -q -v ON_ERROR_STOP=1 -c 'SELECT 1' >/dev/null") != 0) {
      state.SkipWithError("psql failed");
      break;
    }
  }
  PQfinish(c);
}
BENCHMARK(BM_PsqlStartup)->Unit(benchmark::kMillisecond)->UseRealTime();

}  // namespace
}  // namespace runnel::firehose
