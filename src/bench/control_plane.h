#pragma once
// ControlPlane: the synchronous Kinesis calls around a bench run: creating
// and deleting the stream, listing its shards, registering the
// SubscribeToShard consumer. Only the calls every Kinesis emulator we know
// has are used (DescribeStream for status; ListShards, with DescribeStream as
// the fallback when the endpoint does not know ListShards).
//
// Errors are Status values whose message reads "<Operation>: <ErrorType>:
// <message>", ready to show to the user.
//
// Thread-safety: stateless apart from the options; callable from any thread.

#include <chrono>
#include <string>
#include <string_view>
#include <vector>

#include "bench/options.h"
#include "common/status.h"
#include "protocol/value.h"

namespace runnel::bench {

class ControlPlane {
 public:
  explicit ControlPlane(const BenchOptions& options) : o_(options) {}

  // One call; the decoded answer of a 200, else the error.
  Result<protocol::Value> invoke(std::string_view operation, const protocol::Value& request) const;

  Status create_stream(std::string_view name, int shards) const;
  // Waits for the stream to be ACTIVE; returns its ARN.
  Result<std::string> wait_active(std::string_view name, std::chrono::seconds timeout) const;
  // The ids of the stream's open shards (no ending sequence number).
  Result<std::vector<std::string>> open_shards(std::string_view name) const;
  // Registers `consumer_name` on the stream and waits for it to be ACTIVE;
  // returns its ARN.
  Result<std::string> register_consumer(std::string_view stream_arn, std::string_view consumer_name,
                                        std::chrono::seconds timeout) const;
  Status deregister_consumer(std::string_view consumer_arn) const;
  // DeleteStream with EnforceConsumerDeletion.
  Status delete_stream(std::string_view name) const;

 private:
  const BenchOptions& o_;
};

}  // namespace runnel::bench
