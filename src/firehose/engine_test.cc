// The delivery engine over a real log and metadata store, writing to an
// in-memory object store that can be told to fail: objects' names, bodies,
// compression, the size and interval triggers, retries, and restarts from
// the checkpoint.
#include "firehose/engine.h"

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <mutex>
#include <regex>
#include <thread>

#include "firehose/compression.h"
#include "firehose/test_object_store.h"
#include "orc/testing/orc_reader.h"
#include "storage/log_test_util.h"

namespace runnel::firehose {
namespace {

using storage::testing::append_wait;
using storage::testing::FakeClock;
using storage::testing::TempDir;
using testing::MemoryStore;

constexpr storage::ShardKey kShard = 7;

StreamSpec s3_spec(const std::string& name, int size_mb, int interval_s,
                   const std::string& compression = "UNCOMPRESSED", std::optional<std::string> prefix = std::nullopt) {
  StreamSpec spec;
  auto& d = spec.description;
  d.delivery_stream_name = name;
  d.delivery_stream_arn = "arn:aws:firehose:us-east-1:000000000000:deliverystream/" + name;
  d.delivery_stream_status = "ACTIVE";
  d.delivery_stream_type = "DirectPut";
  d.version_id = "3";
  api::DestinationDescription dest;
  dest.destination_id = "destinationId-000000000001";
  api::ExtendedS3DestinationDescription s3;
  s3.bucket_arn = "arn:aws:s3:::bucket";
  s3.role_arn = "arn:aws:iam::000000000000:role/firehose";
  s3.prefix = std::move(prefix);
  s3.buffering_hints.size_in_m_bs = size_mb;
  s3.buffering_hints.interval_in_seconds = interval_s;
  s3.compression_format = compression;
  dest.extended_s3_destination_description = std::move(s3);
  d.destinations.push_back(std::move(dest));
  spec.shard_key = kShard;
  return spec;
}

class EngineTest : public ::testing::Test {
 protected:
  void SetUp() override { open(); }
  void TearDown() override { close(); }

  void open() {
    registry_ = std::make_unique<metrics::Registry>();
    storage::LogOptions lo;
    lo.dir = dir_.path() + "/log";
    lo.now_ms = clock_.fn();
    lo.runway_bytes = 0;
    log_ = std::move(*storage::open_log(lo));
    metadata_ = std::move(*storage::MetadataStore::open(dir_.path() + "/metadata.db"));
    EngineOptions eo;
    eo.key_file = dir_.path() + "/kms.key";
    eo.now_ms = clock_.fn();
    eo.poll_ms = 20;
    eo.s3_retry_interval_ms = 50;
    eo.metrics = registry_.get();
    if (sender_) {
      eo.make_sender = [this](const StreamSpec&) -> Result<std::unique_ptr<Sender>> {
        if (!sender_) return std::unexpected(Status::invalid_argument("the test's sender was taken"));
        return std::move(sender_);
      };
    }
    eo.table_columns = [this](const DataCatalogTable& t) -> Result<TableColumns> {
      if (!tables_) return std::unexpected(Status::not_found("no catalog in this test"));
      return tables_(t);
    };
    engine_ = std::make_unique<Engine>(eo, *log_, *metadata_, store_);
  }
  void close() {
    engine_.reset();
    if (log_) {
      ASSERT_TRUE(log_->close());
    }
    log_.reset();
    metadata_.reset();
    registry_.reset();
  }

  // The engine again, making `sender` for the (one) stream with a Sender.
  void reopen_with_sender(std::unique_ptr<Sender> sender) {
    close();
    sender_ = std::move(sender);
    open();
  }

  void put(const std::vector<std::string>& records) {
    storage::ShardAppend a;
    a.shard = kShard;
    for (const auto& r : records) a.records.push_back({"", r});
    ASSERT_TRUE(append_wait(*log_, {std::move(a)}));
    engine_->records_durable("s");
  }

  // The stream's counters; zeros before the engine has seen it.
  DeliveryStats stats() { return engine_->stats("s").value_or(DeliveryStats{}); }

