#include "server/serve.h"

#include <fmt/format.h>
#include <signal.h>
#include <spdlog/spdlog.h>

#include <chrono>
#include <filesystem>
#include <memory>

#include "analytics/analytics_service.h"
#include "analytics/applications.h"
#include "analytics/code_check.h"
#include "analytics/discovery.h"
#include "analytics/runtime.h"
#include "cloudwatch/cloudwatch_service.h"
#include "console/console.h"
#include "firehose/config.h"
#include "firehose/engine.h"
#include "firehose/firehose_service.h"
#include "glue/catalog.h"
#include "glue/glue_service.h"
#include "metrics/metrics.h"
#include "net/server.h"
#include "protocol/credentials.h"
#include "protocol/dispatcher.h"
#include "protocol/json_codec.h"
#include "s3/embedded_store.h"
#include "s3/s3_service.h"
#include "server/exposure.h"
#include "server/process_gauges.h"
#include "server/request_metrics.h"
#include "storage/log.h"
#include "storage/metadata_store.h"
#include "streams/data_streams.h"
#include "streams/kinesis_service.h"
#include "streams/shard_iterator.h"
#include "video/catalog.h"
#include "video/video_service.h"

namespace runnel::server {
namespace {

std::optional<storage::FsyncPolicy> parse_fsync(const std::string& s) {
  if (s == "always") return storage::FsyncPolicy::kAlways;
  if (s == "interval") return storage::FsyncPolicy::kInterval;
  if (s == "never") return storage::FsyncPolicy::kNever;
  return std::nullopt;
}

// GET /health (readiness): 200 {"status":"ok"}, or 503
// {"status":"unavailable","log":"not writable","reason":...} while the record
// log cannot take appends (a full disk; it recovers by itself,
// docs/storage.md §6a). Any thread.
protocol::LocalRoute health_route(storage::Log& log, bool open) {
  protocol::LocalRoute route;
  route.method = "GET";
  route.path = "/health";
  route.open = open;
  route.handle = [&log](const net::HttpRequest&, net::ResponseSink& sink) {
    net::HttpResponse resp;
    resp.headers.push_back({"Content-Type", "application/json"});
    if (Status st = log.writable(); !st) {
      protocol::Value body = protocol::Object{};
      body.set("status", std::string("unavailable"));
      body.set("log", std::string("not writable"));
      body.set("reason", st.to_string());
      resp.status = 503;
      resp.body = protocol::encode_json(body);
    } else {
      resp.body = "{\"status\":\"ok\"}";
    }
    sink.send(std::move(resp));
  };
  return route;
}

}  // namespace

int serve(const ServeConfig& config) {
  auto policy = parse_fsync(config.fsync);
  if (!policy) {
    spdlog::error("--fsync must be always, interval or never, not '{}'", config.fsync);
    return 2;
  }
  if (auto refusal = exposure_refusal(config.host, !config.credentials_file.empty(), config.allow_anonymous)) {
    spdlog::error("{}", *refusal);
    return 2;
  }
  if (config.credentials_file.empty() && !is_loopback_host(config.host)) {
    spdlog::warn("--allow-anonymous: listening on {} and accepting any signature", config.host);
  }
  std::error_code ec;
  std::filesystem::create_directories(config.data_dir, ec);
  if (ec) {
    spdlog::error("cannot create data directory {}: {}", config.data_dir, ec.message());
    return 1;
  }
  const std::filesystem::path dir(config.data_dir);

  auto metadata = storage::MetadataStore::open((dir / "metadata.db").string());
  if (!metadata) {
    spdlog::error("{}", metadata.error().to_string());
    return 1;
  }
  auto key = streams::load_or_create_iterator_key((dir / "iterator.key").string());
  if (!key) {
    spdlog::error("{}", key.error().to_string());
    return 1;
  }

  metrics::MetricsOptions metrics_options;
  metrics_options.path = (dir / "metrics.db").string();
  metrics_options.flush_interval_ms = config.cloudwatch.metrics_flush_ms;
  auto metrics = metrics::Metrics::open(metrics_options);
  if (!metrics) {
    spdlog::error("{}", metrics.error().to_string());
    return 1;
  }

  storage::LogOptions log_options;
  log_options.dir = (dir / "log").string();
  log_options.fsync = *policy;
  log_options.fsync_interval_ms = config.fsync_interval_ms;
  log_options.segment_bytes = config.segment_mib << 20;
  log_options.cache_window_bytes = config.page_cache_window_mib << 20;
  log_options.retention_check_ms = config.retention_check_ms;
  // Retention: the Kinesis service pushes each shard's setting down
  // (Log::set_retention); shards it has not set yet are kept until it has
  // loaded.
  log_options.retention = true;
  log_options.metrics = make_log_metrics((*metrics)->registry());
  auto log = storage::open_log(log_options);
  if (!log) {
    spdlog::error("{}", log.error().to_string());
    return 1;
  }

  streams::KinesisOptions kinesis_options =
      streams::kinesis_options(config.streams, config.account_id, config.data_dir);
  kinesis_options.metrics = &(*metrics)->registry();
  // Firehose keeps shards in the same log: retention is completed below,
  // once every service has loaded.
  kinesis_options.complete_retention_on_load = false;
  streams::KinesisService kinesis(kinesis_options, **log, **metadata, *key);
  if (Status st = kinesis.load(); !st) {
    spdlog::error("{}", st.to_string());
    return 1;
  }

  cloudwatch::CloudWatchOptions cloudwatch_options;
  cloudwatch_options.open_metrics_page = config.cloudwatch.open_metrics;
  cloudwatch::CloudWatchService cloudwatch(cloudwatch_options, **metrics);

  // The embedded S3 store: objects under <data-dir>/s3, served on this port.
  auto s3_store = s3::EmbeddedStore::open((dir / "s3").string());
  if (!s3_store) {
    spdlog::error("opening the S3 store: {}", s3_store.error().to_string());
    return 1;
  }
  s3::S3Service s3_service(**s3_store);
  // Where Firehose writes objects: the embedded store, or --s3-endpoint.
  std::unique_ptr<s3::ObjectStore> remote_store;
  if (!config.firehose.s3_endpoint.empty()) {
    auto remote = firehose::open_remote_store(config.firehose);
    if (!remote) {
      spdlog::error("--s3-endpoint: {}", remote.error().message());
      return 2;
    }
    remote_store = std::move(*remote);
  }
  s3::ObjectStore& object_store = remote_store ? *remote_store : static_cast<s3::ObjectStore&>(**s3_store);

  // The Glue Data Catalog subset (glue/): databases and tables in the
  // metadata store, served as AWSGlue.*; Firehose's record format
  // conversion reads its schemas from the same Catalog.
  glue::CatalogOptions glue_options;
  glue_options.account_id = config.account_id;
  glue_options.region = config.region;
  glue::Catalog glue_catalog(glue_options, **metadata);
  if (Status st = glue_catalog.load(); !st) {
    spdlog::error("loading the Glue catalog: {}", st.to_string());
    return 1;
  }
  glue::GlueService glue_service(glue_catalog);

  // Firehose (firehose/): the control plane over the same log and metadata
  // store, with Data Streams as the KinesisStreamAsSource source, and the
  // delivery engine behind it. The limit switches are Data Streams'
  // (--throughput-limits, --control-plane-limits).
  streams::DataStreams data_streams(kinesis);
  // Analytics applications that read a delivery stream's log shard say here
  // which of its records they still need; the delivery engine keeps those.
  firehose::LogReaders log_readers;
  firehose::EngineOptions engine_options;
  engine_options.log_readers = &log_readers;
  engine_options.key_file = kinesis_options.key_file;
  engine_options.metrics = &(*metrics)->registry();
  engine_options.lambda = firehose::lambda_settings(config.firehose, config.region);
  engine_options.table_columns =
      [&glue_catalog](const firehose::DataCatalogTable& t) -> Result<firehose::TableColumns> {
    std::optional<std::string_view> version;
    if (t.version_id != "LATEST") version = t.version_id;
    auto table = glue_catalog.table(t.catalog_id, t.database_name, t.table_name, version);
    if (!table) return std::unexpected(table.error());
    firehose::TableColumns out;
    out.version_id = table->version_id;
    for (const auto& c : table->columns) out.columns.push_back({c.name, c.type});
    return out;
  };
  firehose::Engine firehose_engine(engine_options, **log, **metadata, object_store, &data_streams);
  firehose::FirehoseOptions firehose_options;
  firehose_options.account_id = config.account_id;
  firehose_options.region = config.region;
  firehose_options.throughput_limits = kinesis_options.throughput_limits;
  firehose_options.control_plane_limits = kinesis_options.control_plane_limits;
  firehose_options.key_file = kinesis_options.key_file;
  firehose_options.metrics = &(*metrics)->registry();
  firehose::FirehoseService firehose(firehose_options, **log, **metadata, &data_streams, firehose_engine);
  if (Status st = firehose.load(); !st) {
    spdlog::error("{}", st.to_string());
    return 1;
  }
  // Kinesis Data Analytics for SQL (analytics/): the v1 control plane over
  // the metadata store; inputs and outputs must name existing Data Streams
  // streams or Firehose delivery streams; DiscoverInputSchema samples Data
  // Streams and the S3 store.
  analytics::ApplicationsOptions analytics_options;
  analytics_options.account_id = config.account_id;
  analytics_options.region = config.region;
  analytics_options.control_plane_limits = kinesis_options.control_plane_limits;
  analytics_options.kinesis_stream_exists = [&data_streams](const std::string& name) {
    return data_streams.describe_stream(name).has_value();
  };
  analytics_options.delivery_stream_exists = [&firehose](const std::string& name) {
    return firehose.spec(name).has_value();
  };
  analytics_options.lambda_endpoint = !engine_options.lambda.endpoint.empty();
  analytics::Applications analytics_applications(analytics_options, **metadata);
  if (Status st = analytics_applications.load(); !st) {
    spdlog::error("loading the Analytics applications: {}", st.to_string());
    return 1;
  }
  analytics::Discovery analytics_discovery(&data_streams, &object_store);
  analytics::AnalyticsService analytics(analytics_applications, analytics_discovery);
  // The applications that are RUNNING, run by the SQL engine (src/sql/) on a
  // thread of their own; outputs go to Data Streams and Firehose in process.
  analytics::RuntimeOptions runtime_options;
  runtime_options.wanted = [&analytics_applications] {
    std::vector<analytics::RunSpec> specs;
    for (const analytics::StoredApplication& app : analytics_applications.running())
      specs.push_back(analytics::run_spec_of(app));
    return specs;
  };
  runtime_options.put_firehose = [&firehose](const std::string& name, std::vector<std::string> records,
                                             std::function<void(Result<size_t>)> done) {
    firehose.put_records(name, std::move(records), std::move(done));
  };
  runtime_options.objects = &object_store;
  // Lambda preprocessors and outputs go where Firehose's transformations go;
  // a delivery stream input is read from its log shard (or its Kinesis
  // stream), as the delivery engine reads it.
  runtime_options.lambda = engine_options.lambda;
  runtime_options.log = &**log;
  runtime_options.key_file = kinesis_options.key_file;
  runtime_options.log_readers = &log_readers;
  runtime_options.delivery_stream_source =
      [&firehose](const std::string& name) -> std::optional<analytics::DeliveryStreamSource> {
    std::optional<firehose::StreamSpec> spec = firehose.spec(name);
    if (!spec) return std::nullopt;
    analytics::DeliveryStreamSource source;
    source.shard_key = spec->shard_key;
    if (const auto& k = spec->description.source;
        k && k->kinesis_stream_source_description && k->kinesis_stream_source_description->kinesis_stream_arn) {
      const std::string& arn = *k->kinesis_stream_source_description->kinesis_stream_arn;
      if (const size_t at = arn.find(":stream/"); at != std::string::npos) source.kinesis_stream = arn.substr(at + 8);
    }
    return source;
  };
  // DiscoverInputSchema samples delivery streams and runs preprocessors as
  // the runtime does.
  analytics_discovery.set_sources(analytics::Discovery::Sources{
      runtime_options.lambda, runtime_options.log, runtime_options.key_file, runtime_options.delivery_stream_source});
  analytics::Runtime analytics_runtime(runtime_options, data_streams, **metadata);
  analytics_runtime.start();

  // Kinesis Video Streams (video/): the control plane over the metadata
  // store; GetDataEndpoint points at this server (--video-data-endpoint).
  video::CatalogOptions video_options;
  video_options.account_id = config.account_id;
  video_options.create_stream_ms = config.video.create_stream_ms;
  video_options.delete_stream_ms = config.video.delete_stream_ms;
  video_options.stream_limit = config.video.stream_limit;
  video::Catalog video_catalog(video_options, **metadata);
  if (Status st = video_catalog.load(); !st) {
    spdlog::error("loading the Video Streams catalog: {}", st.to_string());
    return 1;
  }
  video::VideoServiceOptions video_service_options;
  video_service_options.data_endpoint = config.video.data_endpoint;
  video_service_options.fallback_endpoint = fmt::format("http://{}:{}", config.host, config.port);
  video::VideoService video_service(video_service_options, video_catalog);

  // Every service that keeps shards in the log has set their retention: the
  // log may now expire the shards nobody claims (docs/storage.md §7).
  (*log)->retention_settings_complete();

  std::optional<protocol::CredentialStore> credentials;
  if (!config.credentials_file.empty()) {
    auto loaded = protocol::CredentialStore::load(config.credentials_file);
    if (!loaded) {
      spdlog::error("{}", loaded.error().to_string());
      return 1;
    }
    credentials = std::move(*loaded);
  }
  protocol::DispatcherOptions dispatch_options;
  dispatch_options.default_region = config.region;
  dispatch_options.account_id = config.account_id;
  dispatch_options.credentials = credentials ? &*credentials : nullptr;
  dispatch_options.max_inflated_body_bytes = config.max_body_mib << 20;
  // Requests by operation and error type (runnel_requests_total ...): made
  // once the services are registered, before the server starts.
  std::unique_ptr<RequestMetrics> request_metrics;
  dispatch_options.observer = [&request_metrics](const protocol::RequestOutcome& o) { request_metrics->observe(o); };
  protocol::Dispatcher dispatcher(dispatch_options);
  // The services served on the port, each a sibling folder under src/.
  std::vector<protocol::Service*> services = {&kinesis,      &cloudwatch, &s3_service,   &firehose,
                                              &glue_service, &analytics,  &video_service};
  for (protocol::Service* s : services) dispatcher.register_service(*s);
  dispatcher.add_route(health_route(**log, config.cloudwatch.open_metrics));
  // The web console: its own files and settings; it reaches the services
  // above only through their public APIs (docs/console.md).
  console::ConsoleOptions console_options;
  console_options.dir = config.console_dir;
  console_options.auth = credentials.has_value();
  console_options.region = config.region;
  console_options.account_id = config.account_id;
  console_options.version = RUNNEL_VERSION;
  console_options.started_at_ms =
      std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::system_clock::now().time_since_epoch())
          .count();
  for (const protocol::ServiceModel* m : dispatcher.models()) console_options.services.emplace_back(m->signing_name);
  for (protocol::LocalRoute& r : console::console_routes(console_options, console::embedded_files()))
    dispatcher.add_route(std::move(r));
  request_metrics = std::make_unique<RequestMetrics>((*metrics)->registry(), dispatcher.models());

