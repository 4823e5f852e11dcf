#include "s3/s3_client_request.h"

#include <openssl/evp.h>

#include <algorithm>
#include <array>
#include <cctype>

#include "protocol/base64.h"
#include "protocol/sigv4.h"
#include "protocol/xml_dom.h"

namespace runnel::s3 {
namespace {

std::string encode(std::string_view s, bool keep_slash) { return protocol::sigv4_uri_encode(s, keep_slash); }

std::string object_path(std::string_view bucket, std::string_view key) {
  return "/" + encode(bucket, false) + "/" + encode(key, true);
}

std::string describe(std::string_view op, std::string_view bucket, std::string_view key) {
  std::string out(op);
  out += ' ';
  out += bucket;
  if (!key.empty()) {
    out += '/';
    out += key;
  }
  return out;
}

// The headers an object carries, shared by PutObject and CreateMultipartUpload.
void add_object_headers(const PutObjectRequest& req, S3ClientRequest& out) {
  out.headers.push_back({"content-type", req.content_type.empty() ? "application/octet-stream" : req.content_type});
  if (!req.content_encoding.empty()) out.headers.push_back({"content-encoding", req.content_encoding});
  for (const auto& [name, value] : req.metadata) {
    std::string lower = "x-amz-meta-";
    for (char c : name) lower.push_back(static_cast<char>(std::tolower(static_cast<unsigned char>(c))));
    out.headers.push_back({std::move(lower), value});
  }
}

}  // namespace

Result<S3ClientEndpoint> parse_s3_client_endpoint(std::string_view url) {
  auto bad = [&](std::string_view why) {
    return error(Status::invalid_argument("S3 endpoint '" + std::string(url) + "': " + std::string(why) +
                                          " (expected http://host[:port] or https://host[:port])"));
  };
  S3ClientEndpoint out;
  std::string_view rest;
  if (url.starts_with("http://")) {
    out.scheme = "http";
    rest = url.substr(7);
  } else if (url.starts_with("https://")) {
    out.scheme = "https";
    rest = url.substr(8);
  } else {
    return bad("the scheme is not http or https");
  }
  if (rest.ends_with('/')) rest.remove_suffix(1);
  if (rest.empty()) return bad("no host");
  if (rest.find_first_of("/?#@ ") != std::string_view::npos) return bad("only a host and port may follow the scheme");
  std::string_view host = rest, port;
  if (rest.front() == '[') {  // IPv6 literal
    std::size_t close = rest.find(']');
    if (close == std::string_view::npos) return bad("unclosed '[' in the host");
    host = rest.substr(0, close + 1);
    std::string_view after = rest.substr(close + 1);
    if (!after.empty()) {
      if (after.front() != ':') return bad("junk after the IPv6 address");
      port = after.substr(1);
    }
  } else if (std::size_t colon = rest.rfind(':'); colon != std::string_view::npos) {
    host = rest.substr(0, colon);
    port = rest.substr(colon + 1);
    if (host.empty()) return bad("no host");
  }
  if (!port.empty() || rest.ends_with(':')) {
    if (port.empty() || port.size() > 5 ||
        !std::all_of(port.begin(), port.end(), [](char c) { return c >= '0' && c <= '9'; }) ||
        std::stoi(std::string(port)) > 65535 || std::stoi(std::string(port)) == 0) {
      return bad("the port is not a number from 1 to 65535");
    }
  }
  bool default_port = (out.scheme == "http" && port == "80") || (out.scheme == "https" && port == "443");
  out.authority = std::string(host);
  if (!port.empty() && !default_port) out.authority += ":" + std::string(port);
  return out;
}

std::string s3_client_encode_path(std::string_view key) { return encode(key, true); }
std::string s3_client_encode_query(std::string_view value) { return encode(value, false); }

S3ClientRequest s3_client_put_object(const PutObjectRequest& req, std::shared_ptr<const std::string> owner) {
  S3ClientRequest out;
  out.method = "PUT";
  out.path = object_path(req.bucket, req.key);
  out.what = describe("PutObject", req.bucket, req.key);
  add_object_headers(req, out);
  out.owner = std::move(owner);
  out.body = *out.owner;
  out.headers.push_back({"content-md5", s3_client_content_md5(out.body)});
  return out;
}

S3ClientRequest s3_client_get_object(std::string_view bucket, std::string_view key) {
  S3ClientRequest out;
  out.method = "GET";
  out.path = object_path(bucket, key);
  out.what = describe("GetObject", bucket, key);
  return out;
}

S3ClientRequest s3_client_head_bucket(std::string_view bucket) {
  S3ClientRequest out;
  out.method = "HEAD";
  out.path = "/" + encode(bucket, false);
  out.what = describe("HeadBucket", bucket, "");
  return out;
}

S3ClientRequest s3_client_list_objects(std::string_view bucket, std::string_view prefix, std::string_view after,
                                       int max_keys) {
  S3ClientRequest out;
  out.method = "GET";
  out.path = "/" + encode(bucket, false);
  out.what = describe("ListObjectsV2", bucket, "");
  // Keys in query order (sorted, as the canonical query is; any order works).
  out.query = "list-type=2&max-keys=" + std::to_string(std::clamp(max_keys, 0, 1000));
  if (!prefix.empty()) out.query += "&prefix=" + encode(prefix, false);
  if (!after.empty()) out.query += "&start-after=" + encode(after, false);
  return out;
}

S3ClientRequest s3_client_create_multipart(const PutObjectRequest& req) {
  S3ClientRequest out;
  out.method = "POST";
  out.path = object_path(req.bucket, req.key);
  out.query = "uploads";
  out.what = describe("CreateMultipartUpload", req.bucket, req.key);
  add_object_headers(req, out);
  return out;
}

S3ClientRequest s3_client_upload_part(std::string_view bucket, std::string_view key, std::string_view upload_id,
                                      int part_number, std::shared_ptr<const std::string> owner, size_t offset,
                                      size_t size) {
  S3ClientRequest out;
  out.method = "PUT";
  out.path = object_path(bucket, key);
  out.query = "partNumber=" + std::to_string(part_number) + "&uploadId=" + encode(upload_id, false);
  out.what = describe("UploadPart " + std::to_string(part_number) + " of", bucket, key);
  out.owner = std::move(owner);
  out.body = std::string_view(*out.owner).substr(offset, size);
  out.headers.push_back({"content-md5", s3_client_content_md5(out.body)});
  return out;
}

S3ClientRequest s3_client_complete_multipart(std::string_view bucket, std::string_view key, std::string_view upload_id,
                                             const std::vector<std::string>& etags) {
  S3ClientRequest out;
  out.method = "POST";
  out.path = object_path(bucket, key);
  out.query = "uploadId=" + encode(upload_id, false);
  out.what = describe("CompleteMultipartUpload", bucket, key);
  out.headers.push_back({"content-type", "application/xml"});
  std::string body = R"(<CompleteMultipartUpload xmlns="http://s3.amazonaws.com/doc/2006-03-01/">)";
  for (std::size_t i = 0; i < etags.size(); ++i) {
    body += "<Part><PartNumber>" + std::to_string(i + 1) + "</PartNumber><ETag>";
    protocol::append_xml_escaped(etags[i], body);
    body += "</ETag></Part>";
  }
  body += "</CompleteMultipartUpload>";
  out.set_own_body(std::move(body));
  return out;
}

S3ClientRequest s3_client_abort_multipart(std::string_view bucket, std::string_view key, std::string_view upload_id) {
  S3ClientRequest out;
  out.method = "DELETE";
  out.path = object_path(bucket, key);
  out.query = "uploadId=" + encode(upload_id, false);
  out.what = describe("AbortMultipartUpload", bucket, key);
  return out;
}

void sign_s3_client_request(S3ClientRequest& req, protocol::SigV4Signer& signer, std::string_view authority,
                            std::string_view session_token, int64_t now_epoch_seconds) {
  std::erase_if(req.headers, [](const net::Header& h) {
    return h.name == "host" || h.name == "x-amz-content-sha256" || h.name == "x-amz-security-token" ||
           h.name == "x-amz-date" || h.name == "authorization";
  });
  if (req.payload_sha256.empty()) req.payload_sha256 = protocol::sigv4_sha256_hex(req.body);
  const std::string& payload_hash = req.payload_sha256;
  req.headers.push_back({"host", std::string(authority)});
  req.headers.push_back({"x-amz-content-sha256", payload_hash});
  if (!session_token.empty()) req.headers.push_back({"x-amz-security-token", std::string(session_token)});
  net::HttpRequest http;
  http.method = req.method;
  http.path = req.path;
  http.query = req.query;
  http.headers = std::move(req.headers);
  std::string authorization = signer.sign(http, now_epoch_seconds, payload_hash);
  req.headers = std::move(http.headers);  // now with x-amz-date
  req.headers.push_back({"authorization", std::move(authorization)});
}

std::string s3_client_header_problem(std::string_view name, std::string_view value) {
  auto bad = [](std::string_view s) {
    return s.find_first_of(std::string_view("\r\n\0", 3)) != std::string_view::npos;
  };
  if (name.empty() || bad(name) || name.find_first_of(" :\t") != std::string_view::npos) {
    return "the header name '" + std::string(name) + "' is not a token";
  }
  if (bad(value)) return "the value of header " + std::string(name) + " holds a line break or NUL";
  return "";
}

std::string s3_client_content_md5(std::string_view bytes) {
  std::array<unsigned char, 16> digest{};
  unsigned int len = 0;
  EVP_Digest(bytes.data(), bytes.size(), digest.data(), &len, EVP_md5(), nullptr);
  return protocol::base64_encode(std::string_view(reinterpret_cast<const char*>(digest.data()), digest.size()));
}

}  // namespace runnel::s3
