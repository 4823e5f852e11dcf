#include "s3/s3_client_response.h"

#include <charconv>

#include "protocol/iso8601.h"
#include "protocol/xml_dom.h"

namespace runnel::s3 {
namespace {

const protocol::XmlElement* child(const protocol::XmlElement& e, std::string_view name) {
  for (const auto& c : e.children)
    if (c.name == name) return &c;
  return nullptr;
}

std::string child_text(const protocol::XmlElement& e, std::string_view name) {
  const protocol::XmlElement* c = child(e, name);
  return c ? c->text : std::string();
}

Status malformed(std::string_view what, std::string_view why) {
  // A store that answers 200 with a body we cannot read is broken or not S3;
  // retrying is the caller's best chance.
  return Status::io_error("S3 answered " + std::string(what) + " with an unreadable body: " + std::string(why));
}

// The code S3 would have put in the body of an answer that has none (HEAD).
std::string code_for_status(long status) {
  switch (status) {
    case 301: return "PermanentRedirect";
    case 400: return "BadRequest";
    case 403: return "AccessDenied";
    case 404: return "NotFound";
    case 405: return "MethodNotAllowed";
    case 409: return "Conflict";
    case 500: return "InternalError";
    case 503: return "ServiceUnavailable";
    default: return "HTTP" + std::to_string(status);
  }
}

}  // namespace

std::optional<S3ClientError> parse_s3_client_error(std::string_view xml) {
  auto doc = protocol::parse_xml(xml);
  if (!doc || doc->name != "Error") return std::nullopt;
  return S3ClientError{child_text(*doc, "Code"), child_text(*doc, "Message")};
}

Status s3_client_error_status(long http_status, std::string_view body, std::string_view what) {
  S3ClientError err;
  if (auto parsed = parse_s3_client_error(body); parsed && !parsed->code.empty()) {
    err = std::move(*parsed);
  } else {
    err.code = code_for_status(http_status);
  }
  std::string text = std::string(what) + ": S3 " + err.code;
  if (!err.message.empty()) text += ": " + err.message;
  text += " (HTTP " + std::to_string(http_status) + ")";
  const std::string& c = err.code;
  if (c == "NoSuchBucket" || c == "NoSuchKey" || c == "NoSuchUpload" || http_status == 404) {
    return Status::not_found(std::move(text));
  }
  if (http_status >= 500 || c == "SlowDown" || c == "RequestTimeout" || c == "InternalError" ||
      c == "ServiceUnavailable" || http_status == 429) {
    return Status::io_error(std::move(text));
  }
  return Status::invalid_argument(std::move(text));
}

Status s3_client_network_status(std::string_view curl_error, std::string_view what) {
  return Status::io_error(std::string(what) + ": no answer from S3: " + std::string(curl_error));
}

Result<ListResult> parse_s3_client_list(std::string_view xml) {
  auto doc = protocol::parse_xml(xml);
  if (!doc) return error(malformed("ListObjectsV2", doc.error()));
  if (doc->name != "ListBucketResult") return error(malformed("ListObjectsV2", "root is <" + doc->name + ">"));
  ListResult out;
  for (const auto& c : doc->children) {
    if (c.name != "Contents") continue;
    ObjectInfo info;
    info.key = child_text(c, "Key");
    info.etag = child_text(c, "ETag");
    std::string size = child_text(c, "Size");
    auto [end, ec] = std::from_chars(size.data(), size.data() + size.size(), info.size);
    if (ec != std::errc() || end != size.data() + size.size()) {
      return error(malformed("ListObjectsV2", "Size '" + size + "' of '" + info.key + "'"));
    }
    std::string modified = child_text(c, "LastModified");
    auto ms = protocol::parse_iso8601(modified);
    if (!ms) return error(malformed("ListObjectsV2", "LastModified '" + modified + "' of '" + info.key + "'"));
    info.last_modified_ms = *ms;
    out.objects.push_back(std::move(info));
  }
  if (child_text(*doc, "IsTruncated") == "true" && !out.objects.empty()) out.next = out.objects.back().key;
  return out;
}

Result<std::string> parse_s3_client_upload_id(std::string_view xml) {
  auto doc = protocol::parse_xml(xml);
  if (!doc) return error(malformed("CreateMultipartUpload", doc.error()));
  std::string id = doc->name == "InitiateMultipartUploadResult" ? child_text(*doc, "UploadId") : "";
  if (id.empty()) return error(malformed("CreateMultipartUpload", "no UploadId"));
  return id;
}

Result<std::string> parse_s3_client_complete(std::string_view xml, std::string_view what) {
  auto doc = protocol::parse_xml(xml);
  if (!doc) return error(malformed("CompleteMultipartUpload", doc.error()));
  // 200 then <Error>: S3 failed after it started answering. The status was
  // 200, so map by the code alone (InternalError, SlowDown -> kIoError).
  if (doc->name == "Error") return error(s3_client_error_status(200, xml, what));
  if (doc->name != "CompleteMultipartUploadResult") {
    return error(malformed("CompleteMultipartUpload", "root is <" + doc->name + ">"));
  }
  return child_text(*doc, "ETag");
}

}  // namespace runnel::s3
