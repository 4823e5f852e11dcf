#include "bench/s3_objects.h"

#include <zlib.h>

#include <algorithm>
#include <charconv>

#include "protocol/sigv4.h"
#include "protocol/xml_dom.h"

namespace runnel::bench {

std::string list_objects_v2_target(std::string_view bucket, std::string_view continuation_token) {
  std::string out = "/" + protocol::sigv4_uri_encode(bucket, false) + "?list-type=2";
  if (!continuation_token.empty()) {
    out += "&continuation-token=";
    out += protocol::sigv4_uri_encode(continuation_token, false);
  }
  return out;
}

std::string object_target(std::string_view bucket, std::string_view key) {
  return "/" + protocol::sigv4_uri_encode(bucket, false) + "/" + protocol::sigv4_uri_encode(key, true);
}

namespace {

const protocol::XmlElement* child(const protocol::XmlElement& e, std::string_view name) {
  for (const protocol::XmlElement& c : e.children) {
    if (c.name == name) return &c;
  }
  return nullptr;
}

std::optional<ObjectListing> fail(std::string* why, std::string message) {
  if (why) *why = std::move(message);
  return std::nullopt;
}

}  // namespace

std::optional<ObjectListing> parse_list_objects_v2(std::string_view xml, std::string* why) {
  auto doc = protocol::parse_xml(xml);
  if (!doc) return fail(why, "not XML: " + doc.error());
  if (doc->name != "ListBucketResult") return fail(why, "the root is <" + doc->name + ">, not <ListBucketResult>");
  ObjectListing out;
  for (const protocol::XmlElement& c : doc->children) {
    if (c.name == "Contents") {
      const protocol::XmlElement* key = child(c, "Key");
      if (!key) return fail(why, "a <Contents> without <Key>");
      ListedObject o{key->text, 0};
      if (const protocol::XmlElement* size = child(c, "Size")) {
        const std::string& t = size->text;
        if (std::from_chars(t.data(), t.data() + t.size(), o.size).ec != std::errc()) {
          return fail(why, "a <Size> that is not a number: " + t);
        }
      }
      out.objects.push_back(std::move(o));
    } else if (c.name == "IsTruncated") {
      out.truncated = c.text == "true";
    } else if (c.name == "NextContinuationToken") {
      out.next_token = c.text;
    }
  }
  if (out.truncated && out.next_token.empty()) return fail(why, "a truncated page without <NextContinuationToken>");
  return out;
}

std::string s3_error_code(std::string_view xml) {
  auto doc = protocol::parse_xml(xml);
  if (!doc || doc->name != "Error") return {};
  const protocol::XmlElement* code = child(*doc, "Code");
  return code ? code->text : std::string();
}

std::optional<std::string> gunzip(std::string_view gz) {
  if (gz.size() < 2 || static_cast<unsigned char>(gz[0]) != 0x1f || static_cast<unsigned char>(gz[1]) != 0x8b) {
    return std::nullopt;
  }
  z_stream z{};
  if (inflateInit2(&z, 16 + MAX_WBITS) != Z_OK) return std::nullopt;
  std::string out;
  out.resize(std::max<size_t>(gz.size() * 4, 1 << 16));
  z.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(gz.data()));
  z.avail_in = static_cast<uInt>(gz.size());
  size_t produced = 0;
  bool ok = false;
  while (true) {
    if (produced == out.size()) out.resize(out.size() * 2);
    z.next_out = reinterpret_cast<Bytef*>(out.data() + produced);
    z.avail_out = static_cast<uInt>(std::min<size_t>(out.size() - produced, 1u << 30));
    const uInt before = z.avail_out;
    const int rc = inflate(&z, Z_NO_FLUSH);
    produced += before - z.avail_out;
    if (rc == Z_STREAM_END) {
      if (z.avail_in == 0) {
        ok = true;
        break;
      }
      // Another member follows.
      if (inflateReset(&z) != Z_OK) break;
      continue;
    }
    if (rc == Z_OK || (rc == Z_BUF_ERROR && z.avail_out == 0)) continue;
    break;  // damaged, or cut short (Z_BUF_ERROR with input used up)
  }
  inflateEnd(&z);
  if (!ok) return std::nullopt;
  out.resize(produced);
  return out;
}

size_t split_records(std::string_view object, size_t record_size, int64_t seen_us, ReceivedBatch& batch) {
  size_t at = 0;
  for (; record_size > 0 && object.size() - at >= record_size; at += record_size) {
    batch.add(object.substr(at, record_size), seen_us);
  }
  return object.size() - at;
}

}  // namespace runnel::bench
