#pragma once
// NullDeliveryEngine: a DeliveryEngine that reports every destination
// reachable and delivers nothing. runnel serves Firehose's API with it until
// the real engine (the lead's delivery engine) takes its place in
// server/serve.cc; records are kept in the stream's log shard meanwhile.
//
// Threads: every method may be called from any thread; none keeps state.

#include "firehose/delivery_engine.h"

namespace runnel::firehose {

class NullDeliveryEngine final : public DeliveryEngine {
 public:
  void check_destination(const StreamSpec& spec,
                         std::function<void(std::optional<api::FailureDescription>)> done) override;
  void configure(const StreamSpec& spec) override;
  void remove(const std::string& name) override;
  void records_durable(const std::string& name) override;
};

}  // namespace runnel::firehose
