#include "protocol/rest_json.h"

#include <charconv>
#include <cmath>

#include "protocol/base64.h"
#include "protocol/http_date.h"
#include "protocol/iso8601.h"
#include "protocol/json_codec.h"
#include "protocol/percent_decode.h"

namespace runnel::protocol {
namespace {

ApiError serialization(std::string message) {
  return ApiError{"SerializationException", std::move(message), 400, false};
}

// The value of one header, query or label member as the JSON decoder
// would have produced it.
ApiResult<Value> text_value(const Shape& shape, std::string_view text, MemberLocation where, std::string_view name) {
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
      // Headers carry HTTP dates, query strings and labels ISO 8601 (the
      // protocol's defaults); both are accepted, and epoch seconds.
      std::optional<int64_t> ms = where == MemberLocation::kHeader ? parse_http_date_millis(text) : std::nullopt;
      if (!ms) ms = parse_iso8601(text);
      if (!ms) {
        double secs = 0;
        auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), secs);
        if (ec != std::errc() || end != text.data() + text.size()) return bad();
        return Value(secs);
      }
      return Value(static_cast<double>(*ms) / 1000.0);
    }
    case ShapeType::kBlob: return Value(std::string(text));  // base64, checked by validation
    default: return bad();
  }
}

struct QueryParam {
  std::string key, value;
};

ApiResult<std::vector<QueryParam>> parse_query(std::string_view q) {
  std::vector<QueryParam> out;
  while (!q.empty()) {
    size_t amp = q.find('&');
    std::string_view pair = q.substr(0, amp);
    q = amp == std::string_view::npos ? std::string_view() : q.substr(amp + 1);
    if (pair.empty()) continue;
    size_t eq = pair.find('=');
    auto key = percent_decode(pair.substr(0, eq));
    auto value = percent_decode(eq == std::string_view::npos ? std::string_view() : pair.substr(eq + 1));
    if (!key || !value) return std::unexpected(serialization("The query string has a malformed percent-escape."));
    out.push_back({std::move(*key), std::move(*value)});
  }
  return out;
}

std::string text_of(const Value& v) {
  switch (v.kind()) {
    case Value::Kind::kString: return v.as_string();
    case Value::Kind::kBool: return v.as_bool() ? "true" : "false";
    case Value::Kind::kInt: return std::to_string(v.as_int());
    case Value::Kind::kDouble: return encode_json(v);
    case Value::Kind::kTimestamp: return format_http_date(v.as_timestamp().millis);
    case Value::Kind::kBlob: return base64_encode(v.as_blob().bytes);
    default: return encode_json(v);
  }
}

}  // namespace

size_t literal_chars(std::string_view uri_template) {
  size_t n = 0;
  bool in_label = false;
  for (char c : uri_template) {
    if (c == '{')
      in_label = true;
    else if (c == '}')
      in_label = false;
    else if (!in_label)
      ++n;
  }
  return n;
}

std::optional<UriLabels> match_request_uri(std::string_view tmpl, std::string_view path, std::string_view query) {
  std::string_view tmpl_query;
  if (size_t q = tmpl.find('?'); q != std::string_view::npos) {
    tmpl_query = tmpl.substr(q + 1);
    tmpl = tmpl.substr(0, q);
  }
  UriLabels labels;
  size_t t = 0, p = 0;
  while (t < tmpl.size()) {
    if (tmpl[t] != '{') {
      if (p >= path.size() || path[p] != tmpl[t]) return std::nullopt;
      ++t, ++p;
      continue;
    }
    size_t close = tmpl.find('}', t);
    if (close == std::string_view::npos) return std::nullopt;
    std::string_view name = tmpl.substr(t + 1, close - t - 1);
    bool greedy = name.ends_with('+');
    if (greedy) name.remove_suffix(1);
    t = close + 1;
    // A label runs to the next '/' (greedy: to the next literal of the
    // template, or the end).
    size_t end;
    if (greedy) {
      std::string_view rest = tmpl.substr(t);
      end = rest.empty() ? path.size() : path.rfind(rest);
      if (end == std::string_view::npos || end < p) return std::nullopt;
    } else {
      end = path.find('/', p);
      if (end == std::string_view::npos) end = path.size();
    }
    if (end == p) return std::nullopt;
    auto value = percent_decode(path.substr(p, end - p));
    if (!value) return std::nullopt;
    labels.emplace_back(std::string(name), std::move(*value));
    p = end;
  }
  if (p != path.size()) return std::nullopt;
  // A literal query part (`?tagging`, `?list-type=2`) must be present.
  while (!tmpl_query.empty()) {
    size_t amp = tmpl_query.find('&');
    std::string_view want = tmpl_query.substr(0, amp);
    tmpl_query = amp == std::string_view::npos ? std::string_view() : tmpl_query.substr(amp + 1);
    bool found = false;
    for (std::string_view q = query; !q.empty();) {
      size_t a = q.find('&');
      std::string_view have = q.substr(0, a);
      q = a == std::string_view::npos ? std::string_view() : q.substr(a + 1);
      if (have == want || (want.find('=') == std::string_view::npos && have.substr(0, have.find('=')) == want))
        found = true;
    }
    if (!found) return std::nullopt;
  }
  return labels;
}

