// AWS Query answers: the XML of a success and of an error, and the Query
// codes of errors (query_codec.h). Requests are in query_codec.cc.
#include <fmt/format.h>
#include <charconv>
#include <cmath>

#include "protocol/base64.h"
#include "protocol/iso8601.h"
#include "protocol/query_codec.h"

namespace runnel::protocol {
namespace {

// Text content and attribute values: XML 1.0 cannot carry C0 controls other
// than tab, newline and carriage return, even as references, so those
// become U+FFFD; a carriage return is a reference so that parsers do not
// normalise it away.
void append_escaped(std::string_view s, std::string& out) {
  for (char c : s) {
    switch (c) {
      case '&': out += "&amp;"; break;
      case '<': out += "&lt;"; break;
      case '>': out += "&gt;"; break;
      case '"': out += "&quot;"; break;
      case '\'': out += "&apos;"; break;
      case '\r': out += "&#13;"; break;
      case '\t':
      case '\n': out += c; break;
      default:
        if (static_cast<unsigned char>(c) < 0x20) {
          out += "\xEF\xBF\xBD";
        } else {
          out += c;
        }
    }
  }
}

// Java's Double.toString / Float.toString over the shortest digits that
// read back as the same value: plain notation for magnitudes in [1e-3, 1e7)
// ("0.25", "100.0"), otherwise "d.dddE[-]n" ("1.0E-5", "1.2345E10").
template <class F>
void append_java_number(F d, std::string& out) {
  if (std::isnan(d)) {
    out += "NaN";
    return;
  }
  if (std::isinf(d)) {
    out += d > 0 ? "Infinity" : "-Infinity";
    return;
  }
  if (d == 0) {
    out += std::signbit(d) ? "-0.0" : "0.0";
    return;
  }
  char buf[64];
  auto [end, ec] = std::to_chars(buf, buf + sizeof buf, d, std::chars_format::scientific);
  std::string_view sci(buf, static_cast<size_t>(end - buf));  // "-1.2345e+10"
  if (d < 0) {
    out += '-';
    sci.remove_prefix(1);
  }
  const size_t e_pos = sci.find('e');
  std::string digits;
  for (char c : sci.substr(0, e_pos))
    if (c != '.') digits += c;
  int exponent = 0;
  std::string_view exp_text = sci.substr(e_pos + 1);
  if (!exp_text.empty() && exp_text[0] == '+') exp_text.remove_prefix(1);
  std::from_chars(exp_text.data(), exp_text.data() + exp_text.size(), exponent);
  const F magnitude = std::fabs(d);
  if (magnitude >= F(1e-3) && magnitude < F(1e7)) {
    if (exponent >= 0) {
      const auto int_len = static_cast<size_t>(exponent) + 1;
      if (digits.size() <= int_len) {
        out += digits;
        out.append(int_len - digits.size(), '0');
        out += ".0";
      } else {
        out += digits.substr(0, int_len);
        out += '.';
        out += digits.substr(int_len);
      }
    } else {
      out += "0.";
      out.append(static_cast<size_t>(-exponent - 1), '0');
      out += digits;
    }
    return;
  }
  out += digits[0];
  out += '.';
  out += digits.size() > 1 ? std::string_view(digits).substr(1) : std::string_view("0");
  out += 'E';
  out += std::to_string(exponent);
}

class XmlWriter {
 public:
  XmlWriter(const ServiceModel& model, std::string& out) : model_(model), out_(out) {}

  void open(std::string_view name) {
    out_ += '<';
    out_ += name;
    out_ += '>';
  }
  void close(std::string_view name) {
    out_ += "</";
    out_ += name;
    out_ += '>';
  }
  void text_element(std::string_view name, std::string_view text) {
    open(name);
    append_escaped(text, out_);
    close(name);
  }

  // The members `shape` defines that `v` holds, in the shape's order.
  void members(const Shape& shape, const Value& v) {
    if (!v.is_object()) return;
    for (const MemberModel& m : shape.members) {
      const Value* mv = v.find(m.wire_name);
      if (mv == nullptr || mv->is_null()) continue;
      const Shape& target = model_.shape(m.shape);
      std::string_view name = m.wire_name;
      // botocore's parser looks a flattened list with named items up by the
      // item name (BaseXMLResponseParser._member_key_name).
      if (target.type == ShapeType::kList && target.flattened && target.list_member_name != "member")
        name = target.list_member_name;
      element(name, target, *mv);
    }
  }

