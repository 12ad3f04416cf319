#include "ticket/money.h"

#include <cstdio>

#include "ticket/text.h"

namespace ticket {

Result<Cents> parse_money(std::string_view text) {
  const auto bad = [&] {
    return invalid(quote(text) +
                   " is not an amount such as 1500.00 (digits, at most two decimals)");
  };
  const auto dot = text.find('.');
  std::string_view whole = text.substr(0, dot);
  std::string_view frac = dot == std::string_view::npos ? std::string_view() : text.substr(dot + 1);
  if (whole.empty() || whole.size() > 10 ||
      (dot != std::string_view::npos && (frac.empty() || frac.size() > 2)))
    return bad();
  const auto w = parse_int(whole, 0, 9999999999);
  if (!w) return bad();
  int64_t f = 0;
  if (!frac.empty()) {
    const auto fv = parse_int(frac, 0, 99);
    if (!fv) return bad();
    f = frac.size() == 1 ? *fv * 10 : *fv;
  }
  return *w * 100 + f;
}

std::string format_money(Cents cents) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%lld.%02lld", static_cast<long long>(cents / 100),
                static_cast<long long>(cents % 100));
  return buf;
}

Result<std::string> parse_currency(std::string_view text) {
  if (text.size() != 3) return invalid(quote(text) + " is not a currency code such as EUR or USD");
  for (char c : text) {
    if (!((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z')))
      return invalid(quote(text) + " is not a currency code such as EUR or USD");
  }
  return to_upper(text);
}

}  // namespace ticket
