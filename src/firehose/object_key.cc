#include "firehose/object_key.h"

#include <fmt/format.h>

#include <chrono>
#include <random>

namespace runnel::firehose {

CivilTime civil_utc(int64_t ms) {
  using namespace std::chrono;
  const sys_time<milliseconds> tp{milliseconds{ms}};
  const auto day = floor<days>(tp);
  const year_month_day ymd{day};
  const hh_mm_ss<milliseconds> hms{tp - day};
  CivilTime t;
  t.year = static_cast<int>(ymd.year());
  t.month = static_cast<int>(static_cast<unsigned>(ymd.month()));
  t.day = static_cast<int>(static_cast<unsigned>(ymd.day()));
  t.hour = static_cast<int>(hms.hours().count());
  t.minute = static_cast<int>(hms.minutes().count());
  t.second = static_cast<int>(hms.seconds().count());
  return t;
}

std::string random_uuid() {
  thread_local std::mt19937_64 rng{std::random_device{}()};
  uint64_t hi = rng();
  uint64_t lo = rng();
  hi = (hi & ~0xF000ull) | 0x4000ull;                  // version 4
  lo = (lo & ~(0xC000ull << 48)) | (0x8000ull << 48);  // RFC 4122 variant
  return fmt::format("{:08x}-{:04x}-{:04x}-{:04x}-{:012x}", hi >> 32, (hi >> 16) & 0xFFFF, hi & 0xFFFF, lo >> 48,
                     lo & 0xFFFFFFFFFFFFull);
}

std::string object_suffix(std::string_view stream, int64_t version, const CivilTime& t, std::string_view uuid,
                          std::string_view extension) {
  return fmt::format("{}-{}-{:04}-{:02}-{:02}-{:02}-{:02}-{:02}-{}{}", stream, version, t.year, t.month, t.day, t.hour,
                     t.minute, t.second, uuid, extension);
}

}  // namespace runnel::firehose
