// Concerts, buyers and checks shared by the selling tests.
#pragma once

#include <cstdint>
#include <set>
#include <string>

#include "ticket/buy.h"
#include "ticket/concerts.h"
#include "ticket/context.h"

namespace ticket::testing {

struct ConcertShape {
  int rows = 10;
  int seats_per_row = 10;
  int free_seats = 0;
  int hold_seconds = 300;
  int max_seats_per_ticket = 1;
};

// A new open concert with a random slug, price 10.00 EUR.
Concert make_concert(Context& ctx, const ConcertShape& shape);

// A buy of `seat` (a label) by a customer whose security number is `id`.
BuyRequest buyer(const Concert& c, const std::string& seat, const std::string& id);

// Paid-zone seat indexes of active (PROCESS or SUCCESS) tickets in MySQL.
std::set<int> mysql_taken(Context& ctx, const Concert& c);

// Paid-zone seat indexes whose bit is set in the Redis bitmap (no rebuild).
std::set<int> redis_taken(Context& ctx, const Concert& c);

// Seats in more than one active ticket (what must never happen).
int64_t double_bookings(Context& ctx, const Concert& c);

// A command on the context's connection. On a cluster, PUBLISH is sent as
// SPUBLISH, and FLUSHALL, FLUSHDB, SCRIPT, CLIENT, ACL and CONFIG go to
// every master.
Status redis_try(Context& ctx, const std::vector<std::string>& argv);
// The same, failing the test on error.
void redis_do(Context& ctx, const std::vector<std::string>& argv);

// PUBSUB NUMSUB of the channel (SHARDNUMSUB on a cluster); -1 on failure.
int64_t redis_subscribers(Context& ctx, const std::string& channel);

// KEYS on every master.
std::vector<std::string> redis_keys(Context& ctx, const std::string& pattern);

}  // namespace ticket::testing
