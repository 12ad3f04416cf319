// Concerts, buyers and checks shared by the selling tests.
#pragma once

#include <atomic>
#include <cstdint>
#include <functional>
#include <mutex>
#include <set>
#include <string>
#include <thread>

#include "support/process.h"
#include "support/servers.h"
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

// Buyers run tl-buy processes over every seat, each buyer its share, until
// every seat is decided or `stop`; a buy that exits 7 (unavailable) is
// tried again 100 ms later. With `pay`, every second ticket won is paid at
// once with tl-pay (tried again likewise). Counts what the tools answered;
// any other exit fails the test.
struct ProcessSale {
  bool pay = false;
  std::atomic<bool> stop{false};
  std::atomic<int> wins{0}, paid{0}, conflicts{0}, unavailable{0}, other{0};
  std::atomic<int64_t> longest_ms{0};  // the slowest tool run
  std::vector<std::string> unavailable_lines;
  std::string last_conflict;
  std::mutex mu;
  std::vector<std::thread> threads;

  ~ProcessSale();  // stops the buyers and waits for them
  void start(const TestEnv& env, const Concert& c, int buyers);
  void join();

 private:
  // Runs the tool until it exits other than 7; its last run.
  ToolRun until_served(const TestEnv& env, const std::string& tool,
                       const std::function<std::vector<std::string>(int attempt)>& args);
};

// PUBSUB NUMSUB of the channel (SHARDNUMSUB on a cluster); -1 on failure.
int64_t redis_subscribers(Context& ctx, const std::string& channel);

// KEYS on every master.
std::vector<std::string> redis_keys(Context& ctx, const std::string& pattern);

}  // namespace ticket::testing
