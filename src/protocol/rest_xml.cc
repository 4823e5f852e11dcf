#include "protocol/rest_xml.h"

#include <charconv>
#include <cmath>
#include <cstdio>
#include <optional>
#include <span>
#include <tuple>
#include <utility>

#include "net/responses.h"
#include "protocol/base64.h"
#include "protocol/http_date.h"
#include "protocol/iso8601.h"

namespace runnel::protocol {
namespace {

ApiError serialization(std::string message) {
  return ApiError{"SerializationException", std::move(message), 400, true};
}

bool iequals(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i)
    if (std::tolower(static_cast<unsigned char>(a[i])) != std::tolower(static_cast<unsigned char>(b[i]))) return false;
  return true;
}

// ---- Routing.

bool has_query_param(std::string_view query, std::string_view name) {
  while (!query.empty()) {
    size_t amp = query.find('&');
    std::string_view pair = query.substr(0, amp);
    query = amp == std::string_view::npos ? std::string_view() : query.substr(amp + 1);
    if (pair.substr(0, pair.find('=')) == name) return true;
  }
  return false;
}

// How many of the input's required query-string and header members the
// request carries, and how many it requires.
std::pair<int, int> required_bound_members(const ServiceModel& model, const OperationModel& op,
                                           const net::HttpRequest& req) {
  int present = 0, required = 0;
  const Shape* in = model.input_shape(op);
  if (!in) return {0, 0};
  for (const MemberModel& m : in->members) {
    if (!m.required) continue;
    if (m.location == MemberLocation::kQueryString && model.shape(m.shape).type != ShapeType::kMap) {
      ++required;
      if (has_query_param(req.query, m.location_name)) ++present;
    } else if (m.location == MemberLocation::kHeader) {
      ++required;
      std::string lower(m.location_name);
      for (char& c : lower) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
      if (req.header(lower)) ++present;
    }
  }
  return {present, required};
}

// ---- XML to Value.

std::string_view default_format(MemberLocation where) {
  return where == MemberLocation::kHeader ? "rfc822" : "iso8601";
}

// A timestamp's text in `format` (or any of the three, tried after it) as
// epoch seconds, the JSON decoder's form.
std::optional<double> timestamp_seconds(std::string_view text, std::string_view format) {
  auto as_unix = [&]() -> std::optional<double> {
    double secs = 0;
    auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), secs);
    if (ec != std::errc() || end != text.data() + text.size() || !std::isfinite(secs)) return std::nullopt;
    return secs;
  };
  auto as_iso = [&]() -> std::optional<double> {
    if (auto ms = parse_iso8601(text)) return static_cast<double>(*ms) / 1000.0;
    return std::nullopt;
  };
  auto as_http = [&]() -> std::optional<double> {
    if (auto ms = parse_http_date_millis(text)) return static_cast<double>(*ms) / 1000.0;
    return std::nullopt;
  };
  std::optional<double> v = format == "unixTimestamp" ? as_unix() : format == "rfc822" ? as_http() : as_iso();
  if (!v) v = as_iso();
  if (!v) v = as_http();
  if (!v) v = as_unix();
  return v;
}

ApiResult<Value> xml_scalar(const Shape& shape, std::string_view text, std::string_view timestamp_format,
                            std::string_view name) {
  auto bad = [&] {
    return std::unexpected(serialization("The value of " + std::string(name) + " is not a valid " +
                                         std::string(shape_type_name(shape.type)) + "."));
  };
  switch (shape.type) {
    case ShapeType::kString: return Value(std::string(text));
    case ShapeType::kBoolean:
      if (text == "true") return Value(true);
      if (text == "false") return Value(false);
      return bad();
    case ShapeType::kInteger:
    case ShapeType::kLong: {
      int64_t v = 0;
      auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
      if (ec != std::errc() || end != text.data() + text.size()) return bad();
      return Value(v);
    }
    case ShapeType::kFloat:
    case ShapeType::kDouble: {
      double v = 0;
      auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
      if (ec != std::errc() || end != text.data() + text.size() || !std::isfinite(v)) return bad();
      return Value(v);
    }
    case ShapeType::kTimestamp: {
      std::string_view format = timestamp_format.empty() ? shape.timestamp_format : timestamp_format;
      auto secs = timestamp_seconds(text, format.empty() ? "iso8601" : format);
      if (!secs) return bad();
      return Value(*secs);
    }
    case ShapeType::kBlob: {
      // base64 text, as the JSON decoder leaves it (validation decodes it).
      std::string_view t = text;
      while (!t.empty() && (t.back() == '\n' || t.back() == ' ')) t.remove_suffix(1);
      return Value(std::string(t));
    }
    default: return bad();
  }
}