  // Waits (real time, bounded) until `pred` holds.
  template <class Pred>
  bool eventually(Pred pred) {
    for (int i = 0; i < 500; ++i) {
      if (pred()) return true;
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    return pred();
  }

  TempDir dir_;
  FakeClock clock_;
  MemoryStore store_;
  std::unique_ptr<storage::Log> log_;
  std::unique_ptr<storage::MetadataStore> metadata_;
  std::unique_ptr<Engine> engine_;
  std::unique_ptr<metrics::Registry> registry_;
  std::function<Result<TableColumns>(const DataCatalogTable&)> tables_;  // the Glue catalog
  std::unique_ptr<Sender> sender_;                                       // what make_sender gives, once
};

// Sum and count of what `name` (AWS/Firehose, DeliveryStreamName=s) holds.
std::pair<double, double> recorded(metrics::Registry& registry, const std::string& name, metrics::Unit unit) {
  auto id = metrics::MetricId::make("AWS/Firehose", name, {{"DeliveryStreamName", "s"}});
  auto series = registry.find(*id, unit);
  if (!series) return {0, 0};
  double sum = 0, count = 0;
  for (const auto& slot : series->take_pending()) {
    sum += slot.aggregate.sum;
    count += slot.aggregate.count;
  }
  return {sum, count};
}

TEST_F(EngineTest, ZeroIntervalDeliversAtOnceUnderAwsName) {
  engine_->configure(s3_spec("s", 5, 0));
  put({"a1", "b2", "c3"});
  ASSERT_TRUE(eventually([&] { return store_.objects().size() == 1; }));
  auto [key, body] = *store_.objects().begin();
  EXPECT_EQ(body, "a1b2c3");  // S3 gets the records' bytes as they are
  // bucket/YYYY/MM/dd/HH/<stream>-<version>-<yyyy>-<MM>-<dd>-<HH>-<mm>-<ss>-<uuid>
  // 1'700'000'000'000 ms is 2023-11-14T22:13:20Z.
  EXPECT_TRUE(std::regex_match(key, std::regex("bucket/2023/11/14/22/s-3-2023-11-14-22-13-20-"
                                               "[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}")))
      << key;
}

// The log, with the last retention floor the engine set remembered.
class RetentionSpy final : public storage::Log {
 public:
  explicit RetentionSpy(storage::Log& inner) : inner_(inner) {}
  void append(std::vector<storage::ShardAppend> a, storage::Log::AppendDone done) override {
    inner_.append(std::move(a), std::move(done));
  }
  Result<storage::ReadResult> read(storage::ShardKey shard, uint64_t from, uint32_t n, uint64_t bytes,
                                   int64_t min_arrival_ms) override {
    return inner_.read(shard, from, n, bytes, min_arrival_ms);
  }
  uint64_t counter_at_time(storage::ShardKey shard, int64_t ts_ms) override {
    return inner_.counter_at_time(shard, ts_ms);
  }
  storage::ShardTail tail(storage::ShardKey shard) override { return inner_.tail(shard); }
  uint64_t last_assigned_counter(storage::ShardKey shard) override { return inner_.last_assigned_counter(shard); }
  Status drop_shards(const std::vector<storage::ShardKey>& shards) override { return inner_.drop_shards(shards); }
  void set_retention(const std::vector<storage::ShardKey>& shards, storage::ShardRetention r) override {
    floor_ms.store(r.floor_ms);
    inner_.set_retention(shards, r);
  }
  void clear_retention(const std::vector<storage::ShardKey>& shards) override { inner_.clear_retention(shards); }
  void retention_settings_complete() override { inner_.retention_settings_complete(); }
  Status writable() override { return inner_.writable(); }
  Status close() override { return Status::ok(); }  // the fixture closes the real one

  std::atomic<int64_t> floor_ms{-1};

