// DeleteStream of a stream with many shards (issue 14, item 2): deleting a
// 17,000-shard stream used to write one log checkpoint per shard (an
// fdatasync, a rename and a directory fsync each) while holding the registry
// lock, so every request on every stream waited 10-60 s. Now the stream's
// shards are dropped with one checkpoint and no registry lock held, and a
// crash in the middle leaves a DELETING stream that the next start removes.

#include <gtest/gtest.h>

#include <chrono>
#include <future>
#include <thread>

#include "storage/fault_injection_env.h"
#include "streams/model.h"
#include "streams/service_test_base.h"

namespace runnel::streams {
namespace {

using protocol::Blob;
using protocol::Value;

constexpr int kShards = 2000;

class DeleteStreamTest : public ServiceTestBase {
 protected:
  void SetUp() override {
    make_dir("runnel-delete-stream");
    options_.throughput_limits = false;
    env_ = &fault_;
    open();
    ASSERT_TRUE(call("CreateStream", obj({{"StreamName", "big"}, {"ShardCount", kShards}})));
    ASSERT_TRUE(call("CreateStream", obj({{"StreamName", "other"}, {"ShardCount", 1}})));
    // Records in many of the big stream's shards, so the log knows them.
    for (int i = 0; i < 5; ++i) {
      protocol::Array records;
      for (int r = 0; r < 500; ++r) {
        const std::string data = std::to_string(i * 500 + r);
        records.push_back(obj({{"PartitionKey", "pk-" + data}, {"Data", Blob{data}}}));
      }
      ASSERT_TRUE(call("PutRecords", obj({{"StreamName", "big"}, {"Records", std::move(records)}})));
    }
    ASSERT_TRUE(put_other("before"));
  }

  protocol::ApiResult<Value> put_other(const std::string& data) { return put_record("other", data); }
  std::vector<std::string> read_other() { return read_first_shard("other"); }
  std::vector<std::string> stream_names() {
    auto r = call("ListStreams", obj({}));
    EXPECT_TRUE(r);
    std::vector<std::string> out;
    if (r)
      for (const auto& n : r->find("StreamNames")->as_array()) out.push_back(n.as_string());
    return out;
  }
  // Up to a minute, which only a hang exceeds.
  template <class Cond>
  static bool eventually(Cond cond) {
    for (int i = 0; i < 60'000; ++i) {
      if (cond()) return true;
      std::this_thread::sleep_for(std::chrono::milliseconds(1));
    }
    return false;
  }

  storage::FaultInjectionEnv fault_{storage::Env::posix(), 1, /*real_syncs=*/false};
};

TEST_F(DeleteStreamTest, DeletingAStreamOfTwoThousandShardsWritesOneLogCheckpoint) {
  const auto before = fault_.counts();
  ASSERT_TRUE(call("DeleteStream", obj({{"StreamName", "big"}})));
  EXPECT_EQ(stream_names(), std::vector<std::string>{"other"});
  const auto after = fault_.counts();
  EXPECT_LE(after.renames - before.renames, 1u);
  // The checkpoint's fdatasync, and maybe the log's runway (synced zeros
  // past its end, laid down by the sync thread after the last put).
  EXPECT_LE(after.file_syncs - before.file_syncs, 3u);
  EXPECT_LE(after.dir_syncs - before.dir_syncs, 1u);
}

TEST_F(DeleteStreamTest, PutsAndReadsOfAnotherStreamAreServedWhileADeleteCommits) {
  fault_.hold_renames();  // the deletion stops where its log checkpoint is committed
  auto del = std::async(std::launch::async, [&] { return call("DeleteStream", obj({{"StreamName", "big"}})); });
  ASSERT_TRUE(eventually([&] { return fault_.renames_waiting() == 1; }));
  auto put = std::async(std::launch::async, [&] { return put_other("during"); });
  // Before the fix the deletion held the registry lock while it synced, and
  // this put waited for it.
  const bool served = put.wait_for(std::chrono::seconds(60)) == std::future_status::ready;
  EXPECT_TRUE(served) << "a put to another stream waited for DeleteStream";
  if (served) {
    EXPECT_TRUE(put.get());
    EXPECT_EQ(read_other(), (std::vector<std::string>{"before", "during"}));
  }
  fault_.release_renames();
  EXPECT_TRUE(del.get());
  EXPECT_EQ(stream_names(), std::vector<std::string>{"other"});
}

// The log's drop (a checkpoint's fdatasync, rename and directory fsync) ran
// inside handle(), on the net worker that called it, blocking every
// connection of that worker. handle() now returns at once; the answer comes
// from the purge thread once the stream is gone.
TEST_F(DeleteStreamTest, TheLogDropDoesNotRunOnTheThreadThatCallsHandle) {
  fault_.hold_renames();  // the drop stops where its log checkpoint is committed
  const protocol::OperationModel* op = kinesis_model().find_operation("DeleteStream");
  ASSERT_NE(op, nullptr);
  protocol::RequestContext ctx;
  ctx.region = "us-east-1";
  ctx.account_id = "000000000000";
  ctx.request_id = "req";
  std::promise<protocol::ApiResult<Value>> answered;
  auto handled = std::async(std::launch::async, [&] {
    service_->handle(*op, obj({{"StreamName", "big"}}), ctx,
                     [&](protocol::ApiResult<Value> r) { answered.set_value(std::move(r)); });
  });
  ASSERT_TRUE(eventually([&] { return fault_.renames_waiting() == 1; }));
  const bool returned = handled.wait_for(std::chrono::seconds(10)) == std::future_status::ready;
  EXPECT_TRUE(returned) << "handle() waited for the log's drop";
  auto answer = answered.get_future();
  EXPECT_EQ(answer.wait_for(std::chrono::milliseconds(0)), std::future_status::timeout)
      << "answered before the stream was gone";
  fault_.release_renames();
  handled.wait();
  EXPECT_TRUE(answer.get());
  EXPECT_EQ(stream_names(), std::vector<std::string>{"other"});
}

TEST_F(DeleteStreamTest, ACrashDuringTheDeleteLeavesAStreamTheNextStartRemoves) {
  fault_.hold_renames();
  auto del = std::async(std::launch::async, [&] { return call("DeleteStream", obj({{"StreamName", "big"}})); });
  ASSERT_TRUE(eventually([&] { return fault_.renames_waiting() == 1; }));
  ASSERT_TRUE(put_other("during"));
  fault_.crash();
  fault_.release_renames();
  EXPECT_TRUE(del.get());  // accepted: the stream is DELETING
  service_.reset();
  EXPECT_FALSE(log_->close());  // the machine "stopped"
  log_.reset();
  metadata_.reset();
  ASSERT_TRUE(fault_.apply_crash(storage::FaultInjectionEnv::TornWrite::kGarbage));
  fault_.reset();
  open();
  // The first request finishes the deletion; the other stream lost nothing.
  EXPECT_EQ(stream_names(), std::vector<std::string>{"other"});
  EXPECT_EQ(read_other(), (std::vector<std::string>{"before", "during"}));
  ASSERT_TRUE(call("CreateStream", obj({{"StreamName", "big"}, {"ShardCount", 2}})));
  ASSERT_TRUE(
      call("PutRecord", obj({{"StreamName", "big"}, {"PartitionKey", "k"}, {"Data", Blob{std::string("new")}}})));
}

}  // namespace
}  // namespace runnel::streams
