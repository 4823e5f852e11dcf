#include "net/responses.h"

#include <algorithm>
#include <array>
#include <cstdio>
#include <cstring>
#include <ctime>
#include <random>

#include <spdlog/spdlog.h>

namespace runnel::net {
namespace {

// What a browser script may read of an answer: AWS's request ids and error
// headers (x-amz-request-id and x-amz-id-2 as AWS exposes them, the
// x-amzn-* ones the SDKs read).
constexpr std::string_view kExposeHeaders =
    "x-amzn-RequestId,x-amzn-ErrorType,x-amzn-ErrorMessage,x-amz-request-id,x-amz-id-2,Date";

char ascii_lower(char c) { return (c >= 'A' && c <= 'Z') ? static_cast<char>(c + 32) : c; }

HttpResponse with_request_id(HttpResponse r) {
  r.headers.push_back({"x-amzn-RequestId", make_request_id()});
  return r;
}

}  // namespace

std::string_view reason_phrase(int status) {
  switch (status) {
    case 100: return "Continue";
    case 200: return "OK";
    case 201: return "Created";
    case 202: return "Accepted";
    case 204: return "No Content";
    case 206: return "Partial Content";
    case 301: return "Moved Permanently";
    case 302: return "Found";
    case 304: return "Not Modified";
    case 400: return "Bad Request";
    case 401: return "Unauthorized";
    case 403: return "Forbidden";
    case 404: return "Not Found";
    case 405: return "Method Not Allowed";
    case 408: return "Request Timeout";
    case 409: return "Conflict";
    case 411: return "Length Required";
    case 413: return "Payload Too Large";
    case 415: return "Unsupported Media Type";
    case 417: return "Expectation Failed";
    case 429: return "Too Many Requests";
    case 431: return "Request Header Fields Too Large";
    case 500: return "Internal Server Error";
    case 501: return "Not Implemented";
    case 502: return "Bad Gateway";
    case 503: return "Service Unavailable";
    case 504: return "Gateway Timeout";
    case 505: return "HTTP Version Not Supported";
    default: return "Unknown";
  }
}

namespace {

std::mt19937_64& id_generator() {
  thread_local std::mt19937_64 rng = [] {
    std::random_device rd;
    std::seed_seq seed{rd(), rd(), rd(), rd(), rd(), rd(), rd(), rd()};
    return std::mt19937_64(seed);
  }();
  return rng;
}

}  // namespace

void random_bytes(unsigned char* out, size_t n) {
  std::mt19937_64& rng = id_generator();
  for (size_t i = 0; i < n; i += 8) {
    const uint64_t v = rng();
    std::memcpy(out + i, &v, std::min<size_t>(8, n - i));
  }
}

std::string make_request_id() {
  unsigned char b[16];
  random_bytes(b, sizeof b);
  b[6] = static_cast<unsigned char>((b[6] & 0x0f) | 0x40);  // version 4
  b[8] = static_cast<unsigned char>((b[8] & 0x3f) | 0x80);  // RFC 4122 variant
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out(36, '-');
  size_t at = 0;
  for (size_t i = 0; i < sizeof b; ++i) {
    if (i == 4 || i == 6 || i == 8 || i == 10) ++at;  // the dashes
    out[at++] = kHex[b[i] >> 4];
    out[at++] = kHex[b[i] & 0xf];
  }
  return out;
}

std::string_view http_date() {
  static constexpr std::array<const char*, 7> kDays = {"Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"};
  static constexpr std::array<const char*, 12> kMonths = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                                          "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
  thread_local std::time_t cached_second = -1;
  thread_local char cached[32];
  std::time_t now = std::time(nullptr);
  if (now != cached_second) {
    std::tm tm{};
    gmtime_r(&now, &tm);
    std::snprintf(cached, sizeof cached, "%s, %02d %s %04d %02d:%02d:%02d GMT", kDays[tm.tm_wday % 7], tm.tm_mday,
                  kMonths[tm.tm_mon % 12], tm.tm_year + 1900, tm.tm_hour, tm.tm_min, tm.tm_sec);
    cached_second = now;
  }
  return std::string_view(cached, 29);
}

bool iequals_ascii(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i)
    if (ascii_lower(a[i]) != ascii_lower(b[i])) return false;
  return true;
}

