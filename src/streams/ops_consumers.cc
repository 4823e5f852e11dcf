// Enhanced fan-out consumers: RegisterStreamConsumer, DeregisterStreamConsumer,
// DescribeStreamConsumer, ListStreamConsumers. Consumers live in their
// stream's document (docs/metadata.md), so they survive restarts and vanish
// with the stream.

#include <algorithm>
#include <mutex>

#include "streams/input.h"
#include "streams/kinesis_service.h"
#include "streams/page_token.h"
#include "streams/tags.h"

namespace runnel::streams {

using protocol::Timestamp;

namespace {

constexpr size_t kMaxConsumersPerStream = 20;  // AWS's default quota
constexpr size_t kMaxConsumersCreating = 5;    // AWS: at most 5 registering at once
constexpr int64_t kDefaultListConsumers = 100;

}  // namespace

std::string KinesisService::consumer_arn(const StreamState& s, const Consumer& c) const {
  return stream_arn(s) + "/consumer/" + c.name + ":" + std::to_string(c.created_secs());
}

api::Consumer KinesisService::consumer_output(const StreamState& s, const Consumer& c) const {
  return api::Consumer{.consumer_name = c.name,
                       .consumer_arn = consumer_arn(s, c),
                       .consumer_status = std::string(to_string(c.status)),
                       .consumer_creation_timestamp = Timestamp{c.created_secs() * 1000}};
}

protocol::ApiResult<KinesisService::ConsumerRef> KinesisService::find_consumer_by_arn_locked(const std::string& arn,
                                                                                             const Ctx& ctx) {
  // <stream ARN>/consumer/<name>:<creation epoch seconds>
  const size_t marker = arn.rfind("/consumer/");
  const size_t colon = arn.rfind(':');
  if (marker == std::string::npos || colon == std::string::npos || colon < marker)
    return std::unexpected(protocol::invalid_argument("Invalid ConsumerARN " + arn + "."));
  const std::string name = arn.substr(marker + 10, colon - marker - 10);
  const std::string secs = arn.substr(colon + 1);
  auto stream = find_stream_by_arn_locked(arn.substr(0, marker), ctx);
  if (!stream) {
    if (stream.error().type == "InvalidArgumentException")
      return std::unexpected(protocol::invalid_argument("Invalid ConsumerARN " + arn + "."));
    return std::unexpected(stream.error());
  }
  Consumer* c = (*stream)->find_consumer(name);
  if (!c || std::to_string(c->created_secs()) != secs)
    return std::unexpected(
        protocol::resource_not_found("Consumer " + arn + " under account " + options_.account_id + " not found."));
  return ConsumerRef{*stream, c};
}

protocol::ApiResult<KinesisService::ConsumerRef> KinesisService::find_consumer_locked(const std::string* arn,
                                                                                      const std::string* stream_arn_in,
                                                                                      const std::string* name,
                                                                                      const Ctx& ctx) {
  if (arn) {
    auto ref = find_consumer_by_arn_locked(*arn, ctx);
    if (!ref) return ref;
    if ((name && *name != ref->consumer->name) || (stream_arn_in && *stream_arn_in != stream_arn(*ref->stream)))
      return std::unexpected(
          protocol::invalid_argument("ConsumerARN " + *arn + " does not match the StreamARN and ConsumerName given."));
    return ref;
  }
  if (!stream_arn_in || !name)
    return std::unexpected(
        protocol::invalid_argument("Either ConsumerARN or both StreamARN and ConsumerName must be provided."));
  auto stream = find_stream_by_arn_locked(*stream_arn_in, ctx);
  if (!stream) return std::unexpected(stream.error());
  Consumer* c = (*stream)->find_consumer(*name);
  if (!c)
    return std::unexpected(protocol::resource_not_found("Consumer " + *name + " under stream " + (*stream)->name +
                                                        " under account " + options_.account_id + " not found."));
  return ConsumerRef{*stream, c};
}

protocol::ApiResult<api::RegisterStreamConsumerOutput> KinesisService::register_consumer(
    const api::RegisterStreamConsumerInput& in, const Ctx& ctx) {
  const std::string& name = in.consumer_name;
  if (in.tags)
    if (auto ok = check_tags(*in.tags); !ok) return std::unexpected(ok.error());
  const int64_t now = now_ms();
  WriterLock lock(mu_);
  auto found = find_stream_by_arn_locked(in.stream_arn, ctx);
  if (!found) return std::unexpected(found.error());
  StreamState& s = **found;
  if (s.status == StreamStatus::kCreating || s.status == StreamStatus::kDeleting)
    return std::unexpected(protocol::resource_in_use("Stream " + s.name + " under account " + options_.account_id +
                                                     " not ACTIVE, instead in state " +
                                                     std::string(to_string(s.status))));
  if (s.find_consumer(name))
    return std::unexpected(protocol::resource_in_use("Consumer " + name + " under stream " + s.name +
                                                     " already exists for account " + options_.account_id + "."));
  if (s.consumers.size() >= kMaxConsumersPerStream)
    return std::unexpected(protocol::limit_exceeded("Stream " + s.name + " under account " + options_.account_id +
                                                    " already has " + std::to_string(s.consumers.size()) +
                                                    " registered consumers, the maximum allowed."));
  size_t creating = 0;
  for (const auto& c : s.consumers) creating += c.status == ConsumerStatus::kCreating;
  if (creating >= kMaxConsumersCreating)
    return std::unexpected(protocol::limit_exceeded(
        "Stream " + s.name + " under account " + options_.account_id + " already has " + std::to_string(creating) +
        " consumers in CREATING state; at most " + std::to_string(kMaxConsumersCreating) + " may register at once."));

  Consumer c;
  c.name = name;
  c.created_ms = now;
  c.status = ConsumerStatus::kCreating;
  c.transition_at_ms = now + options_.consumer_create_ms;
  if (in.tags)
    for (const auto& [key, value] : *in.tags) c.tags[key] = value;
  s.consumers.push_back(c);
  if (Status st = persist_locked(s); !st) {
    s.consumers.pop_back();
    return std::unexpected(protocol::internal_failure());
  }
  attach_metrics_locked(s);
  api::RegisterStreamConsumerOutput out;
  // AWS answers CREATING; the consumer turns ACTIVE consumer_create_ms later.
  out.consumer = consumer_output(s, c);
  schedule_transition_locked(c.transition_at_ms);
  if (options_.consumer_create_ms == 0) advance_transitions_locked(now);
  return out;
}

protocol::ApiResult<NoOutput> KinesisService::deregister_consumer(const api::DeregisterStreamConsumerInput& in,
                                                                  const Ctx& ctx) {
  const int64_t now = now_ms();
  {
    WriterLock lock(mu_);
    auto ref = find_consumer_locked(opt_ptr(in.consumer_arn), opt_ptr(in.stream_arn), opt_ptr(in.consumer_name), ctx);
    if (!ref) return std::unexpected(ref.error());
    Consumer& c = *ref->consumer;
    if (c.status != ConsumerStatus::kDeleting) {
      c.status = ConsumerStatus::kDeleting;
      c.transition_at_ms = now + options_.consumer_delete_ms;
      if (Status st = persist_locked(*ref->stream); !st) return std::unexpected(protocol::internal_failure());
      schedule_transition_locked(c.transition_at_ms);
      if (options_.consumer_delete_ms == 0) advance_transitions_locked(now);
    }
  }
  // Its subscriptions end with ResourceNotFoundException events.
  fanout_->wake();
  return NoOutput{};
}

protocol::ApiResult<api::DescribeStreamConsumerOutput> KinesisService::describe_consumer(
    const api::DescribeStreamConsumerInput& in, const Ctx& ctx) {
  ReaderLock lock(mu_);
  auto ref = find_consumer_locked(opt_ptr(in.consumer_arn), opt_ptr(in.stream_arn), opt_ptr(in.consumer_name), ctx);
  if (!ref) return std::unexpected(ref.error());
  api::Consumer c = consumer_output(*ref->stream, *ref->consumer);
  api::DescribeStreamConsumerOutput out;
  out.consumer_description = api::ConsumerDescription{.consumer_name = std::move(c.consumer_name),
                                                      .consumer_arn = std::move(c.consumer_arn),
                                                      .consumer_status = std::move(c.consumer_status),
                                                      .consumer_creation_timestamp = c.consumer_creation_timestamp,
                                                      .stream_arn = stream_arn(*ref->stream)};
  return out;
}

protocol::ApiResult<api::ListStreamConsumersOutput> KinesisService::list_consumers(
    const api::ListStreamConsumersInput& in, const Ctx& ctx) {
  const int64_t now = now_ms();
  const std::string& arn = in.stream_arn;
  std::string after;
  if (const std::string* token = opt_ptr(in.next_token)) {
    if (in.stream_creation_timestamp)
      return std::unexpected(
          protocol::invalid_argument("NextToken and StreamCreationTimestamp cannot be provided together."));
    auto t = read_page_token(*token, "consumers", now);
    if (!t) return std::unexpected(t.error());
    if (t->stream != arn)
      return std::unexpected(
          protocol::invalid_argument("NextToken " + *token + " was not issued for stream " + arn + "."));
    after = t->last_key;
  }
  const int64_t max = in.max_results.value_or(kDefaultListConsumers);

  ReaderLock lock(mu_);
  auto found = find_stream_by_arn_locked(arn, ctx);
  if (!found) return std::unexpected(found.error());
  const StreamState& s = **found;
  if (in.stream_creation_timestamp && in.stream_creation_timestamp->millis / 1000 != s.created_ms / 1000)
    return std::unexpected(protocol::resource_not_found(not_found_message(s.name)));

  std::vector<const Consumer*> sorted;
  for (const auto& c : s.consumers)
    if (c.name > after) sorted.push_back(&c);
  std::sort(sorted.begin(), sorted.end(), [](auto* a, auto* b) { return a->name < b->name; });
  api::ListStreamConsumersOutput out;
  std::vector<api::Consumer>& consumers = out.consumers.emplace();
  for (size_t i = 0; i < sorted.size() && static_cast<int64_t>(i) < max; ++i)
    consumers.push_back(consumer_output(s, *sorted[i]));
  if (static_cast<int64_t>(sorted.size()) > max)
    out.next_token = encode_page_token(PageToken{"consumers", now, arn, sorted[static_cast<size_t>(max) - 1]->name});
  return out;
}

}  // namespace runnel::streams