ApiResult<Value> xml_value(const ServiceModel& model, const Shape& shape, std::string_view timestamp_format,
                           const XmlElement& e);

// A list's items: the children of a wrapper element (whatever their names,
// as botocore reads them), or the repeated elements of a flattened list.
ApiResult<Value> xml_list(const ServiceModel& model, const Shape& shape, std::span<const XmlElement* const> items) {
  const Shape& item = model.shape(shape.member);
  Array out;
  for (const XmlElement* e : items) {
    auto v = xml_value(model, item, {}, *e);
    if (!v) return v;
    out.push_back(std::move(*v));
  }
  return Value(std::move(out));
}

ApiResult<Value> xml_map(const ServiceModel& model, const Shape& shape, std::span<const XmlElement* const> entries) {
  const Shape& key_shape = model.shape(shape.key);
  const Shape& value_shape = model.shape(shape.value);
  Value out = Object{};
  for (const XmlElement* entry : entries) {
    const XmlElement* k = nullptr;
    const XmlElement* v = nullptr;
    for (const XmlElement& c : entry->children) {
      if (c.name == shape.map_key_name)
        k = &c;
      else if (c.name == shape.map_value_name)
        v = &c;
      else
        return std::unexpected(serialization("Unknown element " + c.name + " in a map entry."));
    }
    if (!k || !v) return std::unexpected(serialization("A map entry lacks its key or value."));
    auto key = xml_value(model, key_shape, {}, *k);
    if (!key) return key;
    if (!key->is_string()) return std::unexpected(serialization("A map key is not a string."));
    auto value = xml_value(model, value_shape, {}, *v);
    if (!value) return value;
    out.set(key->as_string(), std::move(*value));
  }
  return out;
}

ApiResult<Value> xml_value(const ServiceModel& model, const Shape& shape, std::string_view timestamp_format,
                           const XmlElement& e) {
  switch (shape.type) {
    case ShapeType::kStructure: return decode_xml_structure(model, shape, e);
    case ShapeType::kList: {
      std::vector<const XmlElement*> items;
      items.reserve(e.children.size());
      for (const XmlElement& c : e.children) items.push_back(&c);
      return xml_list(model, shape, items);
    }
    case ShapeType::kMap: {
      std::vector<const XmlElement*> entries;
      for (const XmlElement& c : e.children) {
        if (c.name != "entry") return std::unexpected(serialization("Unknown element " + c.name + " in a map."));
        entries.push_back(&c);
      }
      return xml_map(model, shape, entries);
    }
    default:
      if (!e.children.empty())
        return std::unexpected(serialization("The element " + e.name + " holds elements where text belongs."));
      return xml_scalar(shape, e.text, timestamp_format, e.name);
  }
}

// ---- Value to XML.

std::string number_text(double d) {
  if (std::isnan(d)) return "NaN";
  if (std::isinf(d)) return d > 0 ? "Infinity" : "-Infinity";
  char buf[32];
  auto [end, ec] = std::to_chars(buf, buf + sizeof buf, d);
  return ec == std::errc() ? std::string(buf, end) : "0";
}

int64_t millis_of(const Value& v) {
  if (v.is_timestamp()) return v.as_timestamp().millis;
  if (v.is_int()) return v.as_int() * 1000;
  if (v.is_double()) return static_cast<int64_t>(std::llround(v.as_double() * 1000.0));
  return 0;
}

std::string timestamp_text(const Value& v, std::string_view format) {
  int64_t ms = millis_of(v);
  if (format == "rfc822") return format_http_date(ms);
  if (format == "unixTimestamp") {
    if (ms % 1000 == 0) return std::to_string(ms / 1000);
    return number_text(static_cast<double>(ms) / 1000.0);
  }
  std::string out;
  append_iso8601(ms, out);
  return out;
}

