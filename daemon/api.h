// The read API (GET /api/v1/..., docs/design.md §13): the JSON the tools
// print, answered from a Context on a Desk thread.
#pragma once

#include <string>
#include <string_view>

#include "http.h"
#include "ticket/concerts.h"
#include "ticket/context.h"

namespace ticketlemond {

inline constexpr std::string_view kApiPrefix = "/api/";

// The answer to GET `target` ("/api/v1/concerts/summer/seats?..."); 404
// with a JSON error for a path the API does not have.
HttpResponse api_get(ticket::Context& ctx, const std::string& target);

// The concert's seats from its Redis map, one character each: with
// `snapshot`, {"type":"snapshot","gen",...} as the live feed sends it
// first, else {"gen",...} as GET .../seats answers.
ticket::Result<std::string> seats_text(ticket::Context& ctx, const ticket::Concert& concert,
                                       bool snapshot);

// {"error":{"code":status,"message":message}} with that status.
HttpResponse api_error(unsigned status, const std::string& message);

}  // namespace ticketlemond
