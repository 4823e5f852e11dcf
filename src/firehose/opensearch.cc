#include "firehose/opensearch.h"

#include <algorithm>
#include <cctype>
#include <chrono>
#include <cstdio>
#include <random>

#include "protocol/base64.h"
#include "protocol/json_codec.h"
#include "protocol/percent_decode.h"

namespace runnel::firehose {
namespace {

void append_json_string(std::string& out, std::string_view s) { out += protocol::encode_json(protocol::Value(s)); }

Result<IndexRotation> rotation_of(const std::optional<std::string>& period) {
  if (!period || *period == "OneDay") return IndexRotation::kOneDay;  // AWS's default
  if (*period == "NoRotation") return IndexRotation::kNoRotation;
  if (*period == "OneHour") return IndexRotation::kOneHour;
  if (*period == "OneWeek") return IndexRotation::kOneWeek;
  if (*period == "OneMonth") return IndexRotation::kOneMonth;
  return error(Status::invalid_argument("Unknown IndexRotationPeriod " + *period));
}

// The fields the three descriptions share.
template <class D>
Result<OpenSearchTarget> common_target(const D& d, const std::optional<std::string>& endpoint,
                                       OpenSearchTarget::Kind kind, std::string_view endpoint_field) {
  OpenSearchTarget t;
  t.kind = kind;
  if (!endpoint || endpoint->empty())
    return error(Status::invalid_argument(
        std::string(endpoint_field) +
        " is required: runnel cannot resolve a DomainARN to a domain endpoint (there is no OpenSearch Service "
        "to ask); give the cluster's URL as " +
        std::string(endpoint_field) + "."));
  auto url = split_endpoint_url(*endpoint);
  if (!url) return error(url.error());
  std::string base = std::move(url->url);
  while (!base.empty() && base.back() == '/') base.pop_back();
  t.bulk_url = base + "/_bulk";
  t.authorization = std::move(url->authorization);
  if (!d.index_name || d.index_name->empty()) return error(Status::invalid_argument("IndexName is required"));
  t.index_name = *d.index_name;
  if (d.retry_options && d.retry_options->duration_in_seconds)
    t.retry_duration_ms = int64_t{*d.retry_options->duration_in_seconds} * 1000;
  return t;
}

template <class D>
Result<OpenSearchTarget> domain_target(const D& d, OpenSearchTarget::Kind kind) {
  auto t = common_target(d, d.cluster_endpoint, kind, "ClusterEndpoint");
  if (!t) return t;
  if (d.type_name) t->type_name = *d.type_name;
  auto rotation = rotation_of(d.index_rotation_period);
  if (!rotation) return error(rotation.error());
  t->rotation = *rotation;
  if (d.document_id_options) t->document_ids = d.document_id_options->default_document_id_format != "NO_DOCUMENT_ID";
  return t;
}

}  // namespace

Result<EndpointUrl> split_endpoint_url(std::string_view url) {
  size_t scheme_end = url.find("://");
  if (scheme_end == std::string_view::npos)
    return error(Status::invalid_argument("The endpoint " + std::string(url) + " is not an http(s) URL"));
  std::string scheme(url.substr(0, scheme_end));
  for (char& c : scheme) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  if (scheme != "http" && scheme != "https")
    return error(Status::invalid_argument("The endpoint " + std::string(url) + " is not an http(s) URL"));
  std::string_view rest = url.substr(scheme_end + 3);
  size_t authority_end = rest.find_first_of("/?#");
  std::string_view authority = rest.substr(0, authority_end);
  std::string_view tail = authority_end == std::string_view::npos ? std::string_view() : rest.substr(authority_end);
  EndpointUrl out;
  size_t at = authority.rfind('@');
  if (at != std::string_view::npos) {
    std::string_view userinfo = authority.substr(0, at);
    authority = authority.substr(at + 1);
    size_t colon = userinfo.find(':');
    auto user = protocol::percent_decode(userinfo.substr(0, colon));
    auto password = protocol::percent_decode(colon == std::string_view::npos ? "" : userinfo.substr(colon + 1));
    if (!user || !password) return error(Status::invalid_argument("The endpoint's user info is not percent-encoded"));
    out.authorization = "Basic " + protocol::base64_encode(*user + ":" + *password);
  }
  if (authority.empty()) return error(Status::invalid_argument("The endpoint " + std::string(url) + " names no host"));
  out.url = scheme + "://" + std::string(authority) + std::string(tail);
  return out;
}

Result<OpenSearchTarget> opensearch_target(const api::AmazonopensearchserviceDestinationDescription& d) {
  return domain_target(d, OpenSearchTarget::Kind::kOpenSearchService);
}

Result<OpenSearchTarget> opensearch_target(const api::ElasticsearchDestinationDescription& d) {
  return domain_target(d, OpenSearchTarget::Kind::kElasticsearch);
}

Result<OpenSearchTarget> opensearch_target(const api::AmazonOpenSearchServerlessDestinationDescription& d) {
  auto t = common_target(d, d.collection_endpoint, OpenSearchTarget::Kind::kServerless, "CollectionEndpoint");
  if (!t) return t;
  // Serverless has no rotation, no types, and no DocumentIdOptions; its
  // time-series collections refuse documents with an _id, so none is sent.
  t->rotation = IndexRotation::kNoRotation;
  t->document_ids = false;
  return t;
}

std::string rotated_index_name(std::string_view index, IndexRotation rotation, int64_t arrival_ms) {
  using namespace std::chrono;
  const sys_time<milliseconds> t{milliseconds(arrival_ms)};
  const sys_days day = floor<days>(t);
  const year_month_day ymd{day};
  const int y = static_cast<int>(ymd.year());
  const int m = static_cast<int>(static_cast<unsigned>(ymd.month()));
  const int dd = static_cast<int>(static_cast<unsigned>(ymd.day()));
  const int hh = static_cast<int>(duration_cast<hours>(t - day).count());
  char buf[32];
  switch (rotation) {
    case IndexRotation::kNoRotation: return std::string(index);
    case IndexRotation::kOneHour: std::snprintf(buf, sizeof buf, "-%04d-%02d-%02d-%02d", y, m, dd, hh); break;
    case IndexRotation::kOneDay: std::snprintf(buf, sizeof buf, "-%04d-%02d-%02d", y, m, dd); break;
    case IndexRotation::kOneMonth: std::snprintf(buf, sizeof buf, "-%04d-%02d", y, m); break;
    case IndexRotation::kOneWeek: {
      // The week's Sunday; the week belongs to the year of its Saturday
      // (the week holding 1 January is week 1 of that January's year).
      const sys_days sunday = day - (weekday(day) - Sunday);
      const int week_year = static_cast<int>(year_month_day(sunday + days(6)).year());
      const sys_days jan1 = sys_days(year(week_year) / January / 1);
      const sys_days first_sunday = jan1 - (weekday(jan1) - Sunday);
      const int week = static_cast<int>((sunday - first_sunday).count() / 7) + 1;
      std::snprintf(buf, sizeof buf, "-%04d-w%02d", week_year, week);
      break;
    }
  }
  return std::string(index) + buf;
}

std::string firehose_document_id(const SendRecord& record) { return std::string(record.id); }

std::string bulk_body(const OpenSearchTarget& target, const std::vector<SendRecord>& records) {
  std::string body;
  size_t total = 0;
  for (const SendRecord& r : records) total += r.data.size() + 128;
  body.reserve(total);
  for (const SendRecord& r : records) {
    body += "{\"index\":{\"_index\":";
    append_json_string(body, rotated_index_name(target.index_name, target.rotation, r.arrival_ms));
    if (!target.type_name.empty()) {
      body += ",\"_type\":";
      append_json_string(body, target.type_name);
    }
    if (target.document_ids) {
      body += ",\"_id\":";
      append_json_string(body, firehose_document_id(r));
    }
    body += "}}\n";
    std::string_view doc = r.data;
    while (!doc.empty() && (doc.back() == '\n' || doc.back() == '\r')) doc.remove_suffix(1);
    const size_t start = body.size();
    body.append(doc);
    for (size_t i = start; i < body.size(); ++i)
      if (body[i] == '\n' || body[i] == '\r') body[i] = ' ';
    body.push_back('\n');
  }
  return body;
}

Result<std::vector<BulkItem>> parse_bulk_response(std::string_view body, size_t expected) {
  auto answer = protocol::decode_json(body);
  if (!answer) return error(Status::invalid_argument("The response from the cluster is not JSON."));
  const protocol::Value* items = answer->find("items");
  if (!items || !items->is_array())
    return error(Status::invalid_argument("The response from the cluster is not a bulk response: it has no items."));
  if (items->as_array().size() != expected)
    return error(Status::invalid_argument("The response from the Bulk API has " +
                                          std::to_string(items->as_array().size()) + " items for " +
                                          std::to_string(expected) + " documents sent."));
  std::vector<BulkItem> out;
  out.reserve(expected);
  for (const protocol::Value& item : items->as_array()) {
    // {"index":{"_index":..., "status":201, ...}}: one member, the action.
    if (!item.is_object() || item.as_object().size() != 1 || !item.as_object()[0].value.is_object())
      return error(Status::invalid_argument("The response from the Bulk API has an item that is not an action."));
    const protocol::Value& result = item.as_object()[0].value;
    const protocol::Value* status = result.find("status");
    if (!status || !status->is_int())
      return error(Status::invalid_argument("The response from the Bulk API has an item without a status."));
    BulkItem b;
    b.status = static_cast<int>(std::clamp<int64_t>(status->as_int(), 0, 999));
    if (!b.ok()) {
      const protocol::Value* e = result.find("error");
      if (e && e->is_string())
        b.error = e->as_string();
      else if (e)
        b.error = protocol::encode_json(*e);
      else
        b.error = "The document was not indexed (HTTP " + std::to_string(b.status) + ").";
    }
    out.push_back(std::move(b));
  }
  return out;
}

namespace {

double jitter_unit() {
  thread_local std::mt19937_64 rng{std::random_device{}()};
  return std::uniform_real_distribution<double>(0.0, 1.0)(rng);
}

// The whole request did not get through: retry, or fail when time is over.
SendOutcome whole_request(const OpenSearchTarget& target, const SendRequest& request, int64_t now_ms,
                          std::string_view code, std::string message) {
  SendOutcome o;
  o.error_code = std::string(target.code_prefix()) + "." + std::string(code);
  o.error_message = std::move(message);
  if (retry_time_over(request, now_ms, target.retry_duration_ms)) {
    o.verdict = SendOutcome::Verdict::kFailed;
  } else {
    o.verdict = SendOutcome::Verdict::kRetry;
    o.retry_after_ms = endpoint_backoff_ms(request.attempt, jitter_unit());
  }
  return o;
}

std::string excerpt(std::string_view body) {
  constexpr size_t kMax = 512;
  return std::string(body.substr(0, kMax)) + (body.size() > kMax ? "..." : "");
}

}  // namespace

SendOutcome judge_bulk(const OpenSearchTarget& target, const SendRequest& request, const EndpointResponse& response,
                       int64_t now_ms) {
  if (response.status == 0)
    return whole_request(target, request, now_ms, "ConnectionFailed",
                         "Could not get an answer from the cluster: " + response.transport_error);
  if (response.status < 200 || response.status >= 300) {
    std::string_view code = response.status == 401 || response.status == 403 ? "AccessDenied"
                            : response.status == 404                         ? "ResourceNotFound"
                                                                             : "ServerError";
    return whole_request(
        target, request, now_ms, code,
        "The cluster answered HTTP " + std::to_string(response.status) + ": " + excerpt(response.body));
  }
  auto items = parse_bulk_response(response.body, request.records.size());
  if (!items) {
    const bool count = items.error().message().find(" items for ") != std::string::npos;
    return whole_request(target, request, now_ms, count ? "ResponseEntryCountMismatch" : "MalformedResponse",
                         items.error().message());
  }
  SendOutcome o;
  for (size_t i = 0; i < items->size(); ++i) {
    const BulkItem& item = (*items)[i];
    if (item.ok()) continue;
    // AWS's error record names the document: esDocumentId, esIndexName,
    // esTypeName (osDocumentId, osIndexName for Serverless).
    RecordFailure f{i, std::to_string(item.status), item.error, {}};
    const bool serverless = target.kind == OpenSearchTarget::Kind::kServerless;
    const SendRecord& r = request.records[i];
    if (target.document_ids && !serverless) f.error_fields.emplace_back("esDocumentId", firehose_document_id(r));
    f.error_fields.emplace_back(serverless ? "osIndexName" : "esIndexName",
                                rotated_index_name(target.index_name, target.rotation, r.arrival_ms));
    if (!serverless) f.error_fields.emplace_back("esTypeName", target.type_name);
    o.failures.push_back(std::move(f));
  }
  if (o.failures.empty()) return o;  // kDelivered
  if (retry_time_over(request, now_ms, target.retry_duration_ms)) {
    o.verdict = SendOutcome::Verdict::kFailed;
  } else {
    o.verdict = SendOutcome::Verdict::kRetry;
    o.retry_after_ms = endpoint_backoff_ms(request.attempt, jitter_unit());
  }
  return o;
}

}  // namespace runnel::firehose