// The text of a scalar value; empty for a value of no scalar kind.
std::string scalar_text(const Shape& shape, const Value& v, std::string_view format) {
  if (format.empty()) format = shape.timestamp_format.empty() ? "iso8601" : shape.timestamp_format;
  if (shape.type == ShapeType::kTimestamp) return timestamp_text(v, format);
  switch (v.kind()) {
    case Value::Kind::kString: return v.as_string();
    case Value::Kind::kBool: return v.as_bool() ? "true" : "false";
    case Value::Kind::kInt: return std::to_string(v.as_int());
    case Value::Kind::kDouble: return number_text(v.as_double());
    case Value::Kind::kBlob: return base64_encode(v.as_blob().bytes);
    case Value::Kind::kTimestamp: return timestamp_text(v, format);
    default: return {};
  }
}

void append_namespace(std::string_view uri, std::string_view prefix, std::string& out) {
  if (uri.empty()) return;
  out += " xmlns";
  if (!prefix.empty()) {
    out += ':';
    out += prefix;
  }
  out += "=\"";
  append_xml_escaped(uri, out);
  out += '"';
}

// A member's value in a structure: keyed by its wire name, as the decoders
// and the validator key them, or by its model name.
const Value* member_value(const Value& v, const MemberModel& m) {
  if (!v.is_object()) return nullptr;
  const Value* found = v.find(m.wire_name);
  return found ? found : v.find(m.name);
}

struct XmlNs {
  std::string_view uri, prefix;
};

void write_value(const ServiceModel& model, const Shape& shape, const Value& v, std::string_view name, XmlNs ns,
                 std::string_view timestamp_format, std::string& out, int depth);

// The element name of a flattened list's items: the list member's
// locationName when the model sets one (botocore's parser looks for it),
// else the member's own name.
std::string_view flattened_item_name(const Shape& list, std::string_view member_name) {
  return !list.list_member_name.empty() && list.list_member_name != "member" ? list.list_member_name : member_name;
}

void write_members(const ServiceModel& model, const Shape& shape, const Value& v, std::string& out, int depth) {
  for (const MemberModel& m : shape.members) {
    if (m.location != MemberLocation::kBody || m.xml_attribute) continue;
    const Value* mv = member_value(v, m);
    if (!mv || mv->is_null()) continue;
    const Shape& ms = model.shape(m.shape);
    if (m.flattened && ms.type == ShapeType::kList && mv->is_array()) {
      std::string_view item_name = flattened_item_name(ms, m.wire_name);
      for (const Value& item : mv->as_array())
        write_value(model, model.shape(ms.member), item, item_name, {}, {}, out, depth + 1);
    } else if (m.flattened && ms.type == ShapeType::kMap && mv->is_object()) {
      for (const Member& entry : mv->as_object()) {
        out += '<';
        out += m.wire_name;
        out += '>';
        write_value(model, model.shape(ms.key), Value(entry.key), ms.map_key_name, {}, {}, out, depth + 1);
        write_value(model, model.shape(ms.value), entry.value, ms.map_value_name, {}, {}, out, depth + 1);
        out += "</";
        out += m.wire_name;
        out += '>';
      }
    } else {
      write_value(model, ms, *mv, m.wire_name, {m.xml_namespace, m.xml_namespace_prefix}, m.timestamp_format, out,
                  depth + 1);
    }
  }
}

