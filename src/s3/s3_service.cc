#include "s3/s3_service.h"

#include "protocol/base64.h"
#include "protocol/rest_xml.h"
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

constexpr int kMaxKeys = 1000;

Value owner() {
  Value o = Object{};
  o.set("DisplayName", "runnel");
  o.set("ID", "75aa57f09aa0c8caeab4f8c24e99d10f8e7faeebf76c078efc7c6caea54ba06a");
  return o;
}

// S3's encoding-type=url: every byte but unreserved characters and '/' as %XX.
std::string url_encode(std::string_view s) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string out;
  for (unsigned char c : s) {
    if ((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '.' ||
        c == '_' || c == '~' || c == '/') {
      out += static_cast<char>(c);
    } else {
      out += '%';
      out += kHex[c >> 4];
      out += kHex[c & 15];
    }
  }
  return out;
}

// max-keys: 0..1000 (S3 caps larger values at 1000); negative is S3's InvalidArgument.
protocol::ApiResult<int> max_keys_of(const Value& in, std::string_view member) {
  auto v = int_member(in, member);
  if (!v) return kMaxKeys;
  if (*v < 0) return fail("InvalidArgument", "Provided max-keys not an integer or within integer range");
  return static_cast<int>(std::min<int64_t>(*v, kMaxKeys));
}

// The listing's body members shared by ListObjects and ListObjectsV2.
// ListObjects (v1) always names each object's owner; ListObjectsV2 when asked (fetch-owner).
void fill_listing(Value& out, const ListPage& page, const ListQuery& q, const std::string& bucket, bool url,
                  bool with_owner) {
  auto enc = [url](const std::string& s) { return url ? url_encode(s) : s; };
  Array contents;
  for (const ObjectInfo& o : page.objects) {
    Value item = Object{};
    item.set("Key", enc(o.key));
    item.set("LastModified", Timestamp{o.last_modified_ms});
    item.set("ETag", o.etag);
    item.set("Size", static_cast<int64_t>(o.size));
    item.set("StorageClass", "STANDARD");
    if (with_owner) item.set("Owner", owner());
    contents.push_back(std::move(item));
  }
  Array prefixes;
  for (const std::string& p : page.common_prefixes) {
    Value item = Object{};
    item.set("Prefix", enc(p));
    prefixes.push_back(std::move(item));
  }
  out.set("IsTruncated", page.truncated);
  if (!contents.empty()) out.set("Contents", std::move(contents));
  out.set("Name", bucket);
  out.set("Prefix", enc(q.prefix));
  if (!q.delimiter.empty()) out.set("Delimiter", enc(q.delimiter));
  out.set("MaxKeys", static_cast<int64_t>(q.max_keys));
  if (!prefixes.empty()) out.set("CommonPrefixes", std::move(prefixes));
  if (url) out.set("EncodingType", "url");
}

protocol::ApiResult<bool> url_encoding(const Value& in) {
  std::string e = str(in, "EncodingType");
  if (e.empty()) return false;
  if (e != "url") return fail("InvalidArgument", "Invalid Encoding Method specified in Request");
  return true;
}

}  // namespace

protocol::OperationTable S3Service::operations() {
  protocol::OperationTable table(s3_model());
  add_bucket_operations(table);
  add_object_operations(table);
  add_multipart_operations(table);
  table.otherwise([](const OperationModel& op, Value, const RequestContext&, OperationReply reply) {
    reply(fail("NotImplemented", std::string(op.name) +
                                     " is not implemented by runnel's embedded S3 store (docs/s3.md lists the "
                                     "operations it serves)."));
  });
  return table;
}

