// The Redshift sender: without PostgreSQL (RedshiftSender.*: retries,
// manifests, refused options, against a port nobody listens on), and against
// a real PostgreSQL 15 (RedshiftPostgres.*), which `ctest -R
// firehose_redshift_postgres` starts with scripts/pg-cluster.sh; those skip
// when RUNNEL_PG_HOST is not set.
#include <gtest/gtest.h>
#include <libpq-fe.h>

#include <cstdlib>
#include <future>

#include "firehose/compression.h"
#include "firehose/redshift_sender.h"
#include "firehose/test_object_store.h"

namespace runnel::firehose {
namespace {

using Verdict = SendOutcome::Verdict;

constexpr int64_t kT0 = 1'796'000'000'000;  // 2026-11-30 00:53:20 UTC, the first attempt

api::RedshiftDestinationDescription description(std::string url, std::string table, std::string options,
                                                std::optional<int32_t> duration_s = std::nullopt) {
  api::RedshiftDestinationDescription d;
  d.cluster_jdbcurl = std::move(url);
  d.copy_command.data_table_name = std::move(table);
  d.copy_command.copy_options = std::move(options);
  d.username = "postgres";
  d.s3_destination_description.prefix = "pre/";
  if (duration_s) d.retry_options = api::RedshiftRetryOptions{.duration_in_seconds = duration_s};
  return d;
}

SendRequest request(std::string_view body, int attempt = 1, int64_t now = kT0) {
  SendRequest r;
  r.batch_id = "b-1";
  r.attempt = attempt;
  r.first_attempt_ms = kT0;
  r.now_ms = now;
  r.bucket = "inter";
  r.key = "pre/2026/11/30/00/stream-1-2026-11-30-00-53-20-abc";
  r.body = std::make_shared<const std::string>(body);
  return r;
}

SendOutcome send(Sender& s, SendRequest r) {
  std::promise<SendOutcome> p;
  s.send(std::move(r), [&p](SendOutcome o) { p.set_value(std::move(o)); });
  return p.get_future().get();
}

// A clock the test sets, and a fixed backoff.
struct Clock {
  int64_t now = kT0;
  RedshiftOptions options() {
    RedshiftOptions o;
    o.now_ms = [this] { return now; };
    o.backoff_ms = [](int attempt) { return int64_t{10} * attempt; };
    o.connect_timeout_s = 5;
    return o;
  }
};

constexpr std::string_view kManifestKey = "inter/pre/errors/manifests/2026/11/30/00/stream-1-2026-11-30-00-53-20-abc";
constexpr std::string_view kManifest =
    R"({"entries":[{"url":"s3://inter/pre/2026/11/30/00/stream-1-2026-11-30-00-53-20-abc","mandatory":true}]})";

TEST(RedshiftSender, RefusesAnUnreadableJdbcUrl) {
  testing::MemoryStore store;
  auto s = make_redshift_sender(description("jdbc:oracle://h/d", "t", ""), std::nullopt, store);
  ASSERT_FALSE(s);
  EXPECT_NE(s.error().message().find("jdbc:oracle"), std::string::npos);
}

TEST(RedshiftSender, ConnectionFailureRetriesUntilTheDurationThenWritesTheManifest) {
  testing::MemoryStore store;
  Clock clock;
  // Port 1 of 127.0.0.1: nobody listens, the connection is refused at once.
  auto s =
      make_redshift_sender(description("jdbc:postgresql://127.0.0.1:1/db", "t", "", 60), "pw", store, clock.options());
  ASSERT_TRUE(s) << s.error().to_string();
  auto o = send(**s, request("1|a\n"));
  EXPECT_EQ(o.verdict, Verdict::kRetry);
  EXPECT_EQ(o.retry_after_ms, 10);
  EXPECT_EQ(o.error_code, "Redshift.ConnectionFailed");
  EXPECT_NE(o.error_message.find("127.0.0.1:1"), std::string::npos) << o.error_message;
  EXPECT_EQ(store.objects().at("inter/pre/2026/11/30/00/stream-1-2026-11-30-00-53-20-abc"), "1|a\n");

  clock.now = kT0 + 59'995;  // 5 ms left: the wait is cut to what is left
  o = send(**s, request("1|a\n", 2, clock.now));
  EXPECT_EQ(o.verdict, Verdict::kRetry);
  EXPECT_EQ(o.retry_after_ms, 5);
  EXPECT_EQ(store.objects().count(std::string(kManifestKey)), 0u);

  clock.now = kT0 + 60'000;
  o = send(**s, request("1|a\n", 3, clock.now));
  EXPECT_EQ(o.verdict, Verdict::kHandled);
  EXPECT_EQ(o.error_code, "Redshift.ConnectionFailed");
  EXPECT_EQ(store.objects().at(std::string(kManifestKey)), kManifest);
}

TEST(RedshiftSender, NoRetryWhenTheDurationIsZero) {
  testing::MemoryStore store;
  Clock clock;
  auto s =
      make_redshift_sender(description("jdbc:postgresql://127.0.0.1:1/db", "t", "", 0), "pw", store, clock.options());
  ASSERT_TRUE(s);
  auto o = send(**s, request("x"));
  EXPECT_EQ(o.verdict, Verdict::kHandled);
  EXPECT_EQ(store.objects().at(std::string(kManifestKey)), kManifest);
}

TEST(RedshiftSender, AManifestThatCannotBeWrittenIsRetried) {
  testing::MemoryStore store;
  Clock clock;
  auto s =
      make_redshift_sender(description("jdbc:postgresql://127.0.0.1:1/db", "t", "", 0), "pw", store, clock.options());
  ASSERT_TRUE(s);
  // The object's write fails (an S3 error, retried like any), then the manifest's.
  store.fail_next(2);
  auto o = send(**s, request("x"));
  EXPECT_EQ(o.verdict, Verdict::kRetry);
  EXPECT_NE(o.error_message.find("manifest could not be written"), std::string::npos) << o.error_message;
  o = send(**s, request("x", 2));
  EXPECT_EQ(o.verdict, Verdict::kHandled);
  EXPECT_TRUE(store.objects().contains(std::string(kManifestKey)));
}

TEST(RedshiftSender, UnsupportedCopyOptionFailsEachLoadNamingIt) {
  testing::MemoryStore store;
  Clock clock;
  auto s = make_redshift_sender(description("jdbc:postgresql://127.0.0.1:1/db", "t", "CSV MAXERROR 5", 60), "pw", store,
                                clock.options());
  ASSERT_TRUE(s);
  auto o = send(**s, request("1,a\n"));
  EXPECT_EQ(o.verdict, Verdict::kRetry);
  EXPECT_EQ(o.error_code, "Redshift.IncorrectCopyOptions");
  EXPECT_NE(o.error_message.find("MAXERROR"), std::string::npos) << o.error_message;
}

TEST(RedshiftSender, DestructorAnswersQueuedSends) {
  testing::MemoryStore store;
  Clock clock;
  std::vector<std::future<SendOutcome>> outcomes;
  std::vector<std::promise<SendOutcome>> promises(20);
  {
    auto s = make_redshift_sender(description("jdbc:postgresql://127.0.0.1:1/db", "t", "", 60), "pw", store,
                                  clock.options());
    ASSERT_TRUE(s);
    for (auto& p : promises) {
      outcomes.push_back(p.get_future());
      (*s)->send(request("x"), [&p](SendOutcome o) { p.set_value(std::move(o)); });
    }
  }
  for (auto& f : outcomes) EXPECT_EQ(f.get().verdict, Verdict::kRetry);  // each answered exactly once
}

// --- Against PostgreSQL ------------------------------------------------------

const char* env(const char* name) { return std::getenv(name); }

class RedshiftPostgres : public ::testing::Test {
 protected:
  void SetUp() override {
    if (!env("RUNNEL_PG_HOST"))
      GTEST_SKIP() << "RUNNEL_PG_HOST is not set: run `ctest -R firehose_redshift_postgres` "
                      "(scripts/pg-cluster.sh run ...) to test against PostgreSQL";
    std::string conninfo = std::string("host=") + env("RUNNEL_PG_HOST") + " port=" + env("RUNNEL_PG_PORT") +
                           " user=" + env("RUNNEL_PG_USER") + " dbname=" + env("RUNNEL_PG_DATABASE");
    setenv("PGPASSWORD", env("RUNNEL_PG_PASSWORD"), 1);
    conn_ = PQconnectdb(conninfo.c_str());
    ASSERT_EQ(PQstatus(conn_), CONNECTION_OK) << PQerrorMessage(conn_);
  }
  void TearDown() override {
    if (conn_) PQfinish(conn_);
  }

