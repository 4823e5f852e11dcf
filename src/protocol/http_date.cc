#include "protocol/http_date.h"

#include <array>
#include <chrono>
#include <cstdio>

namespace runnel::protocol {
namespace {

constexpr std::array<std::string_view, 12> kMonths = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                                      "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
constexpr std::array<std::string_view, 7> kDays = {"Thu", "Fri", "Sat", "Sun", "Mon", "Tue", "Wed"};  // epoch: Thu

bool digits(std::string_view s, size_t pos, size_t n, int& out) {
  if (pos + n > s.size()) return false;
  out = 0;
  for (size_t i = pos; i < pos + n; ++i) {
    if (s[i] < '0' || s[i] > '9') return false;
    out = out * 10 + (s[i] - '0');
  }
  return true;
}

std::optional<int64_t> to_millis(int y, int mo, int d, int h, int mi, int s, int ms, int offset_minutes) {
  if (mo < 1 || mo > 12 || d < 1 || h > 23 || mi > 59 || s > 60) return std::nullopt;
  std::chrono::year_month_day ymd{std::chrono::year(y), std::chrono::month(static_cast<unsigned>(mo)),
                                  std::chrono::day(static_cast<unsigned>(d))};
  if (!ymd.ok()) return std::nullopt;
  int64_t days = std::chrono::sys_days(ymd).time_since_epoch().count();
  int64_t secs = days * 86400 + h * 3600 + mi * 60 + s - offset_minutes * 60;
  return secs * 1000 + ms;
}

void civil(int64_t millis, int& y, unsigned& mo, unsigned& d, int64_t& sec_of_day, int64_t& days) {
  int64_t secs = millis >= 0 ? millis / 1000 : -((-millis + 999) / 1000);
  days = secs >= 0 ? secs / 86400 : -((-secs + 86399) / 86400);
  sec_of_day = secs - days * 86400;
  std::chrono::year_month_day ymd{std::chrono::sys_days(std::chrono::days(days))};
  y = static_cast<int>(ymd.year());
  mo = static_cast<unsigned>(ymd.month());
  d = static_cast<unsigned>(ymd.day());
}

}  // namespace

std::optional<int64_t> parse_http_date_millis(std::string_view t) {
  // "Mon, 07 Dec 2026 00:15:30 GMT"
  if (t.size() != 29 || t[3] != ',' || t[4] != ' ' || t[7] != ' ' || t[11] != ' ' || t[16] != ' ' ||
      t.substr(25) != " GMT")
    return std::nullopt;
  int d, y, h, mi, s;
  int mo = 0;
  for (size_t i = 0; i < kMonths.size(); ++i)
    if (t.substr(8, 3) == kMonths[i]) mo = static_cast<int>(i) + 1;
  if (!mo || !digits(t, 5, 2, d) || !digits(t, 12, 4, y) || !digits(t, 17, 2, h) || t[19] != ':' ||
      !digits(t, 20, 2, mi) || t[22] != ':' || !digits(t, 23, 2, s))
    return std::nullopt;
  return to_millis(y, mo, d, h, mi, s, 0, 0);
}

std::string format_http_date(int64_t millis) {
  int y;
  unsigned mo, d;
  int64_t sod, days;
  civil(millis, y, mo, d, sod, days);
  char buf[40];
  std::snprintf(buf, sizeof buf, "%s, %02u %s %04d %02d:%02d:%02d GMT",
                std::string(kDays[static_cast<size_t>(((days % 7) + 7) % 7)]).c_str(), d,
                std::string(kMonths[mo - 1]).c_str(), y, static_cast<int>(sod / 3600), static_cast<int>(sod / 60 % 60),
                static_cast<int>(sod % 60));
  return buf;
}

}  // namespace runnel::protocol
