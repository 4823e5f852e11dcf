#include "storage/fault_injection_env.h"

#include <algorithm>

namespace runnel::storage {
namespace {

std::string parent_dir(const std::string& path) {
  const size_t slash = path.rfind('/');
  return slash == std::string::npos ? "." : path.substr(0, slash);
}

}  // namespace

class FaultFile final : public File {
 public:
  FaultFile(FaultInjectionEnv* env, std::string path, std::unique_ptr<File> base)
      : env_(env), path_(std::move(path)), base_(std::move(base)) {}

  Result<size_t> read_at(uint64_t offset, size_t n, char* dst) const override {
    {
      MutexLock lock(env_->mu_);
      if (auto s = env_->check_locked(); !s) return error(s);
    }
    return base_->read_at(offset, n, dst);
  }

  Status append(std::string_view data) override {
    MutexLock lock(env_->mu_);
    if (auto s = env_->check_write_locked("write", path_); !s) return s;
    if (env_->no_space_ == FaultInjectionEnv::NoSpace::kWritesAndSyncs) return no_space("pwrite");
    if (auto s = base_->append(data); !s) return s;
    env_->state_locked(path_, 0).size = base_->size();
    return Status::ok();
  }

  Status sync() override {
    MutexLock lock(env_->mu_);
    ++env_->counts_.file_syncs;
    if (auto s = env_->check_write_locked("sync", path_); !s) return s;
    if (env_->no_space_ != FaultInjectionEnv::NoSpace::kOff) return no_space("fdatasync");
    if (env_->real_syncs_) {
      if (auto s = base_->sync(); !s) return s;
    }
    auto& st = env_->state_locked(path_, 0);
    st.synced = st.size;
    st.zero_synced = st.zero_end;
    return Status::ok();
  }

  Status truncate(uint64_t size) override {
    MutexLock lock(env_->mu_);
    if (auto s = env_->check_locked(); !s) return s;
    if (auto s = base_->truncate(size); !s) return s;
    auto& st = env_->state_locked(path_, 0);
    st.size = size;
    st.synced = std::min(st.synced, size);
    st.zero_end = std::min(st.zero_end, size);
    st.zero_synced = std::min(st.zero_synced, size);
    return Status::ok();
  }

  Status zero_fill(uint64_t end) override {
    MutexLock lock(env_->mu_);
    if (auto s = env_->check_write_locked("write", path_); !s) return s;
    if (env_->no_space_ == FaultInjectionEnv::NoSpace::kWritesAndSyncs) return no_space("pwrite");
    if (auto s = base_->zero_fill(end); !s) return s;
    auto& st = env_->state_locked(path_, 0);
    st.zero_end = std::max(st.zero_end, end);
    return Status::ok();
  }

  uint64_t size() const override { return base_->size(); }

  void drop_cache(uint64_t offset, uint64_t length) override {
    {
      MutexLock lock(env_->mu_);
      env_->dropped_bytes_ += length;
      // A file never written through this Env counts as fully synced.
      auto it = env_->files_.find(path_);
      if (it != env_->files_.end() && offset + length > it->second.synced) ++env_->unsynced_drops_;
    }
    base_->drop_cache(offset, length);
  }

 private:
  Status no_space(const char* what) const {
    return Status::resource_exhausted(std::string(what) + " " + path_ + ": No space left on device (injected)");
  }