  std::string url(std::string_view extra = "") const {
    return std::string("jdbc:postgresql://") + env("RUNNEL_PG_HOST") + ":" + env("RUNNEL_PG_PORT") + "/" +
           env("RUNNEL_PG_DATABASE") + std::string(extra);
  }
  std::string password() const { return env("RUNNEL_PG_PASSWORD"); }

  void sql(const std::string& q) {
    PGresult* r = PQexec(conn_, q.c_str());
    EXPECT_TRUE(PQresultStatus(r) == PGRES_COMMAND_OK || PQresultStatus(r) == PGRES_TUPLES_OK)
        << q << ": " << PQresultErrorMessage(r);
    PQclear(r);
  }
  // Every row of `q`, fields joined by '|', NULL as "<null>", rows by '\n'.
  std::string rows(const std::string& q) {
    PGresult* r = PQexec(conn_, q.c_str());
    EXPECT_EQ(PQresultStatus(r), PGRES_TUPLES_OK) << q << ": " << PQresultErrorMessage(r);
    std::string out;
    for (int i = 0; i < PQntuples(r); ++i) {
      for (int j = 0; j < PQnfields(r); ++j) {
        if (j) out += '|';
        out += PQgetisnull(r, i, j) ? "<null>" : PQgetvalue(r, i, j);
      }
      out += '\n';
    }
    PQclear(r);
    return out;
  }

