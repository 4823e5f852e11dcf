// libFuzzer target: arbitrary bytes as the only segment file of a log.
// open_log must not crash, and every record it serves must come from a batch
// whose CRC and structure are valid. With the first input byte odd, the
// target first rewrites the CRC of every plausible batch header so that the
// structural checks behind the CRC get fuzzed too.
#include <unistd.h>

#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <set>
#include <string>
#include <tuple>

#include "storage/batch_format.h"
#include "storage/crc32c.h"
#include "storage/fault_injection_env.h"
#include "storage/log.h"
#include "storage/segment_name.h"

namespace {

using runnel::storage::batch::Header;
namespace batch = runnel::storage::batch;

const std::string& scratch_dir() {
  static const std::string dir = [] {
    std::string tmpl = (std::filesystem::temp_directory_path() / "runnel-logfuzz-XXXXXX").string();
    return std::string(::mkdtemp(tmpl.data()));
  }();
  return dir;
}

void fix_crcs(std::string& bytes) {
  for (size_t p = 0; p + batch::kHeaderSize <= bytes.size(); ++p) {
    auto h = batch::parse_header(bytes.data() + p);
    if (!h || h->total_size() > bytes.size() - p) continue;
    const uint32_t crc = runnel::storage::crc32c::value(bytes.data() + p + 8, h->total_size() - 8);
    std::memcpy(bytes.data() + p + 4, &crc, 4);
  }
}

// (shard, counter, key, data) of every record in every valid batch anywhere in `bytes`.
using Rec = std::tuple<uint64_t, uint64_t, std::string, std::string>;
std::set<Rec> valid_records(const std::string& bytes, std::set<uint64_t>* shards) {
  std::set<Rec> out;
  for (size_t p = 0; p + batch::kHeaderSize <= bytes.size(); ++p) {
    auto h = batch::parse_header(bytes.data() + p);
    if (!h || h->total_size() > bytes.size() - p || !batch::crc_matches(*h, bytes.data() + p)) continue;
    const std::string_view payload(bytes.data() + p + batch::kHeaderSize, h->payload_length);
    if (!batch::validate(*h, payload)) continue;
    shards->insert(h->shard);
    (void)batch::decode(*h, payload, [&](const batch::RecordView& r) {
      out.emplace(h->shard, r.counter, std::string(r.partition_key), std::string(r.data));
      return true;
    });
  }
  return out;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size == 0) return 0;
  std::string bytes(reinterpret_cast<const char*>(data) + 1, size - 1);
  if (data[0] & 1) fix_crcs(bytes);
  const std::string& dir = scratch_dir();
  std::filesystem::remove_all(dir);
  std::filesystem::create_directories(dir);
  {
    std::ofstream out(runnel::storage::segment_path(dir, 1), std::ios::binary);
    out << bytes;
  }
  std::set<uint64_t> shards;
  const std::set<Rec> valid = valid_records(bytes, &shards);

  runnel::storage::LogOptions opts;
  opts.dir = dir;
  opts.segment_bytes = 4096;
  // Real files, but no fsyncs: they would cap the fuzzer at a few runs a second.
  static runnel::storage::FaultInjectionEnv env(runnel::storage::Env::posix(), 1, /*real_syncs=*/false);
  env.reset();
  auto log = runnel::storage::open_log(opts, &env);
  if (!log) return 0;
  for (uint64_t shard : shards) {
    uint64_t from = 0;
    for (int i = 0; i < 10'000; ++i) {
      auto r = (*log)->read(shard, from, 100, UINT64_MAX, INT64_MIN);
      if (!r || r->records.empty()) break;
      for (const auto& rec : r->records) {
        if (!valid.contains(Rec{shard, rec.counter, rec.partition_key, rec.data})) std::abort();
      }
      if (r->next_counter <= from) std::abort();
      from = r->next_counter;
    }
    (void)(*log)->counter_at_time(shard, 0);
    (void)(*log)->tail(shard);
  }
  (void)(*log)->close();
  return 0;
}
