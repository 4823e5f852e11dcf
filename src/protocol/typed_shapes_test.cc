// The typed shapes tools/gen_shapes.py generates (docs/typed-shapes.md),
// over two whole models: every structure of CloudWatch's and Kinesis's
// models decodes a sample Value with every member set and encodes it back
// unchanged; a Value of the wrong kind anywhere in it is an error naming the
// member, never a crash; the C++ types follow the documented mapping.

#include <gtest/gtest.h>

#include <algorithm>
#include <functional>
#include <type_traits>

#include "cloudwatch_shapes.h"
#include "cloudwatch_shapes_roundtrip.h"
#include "kinesis_shapes.h"
#include "kinesis_shapes_roundtrip.h"
#include "protocol/dispatcher.h"
#include "protocol/json_codec.h"
#include "protocol/model.h"
#include "protocol/test_models.h"
#include "protocol/typed_handler.h"
#include "shapes_shapes.h"
#include "shapes_shapes_roundtrip.h"

namespace runnel::protocol {

// Failures print Values as JSON.
void PrintTo(const Value& v, std::ostream* os) { *os << encode_json(v); }

const ServiceModel& shapes_model();  // tests/models/shapes (CMakeLists.txt)

namespace {

constexpr int kMaxDepth = 5;  // optional structures below this are left out (recursive shapes)

// A Value for `shape` with every member present, lists and maps of two.
// `salt` varies enum choices and scalars between siblings.
Value sample(const ServiceModel& model, const Shape& shape, int depth, int salt) {
  switch (shape.type) {
    case ShapeType::kStructure: {
      Object o;
      for (const MemberModel& m : shape.members) {
        const Shape& ms = model.shape(m.shape);
        if (!m.required && depth >= kMaxDepth &&
            (ms.type == ShapeType::kStructure || ms.type == ShapeType::kList || ms.type == ShapeType::kMap))
          continue;
        o.push_back({std::string(m.name), sample(model, ms, depth + 1, salt + static_cast<int>(o.size()))});
      }
      return Value(std::move(o));
    }
    case ShapeType::kList: {
      Array a;
      if (depth < kMaxDepth)
        for (int i = 0; i < 2; ++i) a.push_back(sample(model, model.shape(shape.member), depth + 1, salt + i));
      return Value(std::move(a));
    }
    case ShapeType::kMap: {
      Object o;
      if (depth < kMaxDepth)
        for (int i = 0; i < 2; ++i)
          o.push_back({"key" + std::to_string(i), sample(model, model.shape(shape.value), depth + 1, salt + i)});
      return Value(std::move(o));
    }
    case ShapeType::kString:
      if (!shape.enum_values.empty())
        return Value(std::string(shape.enum_values[static_cast<size_t>(salt) % shape.enum_values.size()]));
      return Value(std::string(shape.name) + "-" + std::to_string(salt));
    case ShapeType::kBlob: return Value(Blob{std::string("\0\x01\xff", 3) + std::to_string(salt)});
    case ShapeType::kBoolean: return Value(salt % 2 == 0);
    case ShapeType::kInteger: return Value(int64_t{-7 - salt});
    case ShapeType::kLong: return Value((int64_t{1} << 40) + salt);
    case ShapeType::kFloat:
    case ShapeType::kDouble: return Value(2.5 + salt);
    case ShapeType::kTimestamp: return Value(Timestamp{1'700'000'000'123 + salt});
  }
  return Value();
}

// Structures compare without regard to member order (encode() follows the
// model's order; ServiceModel lists members in AWS's validation order).
Value sorted(const Value& v, const ServiceModel& model, const Shape& shape) {
  switch (shape.type) {
    case ShapeType::kStructure: {
      if (!v.is_object()) return v;
      Object o;
      for (const Member& m : v.as_object()) {
        const MemberModel* mm = shape.find_member(m.key);
        o.push_back({m.key, mm ? sorted(m.value, model, model.shape(mm->shape)) : m.value});
      }
      std::sort(o.begin(), o.end(), [](const Member& a, const Member& b) { return a.key < b.key; });
      return Value(std::move(o));
    }
    case ShapeType::kList: {
      if (!v.is_array()) return v;
      Array a;
      for (const Value& item : v.as_array()) a.push_back(sorted(item, model, model.shape(shape.member)));
      return Value(std::move(a));
    }
    case ShapeType::kMap: {
      if (!v.is_object()) return v;
      Object o;
      for (const Member& m : v.as_object()) o.push_back({m.key, sorted(m.value, model, model.shape(shape.value))});
      return Value(std::move(o));  // a map keeps its order
    }
    default: return v;
  }
}

// A Value no decoder of `shape` accepts.
Value wrong_kind_for(const Shape& shape) {
  return shape.type == ShapeType::kString ? Value(int64_t{1}) : Value(std::string("wrong"));
}

// Calls `visit(path, node, shape)` for every node of `v` below the root.
void for_each_node(const ServiceModel& model, Value& v, const Shape& shape, std::string path,
                   const std::function<void(const std::string&, Value&, const Shape&)>& visit) {
  if (shape.type == ShapeType::kStructure && v.is_object()) {
    for (Member& m : v.as_object()) {
      const Shape& ms = model.shape(shape.find_member(m.key)->shape);
      std::string p = path.empty() ? m.key : path + "." + m.key;
      visit(p, m.value, ms);
      for_each_node(model, m.value, ms, p, visit);
    }
  } else if (shape.type == ShapeType::kList && v.is_array()) {
    auto& items = v.as_array();
    for (size_t i = 0; i < items.size(); ++i) {
      std::string p = path + "[" + std::to_string(i) + "]";
      visit(p, items[i], model.shape(shape.member));
      for_each_node(model, items[i], model.shape(shape.member), p, visit);
    }
  } else if (shape.type == ShapeType::kMap && v.is_object()) {
    for (Member& m : v.as_object()) {
      std::string p = path + "." + m.key;
      visit(p, m.value, model.shape(shape.value));
      for_each_node(model, m.value, model.shape(shape.value), p, visit);
    }
  }
}

template <class RoundTrips>
void expect_round_trips(const ServiceModel& model, RoundTrips trips, size_t at_least) {
  EXPECT_GE(trips.size(), at_least);
  for (const auto& trip : trips) {
    SCOPED_TRACE(std::string(trip.shape));
    const Shape* shape = model.find_shape(trip.shape);
    ASSERT_NE(shape, nullptr);
    for (int salt : {0, 1}) {
      Value in = sample(model, *shape, 0, salt);
      auto out = trip.run(in);
      ASSERT_TRUE(out.has_value()) << out.error().message;
      EXPECT_EQ(sorted(*out, model, *shape), sorted(in, model, *shape));
    }
  }
}

template <class RoundTrips>
void expect_wrong_kinds_fail(const ServiceModel& model, RoundTrips trips) {
  size_t mutations = 0;
  for (const auto& trip : trips) {
    SCOPED_TRACE(std::string(trip.shape));
    const Shape& shape = *model.find_shape(trip.shape);
    for (const Value& root : {Value(), Value(int64_t{3}), Value("s"), Value(Array{}), Value(Blob{})}) {
      auto r = trip.run(root);
      ASSERT_FALSE(r.has_value());
      EXPECT_EQ(r.error().type, "SerializationException");
      EXPECT_EQ(r.error().message, "expected a structure, found " + std::string(kind_name(root.kind())));
    }
    Value base = sample(model, shape, 0, 0);
    // Enumerate the paths first, then mutate a fresh copy at each one.
    std::vector<std::string> paths;
    for_each_node(model, base, shape, "", [&](const std::string& p, Value&, const Shape&) { paths.push_back(p); });
    for (size_t k = 0; k < paths.size(); ++k) {
      Value copy = base;
      size_t seen = 0;
      for_each_node(model, copy, shape, "", [&](const std::string&, Value& node, const Shape& s) {
        if (seen++ == k) node = wrong_kind_for(s);
      });
      auto r = trip.run(copy);
      ++mutations;
      ASSERT_FALSE(r.has_value()) << paths[k];
      EXPECT_EQ(r.error().type, "SerializationException");
      EXPECT_TRUE(r.error().message.starts_with(paths[k] + ": expected ")) << paths[k] << " vs " << r.error().message;
    }
  }
  EXPECT_GT(mutations, 100u);
}

TEST(TypedShapes, EveryCloudWatchStructureRoundTrips) {
  expect_round_trips(cloudwatch_model(), cloudwatch_api::cloudwatch_shape_round_trips(), 100);
}

TEST(TypedShapes, EveryKinesisStructureRoundTrips) {
  expect_round_trips(kinesis_model(), kinesis_api::kinesis_shape_round_trips(), 50);
}

TEST(TypedShapes, WrongKindsAnywhereInCloudWatchShapesAreErrorsNamingTheMember) {
  expect_wrong_kinds_fail(cloudwatch_model(), cloudwatch_api::cloudwatch_shape_round_trips());
}

TEST(TypedShapes, WrongKindsAnywhereInKinesisShapesAreErrorsNamingTheMember) {
  expect_wrong_kinds_fail(kinesis_model(), kinesis_api::kinesis_shape_round_trips());
}

TEST(TypedShapes, RecursiveShapesAndAwkwardNamesRoundTrip) {
  expect_round_trips(shapes_model(), shapes_api::shapes_shape_round_trips(), 4);
  // A structure that holds itself (directly or through another) by value is boxed.
  static_assert(std::is_same_v<decltype(shapes_api::Node::next), std::unique_ptr<shapes_api::Node>>);
  static_assert(std::is_same_v<decltype(shapes_api::Leaf::up), std::unique_ptr<shapes_api::Branch>>);
  static_assert(std::is_same_v<decltype(shapes_api::Node::children), std::optional<std::vector<shapes_api::Node>>>);
  // Keywords get an underscore; names equal in snake_case are told apart.
  static_assert(std::is_same_v<decltype(shapes_api::Node::class_), std::optional<std::string>>);
  static_assert(std::is_same_v<decltype(shapes_api::Node::arn), std::optional<std::string>>);   // ARN
  static_assert(std::is_same_v<decltype(shapes_api::Node::arn_), std::optional<std::string>>);  // Arn
  static_assert(shapes_api::Kind::k3d == "3d" && shapes_api::Kind::kOldOne == "OLD_ONE");

  Value chain = Object{{"Name", Value("a")},
                       {"Next", Value(Object{{"Name", Value("b")}, {"Next", Value(Object{{"Name", Value("c")}})}})}};
  shapes_api::Node node;
  ASSERT_TRUE(decode(chain, node).has_value());
  ASSERT_TRUE(node.next && node.next->next);
  EXPECT_EQ(node.next->next->name, "c");
  EXPECT_EQ(encode(node), chain);
  Value broken = chain;
  broken.find("Next")->find("Next")->set("Name", Value(int64_t{1}));
  auto r = decode(broken, node);
  ASSERT_FALSE(r.has_value());
  EXPECT_EQ(r.error().message, "Next.Next.Name: expected a string, found integer");
}

TEST(TypedShapes, TypesFollowTheModel) {
  using cloudwatch_api::GetMetricDataInput;
  using cloudwatch_api::MetricDatum;
  static_assert(std::is_same_v<decltype(MetricDatum::metric_name), std::string>);  // required
  static_assert(std::is_same_v<decltype(MetricDatum::value), std::optional<double>>);
  static_assert(std::is_same_v<decltype(MetricDatum::storage_resolution), std::optional<int32_t>>);
  static_assert(std::is_same_v<decltype(MetricDatum::timestamp), std::optional<Timestamp>>);
  static_assert(
      std::is_same_v<decltype(MetricDatum::dimensions), std::optional<std::vector<cloudwatch_api::Dimension>>>);
  static_assert(std::is_same_v<decltype(MetricDatum::unit), std::optional<std::string>>);  // an enum
  static_assert(std::is_same_v<decltype(GetMetricDataInput::start_time), Timestamp>);
  static_assert(std::is_same_v<decltype(cloudwatch_api::Metric::namespace_), std::optional<std::string>>);
  static_assert(std::is_same_v<decltype(kinesis_api::PutRecordInput::data), Blob>);
  static_assert(std::is_same_v<decltype(kinesis_api::CreateStreamInput::shard_count), std::optional<int32_t>>);
  static_assert(std::is_same_v<decltype(kinesis_api::GetRecordsOutput::millis_behind_latest), std::optional<int64_t>>);
  static_assert(std::is_same_v<decltype(kinesis_api::ListTagsForResourceOutput::tags),
                               std::optional<std::vector<kinesis_api::Tag>>>);
  static_assert(std::is_same_v<decltype(cloudwatch_api::Datapoint::extended_statistics),
                               std::optional<std::vector<std::pair<std::string, double>>>>);
  static_assert(cloudwatch_api::ScanBy::kTimestampDescending == "TimestampDescending");
  static_assert(cloudwatch_api::StandardUnit::kBytesSecond == "Bytes/Second");
  static_assert(kinesis_api::ShardIteratorType::kAtSequenceNumber == "AT_SEQUENCE_NUMBER");
  EXPECT_EQ(cloudwatch_api::MetricDatum::kShapeName, "MetricDatum");
}

TEST(TypedShapes, DecodeIgnoresUnknownAndNullMembersAndNeedsRequiredOnes) {
  Value in = Object{{"MetricName", Value("Lat")},
                    {"Bogus", Value(int64_t{1})},
                    {"Value", Value()},
                    {"Values", Value(Array{Value(1.5), Value(), Value(int64_t{2})})}};
  cloudwatch_api::MetricDatum d;
  d.unit = "Seconds";  // decode replaces what `d` held
  ASSERT_TRUE(decode(in, d).has_value());
  EXPECT_EQ(d.metric_name, "Lat");
  EXPECT_FALSE(d.value.has_value());
  EXPECT_FALSE(d.unit.has_value());
  // A null list item (the validator refuses them) is a value-initialised element.
  EXPECT_EQ(d.values, (std::vector<double>{1.5, 0, 2}));

  auto missing = decode(Value(Object{{"Value", Value(1.0)}}), d);
  ASSERT_FALSE(missing.has_value());
  EXPECT_EQ(missing.error().message, "MetricName: a required member is missing");

  Value nested = Object{
      {"MetricDataQueries", Value(Array{Value(Object{{"Id", Value("a")}}), Value(Object{{"Id", Value(int64_t{5})}})})},
      {"StartTime", Value(Timestamp{1})},
      {"EndTime", Value(Timestamp{2})}};
  cloudwatch_api::GetMetricDataInput q;
  auto bad = decode(nested, q);
  ASSERT_FALSE(bad.has_value());
  EXPECT_EQ(bad.error().message, "MetricDataQueries[1].Id: expected a string, found integer");
}

TEST(TypedShapes, DecodeFromAnRvalueMovesBlobsAndStringsInsteadOfCopying) {
  const std::string big(4096, 'x');
  Value in =
      Object{{"StreamName", Value("s")}, {"PartitionKey", Value(std::string(100, 'k'))}, {"Data", Value(Blob{big})}};
  const char* data = in.find("Data")->as_blob().bytes.data();
  const char* key = in.find("PartitionKey")->as_string().data();
  kinesis_api::PutRecordInput copied, moved;
  ASSERT_TRUE(decode(in, copied).has_value());
  EXPECT_NE(copied.data.bytes.data(), data);
  EXPECT_EQ(in.find("Data")->as_blob().bytes, big);  // a const Value is left as it was
  ASSERT_TRUE(decode(std::move(in), moved).has_value());
  EXPECT_EQ(moved.data.bytes.data(), data);  // the same buffers
  EXPECT_EQ(moved.partition_key.data(), key);
  EXPECT_EQ(moved.data.bytes, big);
  EXPECT_EQ(encode(moved), encode(copied));
}

TEST(TypedShapes, EncodeLeavesOutAbsentOptionalsAndKeepsEmptyLists) {
  cloudwatch_api::Metric m;
  m.metric_name = "Lat";
  m.dimensions.emplace();
  EXPECT_EQ(encode(m), Value(Object{{"MetricName", Value("Lat")}, {"Dimensions", Value(Array{})}}));
}

TEST(TypedShapes, TypedHandlerDecodesCallsAndEncodes) {
  const ServiceModel& model = cloudwatch_model();
  const OperationModel& op = *model.find_operation("ListMetrics");
  auto handler = typed<cloudwatch_api::ListMetricsInput, cloudwatch_api::ListMetricsOutput>(
      [](const cloudwatch_api::ListMetricsInput& in,
         const RequestContext&) -> ApiResult<cloudwatch_api::ListMetricsOutput> {
        if (!in.next_token) return std::unexpected(invalid_argument("no token"));
        cloudwatch_api::ListMetricsOutput out;
        out.next_token = *in.next_token + "+1";
        return out;
      });
  std::vector<ApiResult<Value>> replies;
  auto reply = [&](ApiResult<Value> r) { replies.push_back(std::move(r)); };
  handler(op, Value(Object{{"NextToken", Value("t")}}), RequestContext{}, reply);
  handler(op, Value(Object{}), RequestContext{}, reply);
  handler(op, Value(Object{{"NextToken", Value(int64_t{1})}}), RequestContext{}, reply);
  ASSERT_EQ(replies.size(), 3u);
  ASSERT_TRUE(replies[0].has_value());
  EXPECT_EQ(*replies[0], Value(Object{{"NextToken", Value("t+1")}}));
  EXPECT_EQ(replies[1].error().message, "no token");
  EXPECT_EQ(replies[2].error().type, "SerializationException");

  auto no_output = typed<cloudwatch_api::PutMetricDataInput, NoOutput>(
      [](const cloudwatch_api::PutMetricDataInput&, const RequestContext&) -> ApiResult<NoOutput> {
        return NoOutput{};
      });
  no_output(*model.find_operation("PutMetricData"), Value(Object{{"Namespace", Value("App")}}), RequestContext{},
            reply);
  ASSERT_EQ(replies.size(), 4u);
  EXPECT_EQ(*replies[3], Value(Object{}));
}

}  // namespace
}  // namespace runnel::protocol
