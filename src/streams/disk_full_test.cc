// PutRecord while the disk is full (issue 14, item 6): it used to answer 500
// and keep answering 500 after space was freed, until a restart. Now it
// answers 503 ServiceUnavailable (retryable) while the log cannot write, and
// succeeds again once space is back, with no restart.

#include <gtest/gtest.h>

#include <chrono>
#include <thread>

#include "storage/fault_injection_env.h"
#include "streams/service_test_base.h"

namespace runnel::streams {
namespace {

using protocol::Blob;
using protocol::Value;

class DiskFullTest : public ServiceTestBase {
 protected:
  void SetUp() override {
    make_dir("runnel-disk-full");
    env_ = &fault_;
    open();
    ASSERT_TRUE(call("CreateStream", obj({{"StreamName", "s"}, {"ShardCount", 1}})));
  }

  storage::FaultInjectionEnv fault_{storage::Env::posix(), 1, /*real_syncs=*/false};
};

TEST_F(DiskFullTest, PutsAnswerARetryableErrorWhileTheDiskIsFullAndSucceedOnceSpaceIsBack) {
  ASSERT_TRUE(put_record("s", "before"));
  fault_.set_no_space(storage::FaultInjectionEnv::NoSpace::kWritesAndSyncs);
  for (const char* data : {"lost-1", "lost-2"}) {
    auto r = put_record("s", data);
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error().type, "ServiceUnavailable");
    EXPECT_EQ(r.error().http_status, 503);
  }
  EXPECT_FALSE(log_->writable());
  ASSERT_TRUE(call("CreateStream", obj({{"StreamName", "t"}, {"ShardCount", 1}})));  // metadata is elsewhere
  EXPECT_FALSE(put_record("t", "lost-3"));

  fault_.set_no_space(storage::FaultInjectionEnv::NoSpace::kOff);
  bool resumed = false;
  for (int i = 0; i < 600 && !resumed; ++i) {  // a client retrying; the log retries every second
    resumed = bool(put_record("s", "after"));
    if (!resumed) std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  ASSERT_TRUE(resumed) << "puts never succeeded again after space came back";
  EXPECT_TRUE(log_->writable());
  ASSERT_TRUE(put_record("t", "new stream"));
  EXPECT_EQ(read_first_shard("s"), (std::vector<std::string>{"before", "after"}));
  EXPECT_EQ(read_first_shard("t"), (std::vector<std::string>{"new stream"}));
}

}  // namespace
}  // namespace runnel::streams