  // Loads `body` with `options` into a fresh table `table` (created by
  // `create`) and expects it delivered.
  SendOutcome load(const api::RedshiftDestinationDescription& d, std::string_view body) {
    auto s = make_redshift_sender(d, password(), store_, clock_.options());
    EXPECT_TRUE(s);
    if (!s) return {};
    return send(**s, request(body));
  }

  PGconn* conn_ = nullptr;
  testing::MemoryStore store_;
  Clock clock_;
};

TEST_F(RedshiftPostgres, DefaultPipeDelimitedText) {
  sql("DROP TABLE IF EXISTS t_text; CREATE TABLE t_text (id int, name varchar(20), note text)");
  auto o = load(description(url(), "t_text", "", 60), "1|alpha|a\\b\n2||\\N\n3| | x\n");
  ASSERT_EQ(o.verdict, Verdict::kDelivered) << o.error_code << ": " << o.error_message;
  EXPECT_EQ(rows("SELECT id, name, note FROM t_text ORDER BY id"), "1|alpha|a\\b\n2||<null>\n3| | x\n");
}

TEST_F(RedshiftPostgres, CsvWithDelimiterAndColumnList) {
  sql("DROP TABLE IF EXISTS t_csv; CREATE TABLE t_csv (id int, name text, extra text DEFAULT 'd')");
  auto d = description(url(), "public.T_CSV", "CSV DELIMITER ';'", 60);
  d.copy_command.data_table_columns = "name, ID";
  auto o = load(d, "\"x;y\";1\n\"multi\nline\";2\n");
  ASSERT_EQ(o.verdict, Verdict::kDelivered) << o.error_code << ": " << o.error_message;
  EXPECT_EQ(rows("SELECT id, name, extra FROM t_csv ORDER BY id"), "1|x;y|d\n2|multi\nline|d\n");
}

TEST_F(RedshiftPostgres, JsonAutoAndIgnorecase) {
  sql("DROP TABLE IF EXISTS t_json; CREATE TABLE t_json (id bigint, name text, ok boolean, obj text)");
  auto o = load(description(url(), "t_json", "JSON 'auto'", 60),
                R"({"id":1,"name":"a","ok":true,"obj":{"k":[1,2]}}{"id":2,"Name":"ignored","other":1})"
                "\n"
                R"({"id":3,"name":null,"ok":false})");
  ASSERT_EQ(o.verdict, Verdict::kDelivered) << o.error_code << ": " << o.error_message;
  EXPECT_EQ(rows("SELECT * FROM t_json ORDER BY id"),
            "1|a|t|{\"k\":[1,2]}\n2|<null>|<null>|<null>\n3|<null>|f|<null>\n");
  sql("TRUNCATE t_json");
  o = load(description(url(), "t_json", "JSON 'auto ignorecase'", 60), R"({"ID":5,"NAME":"Up"})");
  ASSERT_EQ(o.verdict, Verdict::kDelivered) << o.error_message;
  EXPECT_EQ(rows("SELECT id, name FROM t_json"), "5|Up\n");
}

TEST_F(RedshiftPostgres, JsonPathsFileFromTheStore) {
  sql("DROP TABLE IF EXISTS t_paths; CREATE TABLE t_paths (uid int, first_tag text)");
  std::promise<void> put;
  s3::PutObjectRequest jp;
  jp.bucket = "cfg";
  jp.key = "jp.json";
  jp.set_body(R"({"jsonpaths": ["$.user.id", "$['tags'][0]"]})");
  store_.put_object(std::move(jp), [&](Result<s3::ObjectInfo>) { put.set_value(); });
  put.get_future().get();
  auto o = load(description(url(), "t_paths", "FORMAT AS JSON 's3://cfg/jp.json'", 60),
                R"({"user":{"id":7},"tags":["red","blue"]}{"user":{}})");
  ASSERT_EQ(o.verdict, Verdict::kDelivered) << o.error_code << ": " << o.error_message;
  EXPECT_EQ(rows("SELECT * FROM t_paths ORDER BY uid NULLS LAST"), "7|red\n<null>|<null>\n");

  auto missing = load(description(url(), "t_paths", "FORMAT AS JSON 's3://cfg/none.json'", 60), "{}");
  EXPECT_EQ(missing.verdict, Verdict::kRetry);
  EXPECT_EQ(missing.error_code, "Redshift.MissingS3File");
}

TEST_F(RedshiftPostgres, GzipObject) {
  sql("DROP TABLE IF EXISTS t_gz; CREATE TABLE t_gz (id int, name text)");
  auto gz = compress(Compression::kGzip, std::string_view("1|one\n2|two\n"));
  ASSERT_TRUE(gz);
  auto o = load(description(url(), "t_gz", "GZIP", 60), *gz);
  ASSERT_EQ(o.verdict, Verdict::kDelivered) << o.error_code << ": " << o.error_message;
  EXPECT_EQ(rows("SELECT * FROM t_gz ORDER BY id"), "1|one\n2|two\n");
  auto plain = load(description(url(), "t_gz", "GZIP", 60), "3|three\n");
  EXPECT_EQ(plain.verdict, Verdict::kRetry);
  EXPECT_NE(plain.error_message.find("not GZIP"), std::string::npos) << plain.error_message;
}

TEST_F(RedshiftPostgres, TimeformatAuto) {
  sql("DROP TABLE IF EXISTS t_time; CREATE TABLE t_time (at timestamp)");
  auto o = load(description(url(), "t_time", "TIMEFORMAT 'auto'", 60), "2026-12-07T10:11:12\nDec 7 2026 10:11:13\n");
  ASSERT_EQ(o.verdict, Verdict::kDelivered) << o.error_code << ": " << o.error_message;
  EXPECT_EQ(rows("SELECT at FROM t_time ORDER BY at"), "2026-12-07 10:11:12\n2026-12-07 10:11:13\n");
  // Without it, only Redshift's default form loads.
  auto strict = load(description(url(), "t_time", "", 60), "2026-12-07T10:11:12\n");
  EXPECT_EQ(strict.verdict, Verdict::kRetry);
  EXPECT_EQ(strict.error_code, "Redshift.DataLoadFailed");
  EXPECT_EQ(rows("SELECT count(*) FROM t_time"), "2\n");
}

TEST_F(RedshiftPostgres, EmptyBlanksAndTruncate) {
  sql("DROP TABLE IF EXISTS t_null; CREATE TABLE t_null (id int, a varchar(3), b char(2))");
  auto o = load(description(url(), "t_null", "EMPTYASNULL BLANKSASNULL TRUNCATECOLUMNS", 60),
                "1||  \n2|abcdef|xyz\n|é€xyz| \n");
  ASSERT_EQ(o.verdict, Verdict::kDelivered) << o.error_code << ": " << o.error_message;
  EXPECT_EQ(rows("SELECT id, a, b FROM t_null ORDER BY id NULLS LAST"),
            "1|<null>|<null>\n2|abc|xy\n<null>|é€x|<null>\n");
  // Without TRUNCATECOLUMNS a value too long fails the load.
  auto o2 = load(description(url(), "t_null", "", 60), "3|abcdef|x\n");
  EXPECT_EQ(o2.verdict, Verdict::kRetry);
  EXPECT_EQ(o2.error_code, "Redshift.DataLoadFailed");
  EXPECT_NE(o2.error_message.find("too long"), std::string::npos) << o2.error_message;
}

TEST_F(RedshiftPostgres, AFailedLoadLeavesNoRows) {
  sql("DROP TABLE IF EXISTS t_atomic; CREATE TABLE t_atomic (id int, name text); INSERT INTO t_atomic VALUES (0, "
      "'old')");
  // PostgreSQL refuses the last row ("x" is no int): the rows before it are gone too.
  std::string body;
  for (int i = 1; i <= 50000; ++i) body += std::to_string(i) + "|row\n";
  body += "x|bad\n";
  auto o = load(description(url(), "t_atomic", "", 60), body);
  EXPECT_EQ(o.verdict, Verdict::kRetry);
  EXPECT_EQ(o.error_code, "Redshift.DataLoadFailed");
  EXPECT_NE(o.error_message.find("line 50001"), std::string::npos) << o.error_message;
  EXPECT_EQ(rows("SELECT count(*) FROM t_atomic"), "1\n");
  // Our own translation refuses a row after more than a megabyte went out.
  body.resize(body.size() - 6);
  body += "1|too|many\n";
  o = load(description(url(), "t_atomic", "", 60), body);
  EXPECT_EQ(o.verdict, Verdict::kRetry);
  EXPECT_NE(o.error_message.find("Extra column(s) found"), std::string::npos) << o.error_message;
  EXPECT_EQ(rows("SELECT count(*) FROM t_atomic"), "1\n");
}

TEST_F(RedshiftPostgres, MissingTableRetriesThenWritesTheManifest) {
  sql("DROP TABLE IF EXISTS t_missing");
  auto s = make_redshift_sender(description(url(), "t_missing", "", 60), password(), store_, clock_.options());
  ASSERT_TRUE(s);
  auto o = send(**s, request("1|a\n"));
  EXPECT_EQ(o.verdict, Verdict::kRetry);
  EXPECT_EQ(o.error_code, "Redshift.TableNotFound");
  EXPECT_NE(o.error_message.find("t_missing"), std::string::npos) << o.error_message;
  clock_.now = kT0 + 60'000;
  o = send(**s, request("1|a\n", 2, clock_.now));
  EXPECT_EQ(o.verdict, Verdict::kHandled);
  EXPECT_EQ(o.error_code, "Redshift.TableNotFound");
  EXPECT_EQ(store_.objects().at(std::string(kManifestKey)), kManifest);
}

TEST_F(RedshiftPostgres, RetryThatSucceedsOnceTheTableExists) {
  sql("DROP TABLE IF EXISTS t_later");
  auto s = make_redshift_sender(description(url(), "t_later", "", 60), password(), store_, clock_.options());
  ASSERT_TRUE(s);
  EXPECT_EQ(send(**s, request("1|a\n")).verdict, Verdict::kRetry);
  sql("CREATE TABLE t_later (id int, name text)");
  auto o = send(**s, request("1|a\n", 2));
  EXPECT_EQ(o.verdict, Verdict::kDelivered) << o.error_message;
  EXPECT_EQ(rows("SELECT * FROM t_later"), "1|a\n");
  EXPECT_FALSE(store_.objects().contains(std::string(kManifestKey)));
}

TEST_F(RedshiftPostgres, ReconnectsWhenItsKeptConnectionWasClosed) {
  sql("DROP TABLE IF EXISTS t_reconnect; CREATE TABLE t_reconnect (id int)");
  auto s = make_redshift_sender(description(url(), "t_reconnect", "", 60), password(), store_, clock_.options());
  ASSERT_TRUE(s);
  ASSERT_EQ(send(**s, request("1\n")).verdict, Verdict::kDelivered);
  EXPECT_EQ(rows("SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity "
                 "WHERE application_name = 'runnel-firehose'"),
            "1\n");
  auto o = send(**s, request("2\n"));
  EXPECT_EQ(o.verdict, Verdict::kDelivered) << o.error_message;
  EXPECT_EQ(rows("SELECT id FROM t_reconnect ORDER BY id"), "1\n2\n");
}

TEST_F(RedshiftPostgres, BadPasswordIsAnAuthenticationFailure) {
  auto s = make_redshift_sender(description(url(), "t", "", 60), "not-the-password", store_, clock_.options());
  ASSERT_TRUE(s);
  auto o = send(**s, request("1|a\n"));
  EXPECT_EQ(o.verdict, Verdict::kRetry);
  EXPECT_EQ(o.error_code, "Redshift.AuthenticationFailed");
  EXPECT_NE(o.error_message.find("Password"), std::string::npos) << o.error_message;
}

TEST_F(RedshiftPostgres, MissingDatabase) {
  auto d =
      description(std::string("jdbc:redshift://") + env("RUNNEL_PG_HOST") + ":" + env("RUNNEL_PG_PORT") + "/no_such_db",
                  "t", "", 60);
  auto s = make_redshift_sender(d, password(), store_, clock_.options());
  ASSERT_TRUE(s);
  EXPECT_EQ(send(**s, request("1|a\n")).error_code, "Redshift.DatabaseNotFound");
}

TEST_F(RedshiftPostgres, NegotiatesTlsByDefaultAndRequireWorks) {
  sql("DROP TABLE IF EXISTS t_tls; CREATE TABLE t_tls (ssl boolean)");
  for (std::string extra : {"", "?sslmode=require"}) {
    auto s = make_redshift_sender(description(url(extra), "t_tls", "", 60), password(), store_, clock_.options());
    ASSERT_TRUE(s);
    // The sender's connection stays open: it is in pg_stat_ssl while the sender lives.
    ASSERT_EQ(send(**s, request("t\n")).verdict, Verdict::kDelivered);
    EXPECT_EQ(rows("SELECT bool_and(s.ssl) FROM pg_stat_ssl s JOIN pg_stat_activity a USING (pid) "
                   "WHERE a.application_name = 'runnel-firehose'"),
              "t\n")
        << extra;
  }
}

}  // namespace
}  // namespace runnel::firehose
