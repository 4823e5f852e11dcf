#pragma once
// TimeZone: UTC offsets of an IANA time zone ("America/New_York"), read from
// the operating system's tz database (TZif files under /usr/share/zoneinfo,
// or $TZDIR), for Firehose's CustomTimeZone. runnel parses the TZif files
// itself (RFC 8536, the version 2+ 64-bit section) instead of depending on a
// tz library: GCC 12's <chrono> has no tzdb. Instants after a zone's last
// listed transition keep that transition's offset; Debian's tzdata files are
// "fat" (transitions listed to 2037), so that covers every arrival time a
// running server sees until then.
//
// Threads: load() may be called from any thread; loaded zones are cached
// for the life of the process and immutable.

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace runnel::firehose {

class TimeZone {
 public:
  // The zone `name` names, or nullptr when the tz database has no such zone.
  // "UTC" always exists (even without a tz database).
  static std::shared_ptr<const TimeZone> load(std::string_view name);
  // Parses TZif bytes (for tests); nullptr when they are not TZif.
  static std::shared_ptr<const TimeZone> parse(std::string_view name, std::string_view tzif);

  const std::string& name() const { return name_; }
  // The offset from UTC, in seconds, at `utc_seconds` since the epoch.
  int64_t offset_seconds(int64_t utc_seconds) const;

 private:
  std::string name_;
  std::vector<int64_t> transitions_;  // ascending, UTC seconds
  std::vector<int32_t> offsets_;      // offset in effect from transitions_[i]
  int32_t initial_offset_ = 0;        // before the first transition
};

}  // namespace runnel::firehose
