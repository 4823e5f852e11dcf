#include "storage/metadata_store.h"

#include <gtest/gtest.h>

#include <filesystem>

namespace runnel::storage {
namespace {

std::string temp_path(const char* name) {
  auto dir = std::filesystem::temp_directory_path() / ("runnel-meta-" + std::to_string(::getpid()) + name);
  std::filesystem::remove_all(dir);
  std::filesystem::create_directories(dir);
  return (dir / "meta.db").string();
}

TEST(MetadataStore, PutLoadRemoveSurvivesReopen) {
  std::string path = temp_path("a");
  {
    auto store = MetadataStore::open(path);
    ASSERT_TRUE(store.has_value());
    ASSERT_TRUE((*store)->put("stream", "b", std::string("x\0y", 3)));
    ASSERT_TRUE((*store)->put("stream", "a", "1"));
    ASSERT_TRUE((*store)->put("stream", "a", "2"));
    ASSERT_TRUE((*store)->put("tag", "a", "other kind"));
    ASSERT_TRUE((*store)->remove("stream", "missing"));
  }
  auto store = MetadataStore::open(path);
  ASSERT_TRUE(store.has_value());
  auto all = (*store)->load_all("stream");
  ASSERT_TRUE(all.has_value());
  ASSERT_EQ(all->size(), 2u);
  EXPECT_EQ((*all)[0], std::make_pair(std::string("a"), std::string("2")));
  EXPECT_EQ((*all)[1].second, std::string("x\0y", 3));
  ASSERT_TRUE((*store)->remove("stream", "a"));
  EXPECT_EQ((*store)->load_all("stream")->size(), 1u);
}

TEST(MetadataStore, CountersNeverRepeatAcrossReopen) {
  std::string path = temp_path("b");
  {
    auto store = MetadataStore::open(path);
    ASSERT_TRUE(store.has_value());
    EXPECT_EQ(*(*store)->next_id("stream"), 1u);
    EXPECT_EQ(*(*store)->next_id("stream"), 2u);
    EXPECT_EQ(*(*store)->next_id("shard"), 1u);
    EXPECT_EQ(*(*store)->next_id("shard", 10), 2u);
    EXPECT_EQ(*(*store)->next_id("shard"), 12u);
  }
  auto store = MetadataStore::open(path);
  EXPECT_EQ(*(*store)->next_id("stream"), 3u);
}

}  // namespace
}  // namespace runnel::storage