const Header* find_header(const std::vector<Header>& headers, std::string_view name) {
  for (const Header& h : headers)
    if (iequals_ascii(h.name, name)) return &h;
  return nullptr;
}

bool is_connection_header(std::string_view n) {
  for (std::string_view c :
       {"connection", "keep-alive", "proxy-connection", "transfer-encoding", "upgrade", "te", "content-length"})
    if (iequals_ascii(n, c)) return true;
  return false;
}

void add_standard_headers(std::vector<Header>& headers) {
  if (!find_header(headers, "x-amzn-requestid")) headers.push_back({"x-amzn-RequestId", make_request_id()});
  if (!find_header(headers, "access-control-allow-origin")) {
    headers.push_back({"Access-Control-Allow-Origin", "*"});
    headers.push_back({"Access-Control-Expose-Headers", std::string(kExposeHeaders)});
  }
}

bool is_cors_preflight(const HttpRequest& request) {
  return request.method == "OPTIONS" && request.header("origin") != nullptr;
}

HttpResponse preflight_response(const HttpRequest& request) {
  HttpResponse r;
  r.status = 200;
  const std::string* asked = request.header("access-control-request-headers");
  const std::string* method = request.header("access-control-request-method");
  r.headers.push_back({"Access-Control-Allow-Methods",
                       method && !method->empty() ? *method : std::string("GET,POST,PUT,DELETE,OPTIONS")});
  r.headers.push_back({"Access-Control-Allow-Headers", asked && !asked->empty() ? *asked : std::string("*")});
  r.headers.push_back({"Access-Control-Max-Age", "172800"});
  return with_request_id(std::move(r));
}

HttpResponse bad_request_response(std::string_view why) { return plain_error_response(400, why); }

HttpResponse headers_too_large_response(std::string_view why) { return plain_error_response(431, why); }

HttpResponse plain_error_response(int status, std::string_view why) {
  HttpResponse r;
  r.status = status;
  r.headers.push_back({"Content-Type", "text/plain; charset=utf-8"});
  r.body.reserve(why.size() + 32);
  r.body.append(reason_phrase(status));
  r.body.append(": ");
  r.body.append(why);
  r.body.append("\n");
  return with_request_id(std::move(r));
}

HttpResponse plain_transport_error_response(const TransportError& error) {
  switch (error.kind) {
    case TransportErrorKind::kBodyTooLarge:
      return plain_error_response(413, "Request body of " + std::to_string(error.body_bytes) +
                                           " bytes exceeds the limit of " + std::to_string(error.limit) + " bytes.");
    case TransportErrorKind::kBodyMemoryExhausted: {
      HttpResponse r =
          plain_error_response(503, "The server is receiving too many request bodies at once; retry the request.");
      r.headers.push_back({"Retry-After", "1"});
      return r;
    }
    case TransportErrorKind::kAbandoned: break;
  }
  return plain_error_response(500, "Internal Service Failure");
}

void keep_head(const HttpRequest& request, HttpRequest& out) {
  out.method = request.method;
  out.path = request.path;
  out.query = request.query;
  out.headers = request.headers;
  out.body.clear();
  out.http2 = request.http2;
  out.remote_address = request.remote_address;
}

HttpResponse answer_transport_error(const TransportErrorHook& hook, const HttpRequest& head,
                                    const TransportError& error) {
  if (hook) {
    try {
      return hook(head, error);
    } catch (const std::exception& e) {
      spdlog::error("transport error hook threw: {}", e.what());
    }
  }
  return plain_transport_error_response(error);
}

}  // namespace runnel::net
