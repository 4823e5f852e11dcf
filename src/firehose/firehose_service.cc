#include "firehose/firehose_service.h"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <chrono>

#include "firehose/model.h"
#include "firehose/persistence.h"
#include "firehose/put_record_batch_decoder.h"
#include "protocol/json_codec.h"

namespace runnel::firehose {

namespace {

int64_t wall_ms() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::system_clock::now().time_since_epoch())
      .count();
}

// typed() for operations that answer later: fn(in, ctx, reply) may reply
// from any thread; it may move the input's records out.
template <class Input, class Output, class Fn>
protocol::OperationHandler typed_async(Fn fn) {
  return [fn = std::move(fn)](const protocol::OperationModel&, protocol::Value input,
                              const protocol::RequestContext& ctx, protocol::OperationReply reply) {
    auto in = std::make_shared<Input>();
    if (auto decoded = decode(std::move(input), *in); !decoded) {
      reply(std::unexpected(std::move(decoded.error())));
      return;
    }
    fn(*in, ctx, [reply = std::move(reply), in](protocol::ApiResult<Output> out) {
      if (!out) {
        reply(std::unexpected(std::move(out.error())));
        return;
      }
      reply(encode(*out));
    });
  };
}

}  // namespace

FirehoseService::FirehoseService(FirehoseOptions options, storage::Log& log, storage::MetadataStore& metadata,
                                 streams::DataStreams* data_streams, DeliveryEngine& engine)
    : now_ms(wall_ms),
      options_(std::move(options)),
      log_(log),
      metadata_(metadata),
      data_streams_(data_streams),
      engine_(engine),
      cipher_(options_.key_file) {
  table_.emplace(operations());  // for handle(); the server builds its own
}

FirehoseService::~FirehoseService() { timers_.stop(); }

void FirehoseService::shutdown() { timers_.stop(); }

std::unique_ptr<protocol::FastDecoder> FirehoseService::fast_decoder() {
  return std::make_unique<PutRecordBatchDecoder>(firehose_model());
}

protocol::OperationTable FirehoseService::operations() {
  auto sync = [this]<class In, class Out>(ApiResult<Out> (FirehoseService::*fn)(const In&, const Ctx&)) {
    return protocol::typed<In, Out>([this, fn](const In& in, const Ctx& ctx) { return (this->*fn)(in, ctx); });
  };
  protocol::OperationTable table(firehose_model());
  table.on("CreateDeliveryStream", sync(&FirehoseService::create))
      .on("DeleteDeliveryStream", sync(&FirehoseService::remove))
      .on("DescribeDeliveryStream", sync(&FirehoseService::describe))
      .on("ListDeliveryStreams", sync(&FirehoseService::list))
      .on("UpdateDestination", sync(&FirehoseService::update_destination))
      .on("StartDeliveryStreamEncryption", sync(&FirehoseService::start_encryption))
      .on("StopDeliveryStreamEncryption", sync(&FirehoseService::stop_encryption))
      .on("TagDeliveryStream", sync(&FirehoseService::tag))
      .on("UntagDeliveryStream", sync(&FirehoseService::untag))
      .on("ListTagsForDeliveryStream", sync(&FirehoseService::list_tags))
      .on("PutRecord", typed_async<api::PutRecordInput, api::PutRecordOutput>(
                           [this](api::PutRecordInput& in, const Ctx& ctx, Reply<api::PutRecordOutput> reply) {
                             put_record(in, ctx, std::move(reply));
                           }))
      .on("PutRecordBatch",
          typed_async<api::PutRecordBatchInput, api::PutRecordBatchOutput>(
              [this](api::PutRecordBatchInput& in, const Ctx& ctx, Reply<api::PutRecordBatchOutput> reply) {
                put_record_batch(in, ctx, std::move(reply));
              }))
      .otherwise([](const protocol::OperationModel& op, protocol::Value, const Ctx&, protocol::OperationReply reply) {
        reply(std::unexpected(protocol::ApiError{"InvalidArgumentException",
                                                 "runnel does not serve the Firehose operation " + std::string(op.name),
                                                 400, false}));
      });
  return table;
}