const OperationModel* find_rest_operation(const ServiceModel& model, const net::HttpRequest& req, UriLabels& labels) {
  const OperationModel* best = nullptr;
  size_t best_literal = 0;
  for (const OperationModel& op : model.operations) {
    if (op.http_method != req.method) continue;
    auto m = match_request_uri(op.request_uri, req.path, req.query);
    if (!m) continue;
    size_t literal = literal_chars(op.request_uri);
    if (!best || literal > best_literal) {
      best = &op;
      best_literal = literal;
      labels = std::move(*m);
    }
  }
  return best;
}

ApiResult<Value> decode_rest_json_input(const ServiceModel& model, const OperationModel& op,
                                        const net::HttpRequest& req, std::string& body, const UriLabels& labels) {
  const Shape* shape = model.input_shape(op);
  if (!shape) return Value(Object{});
  Value in = Object{};
  const MemberModel* payload = nullptr;
  bool has_body_members = false;
  for (const MemberModel& m : shape->members) {
    if (m.payload) payload = &m;
    if (m.location == MemberLocation::kBody && !m.payload) has_body_members = true;
  }
  if (payload) {
    const Shape& ps = model.shape(payload->shape);
    if (ps.type == ShapeType::kBlob) {
      if (!body.empty()) in.set(std::string(payload->name), Value(Blob{body}));
    } else if (ps.type == ShapeType::kString) {
      if (!body.empty()) in.set(std::string(payload->name), Value(body));
    } else if (!body.empty()) {
      auto doc = decode_json_in_place(body);
      if (!doc) return std::unexpected(doc.error());
      in.set(std::string(payload->name), std::move(*doc));
    }
  } else if (has_body_members && !body.empty()) {
    auto doc = decode_json_in_place(body);
    if (!doc) return std::unexpected(doc.error());
    if (!doc->is_object()) return std::unexpected(serialization("The request body is not a JSON object."));
    for (Member& mem : doc->as_object()) {
      const MemberModel* m = shape->find_member(mem.key);
      if (m && m->location == MemberLocation::kBody) in.set(std::string(m->name), std::move(mem.value));
    }
  }

  ApiResult<std::vector<QueryParam>> query = parse_query(req.query);
  if (!query) return std::unexpected(query.error());
  for (const MemberModel& m : shape->members) {
    const Shape& ms = model.shape(m.shape);
    switch (m.location) {
      case MemberLocation::kBody:
      case MemberLocation::kStatusCode: break;
      case MemberLocation::kUri:
        for (const auto& [name, value] : labels) {
          if (name != m.location_name) continue;
          auto v = text_value(ms, value, m.location, m.location_name);
          if (!v) return std::unexpected(v.error());
          in.set(std::string(m.name), std::move(*v));
        }
        break;
      case MemberLocation::kHeader: {
        std::string lower(m.location_name);
        for (char& c : lower) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
        const std::string* h = req.header(lower);
        if (!h) break;
        if (ms.type == ShapeType::kList) {
          Array items;
          std::string_view rest = *h;
          while (!rest.empty()) {
            size_t comma = rest.find(',');
            std::string_view item = rest.substr(0, comma);
            while (!item.empty() && item.front() == ' ') item.remove_prefix(1);
            while (!item.empty() && item.back() == ' ') item.remove_suffix(1);
            auto v = text_value(model.shape(ms.member), item, m.location, m.location_name);
            if (!v) return std::unexpected(v.error());
            items.push_back(std::move(*v));
            rest = comma == std::string_view::npos ? std::string_view() : rest.substr(comma + 1);
          }
          in.set(std::string(m.name), Value(std::move(items)));
          break;
        }
        auto v = text_value(ms, *h, m.location, m.location_name);
        if (!v) return std::unexpected(v.error());
        in.set(std::string(m.name), std::move(*v));
        break;
      }
      case MemberLocation::kHeaders: {
        std::string prefix(m.location_name);
        for (char& c : prefix) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
        Value map = Object{};
        for (const net::Header& h : req.headers)
          if (h.name.starts_with(prefix)) map.set(h.name.substr(prefix.size()), h.value);
        if (!map.as_object().empty()) in.set(std::string(m.name), std::move(map));
        break;
      }
      case MemberLocation::kQueryString: {
        if (ms.type == ShapeType::kMap) {  // every parameter no other member takes
          Value map = Object{};
          for (const QueryParam& q : *query) {
            bool claimed = false;
            for (const MemberModel& other : shape->members)
              if (&other != &m && other.location == MemberLocation::kQueryString && other.location_name == q.key)
                claimed = true;
            if (!claimed) map.set(q.key, q.value);
          }
          if (!map.as_object().empty()) in.set(std::string(m.name), std::move(map));
          break;
        }
        Array items;
        for (const QueryParam& q : *query) {
          if (q.key != m.location_name) continue;
          const Shape& item_shape = ms.type == ShapeType::kList ? model.shape(ms.member) : ms;
          auto v = text_value(item_shape, q.value, m.location, m.location_name);
          if (!v) return std::unexpected(v.error());
          items.push_back(std::move(*v));
        }
        if (items.empty()) break;
        if (ms.type == ShapeType::kList)
          in.set(std::string(m.name), Value(std::move(items)));
        else
          in.set(std::string(m.name), std::move(items.back()));
        break;
      }
    }
  }
  return in;
}

