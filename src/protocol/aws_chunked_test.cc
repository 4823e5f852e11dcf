// aws-chunked decoding and SigV4 chunk signatures. The signed vector is the
// example of AWS's S3 documentation ("Signature Calculations for the
// Authorization Header: Transferring Payload in Multiple Chunks", Example:
// PUT Object: 66,560 bytes of 'a' in chunks of 64 KiB and 1 KiB, seed
// 4f232c43...); the trailer signature was computed for this test with
// Python's hmac/hashlib, independently of this code.
#include "protocol/aws_chunked.h"

#include <gtest/gtest.h>

#include <string>

#include "protocol/credentials.h"
#include "protocol/payload_checksum.h"

namespace runnel::protocol {
namespace {

constexpr std::string_view kSeed = "4f232c4386841ef735655705268965c44a0e4690baa4adea153f7db9fa80a0a9";
constexpr std::string_view kSig1 = "ad80c730a21e5b8d04586a2213dd63b9a0e99e0e2307b0ade35a65485a288648";
constexpr std::string_view kSig2 = "0055627c9e194cb4542bae2aa5492e3c1575bbb81b612b7d234b86a503ef5497";
constexpr std::string_view kSigFinal = "b6c6ea8a5354eaf15b3cb7646744f4275b71ea724fed81ceb9323e279d449df9";
constexpr std::string_view kTrailerSig = "b7e68777f543fed4632a47c5c6d795bf31c94c73eead74b5d4e94574d26a6b75";

ChunkSigningKey example_key() {
  // The day's signing key of the example (secret wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY,
  // 20130524/us-east-1/s3), computed with Python's hmac. The test below
  // derives it, and the seed, through authenticate_sigv4_streamed.
  ChunkSigningKey k;
  static constexpr unsigned char kKey[32] = {0xdb, 0xb8, 0x93, 0xac, 0xc0, 0x10, 0x96, 0x49, 0x18, 0xf1, 0xfd,
                                             0x43, 0x3a, 0xdd, 0x87, 0xc7, 0x0e, 0x8b, 0x0d, 0xb6, 0xbe, 0x30,
                                             0xc1, 0xfb, 0xea, 0xfe, 0xfa, 0x5e, 0xc6, 0xba, 0x83, 0x78};
  std::copy(std::begin(kKey), std::end(kKey), k.key.begin());
  k.amz_date = "20130524T000000Z";
  k.scope = "20130524/us-east-1/s3/aws4_request";
  k.seed_signature = std::string(kSeed);
  return k;
}

std::string example_body(std::string_view final_extra = "\r\n") {
  std::string b = "10000;chunk-signature=" + std::string(kSig1) + "\r\n" + std::string(65536, 'a') + "\r\n";
  b += "400;chunk-signature=" + std::string(kSig2) + "\r\n" + std::string(1024, 'a') + "\r\n";
  b += "0;chunk-signature=" + std::string(kSigFinal) + "\r\n";
  b += final_extra;
  return b;
}

struct Decoded {
  std::string payload;
  ApiResult<void> fed;
  ApiResult<void> finished;
};

Decoded decode(AwsChunkedDecoder::Options o, std::string_view body, size_t piece = SIZE_MAX) {
  AwsChunkedDecoder d(o);
  Decoded out{"", {}, {}};
  for (size_t at = 0; at < body.size() && out.fed; at += piece) {
    out.fed =
        d.feed(body.substr(at, std::min(piece, body.size() - at)), [&](std::string_view p) { out.payload.append(p); });
  }
  out.finished = d.finish();
  return out;
}

// The example's request head, signed as the S3 documentation shows.
TEST(SigV4Chunks, SeedAndKeyOfTheS3ExampleRequest) {
  auto store = CredentialStore::parse(
      "[default]\naws_access_key_id = AKIAIOSFODNN7EXAMPLE\n"
      "aws_secret_access_key = wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY\n");
  ASSERT_TRUE(store.has_value());
  net::HttpRequest head;
  head.method = "PUT";
  head.path = "/examplebucket/chunkObject.txt";
  head.headers = {{"host", "s3.amazonaws.com"},
                  {"x-amz-date", "20130524T000000Z"},
                  {"x-amz-storage-class", "REDUCED_REDUNDANCY"},
                  {"authorization",
                   "AWS4-HMAC-SHA256 Credential=AKIAIOSFODNN7EXAMPLE/20130524/us-east-1/s3/aws4_request,"
                   "SignedHeaders=content-encoding;content-length;host;x-amz-content-sha256;x-amz-date;"
                   "x-amz-decoded-content-length;x-amz-storage-class,Signature=" +
                       std::string(kSeed)},
                  {"x-amz-content-sha256", "STREAMING-AWS4-HMAC-SHA256-PAYLOAD"},
                  {"content-encoding", "aws-chunked"},
                  {"x-amz-decoded-content-length", "66560"},
                  {"content-length", "66824"}};
  const int64_t when = 1369353600;  // 2013-05-24T00:00:00Z
  ChunkSigningKey key;
  auto auth = authenticate_sigv4_streamed(head, &store.value(), when, "STREAMING-AWS4-HMAC-SHA256-PAYLOAD", &key);
  ASSERT_TRUE(auth) << auth.error().message;
  ChunkSigningKey expected = example_key();
  EXPECT_EQ(key.key, expected.key);
  EXPECT_EQ(key.seed_signature, kSeed);
  EXPECT_EQ(key.scope, expected.scope);
  EXPECT_EQ(key.amz_date, expected.amz_date);
  // Any other payload hash gives another signature.
  EXPECT_FALSE(authenticate_sigv4_streamed(head, &store.value(), when, "UNSIGNED-PAYLOAD", nullptr));
}

TEST(SigV4Chunks, SignaturesOfTheS3Example) {
  ChunkSigningKey k = example_key();
  EXPECT_EQ(sigv4_chunk_signature(k, kSeed, sigv4_sha256_hex(std::string(65536, 'a'))), kSig1);
  EXPECT_EQ(sigv4_chunk_signature(k, kSig1, sigv4_sha256_hex(std::string(1024, 'a'))), kSig2);
  EXPECT_EQ(sigv4_chunk_signature(k, kSig2, sigv4_sha256_hex("")), kSigFinal);
}

TEST(AwsChunked, SignedExampleDecodesAndVerifies) {
  ChunkSigningKey k = example_key();
  AwsChunkedDecoder::Options o;
  o.signed_chunks = true;
  o.verify = &k;
  std::string body = example_body();
  ASSERT_EQ(body.size(), 66824u);  // the example's Content-Length
  for (size_t piece : {SIZE_MAX, size_t{1}, size_t{7}, size_t{4096}}) {
    Decoded d = decode(o, body, piece);
    ASSERT_TRUE(d.fed) << piece << " " << d.fed.error().message;
    ASSERT_TRUE(d.finished) << piece;
    EXPECT_EQ(d.payload, std::string(66560, 'a')) << piece;
  }
}

TEST(AwsChunked, AlteredChunkFailsItsSignatureAndNothingOfItIsPassedOn) {
  ChunkSigningKey k = example_key();
  AwsChunkedDecoder::Options o;
  o.signed_chunks = true;
  o.verify = &k;
  std::string body = example_body();
  body[body.find("400;") + 100] = 'b';  // a byte of the second chunk
  Decoded d = decode(o, body);
  ASSERT_FALSE(d.fed);
  EXPECT_EQ(d.fed.error().type, "InvalidSignatureException");
  EXPECT_EQ(d.fed.error().http_status, 400);  // as every SigV4 error of runnel (docs/auth.md)
  EXPECT_EQ(d.payload.size(), 65536u);        // the first chunk only
  EXPECT_FALSE(d.finished);
}

TEST(AwsChunked, ReorderedChunksFailTheChain) {
  ChunkSigningKey k = example_key();
  AwsChunkedDecoder::Options o;
  o.signed_chunks = true;
  o.verify = &k;
  std::string body = "400;chunk-signature=" + std::string(kSig2) + "\r\n" + std::string(1024, 'a') + "\r\n";
  EXPECT_FALSE(decode(o, body).fed);
}

TEST(AwsChunked, WithoutAKeySignaturesMustBeWellFormedButAreNotChecked) {
  AwsChunkedDecoder::Options o;
  o.signed_chunks = true;
  std::string body = example_body();
  body[body.find("400;") + 100] = 'b';
  Decoded d = decode(o, body);
  EXPECT_TRUE(d.fed);
  EXPECT_TRUE(d.finished);
  EXPECT_FALSE(decode(o, "5\r\nhello\r\n0\r\n\r\n").fed);  // no chunk-signature
}

TEST(AwsChunked, SignedTrailerVerifies) {
  ChunkSigningKey k = example_key();
  AwsChunkedDecoder::Options o;
  o.signed_chunks = true;
  o.trailer = true;
  o.verify = &k;
  std::string trailer =
      "x-amz-checksum-crc32:sK4Y7A==\r\nx-amz-trailer-signature:" + std::string(kTrailerSig) + "\r\n\r\n";
  Decoded d = decode(o, example_body(trailer), 1000);
  ASSERT_TRUE(d.fed) << d.fed.error().message;
  EXPECT_TRUE(d.finished);
  AwsChunkedDecoder whole(o);
  ASSERT_TRUE(whole.feed(example_body(trailer), [](std::string_view) {}));
  ASSERT_EQ(whole.trailers().size(), 1u);
  EXPECT_EQ(whole.trailers()[0].first, "x-amz-checksum-crc32");
  EXPECT_EQ(whole.trailers()[0].second, "sK4Y7A==");
  // A changed trailer value breaks the trailer's signature.
  std::string changed = trailer;
  changed.replace(changed.find("sK4Y7A=="), 8, "AAAAAA==");
  Decoded bad = decode(o, example_body(changed));
  ASSERT_FALSE(bad.fed);
  EXPECT_NE(bad.fed.error().message.find("trailer signature"), std::string::npos);
  // Missing: a signed upload with trailers must sign them.
  EXPECT_FALSE(decode(o, example_body("x-amz-checksum-crc32:sK4Y7A==\r\n\r\n")).fed);
}

TEST(AwsChunked, UnsignedChunksWithTrailerAsTheSdksSendThem) {
  AwsChunkedDecoder::Options o;
  o.trailer = true;
  std::string body = "5\r\nhello\r\n6\r\n world\r\n0\r\nx-amz-checksum-crc32:DUoRhQ==\r\n\r\n";
  for (size_t piece : {SIZE_MAX, size_t{1}, size_t{3}}) {
    Decoded d = decode(o, body, piece);
    ASSERT_TRUE(d.fed) << d.fed.error().message;
    EXPECT_TRUE(d.finished);
    EXPECT_EQ(d.payload, "hello world");
  }
}

TEST(AwsChunked, MalformedBodiesAreSerializationErrors) {
  AwsChunkedDecoder::Options o;
  o.trailer = true;
  for (std::string_view bad :
       {"zz\r\nhello\r\n0\r\n\r\n", "5\nhello\r\n0\r\n\r\n", "5\r\nhelloXX0\r\n\r\n",
        "5\r\nhello\r\n0\r\nno-colon\r\n\r\n", "5\r\nhello\r\n0\r\n\r\nextra", "ffffffffffffffffff\r\n"}) {
    Decoded d = decode(o, bad);
    ASSERT_FALSE(d.fed) << bad;
    EXPECT_EQ(d.fed.error().type, "SerializationException") << bad;
    EXPECT_EQ(d.fed.error().http_status, 400);
  }
  // Trailers where none were announced.
  EXPECT_FALSE(decode({}, "0\r\nx-amz-checksum-crc32:AAAAAA==\r\n\r\n").fed);
  // Truncated: fine so far, but finish() says the body ended early.
  Decoded cut = decode(o, "5\r\nhel");
  EXPECT_TRUE(cut.fed);
  EXPECT_FALSE(cut.finished);
  // A chunk line without end.
  EXPECT_FALSE(decode(o, std::string(10000, '1')).fed);
}

TEST(PayloadChecksum, KnownCheckValues) {
  struct Case {
    std::string_view header, expected;
  };
  // CRC check values of "123456789" (the CRC catalogue); digests from Python's hashlib.
  for (Case c :
       {Case{"x-amz-checksum-crc32", "y/Q5Jg=="}, Case{"x-amz-checksum-crc32c", "4waSgw=="},
        Case{"x-amz-checksum-crc64nvme", "rosUhgp5mIg="}, Case{"x-amz-checksum-sha1", "98O8HYCOBHMq32eZZczDTKeuNEE="},
        Case{"x-amz-checksum-sha256", "FeKw08M4keuw8e9gnsQZQgwg4yDOlMZfvIwzEkSOsiU="}}) {
    auto sum = PayloadChecksum::for_header(c.header);
    ASSERT_TRUE(sum) << c.header;
    sum->update("1234");
    sum->update("56789");
    EXPECT_EQ(sum->base64(), c.expected) << c.header;
  }
  EXPECT_EQ(PayloadChecksum::for_header("x-amz-checksum-md5"), nullptr);
}

}  // namespace
}  // namespace runnel::protocol
