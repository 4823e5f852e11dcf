#include "firehose/opensearch.h"

#include <gtest/gtest.h>

#include "firehose/model.h"
#include "protocol/json_codec.h"
#include "protocol/validator.h"

namespace runnel::firehose {
namespace {

constexpr int64_t k20160225T13 = 1456405200000;  // 2016-02-25T13:00:00Z, AWS's example

TEST(IndexRotation, AwsExampleNames) {
  EXPECT_EQ(rotated_index_name("myindex", IndexRotation::kNoRotation, k20160225T13), "myindex");
  EXPECT_EQ(rotated_index_name("myindex", IndexRotation::kOneHour, k20160225T13), "myindex-2016-02-25-13");
  EXPECT_EQ(rotated_index_name("myindex", IndexRotation::kOneDay, k20160225T13), "myindex-2016-02-25");
  EXPECT_EQ(rotated_index_name("myindex", IndexRotation::kOneMonth, k20160225T13), "myindex-2016-02");
}

// AWS's note: weeks start on Sunday, week 1 holds 1 January. (Its table's
// example says w08 for this date, the ISO week; the note's rule gives 09.)
TEST(IndexRotation, WeeksFollowTheUsConvention) {
  EXPECT_EQ(rotated_index_name("i", IndexRotation::kOneWeek, k20160225T13), "i-2016-w09");
  EXPECT_EQ(rotated_index_name("i", IndexRotation::kOneWeek, 1451606400000), "i-2016-w01");  // Fri 2016-01-01
  EXPECT_EQ(rotated_index_name("i", IndexRotation::kOneWeek, 1483228799000), "i-2016-w53");  // Sat 2016-12-31
  // Thu 2015-12-31 and Sun 2017-12-31 are in the week holding the next 1 January.
  EXPECT_EQ(rotated_index_name("i", IndexRotation::kOneWeek, 1451563200000), "i-2016-w01");
  EXPECT_EQ(rotated_index_name("i", IndexRotation::kOneWeek, 1514680200000), "i-2018-w01");
}

TEST(IndexRotation, UsesUtcHoursAtTheDayBoundary) {
  EXPECT_EQ(rotated_index_name("i", IndexRotation::kOneHour, 1483228799000), "i-2016-12-31-23");
  EXPECT_EQ(rotated_index_name("i", IndexRotation::kOneHour, 1483228800000), "i-2017-01-01-00");
}

OpenSearchTarget target(OpenSearchTarget::Kind kind = OpenSearchTarget::Kind::kOpenSearchService) {
  OpenSearchTarget t;
  t.kind = kind;
  t.bulk_url = "http://127.0.0.1:9200/_bulk";
  t.index_name = "logs";
  t.rotation = IndexRotation::kOneDay;
  return t;
}

TEST(BulkBody, OneActionLineAndOneSourceLinePerRecord) {
  OpenSearchTarget t = target();
  t.type_name = "_doc";
  std::vector<SendRecord> records = {{"{\"a\":1}", k20160225T13, "0.1"}, {"{\"b\":\"x\"}\n", k20160225T13, "0.2"}};
  EXPECT_EQ(bulk_body(t, records),
            "{\"index\":{\"_index\":\"logs-2016-02-25\",\"_type\":\"_doc\",\"_id\":\"0.1\"}}\n{\"a\":1}\n"
            "{\"index\":{\"_index\":\"logs-2016-02-25\",\"_type\":\"_doc\",\"_id\":\"0.2\"}}\n{\"b\":\"x\"}\n");
}

TEST(BulkBody, NoDocumentIdLeavesTheIdToTheCluster) {
  OpenSearchTarget t = target();
  t.document_ids = false;
  t.rotation = IndexRotation::kNoRotation;
  std::vector<SendRecord> records = {{"{}", 0, "0.1"}};
  EXPECT_EQ(bulk_body(t, records), "{\"index\":{\"_index\":\"logs\"}}\n{}\n");
}

TEST(BulkBody, ADocumentStaysOneLineAndIdsAreEscaped) {
  OpenSearchTarget t = target();
  t.rotation = IndexRotation::kNoRotation;
  std::vector<SendRecord> records = {{"{\"a\":\r\n 1,\n\"b\":2}\r\n\n", 0, "shard\"1.7"}};
  EXPECT_EQ(bulk_body(t, records),
            "{\"index\":{\"_index\":\"logs\",\"_id\":\"shard\\\"1.7\"}}\n{\"a\":   1, \"b\":2}\n");
}

TEST(BulkBody, TheDocumentIdIsTheRecordIdOnEveryAttempt) {
  SendRecord r{"{}", 5, "49546986683135544286507457936321625675700192471156785154.0"};
  EXPECT_EQ(firehose_document_id(r), "49546986683135544286507457936321625675700192471156785154.0");
  EXPECT_EQ(firehose_document_id(r), firehose_document_id(SendRecord{"{\"other\":1}", 9, r.id}));
}

TEST(ParseBulkResponse, ItemsInOrderWithTheirErrors) {
  auto items = parse_bulk_response(
      R"({"took":3,"errors":true,"items":[
        {"index":{"_index":"logs","_id":"1","status":201,"result":"created"}},
        {"index":{"_index":"logs","_id":"2","status":400,"error":{"type":"mapper_parsing_exception","reason":"failed to parse"}}},
        {"create":{"_index":"logs","_id":"3","status":429,"error":"EsRejectedExecutionException[rejected]"}},
        {"index":{"_index":"logs","_id":"4","status":500}}]})",
      4);
  ASSERT_TRUE(items.has_value()) << items.error().message();
  ASSERT_EQ(items->size(), 4u);
  EXPECT_TRUE((*items)[0].ok());
  EXPECT_EQ((*items)[1].status, 400);
  EXPECT_EQ((*items)[1].error, R"({"type":"mapper_parsing_exception","reason":"failed to parse"})");
  EXPECT_EQ((*items)[2].error, "EsRejectedExecutionException[rejected]");
  EXPECT_FALSE((*items)[3].ok());
  EXPECT_NE((*items)[3].error.find("500"), std::string::npos);
}

