#include "protocol/cbor_codec.h"

#include <gtest/gtest.h>

#include <cmath>
#include <limits>

#include "protocol/json_codec.h"

namespace runnel::protocol {
namespace {

std::string unhex(std::string_view hex) {
  std::string out;
  for (std::size_t i = 0; i + 1 < hex.size(); i += 2)
    out.push_back(static_cast<char>(std::stoi(std::string(hex.substr(i, 2)), nullptr, 16)));
  return out;
}

std::string hex(std::string_view bytes) {
  static constexpr char kDigits[] = "0123456789abcdef";
  std::string out;
  for (unsigned char c : bytes) {
    out.push_back(kDigits[c >> 4]);
    out.push_back(kDigits[c & 15]);
  }
  return out;
}

Value decode_ok(std::string_view hex_body) {
  auto r = decode_cbor(unhex(hex_body));
  EXPECT_TRUE(r.has_value()) << "body: " << hex_body;
  return r ? *r : Value();
}

void expect_serialization_error(std::string_view hex_body) {
  auto r = decode_cbor(unhex(hex_body));
  ASSERT_FALSE(r.has_value()) << "accepted: " << hex_body;
  EXPECT_EQ(r.error().type, "SerializationException");
  EXPECT_EQ(r.error().http_status, 400);
}

Value obj(std::string key, Value v) {
  Value o;
  o.set(std::move(key), std::move(v));
  return o;
}

// The fixtures below were produced with python3-cbor2 5.4.6 (cbor2.dumps),
// except where a comment says they were written by hand.

TEST(CborDecode, PutRecordFromCbor2) {
  // {"StreamName":"s","PartitionKey":"k","Data":b"hi"}
  Value v = decode_ok("a36a53747265616d4e616d6561736c506172746974696f6e4b6579616b6444617461426869");
  Value want;
  want.set("StreamName", "s");
  want.set("PartitionKey", "k");
  want.set("Data", Blob{"hi"});
  EXPECT_EQ(v, want);
}

TEST(CborDecode, PutRecordsFromCbor2) {
  // {"Records":[{"Data":b"\x01\x02","PartitionKey":"p1"},
  //             {"Data":b"","PartitionKey":"p2","ExplicitHashKey":"123"}],"StreamName":"stream"}
  Value v = decode_ok(
      "a2675265636f72647382a264446174614201026c506172746974696f6e4b6579627031a36444617461406c5061727469"
      "74696f6e4b65796270326f4578706c69636974486173684b6579633132336a53747265616d4e616d656673747265616d");
  const Array& records = v.find("Records")->as_array();
  ASSERT_EQ(records.size(), 2u);
  EXPECT_EQ(*records[0].find("Data"), Value(Blob{std::string("\x01\x02", 2)}));
  EXPECT_EQ(*records[1].find("Data"), Value(Blob{""}));
  EXPECT_EQ(*records[1].find("ExplicitHashKey"), Value("123"));
  EXPECT_EQ(*v.find("StreamName"), Value("stream"));
}

TEST(CborDecode, Tag1IntegerIsEpochMillisAsTheJavaSdkWrites) {
  // {"Timestamp": CBORTag(1, 1459799926480)}
  EXPECT_EQ(decode_ok("a16954696d657374616d70c11b00000153e2db26d0"), obj("Timestamp", Timestamp{1459799926480}));
}

TEST(CborDecode, Tag1FloatIsEpochSecondsAsRfc8949Says) {
  // cbor2.dumps({"Timestamp": datetime(2016,4,4,19,58,46,480000,utc)}, datetime_as_timestamp=True)
  EXPECT_EQ(decode_ok("a16954696d657374616d70c1fb41d5c0b1dd9eb852"), obj("Timestamp", Timestamp{1459799926480}));
  // By hand: tag 1 + half float 1.5 -> 1500 ms; tag 1 + negative int.
  EXPECT_EQ(decode_ok("a16174c1f93e00"), obj("t", Timestamp{1500}));
  EXPECT_EQ(decode_ok("a16174c120"), obj("t", Timestamp{-1}));
}

TEST(CborDecode, Tag1OverNonNumbersOrOutOfRangeFails) {
  expect_serialization_error("a16174c16178");                // text
  expect_serialization_error("a16174c1c100");                // nested tag 1
  expect_serialization_error("a16174c1fb7ff0000000000000");  // +inf
  expect_serialization_error("a16174c1fb7ff8000000000000");  // NaN
  expect_serialization_error("a16174c11bffffffffffffffff");  // beyond int64 millis
  expect_serialization_error("a16174c1fb43e0000000000000");  // 2^63 seconds
}

TEST(CborDecode, IntegersOfEveryWidth) {
  // {"a":[0,23,24,255,256,65535,65536,4294967295,4294967296,2**63-1,-1,-24,-25,-256,-257,-2**63,2**64-1,-2**64]}
  Value v = decode_ok(
      "a16161920017181818ff19010019ffff1a000100001affffffff1b00000001000000001b7fffffffffffffff2037381838"
      "ff3901003b7fffffffffffffff1bffffffffffffffff3bffffffffffffffff");
  const Array want{Value(0),
                   Value(23),
                   Value(24),
                   Value(255),
                   Value(256),
                   Value(65535),
                   Value(65536),
                   Value(int64_t{4294967295}),
                   Value(int64_t{4294967296}),
                   Value(std::numeric_limits<int64_t>::max()),
                   Value(-1),
                   Value(-24),
                   Value(-25),
                   Value(-256),
                   Value(-257),
                   Value(std::numeric_limits<int64_t>::min()),
                   Value(18446744073709551615.0),
                   Value(-18446744073709551616.0)};
  EXPECT_EQ(*v.find("a"), Value(want));
}

TEST(CborDecode, HalfSingleAndDoubleFloats) {
  // cbor2.dumps({"f":[1.5,100000.0,3.4028234663852886e38,inf,-0.0,5.960464477539063e-08,0.1]}, canonical=True)
  Value v = decode_ok("a1616687f93e00fa47c35000fa7f7ffffff97c00f98000f90001fb3fb999999999999a");
  const Array& f = v.find("f")->as_array();
  ASSERT_EQ(f.size(), 7u);
  EXPECT_EQ(f[0], Value(1.5));
  EXPECT_EQ(f[1], Value(100000.0));
  EXPECT_EQ(f[2], Value(3.4028234663852886e38));
  EXPECT_EQ(f[3], Value(std::numeric_limits<double>::infinity()));
  EXPECT_TRUE(f[4].is_double() && f[4].as_double() == 0 && std::signbit(f[4].as_double()));
  EXPECT_EQ(f[5], Value(5.960464477539063e-08));  // smallest half subnormal
  EXPECT_EQ(f[6], Value(0.1));
  // By hand: half NaN, half -2.0, half 65504 (largest), single 0.5.
  Value g = decode_ok("a1616784f97e00f9c000f97bfffa3f000000");
  EXPECT_TRUE(std::isnan(g.find("g")->as_array()[0].as_double()));
  EXPECT_EQ(g.find("g")->as_array()[1], Value(-2.0));
  EXPECT_EQ(g.find("g")->as_array()[2], Value(65504.0));
  EXPECT_EQ(g.find("g")->as_array()[3], Value(0.5));
}

TEST(CborDecode, SimpleValuesAndNesting) {
  // {"t":True,"f":False,"n":None,"u":undefined,"s":"héllo ☃","b":b"\x00\xff","nested":{"x":[{"y":[]}]}}
  Value v = decode_ok("a76174f56166f4616ef66175f761736a68c3a96c6c6f20e2988361624200ff666e6573746564a1617881a1617980");
  Value want;
  want.set("t", true);
  want.set("f", false);
  want.set("n", nullptr);
  want.set("u", nullptr);
  want.set("s", "h\xc3\xa9llo \xe2\x98\x83");
  want.set("b", Blob{std::string("\x00\xff", 2)});
  want.set("nested", obj("x", Array{obj("y", Array{})}));
  EXPECT_EQ(v, want);
}

TEST(CborDecode, BignumsBecomeDoubles) {
  // {"big": 2**70, "neg": -2**70}
  Value v = decode_ok("a263626967c249400000000000000000636e6567c3493fffffffffffffffff");
  EXPECT_EQ(*v.find("big"), Value(std::ldexp(1.0, 70)));
  EXPECT_EQ(*v.find("neg"), Value(-std::ldexp(1.0, 70)));
}

TEST(CborDecode, OtherTagsAreTransparent) {
  // By hand: self-describe tag 55799 around the root; tag 32 (URI) around a text.
  EXPECT_EQ(decode_ok("d9d9f7a161616162"), obj("a", "b"));
  EXPECT_EQ(decode_ok("a16161d8206162"), obj("a", "b"));
}

TEST(CborDecode, IndefiniteLengths) {
  // All by hand (cbor2 cannot emit them); the Java SDK's generator may.
  // {_ "a": [_ 1, 2], "b": (_ h'0102', h'03'), "c": (_ "he", "llo"), "d": {_ }, "e": [_ ], "f": (_ )}
  Value v = decode_ok("bf61619f0102ff61625f4201024103ff61637f626865636c6c6fff6164bfff61659fff61665fffff");
  Value want;
  want.set("a", Array{Value(1), Value(2)});
  want.set("b", Blob{std::string("\x01\x02\x03", 3)});
  want.set("c", "hello");
  want.set("d", Object{});
  want.set("e", Array{});
  want.set("f", Blob{""});
  EXPECT_EQ(v, want);
}

TEST(CborDecode, IndefiniteLengthErrors) {
  expect_serialization_error("bf6161");              // map never ends
  expect_serialization_error("a161619f01");          // array never ends
  expect_serialization_error("a161615f4101");        // byte string never ends
  expect_serialization_error("a161615f6101ff");      // text chunk inside byte string
  expect_serialization_error("a161617f4161ff");      // byte chunk inside text string
  expect_serialization_error("a161615f5f4101ffff");  // nested indefinite chunk
  expect_serialization_error("a161617f6261ff");      // chunk longer than the input
  expect_serialization_error("bf6161ff");            // key without a value
  expect_serialization_error("a161611f");            // indefinite unsigned integer
  expect_serialization_error("a16161df00");          // indefinite tag
}

TEST(CborDecode, DuplicateKeysLastValueWins) {
  // By hand: {"a": 1, "b": 2, "a": 3}
  Value v = decode_ok("a3616101616202616103");
  EXPECT_EQ(v, Value(Object{{"a", Value(3)}, {"b", Value(2)}}));
}

TEST(CborDecode, EmptyTruncatedAndTrailingInputFail) {
  expect_serialization_error("");
  expect_serialization_error("a1");
  expect_serialization_error("a16161");
  expect_serialization_error("a161611b000000");  // truncated 8-byte argument
  expect_serialization_error("a1616143aabb");    // byte string shorter than its length
  expect_serialization_error("a16161636162");    // text string shorter than its length
  expect_serialization_error("a0a0");            // trailing item
  expect_serialization_error("a000");            // trailing byte
  decode_ok("a0");
}

TEST(CborDecode, TopLevelMustBeAMap) {
  for (std::string_view body : {"80", "00", "6161", "f6", "c1a0", "4100"}) {
    SCOPED_TRACE(body);
    expect_serialization_error(body);
  }
}

TEST(CborDecode, ReservedAndUnassignedEncodingsFail) {
  expect_serialization_error("a161611c");    // additional info 28
  expect_serialization_error("a161613d");    // 29 on a negative integer
  expect_serialization_error("a16161fe");    // 30 on major 7
  expect_serialization_error("a16161ff");    // stray break
  expect_serialization_error("a16161f0");    // simple value 16
  expect_serialization_error("a16161f820");  // one-byte simple value 32
  expect_serialization_error("ff");
}

TEST(CborDecode, MapKeysMustBeText) {
  expect_serialization_error("a10101");        // integer key
  expect_serialization_error("a1416101");      // byte string key
  expect_serialization_error("a1d820616101");  // tagged key
  expect_serialization_error("a1f601");        // null key
}

TEST(CborDecode, InvalidUtf8InTextFails) {
  expect_serialization_error("a1616161ff");      // value 0xff
  expect_serialization_error("a161ff01");        // key 0xff
  expect_serialization_error("a1616162c0af");    // overlong
  expect_serialization_error("a1616163eda080");  // surrogate
  // "é" split across two chunks: each chunk must be valid on its own (RFC 8949 §3.2.3).
  expect_serialization_error("a161617f61c361a9ff");
  EXPECT_EQ(decode_ok("a161617f62c3a9ff"), obj("a", "\xc3\xa9"));
}

TEST(CborDecode, HostileLengthsDoNotAllocate) {
  // Each claims 2^64-1 (or 2^32-1) items or bytes with a handful of bytes behind it.
  expect_serialization_error("a161615bffffffffffffffff");
  expect_serialization_error("a161617bffffffffffffffff00");
  expect_serialization_error("a161619bffffffffffffffff00");
  expect_serialization_error("bbffffffffffffffff");
  expect_serialization_error("a161619affffffff01020304");
  expect_serialization_error("ba7fffffff61616161");
}

TEST(CborDecode, DepthLimit) {
  // Root map is level 1. Arrays, maps and tags each open a level.
  std::string ok = "a16161";
  for (int i = 1; i < kMaxNestingDepth; ++i) ok += "81";
  ok += "00";
  decode_ok(ok);
  std::string deep = "a16161";
  for (int i = 0; i < kMaxNestingDepth; ++i) deep += "81";
  deep += "00";
  expect_serialization_error(deep);
  std::string tags = "a16161";
  for (int i = 0; i < kMaxNestingDepth; ++i) tags += "d820";
  tags += "00";
  expect_serialization_error(tags);
  // A million nested indefinite arrays: rejected at level 65, no stack overflow.
  std::string million = "a16161";
  for (int i = 0; i < 1'000'000; ++i) million += "9f";
  expect_serialization_error(million);
}

TEST(CborEncode, PreferredIntegerEncodings) {
  auto enc = [](int64_t v) { return hex(encode_cbor(Value(v))); };
  EXPECT_EQ(enc(0), "00");
  EXPECT_EQ(enc(23), "17");
  EXPECT_EQ(enc(24), "1818");
  EXPECT_EQ(enc(255), "18ff");
  EXPECT_EQ(enc(256), "190100");
  EXPECT_EQ(enc(65535), "19ffff");
  EXPECT_EQ(enc(65536), "1a00010000");
  EXPECT_EQ(enc(4294967295), "1affffffff");
  EXPECT_EQ(enc(4294967296), "1b0000000100000000");
  EXPECT_EQ(enc(-1), "20");
  EXPECT_EQ(enc(-24), "37");
  EXPECT_EQ(enc(-25), "3818");
  EXPECT_EQ(enc(-257), "390100");
  EXPECT_EQ(enc(std::numeric_limits<int64_t>::min()), "3b7fffffffffffffff");
  EXPECT_EQ(enc(std::numeric_limits<int64_t>::max()), "1b7fffffffffffffff");
}

TEST(CborEncode, EveryKind) {
  EXPECT_EQ(hex(encode_cbor(Value(nullptr))), "f6");
  EXPECT_EQ(hex(encode_cbor(Value(true))), "f5");
  EXPECT_EQ(hex(encode_cbor(Value(false))), "f4");
  EXPECT_EQ(hex(encode_cbor(Value(1.5))), "fb3ff8000000000000");
  EXPECT_EQ(hex(encode_cbor(Value("hi"))), "626869");
  EXPECT_EQ(hex(encode_cbor(Value(Blob{"hi"}))), "426869");
  EXPECT_EQ(hex(encode_cbor(Value(Array{Value(1), Value(2)}))), "820102");
  EXPECT_EQ(hex(encode_cbor(Value(std::string(24, 'x')))).substr(0, 4), "7818");
}

TEST(CborEncode, TimestampIsTag1WithIntegerMillis) {
  // The form the Java SDK expects; never 0xc1 0xfb (a tagged float).
  EXPECT_EQ(hex(encode_cbor(obj("StreamCreationTimestamp", Timestamp{1459799926480}))),
            "a17753747265616d4372656174696f6e54696d657374616d70c11b00000153e2db26d0");
}

TEST(CborEncode, MatchesCbor2ForAPutRecordsResponse) {
  // cbor2.dumps({"FailedRecordCount":0,"Records":[{"SequenceNumber":"4957","ShardId":"shardId-000000000000"}],
  //              "EncryptionType":"NONE"})
  Value v;
  v.set("FailedRecordCount", 0);
  v.set("Records", Array{[] {
          Value r;
          r.set("SequenceNumber", "4957");
          r.set("ShardId", "shardId-000000000000");
          return r;
        }()});
  v.set("EncryptionType", "NONE");
  EXPECT_EQ(hex(encode_cbor(v)),
            "a3714661696c65645265636f7264436f756e7400675265636f72647381a26e53657175656e63654e756d626572643439"
            "3537675368617264496474736861726449642d3030303030303030303030306e456e6372797074696f6e54797065644e"
            "4f4e45");
}

TEST(CborRoundTrip, EncodeDecodeIsIdentity) {
  Value v;
  v.set("Records", Array{obj("Data", Blob{std::string("\x00\x01\xff", 3)}), obj("Data", Blob{""})});
  v.set("Ints", Array{Value(0), Value(-1), Value(std::numeric_limits<int64_t>::min()),
                      Value(std::numeric_limits<int64_t>::max())});
  v.set("D", Array{Value(0.1), Value(-0.0), Value(1e300)});
  v.set("T", Timestamp{1459799926480});
  v.set("Neg", Timestamp{-5});
  v.set("S", "h\xc3\xa9");
  v.set("N", nullptr);
  v.set("B", true);
  auto back = decode_cbor(encode_cbor(v));
  ASSERT_TRUE(back.has_value());
  EXPECT_EQ(*back, v);
}

TEST(CborRoundTrip, JsonDecodedValuesSurviveCbor) {
  auto json = decode_json(R"({"a":[1,-2,3.5,"x",null,true,{"b":{}}],"big":1e30})");
  ASSERT_TRUE(json.has_value());
  auto back = decode_cbor(encode_cbor(*json));
  ASSERT_TRUE(back.has_value());
  EXPECT_EQ(*back, *json);
}

}  // namespace
}  // namespace runnel::protocol
