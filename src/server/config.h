#pragma once
// The settings of `runnel serve`. Each has one name, used three ways: a
// command-line flag (--fsync), an environment variable (RUNNEL_FSYNC) and a
// key in the optional config file (fsync = "always", TOML/INI as CLI11 reads
// it). Precedence: flag, then environment, then file, then default.

#include <cstdint>
#include <string>

#include "cloudwatch/config.h"
#include "firehose/config.h"
#include "streams/config.h"
#include "video/config.h"

namespace runnel::server {

struct ServeConfig {
  std::string host = "127.0.0.1";  // loopback: see server/exposure.h
  bool allow_anonymous = false;    // serve a non-loopback host without a credentials file
  uint16_t port = 4567;
  std::string data_dir = "./runnel-data";
  std::string fsync = "always";  // always | interval | never
  uint32_t fsync_interval_ms = 1000;
  unsigned threads = 0;  // 0: one per core
  uint16_t tls_port = 0;
  std::string tls_cert;
  std::string tls_key;
  std::string account_id = "000000000000";
  std::string region = "us-east-1";
  std::string credentials_file;  // when set, SigV4 signatures are verified
  uint64_t segment_mib = 128;
  uint64_t page_cache_window_mib = 256;  // storage::LogOptions::cache_window_bytes, in MiB
  uint32_t retention_check_ms = 60'000;
  size_t max_body_mib = 20;
  // Limits against hostile clients (docs/http.md).
  uint32_t header_timeout_ms = 20000;    // net::ServerOptions::header_timeout_ms
  size_t max_connections = 0;            // 0: RLIMIT_NOFILE - 64
  size_t body_memory_mib = 256;          // request bodies being read, all connections
  size_t h2_max_queued_mib = 64;         // per HTTP/2 connection, responses held by flow control
  uint32_t h2_stall_timeout_ms = 30000;  // HTTP/2 connection with bytes queued and none sent
  uint32_t body_timeout_ms = 60000;      // net::ServerOptions::body_timeout_ms
  // Each service's own section (its flags are declared in its folder).
  streams::StreamsConfig streams;
  cloudwatch::CloudWatchConfig cloudwatch;
  firehose::FirehoseConfig firehose;
  video::VideoConfig video;
  std::string log_level = "info";
  std::string console_dir;  // serve the console from this folder instead of the compiled-in files
};

}  // namespace runnel::server
