#pragma once
// The names of delivered objects, as AWS forms them:
//   <evaluated prefix><stream>-<version>-<yyyy>-<MM>-<dd>-<HH>-<mm>-<ss>-<uuid><extension>
// The prefix is evaluated by firehose/prefix_expression.h; this file makes
// the suffix, whose time is the same instant the prefix's timestamps use
// (the approximate arrival time of the object's oldest record) in the same
// time zone. Threads: any; random_uuid() draws from a thread-local engine.
#include <cstdint>
#include <string>
#include <string_view>

namespace runnel::firehose {

// Calendar fields of an instant in some time zone.
struct CivilTime {
  int year = 1970, month = 1, day = 1, hour = 0, minute = 0, second = 0;
};

// `ms` since the epoch in UTC.
CivilTime civil_utc(int64_t ms);

// A random (version 4) UUID in its 8-4-4-4-12 lowercase hex form.
std::string random_uuid();

// <stream>-<version>-<yyyy>-<MM>-<dd>-<HH>-<mm>-<ss>-<uuid><extension>
std::string object_suffix(std::string_view stream, int64_t version, const CivilTime& t, std::string_view uuid,
                          std::string_view extension);

}  // namespace runnel::firehose
