#include "firehose/time_zone.h"

#include <algorithm>
#include <cstdlib>
#include <fstream>
#include <map>
#include <sstream>

#include "common/mutex.h"

namespace runnel::firehose {
namespace {

uint32_t be32(std::string_view b, size_t at) {
  return (uint32_t(uint8_t(b[at])) << 24) | (uint32_t(uint8_t(b[at + 1])) << 16) | (uint32_t(uint8_t(b[at + 2])) << 8) |
         uint32_t(uint8_t(b[at + 3]));
}
int64_t be64(std::string_view b, size_t at) { return int64_t((uint64_t(be32(b, at)) << 32) | be32(b, at + 4)); }

// A zone name as the tz database spells them: letters, digits and "_+-/",
// no empty, "." or ".." component (so no path escapes the database).
bool plausible_name(std::string_view name) {
  if (name.empty() || name.size() > 128 || name.front() == '/' || name.back() == '/') return false;
  for (char c : name) {
    bool ok = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_' || c == '+' ||
              c == '-' || c == '/';
    if (!ok) return false;
  }
  return name.find("//") == std::string_view::npos;
}

Mutex cache_mu;
std::map<std::string, std::shared_ptr<const TimeZone>, std::less<>>& cache() REQUIRES(cache_mu) {
  static auto* zones = new std::map<std::string, std::shared_ptr<const TimeZone>, std::less<>>();
  return *zones;
}

}  // namespace

std::shared_ptr<const TimeZone> TimeZone::parse(std::string_view name, std::string_view b) {
  constexpr size_t kHeader = 44;
  if (b.size() < kHeader || b.substr(0, 4) != "TZif") return nullptr;
  auto counts = [&](size_t at, uint32_t c[6]) {
    for (int i = 0; i < 6; ++i) c[i] = be32(b, at + 20 + 4 * size_t(i));
  };
  uint32_t c[6];  // isutcnt, isstdcnt, leapcnt, timecnt, typecnt, charcnt
  counts(0, c);
  size_t at = kHeader;
  size_t time_size = 4;
  if (b[4] >= '2') {
    // Skip the version 1 block; the 64-bit one follows with its own header.
    size_t v1 = size_t(c[3]) * 5 + size_t(c[4]) * 6 + c[5] + size_t(c[2]) * 8 + c[1] + c[0];
    at += v1;
    if (b.size() < at + kHeader || b.substr(at, 4) != "TZif") return nullptr;
    counts(at, c);
    at += kHeader;
    time_size = 8;
  }
  const size_t timecnt = c[3], typecnt = c[4];
  if (typecnt == 0 || b.size() < at + timecnt * (time_size + 1) + typecnt * 6) return nullptr;
  auto zone = std::make_shared<TimeZone>();
  zone->name_ = std::string(name);
  std::vector<int32_t> type_offsets(typecnt);
  std::vector<bool> type_dst(typecnt);
  const size_t types_at = at + timecnt * (time_size + 1);
  for (size_t i = 0; i < typecnt; ++i) {
    type_offsets[i] = int32_t(be32(b, types_at + i * 6));
    type_dst[i] = b[types_at + i * 6 + 4] != 0;
  }
  for (size_t i = 0; i < timecnt; ++i) {
    int64_t t = time_size == 8 ? be64(b, at + i * 8) : int64_t(int32_t(be32(b, at + i * 4)));
    uint8_t type = uint8_t(b[at + timecnt * time_size + i]);
    if (type >= typecnt) return nullptr;
    zone->transitions_.push_back(t);
    zone->offsets_.push_back(type_offsets[type]);
  }
  // Before the first transition: the first standard-time type (RFC 8536 §3.2).
  zone->initial_offset_ = type_offsets[0];
  for (size_t i = 0; i < typecnt; ++i) {
    if (!type_dst[i]) {
      zone->initial_offset_ = type_offsets[i];
      break;
    }
  }
  return zone;
}

std::shared_ptr<const TimeZone> TimeZone::load(std::string_view name) {
  if (!plausible_name(name)) return nullptr;
  {
    MutexLock lock(cache_mu);
    auto it = cache().find(name);
    if (it != cache().end()) return it->second;
  }
  const char* dir = std::getenv("TZDIR");
  std::string path = std::string(dir && *dir ? dir : "/usr/share/zoneinfo") + "/" + std::string(name);
  std::shared_ptr<const TimeZone> zone;
  std::ifstream in(path, std::ios::binary);
  if (in) {
    std::ostringstream bytes;
    bytes << in.rdbuf();
    zone = parse(name, bytes.str());
  }
  if (!zone && name == "UTC") {
    auto utc = std::make_shared<TimeZone>();
    utc->name_ = "UTC";
    zone = utc;
  }
  if (!zone) return nullptr;  // not cached: a zone installed later is found
  MutexLock lock(cache_mu);
  return cache().emplace(std::string(name), zone).first->second;
}

int64_t TimeZone::offset_seconds(int64_t utc_seconds) const {
  auto it = std::upper_bound(transitions_.begin(), transitions_.end(), utc_seconds);
  if (it == transitions_.begin()) return initial_offset_;
  return offsets_[size_t(it - transitions_.begin()) - 1];
}

}  // namespace runnel::firehose
