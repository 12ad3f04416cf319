#include "ticket/timestamp.h"

#include <chrono>
#include <cstdio>
#include <ctime>

#include "ticket/text.h"

namespace ticket {
namespace {

// Days from 1970-01-01 to y-m-d in the proleptic Gregorian calendar.
int64_t days_from_civil(int64_t y, unsigned m, unsigned d) {
  y -= m <= 2;
  const int64_t era = (y >= 0 ? y : y - 399) / 400;
  const auto yoe = static_cast<unsigned>(y - era * 400);
  const unsigned doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
  const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + static_cast<int64_t>(doe) - 719468;
}

bool is_leap(int y) { return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0; }

int days_in_month(int y, int m) {
  static const int days[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  return m == 2 && is_leap(y) ? 29 : days[m - 1];
}

struct Fields {
  int year, month, day, hour, minute, second, millis;
};

// Reads "YYYY-MM-DD?HH:MM[:SS[.fff]]" where ? is 'T' or ' '; returns the
// number of characters read, 0 when it does not match.
size_t read_fields(std::string_view s, Fields& f) {
  auto num = [&](size_t pos, size_t len, int& out) {
    if (pos + len > s.size()) return false;
    auto v = parse_int(s.substr(pos, len), 0, 9999);
    if (!v) return false;
    out = static_cast<int>(*v);
    return true;
  };
  f = Fields{0, 0, 0, 0, 0, 0, 0};
  if (!num(0, 4, f.year) || s.size() < 16 || s[4] != '-' || !num(5, 2, f.month) || s[7] != '-' ||
      !num(8, 2, f.day) || (s[10] != 'T' && s[10] != 't' && s[10] != ' ') || !num(11, 2, f.hour) ||
      s[13] != ':' || !num(14, 2, f.minute))
    return 0;
  size_t pos = 16;
  if (pos < s.size() && s[pos] == ':') {
    if (!num(pos + 1, 2, f.second)) return 0;
    pos += 3;
    if (pos < s.size() && s[pos] == '.') {
      size_t start = ++pos;
      while (pos < s.size() && s[pos] >= '0' && s[pos] <= '9') ++pos;
      if (pos == start || pos - start > 9) return 0;
      std::string frac(s.substr(start, pos - start));
      frac.resize(3, '0');
      f.millis = std::stoi(frac);
    }
  }
  if (f.month < 1 || f.month > 12 || f.day < 1 || f.day > days_in_month(f.year, f.month) ||
      f.hour > 23 || f.minute > 59 || f.second > 59)
    return 0;
  return pos;
}

Millis to_millis(const Fields& f) {
  const int64_t days =
      days_from_civil(f.year, static_cast<unsigned>(f.month), static_cast<unsigned>(f.day));
  return ((days * 24 + f.hour) * 60 + f.minute) * 60000 + f.second * 1000 + f.millis;
}

std::string format(Millis ms, const char* date_time_sep, bool zulu, bool always_millis) {
  const time_t secs = static_cast<time_t>(ms >= 0 ? ms / 1000 : (ms - 999) / 1000);
  const int millis = static_cast<int>(ms - static_cast<Millis>(secs) * 1000);
  std::tm tm{};
  gmtime_r(&secs, &tm);
  char buf[64];
  std::snprintf(buf, sizeof buf, "%04d-%02d-%02d%s%02d:%02d:%02d", tm.tm_year + 1900, tm.tm_mon + 1,
                tm.tm_mday, date_time_sep, tm.tm_hour, tm.tm_min, tm.tm_sec);
  std::string out = buf;
  if (always_millis || millis != 0) {
    std::snprintf(buf, sizeof buf, ".%03d", millis);
    out += buf;
  }
  if (zulu) out += "Z";
  return out;
}

}  // namespace

Result<Millis> parse_iso8601(std::string_view text) {
  const auto bad = [&] {
    return invalid(
        quote(text) +
        " is not a date and time such as 2026-12-31T20:00:00Z (a time zone is required)");
  };
  Fields f;
  const size_t pos = read_fields(text, f);
  if (pos == 0) return bad();
  std::string_view zone = text.substr(pos);
  Millis ms = to_millis(f);
  if (zone == "Z" || zone == "z") zone = "+00:00";
  if (zone.size() != 6 || (zone[0] != '+' && zone[0] != '-') || zone[3] != ':') return bad();
  const auto hh = parse_int(zone.substr(1, 2), 0, 23);
  const auto mm = parse_int(zone.substr(4, 2), 0, 59);
  if (!hh || !mm) return bad();
  const Millis offset = (*hh * 60 + *mm) * 60000;
  ms = zone[0] == '+' ? ms - offset : ms + offset;
  if (ms < kMinStorableMillis || ms > kMaxStorableMillis)
    return invalid(quote(text) + " is outside the years 1000 to 9999 (UTC) that MySQL can store");
  return ms;
}

std::string format_iso8601(Millis ms) { return format(ms, "T", true, false); }

std::string to_sql_datetime(Millis ms) { return format(ms, " ", false, true); }

Result<Millis> from_sql_datetime(std::string_view text) {
  Fields f;
  const size_t pos = read_fields(text, f);
  if (pos == 0 || pos != text.size())
    return internal("MySQL returned an unreadable time " + quote(text));
  return to_millis(f);
}

Millis wall_clock_ms() {
  using namespace std::chrono;
  return duration_cast<milliseconds>(system_clock::now().time_since_epoch()).count();
}

}  // namespace ticket
