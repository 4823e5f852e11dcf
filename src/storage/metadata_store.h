#pragma once
// MetadataStore: the crash-safe store for everything that is not a record:
// streams, shards, tags, consumers, settings. It is SQLite (WAL journal,
// synchronous=FULL): a put() has reached stable storage when it returns OK.
// The schema is one table of (kind, key) -> value documents plus named
// counters; the documents' own format belongs to their owners
// (docs/metadata.md describes both).
//
// Thread-safe: every method may be called from any thread; calls are
// serialised by an internal mutex (metadata changes are rare next to records).

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "common/mutex.h"
#include "common/status.h"

struct sqlite3;

namespace runnel::storage {

class MetadataStore {
 public:
  // Opens or creates the store at `path` (a file; its directory must exist).
  static Result<std::unique_ptr<MetadataStore>> open(const std::string& path);
  ~MetadataStore();

  // Inserts or replaces the document at (kind, key). Durable when OK.
  Status put(std::string_view kind, std::string_view key, std::string_view value);
  // Removes (kind, key); removing a missing key is OK. Durable when OK.
  Status remove(std::string_view kind, std::string_view key);
  // Every (key, value) of a kind, ordered by key.
  Result<std::vector<std::pair<std::string, std::string>>> load_all(std::string_view kind);
  // Reserves `count` consecutive values of a named persistent counter and
  // returns the first (the first call returns 1). A value is never handed
  // out twice, across restarts too.
  Result<uint64_t> next_id(std::string_view counter, uint64_t count = 1);

 private:
  explicit MetadataStore(sqlite3* db) : db_(db) {}
  Status exec(const char* sql) REQUIRES(mu_);

  Mutex mu_;
  // The connection, used only with mu_ held. The pointer never changes;
  // GUARDED_BY rather than PT_GUARDED_BY so that every use is checked (the
  // sqlite3 calls take it by value).
  sqlite3* const db_ GUARDED_BY(mu_);
};

}  // namespace runnel::storage