void write_value(const ServiceModel& model, const Shape& shape, const Value& v, std::string_view name, XmlNs ns,
                 std::string_view timestamp_format, std::string& out, int depth) {
  if (depth > kMaxXmlDepth) return;
  out += '<';
  out += name;
  append_namespace(ns.uri, ns.prefix, out);
  switch (shape.type) {
    case ShapeType::kStructure: {
      // A nested shape's own xmlns (S3's Grantee declares xmlns:xsi for its
      // xsi:type attribute) unless the member declared one.
      if (ns.uri.empty()) append_namespace(shape.xml_namespace, shape.xml_namespace_prefix, out);
      if (!v.is_object()) {  // not a structure: an empty element
        out += '>';
        break;
      }
      for (const MemberModel& m : shape.members) {
        if (!m.xml_attribute) continue;
        const Value* a = member_value(v, m);
        if (!a || a->is_null()) continue;
        out += ' ';
        out += m.wire_name;
        out += "=\"";
        append_xml_escaped(scalar_text(model.shape(m.shape), *a, m.timestamp_format), out);
        out += '"';
      }
      out += '>';
      write_members(model, shape, v, out, depth);
      break;
    }
    case ShapeType::kList: {
      out += '>';
      if (!v.is_array()) break;
      const Shape& item = model.shape(shape.member);
      for (const Value& i : v.as_array())
        write_value(model, item, i, shape.list_member_name.empty() ? "member" : shape.list_member_name, {}, {}, out,
                    depth + 1);
      break;
    }
    case ShapeType::kMap: {
      out += '>';
      if (!v.is_object()) break;
      for (const Member& entry : v.as_object()) {
        out += "<entry>";
        write_value(model, model.shape(shape.key), Value(entry.key), shape.map_key_name, {}, {}, out, depth + 1);
        write_value(model, model.shape(shape.value), entry.value, shape.map_value_name, {}, {}, out, depth + 1);
        out += "</entry>";
      }
      break;
    }
    default: out += '>'; append_xml_escaped(scalar_text(shape, v, timestamp_format), out);
  }
  out += "</";
  out += name;
  out += '>';
}

constexpr std::string_view kXmlDeclaration = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n";

// x-amzn-RequestId (what botocore reads first), S3's x-amz-request-id, and
// x-amz-id-2 (base64 of 72 random bytes, also the error body's HostId).
std::string add_ids(net::HttpResponse& resp, const std::string& request_id) {
  unsigned char bytes[72];
  net::random_bytes(bytes, sizeof bytes);
  std::string host_id = base64_encode(std::string_view(reinterpret_cast<const char*>(bytes), sizeof bytes));
  resp.headers.push_back({"x-amzn-RequestId", request_id});
  resp.headers.push_back({"x-amz-request-id", request_id});
  resp.headers.push_back({"x-amz-id-2", host_id});
  return host_id;
}

// The text of a header member's value (lists comma-joined).
std::string header_text(const Shape& shape, const Value& v, std::string_view format) {
  std::string_view f = format.empty() ? default_format(MemberLocation::kHeader) : format;
  if (shape.type == ShapeType::kTimestamp) return timestamp_text(v, f);
  return scalar_text(shape, v, f);
}

}  // namespace

// ---- Public.

namespace {

// The most specific operation whose method and template match `path`.
const OperationModel* find_for_path(const ServiceModel& model, const net::HttpRequest& req, std::string_view path,
                                    UriLabels& labels) {
  const OperationModel* best = nullptr;
  // (all required bound members present, literal characters, required bound
  // members present, not deprecated): larger is more specific.
  std::tuple<bool, size_t, int, bool> best_score{};
  for (const OperationModel& op : model.operations) {
    if (op.http_method != req.method) continue;
    auto m = match_request_uri(op.request_uri, path, req.query);
    if (!m) continue;
    auto [present, required] = required_bound_members(model, op, req);
    std::tuple<bool, size_t, int, bool> score{present == required, literal_chars(op.request_uri), present,
                                              !op.deprecated};
    if (!best || score > best_score) {
      best = &op;
      best_score = score;
      labels = std::move(*m);
    }
  }
  return best;
}

}  // namespace

const OperationModel* find_rest_xml_operation(const ServiceModel& model, const net::HttpRequest& req,
                                              UriLabels& labels) {
  if (const OperationModel* op = find_for_path(model, req, req.path, labels)) return op;
  // The JavaScript SDK addresses a bucket as "/bucket/": when nothing
  // matches the path as sent (a label is never empty), the path without its
  // trailing slash is tried, as S3 serves it.
  std::string_view path = req.path;
  if (path.size() > 1 && path.back() == '/' && path.find('/', 1) == path.size() - 1) {
    path.remove_suffix(1);
    return find_for_path(model, req, path, labels);
  }
  return nullptr;
}

