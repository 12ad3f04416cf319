// The read API (GET /api/v1/..., docs/design.md §13): the JSON the tools
// print, answered from a Context on a Desk thread.
#pragma once

#include <string>
#include <string_view>

#include "http.h"
#include "ticket/context.h"

namespace ticketlemond {

inline constexpr std::string_view kApiPrefix = "/api/";

// The answer to GET `target` ("/api/v1/concerts/summer/seats?..."); 404
// with a JSON error for a path the API does not have.
HttpResponse api_get(ticket::Context& ctx, const std::string& target);

// {"error":{"code":status,"message":message}} with that status.
HttpResponse api_error(unsigned status, const std::string& message);

}  // namespace ticketlemond