void FirehoseService::handle(const protocol::OperationModel& op, protocol::Value input, const Ctx& ctx,
                             protocol::OperationReply reply) {
  const protocol::OperationHandler* h = table_->find(op);
  if (!h) {
    reply(std::unexpected(protocol::invalid_argument("unknown operation")));
    return;
  }
  (*h)(op, std::move(input), ctx, std::move(reply));
}

std::optional<StreamSpec> FirehoseService::spec(const std::string& name) const {
  MutexLock lock(mu_);
  auto it = streams_.find(name);
  if (it == streams_.end()) return std::nullopt;
  return it->second->spec;
}

protocol::ApiError FirehoseService::not_found(const std::string& name, const Ctx& ctx) const {
  const std::string& account = ctx.account_id.empty() ? options_.account_id : ctx.account_id;
  return protocol::resource_not_found("Firehose " + name + " under account " + account + " not found.");
}

std::string FirehoseService::arn(const std::string& region, const std::string& name) const {
  return "arn:aws:firehose:" + region + ":" + options_.account_id + ":deliverystream/" + name;
}

std::optional<protocol::ApiError> FirehoseService::rate_limit(std::string_view op, const Ctx&) {
  if (!options_.control_plane_limits) return std::nullopt;
  const int64_t now = now_ms();
  MutexLock lock(rate_mu_);
  auto it = rate_calls_.find(op);
  if (it == rate_calls_.end()) it = rate_calls_.emplace(std::string(op), std::deque<int64_t>{}).first;
  auto& calls = it->second;
  while (!calls.empty() && calls.front() <= now - 1000) calls.pop_front();
  if (calls.size() >= 5) {
    return protocol::limit_exceeded("Rate exceeded for operation " + std::string(op) +
                                    ": at most 5 calls per second per account.");
  }
  calls.push_back(now);
  return std::nullopt;
}

FirehoseService::Stream* FirehoseService::find_locked(const std::string& name) {
  auto it = streams_.find(name);
  return it == streams_.end() ? nullptr : it->second.get();
}

Status FirehoseService::persist_locked(const Stream& s) {
  StoredStream doc{s.spec, s.secrets, s.tags, {s.encryption_calls.begin(), s.encryption_calls.end()}};
  return metadata_.put(kStreamKind, s.spec.name(), encode_stored(doc));
}

Status FirehoseService::load() {
  auto docs = metadata_.load_all(kStreamKind);
  if (!docs) return docs.error();
  std::vector<std::string> to_check, to_delete, to_encrypt;
  std::vector<StreamSpec> active;
  {
    MutexLock lock(mu_);
    for (auto& [key, value] : *docs) {
      auto stored = decode_stored(value);
      if (!stored) {
        spdlog::error("firehose: skipping unreadable stream document {}: {}", key, stored.error().to_string());
        continue;
      }
      auto s = std::make_unique<Stream>();
      s->spec = std::move(stored->spec);
      s->secrets = std::move(stored->secrets);
      s->tags = std::move(stored->tags);
      s->encryption_calls.assign(stored->encryption_calls.begin(), stored->encryption_calls.end());
      s->incarnation = next_incarnation_++;
      const std::string& status = s->spec.description.delivery_stream_status;
      if (status == "CREATING") to_check.push_back(key);
      if (status == "DELETING") to_delete.push_back(key);
      if (auto& enc = s->spec.description.delivery_stream_encryption_configuration;
          enc && (enc->status == "ENABLING" || enc->status == "DISABLING")) {
        to_encrypt.push_back(key);
      }
      if (status == "ACTIVE") active.push_back(s->spec);
      streams_[key] = std::move(s);
    }
  }
  for (const StreamSpec& spec : active) engine_.configure(spec);
  for (const std::string& name : to_check) check_destination(name);
  for (const std::string& name : to_delete) {
    uint64_t inc = 0;
    {
      MutexLock lock(mu_);
      inc = streams_[name]->incarnation;
    }
    finish_delete(name, inc);
  }
  for (const std::string& name : to_encrypt) {
    uint64_t inc = 0;
    {
      MutexLock lock(mu_);
      inc = streams_[name]->incarnation;
    }
    finish_encryption(name, inc);
  }
  return Status::ok();
}