ApiResult<Value> decode_xml_structure(const ServiceModel& model, const Shape& shape, const XmlElement& e) {
  Value out = Object{};
  for (const MemberModel& m : shape.members) {
    if (m.location != MemberLocation::kBody) continue;
    const Shape& ms = model.shape(m.shape);
    if (m.xml_attribute) {
      if (const std::string* a = e.attribute(m.wire_name)) {
        auto v = xml_scalar(ms, *a, m.timestamp_format, m.wire_name);
        if (!v) return v;
        out.set(std::string(m.wire_name), std::move(*v));
      }
      continue;
    }
    if (m.flattened && (ms.type == ShapeType::kList || ms.type == ShapeType::kMap)) {
      // botocore writes a flattened list's items under the member's name and
      // reads them under the list member's locationName: take either.
      std::string_view alt = ms.type == ShapeType::kList ? flattened_item_name(ms, m.wire_name) : m.wire_name;
      std::vector<const XmlElement*> items;
      for (const XmlElement& c : e.children)
        if (c.name == m.wire_name || c.name == alt) items.push_back(&c);
      if (items.empty()) continue;
      auto v = ms.type == ShapeType::kList ? xml_list(model, ms, items) : xml_map(model, ms, items);
      if (!v) return v;
      out.set(std::string(m.wire_name), std::move(*v));
      continue;
    }
    for (const XmlElement& c : e.children) {
      if (c.name != m.wire_name) continue;
      auto v = xml_value(model, ms, m.timestamp_format, c);
      if (!v) return v;
      out.set(std::string(m.wire_name), std::move(*v));
      break;
    }
  }
  return out;
}

ApiResult<Value> decode_rest_xml_input(const ServiceModel& model, const OperationModel& op, const net::HttpRequest& req,
                                       std::string_view body, const UriLabels& labels) {
  const bool s3_errors = model.xml_no_error_wrapping;
  std::string no_body;
  ApiResult<Value> bound = decode_rest_json_input(model, op, req, no_body, labels);
  if (!bound) {
    if (s3_errors) return std::unexpected(ApiError{"InvalidArgument", bound.error().message, 400, false});
    return bound;
  }
  Value in = std::move(*bound);
  const Shape* shape = model.input_shape(op);
  if (!shape) return in;
  // A query-string map takes the parameters no member names, but not the
  // template's own markers (`?search`, `?list-type=2`).
  if (size_t q = op.request_uri.find('?'); q != std::string_view::npos) {
    for (const MemberModel& m : shape->members) {
      Value* map = m.location == MemberLocation::kQueryString ? in.find(m.name) : nullptr;
      if (!map || !map->is_object()) continue;
      Object& entries = map->as_object();
      std::erase_if(entries, [&](const Member& e) { return has_query_param(op.request_uri.substr(q + 1), e.key); });
      if (entries.empty()) std::erase_if(in.as_object(), [&](const Member& e) { return e.key == m.name; });
    }
  }
  const MemberModel* payload = nullptr;
  bool has_body_members = false;
  for (const MemberModel& m : shape->members) {
    if (m.payload) payload = &m;
    if (m.location == MemberLocation::kBody && !m.payload) has_body_members = true;
  }
  auto malformed = [&](const std::string& why) {
    if (s3_errors)
      return std::unexpected(ApiError{
          "MalformedXML", "The XML you provided was not well-formed or did not validate against our published schema.",
          400, false});
    return std::unexpected(serialization("The request body is not valid XML: " + why));
  };
  // The body as an XML document whose root is `root` (or the shape's own
  // locationName, which botocore uses when the member has none), read as
  // `doc_shape`.
  auto document = [&](const Shape& doc_shape, std::string_view root) -> ApiResult<Value> {
    auto tree = parse_xml(body);
    if (!tree) return malformed(tree.error());
    if (tree->name != root && (doc_shape.xml_name.empty() || tree->name != doc_shape.xml_name))
      return malformed("the root element is " + tree->name + ", not " + std::string(root));
    auto v = decode_xml_structure(model, doc_shape, *tree);
    if (!v) return malformed(v.error().message);
    return v;
  };
  if (payload) {
    const Shape& ps = model.shape(payload->shape);
    if (ps.type == ShapeType::kBlob) {
      if (!body.empty()) in.set(std::string(payload->wire_name), Value(Blob{std::string(body)}));
    } else if (ps.type == ShapeType::kString) {
      if (!body.empty()) in.set(std::string(payload->wire_name), Value(std::string(body)));
    } else if (ps.type == ShapeType::kStructure) {
      if (body.empty()) {
        if (payload->required && s3_errors)
          return std::unexpected(ApiError{"MissingRequestBodyError", "Request body is empty.", 400, false});
        return in;
      }
      auto v = document(ps, payload->wire_name);
      if (!v) return v;
      in.set(std::string(payload->wire_name), std::move(*v));
    }
  } else if (has_body_members && !body.empty()) {
    auto v = document(*shape, shape->xml_name.empty() ? shape->name : shape->xml_name);
    if (!v) return v;
    for (Member& mem : v->as_object()) in.set(std::move(mem.key), std::move(mem.value));
  }
  return in;
}

