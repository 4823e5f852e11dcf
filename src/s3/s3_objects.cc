// The S3 service's object operations: PutObject, GetObject, HeadObject,
// DeleteObject, DeleteObjects, CopyObject.
#include <algorithm>
#include <charconv>

#include "protocol/percent_decode.h"
#include "protocol/rest_xml.h"
#include "s3/s3_service.h"
#include "s3/s3_wire.h"

namespace runnel::s3 {

using protocol::Array;
using protocol::Object;
using protocol::OperationModel;
using protocol::OperationReply;
using protocol::RequestContext;
using protocol::Timestamp;
using protocol::Value;

namespace {

struct ByteRange {
  uint64_t first = 0, last = 0;  // inclusive
};

std::optional<uint64_t> parse_u64(std::string_view s) {
  uint64_t v = 0;
  if (s.empty()) return std::nullopt;
  auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (ec != std::errc() || p != s.data() + s.size()) return std::nullopt;
  return v;
}

// RFC 9110's single byte range against an object of `size` bytes: nullopt
// for the whole object (no Range, or one S3 ignores: malformed or several
// ranges), an error for an unsatisfiable one (InvalidRange, 416).
protocol::ApiResult<std::optional<ByteRange>> resolve_range(const std::string& header, uint64_t size) {
  std::string_view h = header;
  if (h.empty() || !h.starts_with("bytes=") || h.find(',') != std::string_view::npos) return std::optional<ByteRange>();
  h.remove_prefix(6);
  size_t dash = h.find('-');
  if (dash == std::string_view::npos) return std::optional<ByteRange>();
  std::string_view a = h.substr(0, dash), b = h.substr(dash + 1);
  auto unsatisfiable = [] { return fail("InvalidRange", "The requested range is not satisfiable"); };
  if (a.empty()) {  // bytes=-n: the last n bytes
    auto n = parse_u64(b);
    if (!n) return std::optional<ByteRange>();
    if (*n == 0 || size == 0) return unsatisfiable();
    return std::optional<ByteRange>(ByteRange{size - std::min(*n, size), size - 1});
  }
  auto first = parse_u64(a);
  if (!first) return std::optional<ByteRange>();
  std::optional<uint64_t> last = b.empty() ? std::optional<uint64_t>(UINT64_MAX) : parse_u64(b);
  if (!last || *last < *first) return std::optional<ByteRange>();
  if (*first >= size) return unsatisfiable();
  return std::optional<ByteRange>(ByteRange{*first, std::min(*last, size - 1)});
}

std::string bare(std::string_view etag) {
  while (!etag.empty() && etag.front() == ' ') etag.remove_prefix(1);
  while (!etag.empty() && etag.back() == ' ') etag.remove_suffix(1);
  if (etag.starts_with("W/")) etag.remove_prefix(2);
  if (etag.size() >= 2 && etag.front() == '"' && etag.back() == '"') etag = etag.substr(1, etag.size() - 2);
  return std::string(etag);
}

bool etag_matches(const std::string& list, const std::string& etag) {
  std::string_view rest = list;
  while (!rest.empty()) {
    size_t comma = rest.find(',');
    std::string item = bare(rest.substr(0, comma));
    if (item == "*" || item == bare(etag)) return true;
    rest = comma == std::string_view::npos ? std::string_view() : rest.substr(comma + 1);
  }
  return false;
}

std::optional<int64_t> time_member(const Value& in, std::string_view name) {
  const Value* v = in.find(name);
  if (v && v->is_timestamp()) return v->as_timestamp().millis;
  return std::nullopt;
}

// If-Match, If-Unmodified-Since (412) then If-None-Match, If-Modified-Since
// (304), as RFC 9110 orders them. Times compare in whole seconds (HTTP dates).
std::optional<int> precondition_status(const Value& in, const ObjectMeta& m) {
  int64_t modified_s = m.info.last_modified_ms / 1000;
  std::string if_match = str(in, "IfMatch"), if_none = str(in, "IfNoneMatch");
  if (!if_match.empty()) {
    if (!etag_matches(if_match, m.info.etag)) return 412;
  } else if (auto t = time_member(in, "IfUnmodifiedSince"); t && modified_s > *t / 1000) {
    return 412;
  }
  if (!if_none.empty()) {
    if (etag_matches(if_none, m.info.etag)) return 304;
  } else if (auto t = time_member(in, "IfModifiedSince"); t && modified_s <= *t / 1000) {
    return 304;
  }
  return std::nullopt;
}

// The headers GetObject and HeadObject share.
Value object_headers(const Value& in, const ObjectMeta& m) {
  Value out = Object{};
  out.set("AcceptRanges", "bytes");
  out.set("ContentLength", static_cast<int64_t>(m.info.size));
  out.set("ContentType", str(in, "ResponseContentType", m.content_type));
  std::string encoding = str(in, "ResponseContentEncoding", m.content_encoding);
  if (!encoding.empty()) out.set("ContentEncoding", encoding);
  out.set("ETag", m.info.etag);
  out.set("LastModified", Timestamp{m.info.last_modified_ms});
  if (!m.metadata.empty()) out.set("Metadata", metadata_value(m.metadata));
  return out;
}

void get_or_head(EmbeddedStore& store, Value in, bool with_body, OperationReply reply) {
  store.run([&store, in = std::move(in), with_body, reply = std::move(reply)] {
    auto obj = store.open_object(str(in, "Bucket"), str(in, "Key"));
    if (!obj) return reply(fail(obj.error()));
    const ObjectMeta& m = (*obj)->meta;
    if (auto status = precondition_status(in, m)) {
      if (*status == 412)
        return reply(fail("PreconditionFailed", "At least one of the pre-conditions you specified did not hold"));
      Value out = Object{};
      out.set("ETag", m.info.etag);
      out.set("LastModified", Timestamp{m.info.last_modified_ms});
      out.set(std::string(protocol::kRestXmlStatusOverride), int64_t{304});
      return reply(std::move(out));
    }
    Value out = object_headers(in, m);
    auto range = resolve_range(str(in, "Range"), m.info.size);
    if (!range) return reply(std::unexpected(range.error()));
    uint64_t first = 0, length = m.info.size;
    if (*range) {
      first = (*range)->first;
      length = (*range)->last - first + 1;
      out.set("ContentLength", static_cast<int64_t>(length));
      out.set("ContentRange", "bytes " + std::to_string(first) + "-" + std::to_string((*range)->last) + "/" +
                                  std::to_string(m.info.size));
      out.set(std::string(protocol::kRestXmlStatusOverride), int64_t{206});
    }
    if (with_body) {
      // The answer's body is one string: the object (or range) is read whole.
      auto bytes = (*obj)->read(first, length);
      if (!bytes) return reply(fail(bytes.error()));
      out.set("Body", protocol::Blob{std::move(*bytes)});
    }
    reply(std::move(out));
  });
}

// x-amz-copy-source: "bucket/key" or "/bucket/key", percent-encoded, maybe
// with "?versionId=...".
std::optional<std::pair<std::string, std::string>> copy_source(const std::string& header) {
  std::string_view s = header;
  if (size_t q = s.find('?'); q != std::string_view::npos) s = s.substr(0, q);
  auto decoded = protocol::percent_decode(s);
  if (!decoded) return std::nullopt;
  std::string_view d = *decoded;
  if (d.starts_with('/')) d.remove_prefix(1);
  size_t slash = d.find('/');
  if (slash == std::string_view::npos || slash == 0 || slash + 1 == d.size()) return std::nullopt;
  return std::pair{std::string(d.substr(0, slash)), std::string(d.substr(slash + 1))};
}

}  // namespace

void S3Service::add_object_operations(protocol::OperationTable& table) {
  on(table, "PutObject", [this](const OperationModel&, Value in, const RequestContext& ctx, OperationReply reply) {
    std::string bucket = str(in, "Bucket"), key = str(in, "Key");
    if (auto e = check_key(key)) return reply(std::unexpected(*e));
    auto md5 = content_md5(in);
    if (!md5) return reply(std::unexpected(md5.error()));
    // A missing bucket is answered before the body is read.
    if (auto b = store_.find_bucket(bucket); !b) return reply(fail(b.error()));
    ObjectMeta meta = object_meta_of(in, key);
    receive_payload(store_, in, "Body", ctx, std::move(*md5),
                    [this, bucket, meta = std::move(meta), reply](auto blob) mutable {
                      if (!blob) return reply(std::unexpected(blob.error()));
                      auto stored = store_.commit_object(bucket, std::move(meta), std::move(*blob));
                      if (!stored) return reply(fail(stored.error()));
                      Value out = Object{};
                      out.set("ETag", stored->info.etag);
                      reply(std::move(out));
                    });
  });
  on(table, "GetObject", [this](const OperationModel&, Value in, const RequestContext&, OperationReply reply) {
    get_or_head(store_, std::move(in), true, std::move(reply));
  });
  on(table, "HeadObject", [this](const OperationModel&, Value in, const RequestContext&, OperationReply reply) {
    get_or_head(store_, std::move(in), false, std::move(reply));
  });
  on(table, "DeleteObject", [this](const OperationModel&, Value in, const RequestContext&, OperationReply reply) {
    store_.run([this, in = std::move(in), reply = std::move(reply)] {
      if (Status s = store_.delete_object(str(in, "Bucket"), str(in, "Key")); !s) return reply(fail(s));
      reply(Value(Object{}));
    });
  });
  on(table, "DeleteObjects", [this](const OperationModel&, Value in, const RequestContext&, OperationReply reply) {
    const Value* del = in.find("Delete");
    const Value* objects = del ? del->find("Object") : nullptr;
    if (!objects || !objects->is_array() || objects->as_array().empty() || objects->as_array().size() > 1000)
      return reply(fail("MalformedXML",
                        "The XML you provided was not well-formed or did not validate against our published schema."));
    const Value* quiet = del->find("Quiet");
    store_.run(
        [this, in = std::move(in), quiet = quiet && quiet->is_bool() && quiet->as_bool(), reply = std::move(reply)] {
          std::string bucket = str(in, "Bucket");
          if (auto b = store_.find_bucket(bucket); !b) return reply(fail(b.error()));
          Array deleted, errors;
          for (const Value& o : in.find("Delete")->find("Object")->as_array()) {
            std::string key = str(o, "Key");
            Status s = key.empty() ? Status::invalid_argument("UserKeyMustBeSpecified: The key must be specified")
                                   : store_.delete_object(bucket, key);
            if (s) {
              if (quiet) continue;
              Value d = Object{};
              d.set("Key", key);
              deleted.push_back(std::move(d));
            } else {
              auto [code, message] = s3_error_code(s);
              Value e = Object{};
              e.set("Key", key);
              e.set("Code", code);
              e.set("Message", message);
              errors.push_back(std::move(e));
            }
          }
          Value out = Object{};
          if (!deleted.empty()) out.set("Deleted", std::move(deleted));
          if (!errors.empty()) out.set("Errors", std::move(errors));
          reply(std::move(out));
        });
  });
  on(table, "CopyObject", [this](const OperationModel&, Value in, const RequestContext&, OperationReply reply) {
    auto src = copy_source(str(in, "CopySource"));
    if (!src)
      return reply(
          fail("InvalidArgument", "Copy Source must mention the source bucket and key: sourcebucket/sourcekey"));
    std::string directive = str(in, "MetadataDirective", "COPY");
    if (directive != "COPY" && directive != "REPLACE")
      return reply(fail("InvalidArgument", "Unknown metadata directive."));
    std::string bucket = str(in, "Bucket"), key = str(in, "Key");
    if (auto e = check_key(key)) return reply(std::unexpected(*e));
    if (src->first == bucket && src->second == key && directive == "COPY")
      return reply(fail("InvalidRequest",
                        "This copy request is illegal because it is trying to copy an object to itself without "
                        "changing the object's metadata, storage class, website redirect location or encryption "
                        "attributes."));
    std::optional<ObjectMeta> replace;
    if (directive == "REPLACE") replace = object_meta_of(in, key);
    store_.run([this, src = *src, bucket, key, replace = std::move(replace), reply = std::move(reply)] {
      auto copied = store_.copy_object(src.first, src.second, bucket, key, replace);
      if (!copied) return reply(fail(copied.error()));
      Value result = Object{};
      result.set("ETag", copied->info.etag);
      result.set("LastModified", Timestamp{copied->info.last_modified_ms});
      Value out = Object{};
      out.set("CopyObjectResult", std::move(result));
      reply(std::move(out));
    });
  });
}

}  // namespace runnel::s3
