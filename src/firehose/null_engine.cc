#include "firehose/null_engine.h"

namespace runnel::firehose {

void NullDeliveryEngine::check_destination(const StreamSpec&,
                                           std::function<void(std::optional<api::FailureDescription>)> done) {
  done(std::nullopt);
}
void NullDeliveryEngine::configure(const StreamSpec&) {}
void NullDeliveryEngine::remove(const std::string&) {}
void NullDeliveryEngine::records_durable(const std::string&) {}

}  // namespace runnel::firehose