net::HttpResponse encode_rest_xml_output(const ServiceModel& model, const OperationModel& op, Value&& output,
                                         const std::string& request_id) {
  const Shape* shape = model.output_shape(op);
  std::optional<std::string> payload_bytes;
  const std::vector<MemberModel> none;
  for (const MemberModel& m : shape&& output.is_object() ? shape->members : none) {
    if (!m.payload) continue;
    const ShapeType type = model.shape(m.shape).type;
    Value* v = output.find(m.wire_name);
    if (!v) v = output.find(m.name);
    if (!v) continue;
    // Left in place as an empty value of its kind, so the answer's headers
    // are what they would be; the bytes go in afterwards.
    if (type == ShapeType::kBlob && v->is_blob()) payload_bytes = std::exchange(v->as_blob().bytes, std::string());
    if (type == ShapeType::kString && v->is_string()) payload_bytes = std::exchange(v->as_string(), std::string());
  }
  net::HttpResponse resp = encode_rest_xml_output(model, op, std::as_const(output), request_id);
  if (payload_bytes) resp.body = std::move(*payload_bytes);
  return resp;
}

net::HttpResponse encode_rest_xml_output(const ServiceModel& model, const OperationModel& op, const Value& output,
                                         const std::string& request_id) {
  net::HttpResponse resp;
  resp.status = op.success_status;
  add_ids(resp, request_id);
  const Shape* shape = model.output_shape(op);
  if (!shape) return resp;
  const MemberModel* payload = nullptr;
  bool has_body_members = false;
  bool content_type = false;
  for (const MemberModel& m : shape->members) {
    if (m.payload) payload = &m;
    if (m.location == MemberLocation::kBody && !m.payload) has_body_members = true;
    const Value* v = member_value(output, m);
    if (!v || v->is_null()) continue;
    const Shape& ms = model.shape(m.shape);
    switch (m.location) {
      case MemberLocation::kStatusCode:
        if (v->is_int()) resp.status = static_cast<int>(v->as_int());
        break;
      case MemberLocation::kHeader: {
        // Content-Length: net/ writes it from the body, except for a HEAD
        // answer, which has no body and says the object's length (HeadObject).
        if (iequals(m.location_name, "Content-Type")) content_type = true;
        std::string text;
        if (ms.type == ShapeType::kList && v->is_array()) {
          for (const Value& item : v->as_array())
            text += (text.empty() ? "" : ",") + header_text(model.shape(ms.member), item, m.timestamp_format);
        } else {
          text = header_text(ms, *v, m.timestamp_format);
        }
        resp.headers.push_back({std::string(m.location_name), std::move(text)});
        break;
      }
      case MemberLocation::kHeaders:
        if (v->is_object())
          for (const Member& h : v->as_object())
            resp.headers.push_back(
                {std::string(m.location_name) + h.key, scalar_text(model.shape(ms.value), h.value, {})});
        break;
      default: break;
    }
  }
  if (const Value* status = output.is_object() ? output.find(kRestXmlStatusOverride) : nullptr;
      status && status->is_int())
    resp.status = static_cast<int>(status->as_int());
  if (payload) {
    const Value* v = member_value(output, *payload);
    const Shape& ps = model.shape(payload->shape);
    if (!v || v->is_null()) return resp;
    if (ps.type == ShapeType::kBlob || ps.type == ShapeType::kString) {
      if (!content_type)
        resp.headers.push_back({"Content-Type", ps.type == ShapeType::kBlob ? "binary/octet-stream" : "text/plain"});
      resp.body = v->is_blob() ? v->as_blob().bytes : v->is_string() ? v->as_string() : std::string();
      return resp;
    }
    resp.body = kXmlDeclaration;
    XmlNs ns{payload->xml_namespace, payload->xml_namespace_prefix};
    if (ns.uri.empty())
      ns = {ps.xml_namespace.empty() ? model.xml_namespace : ps.xml_namespace, ps.xml_namespace_prefix};
    write_value(model, ps, *v, payload->wire_name, ns, payload->timestamp_format, resp.body, 0);
  } else if (has_body_members) {
    resp.body = kXmlDeclaration;
    XmlNs ns{shape->xml_namespace.empty() ? model.xml_namespace : shape->xml_namespace, shape->xml_namespace_prefix};
    static const Value kEmpty = Object{};
    write_value(model, *shape, output.is_object() ? output : kEmpty,
                shape->xml_name.empty() ? shape->name : shape->xml_name, ns, {}, resp.body, 0);
  } else {
    return resp;
  }
  if (!content_type) resp.headers.push_back({"Content-Type", std::string(kXmlContentType)});
  return resp;
}

