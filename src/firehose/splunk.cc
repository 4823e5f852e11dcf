#include "firehose/splunk.h"

#include "firehose/opensearch.h"  // split_endpoint_url
#include "protocol/json_codec.h"

namespace runnel::firehose {

const char kSplunkAckTimeoutMessage[] =
    "Did not receive an acknowledgement from HEC before the HEC acknowledgement timeout expired. Despite the "
    "acknowledgement timeout, it's possible the data was indexed successfully in Splunk. Amazon Data Firehose "
    "backs up in Amazon S3 data for which the acknowledgement timeout expired.";

Result<SplunkTarget> splunk_target(const api::SplunkDestinationDescription& d) {
  SplunkTarget t;
  if (!d.hec_endpoint || d.hec_endpoint->empty()) return error(Status::invalid_argument("HECEndpoint is required"));
  auto url = split_endpoint_url(*d.hec_endpoint);
  if (!url) return error(url.error());
  t.base_url = std::move(url->url);
  while (!t.base_url.empty() && t.base_url.back() == '/') t.base_url.pop_back();
  const std::string type = d.hec_endpoint_type.value_or("Raw");
  if (type != "Raw" && type != "Event") return error(Status::invalid_argument("Unknown HECEndpointType " + type));
  t.raw = type == "Raw";
  if (d.hec_token) {
    t.token = *d.hec_token;
  } else if (d.secrets_manager_configuration && d.secrets_manager_configuration->enabled) {
    return error(Status::invalid_argument(
        "The HEC token is kept in Secrets Manager, which runnel does not have: give it as HECToken."));
  }
  if (d.hec_acknowledgment_timeout_in_seconds)
    t.ack_timeout_ms = int64_t{*d.hec_acknowledgment_timeout_in_seconds} * 1000;
  if (d.retry_options && d.retry_options->duration_in_seconds)
    t.retry_duration_ms = int64_t{*d.retry_options->duration_in_seconds} * 1000;
  return t;
}

namespace {

void add_common_headers(EndpointRequest& req, const SplunkTarget& target, std::string_view channel) {
  req.headers.emplace_back("Authorization", "Splunk " + target.token);
  req.headers.emplace_back("X-Splunk-Request-Channel", std::string(channel));
}

}  // namespace

EndpointRequest hec_request(const SplunkTarget& target, std::string_view channel,
                            const std::vector<SendRecord>& records) {
  EndpointRequest req;
  req.url = target.base_url + (target.raw ? "/services/collector/raw" : "/services/collector/event");
  add_common_headers(req, target, channel);
  req.headers.emplace_back("Content-Type", target.raw ? "text/plain" : "application/json");
  size_t total = 0;
  for (const SendRecord& r : records) total += r.data.size();
  req.body.reserve(total);
  for (const SendRecord& r : records) req.body.append(r.data);
  return req;
}

EndpointRequest hec_ack_request(const SplunkTarget& target, std::string_view channel, int64_t ack_id) {
  EndpointRequest req;
  req.url = target.base_url + "/services/collector/ack?channel=" + std::string(channel);
  add_common_headers(req, target, channel);
  req.headers.emplace_back("Content-Type", "application/json");
  req.body = "{\"acks\":[" + std::to_string(ack_id) + "]}";
  return req;
}

SplunkError splunk_error(const EndpointResponse& response) {
  if (response.status == 0) {
    const std::string& why = response.transport_error;
    if (why.find("imeout") != std::string::npos || why.find("timed out") != std::string::npos)
      return {"Splunk.ConnectionTimeout",
              "The connection to Splunk timed out. This might be a transient error and the request will be "
              "retried. (" +
                  why + ")"};
    if (why.find("connect") != std::string::npos || why.find("resolve") != std::string::npos)
      return {"Splunk.InvalidEndpoint",
              "Could not connect to the HEC endpoint. Make sure that the HEC endpoint URL is valid and reachable. (" +
                  why + ")"};
    return {"Splunk.ConnectionClosed", "Unable to send data to Splunk: the connection was closed. (" + why + ")"};
  }
  int64_t code = -1;
  std::string text;
  if (auto body = protocol::decode_json(response.body)) {
    if (const protocol::Value* c = body->find("code"); c && c->is_int()) code = c->as_int();
    if (const protocol::Value* t = body->find("text"); t && t->is_string()) text = t->as_string();
  }
  const std::string said = " (HTTP " + std::to_string(response.status) +
                           (text.empty() ? "" : ", HEC code " + std::to_string(code) + ": " + text) + ")";
  switch (code) {  // Splunk's HEC status codes
    case 1:
      return {"Splunk.DisabledToken",
              "The HEC token is disabled. Enable the token to allow data delivery to Splunk." + said};
    case 2:
    case 3:
    case 4:
      return {"Splunk.InvalidToken",
              "The HEC token is invalid. Update Kinesis Firehose with a valid HEC token." + said};
    case 5:
    case 6:
    case 12:
    case 13:
      return {"Splunk.InvalidDataFormat",
              "The data is not formatted correctly. To see how to properly format data for Raw or Event HEC "
              "endpoints, see Splunk Event Data." +
                  said};
    case 7: return {"Splunk.InvalidIndex", "The HEC token or input is configured with an invalid index." + said};
    case 14:
      return {"Splunk.DisabledAck",
              "Indexer acknowledgement is disabled for the HEC token. Enable indexer acknowledgement and try again." +
                  said};
    default: break;
  }
  if (response.status == 401 || response.status == 403)
    return {"Splunk.InvalidToken", "The HEC token is invalid. Update Kinesis Firehose with a valid HEC token." + said};
  if (response.status == 404)
    return {"Splunk.URLNotFound", "The requested URL was not found on the Splunk server." + said};
  return {"Splunk.ServerError",
          "Data delivery to Splunk failed due to a server error from the HEC node. Kinesis Firehose will retry sending "
          "the data if the retry duration in your Kinesis Firehose is greater than 0." +
              said};
}

HecAnswer judge_hec_answer(const EndpointResponse& response) {
  HecAnswer a;
  if (response.status != 200) {
    a.error = splunk_error(response);
    return a;
  }
  auto body = protocol::decode_json(response.body);
  const protocol::Value* code = body ? body->find("code") : nullptr;
  if (!code || !code->is_int()) {
    a.error = SplunkError{"Splunk.ServerError", "The HEC answer is not HEC's JSON: " + response.body.substr(0, 256)};
    return a;
  }
  if (code->as_int() != 0) {
    a.error = splunk_error(response);
    return a;
  }
  const protocol::Value* ack = body->find("ackId");
  if (!ack || !ack->is_int()) {
    a.error = SplunkError{"Splunk.DisabledAck",
                          "Indexer acknowledgement is disabled for the HEC token: HEC answered without an ackId. "
                          "Enable indexer acknowledgement and try again."};
    return a;
  }
  a.ack_id = ack->as_int();
  return a;
}

AckAnswer judge_ack_answer(const EndpointResponse& response, int64_t ack_id) {
  AckAnswer a;
  if (response.status == 0 || response.status >= 500) {  // transient: keep polling until the ack timeout
    a.error = splunk_error(response);
    return a;
  }
  if (response.status != 200) {
    a.state = AckAnswer::State::kError;
    a.error = splunk_error(response);
    return a;
  }
  auto body = protocol::decode_json(response.body);
  const protocol::Value* acks = body ? body->find("acks") : nullptr;
  if (!acks || !acks->is_object()) {
    a.error = {"Splunk.ServerError", "The HEC ack answer is not HEC's JSON: " + response.body.substr(0, 256)};
    return a;
  }
  const protocol::Value* mine = acks->find(std::to_string(ack_id));
  if (mine && mine->is_bool() && mine->as_bool()) a.state = AckAnswer::State::kAcked;
  return a;
}

}  // namespace runnel::firehose
