// runnel: one binary. `runnel serve` runs the server; more subcommands
// (bench, ...) join it over time.

#include <malloc.h>
#include <spdlog/spdlog.h>
#include <CLI/CLI.hpp>

#include "bench/bench_command.h"
#include "cloudwatch/config.h"
#include "server/serve.h"
#include "streams/config.h"
#include "video/config.h"

namespace {

// glibc serves allocations above its mmap threshold (128 KiB at first) with
// fresh mappings, and gives freed heap tops back to the kernel past 128 KiB.
// A GetRecords or PutRecords body is megabytes, so every request paid for
// mmap, page faults, zeroing and munmap (about 40% of the server's CPU in a
// GetRecords catch-up, docs/performance.md). Keeping such blocks in the heap
// trades up to the trim threshold of resident memory per malloc arena, once
// reached, for none of that.
void tune_malloc() {
  mallopt(M_MMAP_THRESHOLD, 32 << 20);
  mallopt(M_TRIM_THRESHOLD, 64 << 20);
}

}  // namespace

int main(int argc, char** argv) {
  tune_malloc();
  using runnel::server::ServeConfig;
  CLI::App app{"runnel: a streaming data platform that speaks the AWS Kinesis APIs"};
  app.require_subcommand(1);
  ServeConfig cfg;
  CLI::App* serve = app.add_subcommand("serve", "Run the server");
  serve->set_config("--config", "", "Read settings from a TOML/INI file (keys named like the flags)");
  auto opt = [&](const char* name, auto& value, const char* help, const char* env) {
    return serve->add_option(name, value, help)->envname(env)->capture_default_str();
  };
  opt("--host", cfg.host, "Address to listen on; beyond loopback it needs --credentials-file or --allow-anonymous",
      "RUNNEL_HOST");
  serve
      ->add_flag("--allow-anonymous", cfg.allow_anonymous,
                 "Listen on a non-loopback --host without a credentials file, accepting any signature "
                 "(only on a network that is yours alone, e.g. in a container)")
      ->envname("RUNNEL_ALLOW_ANONYMOUS");
  opt("--port", cfg.port, "Port for HTTP/1.1 and h2c (0: any free port)", "RUNNEL_PORT");
  opt("--data-dir", cfg.data_dir, "Where streams and records are kept", "RUNNEL_DATA_DIR");
  opt("--fsync", cfg.fsync, "When a put is acknowledged: always (after fsync), interval, never", "RUNNEL_FSYNC")
      ->check(CLI::IsMember({"always", "interval", "never"}));
  opt("--fsync-interval-ms", cfg.fsync_interval_ms, "fsync period for --fsync interval", "RUNNEL_FSYNC_INTERVAL_MS");
  opt("--threads", cfg.threads, "Network threads (0: one per core)", "RUNNEL_THREADS");
  opt("--tls-port", cfg.tls_port, "Port of the TLS listener (ALPN h2, http/1.1); 0: none", "RUNNEL_TLS_PORT");
  opt("--tls-cert", cfg.tls_cert, "PEM certificate chain for TLS", "RUNNEL_TLS_CERT");
  opt("--tls-key", cfg.tls_key, "PEM private key for TLS", "RUNNEL_TLS_KEY");
  opt("--account-id", cfg.account_id, "The 12-digit account id in ARNs and messages", "RUNNEL_ACCOUNT_ID");
  opt("--region", cfg.region, "Region used when a request's signature names none", "RUNNEL_REGION");
  opt("--credentials-file", cfg.credentials_file,
      "AWS shared-credentials file; when given, SigV4 signatures are verified", "RUNNEL_CREDENTIALS_FILE");
  opt("--segment-mib", cfg.segment_mib, "Log segment size before rolling", "RUNNEL_SEGMENT_MIB");
  opt("--page-cache-window-mib", cfg.page_cache_window_mib,
      "Newest log data kept in the page cache; older data is dropped from it once fsynced, and read "
      "back from disk (0: leave it to the kernel)",
      "RUNNEL_PAGE_CACHE_WINDOW_MIB");
  opt("--retention-check-ms", cfg.retention_check_ms, "How often expired log segments are deleted",
      "RUNNEL_RETENTION_CHECK_MS");
  opt("--max-body-mib", cfg.max_body_mib, "Largest request body accepted", "RUNNEL_MAX_BODY_MIB");
  opt("--header-timeout-ms", cfg.header_timeout_ms,
      "An HTTP/1.1 request head must arrive within this of its first byte (else 408)", "RUNNEL_HEADER_TIMEOUT_MS")
      ->check(CLI::Range(uint32_t{1}, uint32_t{3'600'000}));
  opt("--body-timeout-ms", cfg.body_timeout_ms,
      "A request body must be complete within this of the end of its head (else 408; HTTP/2: stream reset)",
      "RUNNEL_BODY_TIMEOUT_MS")
      ->check(CLI::Range(uint32_t{1}, uint32_t{3'600'000}));
  opt("--max-connections", cfg.max_connections,
      "Open connections allowed (0: the open-files limit minus 64); at the limit a new connection closes the one "
      "idle longest",
      "RUNNEL_MAX_CONNECTIONS");
  opt("--body-memory-mib", cfg.body_memory_mib,
      "Memory for request bodies being received, all connections together (beyond: 503, retryable)",
      "RUNNEL_BODY_MEMORY_MIB");
  opt("--h2-max-queued-mib", cfg.h2_max_queued_mib,
      "Response bytes one HTTP/2 connection may hold waiting for the client's flow-control window",
      "RUNNEL_H2_MAX_QUEUED_MIB");
  opt("--h2-stall-timeout-ms", cfg.h2_stall_timeout_ms,
      "An HTTP/2 connection with responses queued and no data sent for this long is closed",
      "RUNNEL_H2_STALL_TIMEOUT_MS")
      ->check(CLI::Range(uint32_t{1}, uint32_t{3'600'000}));
  runnel::streams::add_streams_options(*serve, cfg.streams);
  runnel::cloudwatch::add_cloudwatch_options(*serve, cfg.cloudwatch);
  runnel::firehose::add_firehose_options(*serve, cfg.firehose);
  runnel::video::add_video_options(*serve, cfg.video);
  opt("--console-dir", cfg.console_dir,
      "Serve the web console (/console/) from this folder, e.g. console/dist while developing it, instead of "
      "the files compiled into the binary",
      "RUNNEL_CONSOLE_DIR");
  opt("--log-level", cfg.log_level, "trace, debug, info, warn, error", "RUNNEL_LOG_LEVEL")
      ->check(CLI::IsMember({"trace", "debug", "info", "warn", "error", "critical", "off"}));

  runnel::bench::BenchCommand bench(app);

  CLI11_PARSE(app, argc, argv);
  spdlog::set_level(spdlog::level::from_str(cfg.log_level));
  if (serve->parsed()) return runnel::server::serve(cfg);
  if (bench.parsed()) return bench.run();
  return 0;
}
