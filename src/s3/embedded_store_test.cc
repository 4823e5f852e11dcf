// EmbeddedStore: buckets, objects, listings, multipart uploads, the
// ObjectStore interface, and what a crash leaves behind.
#include "s3/embedded_store.h"

#include "s3/index_db.h"

#include <gtest/gtest.h>
#include <openssl/evp.h>
#include <signal.h>
#include <sqlite3.h>
#include <sys/wait.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <future>

namespace runnel::s3 {
namespace {

namespace fs = std::filesystem;

std::string md5_hex(std::string_view s) {
  unsigned char d[EVP_MAX_MD_SIZE];
  unsigned int n = 0;
  EVP_Digest(s.data(), s.size(), d, &n, EVP_md5(), nullptr);
  return to_hex(std::string_view(reinterpret_cast<char*>(d), n));
}

class StoreTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() / ("s3store-" + random_hex_id());
    reopen();
  }
  void TearDown() override {
    store_.reset();
    fs::remove_all(dir_);
  }
  void reopen(EmbeddedStoreOptions o = {}) {
    store_.reset();
    o.min_part_size = o.min_part_size == (5u << 20) ? 4 : o.min_part_size;
    auto s = EmbeddedStore::open(dir_.string(), o);
    ASSERT_TRUE(s.has_value()) << s.error().to_string();
    store_ = std::move(*s);
  }
  Result<ObjectMeta> put(const std::string& bucket, const std::string& key, std::string_view body) {
    auto blob = store_->new_blob();
    if (!blob) return error(blob.error());
    if (Status s = (*blob)->append(body); !s) return error(s);
    ObjectMeta m;
    m.info.key = key;
    m.metadata = {{"who", "me & you"}};
    return store_->commit_object(bucket, std::move(m), std::move(*blob));
  }
  std::string read(const std::string& bucket, const std::string& key) {
    auto o = store_->open_object(bucket, key);
    if (!o) return "<" + s3_error_code(o.error()).first + ">";
    auto r = (*o)->read(0, (*o)->meta.info.size);
    return r ? *r : "<read: " + r.error().to_string() + ">";
  }
  size_t files_in(const char* sub) {
    size_t n = 0;
    for ([[maybe_unused]] auto& e : fs::directory_iterator(dir_ / sub)) ++n;
    return n;
  }

  fs::path dir_;
  std::unique_ptr<EmbeddedStore> store_;
};

TEST(BucketNames, FollowS3sRules) {
  for (const char* ok : {"abc", "my-bucket.2026", "a1b", "1.2.3.b"}) EXPECT_TRUE(valid_bucket_name(ok)) << ok;
  EXPECT_TRUE(valid_bucket_name(std::string(63, 'a')));
  for (const char* bad : {"ab", "Abc", "a_b", "-abc", "abc-", "a..b", "192.168.1.1", "xn--abc", "sthree-x",
                          "abc-s3alias", "abc--ol-s3", "abc.mrap", "abc--x-s3", "a b"})
    EXPECT_FALSE(valid_bucket_name(bad)) << bad;
  EXPECT_FALSE(valid_bucket_name(std::string(64, 'a')));
}

TEST_F(StoreTest, BucketsAreCreatedListedAndDeletedOnlyWhenEmpty) {
  ASSERT_TRUE(store_->create_bucket("b1").is_ok() == false);  // too short
  EXPECT_EQ(s3_error_code(store_->create_bucket("b1")).first, "InvalidBucketName");
  ASSERT_TRUE(store_->create_bucket("bucket-b").is_ok());
  ASSERT_TRUE(store_->create_bucket("bucket-a").is_ok());
  EXPECT_EQ(s3_error_code(store_->create_bucket("bucket-a")).first, "BucketAlreadyOwnedByYou");
  auto list = store_->list_buckets();
  ASSERT_TRUE(list.has_value());
  ASSERT_EQ(list->size(), 2u);
  EXPECT_EQ((*list)[0].name, "bucket-a");
  ASSERT_TRUE(put("bucket-a", "k", "v").has_value());
  EXPECT_EQ(s3_error_code(store_->delete_bucket("bucket-a")).first, "BucketNotEmpty");
  ASSERT_TRUE(store_->delete_object("bucket-a", "k").is_ok());
  EXPECT_TRUE(store_->delete_bucket("bucket-a").is_ok());
  EXPECT_EQ(s3_error_code(store_->delete_bucket("bucket-a")).first, "NoSuchBucket");
  EXPECT_EQ(s3_error_code(store_->find_bucket("bucket-a").error()).first, "NoSuchBucket");
}

