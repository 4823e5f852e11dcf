#include "streams/config.h"

#include <filesystem>

namespace runnel::streams {

void add_streams_options(CLI::App& serve, StreamsConfig& cfg) {
  auto opt = [&](const char* name, auto& value, const char* help, const char* env) {
    return serve.add_option(name, value, help)->envname(env)->capture_default_str()->group("Data Streams");
  };
  opt("--create-stream-ms", cfg.create_stream_ms, "Time a new stream spends CREATING", "RUNNEL_CREATE_STREAM_MS");
  opt("--delete-stream-ms", cfg.delete_stream_ms, "Time a stream spends DELETING", "RUNNEL_DELETE_STREAM_MS");
  opt("--update-stream-ms", cfg.update_stream_ms, "Time a stream spends UPDATING", "RUNNEL_UPDATE_STREAM_MS");
  opt("--consumer-create-ms", cfg.consumer_create_ms, "Time a new consumer spends CREATING",
      "RUNNEL_CONSUMER_CREATE_MS");
  opt("--consumer-delete-ms", cfg.consumer_delete_ms, "Time a deregistered consumer spends DELETING",
      "RUNNEL_CONSUMER_DELETE_MS");
  opt("--subscription-seconds", cfg.subscription_seconds,
      "How long a SubscribeToShard stream lasts before it ends cleanly (AWS: 300)", "RUNNEL_SUBSCRIPTION_SECONDS")
      ->check(CLI::Range(int64_t{1}, int64_t{86400}));
  opt("--subscription-buffer-kib", cfg.subscription_buffer_kib,
      "Events the server holds for one SubscribeToShard reader that has not taken them; no more are made "
      "for it past this",
      "RUNNEL_SUBSCRIPTION_BUFFER_KIB")
      ->check(CLI::Range(uint64_t{16}, uint64_t{1} << 20));
  opt("--fanout-buffer-mib", cfg.fanout_buffer_mib,
      "Events held for all SubscribeToShard readers together; past this, readers that take nothing get "
      "no more",
      "RUNNEL_FANOUT_BUFFER_MIB")
      ->check(CLI::Range(uint64_t{1}, uint64_t{1} << 20));
  opt("--subscription-stall-seconds", cfg.subscription_stall_seconds,
      "End a SubscribeToShard stream whose reader took none of its pending events for this long (0: never)",
      "RUNNEL_SUBSCRIPTION_STALL_SECONDS")
      ->check(CLI::Range(int64_t{0}, int64_t{86400}));
  opt("--shard-limit", cfg.shard_limit, "Open shards allowed in the account", "RUNNEL_SHARD_LIMIT");
  opt("--throughput-limits", cfg.throughput_limits,
      "Per-shard limits as AWS enforces them (writes 1 MiB/s and 1,000 records/s, reads 2 MiB/s and "
      "5 GetRecords/s): on, or off for raw speed",
      "RUNNEL_THROUGHPUT_LIMITS")
      ->check(CLI::IsMember({"on", "off"}));
  opt("--control-plane-limits", cfg.control_plane_limits,
      "AWS's control-plane call rates (e.g. CreateStream 5/s per account; LimitExceededException beyond): "
      "on, or off for test suites that create streams in bursts",
      "RUNNEL_CONTROL_PLANE_LIMITS")
      ->check(CLI::IsMember({"on", "off"}));
}

KinesisOptions kinesis_options(const StreamsConfig& config, const std::string& account_id,
                               const std::string& data_dir) {
  KinesisOptions o;
  o.account_id = account_id;
  o.create_stream_ms = config.create_stream_ms;
  o.delete_stream_ms = config.delete_stream_ms;
  o.update_stream_ms = config.update_stream_ms;
  o.shard_limit = config.shard_limit;
  o.throughput_limits = config.throughput_limits == "on";
  o.control_plane_limits = config.control_plane_limits == "on";
  o.key_file = (std::filesystem::path(data_dir) / "kms.key").string();
  o.consumer_create_ms = config.consumer_create_ms;
  o.consumer_delete_ms = config.consumer_delete_ms;
  o.fanout.max_subscription_ms = config.subscription_seconds * 1000;
  o.fanout.max_unsent_bytes = config.subscription_buffer_kib << 10;
  o.fanout.max_unsent_total_bytes = config.fanout_buffer_mib << 20;
  o.fanout.stall_timeout_ms = config.subscription_stall_seconds * 1000;
  return o;
}

}  // namespace runnel::streams
