#pragma once
// The CloudWatch section of `runnel serve`'s settings (flags, RUNNEL_*
// variables, config-file keys; see server/config.h).

#include <CLI/CLI.hpp>

#include <cstdint>

namespace runnel::cloudwatch {

struct CloudWatchConfig {
  bool open_metrics = false;         // GET /metrics and /health without a signature, with credentials
  uint32_t metrics_flush_ms = 1000;  // how often recorded metrics are made durable
};

// Adds the section's flags to `serve`, bound to `config`.
void add_cloudwatch_options(CLI::App& serve, CloudWatchConfig& config);

}  // namespace runnel::cloudwatch