  // Block the shutdown signals in every thread; this one waits for them.
  sigset_t signals;
  sigemptyset(&signals);
  sigaddset(&signals, SIGTERM);
  sigaddset(&signals, SIGINT);
  pthread_sigmask(SIG_BLOCK, &signals, nullptr);
  signal(SIGPIPE, SIG_IGN);

  net::ServerOptions server_options;
  server_options.host = config.host;
  server_options.port = config.port;
  server_options.threads = config.threads;
  server_options.tls_port = config.tls_port;
  server_options.tls_cert_file = config.tls_cert;
  server_options.tls_key_file = config.tls_key;
  server_options.max_body_bytes = config.max_body_mib << 20;
  server_options.header_timeout_ms = config.header_timeout_ms;
  server_options.max_connections = config.max_connections;
  server_options.body_memory_bytes = config.body_memory_mib << 20;
  server_options.h2_max_queued_bytes = config.h2_max_queued_mib << 20;
  server_options.h2_stall_timeout_ms = config.h2_stall_timeout_ms;
  server_options.body_timeout_ms = config.body_timeout_ms;
  // With a credentials file, a request that cannot authenticate is answered
  // from its head, before its body is read (issue 14, item 3).
  server_options.head_check = [&dispatcher](const net::HttpRequest& head) -> std::optional<net::HttpResponse> {
    return dispatcher.check_head(head);
  };
  // Operations whose input payload is a streaming blob read their body as it
  // arrives (net/'s flow control), whatever its size.
  server_options.stream_body = [&dispatcher](const net::HttpRequest& head) { return dispatcher.streams_body(head); };
  server_options.transport_error = [&dispatcher](const net::HttpRequest& head, net::TransportError e) {
    return dispatcher.transport_error_response(head, e);
  };
  net::Server server(server_options, [&dispatcher](net::HttpRequest req, std::shared_ptr<net::ResponseSink> sink) {
    dispatcher.handle(std::move(req), std::move(sink));
  });
  // runnel's own internals on /metrics, read at scrape time; removed before
  // the server they read is destroyed.
  GaugeSet gauges((*metrics)->registry());
  add_memory_gauges(gauges);
  add_process_gauges(gauges, RUNNEL_VERSION, console_options.started_at_ms, config.data_dir);
  add_connection_gauges(gauges, server);
  add_log_gauges(gauges, **log);
  if (Status st = server.start(); !st) {
    spdlog::error("{}", st.to_string());
    return 1;
  }
  spdlog::info("runnel serving Kinesis on {}:{} (data in {}, fsync {})", config.host, server.bound_port(),
               config.data_dir, config.fsync);
  if (config.tls_port) spdlog::info("TLS listener on {}:{}", config.host, server.bound_tls_port());

  int sig = 0;
  sigwait(&signals, &sig);
  spdlog::info("signal {}: shutting down", sig);
  for (protocol::Service* s : services) s->shutdown();  // ends event streams so the server can drain
  server.stop();
  for (protocol::Service* s : services) {
    if (Status st = s->close(); !st) spdlog::error("closing {}: {}", s->name(), st.to_string());
  }
  // Objects being written complete (or fail) first; buffers not yet written
  // stay in the log for the next start.
  firehose_engine.stop();
  (*metrics)->close();
  if (Status st = (*log)->close(); !st) {
    spdlog::error("closing the log: {}", st.to_string());
    return 1;
  }
  spdlog::info("stopped cleanly");
  return 0;
}

}  // namespace runnel::server
