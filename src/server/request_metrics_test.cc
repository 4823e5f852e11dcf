// Requests by service, operation and error type: a dispatcher serving the
// toy model (tests/models/toy) reports every answered operation, and
// RequestMetrics counts them exactly in the registry, on the Prometheus page
// and as CloudWatch series (namespace "runnel").

#include "server/request_metrics.h"

#include <gtest/gtest.h>

#include "metrics/prometheus.h"
#include "protocol/dispatcher.h"

namespace runnel::testing {
const protocol::ServiceModel& toy_model();
}

namespace runnel::server {
namespace {

using protocol::Value;

class CaptureSink : public net::ResponseSink {
 public:
  void send(net::HttpResponse r) override { status = r.status; }
  void begin_stream(int, std::vector<net::Header>) override {}
  void write_chunk(std::string) override {}
  void end_stream() override {}
  bool closed() const override { return false; }
  int status = 0;
};

class RequestMetricsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dispatcher_.register_service(testing::toy_model(),
                                 [](const protocol::OperationModel& op, Value in, const protocol::RequestContext&,
                                    protocol::OperationReply reply) {
                                   if (op.name == "Echo" && in.find("Message")->as_string() == "shout")
                                     return reply(protocol::api_error("TooLoudException", "Please speak softly.", 409));
                                   if (op.name == "Echo") {
                                     Value out = protocol::Object{};
                                     out.set("Echoes", Value(protocol::Array{}));
                                     return reply(std::move(out));
                                   }
                                   reply(Value(protocol::Object{}));
                                 });
    metrics_ = std::make_unique<RequestMetrics>(registry_, dispatcher_.models());
    observer_ = metrics_->observer();
  }

  int send(const std::string& target, const std::string& body) {
    net::HttpRequest req;
    req.method = "POST";
    req.path = "/";
    req.headers = {{"content-type", "application/x-amz-json-1.0"},
                   {"x-amz-target", "Toy_20261206." + target},
                   {"authorization",
                    "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20261206/us-east-1/toy/aws4_request, "
                    "SignedHeaders=host;x-amz-date, Signature=00"},
                   {"x-amz-date", "20261206T000000Z"},
                   {"host", "localhost"}};
    req.body = body;
    auto sink = std::make_shared<CaptureSink>();
    dispatcher_.handle(std::move(req), sink);
    return sink->status;
  }

  double count(const std::string& name, std::vector<metrics::Dimension> dims, metrics::Unit unit) {
    auto id = metrics::MetricId::make("runnel", name, std::move(dims));
    EXPECT_TRUE(id.has_value());
    auto s = registry_.find(*id, unit);
    return s ? s->totals().count : -1;
  }
  double requests(const std::string& op) {
    return count("Requests", {{"Service", "toy"}, {"Operation", op}}, metrics::Unit::kCount);
  }
  double errors(const std::string& op, const std::string& type) {
    return count("RequestErrors", {{"Service", "toy"}, {"Operation", op}, {"ErrorType", type}}, metrics::Unit::kCount);
  }

  metrics::Registry registry_;
  std::unique_ptr<RequestMetrics> metrics_;
  protocol::RequestObserver observer_;
  protocol::Dispatcher dispatcher_{protocol::DispatcherOptions{.observer = [this](const protocol::RequestOutcome& o) {
    outcomes_.push_back({std::string(o.operation->name), std::string(o.error), o.http_status});
    observer_(o);
  }}};
  struct Seen {
    std::string op, error;
    int status;
  };
  std::vector<Seen> outcomes_;
};

