#include "parquet/shredder.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace runnel::parquet {
namespace {

// Records triples as "leaf:rep,def[=value]".
class Recorder : public LevelSink {
 public:
  void emit(int leaf, uint16_t rep, uint16_t def, const Value* v) override {
    std::string s = std::to_string(leaf) + ":" + std::to_string(rep) + "," + std::to_string(def);
    if (v) s += "=" + (v->kind() == Value::Kind::kBytes ? v->as_bytes() : std::to_string(v->as_int()));
    out.push_back(s);
  }
  std::vector<std::string> out;
};

std::shared_ptr<const Schema> schema(const std::string& type) {
  auto s = Schema::from_columns({{"c", type}});
  EXPECT_TRUE(s) << s.error().message();
  return *s;
}

std::vector<std::string> shred(const Schema& s, Value v) {
  Value row = Value::record({std::move(v)});
  EXPECT_TRUE(check_row(s, row)) << check_row(s, row).message();
  Recorder r;
  shred_row(s, row, r);
  return r.out;
}

using V = std::vector<std::string>;
Value I(int64_t x) { return Value::integer(x); }
Value S(std::string x) { return Value::bytes(std::move(x)); }

TEST(Shredder, Primitive) {
  auto s = schema("int");
  EXPECT_EQ(shred(*s, Value::null()), V({"0:0,0"}));
  EXPECT_EQ(shred(*s, I(7)), V({"0:0,1=7"}));
}

// c: optional group (LIST) { repeated group list { optional int element } }
// max def 3, max rep 1.
TEST(Shredder, ArrayNullEmptyNullElementAndValues) {
  auto s = schema("array<int>");
  EXPECT_EQ(shred(*s, Value::null()), V({"0:0,0"}));
  EXPECT_EQ(shred(*s, Value::list({})), V({"0:0,1"}));
  EXPECT_EQ(shred(*s, Value::list({Value::null()})), V({"0:0,2"}));
  EXPECT_EQ(shred(*s, Value::list({I(1), Value::null(), I(2)})), V({"0:0,3=1", "0:1,2", "0:1,3=2"}));
}

TEST(Shredder, NestedArrays) {
  // def: c 1, list 2, element 3, inner list 4, inner element 5; rep 1 and 2.
  auto s = schema("array<array<int>>");
  EXPECT_EQ(shred(*s, Value::list({Value::list({I(1), I(2)}), Value::list({}), Value::null(), Value::list({I(3)})})),
            V({"0:0,5=1", "0:2,5=2", "0:1,3", "0:1,2", "0:1,5=3"}));
}

// c: optional group (MAP) { repeated group key_value { required key; optional value } }
TEST(Shredder, MapKeysAndValues) {
  auto s = schema("map<string,int>");
  EXPECT_EQ(shred(*s, Value::null()), V({"0:0,0", "1:0,0"}));
  EXPECT_EQ(shred(*s, Value::map({})), V({"0:0,1", "1:0,1"}));
  EXPECT_EQ(shred(*s, Value::map({{S("a"), Value::null()}, {S("b"), I(2)}})),
            V({"0:0,2=a", "1:0,2", "0:1,2=b", "1:1,3=2"}));
}

TEST(Shredder, StructsNullAtEveryLevel) {
  // a: def 2; b: struct 1, b 2, list 3, element 4.
  auto s = schema("struct<a:int,b:array<string>>");
  EXPECT_EQ(shred(*s, Value::null()), V({"0:0,0", "1:0,0"}));
  EXPECT_EQ(shred(*s, Value::record({Value::null(), Value::null()})), V({"0:0,1", "1:0,1"}));
  EXPECT_EQ(shred(*s, Value::record({I(1), Value::list({})})), V({"0:0,2=1", "1:0,2"}));
  EXPECT_EQ(shred(*s, Value::record({I(1), Value::list({S("x"), Value::null()})})), V({"0:0,2=1", "1:0,4=x", "1:1,3"}));
}

TEST(Shredder, ArrayOfStructs) {
  // k: c 1, list 2, element 3, k 4; rep 1.
  auto s = schema("array<struct<k:string,n:int>>");
  EXPECT_EQ(shred(*s, Value::list({Value::record({S("x"), Value::null()}), Value::null(),
                                   Value::record({Value::null(), I(5)})})),
            V({"0:0,4=x", "1:0,3", "0:1,2", "1:1,2", "0:1,3", "1:1,4=5"}));
}

TEST(CheckRow, RefusesWhatDoesNotFit) {
  auto s = Schema::from_columns(
      {{"t", "tinyint"}, {"d", "decimal(3,1)"}, {"m", "map<string,array<int>>"}, {"st", "struct<a:int,b:timestamp>"}});
  ASSERT_TRUE(s);
  auto row = [](Value t, Value d, Value m, Value st) {
    return Value::record({std::move(t), std::move(d), std::move(m), std::move(st)});
  };
  auto says = [&](const Value& r, const std::string& text) {
    Status st = check_row(**s, r);
    EXPECT_FALSE(st);
    EXPECT_EQ(st.code(), Status::Code::kInvalidArgument);
    EXPECT_NE(st.message().find(text), std::string::npos) << st.message();
  };
  EXPECT_TRUE(check_row(**s, row(I(127), Value::decimal(-999), Value::null(), Value::null())));
  says(row(I(128), {}, {}, {}), "column 't': 128 is out of range for tinyint");
  says(row(S("1"), {}, {}, {}), "column 't': expected an integer for tinyint, got bytes");
  says(row({}, Value::decimal(1000), {}, {}), "column 'd': the decimal has more than 3 digits");
  says(row({}, {}, Value::map({{Value::null(), Value::null()}}), {}), "column 'm.key': a map key must not be null");
  says(row({}, {}, Value::map({{S("k"), Value::list({I(1), S("x")})}}), {}),
       "column 'm.value.element': expected an integer for int, got bytes");
  says(row({}, {}, {}, Value::record({I(1)})), "column 'st': expected 2 struct fields, got 1");
  says(row({}, {}, {}, Value::record({I(1), Value::timestamp({0, 1'000'000'000})})),
       "column 'st.b': timestamp nanos must be below 10^9");
  says(Value::record({I(1)}), "a row must be a struct of 4 columns");
  says(I(1), "a row must be a struct of 4 columns");
}

}  // namespace
}  // namespace runnel::parquet
