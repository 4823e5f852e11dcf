#pragma once
// An s3::ObjectStore in memory for the firehose tests.
#include <map>
#include <string>
#include <thread>
#include <vector>

#include "common/mutex.h"
#include "s3/object_store.h"

namespace runnel::firehose::testing {

// Objects in memory; put_object completes on a thread of its own, as the
// real stores do, and fails while `failures` is above zero.
class MemoryStore final : public s3::ObjectStore {
 public:
  ~MemoryStore() override {
    for (auto& t : threads_) t.join();
  }
  void put_object(s3::PutObjectRequest req, std::function<void(Result<s3::ObjectInfo>)> done) override {
    MutexLock lock(mu_);
    threads_.emplace_back([this, req = std::move(req), done = std::move(done)]() mutable {
      Result<s3::ObjectInfo> r;
      {
        MutexLock lock(mu_);
        ++puts_;
        if (failures_ > 0) {
          --failures_;
          r = std::unexpected(Status::io_error("injected failure"));
        } else {
          s3::ObjectInfo info;
          info.key = req.key;
          info.size = req.bytes().size();
          objects_[req.bucket + "/" + req.key] = std::string(req.bytes());
          r = info;
        }
      }
      done(std::move(r));
    });
  }
  void head_bucket(const std::string& bucket, std::function<void(Status)> done) override {
    done(bucket == "missing" ? Status::not_found("NoSuchBucket") : Status::ok());
  }
  void get_object(const std::string& bucket, const std::string& key,
                  std::function<void(Result<std::string>)> done) override {
    MutexLock lock(mu_);
    auto it = objects_.find(bucket + "/" + key);
    if (it == objects_.end()) return done(std::unexpected(Status::not_found("NoSuchKey")));
    done(it->second);
  }
  void list_objects(const std::string&, const std::string&, const std::string&, int,
                    std::function<void(Result<s3::ListResult>)> done) override {
    done(s3::ListResult{});
  }

  std::map<std::string, std::string> objects() {
    MutexLock lock(mu_);
    return objects_;
  }
  void fail_next(int n) {
    MutexLock lock(mu_);
    failures_ = n;
  }
  int puts() {
    MutexLock lock(mu_);
    return puts_;
  }

 private:
  Mutex mu_;
  std::map<std::string, std::string> objects_ GUARDED_BY(mu_);
  int failures_ GUARDED_BY(mu_) = 0;
  int puts_ GUARDED_BY(mu_) = 0;
  std::vector<std::thread> threads_ GUARDED_BY(mu_);
};

}  // namespace runnel::firehose::testing