TEST_F(RequestMetricsTest, CountsSuccessesAndErrorsByOperationAndType) {
  for (int i = 0; i < 3; ++i) EXPECT_EQ(send("Echo", R"({"Message":"hi"})"), 200);
  EXPECT_EQ(send("Echo", R"({"Message":"shout"})"), 409);
  EXPECT_EQ(send("Echo", R"({"Message":"shout"})"), 409);
  EXPECT_EQ(send("Echo", R"({"Message":"HI"})"), 400);  // the model's pattern: ValidationException
  EXPECT_EQ(send("Echo", R"({"Message":)"), 400);       // SerializationException
  EXPECT_EQ(send("Forget", "{}"), 200);
  // No operation named: not reported.
  EXPECT_EQ(send("Shout", "{}"), 400);

  ASSERT_EQ(outcomes_.size(), 8u);
  EXPECT_EQ(outcomes_[0].op, "Echo");
  EXPECT_EQ(outcomes_[0].error, "");
  EXPECT_EQ(outcomes_[0].status, 200);
  EXPECT_EQ(outcomes_[3].error, "TooLoudException");
  EXPECT_EQ(outcomes_[3].status, 409);
  EXPECT_EQ(outcomes_[5].error, "ValidationException");
  EXPECT_EQ(outcomes_[6].error, "SerializationException");

  EXPECT_EQ(requests("Echo"), 7);
  EXPECT_EQ(requests("Forget"), 1);
  EXPECT_EQ(errors("Echo", "TooLoudException"), 2);
  EXPECT_EQ(errors("Echo", "ValidationException"), 1);
  EXPECT_EQ(errors("Echo", "SerializationException"), 1);
  EXPECT_EQ(errors("Forget", "TooLoudException"), -1);  // never made
  EXPECT_EQ(count("RequestLatency", {{"Service", "toy"}, {"Operation", "Echo"}}, metrics::Unit::kMilliseconds), 7);

  std::string page = metrics::render_prometheus(registry_);
  EXPECT_NE(page.find("runnel_requests_total{service=\"toy\",operation=\"Echo\"} 7\n"), std::string::npos) << page;
  EXPECT_NE(page.find("runnel_requests_total{service=\"toy\",operation=\"Forget\"} 1\n"), std::string::npos);
  EXPECT_NE(page.find("runnel_request_errors_total{service=\"toy\",operation=\"Echo\",error=\"TooLoudException\"} 2\n"),
            std::string::npos);
  EXPECT_NE(page.find("runnel_request_latency_milliseconds_count{service=\"toy\",operation=\"Echo\"} 7\n"),
            std::string::npos);
}

TEST_F(RequestMetricsTest, OutcomesOfUnknownModelsAreIgnored) {
  RequestMetrics none(registry_, {});
  protocol::RequestOutcome o;
  o.model = &testing::toy_model();
  o.operation = &o.model->operations[0];
  none.observe(o);
  EXPECT_EQ(requests(std::string(o.operation->name)), 0);  // made by metrics_, not counted by `none`
}

// A model generated with only some operations' shapes (Glue's) keeps the
// others without input, output or errors: their series are made when first
// answered, not up front.
TEST_F(RequestMetricsTest, OperationsWithoutShapesGetSeriesOnFirstUse) {
  static protocol::OperationModel ops[1];
  ops[0].name = "Ghost";
  protocol::ServiceModel model;
  model.service = "sparse";
  model.operations = ops;
  RequestMetrics sparse(registry_, {&model});
  auto id = metrics::MetricId::make("runnel", "Requests", {{"Service", "sparse"}, {"Operation", "Ghost"}});
  ASSERT_TRUE(id.has_value());
  EXPECT_EQ(registry_.find(*id, metrics::Unit::kCount), nullptr);
  EXPECT_EQ(metrics::render_prometheus(registry_).find("Ghost"), std::string::npos);
  protocol::RequestOutcome o;
  o.model = &model;
  o.operation = &model.operations[0];
  o.error = "InvalidInputException";
  o.http_status = 400;
  sparse.observe(o);
  sparse.observe(o);
  auto s = registry_.find(*id, metrics::Unit::kCount);
  ASSERT_NE(s, nullptr);
  EXPECT_EQ(s->totals().count, 2);
  EXPECT_NE(
      metrics::render_prometheus(registry_).find(
          "runnel_request_errors_total{service=\"sparse\",operation=\"Ghost\",error=\"InvalidInputException\"} 2\n"),
      std::string::npos);
}

}  // namespace
}  // namespace runnel::server
