// The S3 service's multipart uploads: CreateMultipartUpload, UploadPart,
// CompleteMultipartUpload, AbortMultipartUpload, ListParts,
// ListMultipartUploads.
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

Value initiator() {
  Value o = Object{};
  o.set("DisplayName", "runnel");
  o.set("ID", "75aa57f09aa0c8caeab4f8c24e99d10f8e7faeebf76c078efc7c6caea54ba06a");
  return o;
}

std::unexpected<protocol::ApiError> malformed_xml() {
  return fail("MalformedXML",
              "The XML you provided was not well-formed or did not validate against our published schema.");
}

}  // namespace

void S3Service::add_multipart_operations(protocol::OperationTable& table) {
  on(table, "CreateMultipartUpload",
     [this](const OperationModel&, Value in, const RequestContext&, OperationReply reply) {
       std::string bucket = str(in, "Bucket"), key = str(in, "Key");
       if (auto e = check_key(key)) return reply(std::unexpected(*e));
       store_.run([this, bucket, key, meta = object_meta_of(in, key), reply = std::move(reply)] {
         auto id = store_.create_upload(bucket, meta);
         if (!id) return reply(fail(id.error()));
         Value out = Object{};
         out.set("Bucket", bucket);
         out.set("Key", key);
         out.set("UploadId", *id);
         reply(std::move(out));
       });
     });
  on(table, "UploadPart", [this](const OperationModel&, Value in, const RequestContext& ctx, OperationReply reply) {
    std::string bucket = str(in, "Bucket"), key = str(in, "Key"), upload = str(in, "UploadId");
    auto number = int_member(in, "PartNumber");
    if (!number || *number < 1 || *number > 10000)
      return reply(fail("InvalidArgument", "Part number must be an integer between 1 and 10000, inclusive"));
    auto md5 = content_md5(in);
    if (!md5) return reply(std::unexpected(md5.error()));
    // An unknown upload is answered before the body is read.
    if (auto u = store_.find_upload(bucket, key, upload); !u) return reply(fail(u.error()));
    receive_payload(store_, in, "Body", ctx, std::move(*md5),
                    [this, bucket, key, upload, number = static_cast<int>(*number), reply](auto blob) mutable {
                      if (!blob) return reply(std::unexpected(blob.error()));
                      auto part = store_.commit_part(bucket, key, upload, number, std::move(*blob));
                      if (!part) return reply(fail(part.error()));
                      Value out = Object{};
                      out.set("ETag", part->etag);
                      reply(std::move(out));
                    });
  });
  on(table, "CompleteMultipartUpload",
     [this](const OperationModel&, Value in, const RequestContext&, OperationReply reply) {
       const Value* doc = in.find("CompleteMultipartUpload");
       const Value* parts = doc ? doc->find("Part") : nullptr;
       if (!parts || !parts->is_array() || parts->as_array().empty()) return reply(malformed_xml());
       std::vector<std::pair<int, std::string>> wanted;
       for (const Value& p : parts->as_array()) {
         auto number = int_member(p, "PartNumber");
         std::string etag = str(p, "ETag");
         if (!number || etag.empty()) return reply(malformed_xml());
         wanted.emplace_back(static_cast<int>(*number), etag);
       }
       store_.run([this, in = std::move(in), wanted = std::move(wanted), reply = std::move(reply)] {
         std::string bucket = str(in, "Bucket"), key = str(in, "Key");
         auto done = store_.complete_upload(bucket, key, str(in, "UploadId"), wanted);
         if (!done) return reply(fail(done.error()));
         Value out = Object{};
         out.set("Location", "/" + bucket + "/" + key);
         out.set("Bucket", bucket);
         out.set("Key", key);
         out.set("ETag", done->info.etag);
         reply(std::move(out));
       });
     });
  on(table, "AbortMultipartUpload",
     [this](const OperationModel&, Value in, const RequestContext&, OperationReply reply) {
       store_.run([this, in = std::move(in), reply = std::move(reply)] {
         Status s = store_.abort_upload(str(in, "Bucket"), str(in, "Key"), str(in, "UploadId"));
         if (!s) return reply(fail(s));
         reply(Value(Object{}));
       });
     });
  on(table, "ListParts", [this](const OperationModel&, Value in, const RequestContext&, OperationReply reply) {
    store_.run([this, in = std::move(in), reply = std::move(reply)] {
      std::string bucket = str(in, "Bucket"), key = str(in, "Key"), upload = str(in, "UploadId");
      auto parts = store_.list_parts(bucket, key, upload);
      if (!parts) return reply(fail(parts.error()));
      int64_t max = std::clamp<int64_t>(int_member(in, "MaxParts").value_or(1000), 0, 1000);
      int64_t marker = int_member(in, "PartNumberMarker").value_or(0);
      Array list;
      bool truncated = false;
      int64_t last = 0;
      for (const PartInfo& p : *parts) {
        if (p.part_number <= marker) continue;
        if (static_cast<int64_t>(list.size()) >= max) {
          truncated = true;
          break;
        }
        Value item = Object{};
        item.set("PartNumber", static_cast<int64_t>(p.part_number));
        item.set("LastModified", Timestamp{p.last_modified_ms});
        item.set("ETag", p.etag);
        item.set("Size", static_cast<int64_t>(p.size));
        list.push_back(std::move(item));
        last = p.part_number;
      }
      Value out = Object{};
      out.set("Bucket", bucket);
      out.set("Key", key);
      out.set("UploadId", upload);
      out.set("PartNumberMarker", marker);
      out.set("NextPartNumberMarker", last);
      out.set("MaxParts", max);
      out.set("IsTruncated", truncated);
      if (!list.empty()) out.set("Parts", std::move(list));
      out.set("Initiator", initiator());
      out.set("Owner", initiator());
      out.set("StorageClass", "STANDARD");
      reply(std::move(out));
    });
  });
  on(table, "ListMultipartUploads",
     [this](const OperationModel&, Value in, const RequestContext&, OperationReply reply) {
       store_.run([this, in = std::move(in), reply = std::move(reply)] {
         std::string bucket = str(in, "Bucket"), prefix = str(in, "Prefix");
         auto uploads = store_.list_uploads(bucket, prefix);
         if (!uploads) return reply(fail(uploads.error()));
         int64_t max = std::clamp<int64_t>(int_member(in, "MaxUploads").value_or(1000), 0, 1000);
         Array list;
         bool truncated = false;
         for (const UploadInfo& u : *uploads) {
           if (static_cast<int64_t>(list.size()) >= max) {
             truncated = true;
             break;
           }
           Value item = Object{};
           item.set("UploadId", u.upload_id);
           item.set("Key", u.key);
           item.set("Initiated", Timestamp{u.initiated_ms});
           item.set("StorageClass", "STANDARD");
           item.set("Owner", initiator());
           item.set("Initiator", initiator());
           list.push_back(std::move(item));
         }
         Value out = Object{};
         out.set("Bucket", bucket);
         out.set("Prefix", prefix);
         out.set("MaxUploads", max);
         out.set("IsTruncated", truncated);
         if (!list.empty()) out.set("Upload", std::move(list));
         reply(std::move(out));
       });
     });
}

}  // namespace runnel::s3
