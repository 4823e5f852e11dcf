#include "protocol/sigv4.h"

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>

#include <algorithm>
#include <array>
#include <cstdio>
#include <optional>
#include <utility>

#include "protocol/credentials.h"

namespace runnel::protocol {
namespace {

constexpr std::string_view kAlgorithm = "AWS4-HMAC-SHA256";
constexpr std::string_view kTerminator = "aws4_request";
constexpr std::string_view kUnsignedPayload = "UNSIGNED-PAYLOAD";
// Kinesis allows 5 minutes of clock skew either way ("... - 5 min.").
constexpr int64_t kSkewSeconds = 5 * 60;
// The longest presigned URL lifetime SigV4 allows (7 days).
constexpr int64_t kMaxExpiresSeconds = 7 * 24 * 3600;

ApiError incomplete(std::string message) { return {"IncompleteSignatureException", std::move(message), 400, false}; }
ApiError invalid_signature(std::string message) {
  return {"InvalidSignatureException", std::move(message), 400, false};
}

// ---- bytes and text --------------------------------------------------------

using Digest = std::array<unsigned char, 32>;

std::string hex(const unsigned char* data, std::size_t n) {
  static constexpr char kDigits[] = "0123456789abcdef";
  std::string out(n * 2, '\0');
  for (std::size_t i = 0; i < n; ++i) {
    out[2 * i] = kDigits[data[i] >> 4];
    out[2 * i + 1] = kDigits[data[i] & 0xf];
  }
  return out;
}

std::string sha256_hex(std::string_view data) {
  Digest d{};
  unsigned int len = 0;
  EVP_Digest(data.data(), data.size(), d.data(), &len, EVP_sha256(), nullptr);
  return hex(d.data(), d.size());
}

Digest hmac(std::string_view key, std::string_view data) {
  Digest d{};
  unsigned int len = 0;
  HMAC(EVP_sha256(), key.data(), static_cast<int>(key.size()), reinterpret_cast<const unsigned char*>(data.data()),
       data.size(), d.data(), &len);
  return d;
}

std::string_view as_view(const Digest& d) { return {reinterpret_cast<const char*>(d.data()), d.size()}; }

bool is_unreserved(unsigned char c) {
  return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '_' ||
         c == '.' || c == '~';
}

std::string uri_encode(std::string_view s, bool keep_slash) {
  static constexpr char kDigits[] = "0123456789ABCDEF";
  std::string out;
  out.reserve(s.size());
  for (char ch : s) {
    auto c = static_cast<unsigned char>(ch);
    if (is_unreserved(c) || (keep_slash && c == '/')) {
      out.push_back(ch);
    } else {
      out.push_back('%');
      out.push_back(kDigits[c >> 4]);
      out.push_back(kDigits[c & 0xf]);
    }
  }
  return out;
}

int hex_value(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

// Percent-decodes; a '%' not followed by two hex digits stays literal. '+'
// stays '+' (RFC 3986, not form encoding), as the SDKs never emit it for a space.
std::string percent_decode(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  for (std::size_t i = 0; i < s.size(); ++i) {
    if (s[i] == '%' && i + 2 < s.size()) {
      int hi = hex_value(s[i + 1]), lo = hex_value(s[i + 2]);
      if (hi >= 0 && lo >= 0) {
        out.push_back(static_cast<char>(hi * 16 + lo));
        i += 2;
        continue;
      }
    }
    out.push_back(s[i]);
  }
  return out;
}

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

// SigV4's Trimall: outer whitespace removed, inner runs collapsed to one space.
std::string trim_all(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  bool pending_space = false;
  for (char c : trim(s)) {
    if (c == ' ' || c == '\t') {
      pending_space = true;
      continue;
    }
    if (pending_space) out.push_back(' ');
    pending_space = false;
    out.push_back(c);
  }
  return out;
}

std::string lower(std::string_view s) {
  std::string out(s);
  for (char& c : out)
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  return out;
}

// ---- query strings ---------------------------------------------------------

using Params = std::vector<std::pair<std::string, std::string>>;

Params parse_query(std::string_view raw) {
  Params out;
  while (true) {
    std::size_t amp = raw.find('&');
    std::string_view pair = raw.substr(0, amp);
    if (!pair.empty()) {
      std::size_t eq = pair.find('=');
      std::string_view key = pair.substr(0, eq);
      std::string_view value = eq == std::string_view::npos ? std::string_view() : pair.substr(eq + 1);
      out.emplace_back(percent_decode(key), percent_decode(value));
    }
    if (amp == std::string_view::npos) break;
    raw.remove_prefix(amp + 1);
  }
  return out;
}

const std::string* find_param(const Params& params, std::string_view key) {
  for (const auto& [k, v] : params)
    if (k == key) return &v;
  return nullptr;
}

// ---- time ------------------------------------------------------------------

int64_t days_from_civil(int64_t y, unsigned m, unsigned d) {
  y -= m <= 2;
  const int64_t era = (y >= 0 ? y : y - 399) / 400;
  const auto yoe = static_cast<unsigned>(y - era * 400);
  const unsigned doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
  const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + static_cast<int64_t>(doe) - 719468;
}

std::string format_basic(int64_t epoch) {
  int64_t days = epoch >= 0 ? epoch / 86400 : (epoch - 86399) / 86400;
  int64_t secs = epoch - days * 86400;
  days += 719468;
  const int64_t era = (days >= 0 ? days : days - 146096) / 146097;
  const auto doe = static_cast<unsigned>(days - era * 146097);
  const unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  const unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  const unsigned mp = (5 * doy + 2) / 153;
  const unsigned d = doy - (153 * mp + 2) / 5 + 1;
  const unsigned m = mp < 10 ? mp + 3 : mp - 9;
  const int64_t y = static_cast<int64_t>(yoe) + era * 400 + (m <= 2);
  char buf[64];
  std::snprintf(buf, sizeof buf, "%04lld%02u%02uT%02lld%02lld%02lldZ", static_cast<long long>(y), m, d,
                static_cast<long long>(secs / 3600), static_cast<long long>(secs / 60 % 60),
                static_cast<long long>(secs % 60));
  return buf;
}

bool digits(std::string_view s) {
  return std::all_of(s.begin(), s.end(), [](char c) { return c >= '0' && c <= '9'; });
}

int to_int(std::string_view s) {
  int v = 0;
  for (char c : s) v = v * 10 + (c - '0');
  return v;
}

bool valid_civil(int y, int mo, int d, int h, int mi, int s) {
  static constexpr int kDays[] = {31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  if (mo < 1 || mo > 12 || d < 1 || d > kDays[mo - 1] || h > 23 || mi > 59 || s > 60) return false;
  bool leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
  return !(mo == 2 && d == 29 && !leap);
}

// "YYYYMMDDTHHMMSSZ" -> seconds since the epoch.
std::optional<int64_t> parse_basic(std::string_view s) {
  if (s.size() != 16 || s[8] != 'T' || s[15] != 'Z' || !digits(s.substr(0, 8)) || !digits(s.substr(9, 6))) {
    return std::nullopt;
  }
  int y = to_int(s.substr(0, 4)), mo = to_int(s.substr(4, 2)), d = to_int(s.substr(6, 2));
  int h = to_int(s.substr(9, 2)), mi = to_int(s.substr(11, 2)), sec = to_int(s.substr(13, 2));
  if (!valid_civil(y, mo, d, h, mi, sec)) return std::nullopt;
  return days_from_civil(y, static_cast<unsigned>(mo), static_cast<unsigned>(d)) * 86400 + h * 3600 + mi * 60 + sec;
}

// An RFC 7231 IMF-fixdate ("Sun, 30 Aug 2015 12:36:00 GMT") -> "YYYYMMDDTHHMMSSZ".
std::optional<std::string> imf_to_basic(std::string_view s) {
  static constexpr std::string_view kMonths[] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                                 "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
  if (s.size() != 29 || s.substr(3, 2) != ", " || s[7] != ' ' || s[11] != ' ' || s[16] != ' ' || s[19] != ':' ||
      s[22] != ':' || s.substr(25) != " GMT") {
    return std::nullopt;
  }
  std::string_view day = s.substr(5, 2), year = s.substr(12, 4), hh = s.substr(17, 2), mm = s.substr(20, 2),
                   ss = s.substr(23, 2);
  if (!digits(day) || !digits(year) || !digits(hh) || !digits(mm) || !digits(ss)) return std::nullopt;
  int month = 0;
  for (int i = 0; i < 12; ++i)
    if (s.substr(8, 3) == kMonths[i]) month = i + 1;
  if (month == 0) return std::nullopt;
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.4s%02d%.2sT%.2s%.2s%.2sZ", year.data(), month, day.data(), hh.data(), mm.data(),
                ss.data());
  if (!parse_basic(buf)) return std::nullopt;
  return std::string(buf);
}

// ---- parsing ---------------------------------------------------------------

ApiError date_format_error(std::string_view got) {
  return incomplete("Date must be in ISO-8601 'basic format'. Got '" + std::string(got) +
                    "'. See http://en.wikipedia.org/wiki/ISO_8601");
}

// Fills algorithm-independent fields shared by both forms, in AWS's order:
// date format, algorithm, credential shape.
ApiResult<SigV4Request> finish_parse(SigV4Request out, std::string_view algorithm, std::string_view date,
                                     std::string_view credential, bool date_may_be_imf) {
  if (parse_basic(date)) {
    out.amz_date = std::string(date);
  } else if (auto basic = date_may_be_imf ? imf_to_basic(date) : std::nullopt) {
    out.amz_date = *basic;
  } else {
    return std::unexpected(date_format_error(date));
  }
  if (algorithm != kAlgorithm) {
    return std::unexpected(incomplete("Unsupported AWS 'algorithm': '" + std::string(algorithm) + "' (only " +
                                      std::string(kAlgorithm) + " for now). "));
  }
  std::string_view scope = credential;
  while (!scope.empty() && scope.back() == '/') scope.remove_suffix(1);
  std::vector<std::string_view> parts;
  while (true) {
    std::size_t slash = scope.find('/');
    parts.push_back(scope.substr(0, slash));
    if (slash == std::string_view::npos || parts.size() > 5) break;
    scope.remove_prefix(slash + 1);
  }
  if (parts.size() != 5) {
    return std::unexpected(incomplete(
        "Credential must have exactly 5 slash-delimited elements, e.g. keyid/date/region/service/term, got '" +
        std::string(credential) + "'"));
  }
  out.credential = {std::string(parts[0]), std::string(parts[1]), std::string(parts[2]), std::string(parts[3]),
                    std::string(parts[4])};
  return out;
}

std::vector<std::string> split_signed_headers(std::string_view list) {
  std::vector<std::string> out;
  while (true) {
    std::size_t semi = list.find(';');
    std::string_view name = trim(list.substr(0, semi));
    if (!name.empty()) out.push_back(lower(name));
    if (semi == std::string_view::npos) break;
    list.remove_prefix(semi + 1);
  }
  return out;
}

ApiResult<SigV4Request> parse_header_form(const net::HttpRequest& req, const std::string& header) {
  // Tokens are separated by any run of spaces, tabs and commas; the first is the algorithm.
  std::vector<std::string_view> tokens;
  std::string_view rest = header;
  while (!rest.empty()) {
    std::size_t start = rest.find_first_not_of(" \t,");
    if (start == std::string_view::npos) break;
    rest.remove_prefix(start);
    std::size_t end = rest.find_first_of(" \t,");
    tokens.push_back(rest.substr(0, end));
    if (end == std::string_view::npos) break;
    rest.remove_prefix(end);
  }
  std::string_view algorithm = tokens.empty() ? std::string_view() : tokens[0];
  std::string_view credential, signature, signed_headers;
  bool has_credential = false, has_signature = false, has_signed_headers = false;
  for (std::size_t i = 1; i < tokens.size(); ++i) {
    std::size_t eq = tokens[i].find('=');
    if (eq == std::string_view::npos) {
      return std::unexpected(incomplete("'" + std::string(tokens[i]) +
                                        "' not a valid key=value pair (missing equal-sign) in Authorization header: '" +
                                        header + "'."));
    }
    std::string_view key = tokens[i].substr(0, eq), value = tokens[i].substr(eq + 1);
    if (key == "Credential") {
      credential = value;
      has_credential = !value.empty();
    } else if (key == "Signature") {
      signature = value;
      has_signature = !value.empty();
    } else if (key == "SignedHeaders") {
      signed_headers = value;
      has_signed_headers = !value.empty();
    }
  }
  const std::string* amz_date = req.header("x-amz-date");
  const std::string* http_date = req.header("date");
  if (amz_date && amz_date->empty()) amz_date = nullptr;
  const std::string* date = amz_date ? amz_date : http_date;

  std::string msg;
  if (!has_credential) msg += "Authorization header requires 'Credential' parameter. ";
  if (!has_signature) msg += "Authorization header requires 'Signature' parameter. ";
  if (!has_signed_headers) msg += "Authorization header requires 'SignedHeaders' parameter. ";
  if (!date || date->empty()) {
    msg += "Authorization header requires existence of either a 'X-Amz-Date' or a 'Date' header. ";
  }
  if (!msg.empty()) return std::unexpected(incomplete(msg + "Authorization=" + header));

  SigV4Request out;
  out.signed_headers = split_signed_headers(signed_headers);
  out.signature = std::string(signature);
  if (const std::string* token = req.header("x-amz-security-token")) out.security_token = *token;
  return finish_parse(std::move(out), algorithm, *date, credential, /*date_may_be_imf=*/date == http_date);
}

// X-Amz-Expires: whole seconds, 0 to 7 days. Anything else is refused (a
// lifetime that cannot be read must not default to a long one).
ApiResult<int64_t> parse_expires(std::string_view value) {
  if (!value.empty() && value.front() == '-' && value.size() > 1 && digits(value.substr(1))) {
    return std::unexpected(incomplete("X-Amz-Expires must be non-negative"));
  }
  if (value.empty() || !digits(value)) return std::unexpected(incomplete("X-Amz-Expires should be a number"));
  std::string_view significant = value.substr(std::min(value.find_first_not_of('0'), value.size()));
  int64_t seconds = significant.size() > 7 ? kMaxExpiresSeconds + 1 : to_int(significant);
  if (seconds > kMaxExpiresSeconds) {
    return std::unexpected(incomplete("X-Amz-Expires must be less than a week (in seconds) that is " +
                                      std::to_string(kMaxExpiresSeconds)));
  }
  return seconds;
}

ApiResult<SigV4Request> parse_query_form(const net::HttpRequest& req, const Params& params) {
  static constexpr std::string_view kRequired[] = {"X-Amz-Algorithm", "X-Amz-Credential", "X-Amz-Signature",
                                                   "X-Amz-SignedHeaders", "X-Amz-Date"};
  std::string msg;
  for (std::string_view name : kRequired) {
    const std::string* v = find_param(params, name);
    if (!v || v->empty()) msg += "AWS query-string parameters must include '" + std::string(name) + "'. ";
  }
  if (!msg.empty()) return std::unexpected(incomplete(msg + "Re-examine the query-string parameters."));

  SigV4Request out;
  out.from_query = true;
  out.signed_headers = split_signed_headers(*find_param(params, "X-Amz-SignedHeaders"));
  out.signature = *find_param(params, "X-Amz-Signature");
  if (const std::string* token = find_param(params, "X-Amz-Security-Token")) {
    out.security_token = *token;
  } else if (const std::string* header = req.header("x-amz-security-token")) {
    out.security_token = *header;
  }
  if (const std::string* expires = find_param(params, "X-Amz-Expires")) {
    auto seconds = parse_expires(*expires);
    if (!seconds) return std::unexpected(seconds.error());
    out.expires_seconds = *seconds;
  }
  return finish_parse(std::move(out), *find_param(params, "X-Amz-Algorithm"), *find_param(params, "X-Amz-Date"),
                      *find_param(params, "X-Amz-Credential"), /*date_may_be_imf=*/false);
}

// ---- verification ----------------------------------------------------------

std::string minutes_or_seconds(int64_t seconds) {
  return seconds % 60 == 0 ? std::to_string(seconds / 60) + " min." : std::to_string(seconds) + " sec.";
}

// Steps 1-3 of verify_sigv4: everything but the secret.
ApiResult<void> check_envelope(const SigV4Request& auth, int64_t now) {
  auto when = parse_basic(auth.amz_date);
  if (!when) return std::unexpected(date_format_error(auth.amz_date));
  int64_t past = auth.from_query && auth.expires_seconds >= 0 ? auth.expires_seconds : kSkewSeconds;
  if (*when < now - past) {
    return std::unexpected(invalid_signature("Signature expired: " + auth.amz_date + " is now earlier than " +
                                             format_basic(now - past) + " (" + format_basic(now) + " - " +
                                             minutes_or_seconds(past) + ")"));
  }
  if (*when > now + kSkewSeconds) {
    return std::unexpected(invalid_signature("Signature not yet current: " + auth.amz_date + " is still later than " +
                                             format_basic(now + kSkewSeconds) + " (" + format_basic(now) + " + " +
                                             minutes_or_seconds(kSkewSeconds) + ")"));
  }
  bool host_signed = std::any_of(auth.signed_headers.begin(), auth.signed_headers.end(),
                                 [](const std::string& h) { return h == "host" || h == ":authority"; });
  if (!host_signed) {
    return std::unexpected(
        invalid_signature("'Host' or ':authority' must be a 'SignedHeader' in the AWS Authorization."));
  }
  std::vector<std::string> scope_errors;
  if (auth.credential.terminator != kTerminator) {
    scope_errors.push_back("Credential should be scoped with a valid terminator: 'aws4_request', not '" +
                           auth.credential.terminator + "'.");
  }
  std::string_view http_day = std::string_view(auth.amz_date).substr(0, 8);
  if (auth.credential.date != http_day) {
    scope_errors.push_back(
        "Date in Credential scope does not match YYYYMMDD from ISO-8601 version of date from HTTP: '" +
        auth.credential.date + "' != '" + std::string(http_day) + "', from '" + auth.amz_date + "'.");
  }
  if (!scope_errors.empty()) {
    std::string msg;
    for (const auto& e : scope_errors) msg += (msg.empty() ? "" : " ") + e;
    return std::unexpected(invalid_signature(std::move(msg)));
  }
  return {};
}

// Everything of the canonical request except the payload hash.
std::string canonical_prefix(const net::HttpRequest& req, const SigV4Request& auth) {
  std::string out = req.method;
  out += '\n';
  // S3 signs the path as it was sent (no dot-segment removal, no second
  // encoding); every other service the path normalised and encoded again.
  if (auth.credential.service == "s3")
    out += req.path.empty() ? std::string("/") : req.path;
  else
    out += sigv4_canonical_uri(req.path);
  out += '\n';
  out += sigv4_canonical_query(req.query, auth.from_query);
  out += '\n';
  for (const std::string& name : auth.signed_headers) {
    out += name;
    out += ':';
    bool first = true;
    for (const auto& h : req.headers) {
      if (h.name != name) continue;
      if (!first) out += ',';
      out += trim_all(h.value);
      first = false;
    }
    out += '\n';
  }
  out += '\n';
  for (std::size_t i = 0; i < auth.signed_headers.size(); ++i) {
    if (i) out += ';';
    out += auth.signed_headers[i];
  }
  out += '\n';
  return out;
}

// The payload hashes a signature may have been computed over. A request with
// a body is bound to it: its hash is the body's SHA-256, whatever
// x-amz-content-sha256 claims (check_payload_claim refuses a claim that
// differs). UNSIGNED-PAYLOAD is accepted only for an empty body: the JSON and
// CBOR protocols define no unsigned or streaming payloads (S3 does; its
// service will pass its own rule when it exists).
std::vector<std::string> payload_hashes(const net::HttpRequest& req, const SigV4Request& auth) {
  std::string body_hash = sha256_hex(req.body);
  if (!req.body.empty()) return {body_hash};
  const std::string* claimed = req.header("x-amz-content-sha256");
  bool claims_unsigned = claimed && trim(*claimed) == kUnsignedPayload;
  if (claims_unsigned) return {std::string(kUnsignedPayload)};
  if (auth.from_query) return {body_hash, std::string(kUnsignedPayload)};
  return {body_hash};
}

// x-amz-content-sha256, when sent, must describe the body that arrived.
ApiResult<void> check_payload_claim(const net::HttpRequest& req) {
  const std::string* claimed = req.header("x-amz-content-sha256");
  if (!claimed) return {};
  std::string_view value = trim(*claimed);
  if (value == kUnsignedPayload) {
    if (req.body.empty()) return {};
    return std::unexpected(
        invalid_signature("UNSIGNED-PAYLOAD is not accepted for a request with a body: sign the SHA-256 of the body."));
  }
  if (lower(value) == sha256_hex(req.body)) return {};
  return std::unexpected(
      invalid_signature("The provided 'x-amz-content-sha256' header does not match what was computed."));
}

// Every part of the request that chooses what it does must be signed: host,
// the header that gave the request time, and every x-amz-* header it carries
// (the operation in x-amz-target, the payload hash, the session token). An
// unsigned one could be changed in flight without breaking the signature.
ApiResult<void> check_signed_headers(const net::HttpRequest& req, const SigV4Request& auth) {
  auto is_signed = [&](std::string_view name) {
    return std::find(auth.signed_headers.begin(), auth.signed_headers.end(), name) != auth.signed_headers.end();
  };
  std::vector<std::string> unsigned_headers;
  auto note = [&](const std::string& name) {
    if (!is_signed(name) &&
        std::find(unsigned_headers.begin(), unsigned_headers.end(), name) == unsigned_headers.end()) {
      unsigned_headers.push_back(name);
    }
  };
  for (const net::Header& h : req.headers) {
    if (h.name.starts_with("x-amz-")) note(h.name);
  }
  if (!auth.from_query && !req.header("x-amz-date") && req.header("date")) note("date");
  if (unsigned_headers.empty()) return {};
  std::string list;
  for (const auto& name : unsigned_headers) list += (list.empty() ? "" : ", ") + name;
  return std::unexpected(
      invalid_signature("There were headers present in the request which were not signed: " + list +
                        ". Sign every x-amz-* header the request carries (and Date when it gives the request time)."));
}

// The key of one day's scope: HMAC chain from "AWS4" + secret over date,
// region, service and terminator.
Digest signing_key(std::string_view secret, const SigV4Credential& c) {
  std::string k_secret = "AWS4";
  k_secret += secret;
  Digest k_date = hmac(k_secret, c.date);
  Digest k_region = hmac(as_view(k_date), c.region);
  Digest k_service = hmac(as_view(k_region), c.service);
  Digest key = hmac(as_view(k_service), c.terminator);
  OPENSSL_cleanse(k_secret.data(), k_secret.size());
  OPENSSL_cleanse(k_date.data(), k_date.size());
  OPENSSL_cleanse(k_region.data(), k_region.size());
  OPENSSL_cleanse(k_service.data(), k_service.size());
  return key;
}

std::string scope_of(const SigV4Credential& c) {
  return c.date + "/" + c.region + "/" + c.service + "/" + c.terminator;
}

std::string string_to_sign(std::string_view amz_date, std::string_view scope, std::string_view canonical) {
  std::string out(kAlgorithm);
  out += '\n';
  out += amz_date;
  out += '\n';
  out += scope;
  out += '\n';
  out += sha256_hex(canonical);
  return out;
}

ApiResult<void> check_signature(const net::HttpRequest& req, const SigV4Request& auth, std::string_view secret,
                                const std::vector<std::string>& payloads) {
  Digest k_signing = signing_key(secret, auth.credential);
  std::string scope = scope_of(auth.credential);
  std::string prefix = canonical_prefix(req, auth);
  std::string first_canonical, first_string_to_sign;
  for (const std::string& payload : payloads) {
    std::string canonical = prefix + payload;
    std::string to_sign = string_to_sign(auth.amz_date, scope, canonical);
    Digest sig = hmac(as_view(k_signing), to_sign);
    std::string expected = hex(sig.data(), sig.size());
    if (auth.signature.size() == expected.size() &&
        CRYPTO_memcmp(auth.signature.data(), expected.data(), expected.size()) == 0) {
      return {};
    }
    if (first_canonical.empty()) {
      first_canonical = std::move(canonical);
      first_string_to_sign = std::move(to_sign);
    }
  }
  return std::unexpected(invalid_signature(
      "The request signature we calculated does not match the signature you provided. Check your AWS Secret Access "
      "Key and signing method. Consult the service documentation for details.\n\nThe Canonical String for this "
      "request should have been\n'" +
      first_canonical + "'\n\nThe String-to-Sign should have been\n'" + first_string_to_sign + "'\n"));
}

}  // namespace

ApiError unrecognized_client() {
  return {"UnrecognizedClientException", "The security token included in the request is invalid.", 400, false};
}

std::string sigv4_canonical_uri(std::string_view raw_path) {
  if (raw_path.empty()) return "/";
  std::vector<std::string_view> segments;
  std::string_view rest = raw_path;
  while (true) {
    std::size_t slash = rest.find('/');
    std::string_view seg = rest.substr(0, slash);
    if (seg == "..") {
      if (!segments.empty()) segments.pop_back();
    } else if (!seg.empty() && seg != ".") {
      segments.push_back(seg);
    }
    if (slash == std::string_view::npos) break;
    rest.remove_prefix(slash + 1);
  }
  std::string path = raw_path.front() == '/' ? "/" : "";
  for (std::size_t i = 0; i < segments.size(); ++i) {
    if (i) path += '/';
    path += segments[i];
  }
  if (!segments.empty() && raw_path.back() == '/') path += '/';
  return uri_encode(path, /*keep_slash=*/true);
}

std::string sigv4_canonical_query(std::string_view raw_query, bool drop_signature) {
  Params encoded;
  for (auto& [key, value] : parse_query(raw_query)) {
    if (drop_signature && key == "X-Amz-Signature") continue;
    encoded.emplace_back(uri_encode(key, false), uri_encode(value, false));
  }
  std::sort(encoded.begin(), encoded.end());
  std::string out;
  for (const auto& [key, value] : encoded) {
    if (!out.empty()) out += '&';
    out += key;
    out += '=';
    out += value;
  }
  return out;
}

bool has_sigv4_authentication(const net::HttpRequest& req) {
  const std::string* header = req.header("authorization");
  return (header && !trim(*header).empty()) || find_param(parse_query(req.query), "X-Amz-Algorithm") != nullptr;
}

ApiResult<SigV4Request> parse_sigv4(const net::HttpRequest& req) {
  const std::string* header = req.header("authorization");
  bool has_header = header && !trim(*header).empty();
  Params params = parse_query(req.query);
  // Two copies of a part of the authentication leave open which one a check
  // reads; refuse them rather than pick one.
  if (std::count_if(req.headers.begin(), req.headers.end(),
                    [](const net::Header& h) { return h.name == "authorization"; }) > 1) {
    return std::unexpected(incomplete("Found more than one 'Authorization' header. Send exactly one."));
  }
  for (std::string_view name : {"X-Amz-Algorithm", "X-Amz-Credential", "X-Amz-Signature", "X-Amz-SignedHeaders",
                                "X-Amz-Date", "X-Amz-Expires", "X-Amz-Security-Token"}) {
    if (std::count_if(params.begin(), params.end(), [&](const auto& p) { return p.first == name; }) > 1) {
      return std::unexpected(incomplete("Found more than one '" + std::string(name) +
                                        "' query-string parameter. Send each at most once."));
    }
  }
  for (std::string_view name : {"x-amz-date", "x-amz-security-token", "x-amz-content-sha256"}) {
    if (std::count_if(req.headers.begin(), req.headers.end(), [&](const net::Header& h) { return h.name == name; }) >
        1) {
      return std::unexpected(
          incomplete("Found more than one '" + std::string(name) + "' header. Send each at most once."));
    }
  }
  bool has_query = find_param(params, "X-Amz-Algorithm") != nullptr;
  if (has_header && has_query) {
    return std::unexpected(
        invalid_signature("Found both 'X-Amz-Algorithm' as a query-string param and 'Authorization' as HTTP header."));
  }
  if (!has_header && !has_query) {
    return std::unexpected(ApiError{"MissingAuthenticationTokenException", "Missing Authentication Token", 400, false});
  }
  return has_header ? parse_header_form(req, *header) : parse_query_form(req, params);
}

namespace {
// Everything verify_sigv4 checks that needs neither the secret nor the body.
ApiResult<void> check_sigv4_headers(const net::HttpRequest& req, const SigV4Request& auth, int64_t now_epoch_seconds) {
  if (auto ok = check_envelope(auth, now_epoch_seconds); !ok) return ok;
  return check_signed_headers(req, auth);
}
}  // namespace

ApiResult<void> verify_sigv4(const net::HttpRequest& req, const SigV4Request& auth, std::string_view secret_access_key,
                             int64_t now_epoch_seconds) {
  if (auto ok = check_sigv4_headers(req, auth, now_epoch_seconds); !ok) return ok;
  if (auto ok = check_payload_claim(req); !ok) return ok;
  return check_signature(req, auth, secret_access_key, payload_hashes(req, auth));
}

ApiResult<SigV4Request> authenticate_sigv4(const net::HttpRequest& req, const CredentialStore* store,
                                           int64_t now_epoch_seconds) {
  auto auth = authenticate_sigv4_head(req, store, now_epoch_seconds);
  if (!auth || !store) return auth;
  auto secret = store->secret_for(auth->credential.access_key_id);
  if (!secret) return std::unexpected(unrecognized_client());
  if (auto ok = check_payload_claim(req); !ok) return std::unexpected(ok.error());
  if (auto ok = check_signature(req, *auth, *secret, payload_hashes(req, *auth)); !ok)
    return std::unexpected(ok.error());
  return auth;
}

ApiResult<SigV4Request> authenticate_sigv4_head(const net::HttpRequest& head, const CredentialStore* store,
                                                int64_t now_epoch_seconds) {
  auto auth = parse_sigv4(head);
  if (!auth || !store) return auth;
  if (auto ok = check_sigv4_headers(head, *auth, now_epoch_seconds); !ok) return std::unexpected(ok.error());
  if (!store->secret_for(auth->credential.access_key_id)) return std::unexpected(unrecognized_client());
  return auth;
}

ApiResult<SigV4Request> authenticate_sigv4_streamed(const net::HttpRequest& head, const CredentialStore* store,
                                                    int64_t now_epoch_seconds, std::string_view payload_hash,
                                                    ChunkSigningKey* chunk_key) {
  auto auth = authenticate_sigv4_head(head, store, now_epoch_seconds);
  if (!auth || !store) return auth;
  auto secret = store->secret_for(auth->credential.access_key_id);
  if (!secret) return std::unexpected(unrecognized_client());
  if (auto ok = check_signature(head, *auth, *secret, {std::string(payload_hash)}); !ok)
    return std::unexpected(ok.error());
  if (chunk_key) {
    Digest key = signing_key(*secret, auth->credential);
    std::copy(key.begin(), key.end(), chunk_key->key.begin());
    OPENSSL_cleanse(key.data(), key.size());
    chunk_key->amz_date = auth->amz_date;
    chunk_key->scope = scope_of(auth->credential);
    chunk_key->seed_signature = lower(auth->signature);
  }
  return auth;
}

ChunkSigningKey::~ChunkSigningKey() { OPENSSL_cleanse(key.data(), key.size()); }

namespace {
// The signatures of a streaming upload chain: HMAC over the algorithm, the
// request time, the scope, the previous signature, then `rest`.
std::string chained_signature(std::string_view algorithm, const ChunkSigningKey& k, std::string_view previous_signature,
                              std::initializer_list<std::string_view> rest) {
  std::string to_sign(algorithm);
  for (std::string_view part : {std::string_view(k.amz_date), std::string_view(k.scope), previous_signature}) {
    to_sign += '\n';
    to_sign += part;
  }
  for (std::string_view part : rest) {
    to_sign += '\n';
    to_sign += part;
  }
  Digest sig = hmac(std::string_view(reinterpret_cast<const char*>(k.key.data()), k.key.size()), to_sign);
  return hex(sig.data(), sig.size());
}
}  // namespace

std::string sigv4_chunk_signature(const ChunkSigningKey& k, std::string_view previous_signature,
                                  std::string_view chunk_sha256_hex) {
  static const std::string kEmptyHash = sha256_hex("");
  return chained_signature("AWS4-HMAC-SHA256-PAYLOAD", k, previous_signature, {kEmptyHash, chunk_sha256_hex});
}

std::string sigv4_trailer_signature(const ChunkSigningKey& k, std::string_view previous_signature,
                                    std::string_view trailer_sha256_hex) {
  return chained_signature("AWS4-HMAC-SHA256-TRAILER", k, previous_signature, {trailer_sha256_hex});
}

bool sigv4_signatures_equal(std::string_view a, std::string_view b) {
  return a.size() == b.size() && CRYPTO_memcmp(a.data(), b.data(), a.size()) == 0;
}

std::string sigv4_sha256_hex(std::string_view data) { return sha256_hex(data); }

SigV4Signer::SigV4Signer(std::string access_key_id, std::string_view secret_access_key, std::string region,
                         std::string service)
    : secret_(secret_access_key) {
  credential_.access_key_id = std::move(access_key_id);
  credential_.region = std::move(region);
  credential_.service = std::move(service);
  credential_.terminator = std::string(kTerminator);
}

SigV4Signer::~SigV4Signer() {
  OPENSSL_cleanse(secret_.data(), secret_.size());
  OPENSSL_cleanse(key_.data(), key_.size());
}

std::string SigV4Signer::sign(net::HttpRequest& req, int64_t now_epoch_seconds) {
  return sign(req, now_epoch_seconds, sha256_hex(req.body));
}

std::string SigV4Signer::sign(net::HttpRequest& req, int64_t now_epoch_seconds, std::string_view payload_hash) {
  const std::string amz_date = format_basic(now_epoch_seconds);
  auto date =
      std::find_if(req.headers.begin(), req.headers.end(), [](const net::Header& h) { return h.name == "x-amz-date"; });
  if (date == req.headers.end()) {
    req.headers.push_back({"x-amz-date", amz_date});
  } else {
    date->value = amz_date;
  }
  SigV4Request auth;
  auth.credential.service = credential_.service;  // S3 signs its path differently
  for (const net::Header& h : req.headers) {
    if (h.name != "authorization") auth.signed_headers.push_back(h.name);
  }
  std::sort(auth.signed_headers.begin(), auth.signed_headers.end());
  auth.signed_headers.erase(std::unique(auth.signed_headers.begin(), auth.signed_headers.end()),
                            auth.signed_headers.end());

  const std::string_view day = std::string_view(amz_date).substr(0, 8);
  if (credential_.date != day) {
    credential_.date = std::string(day);
    Digest key = signing_key(secret_, credential_);
    std::copy(key.begin(), key.end(), key_.begin());
    OPENSSL_cleanse(key.data(), key.size());
  }
  const std::string scope = scope_of(credential_);
  std::string canonical = canonical_prefix(req, auth);
  canonical += payload_hash;
  Digest sig = hmac(std::string_view(reinterpret_cast<const char*>(key_.data()), key_.size()),
                    string_to_sign(amz_date, scope, canonical));

  std::string out(kAlgorithm);
  out += " Credential=";
  out += credential_.access_key_id;
  out += '/';
  out += scope;
  out += ", SignedHeaders=";
  for (std::size_t i = 0; i < auth.signed_headers.size(); ++i) {
    if (i) out += ';';
    out += auth.signed_headers[i];
  }
  out += ", Signature=";
  out += hex(sig.data(), sig.size());
  return out;
}

std::string sigv4_uri_encode(std::string_view s, bool keep_slash) { return uri_encode(s, keep_slash); }

}  // namespace runnel::protocol