TEST(ParseBulkResponse, RefusesWhatIsNotABulkAnswer) {
  EXPECT_FALSE(parse_bulk_response("<html>", 1).has_value());
  EXPECT_FALSE(parse_bulk_response(R"({"took":1})", 1).has_value());
  EXPECT_FALSE(parse_bulk_response(R"({"items":[{"index":{"_id":"1"}}]})", 1).has_value());            // no status
  EXPECT_FALSE(parse_bulk_response(R"({"items":[{"index":{"status":201},"x":{}}]})", 1).has_value());  // two actions
  EXPECT_FALSE(parse_bulk_response(R"({"items":[7]})", 1).has_value());
  auto mismatch = parse_bulk_response(R"({"items":[{"index":{"status":201}}]})", 2);
  ASSERT_FALSE(mismatch.has_value());
  EXPECT_NE(mismatch.error().message().find("1 items for 2 documents"), std::string::npos);
}

SendRequest request_of(size_t n, int64_t first_attempt_ms, int64_t now_ms) {
  SendRequest r;
  r.batch_id = "b";
  r.first_attempt_ms = first_attempt_ms;
  r.now_ms = now_ms;
  for (size_t i = 0; i < n; ++i) r.records.push_back({"{}", 0, "x"});
  return r;
}

EndpointResponse answer(long status, std::string body) {
  EndpointResponse r;
  r.status = status;
  r.body = std::move(body);
  return r;
}

constexpr char kPartial[] =
    R"({"errors":true,"items":[{"index":{"status":201}},)"
    R"({"index":{"status":400,"error":{"type":"mapper_parsing_exception","reason":"failed to parse"}}},)"
    R"({"index":{"status":200}}]})";