std::pair<std::string, int> s3_error_code(const ServiceModel* model, const ApiError& error) {
  if (model) {
    if (const Shape* s = model->find_shape(error.type); s && s->exception)
      return {s->error_code.empty() ? error.type : std::string(s->error_code), error.http_status};
  }
  struct Mapping {
    std::string_view type, code;
    int status;
  };
  static constexpr Mapping kMappings[] = {
      {"ValidationException", "InvalidArgument", 400},
      {"SerializationException", "MalformedXML", 400},
      {"UnknownOperationException", "MethodNotAllowed", 405},
      {"MissingAuthenticationTokenException", "AccessDenied", 403},
      {"AccessDeniedException", "AccessDenied", 403},
      {"IncompleteSignatureException", "AuthorizationHeaderMalformed", 400},
      {"InvalidSignatureException", "SignatureDoesNotMatch", 403},
      {"UnrecognizedClientException", "InvalidAccessKeyId", 403},
      {"ServiceUnavailableException", "ServiceUnavailable", 503},
      {"InternalFailure", "InternalError", 500},
  };
  if (error.type == "SerializationException" && error.http_status == 413) return {"EntityTooLarge", 400};
  if (error.type == "InvalidSignatureException" &&
      (error.message.starts_with("Signature expired") || error.message.starts_with("Signature not yet current")))
    return {"RequestTimeTooSkewed", 403};
  for (const Mapping& m : kMappings)
    if (error.type == m.type) return {std::string(m.code), m.status};
  return {error.type, error.http_status};
}

net::HttpResponse encode_rest_xml_error(const ServiceModel* model, const ApiError& error,
                                        const std::string& request_id) {
  net::HttpResponse resp;
  std::string host_id = add_ids(resp, request_id);
  resp.headers.push_back({"Content-Type", std::string(kXmlContentType)});
  auto element = [&](std::string_view name, std::string_view text) {
    resp.body += '<';
    resp.body += name;
    resp.body += '>';
    append_xml_escaped(text, resp.body);
    resp.body += "</";
    resp.body += name;
    resp.body += '>';
  };
  resp.body = kXmlDeclaration;
  if (model && model->xml_no_error_wrapping) {
    auto [code, status] = s3_error_code(model, error);
    resp.status = status;
    resp.body += "<Error>";
    element("Code", code);
    element("Message", error.message);
    if (!error.resource.empty()) element("Resource", error.resource);
    element("RequestId", request_id);
    element("HostId", host_id);
    resp.body += "</Error>";
    return resp;
  }
  std::string code = error.type;
  if (model) {
    if (const Shape* s = model->find_shape(error.type); s && s->exception && !s->error_code.empty())
      code = s->error_code;
  }
  resp.status = error.http_status;
  resp.body += "<ErrorResponse";
  if (model) append_namespace(model->xml_namespace, {}, resp.body);
  resp.body += "><Error>";
  element("Type", error.http_status >= 500 ? "Receiver" : "Sender");
  element("Code", code);
  element("Message", error.message);
  resp.body += "</Error>";
  element("RequestId", request_id);
  resp.body += "</ErrorResponse>";
  return resp;
}

}  // namespace runnel::protocol
