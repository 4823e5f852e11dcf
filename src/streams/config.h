#pragma once
// The Data Streams section of `runnel serve`'s settings: its flags (each also
// an environment variable RUNNEL_* and a config-file key, as server/config.h
// describes) and how they become KinesisOptions. server/main.cc adds the
// section to the serve command; nothing outside streams/ names these flags.

#include <CLI/CLI.hpp>

#include <cstdint>
#include <string>

#include "streams/kinesis_service.h"

namespace runnel::streams {

struct StreamsConfig {
  int64_t create_stream_ms = 0;
  int64_t delete_stream_ms = 0;
  int64_t update_stream_ms = 0;
  uint32_t shard_limit = 20000;
  std::string throughput_limits = "on";     // on | off: per-shard read/write limits
  std::string control_plane_limits = "on";  // on | off: AWS's control-plane call rates
  int64_t consumer_create_ms = 0;
  int64_t consumer_delete_ms = 0;
  int64_t subscription_seconds = 300;       // how long a SubscribeToShard stream lasts
  uint64_t subscription_buffer_kib = 1024;  // unsent events held for one subscriber (FanOutOptions)
  uint64_t fanout_buffer_mib = 64;          // ... for all subscribers together
  int64_t subscription_stall_seconds = 60;  // end a subscription whose reader took nothing (0: never)
};

// Adds the section's flags to `serve`, bound to `config`.
void add_streams_options(CLI::App& serve, StreamsConfig& config);

// The service's options from the section, the account and the data directory.
KinesisOptions kinesis_options(const StreamsConfig& config, const std::string& account_id, const std::string& data_dir);

}  // namespace runnel::streams
