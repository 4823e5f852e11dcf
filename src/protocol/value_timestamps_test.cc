// Stored documents' timestamps: to epoch ms and back, by member name, at
// any depth, leaving other members alone.
#include "protocol/value_timestamps.h"

#include <gtest/gtest.h>

namespace runnel::protocol {
namespace {

TEST(ValueTimestamps, RoundTripByMemberName) {
  Value inner = Object{};
  inner.set("UpdateTime", Value(Timestamp{1'700'000'000'123}));
  inner.set("Count", Value(int64_t{7}));
  Value doc = Object{};
  doc.set("CreateTime", Value(Timestamp{5}));
  doc.set("Items", Value(Array{inner}));
  doc.set("Name", Value(std::string("t")));

  timestamps_to_ms(doc);
  EXPECT_TRUE(doc.find("CreateTime")->is_int());
  EXPECT_EQ(doc.find("CreateTime")->as_int(), 5);
  EXPECT_EQ(doc.find("Items")->as_array()[0].find("UpdateTime")->as_int(), 1'700'000'000'123);

  ms_to_timestamps(doc, "Time");
  ASSERT_TRUE(doc.find("CreateTime")->is_timestamp());
  EXPECT_EQ(doc.find("CreateTime")->as_timestamp().millis, 5);
  const Value& item = doc.find("Items")->as_array()[0];
  ASSERT_TRUE(item.find("UpdateTime")->is_timestamp());
  EXPECT_EQ(item.find("UpdateTime")->as_timestamp().millis, 1'700'000'000'123);
  EXPECT_TRUE(item.find("Count")->is_int());  // not a "...Time" member
  EXPECT_EQ(doc.find("Name")->as_string(), "t");
}

}  // namespace
}  // namespace runnel::protocol
