#pragma once
// FaultInjectionEnv: an Env over a real one that remembers, per file, how many
// bytes a sync() has made durable, and which directory entries a sync_dir()
// has made durable. After crash() every operation fails (as if the machine
// stopped); apply_crash() then rewrites the real files to what a power loss
// could have left: each file cut back to its synced length (optionally keeping
// a random prefix of the unsynced bytes, or random garbage, i.e. a torn
// write), and files created since their directory was last synced removed.
// reset() makes the Env usable again so the test can reopen the log.
// Modelled on LevelDB's fault_injection_test.cc. Limitations: renames and
// removals are treated as durable at once (the log only renames with a
// sync_dir right after); unsynced data is assumed to be lost as a suffix.
// Zeros from File::zero_fill() that a sync made durable stay in the file:
// lost writes over them read back as zeros.
// Thread-safe.

#include <cstdint>
#include <map>
#include <memory>
#include <random>
#include <set>
#include <string>
#include <string_view>

#include "common/mutex.h"
#include "storage/env.h"

namespace runnel::storage {

class FaultInjectionEnv final : public Env {
 public:
  enum class TornWrite {
    kDropAll,       // every unsynced byte vanishes
    kRandomPrefix,  // a random prefix of the unsynced bytes survives
    kGarbage,       // unsynced bytes replaced by a random amount of random bytes
  };

  // With real_syncs false, sync() and sync_dir() only update the model and
  // skip the (slow) real fsync: crash tests need the model, not the disk.
  explicit FaultInjectionEnv(Env* base, uint64_t seed = 1, bool real_syncs = true)
      : base_(base), real_syncs_(real_syncs), rng_(seed) {}

  // From now on every file and directory operation fails with IOError.
  void crash();
  // Rewrites the files on the base Env to a state a power loss could leave.
  // Call after crash() once the log has been closed or destroyed.
  Status apply_crash(TornWrite mode);
  // Clears the crashed state; all files now count as fully synced.
  void reset();

  // Makes the next `n` appends or syncs fail with IOError (not a crash: the
  // caller sees the error and the process goes on).
  void fail_next_writes(int n);

  // A full disk, until set back to kOff: creating a file, File::append and
  // zero_fill (kWritesAndSyncs) and File::sync fail with ResourceExhausted,
  // as ENOSPC does. A failed
  // append writes nothing; a failed sync makes nothing durable and leaves
  // the written bytes in the file (as Linux leaves them in the page cache).
  enum class NoSpace { kOff, kSyncs, kWritesAndSyncs };
  void set_no_space(NoSpace mode);

  // Bytes written but not yet synced, summed over all files.
  uint64_t unsynced_bytes();

  // How many calls reached the Env so far (ok or not): File::sync,
  // Env::sync_dir and Env::rename_file. Tests count what an operation costs.
  struct Counts {
    uint64_t file_syncs = 0;
    uint64_t dir_syncs = 0;
    uint64_t renames = 0;
  };
  Counts counts();

  // While held, rename_file() waits (holding no lock of this Env) until
  // release_renames(): a test stops an operation at the point where it
  // commits a checkpoint, and checks what else keeps working meanwhile.
  void hold_renames();
  void release_renames();
  // Renames waiting in a hold right now.
  int renames_waiting();

  // File::drop_cache: bytes it was asked to drop, and how many calls named
  // bytes not yet synced (the log must never: their pages are dirty).
  uint64_t dropped_bytes();
  uint64_t unsynced_drops();

  Result<std::unique_ptr<File>> open_file(const std::string& path, OpenMode mode) override;
  bool file_exists(const std::string& path) override { return base_->file_exists(path); }
  Status create_dirs(const std::string& path) override;
  Result<std::vector<std::string>> list_dir(const std::string& dir) override;
  Status remove_file(const std::string& path) override;
  Status rename_file(const std::string& from, const std::string& to) override;
  Status sync_dir(const std::string& dir) override;

 private:
  friend class FaultFile;
  struct FileState {
    uint64_t size = 0;         // current length
    uint64_t synced = 0;       // durable length
    bool entry_synced = true;  // directory entry durable
    uint64_t zero_end = 0;     // zero_fill()ed up to here (past `size`)
    uint64_t zero_synced = 0;  // durable zeros up to here: a crash reverts lost writes below it to zeros
  };

  // Both called with mu_ held.
  Status check_locked() REQUIRES(mu_);
  // check_locked, then one of the failures fail_next_writes() asked for.
  Status check_write_locked(std::string_view what, const std::string& path) REQUIRES(mu_);
  FileState& state_locked(const std::string& path, uint64_t size_if_new) REQUIRES(mu_);

  Env* base_;
  const bool real_syncs_;
  Mutex mu_;
  bool crashed_ GUARDED_BY(mu_) = false;
  int fail_writes_ GUARDED_BY(mu_) = 0;
  NoSpace no_space_ GUARDED_BY(mu_) = NoSpace::kOff;
  uint64_t dropped_bytes_ GUARDED_BY(mu_) = 0;
  uint64_t unsynced_drops_ GUARDED_BY(mu_) = 0;
  std::map<std::string, FileState> files_ GUARDED_BY(mu_);
  Counts counts_ GUARDED_BY(mu_);
  Mutex hold_mu_;  // never taken with mu_ held
  CondVar hold_cv_;
  bool hold_renames_ GUARDED_BY(hold_mu_) = false;
  int renames_waiting_ GUARDED_BY(hold_mu_) = 0;
  std::mt19937_64 rng_;
};

}  // namespace runnel::storage
