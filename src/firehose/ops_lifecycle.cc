// DeleteDeliveryStream, DescribeDeliveryStream, ListDeliveryStreams.
#include <spdlog/spdlog.h>

#include "firehose/firehose_service.h"

namespace runnel::firehose {

protocol::ApiResult<protocol::NoOutput> FirehoseService::remove(const api::DeleteDeliveryStreamInput& in,
                                                                const Ctx& ctx) {
  if (auto e = rate_limit("DeleteDeliveryStream", ctx)) return std::unexpected(*e);
  uint64_t inc = 0;
  {
    MutexLock lock(mu_);
    Stream* s = find_locked(in.delivery_stream_name);
    if (!s) return std::unexpected(not_found(in.delivery_stream_name, ctx));
    auto& d = s->spec.description;
    if (d.delivery_stream_status == "CREATING") {
      return std::unexpected(protocol::resource_in_use("Firehose " + in.delivery_stream_name +
                                                       " is in CREATING state and cannot be deleted; wait until it "
                                                       "is ACTIVE or CREATING_FAILED."));
    }
    // AllowForceDelete: AWS deletes even when it cannot retire the CMK's
    // grants; runnel has no grants to retire, so both delete alike.
    if (d.delivery_stream_status != "DELETING") {
      d.delivery_stream_status = "DELETING";
      if (Status st = persist_locked(*s); !st) {
        spdlog::error("firehose: persisting {}: {}", in.delivery_stream_name, st.to_string());
        return std::unexpected(protocol::internal_failure());
      }
    }
    inc = s->incarnation;
  }
  std::string name = in.delivery_stream_name;
  timers_.after(options_.delete_ms, [this, name, inc] { finish_delete(name, inc); });
  return protocol::NoOutput{};
}

protocol::ApiResult<api::DescribeDeliveryStreamOutput> FirehoseService::describe(
    const api::DescribeDeliveryStreamInput& in, const Ctx& ctx) {
  if (auto e = rate_limit("DescribeDeliveryStream", ctx)) return std::unexpected(*e);
  api::DescribeDeliveryStreamOutput out;
  {
    MutexLock lock(mu_);
    Stream* s = find_locked(in.delivery_stream_name);
    if (!s) return std::unexpected(not_found(in.delivery_stream_name, ctx));
    out.delivery_stream_description = s->spec.description;
  }
  auto& d = out.delivery_stream_description;
  // Destinations after ExclusiveStartDestinationId, at most Limit of them.
  std::vector<api::DestinationDescription> page;
  bool started = !in.exclusive_start_destination_id.has_value();
  const size_t limit = static_cast<size_t>(in.limit.value_or(10000));
  bool more = false;
  for (auto& dest : d.destinations) {
    if (!started) {
      started = dest.destination_id == *in.exclusive_start_destination_id;
      continue;
    }
    if (page.size() == limit) {
      more = true;
      break;
    }
    page.push_back(std::move(dest));
  }
  d.destinations = std::move(page);
  d.has_more_destinations = more;
  return out;
}

protocol::ApiResult<api::ListDeliveryStreamsOutput> FirehoseService::list(const api::ListDeliveryStreamsInput& in,
                                                                          const Ctx& ctx) {
  if (auto e = rate_limit("ListDeliveryStreams", ctx)) return std::unexpected(*e);
  const size_t limit = static_cast<size_t>(in.limit.value_or(10));
  api::ListDeliveryStreamsOutput out;
  MutexLock lock(mu_);
  auto it = in.exclusive_start_delivery_stream_name ? streams_.upper_bound(*in.exclusive_start_delivery_stream_name)
                                                    : streams_.begin();
  for (; it != streams_.end(); ++it) {
    if (in.delivery_stream_type && it->second->spec.description.delivery_stream_type != *in.delivery_stream_type) {
      continue;
    }
    if (out.delivery_stream_names.size() == limit) {
      out.has_more_delivery_streams = true;
      break;
    }
    out.delivery_stream_names.push_back(it->first);
  }
  return out;
}

}  // namespace runnel::firehose
