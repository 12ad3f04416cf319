// Amounts of money as whole cents, written with two decimals ("1500.00").
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "ticket/error.h"

namespace ticket {

using Cents = int64_t;

// Largest amount a DECIMAL(12,2) column holds.
inline constexpr Cents kMaxCents = 999999999999;

// "1500", "1500.5", "1500.00" -> 150000. No sign, no exponent, at most two
// decimals, at most 10 digits before the point.
Result<Cents> parse_money(std::string_view text);

// 150000 -> "1500.00".
std::string format_money(Cents cents);

// An ISO 4217-style code: three letters, returned upper case.
Result<std::string> parse_currency(std::string_view text);

}  // namespace ticket
