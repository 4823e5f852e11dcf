#include "firehose/done_tracker.h"

#include <gtest/gtest.h>

namespace runnel::firehose {
namespace {

TEST(DoneTracker, MovesOnlyPastAnAllDonePrefix) {
  DoneTracker t;
  const uint64_t a = t.add({"1", 10}, 1);
  const uint64_t b = t.add({"2", 20}, 2);  // two pieces (de-aggregated)
  const uint64_t c = t.add({"3", 30}, 1);
  EXPECT_FALSE(t.through());
  t.done(c);  // a later partition delivered first
  EXPECT_FALSE(t.through());
  t.done(a);
  ASSERT_TRUE(t.through());
  EXPECT_EQ(t.through()->id, "1");
  t.done(b);
  EXPECT_EQ(t.through()->id, "1");  // one piece of "2" is still out
  t.done(b);
  EXPECT_EQ(t.through()->id, "3");
  EXPECT_EQ(t.through()->arrival_ms, 30);
  EXPECT_EQ(t.outstanding(), 0u);
}

TEST(DoneTracker, RecordsWithoutPiecesAreDoneAtOnce) {
  DoneTracker t;
  t.add({"1", 1}, 0);
  EXPECT_EQ(t.through()->id, "1");
  const uint64_t b = t.add({"2", 2}, 1);
  t.add({"3", 3}, 0);
  EXPECT_EQ(t.through()->id, "1");
  t.done(b);
  EXPECT_EQ(t.through()->id, "3");
  t.done(b);  // a stale ticket changes nothing
  EXPECT_EQ(t.through()->id, "3");
}

}  // namespace
}  // namespace runnel::firehose
