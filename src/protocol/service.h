#pragma once
// What a service gives the server to be served: its model, a handler per
// operation, optional one-pass decoders, paths of its own outside the AWS
// APIs, and its lifecycle. protocol/ defines the shape; each service folder
// (streams/, cloudwatch/, ...) fills it in, and server/serve.cc lists the
// services. Nothing here names a particular service.
//
// Threads: a Service is built and registered on the main thread before the
// server starts; its handlers and routes then run on net/ threads,
// concurrently; shutdown() and close() run on the main thread after a
// shutdown signal.

#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"
#include "net/http.h"
#include "protocol/api_error.h"
#include "protocol/model.h"
#include "protocol/value.h"

namespace runnel::protocol {

struct RequestContext;

// Completes an operation: the output structure, or an error.
using OperationReply = std::function<void(ApiResult<Value>)>;
// Runs one operation whose input has been validated. May reply later, on any thread.
using OperationHandler =
    std::function<void(const OperationModel& op, Value input, const RequestContext& ctx, OperationReply reply)>;

// A one-pass decoder of a service's hottest JSON inputs. It never decides an
// error: for anything but the plain case it declines (nullopt) and the
// general path (decode, then validate_input) takes the request. What it
// accepts must equal what the general path would produce.
class FastDecoder {
 public:
  virtual ~FastDecoder() = default;
  // Whether decode() may accept inputs of `op` (saves the call otherwise).
  virtual bool covers(const OperationModel& op) const = 0;
  // The validated input of `op`, or nullopt to take the general path.
  // `body` has net::kBodyPadding bytes of spare capacity and must be left
  // as it was. Callable from any thread.
  virtual std::optional<Value> decode(const OperationModel& op, std::string& body) const = 0;
};

// The operations of one model, each with its handler: a table indexed by the
// operation's position in the model, built once and then read-only, so
// dispatch is one array lookup and a misspelt operation name fails at
// registration instead of never matching.
class OperationTable {
 public:
  explicit OperationTable(const ServiceModel& model);

  // Serves `op_name` with `handler`. An operation the model lacks, or one
  // registered twice, is a programming error: it throws std::logic_error
  // (services register at startup, and every service has a test that
  // builds its table).
  OperationTable& on(std::string_view op_name, OperationHandler handler);
  // Serves every operation not yet registered with `handler` (e.g. one
  // that answers "not supported" in the service's words).
  OperationTable& otherwise(OperationHandler handler);

  const ServiceModel& model() const { return *model_; }
  // The handler of `op` (an operation of this table's model), or nullptr.
  const OperationHandler* find(const OperationModel& op) const;
  // Operations of the model without a handler, in the model's order.
  std::vector<std::string_view> unhandled() const;

 private:
  const ServiceModel* model_;
  std::vector<OperationHandler> handlers_;
};

// A path a service serves outside the AWS protocols (GET /metrics).
struct LocalRoute {
  std::string method;  // "GET"
  std::string path;    // exact path, e.g. "/metrics"; with `prefix`, every path that starts with it
  // Served without authentication even when a credentials file is
  // configured (health checks); otherwise such requests need a valid
  // SigV4 signature or the flag the route's service documents.
  bool open = false;
  std::function<void(const net::HttpRequest&, net::ResponseSink&)> handle;
  bool prefix = false;
  // When set, the route takes only the requests it accepts; the others go
  // on to the AWS protocols (an unsigned browser GET / is the console's,
  // a signed one S3's ListBuckets).
  std::function<bool(const net::HttpRequest&)> accepts;
};

// A service as the server sees it.
class Service {
 public:
  virtual ~Service() = default;
  // The service's short name, for logs ("kinesis", "cloudwatch").
  virtual std::string_view name() const = 0;
  // Its operations. Called once, before the server starts.
  virtual OperationTable operations() = 0;
  // Its one-pass decoders, if any. Called once, before the server starts.
  virtual std::unique_ptr<FastDecoder> fast_decoder() { return nullptr; }
  // Whether it also takes AWS CBOR 1.1 (application/x-amz-cbor-1.1) where
  // its model says JSON: Kinesis does, for the Java SDK and the KCL.
  virtual bool takes_amz_cbor() const { return false; }
  // Paths of its own outside the AWS APIs.
  virtual std::vector<LocalRoute> local_routes() { return {}; }
  // The server is about to stop taking requests: end long-lived responses
  // (event streams) so connections can drain.
  virtual void shutdown() {}
  // The server has stopped: persist what must survive the restart.
  [[nodiscard]] virtual Status close() { return Status::ok(); }
};

}  // namespace runnel::protocol