void S3Service::add_bucket_operations(protocol::OperationTable& table) {
  on(table, "CreateBucket", [this](const OperationModel&, Value in, const RequestContext&, OperationReply reply) {
    store_.run([this, bucket = str(in, "Bucket"), reply = std::move(reply)] {
      if (Status s = store_.create_bucket(bucket); !s) return reply(fail(s));
      Value out = Object{};
      out.set("Location", "/" + bucket);
      reply(std::move(out));
    });
  });
  on(table, "HeadBucket", [this](const OperationModel&, Value in, const RequestContext& ctx, OperationReply reply) {
    store_.run([this, bucket = str(in, "Bucket"), region = ctx.region, reply = std::move(reply)] {
      if (auto b = store_.find_bucket(bucket); !b) return reply(fail(b.error()));
      Value out = Object{};
      out.set("BucketRegion", region);
      reply(std::move(out));
    });
  });
  on(table, "GetBucketLocation",
     [this](const OperationModel&, Value in, const RequestContext& ctx, OperationReply reply) {
       store_.run([this, bucket = str(in, "Bucket"), region = ctx.region, reply = std::move(reply)] {
         if (auto b = store_.find_bucket(bucket); !b) return reply(fail(b.error()));
         Value out = Object{};
         // us-east-1 is S3's empty LocationConstraint.
         if (region != "us-east-1") out.set("LocationConstraint", region);
         reply(std::move(out));
       });
     });
  on(table, "ListBuckets", [this](const OperationModel&, Value, const RequestContext&, OperationReply reply) {
    store_.run([this, reply = std::move(reply)] {
      auto buckets = store_.list_buckets();
      if (!buckets) return reply(fail(buckets.error()));
      Array list;
      for (const BucketInfo& b : *buckets) {
        Value item = Object{};
        item.set("Name", b.name);
        item.set("CreationDate", Timestamp{b.created_ms});
        list.push_back(std::move(item));
      }
      Value out = Object{};
      out.set("Buckets", std::move(list));
      out.set("Owner", owner());
      reply(std::move(out));
    });
  });
  on(table, "DeleteBucket", [this](const OperationModel&, Value in, const RequestContext&, OperationReply reply) {
    store_.run([this, bucket = str(in, "Bucket"), reply = std::move(reply)] {
      if (Status s = store_.delete_bucket(bucket); !s) return reply(fail(s));
      reply(Value(Object{}));
    });
  });
  on(table, "ListObjectsV2", [this](const OperationModel&, Value in, const RequestContext&, OperationReply reply) {
    auto url = url_encoding(in);
    if (!url) return reply(std::unexpected(url.error()));
    auto max = max_keys_of(in, "MaxKeys");
    if (!max) return reply(std::unexpected(max.error()));
    ListQuery q{str(in, "Prefix"), str(in, "Delimiter"), str(in, "StartAfter"), *max};
    std::string token = str(in, "ContinuationToken");
    if (!token.empty()) {
      auto after = protocol::base64_decode(token);
      if (!after) return reply(fail("InvalidArgument", "The continuation token provided is incorrect"));
      q.after = std::max(q.after, *after);
    }
    store_.run([this, in = std::move(in), q, token, url = *url, reply = std::move(reply)] {
      std::string bucket = str(in, "Bucket");
      auto page = store_.list(bucket, q);
      if (!page) return reply(fail(page.error()));
      Value out = Object{};
      const Value* fetch_owner = in.find("FetchOwner");
      fill_listing(out, *page, q, bucket, url, fetch_owner && fetch_owner->is_bool() && fetch_owner->as_bool());
      out.set("KeyCount", static_cast<int64_t>(page->objects.size() + page->common_prefixes.size()));
      if (!token.empty()) out.set("ContinuationToken", token);
      if (page->truncated) out.set("NextContinuationToken", protocol::base64_encode(page->last));
      if (in.find("StartAfter")) out.set("StartAfter", url ? url_encode(str(in, "StartAfter")) : str(in, "StartAfter"));
      reply(std::move(out));
    });
  });
  on(table, "ListObjects", [this](const OperationModel&, Value in, const RequestContext&, OperationReply reply) {
    auto url = url_encoding(in);
    if (!url) return reply(std::unexpected(url.error()));
    auto max = max_keys_of(in, "MaxKeys");
    if (!max) return reply(std::unexpected(max.error()));
    ListQuery q{str(in, "Prefix"), str(in, "Delimiter"), str(in, "Marker"), *max};
    store_.run([this, bucket = str(in, "Bucket"), q, url = *url, reply = std::move(reply)] {
      auto page = store_.list(bucket, q);
      if (!page) return reply(fail(page.error()));
      Value out = Object{};
      fill_listing(out, *page, q, bucket, url, true);
      out.set("Marker", url ? url_encode(q.after) : q.after);
      // S3 gives NextMarker only with a delimiter; clients use the last key otherwise.
      if (page->truncated && !q.delimiter.empty()) out.set("NextMarker", url ? url_encode(page->last) : page->last);
      reply(std::move(out));
    });
  });
}

}  // namespace runnel::s3
