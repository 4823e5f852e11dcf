#include "firehose/body_pool.h"

#include <gtest/gtest.h>

#include <thread>

namespace runnel::firehose {
namespace {

TEST(BodyPool, ABufferComesBackWhenItsLastHolderLetsGo) {
  auto pool = BodyPool::make();
  std::string big(3 << 20, 'x');
  const char* data = big.data();
  auto body = pool->share(std::move(big));
  auto store_copy = body;  // the store writing it
  EXPECT_EQ(body->size(), size_t{3} << 20);
  EXPECT_EQ(body->data(), data);  // shared, not copied
  body.reset();
  EXPECT_EQ(pool->kept(), 0u);                                               // the store still holds it
  std::thread([b = std::move(store_copy)]() mutable { b.reset(); }).join();  // released on another thread
  EXPECT_EQ(pool->kept(), 1u);
  std::string again = pool->take();
  EXPECT_TRUE(again.empty());
  EXPECT_GE(again.capacity(), size_t{3} << 20);
  EXPECT_EQ(again.data(), data);  // the same memory, already faulted in
  EXPECT_EQ(pool->kept(), 0u);
}

TEST(BodyPool, KeepsOnlyLargeBuffersAndAtMostAFew) {
  auto pool = BodyPool::make();
  pool->share(std::string(100, 'a'));  // dropped at once: too small to keep
  EXPECT_EQ(pool->kept(), 0u);
  for (size_t i = 0; i < BodyPool::kKept + 3; ++i) pool->share(std::string((i + 1) << 20, 'b'));
  EXPECT_EQ(pool->kept(), BodyPool::kKept);
  // The largest are the ones kept, and take() hands out the largest first.
  EXPECT_GE(pool->take().capacity(), (BodyPool::kKept + 3) << 20);
  EXPECT_TRUE(pool->take().capacity() >= (BodyPool::kKept + 2) << 20);
}

TEST(BodyPool, ABodyOutlivesThePoolsOwner) {
  std::shared_ptr<const std::string> body;
  {
    auto pool = BodyPool::make();
    body = pool->share(std::string(2 << 20, 'z'));
  }
  EXPECT_EQ((*body)[0], 'z');  // the deleter keeps the pool alive
  body.reset();
}

}  // namespace
}  // namespace runnel::firehose