 private:
  storage::Log& inner_;
};

TEST_F(EngineTest, DeliveredRecordsAnotherReaderNeedsAreKept) {
  engine_.reset();  // this test's engine reads through the spy
  RetentionSpy spy(*log_);
  LogReaders readers;
  readers.need("app", kShard, 1000);
  EngineOptions eo;
  eo.key_file = dir_.path() + "/kms.key";
  eo.now_ms = clock_.fn();
  eo.poll_ms = 20;
  eo.log_readers = &readers;
  auto engine = std::make_unique<Engine>(eo, spy, *metadata_, store_);
  engine->configure(s3_spec("s", 5, 0));
  auto put_one = [&](const std::string& data) {
    storage::ShardAppend a;
    a.shard = kShard;
    a.records.push_back({"", data});
    ASSERT_TRUE(append_wait(*log_, {std::move(a)}));
    engine->records_durable("s");
  };
  put_one("first");
  ASSERT_TRUE(eventually([&] { return store_.objects().size() == 1; }));
  // Delivered, but the reader still needs records from arrival 1000 on.
  EXPECT_TRUE(eventually([&] { return spy.floor_ms.load() == 1000; })) << spy.floor_ms.load();
  readers.release("app");
  put_one("second");
  ASSERT_TRUE(eventually([&] { return store_.objects().size() == 2; }));
  // No reader: the floor is the delivered batch's arrival, as before.
  EXPECT_TRUE(eventually([&] { return spy.floor_ms.load() == clock_.now.load(); })) << spy.floor_ms.load();
  engine.reset();
}

TEST_F(EngineTest, CustomTimeZoneAppliesToThePrefixAndTheSuffix) {
  StreamSpec spec = s3_spec("s", 5, 0);
  spec.description.destinations[0].extended_s3_destination_description->custom_time_zone = "Asia/Tokyo";
  engine_->configure(spec);
  put({"a1"});
  ASSERT_TRUE(eventually([&] { return store_.objects().size() == 1; }));
  // 2023-11-14T22:13:20Z is 2023-11-15 07:13:20 in Tokyo (UTC+9, no DST).
  auto key = store_.objects().begin()->first;
  EXPECT_TRUE(std::regex_match(key, std::regex("bucket/2023/11/15/07/s-3-2023-11-15-07-13-20-[0-9a-f-]{36}"))) << key;
}

TEST_F(EngineTest, WaitsForTheIntervalThenDelivers) {
  engine_->configure(s3_spec("s", 5, 60));
  put({"x"});
  std::this_thread::sleep_for(std::chrono::milliseconds(200));
  EXPECT_TRUE(store_.objects().empty());
  clock_.now += 59'000;
  std::this_thread::sleep_for(std::chrono::milliseconds(200));
  EXPECT_TRUE(store_.objects().empty());
  clock_.now += 1'000;
  EXPECT_TRUE(eventually([&] { return store_.objects().size() == 1; }));
}

TEST_F(EngineTest, SizeHintCutsObjectsBeforeTheInterval) {
  engine_->configure(s3_spec("s", 1, 900));
  const std::string kib(1024, 'k');
  std::vector<std::string> records(1536, kib);  // 1.5 MiB
  put(records);
  ASSERT_TRUE(eventually([&] { return store_.objects().size() == 1; }));
  EXPECT_EQ(store_.objects().begin()->second.size(), 1u << 20);  // the first full MiB
  clock_.now += 900'000;
  ASSERT_TRUE(eventually([&] { return store_.objects().size() == 2; }));
  // The checkpoint follows the write's completion.
  ASSERT_TRUE(eventually([&] { return stats().delivered_through == 1536; }));
  auto stats = engine_->stats("s");
  EXPECT_EQ(stats->records, 1536u);
  EXPECT_EQ(stats->objects, 2u);
  EXPECT_EQ(stats->delivered_through, 1536u);
}

TEST_F(EngineTest, GzipObjectsDecompressToTheRecords) {
  engine_->configure(s3_spec("s", 5, 0, "GZIP", "logs/"));
  put({"{\"a\":1}\n", "{\"a\":2}\n"});
  ASSERT_TRUE(eventually([&] { return store_.objects().size() == 1; }));
  auto [key, body] = *store_.objects().begin();
  EXPECT_TRUE(key.starts_with("bucket/logs/2023/11/14/22/s-3-")) << key;
  EXPECT_TRUE(key.ends_with(".gz")) << key;
  auto plain = decompress(Compression::kGzip, body);
  ASSERT_TRUE(plain);
  EXPECT_EQ(*plain, "{\"a\":1}\n{\"a\":2}\n");
}

TEST_F(EngineTest, FailedWritesAreRetriedWithTheSameObject) {
  store_.fail_next(2);
  engine_->configure(s3_spec("s", 5, 0));
  put({"r"});
  ASSERT_TRUE(eventually([&] { return store_.puts() >= 1; }));
  // Retries are 50 ms apart on the engine's clock.
  for (int i = 0; i < 3; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
    clock_.now += 100;
  }
  ASSERT_TRUE(eventually([&] {
    clock_.now += 100;
    return store_.objects().size() == 1;
  }));
  EXPECT_EQ(store_.puts(), 3);
  ASSERT_TRUE(eventually([&] { return stats().objects == 1; }));
  EXPECT_EQ(stats().failed_attempts, 2u);
}

TEST_F(EngineTest, RestartGoesOnFromTheCheckpoint) {
  engine_->configure(s3_spec("s", 5, 0));
  put({"first"});
  ASSERT_TRUE(eventually([&] { return store_.objects().size() == 1; }));
  ASSERT_TRUE(eventually([&] { return stats().delivered_through == 1; }));
  close();
  open();
  engine_->configure(s3_spec("s", 5, 0));
  put({"second"});
  ASSERT_TRUE(eventually([&] { return store_.objects().size() == 2; }));
  std::vector<std::string> bodies;
  for (auto& [k, v] : store_.objects()) bodies.push_back(v);
  std::sort(bodies.begin(), bodies.end());
  EXPECT_EQ(bodies, (std::vector<std::string>{"first", "second"}));
}

TEST_F(EngineTest, RecordsLeftByAStopAreDeliveredAfterRestart) {
  engine_->configure(s3_spec("s", 5, 60));
  put({"kept"});
  close();  // stopped before the interval ran out
  EXPECT_TRUE(store_.objects().empty());
  clock_.now += 60'000;
  open();
  engine_->configure(s3_spec("s", 5, 60));
  ASSERT_TRUE(eventually([&] { return store_.objects().size() == 1; }));
  EXPECT_EQ(store_.objects().begin()->second, "kept");
}

TEST_F(EngineTest, EncryptedRecordsAreDeliveredInTheClear) {
  engine_->configure(s3_spec("s", 5, 0));
  streams::RecordCipher cipher(dir_.path() + "/kms.key");
  storage::ShardAppend a;
  a.shard = kShard;
  storage::AppendRecord r{"", "secret"};
  ASSERT_TRUE(cipher.encrypt("alias/aws/firehose", r));
  ASSERT_NE(r.data, "secret");
  a.records.push_back(r);
  ASSERT_TRUE(append_wait(*log_, {std::move(a)}));
  engine_->records_durable("s");
  ASSERT_TRUE(eventually([&] { return store_.objects().size() == 1; }));
  EXPECT_EQ(store_.objects().begin()->second, "secret");
}

TEST_F(EngineTest, AppendDelimiterProcessorEndsEachRecordWithANewline) {
  StreamSpec spec = s3_spec("s", 5, 0);
  api::ProcessingConfiguration pc;
  pc.enabled = true;
  api::Processor p;
  p.type = "AppendDelimiterToRecord";
  pc.processors = std::vector<api::Processor>{p};
  spec.description.destinations[0].extended_s3_destination_description->processing_configuration = pc;
  engine_->configure(spec);
  put({"a", "b"});
  ASSERT_TRUE(eventually([&] { return store_.objects().size() == 1; }));
  EXPECT_EQ(store_.objects().begin()->second, "a\nb\n");
}

TEST_F(EngineTest, MissingBucketFailsTheDestinationCheck) {
  StreamSpec spec = s3_spec("s", 5, 0);
  spec.description.destinations[0].extended_s3_destination_description->bucket_arn = "arn:aws:s3:::missing";
  std::optional<api::FailureDescription> failure;
  engine_->check_destination(spec, [&](std::optional<api::FailureDescription> f) { failure = std::move(f); });
  ASSERT_TRUE(failure);
  EXPECT_NE(failure->details.find("missing"), std::string::npos);
  std::optional<api::FailureDescription> ok = api::FailureDescription{};
  engine_->check_destination(s3_spec("s", 5, 0), [&](std::optional<api::FailureDescription> f) { ok = f; });
  EXPECT_FALSE(ok);
}

// A stream converting to Parquet against the table db.t.
StreamSpec conversion_spec(const std::string& name) {
  StreamSpec spec = s3_spec(name, 64, 0);
  api::DataFormatConversionConfiguration conversion;
  conversion.enabled = true;
  api::SchemaConfiguration schema;
  schema.database_name = "db";
  schema.table_name = "t";
  conversion.schema_configuration = schema;
  api::Deserializer d;
  d.open_x_json_ser_de = api::OpenXJsonSerDe{};
  conversion.input_format_configuration = api::InputFormatConfiguration{std::move(d)};
  api::Serializer out;
  out.parquet_ser_de = api::ParquetSerDe{};
  conversion.output_format_configuration = api::OutputFormatConfiguration{std::move(out)};
  spec.description.destinations[0].extended_s3_destination_description->data_format_conversion_configuration =
      std::move(conversion);
  return spec;
}

TEST_F(EngineTest, ConversionWritesParquetAndFailedRecordsToTheErrorOutput) {
  tables_ = [](const DataCatalogTable& t) -> Result<TableColumns> {
    EXPECT_EQ(t.database_name, "db");
    EXPECT_EQ(t.version_id, "LATEST");
    return TableColumns{"0", {{"a", "int"}, {"b", "string"}}};
  };
  engine_->configure(conversion_spec("s"));
  put({R"({"a":1,"b":"x"}{"a":2})", R"({"a":"not a number"})", "not json", R"({"B":"y"})"});
  ASSERT_TRUE(eventually([&] { return store_.objects().size() == 2 && stats().delivered_through == 4; }));
  std::string parquet, errors, errors_key;
  for (const auto& [key, body] : store_.objects()) {
    if (key.find("format-conversion-failed") != std::string::npos) {
      errors = body;
      errors_key = key;
    } else {
      EXPECT_TRUE(key.ends_with(".parquet")) << key;
      parquet = body;
    }
  }
  ASSERT_GE(parquet.size(), 8u);
  EXPECT_EQ(parquet.substr(0, 4), "PAR1");
  EXPECT_EQ(parquet.substr(parquet.size() - 4), "PAR1");
  // Error records go under the default error prefix, one JSON line each.
  EXPECT_TRUE(std::regex_match(errors_key, std::regex("bucket/format-conversion-failed/2023/11/14/22/.*")))
      << errors_key;
  EXPECT_FALSE(errors_key.ends_with(".parquet")) << errors_key;  // JSON lines, not Parquet
  ASSERT_EQ(std::count(errors.begin(), errors.end(), '\n'), 2);
  EXPECT_NE(errors.find(R"("lastErrorCode":"DataFormatConversion.MalformedData")"), std::string::npos) << errors;
  EXPECT_NE(errors.find(R"("lastErrorCode":"DataFormatConversion.ParseError")"), std::string::npos) << errors;
  EXPECT_NE(errors.find(R"("rawData":"bm90IGpzb24=")"), std::string::npos) << errors;  // "not json"
  EXPECT_NE(errors.find(R"("sequenceNumber":"3")"), std::string::npos) << errors;
  EXPECT_NE(errors.find(R"("databaseName":"db","tableName":"t","region":"us-east-1","versionId":"LATEST")"),
            std::string::npos)
      << errors;
  EXPECT_EQ(stats().error_records, 2u);
}

TEST_F(EngineTest, ConversionWithTheOrcSerDeWritesOrcFiles) {
  tables_ = [](const DataCatalogTable&) -> Result<TableColumns> {
    return TableColumns{"0", {{"a", "int"}, {"b", "string"}}};
  };
  StreamSpec spec = conversion_spec("s");
  auto& c = *spec.description.destinations[0].extended_s3_destination_description->data_format_conversion_configuration;
  api::Serializer out;
  api::OrcSerDe orc;
  orc.compression = "ZLIB";
  out.orc_ser_de = orc;
  c.output_format_configuration = api::OutputFormatConfiguration{std::move(out)};
  engine_->configure(spec);
  put({R"({"a":1,"b":"x"})", "bad", R"({"a":2})"});
  ASSERT_TRUE(eventually([&] { return store_.objects().size() == 2 && stats().delivered_through == 3; }));
  std::string body;
  for (const auto& [key, b] : store_.objects())
    if (key.ends_with(".orc")) body = b;
  ASSERT_FALSE(body.empty());
  // Read back by the ORC test reader (orc/testing/orc_reader.h).
  auto file = orc::testing::read_file(body);
  EXPECT_EQ(file.postscript.compression(), static_cast<int>(orc::Compression::kZlib));
  ASSERT_EQ(file.rows.size(), 2u);
  EXPECT_EQ(file.rows[0].items()[0].as_int(), 1);
  EXPECT_EQ(file.rows[0].items()[1].as_bytes(), "x");
  EXPECT_EQ(file.rows[1].items()[0].as_int(), 2);
  EXPECT_TRUE(file.rows[1].items()[1].is_null());
}

TEST_F(EngineTest, ConversionWaitsForAMissingTableAndKeepsTheRecords) {
  std::atomic<bool> exists = false;
  tables_ = [&exists](const DataCatalogTable&) -> Result<TableColumns> {
    if (!exists) return std::unexpected(Status::not_found("Table t not found."));
    return TableColumns{"0", {{"a", "int"}}};
  };
  engine_->configure(conversion_spec("s"));
  put({R"({"a":1})"});
  // Tried again every 50 ms of the engine's clock.
  ASSERT_TRUE(eventually([&] {
    clock_.now += 100;
    return stats().failed_attempts >= 2;
  }));
  EXPECT_NE(stats().last_error.find("Table t not found."), std::string::npos) << stats().last_error;
  EXPECT_TRUE(store_.objects().empty());
  EXPECT_EQ(stats().delivered_through, 0u);
  exists = true;
  ASSERT_TRUE(eventually([&] {
    clock_.now += 100;
    return store_.objects().size() == 1 && stats().delivered_through == 1;
  }));
  EXPECT_TRUE(store_.objects().begin()->first.ends_with(".parquet"));
}

TEST_F(EngineTest, ConversionToAMissingTableFailsTheDestinationCheck) {
  tables_ = [](const DataCatalogTable&) -> Result<TableColumns> {
    return std::unexpected(Status::not_found("Database db not found."));
  };
  std::optional<api::FailureDescription> failure;
  engine_->check_destination(conversion_spec("s"),
                             [&](std::optional<api::FailureDescription> f) { failure = std::move(f); });
  ASSERT_TRUE(failure);
  EXPECT_NE(failure->details.find("Database db not found."), std::string::npos) << failure->details;
}

// A Sender that answers each send() from a script, and remembers the requests.
class ScriptedSender : public Sender {
 public:
  struct Seen {
    std::vector<std::string> data, ids;
    int attempt = 0;
  };
  std::string_view error_output_type() const override { return "AmazonOpenSearchService-failed"; }
  void send(SendRequest request, std::function<void(SendOutcome)> done) override {
    std::function<SendOutcome(const SendRequest&)> answer;
    {
      std::lock_guard lock(mu);
      Seen seen;
      for (const auto& r : request.records) {
        seen.data.emplace_back(r.data);
        seen.ids.emplace_back(r.id);
      }
      seen.attempt = request.attempt;
      requests.push_back(std::move(seen));
      answer = script.empty() ? nullptr : script.front();
      if (!script.empty()) script.erase(script.begin());
    }
    done(answer ? answer(request) : SendOutcome{});
  }
  std::vector<Seen> seen() {
    std::lock_guard lock(mu);
    return requests;
  }
  std::mutex mu;
  std::vector<std::function<SendOutcome(const SendRequest&)>> script;
  std::vector<Seen> requests;
};

StreamSpec opensearch_spec(const std::string& name, const std::string& backup_mode) {
  StreamSpec spec = s3_spec(name, 1, 0);
  api::DestinationDescription& dest = spec.description.destinations[0];
  api::AmazonopensearchserviceDestinationDescription o;
  o.cluster_endpoint = "http://127.0.0.1:1";
  o.index_name = "idx";
  o.buffering_hints = api::AmazonopensearchserviceBufferingHints{0, 1};
  o.s3_backup_mode = backup_mode;
  api::S3DestinationDescription backup;
  backup.bucket_arn = "arn:aws:s3:::bucket";
  backup.prefix = "backup/";
  backup.compression_format = "UNCOMPRESSED";
  o.s3_destination_description = std::move(backup);
  dest.amazonopensearchservice_destination_description = std::move(o);
  dest.extended_s3_destination_description.reset();
  return spec;
}

TEST_F(EngineTest, SenderRetriesOnlyTheFailedRecordsThenWritesTheirErrorRecords) {
  auto* sender = new ScriptedSender;
  sender->script.push_back([](const SendRequest&) {
    SendOutcome o;
    o.verdict = SendOutcome::Verdict::kRetry;
    o.error_code = "OS.Busy";
    o.failures.push_back({1, "OS.MapperParsingException", "bad doc", {}});
    return o;
  });
  sender->script.push_back([](const SendRequest&) {
    SendOutcome o;
    o.verdict = SendOutcome::Verdict::kFailed;
    o.failures.push_back({0, "OS.MapperParsingException", "still bad", {{"esDocumentId", "d1"}}});
    return o;
  });
  std::unique_ptr<Sender> owned(sender);
  reopen_with_sender(std::move(owned));
  engine_->configure(opensearch_spec("s", "FailedDocumentsOnly"));
  put({"good", "bad", "fine"});
  ASSERT_TRUE(eventually([&] {
    clock_.now += 100;
    return stats().delivered_through == 3;
  }));
  auto seen = sender->seen();
  ASSERT_EQ(seen.size(), 2u);
  EXPECT_EQ(seen[0].data, (std::vector<std::string>{"good", "bad", "fine"}));
  EXPECT_EQ(seen[0].ids, (std::vector<std::string>{"7.1", "7.2", "7.3"}));  // <log shard>.<counter>
  EXPECT_EQ(seen[1].data, (std::vector<std::string>{"bad"}));               // only the one that failed
  EXPECT_EQ(seen[1].ids, (std::vector<std::string>{"7.2"}));
  EXPECT_EQ(seen[1].attempt, 2);
  ASSERT_EQ(store_.objects().size(), 1u);
  auto [key, body] = *store_.objects().begin();
  EXPECT_TRUE(key.starts_with("bucket/backup/AmazonOpenSearchService-failed/2023/11/14/22/")) << key;
  EXPECT_NE(body.find(R"("errorCode":"OS.MapperParsingException","errorMessage":"still bad")"), std::string::npos)
      << body;
  EXPECT_NE(body.find(R"("rawData":"YmFk")"), std::string::npos) << body;  // "bad"
  EXPECT_NE(body.find(R"("esDocumentId":"d1")"), std::string::npos) << body;
  EXPECT_EQ(std::count(body.begin(), body.end(), '\n'), 1);
  EXPECT_EQ(stats().error_records, 1u);
}

TEST_F(EngineTest, SenderDeliveredWithAllDocumentsBacksUpEveryRecord) {
  auto* sender = new ScriptedSender;
  reopen_with_sender(std::unique_ptr<Sender>(sender));
  engine_->configure(opensearch_spec("s", "AllDocuments"));
  put({"a", "b"});
  ASSERT_TRUE(eventually([&] { return stats().delivered_through == 2 && store_.objects().size() == 1; }));
  auto [key, body] = *store_.objects().begin();
  EXPECT_TRUE(key.starts_with("bucket/backup/2023/11/14/22/")) << key;
  EXPECT_EQ(body, "ab");
  EXPECT_EQ(stats().records, 2u);
  EXPECT_EQ(recorded(*registry_, "DeliveryToAmazonOpenSearchService.Success", metrics::Unit::kCount),
            std::make_pair(1.0, 1.0));
  EXPECT_EQ(recorded(*registry_, "DeliveryToAmazonOpenSearchService.Records", metrics::Unit::kCount).first, 2.0);
  EXPECT_EQ(recorded(*registry_, "DeliveryToAmazonOpenSearchService.Bytes", metrics::Unit::kBytes).first, 2.0);
}

TEST_F(EngineTest, SenderHandledFailureIsDoneWithoutErrorRecords) {
  auto* sender = new ScriptedSender;
  sender->script.push_back([](const SendRequest&) {
    return SendOutcome{SendOutcome::Verdict::kHandled, 0, {}, {}, {}};
  });
  reopen_with_sender(std::unique_ptr<Sender>(sender));
  engine_->configure(opensearch_spec("s", "FailedDocumentsOnly"));
  put({"a"});
  ASSERT_TRUE(eventually([&] { return stats().delivered_through == 1; }));
  EXPECT_TRUE(store_.objects().empty());
}

TEST_F(EngineTest, UpdatedToAnotherDestinationTypeTheWaitingBatchGoesThere) {
  auto* sender = new ScriptedSender;
  sender->script.push_back([](const SendRequest&) {
    SendOutcome o;
    o.verdict = SendOutcome::Verdict::kRetry;
    o.retry_after_ms = 3'600'000;  // the batch waits
    o.error_code = "OS.ServerError";
    return o;
  });
  reopen_with_sender(std::unique_ptr<Sender>(sender));
  engine_->configure(opensearch_spec("s", "FailedDocumentsOnly"));
  put({"a", "b"});
  ASSERT_TRUE(eventually([&] { return stats().failed_attempts == 1; }));
  // UpdateDestination to Extended S3: the same records, now as an object.
  StreamSpec updated = s3_spec("s", 1, 0);
  updated.description.version_id = "4";
  engine_->configure(updated);
  ASSERT_TRUE(eventually([&] {
    clock_.now += 100;
    return store_.objects().size() == 1 && stats().delivered_through == 2;
  }));
  auto [key, body] = *store_.objects().begin();
  EXPECT_TRUE(key.starts_with("bucket/2023/")) << key;
  EXPECT_EQ(body, "ab");
}

TEST_F(EngineTest, UnreachableClusterKeepsTheRecordsAndSaysWhy) {
  // The real OpenSearch sender (make_sender()), to a port nobody listens on.
  engine_->configure(opensearch_spec("s", "FailedDocumentsOnly"));
  put({"{}"});
  ASSERT_TRUE(eventually([&] { return stats().failed_attempts >= 1; }));
  EXPECT_NE(stats().last_error.find("OS.ConnectionFailed"), std::string::npos) << stats().last_error;
  EXPECT_EQ(stats().delivered_through, 0u);
  EXPECT_TRUE(store_.objects().empty());
}

TEST_F(EngineTest, RemovedStreamIsForgotten) {
  engine_->configure(s3_spec("s", 5, 60));
  put({"never"});
  // Known to the engine first: before the configure is applied there are
  // no stats either, and the removal below would prove nothing.
  ASSERT_TRUE(eventually([&] { return engine_->stats("s").has_value(); }));
  engine_->remove("s");
  ASSERT_TRUE(eventually([&] { return !engine_->stats("s"); }));
  clock_.now += 120'000;
  std::this_thread::sleep_for(std::chrono::milliseconds(100));
  EXPECT_TRUE(store_.objects().empty());
}

StreamSpec partitioned_spec(const std::string& query) {
  StreamSpec spec = s3_spec("s", 5, 60, "UNCOMPRESSED", "cust=!{partitionKeyFromQuery:customer}/");
  auto& s3 = *spec.description.destinations[0].extended_s3_destination_description;
  s3.error_output_prefix = "errors/!{firehose:error-output-type}/";
  api::DynamicPartitioningConfiguration dp;
  dp.enabled = true;
  s3.dynamic_partitioning_configuration = dp;
  api::ProcessingConfiguration pc;
  pc.enabled = true;
  api::Processor p;
  p.type = "MetadataExtraction";
  p.parameters =
      std::vector<api::ProcessorParameter>{{"MetadataExtractionQuery", query}, {"JsonParsingEngine", "JQ-1.6"}};
  pc.processors = std::vector<api::Processor>{p};
  s3.processing_configuration = pc;
  return spec;
}

TEST_F(EngineTest, DynamicPartitionsBufferAndDeliverSeparately) {
  engine_->configure(partitioned_spec("{customer:.c}"));
  put({R"({"c":"a","n":1})", R"({"c":"b","n":2})", R"({"c":"a","n":3})", "not json"});
  // The processing failure goes out at once, as an error record.
  ASSERT_TRUE(eventually([&] { return store_.objects().size() == 1; }));
  {
    auto [key, body] = *store_.objects().begin();
    EXPECT_NE(body.find("\"errorCode\":\"DynamicPartitioning.MetadataExtractionFailed\""), std::string::npos) << body;
    EXPECT_NE(body.find("\"rawData\":\"bm90IGpzb24=\""), std::string::npos) << body;
  }
  clock_.now += 60'000;
  ASSERT_TRUE(eventually([&] { return store_.objects().size() == 3; }));
  std::vector<std::string> bodies;
  for (auto& [key, body] : store_.objects())
    if (body.starts_with("{\"c\"")) bodies.push_back(body);
  std::sort(bodies.begin(), bodies.end());
  EXPECT_EQ(bodies, (std::vector<std::string>{R"({"c":"a","n":1}{"c":"a","n":3})", R"({"c":"b","n":2})"}));
  // Every record is done: the checkpoint is past the last one.
  ASSERT_TRUE(eventually([&] { return stats().delivered_through == 4; }));
  EXPECT_EQ(stats().error_records, 1u);
}

TEST_F(EngineTest, CheckpointWaitsForTheSlowestPartition) {
  engine_->configure(partitioned_spec("{customer:.c}"));
  store_.fail_next(1000);  // nothing can be written
  put({R"({"c":"a"})", R"({"c":"b"})"});
  clock_.now += 60'000;
  // Tried again every 50 ms of the engine's clock.
  ASSERT_TRUE(eventually([&] {
    clock_.now += 100;
    return stats().failed_attempts >= 2;
  }));
  EXPECT_EQ(stats().delivered_through, 0u);
  EXPECT_EQ(stats().active_partitions, 2u);
}

TEST_F(EngineTest, SourceRecordBackupGetsTheRecordsAsPut) {
  StreamSpec spec = s3_spec("s", 5, 0);
  auto& s3 = *spec.description.destinations[0].extended_s3_destination_description;
  api::ProcessingConfiguration pc;
  pc.enabled = true;
  api::Processor p;
  p.type = "AppendDelimiterToRecord";
  pc.processors = std::vector<api::Processor>{p};
  s3.processing_configuration = pc;
  s3.s3_backup_mode = "Enabled";
  api::S3DestinationDescription backup;
  backup.bucket_arn = "arn:aws:s3:::backup";
  backup.prefix = "source/";
  backup.compression_format = "UNCOMPRESSED";
  s3.s3_backup_description = backup;
  engine_->configure(spec);
  put({"a", "b"});
  ASSERT_TRUE(eventually([&] { return store_.objects().size() == 2; }));
  for (auto& [key, body] : store_.objects()) {
    if (key.starts_with("backup/")) {
      EXPECT_TRUE(key.starts_with("backup/source/2023/11/14/22/s-3-")) << key;
      EXPECT_EQ(body, "ab");
    } else {
      EXPECT_TRUE(key.starts_with("bucket/")) << key;
      EXPECT_EQ(body, "a\nb\n");
    }
  }
  ASSERT_TRUE(eventually([&] { return stats().delivered_through == 2; }));
}

TEST_F(EngineTest, SourceRecordBackupBuffersByItsOwnHints) {
  StreamSpec spec = s3_spec("s", 5, 0);
  auto& s3 = *spec.description.destinations[0].extended_s3_destination_description;
  s3.s3_backup_mode = "Enabled";
  api::S3DestinationDescription backup;
  backup.bucket_arn = "arn:aws:s3:::backup";
  backup.compression_format = "UNCOMPRESSED";
  backup.buffering_hints.size_in_m_bs = 5;
  backup.buffering_hints.interval_in_seconds = 60;
  s3.s3_backup_description = backup;
  engine_->configure(spec);
  put({"a", "b"});
  // The destination's interval is 0 s: its object comes at once; the
  // backup's is 60 s, and the checkpoint waits for it.
  ASSERT_TRUE(eventually([&] { return store_.objects().size() == 1; }));
  EXPECT_TRUE(store_.objects().begin()->first.starts_with("bucket/"));
  std::this_thread::sleep_for(std::chrono::milliseconds(200));
  EXPECT_EQ(store_.objects().size(), 1u);
  EXPECT_EQ(stats().delivered_through, 0u);
  clock_.now += 60'000;
  ASSERT_TRUE(eventually([&] { return store_.objects().size() == 2; }));
  ASSERT_TRUE(eventually([&] { return stats().delivered_through == 2; }));
}

TEST_F(EngineTest, DeliveriesAreRecordedAsAwsFirehoseMetrics) {
  store_.fail_next(1);
  engine_->configure(s3_spec("s", 5, 0));
  put({"abc", "de"});
  ASSERT_TRUE(eventually([&] {
    clock_.now += 100;
    return stats().objects == 1;
  }));
  EXPECT_EQ(recorded(*registry_, "DeliveryToS3.Success", metrics::Unit::kCount), std::make_pair(1.0, 2.0));
  EXPECT_EQ(recorded(*registry_, "DeliveryToS3.Records", metrics::Unit::kCount).first, 2.0);
  EXPECT_EQ(recorded(*registry_, "DeliveryToS3.Bytes", metrics::Unit::kBytes).first, 5.0);
  EXPECT_EQ(recorded(*registry_, "DeliveryToS3.ObjectCount", metrics::Unit::kCount).first, 1.0);
  EXPECT_EQ(recorded(*registry_, "DeliveryToS3.DataFreshness", metrics::Unit::kSeconds).second, 1.0);
}

}  // namespace
}  // namespace runnel::firehose