void FirehoseService::check_destination(const std::string& name) {
  std::optional<StreamSpec> spec;
  uint64_t inc = 0;
  {
    MutexLock lock(mu_);
    Stream* s = find_locked(name);
    if (!s || s->spec.description.delivery_stream_status != "CREATING") return;
    spec = s->spec;
    inc = s->incarnation;
  }
  engine_.check_destination(*spec, [this, name, inc](std::optional<api::FailureDescription> failure) {
    on_checked(name, inc, std::move(failure));
  });
}

void FirehoseService::on_checked(const std::string& name, uint64_t incarnation,
                                 std::optional<api::FailureDescription> failure) {
  std::optional<StreamSpec> configure;
  {
    MutexLock lock(mu_);
    Stream* s = find_locked(name);
    if (!s || s->incarnation != incarnation || s->spec.description.delivery_stream_status != "CREATING") return;
    auto& d = s->spec.description;
    if (failure) {
      d.delivery_stream_status = "CREATING_FAILED";
      d.failure_description = std::move(*failure);
    } else {
      d.delivery_stream_status = "ACTIVE";
      configure = s->spec;
    }
    if (Status st = persist_locked(*s); !st) {
      spdlog::error("firehose: persisting {}: {}", name, st.to_string());
    }
  }
  if (configure) engine_.configure(*configure);
}

void FirehoseService::finish_delete(const std::string& name, uint64_t incarnation) {
  storage::ShardKey shard = 0;
  {
    MutexLock lock(mu_);
    Stream* s = find_locked(name);
    if (!s || s->incarnation != incarnation) return;
    shard = s->spec.shard_key;
  }
  engine_.remove(name);
  if (shard != 0) {
    if (Status st = log_.drop_shards({shard}); !st) {
      spdlog::error("firehose: dropping the log shard of {}: {} (retried at next start)", name, st.to_string());
      return;  // stays DELETING; load() tries again
    }
  }
  MutexLock lock(mu_);
  Stream* s = find_locked(name);
  if (!s || s->incarnation != incarnation) return;
  if (Status st = metadata_.remove(kStreamKind, name); !st) {
    spdlog::error("firehose: forgetting {}: {}", name, st.to_string());
  }
  streams_.erase(name);
}

bool FirehoseService::admit_request_locked(Stream& s, const std::string& region) {
  if (!options_.throughput_limits) return true;
  // AWS's DirectPut limits per stream: 2,000 requests/s, 500,000 records/s
  // and 5 MiB/s in us-east-1, us-west-2 and eu-west-1; 1,000, 100,000 and
  // 1 MiB/s elsewhere. Buckets hold one second's worth.
  const bool big = region == "us-east-1" || region == "us-west-2" || region == "eu-west-1";
  const double requests = big ? 2000 : 1000, records = big ? 500'000 : 100'000;
  const double bytes = big ? 5.0 * (1 << 20) : 1.0 * (1 << 20);
  const int64_t now = now_ms();
  if (s.tokens_ms == 0) {
    s.request_tokens = requests;
    s.record_tokens = records;
    s.byte_tokens = bytes;
  } else if (now > s.tokens_ms) {
    double dt = double(now - s.tokens_ms) / 1000.0;
    s.request_tokens = std::min(requests, s.request_tokens + dt * requests);
    s.record_tokens = std::min(records, s.record_tokens + dt * records);
    s.byte_tokens = std::min(bytes, s.byte_tokens + dt * bytes);
  }
  s.tokens_ms = std::max(now, s.tokens_ms);
  if (s.request_tokens < 1) return false;
  s.request_tokens -= 1;
  return true;
}

bool FirehoseService::admit_record_locked(Stream& s, uint64_t bytes) {
  if (!options_.throughput_limits) return true;
  if (s.record_tokens < 1 || s.byte_tokens < double(bytes)) return false;
  s.record_tokens -= 1;
  s.byte_tokens -= double(bytes);
  return true;
}

}  // namespace runnel::firehose
