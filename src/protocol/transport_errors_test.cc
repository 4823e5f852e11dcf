// Dispatcher::transport_error_response for Kinesis (AWS JSON 1.1): the bytes
// net/ used to write itself, unchanged now that the protocol layer writes
// them (issue 15). The protocols of other services: server/transport_errors_test.cc.
#include <gtest/gtest.h>

#include "net/responses.h"
#include "protocol/dispatcher.h"
#include "protocol/test_models.h"

namespace runnel::protocol {
namespace {

const std::string* header(const net::HttpResponse& r, std::string_view name) {
  for (const auto& h : r.headers)
    if (net::iequals_ascii(h.name, name)) return &h.value;
  return nullptr;
}

class KinesisTransportErrors : public ::testing::Test {
 protected:
  void SetUp() override {
    dispatcher_.register_service(kinesis_model(), [](const OperationModel&, Value, const RequestContext&,
                                                     OperationReply reply) { reply(Value(Object{})); });
  }
  static net::HttpRequest put_records_head() {
    net::HttpRequest head;
    head.method = "POST";
    head.path = "/";
    head.headers = {{"host", "localhost"},
                    {"content-type", "application/x-amz-json-1.1"},
                    {"x-amz-target", "Kinesis_20131202.PutRecords"}};
    return head;
  }
  Dispatcher dispatcher_{DispatcherOptions{}};
};

TEST_F(KinesisTransportErrors, BodyTooLargeIsTheSerializationExceptionNetUsedToWrite) {
  net::HttpResponse r = dispatcher_.transport_error_response(
      put_records_head(), net::TransportError{net::TransportErrorKind::kBodyTooLarge, 30, 16});
  EXPECT_EQ(r.status, 413);
  EXPECT_EQ(
      r.body,
      R"({"__type":"SerializationException","Message":"Request body of 30 bytes exceeds the limit of 16 bytes."})");
  ASSERT_NE(header(r, "content-type"), nullptr);
  EXPECT_EQ(*header(r, "content-type"), "application/x-amz-json-1.1");
  ASSERT_NE(header(r, "x-amzn-errortype"), nullptr);
  EXPECT_EQ(*header(r, "x-amzn-errortype"), "SerializationException");
  ASSERT_NE(header(r, "x-amzn-requestid"), nullptr);
  EXPECT_EQ(header(r, "x-amzn-requestid")->size(), 36u);
  EXPECT_EQ(header(r, "x-amzn-query-error"), nullptr);  // Kinesis is not awsQueryCompatible
}

TEST_F(KinesisTransportErrors, BodyMemoryExhaustedIsARetryable503) {
  net::HttpResponse r = dispatcher_.transport_error_response(
      put_records_head(), net::TransportError{net::TransportErrorKind::kBodyMemoryExhausted});
  EXPECT_EQ(r.status, 503);
  EXPECT_EQ(r.body, R"({"__type":"ServiceUnavailableException","Message":"The server is receiving too many )"
                    R"(request bodies at once; retry the request."})");
  ASSERT_NE(header(r, "retry-after"), nullptr);
  EXPECT_EQ(*header(r, "retry-after"), "1");
  EXPECT_EQ(*header(r, "x-amzn-errortype"), "ServiceUnavailableException");
}

TEST_F(KinesisTransportErrors, AbandonedIsInternalFailure) {
  net::HttpResponse r = dispatcher_.transport_error_response(put_records_head(),
                                                             net::TransportError{net::TransportErrorKind::kAbandoned});
  EXPECT_EQ(r.status, 500);
  EXPECT_EQ(r.body, R"({"__type":"InternalFailure","message":"Internal Service Failure"})");
  EXPECT_EQ(*header(r, "x-amzn-errortype"), "InternalFailure");
}

// A request that names no service (no target, a GET, an unknown content
// type) gets AWS JSON 1.1, as every request did before.
TEST_F(KinesisTransportErrors, AHeadThatNamesNoServiceGetsJson11) {
  for (const char* content_type : {"", "text/plain", "application/x-amz-json-1.0", "application/json"}) {
    net::HttpRequest head;
    head.method = "POST";
    head.path = "/";
    if (*content_type) head.headers.push_back({"content-type", content_type});
    net::HttpResponse r =
        dispatcher_.transport_error_response(head, net::TransportError{net::TransportErrorKind::kBodyTooLarge, 5, 4});
    EXPECT_EQ(r.status, 413) << content_type;
    EXPECT_EQ(*header(r, "content-type"), "application/x-amz-json-1.1") << content_type;
    EXPECT_EQ(
        r.body,
        R"({"__type":"SerializationException","Message":"Request body of 5 bytes exceeds the limit of 4 bytes."})");
  }
}

// Kinesis's Java SDK speaks AWS CBOR 1.1: its errors come back in CBOR.
TEST_F(KinesisTransportErrors, AnAmzCborRequestGetsItsAnswerInCbor) {
  net::HttpRequest head = put_records_head();
  head.headers[1].value = "application/x-amz-cbor-1.1";
  net::HttpResponse r =
      dispatcher_.transport_error_response(head, net::TransportError{net::TransportErrorKind::kBodyTooLarge, 30, 16});
  EXPECT_EQ(r.status, 413);
  EXPECT_EQ(*header(r, "content-type"), "application/x-amz-cbor-1.1");
  EXPECT_EQ(*header(r, "x-amzn-errortype"), "SerializationException");
  EXPECT_EQ(r.body.find('{'), std::string::npos) << r.body;
}

}  // namespace
}  // namespace runnel::protocol
