// The OpenSearch/Elasticsearch/OpenSearch Serverless Sender (opensearch.h):
// one _bulk request per send() on an HttpPoster of its own.
#include <chrono>

#include "firehose/opensearch.h"

namespace runnel::firehose {
namespace {

int64_t steady_ms() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now().time_since_epoch())
      .count();
}

class OpenSearchSender final : public Sender {
 public:
  OpenSearchSender(OpenSearchTarget target, OpenSearchSenderOptions options)
      : target_(std::make_shared<const OpenSearchTarget>(std::move(target))),
        options_(options),
        poster_(std::make_unique<HttpPoster>(options.threads)) {}

  // HttpPoster's destructor waits for the requests under way and completes
  // the queued ones with a transport error, which judge_bulk() turns into
  // kRetry (or kFailed once the retry time is over).
  ~OpenSearchSender() override { poster_.reset(); }

  // AWS's current API reference names one folder for all three
  // (S3BackupMode: "AmazonOpenSearchService-failed/ appended to the key
  // prefix"), Elasticsearch included.
  std::string_view error_output_type() const override { return "AmazonOpenSearchService-failed"; }

  void send(SendRequest request, std::function<void(SendOutcome)> done) override {
    EndpointRequest req;
    req.url = target_->bulk_url;
    req.headers.emplace_back("Content-Type", "application/x-ndjson");
    if (target_->authorization) req.headers.emplace_back("Authorization", *target_->authorization);
    req.body = bulk_body(*target_, request.records);
    req.timeout_ms = options_.request_timeout_ms;
    req.max_response_bytes = 64 << 20;  // a bulk answer lists every document
    const int64_t started = steady_ms();
    poster_->post(std::move(req), [target = target_, request = std::move(request), started,
                                   done = std::move(done)](EndpointResponse response) {
      const int64_t now = request.now_ms + (steady_ms() - started);
      done(judge_bulk(*target, request, response, now));
    });
  }

 private:
  std::shared_ptr<const OpenSearchTarget> target_;
  OpenSearchSenderOptions options_;
  std::unique_ptr<HttpPoster> poster_;
};

template <class D>
Result<std::unique_ptr<Sender>> make_from(const D& d, OpenSearchSenderOptions options) {
  auto target = opensearch_target(d);
  if (!target) return error(target.error());
  return make_opensearch_sender(std::move(*target), options);
}

}  // namespace

std::unique_ptr<Sender> make_opensearch_sender(OpenSearchTarget target, OpenSearchSenderOptions options) {
  return std::make_unique<OpenSearchSender>(std::move(target), options);
}

Result<std::unique_ptr<Sender>> make_opensearch_sender(const api::AmazonopensearchserviceDestinationDescription& d,
                                                       OpenSearchSenderOptions options) {
  return make_from(d, options);
}

Result<std::unique_ptr<Sender>> make_opensearch_sender(const api::ElasticsearchDestinationDescription& d,
                                                       OpenSearchSenderOptions options) {
  return make_from(d, options);
}

Result<std::unique_ptr<Sender>> make_opensearch_sender(const api::AmazonOpenSearchServerlessDestinationDescription& d,
                                                       OpenSearchSenderOptions options) {
  return make_from(d, options);
}

}  // namespace runnel::firehose
