#include "protocol/json_codec.h"

#include <gtest/gtest.h>

#include <cmath>
#include <limits>

namespace runnel::protocol {
namespace {

Value decode_ok(std::string_view body) {
  auto r = decode_json(body);
  EXPECT_TRUE(r.has_value()) << "body: " << body;
  return r ? *r : Value();
}

void expect_serialization_error(std::string_view body) {
  auto r = decode_json(body);
  ASSERT_FALSE(r.has_value()) << "accepted: " << body;
  EXPECT_EQ(r.error().type, "SerializationException");
  EXPECT_EQ(r.error().http_status, 400);
  EXPECT_TRUE(r.error().capital_message_key);
}

std::string nested(int depth, std::string_view open, std::string_view close, std::string_view inner) {
  std::string s;
  for (int i = 0; i < depth; ++i) s += open;
  s += inner;
  for (int i = 0; i < depth; ++i) s += close;
  return s;
}

TEST(JsonDecode, PutRecordSampleFromBoto3) {
  Value v = decode_ok(R"({"StreamName": "s", "PartitionKey": "k", "Data": "aGk="})");
  ASSERT_TRUE(v.is_object());
  ASSERT_EQ(v.as_object().size(), 3u);
  EXPECT_EQ(v.as_object()[0].key, "StreamName");
  EXPECT_EQ(v.as_object()[1].key, "PartitionKey");
  EXPECT_EQ(v.as_object()[2].key, "Data");
  EXPECT_EQ(*v.find("StreamName"), Value("s"));
  EXPECT_EQ(*v.find("Data"), Value("aGk="));  // base64 stays a string; the validator decodes it
}

TEST(JsonDecode, EveryKind) {
  Value v = decode_ok(
      R"({"n":null,"t":true,"f":false,"i":-42,"d":1.5,"e":1e3,"s":"x\u00e9\n\"\\\/","a":[1,[],{}],"o":{"k":"v"}})");
  EXPECT_TRUE(v.find("n")->is_null());
  EXPECT_EQ(*v.find("t"), Value(true));
  EXPECT_EQ(*v.find("f"), Value(false));
  EXPECT_EQ(*v.find("i"), Value(int64_t{-42}));
  EXPECT_EQ(*v.find("d"), Value(1.5));
  EXPECT_EQ(*v.find("e"), Value(1000.0));
  EXPECT_EQ(*v.find("s"), Value("x\xc3\xa9\n\"\\/"));
  EXPECT_EQ(*v.find("a"), Value(Array{Value(1), Value(Array{}), Value(Object{})}));
  EXPECT_EQ(*v.find("o")->find("k"), Value("v"));
}

TEST(JsonDecode, NumbersIntegralSyntaxFittingInt64AreInts) {
  Value v =
      decode_ok(R"({"max":9223372036854775807,"min":-9223372036854775808,"zero":-0,"frac":1.0,"ts":1459799926.48})");
  EXPECT_EQ(*v.find("max"), Value(std::numeric_limits<int64_t>::max()));
  EXPECT_EQ(*v.find("min"), Value(std::numeric_limits<int64_t>::min()));
  EXPECT_EQ(*v.find("zero"), Value(int64_t{0}));
  EXPECT_TRUE(v.find("frac")->is_double());
  EXPECT_EQ(*v.find("ts"), Value(1459799926.48));
}

TEST(JsonDecode, IntegersBeyondInt64BecomeDoubles) {
  Value v = decode_ok(
      R"({"a":9223372036854775808,"b":18446744073709551616,"c":-9223372036854775809,"d":123456789012345678901234567890})");
  EXPECT_EQ(*v.find("a"), Value(9223372036854775808.0));
  EXPECT_EQ(*v.find("b"), Value(18446744073709551616.0));
  EXPECT_EQ(*v.find("c"), Value(-9223372036854775809.0));
  EXPECT_EQ(*v.find("d"), Value(123456789012345678901234567890.0));
}

TEST(JsonDecode, ExponentsWithManyDigits) {
  // simdjson's on-demand parser gives up on these; its DOM parser (and we) do not.
  Value v = decode_ok(
      R"({"a":1e-758092233720368547758088,"b":-2.5E-99999999999999999999999,"c":1e0000000000000000000000000000001,)"
      R"("d":0e99999999999999999999999,"e":10000000000000000000000000000000000000e-99999999999999999999 })");
  EXPECT_EQ(*v.find("a"), Value(0.0));
  EXPECT_TRUE(std::signbit(v.find("b")->as_double()));
  EXPECT_EQ(*v.find("c"), Value(10.0));
  EXPECT_EQ(*v.find("d"), Value(0.0));
  EXPECT_EQ(*v.find("e"), Value(0.0));
  expect_serialization_error(R"({"a":1e99999999999999999999999})");
  expect_serialization_error(R"({"a":1e-99999999999999999999999x})");
  expect_serialization_error(R"({"a":1e-99999999999999999999999.5})");
  expect_serialization_error(R"({"a":-e-99999999999999999999999})");
}

TEST(JsonDecode, DuplicateKeysLastValueWinsAtFirstPosition) {
  Value v = decode_ok(R"({"a":1,"b":2,"a":3})");
  EXPECT_EQ(v, Value(Object{{"a", Value(3)}, {"b", Value(2)}}));
}

TEST(JsonDecode, DuplicateKeysInLargeObjects) {
  std::string body = "{";
  for (int i = 0; i < 100; ++i) body += "\"k" + std::to_string(i) + "\":" + std::to_string(i) + ",";
  body += R"("k5":"five","k99":"last","k5":"again"})";
  Value v = decode_ok(body);
  ASSERT_EQ(v.as_object().size(), 100u);
  EXPECT_EQ(v.as_object()[5].key, "k5");
  EXPECT_EQ(v.as_object()[5].value, Value("again"));
  EXPECT_EQ(v.as_object()[99].value, Value("last"));
  EXPECT_EQ(v.as_object()[98].value, Value(98));
}

TEST(JsonDecode, EmptyAndWhitespaceBodiesAreSerializationErrors) {
  expect_serialization_error("");
  expect_serialization_error("   \n\t");
}

TEST(JsonDecode, MalformedJsonIsSerializationError) {
  for (std::string_view body : {
           "hello",
           "{",
           "}",
           "{\"a\":}",
           "{\"a\" 1}",
           "{\"a\":1,}",
           "{,}",
           "{\"a\":1 \"b\":2}",
           "{\"a\":[1,2}",
           "{\"a\":[1,,2]}",
           "{\"a\":tru}",
           "{\"a\":nul}",
           "{\"a\":falsey}",
           "{\"a\":01}",
           "{\"a\":1.}",
           "{\"a\":.5}",
           "{\"a\":+1}",
           "{\"a\":1e}",
           "{\"a\":-}",
           "{\"a\":\"unterminated}",
           "{a:1}",
           "{'a':1}",
           "{\"a\":\"bad escape \\x\"}",
           "{\"a\":\"\\u12\"}",
           "{\"a\":\"raw\ttab\"}",
           "{\"a\":NaN}",
           "{\"a\":Infinity}",
           "{\"a\":1e400}",
           "{\"a\":[}",
           "{\"a\":{\"b\":1}",
           "\xef\xbb\xbf{}",  // a UTF-8 byte-order mark; no SDK sends one
       }) {
    SCOPED_TRACE(body);
    expect_serialization_error(body);
  }
}

TEST(JsonDecode, TrailingContentIsSerializationError) {
  expect_serialization_error("{} x");
  expect_serialization_error("{}}");
  expect_serialization_error("{}{}");
  expect_serialization_error("{} 1");
  decode_ok("{}  \n");
}

TEST(JsonDecode, TopLevelNonObjectIsSerializationError) {
  for (std::string_view body : {"[]", "[{}]", "1", "\"s\"", "null", "true"}) {
    SCOPED_TRACE(body);
    expect_serialization_error(body);
  }
}

TEST(JsonDecode, InvalidUtf8IsSerializationError) {
  expect_serialization_error("{\"a\":\"\xff\"}");
  expect_serialization_error("{\"a\":\"\xc3\"}");          // truncated sequence
  expect_serialization_error("{\"a\":\"\xc0\xaf\"}");      // overlong
  expect_serialization_error("{\"a\":\"\xed\xa0\x80\"}");  // UTF-16 surrogate
  expect_serialization_error("{\"\xfe\":1}");
  expect_serialization_error("{\"a\":\"\\ud800\"}");  // lone surrogate escape
  decode_ok("{\"a\":\"\xe2\x98\x83 \\ud83d\\ude00\"}");
}

TEST(JsonDecode, DepthLimit) {
  // The root object is level 1; 64 levels pass, 65 fail.
  decode_ok(nested(kMaxNestingDepth, "{\"a\":", "}", "1"));
  expect_serialization_error(nested(kMaxNestingDepth + 1, "{\"a\":", "}", "1"));
  decode_ok("{\"a\":" + nested(kMaxNestingDepth - 1, "[", "]", "") + "}");
  expect_serialization_error("{\"a\":" + nested(kMaxNestingDepth, "[", "]", "") + "}");
  // Far deeper than any stack could recurse, and unbalanced.
  expect_serialization_error("{\"a\":" + std::string(1'000'000, '['));
  expect_serialization_error("{\"a\":" + nested(100'000, "[", "]", "") + "}");
}

TEST(JsonDecode, ReusesThreadStateAcrossSizes) {
  std::string big = R"({"Data":")" + std::string(100'000, 'A') + R"("})";
  EXPECT_EQ(decode_ok(big).find("Data")->as_string().size(), 100'000u);
  EXPECT_EQ(*decode_ok(R"({"a":1})").find("a"), Value(1));
  expect_serialization_error(R"({"a":)");
  EXPECT_EQ(*decode_ok(R"({"b":2})").find("b"), Value(2));
}

TEST(JsonEncode, CompactMembersInOrder) {
  Value v;
  v.set("StreamName", "s");
  v.set("ShardCount", 2);
  v.set("Enabled", true);
  v.set("Nothing", nullptr);
  v.set("List", Array{Value(1), Value("x")});
  v.set("Empty", Object{});
  EXPECT_EQ(encode_json(v),
            R"({"StreamName":"s","ShardCount":2,"Enabled":true,"Nothing":null,"List":[1,"x"],"Empty":{}})");
}

TEST(JsonEncode, BlobIsBase64) {
  Value v;
  v.set("Data", Blob{"hi"});
  v.set("Empty", Blob{""});
  EXPECT_EQ(encode_json(v), R"({"Data":"aGk=","Empty":""})");
}

TEST(JsonEncode, TimestampIsEpochSecondsWithMillisecondFraction) {
  auto enc = [](int64_t millis) { return encode_json(Value(Timestamp{millis})); };
  EXPECT_EQ(enc(1459799926480), "1459799926.48");
  EXPECT_EQ(enc(1459799926000), "1459799926");
  EXPECT_EQ(enc(1459799926001), "1459799926.001");
  EXPECT_EQ(enc(1459799926010), "1459799926.01");
  EXPECT_EQ(enc(1459799926123), "1459799926.123");
  EXPECT_EQ(enc(0), "0");
  EXPECT_EQ(enc(5), "0.005");
  EXPECT_EQ(enc(-1500), "-1.5");
  EXPECT_EQ(enc(std::numeric_limits<int64_t>::min()), "-9223372036854775.808");
  EXPECT_EQ(enc(std::numeric_limits<int64_t>::max()), "9223372036854775.807");
}

TEST(JsonEncode, TimestampReadsBackAsTheSameMillis) {
  for (int64_t millis : {int64_t{1459799926480}, int64_t{1700000000001}, int64_t{1}, int64_t{999}}) {
    Value obj;
    obj.set("T", Timestamp{millis});
    Value back = decode_ok(encode_json(obj));
    const Value* t = back.find("T");
    const double seconds = t->is_int() ? static_cast<double>(t->as_int()) : t->as_double();
    EXPECT_EQ(std::llround(seconds * 1000), millis);
  }
}

TEST(JsonEncode, Doubles) {
  EXPECT_EQ(encode_json(Value(1.5)), "1.5");
  EXPECT_EQ(encode_json(Value(5.0)), "5.0");
  EXPECT_EQ(encode_json(Value(-0.0)), "-0.0");
  EXPECT_EQ(encode_json(Value(0.1)), "0.1");
  EXPECT_EQ(encode_json(Value(1e300)), "1e+300");
  EXPECT_EQ(encode_json(Value(std::numeric_limits<double>::infinity())), "null");
  EXPECT_EQ(encode_json(Value(std::nan(""))), "null");
}

TEST(JsonEncode, StringEscaping) {
  EXPECT_EQ(encode_json(Value("a\"b\\c")), R"("a\"b\\c")");
  EXPECT_EQ(encode_json(Value("\b\f\n\r\t")), R"("\b\f\n\r\t")");
  EXPECT_EQ(encode_json(Value(std::string("\x00\x01\x1f\x7f", 4))), "\"\\u0000\\u0001\\u001f\x7f\"");
  EXPECT_EQ(encode_json(Value("/ \xc3\xa9 \xe2\x98\x83")), "\"/ \xc3\xa9 \xe2\x98\x83\"");
  Value obj;
  obj.set("k\"ey", 1);
  EXPECT_EQ(encode_json(obj), R"({"k\"ey":1})");
}

// The encoder skips 8 bytes at a time when none needs escaping; every byte
// value, at every offset of a word and past the last whole word, must still
// be escaped exactly as the one-byte-at-a-time rule says.
TEST(JsonEncode, StringEscapingAtEveryOffsetOfLongStrings) {
  auto reference = [](const std::string& s) {
    std::string out = "\"";
    for (unsigned char c : s) {
      switch (c) {
        case '"': out += "\\\""; break;
        case '\\': out += "\\\\"; break;
        case '\b': out += "\\b"; break;
        case '\f': out += "\\f"; break;
        case '\n': out += "\\n"; break;
        case '\r': out += "\\r"; break;
        case '\t': out += "\\t"; break;
        default:
          if (c < 0x20) {
            static constexpr char kHex[] = "0123456789abcdef";
            out += "\\u00";
            out += kHex[c >> 4];
            out += kHex[c & 15];
          } else {
            out += static_cast<char>(c);
          }
      }
    }
    return out + "\"";
  };
  for (int c = 0; c < 256; ++c) {
    for (std::size_t pos = 0; pos < 21; ++pos) {
      std::string s(21, 'a');
      s[pos] = static_cast<char>(c);
      ASSERT_EQ(encode_json(Value(s)), reference(s)) << "byte " << c << " at " << pos;
    }
  }
  // Bytes next to a match (borrows in the word test) and high bytes.
  const std::string mixed = std::string(
      "\x80\x1f\xff\"\x21\x5c\x5d\x1f\x20\x00\xe9"
      "abcdefgh\x01",
      20);
  EXPECT_EQ(encode_json(Value(mixed)), reference(mixed));
}

TEST(JsonRoundTrip, DecodeEncodeDecodeIsIdentity) {
  const std::string body =
      R"({"Records":[{"Data":"aGk=","PartitionKey":"p\u0000\"\\"},{"Data":"","ExplicitHashKey":"1"}],)"
      R"("StreamName":"s","N":-7,"D":2.5e-7,"Big":1e21,"Whole":3.0,"Z":null,"B":[true,false],"U":"\u2028\ud83d\ude00"})";
  Value first = decode_ok(body);
  Value second = decode_ok(encode_json(first));
  EXPECT_EQ(first, second);
  EXPECT_EQ(encode_json(first), encode_json(second));
}

TEST(JsonDecodeInPlace, SameAnswerAndBodyUnchanged) {
  const std::vector<std::string> bodies = {R"({"Records":[{"Data":"aGk=","PartitionKey":"p\u0000"}],"StreamName":"s"})",
                                           R"({"a":1} trailing)",
                                           R"({"a":)",
                                           "[]",
                                           "",
                                           R"({"U":"\ud83d\ude00","N":-7})"};
  for (const std::string& text : bodies) {
    for (size_t spare : {size_t{0}, size_t{63}, size_t{64}, size_t{4096}}) {
      std::string body = text;
      body.reserve(text.size() + spare);
      const std::string before = body;
      auto in_place = decode_json_in_place(body);
      auto copied = decode_json(text);
      EXPECT_EQ(body, before);
      ASSERT_EQ(in_place.has_value(), copied.has_value()) << text;
      if (copied) {
        EXPECT_EQ(*in_place, *copied) << text;
      } else {
        EXPECT_EQ(in_place.error().type, copied.error().type) << text;
      }
    }
  }
}

}  // namespace
}  // namespace runnel::protocol