net::HttpResponse encode_rest_json_output(const ServiceModel& model, const OperationModel& op, const Value& output) {
  net::HttpResponse resp;
  resp.status = op.success_status;
  const Shape* shape = model.output_shape(op);
  if (!shape) return resp;
  Value body = Object{};
  const MemberModel* payload = nullptr;
  for (const MemberModel& m : shape->members) {
    const Value* v = output.is_object() ? output.find(m.name) : nullptr;
    if (m.payload) payload = &m;
    if (!v || m.payload) continue;
    switch (m.location) {
      case MemberLocation::kBody: body.set(std::string(m.wire_name), *v); break;
      case MemberLocation::kStatusCode:
        if (v->is_int()) resp.status = static_cast<int>(v->as_int());
        break;
      case MemberLocation::kHeader:
        if (v->is_array()) {
          std::string joined;
          for (const Value& item : v->as_array()) joined += (joined.empty() ? "" : ",") + text_of(item);
          resp.headers.push_back({std::string(m.location_name), joined});
        } else {
          resp.headers.push_back({std::string(m.location_name), text_of(*v)});
        }
        break;
      case MemberLocation::kHeaders:
        if (v->is_object())
          for (const Member& h : v->as_object())
            resp.headers.push_back({std::string(m.location_name) + h.key, text_of(h.value)});
        break;
      case MemberLocation::kQueryString:
      case MemberLocation::kUri: break;
    }
  }
  if (payload) {
    const Value* v = output.is_object() ? output.find(payload->name) : nullptr;
    const Shape& ps = model.shape(payload->shape);
    if (v && v->is_blob()) {
      resp.headers.push_back({"Content-Type", "application/octet-stream"});
      resp.body = v->as_blob().bytes;
    } else if (v && v->is_string() && ps.type == ShapeType::kString) {
      resp.headers.push_back({"Content-Type", "text/plain"});
      resp.body = v->as_string();
    } else if (v) {
      resp.headers.push_back({"Content-Type", "application/json"});
      resp.body = encode_json(*v);
    }
  } else {
    resp.headers.push_back({"Content-Type", "application/json"});
    resp.body = encode_json(body);
  }
  return resp;
}

net::HttpResponse encode_rest_json_error(const ApiError& error) {
  net::HttpResponse resp;
  resp.status = error.http_status;
  resp.headers.push_back({"Content-Type", "application/json"});
  resp.headers.push_back({"x-amzn-ErrorType", error.type});
  Value body = Object{};
  body.set("__type", error.type);
  body.set("message", error.message);
  resp.body = encode_json(body);
  return resp;
}

}  // namespace runnel::protocol
