// libFuzzer target for the REST-XML decoder (xml_dom + rest_xml), over the
// toy S3-like model (tests/models/toyxml): the first byte picks the
// operation, the rest is the request body. Checks that nothing crashes, that
// errors carry the codes rest_xml.h lists, that an accepted input passes
// validate_input without crashing, that an XML document the decoder read is
// written back (by the answer encoder) as XML that parses again, also as
// another shape whose members it fits badly, and that every error encodes.

#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

#include "protocol/rest_xml.h"
#include "protocol/test_models.h"
#include "protocol/validator.h"
#include "protocol/xml_dom.h"

using namespace runnel::protocol;

namespace {

// A request for `op`: its template's labels filled in and its query markers.
runnel::net::HttpRequest request_for(const OperationModel& op) {
  runnel::net::HttpRequest r;
  r.method = std::string(op.http_method);
  std::string_view uri = op.request_uri;
  size_t q = uri.find('?');
  if (q != std::string_view::npos) r.query = std::string(uri.substr(q + 1));
  std::string_view tmpl = uri.substr(0, q);
  for (size_t i = 0; i < tmpl.size(); ++i) {
    if (tmpl[i] != '{') {
      r.path += tmpl[i];
      continue;
    }
    size_t close = tmpl.find('}', i);
    r.path += "bucket";
    i = close;
  }
  return r;
}

// The document `shape` (a structure) would be written as, parsed again.
void check_rewrites(const ServiceModel& model, const Shape& shape, const Value& v) {
  OperationModel op{};
  op.output = static_cast<ShapeRef>(&shape - model.shapes.data());
  runnel::net::HttpResponse resp = encode_rest_xml_output(model, op, v, "id");
  if (resp.body.empty()) return;
  if (!parse_xml(resp.body)) std::abort();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size < 1) return 0;
  const ServiceModel& model = toyxml_model();
  const OperationModel& op = model.operations[data[0] % model.operations.size()];
  std::string_view body(reinterpret_cast<const char*>(data + 1), size - 1);

  // The reader alone.
  if (auto doc = parse_xml(body)) {
    Value previous = Object{};
    for (const Shape& s : model.shapes) {
      if (s.type != ShapeType::kStructure) continue;
      // Members of the wrong kind (another shape's value) still make XML.
      check_rewrites(model, s, previous);
      auto v = decode_xml_structure(model, s, *doc);
      if (!v) {
        if (v.error().type != "SerializationException") std::abort();
        continue;
      }
      if (!v->is_object()) std::abort();
      check_rewrites(model, s, *v);
      previous = std::move(*v);
    }
  }

  // The whole request path.
  runnel::net::HttpRequest req = request_for(op);
  UriLabels labels;
  const OperationModel* found = find_rest_xml_operation(model, req, labels);
  if (!found) std::abort();
  auto in = decode_rest_xml_input(model, op, req, body, labels);
  if (!in) {
    const std::string& t = in.error().type;
    if (t != "MalformedXML" && t != "InvalidArgument" && t != "MissingRequestBodyError") std::abort();
    if (encode_rest_xml_error(&model, in.error(), "id").body.empty()) std::abort();
    return 0;
  }
  Value input = std::move(*in);
  if (!input.is_object()) std::abort();
  auto ok = validate_input(model, op, input, WireFormat::kJson);
  if (!ok) {
    if (encode_rest_xml_error(&model, ok.error(), "id").body.empty()) std::abort();
    return 0;
  }
  // A validated structure payload is written back as XML that parses.
  if (const Shape* shape = model.input_shape(op)) {
    for (const MemberModel& m : shape->members) {
      const Value* v = m.payload ? input.find(m.wire_name) : nullptr;
      if (v && model.shape(m.shape).type == ShapeType::kStructure) check_rewrites(model, model.shape(m.shape), *v);
    }
  }
  return 0;
}