  void element(std::string_view name, const Shape& shape, const Value& v) {
    if (v.is_null() || v.is_encoded()) return;
    switch (shape.type) {
      case ShapeType::kStructure:
        open(name);
        members(shape, v);
        close(name);
        return;
      case ShapeType::kList: {
        if (!v.is_array()) return;
        const Shape& item = model_.shape(shape.member);
        if (shape.flattened) {
          for (const Value& x : v.as_array()) element(name, item, x);
          return;
        }
        open(name);
        for (const Value& x : v.as_array()) element(shape.list_member_name, item, x);
        close(name);
        return;
      }
      case ShapeType::kMap: {
        if (!v.is_object()) return;
        const Shape& key = model_.shape(shape.key);
        const Shape& value = model_.shape(shape.value);
        if (!shape.flattened) open(name);
        for (const Member& e : v.as_object()) {
          std::string_view entry = shape.flattened ? name : std::string_view("entry");
          open(entry);
          element("key", key, Value(e.key));
          element("value", value, e.value);
          close(entry);
        }
        if (!shape.flattened) close(name);
        return;
      }
      default:
        open(name);
        scalar(shape, v);
        close(name);
    }
  }

 private:
  void scalar(const Shape& shape, const Value& v) {
    const bool is_float = shape.type == ShapeType::kFloat;
    switch (v.kind()) {
      case Value::Kind::kString: append_escaped(v.as_string(), out_); return;
      case Value::Kind::kBool: out_ += v.as_bool() ? "true" : "false"; return;
      case Value::Kind::kInt:
        if (shape.type == ShapeType::kDouble || is_float) {
          append_number(static_cast<double>(v.as_int()), is_float);
        } else {
          out_ += std::to_string(v.as_int());
        }
        return;
      case Value::Kind::kDouble: append_number(v.as_double(), is_float); return;
      case Value::Kind::kBlob: base64_encode_append(v.as_blob().bytes, out_); return;
      case Value::Kind::kTimestamp: append_iso8601(v.as_timestamp().millis, out_); return;
      default: return;
    }
  }

  void append_number(double d, bool is_float) {
    if (is_float) {
      append_java_number(static_cast<float>(d), out_);
    } else {
      append_java_number(d, out_);
    }
  }

  const ServiceModel& model_;
  std::string& out_;
};

void open_root(const ServiceModel& model, std::string_view name, std::string& out) {
  out += '<';
  out += name;
  if (!model.xml_namespace.empty()) {
    out += " xmlns=\"";
    append_escaped(model.xml_namespace, out);
    out += '"';
  }
  out += '>';
}

}  // namespace

std::string encode_query_output(const ServiceModel& model, const OperationModel& op, const Value& output,
                                std::string_view request_id) {
  std::string out;
  XmlWriter xml(model, out);
  const std::string root = std::string(op.name) + "Response";
  open_root(model, root, out);
  if (const Shape* shape = model.output_shape(op)) {
    if (op.result_wrapper.empty()) {
      xml.members(*shape, output);
    } else {
      xml.open(op.result_wrapper);
      xml.members(*shape, output);
      xml.close(op.result_wrapper);
    }
  }
  xml.open("ResponseMetadata");
  xml.text_element("RequestId", request_id);
  xml.close("ResponseMetadata");
  xml.close(root);
  return out;
}

QueryErrorCode query_error_code(const ServiceModel& model, const ApiError& error) {
  const Shape* shape = model.find_shape(error.type);
  if (shape != nullptr && shape->exception) {
    QueryErrorCode c;
    c.code = shape->error_code.empty() ? std::string(shape->name) : std::string(shape->error_code);
    c.http_status = shape->error_status != 0 ? shape->error_status : error.http_status;
    // gen_model reads botocore's senderFault, which models leave out for
    // server faults (InternalServiceFault: 500, no senderFault).
    c.sender = shape->sender_fault && c.http_status < 500;
    return c;
  }
  if (error.type == "ValidationException") return {"ValidationError", error.http_status, true};
  if (error.type == "SerializationException") return {"MalformedInput", error.http_status, true};
  return {error.type, error.http_status, error.http_status < 500};
}

QueryErrorResponse encode_query_error(const ServiceModel& model, const ApiError& error, std::string_view request_id) {
  const QueryErrorCode code = query_error_code(model, error);
  QueryErrorResponse r;
  r.http_status = code.http_status;
  XmlWriter xml(model, r.body);
  open_root(model, "ErrorResponse", r.body);
  xml.open("Error");
  xml.text_element("Type", code.sender ? "Sender" : "Receiver");
  xml.text_element("Code", code.code);
  if (!error.message.empty()) xml.text_element("Message", error.message);
  xml.close("Error");
  xml.text_element("RequestId", request_id);
  xml.close("ErrorResponse");
  return r;
}

std::string query_error_header(const ServiceModel& model, const ApiError& error) {
  if (!model.aws_query_compatible) return "";
  const QueryErrorCode code = query_error_code(model, error);
  return code.code + (code.sender ? ";Sender" : ";Receiver");
}

}  // namespace runnel::protocol