TEST_F(StoreTest, ObjectsRoundTripWithMetadataAndSurviveReopen) {
  ASSERT_TRUE(store_->create_bucket("bkt").is_ok());
  auto m = put("bkt", "a/b c", "hello");
  ASSERT_TRUE(m.has_value()) << m.error().to_string();
  EXPECT_EQ(m->info.etag, "\"" + md5_hex("hello") + "\"");
  EXPECT_EQ(m->info.size, 5u);
  reopen();
  EXPECT_EQ(read("bkt", "a/b c"), "hello");
  auto h = store_->head_object("bkt", "a/b c");
  ASSERT_TRUE(h.has_value());
  ASSERT_EQ(h->metadata.size(), 1u);
  EXPECT_EQ(h->metadata[0].second, "me & you");
  EXPECT_EQ(read("bkt", "missing"), "<NoSuchKey>");
  EXPECT_EQ(read("nobucket", "k"), "<NoSuchBucket>");
  EXPECT_EQ(s3_error_code(put("nobucket", "k", "x").error()).first, "NoSuchBucket");
  EXPECT_EQ(files_in("tmp"), 0u);  // the failed put's temp file is gone
}

TEST_F(StoreTest, OverwriteAndDeleteRemoveTheOldBlob) {
  ASSERT_TRUE(store_->create_bucket("bkt").is_ok());
  ASSERT_TRUE(put("bkt", "k", "one").has_value());
  auto reader = store_->open_object("bkt", "k");  // opened before the overwrite
  ASSERT_TRUE(reader.has_value());
  ASSERT_TRUE(put("bkt", "k", "two!").has_value());
  EXPECT_EQ(*(*reader)->read(0, 3), "one");  // still reads the version it opened
  EXPECT_EQ(read("bkt", "k"), "two!");
  EXPECT_EQ(files_in("blobs"), 1u);
  ASSERT_TRUE(store_->delete_object("bkt", "k").is_ok());
  ASSERT_TRUE(store_->delete_object("bkt", "k").is_ok());  // deleting nothing is fine, as in S3
  EXPECT_EQ(files_in("blobs"), 0u);
}

TEST_F(StoreTest, ListingsPageWithPrefixesAndDelimiters) {
  ASSERT_TRUE(store_->create_bucket("bkt").is_ok());
  for (const char* k : {"a/1", "a/2", "b/1", "c", "d/x/1", "d/y"}) ASSERT_TRUE(put("bkt", k, k).has_value());
  auto page = store_->list("bkt", ListQuery{"", "/", "", 1000});
  ASSERT_TRUE(page.has_value());
  EXPECT_EQ(page->common_prefixes, (std::vector<std::string>{"a/", "b/", "d/"}));
  ASSERT_EQ(page->objects.size(), 1u);
  EXPECT_EQ(page->objects[0].key, "c");
  // Two entries a page: a/ b/ | c d/
  page = store_->list("bkt", ListQuery{"", "/", "", 2});
  EXPECT_TRUE(page->truncated);
  EXPECT_EQ(page->last, "b/");
  page = store_->list("bkt", ListQuery{"", "/", "b/", 2});
  EXPECT_FALSE(page->truncated);
  ASSERT_EQ(page->objects.size(), 1u);
  EXPECT_EQ(page->common_prefixes, std::vector<std::string>{"d/"});
  page = store_->list("bkt", ListQuery{"d/", "/", "", 1000});
  EXPECT_EQ(page->common_prefixes, std::vector<std::string>{"d/x/"});
  ASSERT_EQ(page->objects.size(), 1u);
  EXPECT_EQ(page->objects[0].key, "d/y");
  page = store_->list("bkt", ListQuery{"a/", "", "a/1", 1000});
  ASSERT_EQ(page->objects.size(), 1u);
  EXPECT_EQ(page->objects[0].key, "a/2");
}

