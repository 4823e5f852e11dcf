// Transport errors (a body too large, body memory exhausted, a request its
// handler abandoned) answered in the protocol the request speaks, for a
// service that is not Kinesis: the toy service (tests/models/toy) speaks
// AWS JSON 1.0 and Smithy RPC v2 CBOR and is awsQueryCompatible, as
// CloudWatch is. net/ wrote AWS JSON 1.1 for every one of them (issue 15).

#include <gtest/gtest.h>

#include "net/responses.h"
#include "net/server.h"
#include "net/test_h2_client.h"
#include "net/test_socket.h"
#include "protocol/cbor_codec.h"
#include "protocol/dispatcher.h"

namespace runnel::testing {
const protocol::ServiceModel& toy_model();
}

namespace runnel::server {
namespace {

using net::TransportError;
using net::TransportErrorKind;

const std::string* header(const net::HttpResponse& r, std::string_view name) {
  for (const auto& h : r.headers)
    if (net::iequals_ascii(h.name, name)) return &h.value;
  return nullptr;
}

void answer_empty(const protocol::OperationModel&, protocol::Value, const protocol::RequestContext&,
                  protocol::OperationReply reply) {
  reply(protocol::Value(protocol::Object{}));
}

net::HttpRequest json10_head() {
  net::HttpRequest head;
  head.method = "POST";
  head.path = "/";
  head.headers = {{"content-type", "application/x-amz-json-1.0"}, {"x-amz-target", "Toy_20261206.Echo"}};
  return head;
}

net::HttpRequest rpc_v2_head() {
  net::HttpRequest head;
  head.method = "POST";
  head.path = "/service/Toy_20261206/operation/Echo";
  head.headers = {{"content-type", "application/cbor"}, {"smithy-protocol", "rpc-v2-cbor"}};
  return head;
}

class ToyTransportErrors : public ::testing::Test {
 protected:
  void SetUp() override { dispatcher_.register_service(testing::toy_model(), answer_empty); }
  protocol::Dispatcher dispatcher_{protocol::DispatcherOptions{}};
};

TEST_F(ToyTransportErrors, Json10RequestTooLargeIsAnsweredInJson10) {
  net::HttpResponse r =
      dispatcher_.transport_error_response(json10_head(), TransportError{TransportErrorKind::kBodyTooLarge, 30, 16});
  EXPECT_EQ(r.status, 413);
  ASSERT_NE(header(r, "content-type"), nullptr);
  EXPECT_EQ(*header(r, "content-type"), "application/x-amz-json-1.0");
  EXPECT_EQ(
      r.body,
      R"({"__type":"SerializationException","Message":"Request body of 30 bytes exceeds the limit of 16 bytes."})");
  ASSERT_NE(header(r, "x-amzn-query-error"), nullptr);  // awsQueryCompatible, as CloudWatch
  EXPECT_EQ(*header(r, "x-amzn-query-error"), "MalformedInput;Sender");
}

TEST_F(ToyTransportErrors, RpcV2RequestTooLargeIsAnsweredInCbor) {
  net::HttpResponse r =
      dispatcher_.transport_error_response(rpc_v2_head(), TransportError{TransportErrorKind::kBodyTooLarge, 30, 16});
  EXPECT_EQ(r.status, 413);
  ASSERT_NE(header(r, "smithy-protocol"), nullptr);
  EXPECT_EQ(*header(r, "smithy-protocol"), "rpc-v2-cbor");
  EXPECT_EQ(*header(r, "content-type"), "application/cbor");
  auto body = protocol::decode_cbor(r.body, protocol::CborEpoch::kSeconds);
  ASSERT_TRUE(body) << r.body;
  ASSERT_NE(body->find("__type"), nullptr);
  EXPECT_EQ(body->find("__type")->as_string(), "SerializationException");
  EXPECT_EQ(body->find("Message")->as_string(), "Request body of 30 bytes exceeds the limit of 16 bytes.");
}

TEST_F(ToyTransportErrors, RpcV2BodyMemoryExhaustedIsARetryable503InCbor) {
  net::HttpResponse r =
      dispatcher_.transport_error_response(rpc_v2_head(), TransportError{TransportErrorKind::kBodyMemoryExhausted});
  EXPECT_EQ(r.status, 503);
  EXPECT_EQ(*header(r, "smithy-protocol"), "rpc-v2-cbor");
  EXPECT_EQ(*header(r, "retry-after"), "1");
  EXPECT_EQ(*header(r, "x-amzn-query-error"), "ServiceUnavailableException;Receiver");
  auto body = protocol::decode_cbor(r.body, protocol::CborEpoch::kSeconds);
  ASSERT_TRUE(body);
  EXPECT_EQ(body->find("__type")->as_string(), "ServiceUnavailableException");
}

TEST_F(ToyTransportErrors, AbandonedRequestIsInternalFailureInItsProtocol) {
  net::HttpResponse r =
      dispatcher_.transport_error_response(json10_head(), TransportError{TransportErrorKind::kAbandoned});
  EXPECT_EQ(r.status, 500);
  EXPECT_EQ(*header(r, "content-type"), "application/x-amz-json-1.0");
  EXPECT_EQ(r.body, R"({"__type":"InternalFailure","message":"Internal Service Failure"})");
}

// Through net::Server with the hook wired as serve.cc wires it.
class ToyTransportErrorsOverHttp : public ToyTransportErrors {
 protected:
  void SetUp() override {
    ToyTransportErrors::SetUp();
    net::ServerOptions o;
    o.host = "127.0.0.1";
    o.port = 0;
    o.threads = 1;
    o.max_body_bytes = 16;
    o.transport_error = [this](const net::HttpRequest& head, TransportError e) {
      return dispatcher_.transport_error_response(head, e);
    };
    server_ = std::make_unique<net::Server>(o, [this](net::HttpRequest r, std::shared_ptr<net::ResponseSink> s) {
      dispatcher_.handle(std::move(r), std::move(s));
    });
    ASSERT_TRUE(server_->start().is_ok());
  }
  void TearDown() override { server_->stop(); }
  std::unique_ptr<net::Server> server_;
};

TEST_F(ToyTransportErrorsOverHttp, Http1RpcV2RequestTooLargeGetsCbor) {
  net::testing::TestSocket s(server_->bound_port());
  ASSERT_TRUE(
      s.write("POST /service/Toy_20261206/operation/Echo HTTP/1.1\r\nHost: h\r\n"
              "Content-Type: application/cbor\r\nsmithy-protocol: rpc-v2-cbor\r\nContent-Length: 30\r\n\r\n"));
  auto r = net::testing::read_response(s);
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 413);
  ASSERT_NE(r->header("smithy-protocol"), nullptr);
  EXPECT_EQ(*r->header("smithy-protocol"), "rpc-v2-cbor");
  EXPECT_EQ(*r->header("content-type"), "application/cbor");
}

TEST_F(ToyTransportErrorsOverHttp, H2Json10RequestTooLargeGetsJson10) {
  net::testing::TestSocket s(server_->bound_port());
  net::testing::H2Client c(s);
  int32_t id = c.submit("POST", "/", std::string(30, 'x'),
                        {{"content-type", "application/x-amz-json-1.0"}, {"x-amz-target", "Toy_20261206.Echo"}});
  ASSERT_TRUE(c.wait(id));
  auto& r = c.response(id);
  EXPECT_EQ(r.status, 413);
  EXPECT_EQ(r.headers["content-type"], "application/x-amz-json-1.0");
  EXPECT_EQ(r.headers["x-amzn-query-error"], "MalformedInput;Sender");
  EXPECT_EQ(
      r.body,
      R"({"__type":"SerializationException","Message":"Request body of 30 bytes exceeds the limit of 16 bytes."})");
}

}  // namespace
}  // namespace runnel::server