TEST(JudgeBulk, FailedItemsAreRetriedAloneUntilTheRetryDurationIsOver) {
  OpenSearchTarget t = target();
  SendOutcome o = judge_bulk(t, request_of(3, 1'000'000, 1'000'000), answer(200, kPartial), 1'000'500);
  EXPECT_EQ(o.verdict, SendOutcome::Verdict::kRetry);
  EXPECT_GT(o.retry_after_ms, 0);
  ASSERT_EQ(o.failures.size(), 1u);
  EXPECT_EQ(o.failures[0].index, 1u);
  EXPECT_EQ(o.failures[0].error_code, "400");
  EXPECT_NE(o.failures[0].error_message.find("mapper_parsing_exception"), std::string::npos);

  // 300 s (the default) after the first attempt: failed, those items only.
  o = judge_bulk(t, request_of(3, 1'000'000, 1'300'000), answer(200, kPartial), 1'300'000);
  EXPECT_EQ(o.verdict, SendOutcome::Verdict::kFailed);
  ASSERT_EQ(o.failures.size(), 1u);
  EXPECT_EQ(o.failures[0].index, 1u);
}

TEST(JudgeBulk, AllItemsIndexedIsDelivered) {
  SendOutcome o = judge_bulk(target(), request_of(1, 0, 0),
                             answer(200, R"({"errors":false,"items":[{"index":{"status":201}}]})"), 1);
  EXPECT_EQ(o.verdict, SendOutcome::Verdict::kDelivered);
  EXPECT_TRUE(o.failures.empty());
}