TEST_F(StoreTest, MultipartUploadsJoinTheirPartsWithS3sEtag) {
  ASSERT_TRUE(store_->create_bucket("bkt").is_ok());
  ObjectMeta meta;
  meta.info.key = "big";
  meta.content_type = "text/plain";
  auto id = store_->create_upload("bkt", meta);
  ASSERT_TRUE(id.has_value());
  auto part = [&](int n, std::string_view body) {
    auto blob = store_->new_blob();
    EXPECT_TRUE((*blob)->append(body).is_ok());
    return store_->commit_part("bkt", "big", *id, n, std::move(*blob));
  };
  auto p1 = part(1, "aaaa"), p2 = part(2, "bb"), p3 = part(3, "cccc");
  ASSERT_TRUE(p1 && p2 && p3);
  EXPECT_EQ(s3_error_code(store_->complete_upload("bkt", "big", *id, {{2, p2->etag}, {1, p1->etag}}).error()).first,
            "InvalidPartOrder");
  EXPECT_EQ(s3_error_code(store_->complete_upload("bkt", "big", *id, {{1, "\"0000\""}}).error()).first, "InvalidPart");
  EXPECT_EQ(s3_error_code(store_->complete_upload("bkt", "big", *id, {{1, p1->etag}, {9, p1->etag}}).error()).first,
            "InvalidPart");
  // Part 2 (2 bytes) is below the minimum (4 here) and not the last.
  EXPECT_EQ(s3_error_code(store_->complete_upload("bkt", "big", *id, {{2, p2->etag}, {3, p3->etag}}).error()).first,
            "EntityTooSmall");
  auto uploads = store_->list_uploads("bkt", "");
  ASSERT_EQ(uploads->size(), 1u);
  auto done = store_->complete_upload("bkt", "big", *id, {{1, p1->etag}, {3, p3->etag}});
  ASSERT_TRUE(done.has_value()) << done.error().to_string();
  auto raw_md5 = [](std::string_view s) {
    unsigned char d[EVP_MAX_MD_SIZE];
    unsigned int n = 0;
    EVP_Digest(s.data(), s.size(), d, &n, EVP_md5(), nullptr);
    return std::string(reinterpret_cast<char*>(d), n);
  };
  EXPECT_EQ(done->info.etag, "\"" + md5_hex(raw_md5("aaaa") + raw_md5("cccc")) + "-2\"");
  EXPECT_EQ(read("bkt", "big"), "aaaacccc");
  EXPECT_EQ(store_->head_object("bkt", "big")->content_type, "text/plain");
  EXPECT_EQ(s3_error_code(store_->list_parts("bkt", "big", *id).error()).first, "NoSuchUpload");
  EXPECT_EQ(files_in("blobs"), 1u);  // the parts' blobs are gone, the unused one too
  // Abort drops an upload and its parts.
  auto id2 = store_->create_upload("bkt", meta);
  ASSERT_TRUE(part(1, "zz").has_value() == false);  // part() uses *id, which is complete
  id = id2;
  ASSERT_TRUE(part(1, "zz").has_value());
  ASSERT_TRUE(store_->abort_upload("bkt", "big", *id).is_ok());
  EXPECT_EQ(s3_error_code(store_->abort_upload("bkt", "big", *id)).first, "NoSuchUpload");
  EXPECT_EQ(files_in("blobs"), 1u);
}

TEST_F(StoreTest, ObjectStoreInterfaceWritesWhatTheServiceReads) {
  ASSERT_TRUE(store_->create_bucket("firehose-out").is_ok());
  std::promise<Result<ObjectInfo>> put_done;
  PutObjectRequest req;
  req.bucket = "firehose-out";
  req.key = "2026/12/07/batch-1";
  req.set_body("record1\nrecord2\n");
  req.content_encoding = "gzip";
  store_->put_object(req, [&](Result<ObjectInfo> r) { put_done.set_value(std::move(r)); });
  auto info = put_done.get_future().get();
  ASSERT_TRUE(info.has_value()) << info.error().to_string();
  EXPECT_EQ(info->size, req.bytes().size());
  EXPECT_EQ(read("firehose-out", "2026/12/07/batch-1"), req.bytes());
  EXPECT_EQ(store_->head_object("firehose-out", "2026/12/07/batch-1")->content_encoding, "gzip");

  std::promise<Result<std::string>> got;
  store_->get_object("firehose-out", "2026/12/07/batch-1", [&](Result<std::string> r) { got.set_value(r); });
  EXPECT_EQ(*got.get_future().get(), req.bytes());
  std::promise<Result<ListResult>> listed;
  store_->list_objects("firehose-out", "2026/", "", 10, [&](Result<ListResult> r) { listed.set_value(r); });
  auto l = listed.get_future().get();
  ASSERT_EQ(l->objects.size(), 1u);
  EXPECT_FALSE(l->next.has_value());
  std::promise<Status> head;
  store_->head_bucket("nope-bucket", [&](Status s) { head.set_value(s); });
  EXPECT_EQ(head.get_future().get().code(), Status::Code::kNotFound);
  std::promise<Result<ObjectInfo>> bad;
  req.bucket = "Bad_Name";
  store_->put_object(req, [&](Result<ObjectInfo> r) { bad.set_value(std::move(r)); });
  EXPECT_EQ(bad.get_future().get().error().code(), Status::Code::kInvalidArgument);
}

