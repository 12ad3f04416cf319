// Concerts as last read from MySQL, shared by every Context of the process,
// so that a buy does not look its concert up each time (docs/design.md
// §5.1). A cached concert is only a guess: the buy's transaction checks it
// against the concert's row, and a buy that finds it changed drops it and
// reads the concert again. Internal to libticket.
#pragma once

#include <optional>
#include <string_view>

#include "ticket/concerts.h"

namespace ticket::concert_cache {

// The concert `id_or_slug` names on the MySQL server of `ctx`, if cached.
std::optional<Concert> get(const Context& ctx, std::string_view id_or_slug);

// Keeps `concert` as what `id_or_slug` names.
void put(const Context& ctx, std::string_view id_or_slug, const Concert& concert);

// Forgets what `id_or_slug` names.
void drop(const Context& ctx, std::string_view id_or_slug);

// Whether two readings of a concert sell the same way: same id, slug,
// layout, price, currency, hold time, seats per ticket and status.
bool sells_alike(const Concert& a, const Concert& b);

}  // namespace ticket::concert_cache
