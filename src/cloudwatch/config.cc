#include "cloudwatch/config.h"

namespace runnel::cloudwatch {

void add_cloudwatch_options(CLI::App& serve, CloudWatchConfig& cfg) {
  serve
      .add_flag("--open-metrics", cfg.open_metrics,
                "Serve GET /metrics and GET /health without a signature even with --credentials-file (they "
                "are always open without one)")
      ->envname("RUNNEL_OPEN_METRICS")
      ->group("CloudWatch");
  serve
      .add_option("--metrics-flush-ms", cfg.metrics_flush_ms,
                  "How often recorded metrics are written to the metrics store (a kill -9 loses at most this much)")
      ->envname("RUNNEL_METRICS_FLUSH_MS")
      ->capture_default_str()
      ->check(CLI::Range(uint32_t{10}, uint32_t{600'000}))
      ->group("CloudWatch");
}

}  // namespace runnel::cloudwatch
