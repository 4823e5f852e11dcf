#include "protocol/rest_xml.h"

#include <gtest/gtest.h>

#include <map>

#include "protocol/credentials.h"
#include "protocol/sigv4.h"
#include "protocol/test_models.h"
#include "protocol/validator.h"
#include "protocol/xml_dom.h"

namespace runnel::protocol {
namespace {

net::HttpRequest request(std::string method, std::string path, std::string query = "",
                         std::vector<net::Header> headers = {}) {
  net::HttpRequest r;
  r.method = std::move(method);
  r.path = std::move(path);
  r.query = std::move(query);
  r.headers = std::move(headers);
  return r;
}

// ---- The XML reader.

TEST(XmlDom, ReadsElementsTextAndAttributesWithLocalNames) {
  auto doc = parse_xml(
      R"(<?xml version="1.0" encoding="UTF-8"?>)"
      R"(<s3:Tagging xmlns:s3="urn:x" a="1"><s3:TagSet><Tag><Key>k &amp; &lt;</Key></Tag></s3:TagSet></s3:Tagging>)");
  ASSERT_TRUE(doc.has_value()) << doc.error();
  EXPECT_EQ(doc->name, "Tagging");
  ASSERT_NE(doc->attribute("a"), nullptr);
  EXPECT_EQ(*doc->attribute("a"), "1");
  ASSERT_EQ(doc->children.size(), 1u);
  EXPECT_EQ(doc->children[0].name, "TagSet");
  EXPECT_EQ(doc->children[0].children[0].children[0].text, "k & <");
}

TEST(XmlDom, RefusesDoctypesEntitiesAndDeepNesting) {
  EXPECT_FALSE(parse_xml("<!DOCTYPE a [<!ENTITY x \"y\">]><a>&x;</a>").has_value());
  EXPECT_FALSE(parse_xml("<a>&x;</a>").has_value());
  EXPECT_FALSE(parse_xml("<a><b></a>").has_value());
  EXPECT_FALSE(parse_xml("").has_value());
  EXPECT_FALSE(parse_xml("<a/><b/>").has_value());
  std::string deep;
  for (int i = 0; i < kMaxXmlDepth + 1; ++i) deep += "<a>";
  for (int i = 0; i < kMaxXmlDepth + 1; ++i) deep += "</a>";
  EXPECT_FALSE(parse_xml(deep).has_value());
  std::string ok;
  for (int i = 0; i < kMaxXmlDepth; ++i) ok += "<a>";
  for (int i = 0; i < kMaxXmlDepth; ++i) ok += "</a>";
  EXPECT_TRUE(parse_xml(ok).has_value());
}

// ---- Routing.

// A request for `op` of S3's model: its template's labels filled in, its
// literal query part, and every required query-string and header member.
net::HttpRequest s3_request_for(const ServiceModel& model, const OperationModel& op) {
  std::string_view uri = op.request_uri;
  std::string path, query;
  size_t q = uri.find('?');
  std::string_view tmpl = uri.substr(0, q);
  if (q != std::string_view::npos) query = std::string(uri.substr(q + 1));
  for (size_t i = 0; i < tmpl.size(); ++i) {
    if (tmpl[i] != '{') {
      path += tmpl[i];
      continue;
    }
    size_t close = tmpl.find('}', i);
    path += tmpl.substr(i + 1, close - i - 1).ends_with('+') ? "dir/key.txt" : "bucket";
    i = close;
  }
  net::HttpRequest r = request(std::string(op.http_method), path, query);
  if (const Shape* in = model.input_shape(op)) {
    for (const MemberModel& m : in->members) {
      if (!m.required) continue;
      if (m.location == MemberLocation::kQueryString)
        r.query += (r.query.empty() ? "" : "&") + std::string(m.location_name) + "=1";
      if (m.location == MemberLocation::kHeader) {
        std::string lower(m.location_name);
        for (char& c : lower) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
        r.headers.push_back({lower, "1"});
      }
    }
  }
  return r;
}

TEST(RestXmlRouting, EveryS3OperationIsFoundFromItsOwnRequest) {
  const ServiceModel& s3 = s3_model();
  // The pairs S3's wire cannot tell apart: a deprecated operation and its
  // successor, and ListDirectoryBuckets (another endpoint, same request).
  const std::map<std::string_view, std::string_view> same_wire = {
      {"GetBucketLifecycle", "GetBucketLifecycleConfiguration"},
      {"PutBucketLifecycle", "PutBucketLifecycleConfiguration"},
      {"GetBucketNotification", "GetBucketNotificationConfiguration"},
      {"PutBucketNotification", "PutBucketNotificationConfiguration"},
      {"ListDirectoryBuckets", "ListBuckets"},
  };
  size_t checked = 0;
  for (const OperationModel& op : s3.operations) {
    net::HttpRequest r = s3_request_for(s3, op);
    UriLabels labels;
    const OperationModel* found = find_rest_xml_operation(s3, r, labels);
    ASSERT_NE(found, nullptr) << op.name;
    auto it = same_wire.find(op.name);
    EXPECT_EQ(found->name, it == same_wire.end() ? op.name : it->second) << r.method << " " << r.path << "?" << r.query;
    ++checked;
  }
  EXPECT_EQ(checked, s3.operations.size());
  EXPECT_GT(checked, 100u);
}

TEST(RestXmlRouting, TheMostSpecificMatchWins) {
  const ServiceModel& s3 = s3_model();
  UriLabels labels;
  auto name = [&](net::HttpRequest r) {
    const OperationModel* op = find_rest_xml_operation(s3, r, labels);
    return op ? std::string(op->name) : std::string("none");
  };
  EXPECT_EQ(name(request("PUT", "/b")), "CreateBucket");
  EXPECT_EQ(name(request("PUT", "/b", "tagging")), "PutBucketTagging");
  EXPECT_EQ(name(request("GET", "/b", "tagging=")), "GetBucketTagging");
  EXPECT_EQ(name(request("GET", "/b")), "ListObjects");
  EXPECT_EQ(name(request("GET", "/b", "list-type=2&prefix=a")), "ListObjectsV2");
  EXPECT_EQ(name(request("POST", "/b/photos/2026/a.jpg", "uploads")), "CreateMultipartUpload");
  EXPECT_EQ(labels[1].second, "photos/2026/a.jpg");
  EXPECT_EQ(name(request("PUT", "/b/k")), "PutObject");
  EXPECT_EQ(name(request("PUT", "/b/k", "partNumber=1&uploadId=u")), "UploadPart");
  EXPECT_EQ(name(request("PUT", "/b/k", "", {{"x-amz-copy-source", "a/b"}})), "CopyObject");
  EXPECT_EQ(name(request("PUT", "/b/k", "partNumber=1&uploadId=u", {{"x-amz-copy-source", "a/b"}})), "UploadPartCopy");
  EXPECT_EQ(name(request("GET", "/b/k", "uploadId=u")), "ListParts");
  EXPECT_EQ(name(request("DELETE", "/b/k", "uploadId=u")), "AbortMultipartUpload");
  EXPECT_EQ(name(request("GET", "/b", "analytics")), "ListBucketAnalyticsConfigurations");
  EXPECT_EQ(name(request("GET", "/b", "analytics&id=x")), "GetBucketAnalyticsConfiguration");
  EXPECT_EQ(name(request("GET", "/b/a%2Fb", "")), "GetObject");
  EXPECT_EQ(labels[1].second, "a/b");
  EXPECT_EQ(name(request("GET", "/")), "ListBuckets");
  EXPECT_EQ(name(request("PATCH", "/b")), "none");
  // "/b/" (the JavaScript SDK's bucket path) is the bucket; "/b/k/" a key.
  EXPECT_EQ(name(request("PUT", "/b/")), "CreateBucket");
  EXPECT_EQ(name(request("HEAD", "/b/")), "HeadBucket");
  EXPECT_EQ(name(request("GET", "/b/", "list-type=2")), "ListObjectsV2");
  EXPECT_EQ(name(request("PUT", "/b/k/")), "PutObject");
  EXPECT_EQ(labels[1].second, "k/");
}

// The request in raw HTTP/1.1 bytes, as net/ hands it over (header names
// lower-cased, path and query split, not decoded).
net::HttpRequest parse_raw(std::string_view raw) {
  net::HttpRequest r;
  size_t head_end = raw.find("\r\n\r\n");
  std::string_view head = raw.substr(0, head_end);
  r.body = std::string(raw.substr(head_end + 4));
  size_t eol = head.find("\r\n");
  std::string_view line = head.substr(0, eol);
  r.method = std::string(line.substr(0, line.find(' ')));
  std::string_view target = line.substr(r.method.size() + 1);
  target = target.substr(0, target.rfind(' '));
  size_t q = target.find('?');
  r.path = std::string(target.substr(0, q));
  if (q != std::string_view::npos) r.query = std::string(target.substr(q + 1));
  while (eol != std::string_view::npos) {
    head.remove_prefix(eol + 2);
    eol = head.find("\r\n");
    std::string_view h = head.substr(0, eol);
    size_t colon = h.find(':');
    std::string name(h.substr(0, colon));
    for (char& c : name) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    r.headers.push_back({name, std::string(h.substr(colon + 2))});
  }
  return r;
}

struct S3Request {
  std::string_view operation;
  std::string_view raw;
};

const S3Request kS3Requests[] = {
#include "protocol/s3_botocore_requests.inc"
};

// botocore's S3 client (tests/fixtures/toyxml_botocore.py) against S3's own
// model: each request finds its operation, decodes and validates.
TEST(RestXmlRouting, BotocoreS3ClientRequestsDecodeAndValidate) {
  const ServiceModel& s3 = s3_model();
  for (const S3Request& q : kS3Requests) {
    SCOPED_TRACE(q.operation);
    net::HttpRequest r = parse_raw(q.raw);
    UriLabels labels;
    const OperationModel* op = find_rest_xml_operation(s3, r, labels);
    ASSERT_NE(op, nullptr);
    EXPECT_EQ(op->name, q.operation);
    auto in = decode_rest_xml_input(s3, *op, r, r.body, labels);
    ASSERT_TRUE(in.has_value()) << in.error().type << ": " << in.error().message;
    auto ok = validate_input(s3, *op, *in, WireFormat::kJson);
    ASSERT_TRUE(ok.has_value()) << ok.error().type << ": " << ok.error().message;
    EXPECT_EQ(in->find("Bucket") ? in->find("Bucket")->as_string() : "bkt", "bkt");
    if (q.operation == "PutObject") {
      EXPECT_EQ(in->find("Key")->as_string(), "a/b c.txt");
      EXPECT_EQ(in->find("Body")->as_blob().bytes, "hello");
      EXPECT_EQ(in->find("Metadata")->find("owner")->as_string(), "me");
      EXPECT_EQ(in->find("ChecksumCRC32")->as_string(), "NhCmhg==");
    }
    if (q.operation == "CompleteMultipartUpload") {
      const Value& part = in->find("CompleteMultipartUpload")->find("Part")->as_array()[0];
      EXPECT_EQ(part.find("PartNumber")->as_int(), 1);
    }
    if (q.operation == "DeleteObjects") {
      EXPECT_EQ(in->find("Delete")->find("Object")->as_array().size(), 2u);
    }
  }
}

// What SigV4 verification makes of the S3 client's signatures (made at
// 2026-12-07T00:15:30Z with the fixture's secret).
TEST(RestXmlRouting, BotocoreS3ClientSignaturesVerify) {
  const CredentialStore store = CredentialStore::from_pairs({{"AKIDEXAMPLE", "dummy-secret"}});
  std::vector<std::string_view> failed;
  for (const S3Request& q : kS3Requests) {
    net::HttpRequest r = parse_raw(q.raw);
    if (!authenticate_sigv4(r, &store, 1'796'602'530)) failed.push_back(q.operation);
  }
  // S3 signs the path as sent (no normalisation, no second encoding), other
  // services the path encoded twice: the requests whose key needs encoding
  // (`a/b c.txt`) verify only with S3's rule.
  EXPECT_TRUE(failed.empty()) << failed.size() << " failed, the first " << failed.front();
}

struct ToyExchange {
  const char* name;
  std::string_view request;
  int status;
  std::vector<std::pair<std::string, std::string>> headers;
  std::string_view body;
};

const ToyExchange kToyExchanges[] = {
#include "protocol/toy_xml_botocore_exchanges.inc"
};

// The toy is signed as an ordinary service (path encoded twice): every one
// of botocore's toy requests verifies, query markers and raw bodies included,
// and one changed byte of a body does not.
TEST(RestXmlRouting, BotocoreToySignaturesVerify) {
  const CredentialStore store = CredentialStore::from_pairs({{"AKIDEXAMPLE", "dummy-secret"}});
  for (const ToyExchange& e : kToyExchanges) {
    net::HttpRequest r = parse_raw(e.request);
    auto auth = authenticate_sigv4(r, &store, 1'796'602'530);
    EXPECT_TRUE(auth.has_value()) << e.name << ": " << (auth ? "" : auth.error().message);
    if (r.body.empty()) continue;
    r.body[0] = static_cast<char>(r.body[0] ^ 1);
    EXPECT_FALSE(authenticate_sigv4(r, &store, 1'796'602'530).has_value()) << e.name;
  }
}

// ---- Decoding requests (bodies as botocore's RestXMLSerializer writes them).

const OperationModel& toy_op(std::string_view name) { return *toyxml_model().find_operation(name); }

ApiResult<Value> decode(std::string_view op_name, net::HttpRequest r, std::string_view body) {
  const ServiceModel& m = toyxml_model();
  const OperationModel& op = toy_op(op_name);
  UriLabels labels;
  const OperationModel* found = find_rest_xml_operation(m, r, labels);
  EXPECT_EQ(found, &op);
  auto in = decode_rest_xml_input(m, op, r, body, labels);
  if (!in) return in;
  if (auto ok = validate_input(m, op, *in, WireFormat::kJson); !ok) return std::unexpected(ok.error());
  return in;
}

TEST(RestXmlDecode, StructurePayloadWithNamespaceAndNamedListItems) {
  auto in = decode("PutBucketTagging", request("PUT", "/bucket", "tagging", {{"content-md5", "abc"}}),
                   R"(<Tagging xmlns="http://s3.amazonaws.com/doc/2006-03-01/"><TagSet>)"
                   R"(<Tag><Key>env</Key><Value>prod</Value></Tag><Tag><Key>team</Key><Value></Value></Tag>)"
                   R"(</TagSet></Tagging>)");
  ASSERT_TRUE(in.has_value()) << in.error().type << ": " << in.error().message;
  EXPECT_EQ(in->find("Bucket")->as_string(), "bucket");
  EXPECT_EQ(in->find("ContentMD5")->as_string(), "abc");
  const Array& tags = in->find("Tagging")->find("TagSet")->as_array();
  ASSERT_EQ(tags.size(), 2u);
  EXPECT_EQ(tags[0].find("Key")->as_string(), "env");
  EXPECT_EQ(tags[1].find("Value")->as_string(), "");
}

TEST(RestXmlDecode, FlattenedListsMapsTimestampsBlobsAndAttributes) {
  auto del = decode("DeleteObjects", request("POST", "/bucket", "delete"),
                    R"(<Delete xmlns="http://s3.amazonaws.com/doc/2006-03-01/"><Object><Key>a</Key></Object>)"
                    R"(<Object><Key>b/c</Key></Object><Quiet>true</Quiet></Delete>)");
  ASSERT_TRUE(del.has_value()) << del.error().message;
  // Members are keyed by their wire names (locationName), as every decoder
  // hands them to validation.
  EXPECT_EQ(del->find("Delete")->find("Object")->as_array().size(), 2u);
  EXPECT_EQ(del->find("Delete")->find("Object")->as_array()[1].find("Key")->as_string(), "b/c");
  EXPECT_TRUE(del->find("Delete")->find("Quiet")->as_bool());

  auto create = decode("CreateBucket", request("PUT", "/bucket"),
                       R"(<CreateBucketConfiguration xmlns="http://s3.amazonaws.com/doc/2006-03-01/">)"
                       R"(<LocationConstraint>eu-west-1</LocationConstraint>)"
                       R"(<Labels><entry><Name>a</Name><value>1</value></entry></Labels>)"
                       R"(<NotBefore>1796602530.5</NotBefore><Token>AAH/</Token></CreateBucketConfiguration>)");
  ASSERT_TRUE(create.has_value()) << create.error().message;
  const Value* cfg = create->find("CreateBucketConfiguration");
  EXPECT_EQ(cfg->find("LocationConstraint")->as_string(), "eu-west-1");
  EXPECT_EQ(cfg->find("Labels")->find("a")->as_string(), "1");
  EXPECT_EQ(cfg->find("NotBefore")->as_timestamp().millis, 1'796'602'530'500);
  EXPECT_EQ(cfg->find("Token")->as_blob().bytes, std::string("\x00\x01\xff", 3));

  auto acl = decode("PutBucketAcl", request("PUT", "/bucket", "acl"),
                    R"(<AccessControlPolicy xmlns="http://s3.amazonaws.com/doc/2006-03-01/"><AccessControlList>)"
                    R"(<Grant><Grantee xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" xsi:type="CanonicalUser">)"
                    R"(<ID>abc</ID></Grantee><Permission>READ</Permission></Grant></AccessControlList>)"
                    R"(</AccessControlPolicy>)");
  ASSERT_TRUE(acl.has_value()) << acl.error().message;
  const Value& grant = acl->find("AccessControlPolicy")->find("AccessControlList")->as_array()[0];
  EXPECT_EQ(grant.find("Grantee")->find("xsi:type")->as_string(), "CanonicalUser");
  EXPECT_EQ(grant.find("Grantee")->find("ID")->as_string(), "abc");
}

TEST(RestXmlDecode, RawPayloadMetadataHeadersAndQueryListsAndMaps) {
  auto put = decode("PutObject",
                    request("PUT", "/bucket/a/b.txt", "",
                            {{"x-amz-meta-color", "blue"},
                             {"x-amz-meta-size", "L"},
                             {"content-type", "text/plain"},
                             {"expires", "Mon, 07 Dec 2026 00:15:30 GMT"}}),
                    std::string("\x1f\x8b\x00raw", 6));
  ASSERT_TRUE(put.has_value()) << put.error().message;
  EXPECT_EQ(put->find("Key")->as_string(), "a/b.txt");
  EXPECT_EQ(put->find("Body")->as_blob().bytes, std::string("\x1f\x8b\x00raw", 6));
  EXPECT_EQ(put->find("Metadata")->find("color")->as_string(), "blue");
  EXPECT_EQ(put->find("Metadata")->find("size")->as_string(), "L");
  EXPECT_EQ(put->find("Expires")->as_timestamp().millis, 1'796'602'530'000);

  auto search = decode("SearchObjects",
                       request("GET", "/bucket", "search&tag=a&tag=b&since=2026-12-07T00%3A15%3A30Z&owner=me"), "");
  ASSERT_TRUE(search.has_value()) << search.error().message;
  EXPECT_EQ(search->find("Tags")->as_array().size(), 2u);
  EXPECT_EQ(search->find("Since")->as_timestamp().millis, 1'796'602'530'000);
  EXPECT_EQ(search->find("Filters")->find("owner")->as_string(), "me");
  EXPECT_EQ(search->find("Filters")->as_object().size(), 1u);  // not the template's `search` marker
}

TEST(RestXmlDecode, ErrorsTakeS3sCodes) {
  // Not XML, the wrong root, a value of the wrong type: MalformedXML.
  for (std::string_view body : {"<Tagging><TagSet>", "<Tags><TagSet/></Tags>",
                                "<Delete><Object><Key>a</Key></Object><Quiet>yes</Quiet></Delete>"}) {
    std::string_view op = body.starts_with("<Delete") ? "DeleteObjects" : "PutBucketTagging";
    auto r = decode(
        op, request(op == "DeleteObjects" ? "POST" : "PUT", "/bucket", op == "DeleteObjects" ? "delete" : "tagging"),
        body);
    ASSERT_FALSE(r.has_value()) << body;
    EXPECT_EQ(r.error().type, "MalformedXML") << body;
  }
  auto empty = decode("PutBucketTagging", request("PUT", "/bucket", "tagging"), "");
  ASSERT_FALSE(empty.has_value());
  EXPECT_EQ(empty.error().type, "MissingRequestBodyError");
  auto keys = decode("ListObjectsV2", request("GET", "/bucket", "list-type=2&max-keys=ten"), "");
  ASSERT_FALSE(keys.has_value());
  EXPECT_EQ(keys.error().type, "InvalidArgument");
  // Validation still runs: its error becomes InvalidArgument on the wire.
  auto many = decode("ListObjectsV2", request("GET", "/bucket", "list-type=2&max-keys=5000"), "");
  ASSERT_FALSE(many.has_value());
  EXPECT_EQ(many.error().type, "ValidationException");
  EXPECT_EQ(s3_error_code(&toyxml_model(), many.error()).first, "InvalidArgument");
}

// ---- Encoding answers.

std::string header(const net::HttpResponse& r, std::string_view name) {
  for (const net::Header& h : r.headers)
    if (h.name == name) return h.value;
  return "<none>";
}

TEST(RestXmlEncode, ListOutputIsXmlWithTheShapesRootAndNamespace) {
  Value obj = Object{};
  obj.set("Key", "a&b.txt");
  obj.set("LastModified", Timestamp{1'796'602'530'000});
  obj.set("Size", int64_t{5});
  Value owner = Object{};
  owner.set("ID", "me");
  obj.set("Owner", owner);
  Value prefix = Object{};
  prefix.set("Prefix", "dir/");
  Value out = Object{};
  out.set("IsTruncated", false);
  out.set("Contents", Array{obj, obj});
  out.set("Name", "bucket");
  out.set("CommonPrefixes", Array{prefix});
  out.set("KeyCount", int64_t{2});
  auto resp = encode_rest_xml_output(toyxml_model(), toy_op("ListObjectsV2"), out, "rid");
  EXPECT_EQ(resp.status, 200);
  EXPECT_EQ(header(resp, "Content-Type"), "application/xml");
  EXPECT_EQ(header(resp, "x-amz-request-id"), "rid");
  const std::string item =
      "<Contents><Key>a&amp;b.txt</Key><LastModified>2026-12-07T00:15:30Z</LastModified><Size>5</Size>"
      "<Owner><ID>me</ID></Owner></Contents>";
  EXPECT_EQ(resp.body,
            "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
            "<ListBucketResult xmlns=\"http://s3.amazonaws.com/doc/2006-03-01/\"><IsTruncated>false</IsTruncated>" +
                item + item +
                "<Name>bucket</Name><CommonPrefixes><Prefix>dir/</Prefix></CommonPrefixes>"
                "<KeyCount>2</KeyCount></ListBucketResult>");
  // The document reads back as the same members.
  auto doc = parse_xml(resp.body);
  ASSERT_TRUE(doc.has_value());
  auto back = decode_xml_structure(toyxml_model(), *toyxml_model().output_shape(toy_op("ListObjectsV2")), *doc);
  ASSERT_TRUE(back.has_value());
  EXPECT_EQ(back->find("Contents")->as_array().size(), 2u);
  EXPECT_EQ(back->find("Contents")->as_array()[0].find("Key")->as_string(), "a&b.txt");
  EXPECT_EQ(back->find("KeyCount")->as_int(), 2);
}

TEST(RestXmlEncode, AValueOfTheWrongKindStillMakesWellFormedXml) {
  // A handler's mistake (a string where a structure, list or map belongs)
  // must not produce a document no client can parse.
  Value obj = Object{};
  obj.set("Owner", "not a structure");
  Value out = Object{};
  out.set("Contents", Array{obj});
  out.set("CommonPrefixes", "not a list");
  out.set("Name", Array{});
  auto resp = encode_rest_xml_output(toyxml_model(), toy_op("ListObjectsV2"), out, "rid");
  EXPECT_TRUE(parse_xml(resp.body).has_value()) << resp.body;
}

TEST(RestXmlEncode, RawPayloadAndHeaderMembers) {
  Value meta = Object{};
  meta.set("color", "blue");
  Value out = Object{};
  out.set("Body", Blob{std::string("\x00\xff", 2)});
  out.set("ContentLength", int64_t{2});
  out.set("ETag", "\"e\"");
  out.set("LastModified", Timestamp{1'796'602'530'000});
  out.set("Metadata", meta);
  auto resp = encode_rest_xml_output(toyxml_model(), toy_op("GetObject"), out, "rid");
  EXPECT_EQ(resp.body, std::string("\x00\xff", 2));
  // Kept for a HEAD answer; net/ writes its own from the body otherwise.
  EXPECT_EQ(header(resp, "Content-Length"), "2");
  EXPECT_EQ(header(resp, "Content-Type"), "binary/octet-stream");
  EXPECT_EQ(header(resp, "ETag"), "\"e\"");
  EXPECT_EQ(header(resp, "Last-Modified"), "Mon, 07 Dec 2026 00:15:30 GMT");
  EXPECT_EQ(header(resp, "x-amz-meta-color"), "blue");
  // No output body members: no body; the model's status.
  auto tagged = encode_rest_xml_output(toyxml_model(), toy_op("PutBucketTagging"), Value(Object{}), "rid");
  EXPECT_EQ(tagged.status, 204);
  EXPECT_EQ(tagged.body, "");
  // The service may set the status the model cannot say (206, 304).
  out.set(std::string(kRestXmlStatusOverride), int64_t{206});
  EXPECT_EQ(encode_rest_xml_output(toyxml_model(), toy_op("GetObject"), out, "rid").status, 206);
}

TEST(RestXmlEncode, AttributesAndNamedItemsRoundTrip) {
  // An xmlAttribute with its prefix's xmlns, list items named by the model,
  // written and read back.
  const ServiceModel& m = toyxml_model();
  const Shape& policy = *m.find_shape("AccessControlPolicy");
  Value grantee = Object{};
  grantee.set("ID", "abc");
  grantee.set("xsi:type", "Group");
  Value grant = Object{};
  grant.set("Grantee", grantee);
  grant.set("Permission", "READ");
  Value v = Object{};
  v.set("AccessControlList", Array{grant});
  // The structure as the whole answer of an operation whose output it is.
  OperationModel op{};
  op.output = static_cast<ShapeRef>(&policy - m.shapes.data());
  std::string doc_text = encode_rest_xml_output(m, op, v, "rid").body;
  EXPECT_NE(doc_text.find("<AccessControlList><Grant><Grantee xmlns:xsi=\"http://www.w3.org/2001/XMLSchema-instance\""
                          " xsi:type=\"Group\"><ID>abc</ID></Grantee><Permission>READ</Permission></Grant>"),
            std::string::npos)
      << doc_text;
  auto doc = parse_xml(doc_text);
  ASSERT_TRUE(doc.has_value()) << doc.error();
  auto back = decode_xml_structure(m, policy, *doc);
  ASSERT_TRUE(back.has_value());
  EXPECT_EQ(*back, v);
}

TEST(RestXmlErrors, S3sBareErrorAndTheWrappedForm) {
  const ServiceModel& m = toyxml_model();
  auto r = encode_rest_xml_error(&m, ApiError{"NoSuchBucket", "The specified bucket does not exist", 404}, "rid");
  EXPECT_EQ(r.status, 404);
  EXPECT_EQ(header(r, "Content-Type"), "application/xml");
  std::string host_id = header(r, "x-amz-id-2");
  EXPECT_EQ(r.body,
            "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<Error><Code>NoSuchBucket</Code>"
            "<Message>The specified bucket does not exist</Message><RequestId>rid</RequestId><HostId>" +
                host_id + "</HostId></Error>");
  // S3's <Resource>, when the service names one, after the message.
  ApiError with_resource{"NoSuchKey", "The specified key does not exist.", 404};
  with_resource.resource = "/b/a&b";
  EXPECT_NE(encode_rest_xml_error(&m, with_resource, "rid")
                .body.find("</Message><Resource>/b/a&amp;b</Resource><RequestId>rid</RequestId>"),
            std::string::npos);
  // The protocol's own errors take S3's codes and statuses.
  auto code = [&](ApiError e) { return s3_error_code(&m, e); };
  EXPECT_EQ(code({"UnknownOperationException", "", 400}), std::make_pair(std::string("MethodNotAllowed"), 405));
  EXPECT_EQ(code({"InvalidSignatureException", "bad", 400}), std::make_pair(std::string("SignatureDoesNotMatch"), 403));
  EXPECT_EQ(code({"InvalidSignatureException", "Signature expired: x", 400}),
            std::make_pair(std::string("RequestTimeTooSkewed"), 403));
  EXPECT_EQ(code({"UnrecognizedClientException", "", 400}), std::make_pair(std::string("InvalidAccessKeyId"), 403));
  EXPECT_EQ(code({"SerializationException", "too big", 413}), std::make_pair(std::string("EntityTooLarge"), 400));
  EXPECT_EQ(code({"MalformedXML", "x", 400}), std::make_pair(std::string("MalformedXML"), 400));
  // Without S3's trait (or a model): <ErrorResponse>, the type as its code.
  auto wrapped = encode_rest_xml_error(nullptr, ApiError{"InvalidInput", "bad <id>", 400}, "rid");
  EXPECT_EQ(wrapped.body,
            "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<ErrorResponse><Error><Type>Sender</Type>"
            "<Code>InvalidInput</Code><Message>bad &lt;id&gt;</Message></Error><RequestId>rid</RequestId>"
            "</ErrorResponse>");
}

}  // namespace
}  // namespace runnel::protocol
