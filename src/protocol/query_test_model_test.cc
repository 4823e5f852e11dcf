// Not a test of its own: the definition of query_test_model.h's model. It
// lives in a _test.cc file so that only the test binary links it.
#include <vector>

#include "protocol/query_test_model.h"

namespace runnel::protocol::testing {
namespace {

enum Ref : ShapeRef {
  kBlobS,
  kBool,
  kDouble,
  kFlatList,
  kFloat,
  kInput,
  kLong,
  kMap,
  kNamedList,
  kNode,
  kString,
  kThingNotFound,
  kTimestampS,
  kCount
};

MemberModel member(std::string_view name, ShapeRef shape, bool required = false) {
  MemberModel m;
  m.name = name;
  m.wire_name = name;
  m.shape = shape;
  m.required = required;
  return m;
}

Shape shape(std::string_view name, ShapeType type) {
  Shape s;
  s.name = name;
  s.type = type;
  return s;
}

struct Tables {
  std::vector<MemberModel> input_members;
  std::vector<MemberModel> node_members;
  std::vector<MemberModel> error_members;
  std::vector<Shape> shapes;
  std::vector<OperationModel> operations;
  std::vector<std::string_view> protocols{"query"};
  ServiceModel model;

  Tables() {
    input_members = {member("Name", kString, true), member("Flags", kFlatList), member("Items", kNamedList),
                     member("Tags", kMap),          member("Data", kBlobS),     member("On", kBool),
                     member("Big", kLong),          member("Ratio", kDouble),   member("Small", kFloat),
                     member("When", kTimestampS),   member("Node", kNode)};
    node_members = {member("Label", kString), member("Child", kNode)};
    error_members = {member("message", kString)};
    shapes.resize(kCount);
    shapes[kBlobS] = shape("Blob", ShapeType::kBlob);
    shapes[kBool] = shape("Bool", ShapeType::kBoolean);
    shapes[kDouble] = shape("Double", ShapeType::kDouble);
    shapes[kFlatList] = shape("FlatList", ShapeType::kList);
    shapes[kFlatList].member = kString;
    shapes[kFlatList].flattened = true;
    shapes[kFlatList].list_member_name = "Flag";
    shapes[kFloat] = shape("Float", ShapeType::kFloat);
    shapes[kInput] = shape("Input", ShapeType::kStructure);
    shapes[kInput].members = input_members;
    shapes[kLong] = shape("Long", ShapeType::kLong);
    shapes[kMap] = shape("Map", ShapeType::kMap);
    shapes[kMap].key = kString;
    shapes[kMap].value = kString;
    shapes[kNamedList] = shape("NamedList", ShapeType::kList);
    shapes[kNamedList].member = kString;
    shapes[kNamedList].list_member_name = "Item";
    shapes[kNode] = shape("Node", ShapeType::kStructure);
    shapes[kNode].members = node_members;
    shapes[kString] = shape("String", ShapeType::kString);
    shapes[kThingNotFound] = shape("ThingNotFoundException", ShapeType::kStructure);
    shapes[kThingNotFound].members = error_members;
    shapes[kThingNotFound].exception = true;
    shapes[kThingNotFound].error_code = "ThingNotFound";
    shapes[kThingNotFound].error_status = 404;
    shapes[kTimestampS] = shape("Timestamp", ShapeType::kTimestamp);
    OperationModel op;
    op.name = "Do";
    op.input = kInput;
    op.output = kInput;
    op.result_wrapper = "DoResult";
    OperationModel ping;
    ping.name = "Ping";
    operations = {op, ping};
    model.service = "example";
    model.api_version = "2020-01-01";
    model.protocol = "query";
    model.protocols = protocols;
    model.xml_namespace = "https://example.com/doc/2020-01-01/";
    model.java_package = "com.amazonaws.example.v20200101";
    model.shapes = shapes;
    model.operations = operations;
  }
};

}  // namespace

const ServiceModel& example_query_model() {
  static const Tables tables;
  return tables.model;
}

}  // namespace runnel::protocol::testing