// What a kill -9 can leave: a temp file being written, a sealed blob the
// index never named (crash between rename and commit), an index that names
// an object whose older blob was not yet unlinked. Reopening shows only
// committed objects, whole, and removes the garbage.
TEST_F(StoreTest, ACrashLeavesNothingHalfVisibleAndItsGarbageIsRemoved) {
  ASSERT_TRUE(store_->create_bucket("bkt").is_ok());
  ASSERT_TRUE(put("bkt", "done", "committed bytes").has_value());
  // A blob written and sealed, but the process died before indexing it.
  {
    auto blob = store_->new_blob();
    ASSERT_TRUE((*blob)->append("sealed, never indexed").is_ok());
    ASSERT_TRUE((*blob)->seal().is_ok());
  }
  // A temp file half written (the destructor would remove it: copy it aside).
  {
    auto blob = store_->new_blob();
    ASSERT_TRUE((*blob)->append("half an obj").is_ok());
    fs::copy_file(dir_ / "tmp" / (*blob)->id(), dir_ / "tmp" / "crashed-upload");
  }
  // An overwrite whose old blob was never unlinked.
  fs::copy_file(dir_ / "blobs" / store_->head_object("bkt", "done")->blob, dir_ / "blobs" / "old-version");
  EXPECT_EQ(files_in("blobs"), 3u);
  EXPECT_EQ(files_in("tmp"), 1u);

  reopen();
  EXPECT_EQ(files_in("tmp"), 0u);
  EXPECT_EQ(files_in("blobs"), 1u);
  EXPECT_EQ(read("bkt", "done"), "committed bytes");
  auto page = store_->list("bkt", ListQuery{});
  ASSERT_EQ(page->objects.size(), 1u);
  EXPECT_EQ(page->objects[0].key, "done");
}

// The crash is real: a child process writes objects in a loop and is
// killed with SIGKILL at a random moment; every object it reported as
// acknowledged (through a pipe, after commit returned) is there, whole.
TEST_F(StoreTest, ObjectsAcknowledgedBeforeSigkillAreAllThere) {
  ASSERT_TRUE(store_->create_bucket("bkt").is_ok());
  store_.reset();
  int fds[2];
  ASSERT_EQ(::pipe(fds), 0);
  pid_t child = ::fork();
  ASSERT_GE(child, 0);
  if (child == 0) {
    ::close(fds[0]);
    auto s = EmbeddedStore::open(dir_.string());
    if (!s) ::_exit(3);
    for (int i = 0;; ++i) {
      auto blob = (*s)->new_blob();
      std::string body(64 * 1024 + i, static_cast<char>('a' + i % 26));
      if (!(*blob)->append(body).is_ok()) ::_exit(4);
      ObjectMeta m;
      m.info.key = "obj-" + std::to_string(i);
      if (!(*s)->commit_object("bkt", std::move(m), std::move(*blob))) ::_exit(5);
      if (::write(fds[1], &i, sizeof i) != sizeof i) ::_exit(6);
    }
  }
  ::close(fds[1]);
  int last = -1, got = 0;
  while (last < 20 && ::read(fds[0], &got, sizeof got) == sizeof got) last = got;
  ::usleep(3000);  // let it get into the middle of another object
  ::kill(child, SIGKILL);
  while (::read(fds[0], &got, sizeof got) == sizeof got) last = got;
  ::close(fds[0]);
  int wstatus = 0;
  ::waitpid(child, &wstatus, 0);
  ASSERT_TRUE(WIFSIGNALED(wstatus)) << "child exited " << WEXITSTATUS(wstatus);
  reopen();
  ASSERT_GE(last, 20);
  for (int i = 0; i <= last; ++i)
    ASSERT_EQ(read("bkt", "obj-" + std::to_string(i)), std::string(64 * 1024 + i, static_cast<char>('a' + i % 26)))
        << i;
  // Whatever else is listed is whole too (one more may have committed before its write to the pipe).
  auto page = store_->list("bkt", ListQuery{});
  for (const ObjectInfo& o : page->objects) {
    int i = std::stoi(o.key.substr(4));
    EXPECT_EQ(o.size, 64u * 1024 + static_cast<unsigned>(i));
    EXPECT_EQ(read("bkt", o.key), std::string(64 * 1024 + i, static_cast<char>('a' + i % 26)));
  }
  EXPECT_EQ(files_in("tmp"), 0u);
  EXPECT_EQ(files_in("blobs"), page->objects.size());
}

TEST(Metadata, EncodingRoundTripsAnyBytes) {
  std::vector<std::pair<std::string, std::string>> m = {{"a", "b=c&d"}, {"x y", std::string("\x00\xff%", 3)}};
  EXPECT_EQ(decode_metadata(encode_metadata(m)), m);
  EXPECT_TRUE(decode_metadata("").empty());
}

}  // namespace
}  // namespace runnel::s3
