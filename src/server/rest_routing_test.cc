// Two REST services side by side (a REST-JSON toy and the S3-like REST-XML
// toy, as Video and S3 are in runnel serve): a signed request goes to the
// service its credential scope names; an unsigned one to the service with an
// operation for its method and path, the most specific template winning.
// Which service answered shows in the error's format (JSON or XML).

#include <gtest/gtest.h>

#include <memory>
#include <string>

#include "protocol/dispatcher.h"

namespace runnel::testing {
const protocol::ServiceModel& toyrest_model();
const protocol::ServiceModel& toyxml_model();
}  // namespace runnel::testing

namespace runnel::server {
namespace {

class CaptureSink : public net::ResponseSink {
 public:
  void send(net::HttpResponse r) override { response = std::move(r); }
  void begin_stream(int, std::vector<net::Header>) override {}
  void write_chunk(std::string) override {}
  void end_stream() override {}
  bool closed() const override { return false; }
  net::HttpResponse response;
};

class RestRouting : public ::testing::Test {
 protected:
  void SetUp() override {
    auto answer = [](const protocol::OperationModel&, protocol::Value, const protocol::RequestContext&,
                     protocol::OperationReply reply) { reply(protocol::Value(protocol::Object{})); };
    dispatcher_.register_service(testing::toyrest_model(), answer);
    dispatcher_.register_service(testing::toyxml_model(), answer);
  }

  // The Content-Type of the answer to an unsigned `method path`.
  std::string answered_as(const std::string& method, const std::string& path) {
    net::HttpRequest req;
    req.method = method;
    req.path = path;
    auto sink = std::make_shared<CaptureSink>();
    dispatcher_.handle(req, sink);
    for (const auto& h : sink->response.headers)
      if (h.name == "Content-Type" || h.name == "content-type") return h.value;
    return "<none>";
  }

  protocol::Dispatcher dispatcher_{protocol::DispatcherOptions{}};
};

TEST_F(RestRouting, UnsignedRequestsGoToTheServiceWithAMatchingOperation) {
  // Only toyrest has GET /toys; only toyxml has PUT /<bucket> and GET /<bucket>/<key>.
  EXPECT_EQ(answered_as("GET", "/toys"), "application/json");
  EXPECT_EQ(answered_as("PUT", "/bucket"), "application/xml");
  // Both match: toyrest's /toys/{Name} is more specific than /{Bucket}/{Key+}.
  EXPECT_EQ(answered_as("GET", "/toys/ball"), "application/json");
  EXPECT_EQ(answered_as("GET", "/bucket/key"), "application/xml");
}

}  // namespace
}  // namespace runnel::server