TEST(JudgeBulk, WholeRequestErrorsRetryThenFailWithTheirCodes) {
  OpenSearchTarget os = target();
  OpenSearchTarget es = target(OpenSearchTarget::Kind::kElasticsearch);
  SendOutcome o = judge_bulk(os, request_of(2, 0, 0), answer(503, "{}"), 10);
  EXPECT_EQ(o.verdict, SendOutcome::Verdict::kRetry);
  EXPECT_EQ(o.error_code, "OS.ServerError");
  EXPECT_TRUE(o.failures.empty());
  o = judge_bulk(es, request_of(2, 0, 0), answer(403, "{}"), 10);
  EXPECT_EQ(o.error_code, "ES.AccessDenied");
  o = judge_bulk(os, request_of(2, 0, 0), answer(200, "not json"), 10);
  EXPECT_EQ(o.verdict, SendOutcome::Verdict::kRetry);
  EXPECT_EQ(o.error_code, "OS.MalformedResponse");
  o = judge_bulk(os, request_of(2, 0, 0), answer(200, R"({"items":[{"index":{"status":201}}]})"), 10);
  EXPECT_EQ(o.error_code, "OS.ResponseEntryCountMismatch");
  EndpointResponse none;
  none.transport_error = "Timeout was reached";
  o = judge_bulk(os, request_of(2, 0, 0), none, 300'000);
  EXPECT_EQ(o.verdict, SendOutcome::Verdict::kFailed);
  EXPECT_EQ(o.error_code, "OS.ConnectionFailed");
  EXPECT_NE(o.error_message.find("Timeout was reached"), std::string::npos);
}

TEST(OpenSearchTarget, ADomainArnAloneCannotBeResolved) {
  api::AmazonopensearchserviceDestinationDescription d;
  d.domain_arn = "arn:aws:es:us-east-1:123456789012:domain/logs";
  d.index_name = "logs";
  auto t = opensearch_target(d);
  ASSERT_FALSE(t.has_value());
  EXPECT_EQ(t.error().code(), Status::Code::kInvalidArgument);
  EXPECT_NE(t.error().message().find("DomainARN"), std::string::npos);
  EXPECT_FALSE(make_opensearch_sender(d).has_value());
}

TEST(OpenSearchTarget, DefaultsAndBasicAuthenticationFromTheUrl) {
  api::AmazonopensearchserviceDestinationDescription d;
  d.cluster_endpoint = "http://user:p%40ss@127.0.0.1:9200/";
  d.index_name = "logs";
  auto t = opensearch_target(d);
  ASSERT_TRUE(t.has_value()) << t.error().message();
  EXPECT_EQ(t->bulk_url, "http://127.0.0.1:9200/_bulk");
  EXPECT_EQ(t->authorization, "Basic dXNlcjpwQHNz");  // user:p@ss
  EXPECT_EQ(t->rotation, IndexRotation::kOneDay);
  EXPECT_TRUE(t->document_ids);
  EXPECT_EQ(t->retry_duration_ms, 300'000);
  EXPECT_EQ(t->code_prefix(), "OS");

  d.document_id_options = api::DocumentIdOptions{"NO_DOCUMENT_ID"};
  d.index_rotation_period = "OneWeek";
  d.retry_options = api::AmazonopensearchserviceRetryOptions{60};
  d.type_name = "_doc";
  t = opensearch_target(d);
  ASSERT_TRUE(t.has_value());
  EXPECT_FALSE(t->document_ids);
  EXPECT_EQ(t->rotation, IndexRotation::kOneWeek);
  EXPECT_EQ(t->retry_duration_ms, 60'000);
  EXPECT_EQ(t->type_name, "_doc");

  d.cluster_endpoint = "ftp://host";
  EXPECT_FALSE(opensearch_target(d).has_value());
}

TEST(OpenSearchTarget, ElasticsearchAndServerless) {
  api::ElasticsearchDestinationDescription es;
  es.cluster_endpoint = "https://search.example:443";
  es.index_name = "e";
  es.type_name = "t";
  es.index_rotation_period = "NoRotation";
  auto t = opensearch_target(es);
  ASSERT_TRUE(t.has_value());
  EXPECT_EQ(t->kind, OpenSearchTarget::Kind::kElasticsearch);
  EXPECT_EQ(t->code_prefix(), "ES");
  EXPECT_EQ(t->bulk_url, "https://search.example:443/_bulk");
  EXPECT_FALSE(t->authorization.has_value());

  api::AmazonOpenSearchServerlessDestinationDescription s;
  s.index_name = "s";
  EXPECT_FALSE(opensearch_target(s).has_value());  // no CollectionEndpoint
  s.collection_endpoint = "http://127.0.0.1:1234";
  t = opensearch_target(s);
  ASSERT_TRUE(t.has_value());
  EXPECT_EQ(t->rotation, IndexRotation::kNoRotation);
  EXPECT_FALSE(t->document_ids);
  auto sender = make_opensearch_sender(s);
  ASSERT_TRUE(sender.has_value());
  EXPECT_EQ((*sender)->error_output_type(), "AmazonOpenSearchService-failed");
}

// AWS's model requires https: for these endpoints; runnel drops that
// pattern (CMakeLists.txt) and takes http:// and any port.
TEST(OpenSearchTarget, TheModelTakesHttpEndpoints) {
  const protocol::OperationModel* op = firehose_model().find_operation("CreateDeliveryStream");
  ASSERT_NE(op, nullptr);
  const std::string s3 =
      R"("S3Configuration":{"RoleARN":"arn:aws:iam::000000000000:role/r","BucketARN":"arn:aws:s3:::b"})";
  for (
      std::string config :
      {R"("AmazonopensearchserviceDestinationConfiguration":{"RoleARN":"arn:aws:iam::000000000000:role/r","ClusterEndpoint":"http://127.0.0.1:9200","IndexName":"i",)",
       R"("ElasticsearchDestinationConfiguration":{"RoleARN":"arn:aws:iam::000000000000:role/r","ClusterEndpoint":"http://u:p@127.0.0.1:9200","IndexName":"i",)",
       R"("AmazonOpenSearchServerlessDestinationConfiguration":{"RoleARN":"arn:aws:iam::000000000000:role/r","CollectionEndpoint":"http://127.0.0.1:1","IndexName":"i",)"}) {
    auto input = protocol::decode_json(R"({"DeliveryStreamName":"s",)" + config + s3 + "}}");
    ASSERT_TRUE(input.has_value()) << config;
    auto ok = protocol::validate_input(firehose_model(), *op, *input, protocol::WireFormat::kJson);
    EXPECT_TRUE(ok.has_value()) << config << ": " << ok.error().message;
  }
}

}  // namespace
}  // namespace runnel::firehose
