#include "bench/latency_stamp.h"

#include <gtest/gtest.h>

#include <set>

#include "bench/record_factory.h"

namespace runnel::bench {
namespace {

TEST(LatencyStamp, RoundTripsAndIsLittleEndian) {
  std::string data(20, 'x');
  write_stamp(data, 0x0102030405060708);
  EXPECT_EQ(data.size(), 20u);
  EXPECT_EQ(data.substr(0, 12), std::string("\x08\x07\x06\x05\x04\x03\x02\x01rnB1", 12));
  EXPECT_EQ(data.substr(12), std::string(8, 'x'));
  EXPECT_EQ(read_stamp(data), 0x0102030405060708);
}

TEST(LatencyStamp, RejectsForeignOrShortData) {
  EXPECT_EQ(read_stamp(""), std::nullopt);
  EXPECT_EQ(read_stamp("hello world, this is not stamped"), std::nullopt);
  std::string data(12, '\0');
  write_stamp(data, 123);
  EXPECT_EQ(read_stamp(data), 123);
  EXPECT_EQ(read_stamp(std::string_view(data).substr(0, 11)), std::nullopt);
  data[9] = 'X';
  EXPECT_EQ(read_stamp(data), std::nullopt);
}

TEST(LatencyStamp, NowIsEpochMicroseconds) {
  const int64_t now = now_epoch_micros();
  EXPECT_GT(now, int64_t{1'600'000'000} * 1'000'000);  // after September 2020
  EXPECT_LT(now, int64_t{4'000'000'000} * 1'000'000);
}

TEST(RecordFactory, DataCarriesStampAndSize) {
  RecordFactory f(100, 0, 7);
  std::string d = f.data(42);
  EXPECT_EQ(d.size(), 100u);
  EXPECT_EQ(read_stamp(d), 42);
  EXPECT_EQ(f.data(43).substr(12), d.substr(12)) << "filler is the same for every record";
}

TEST(RecordFactory, RandomKeysDifferAndHotKeysRepeat) {
  RecordFactory random(20, 0, 1);
  std::string a = random.partition_key(), b = random.partition_key();
  EXPECT_EQ(a.size(), 16u);
  EXPECT_NE(a, b);
  RecordFactory hot(20, 3, 1);
  std::set<std::string> keys;
  for (int i = 0; i < 300; ++i) keys.insert(hot.partition_key());
  EXPECT_EQ(keys, (std::set<std::string>{"key-0", "key-1", "key-2"}));
}

}  // namespace
}  // namespace runnel::bench