  FaultInjectionEnv* env_;
  std::string path_;
  std::unique_ptr<File> base_;
};

uint64_t FaultInjectionEnv::dropped_bytes() {
  MutexLock lock(mu_);
  return dropped_bytes_;
}

uint64_t FaultInjectionEnv::unsynced_drops() {
  MutexLock lock(mu_);
  return unsynced_drops_;
}

Status FaultInjectionEnv::check_locked() {
  if (crashed_) return Status::io_error("simulated crash");
  return Status::ok();
}

Status FaultInjectionEnv::check_write_locked(std::string_view what, const std::string& path) {
  if (auto s = check_locked(); !s) return s;
  if (fail_writes_ > 0) {
    --fail_writes_;
    return Status::io_error("injected " + std::string(what) + " failure " + path);
  }
  return Status::ok();
}

FaultInjectionEnv::FileState& FaultInjectionEnv::state_locked(const std::string& path, uint64_t size_if_new) {
  auto [it, inserted] = files_.try_emplace(path);
  if (inserted) it->second = FileState{size_if_new, size_if_new, true};
  return it->second;
}

void FaultInjectionEnv::crash() {
  MutexLock lock(mu_);
  crashed_ = true;
}

void FaultInjectionEnv::set_no_space(NoSpace mode) {
  MutexLock lock(mu_);
  no_space_ = mode;
}

void FaultInjectionEnv::fail_next_writes(int n) {
  MutexLock lock(mu_);
  fail_writes_ = n;
}

uint64_t FaultInjectionEnv::unsynced_bytes() {
  MutexLock lock(mu_);
  uint64_t total = 0;
  for (const auto& [path, st] : files_) total += st.size > st.synced ? st.size - st.synced : 0;
  return total;
}

Status FaultInjectionEnv::apply_crash(TornWrite mode) {
  MutexLock lock(mu_);
  for (const auto& [path, st] : files_) {
    if (!st.entry_synced) {
      if (base_->file_exists(path)) {
        if (auto s = base_->remove_file(path); !s) return s;
      }
      continue;
    }
    if (st.size <= st.synced) continue;
    auto file = base_->open_file(path, OpenMode::kAppend);
    if (!file) return file.error();
    const uint64_t unsynced = st.size - st.synced;
    const uint64_t keep = mode == TornWrite::kDropAll ? 0 : std::uniform_int_distribution<uint64_t>(0, unsynced)(rng_);
    if (mode == TornWrite::kGarbage) {
      if (auto s = (*file)->truncate(st.synced); !s) return s;
      std::string garbage(keep, '\0');
      for (auto& c : garbage) c = static_cast<char>(rng_());
      if (!garbage.empty()) {
        if (auto s = (*file)->append(garbage); !s) return s;
      }
    } else {
      if (auto s = (*file)->truncate(st.synced + keep); !s) return s;
    }
    if (st.zero_synced > (*file)->size()) {
      if (auto s = (*file)->truncate(st.zero_synced); !s) return s;  // extends with zeros
    }
    if (real_syncs_) {
      if (auto s = (*file)->sync(); !s) return s;
    }
  }
  return Status::ok();
}

void FaultInjectionEnv::reset() {
  MutexLock lock(mu_);
  crashed_ = false;
  fail_writes_ = 0;
  no_space_ = NoSpace::kOff;
  files_.clear();
}

Result<std::unique_ptr<File>> FaultInjectionEnv::open_file(const std::string& path, OpenMode mode) {
  MutexLock lock(mu_);
  if (auto s = check_locked(); !s) return error(s);
  const bool existed = base_->file_exists(path);
  if (!existed && mode == OpenMode::kCreate && no_space_ == NoSpace::kWritesAndSyncs) {
    return error(Status::resource_exhausted("open " + path + ": No space left on device (injected)"));
  }
  auto base = base_->open_file(path, mode);
  if (!base) return error(base.error());
  if (mode != OpenMode::kRead) {
    auto& st = state_locked(path, (*base)->size());
    if (!existed) st.entry_synced = false;
  }
  return std::unique_ptr<File>(std::make_unique<FaultFile>(this, path, std::move(*base)));
}

Status FaultInjectionEnv::create_dirs(const std::string& path) {
  MutexLock lock(mu_);
  if (auto s = check_locked(); !s) return s;
  return base_->create_dirs(path);
}

Result<std::vector<std::string>> FaultInjectionEnv::list_dir(const std::string& dir) {
  MutexLock lock(mu_);
  if (auto s = check_locked(); !s) return error(s);
  return base_->list_dir(dir);
}

Status FaultInjectionEnv::remove_file(const std::string& path) {
  MutexLock lock(mu_);
  if (auto s = check_locked(); !s) return s;
  files_.erase(path);
  return base_->remove_file(path);
}

FaultInjectionEnv::Counts FaultInjectionEnv::counts() {
  MutexLock lock(mu_);
  return counts_;
}

void FaultInjectionEnv::hold_renames() {
  MutexLock lock(hold_mu_);
  hold_renames_ = true;
}

void FaultInjectionEnv::release_renames() {
  {
    MutexLock lock(hold_mu_);
    hold_renames_ = false;
  }
  hold_cv_.notify_all();
}

int FaultInjectionEnv::renames_waiting() {
  MutexLock lock(hold_mu_);
  return renames_waiting_;
}

Status FaultInjectionEnv::rename_file(const std::string& from, const std::string& to) {
  {
    MutexLock hold(hold_mu_);
    ++renames_waiting_;
    hold_cv_.wait(hold_mu_, [&]() REQUIRES(hold_mu_) { return !hold_renames_; });
    --renames_waiting_;
  }
  MutexLock lock(mu_);
  ++counts_.renames;
  if (auto s = check_locked(); !s) return s;
  if (auto s = base_->rename_file(from, to); !s) return s;
  auto node = files_.extract(from);
  files_.erase(to);
  if (!node.empty()) {
    node.key() = to;
    files_.insert(std::move(node));
  }
  return Status::ok();
}

Status FaultInjectionEnv::sync_dir(const std::string& dir) {
  MutexLock lock(mu_);
  ++counts_.dir_syncs;
  if (auto s = check_locked(); !s) return s;
  if (real_syncs_) {
    if (auto s = base_->sync_dir(dir); !s) return s;
  }
  for (auto& [path, st] : files_) {
    if (parent_dir(path) == dir) st.entry_synced = true;
  }
  return Status::ok();
}

}  // namespace runnel::storage
