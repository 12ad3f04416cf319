// tl-bench (docs/benchmarks.md): an on-sale simulated against the configured servers
// and measured against the servers' own limits, in one run. Each measurement
// is a phase in a file of its own; tl_bench.cc parses the flags and runs the
// phases in order. Phases return Status: a server that cannot be reached is
// kUnavailable (exit 7), as in the tools.
#pragma once

#include <nlohmann/json.hpp>

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "support/process.h"
#include "ticket/concerts.h"
#include "ticket/config.h"
#include "ticket/context.h"
#include "ticket/error.h"
#include "ticket/timestamp.h"

namespace sql {
class PreparedStatement;
}
namespace ticket {
class Db;
}

namespace tlbench {

using ticket::Result;
using ticket::Status;

struct Options {
  std::optional<std::string> config_path;
  int seats = 20000;             // of the concert the buyers buy from
  int buyers = 16;               // C: threads in every measurement
  double duration_s = 10;        // S: of the buy phase
  double pay_ratio = 0.5;        // R: share of buys that are paid
  int expire_holds = 10000;      // N: holds expiring together for the release lag
  int reconcile_seats = 100000;  // seats of the concert reconciled
  int checkins = 20000;          // passes admitted at the gate
  int report_tickets = 1000000;  // tickets of the concert whose report is timed
  int live_clients = 1000;       // WebSocket clients of the live feed
  int live_changes = 200;        // seat changes they follow
  std::string json_path;         // empty: no JSON file
  std::string daemon_path;       // ticketlemond
  // More N, for the growth of the release lag with N.
  std::vector<int> expire_holds_list = {1000, 10000, 50000};
};

// Figures in the order they are printed; keys of docs/benchmarks.md plus details.
using Figures = nlohmann::ordered_json;

// What the phases share.
struct Bench {
  Options options;
  ticket::Config config;
  std::string run_id;                     // random, in slugs and customer numbers
  std::vector<ticket::Concert> concerts;  // every concert made, for the final check
  ticket::Concert sale;                   // the concert of the buy phase
  ticket::Millis sale_holds_due = 0;      // the latest hold deadline of the buy phase
  Figures figures = Figures::object();

  // The short phases (holds, reads, the limits) last this long.
  double short_phase_s() const;
};

// A new open concert of at least `seats` paid seats in rows of 100 (one
// shorter row when `seats` is smaller), with a unique slug "bench-<what>-<run id>", remembered in
// `bench.concerts`.
Result<ticket::Concert> make_concert(Bench& bench, ticket::Context& ctx, const std::string& what,
                                     int seats, int hold_seconds, int max_seats_per_ticket);

// Runs `work(t, deadline)` on `threads` threads at once. Each thread first
// runs `prepare(t)` (opening its connections); all start `work` together once
// every `prepare` has returned, with `deadline` = that start + `seconds` (far
// away when `seconds` is 0: the work decides when it is done). Returns the
// seconds from the common start to the end of the last `work`, or the first
// error a thread returned.
using Clock = std::chrono::steady_clock;
Result<double> run_timed(int threads, double seconds, const std::function<Status(int)>& prepare,
                         const std::function<Status(int, Clock::time_point)>& work);

// Opens the context's connections (checking the schema) and reads the
// secret, so that a timed phase starts warm. Call it on the thread that will
// use the context: Connector/C++ initialises each thread on first use.
Status warm(ticket::Context& ctx);

// The q-quantile (0..1, nearest rank) of `samples`, which it sorts; 0 when empty.
double quantile(std::vector<double>& samples, double q);

// Milliseconds elapsed since `since`.
double ms_since(Clock::time_point since);

// A ticket-code-shaped string ("TB-" and 8 base-32 characters) unique for
// (thread, n): the holds phases hold with fresh codes of the real length.
std::string bench_code(int thread, int64_t n);

// `n` random upper-case letters and digits.
std::string random_token(size_t n);

// The first column of the first row of `sql`, as an integer.
Result<int64_t> scalar(ticket::Context& ctx, const std::string& sql);

// Runs one statement in its own transaction; the rows it changed.
Result<int64_t> execute(ticket::Context& ctx, const std::string& sql);

// A table of the numbers 0 to n-1 (one column, n), for writing rows in
// bulk with INSERT ... SELECT; dropped when destroyed (`ctx` must outlive it).
class NumberTable {
 public:
  static Result<std::unique_ptr<NumberTable>> make(Bench& bench, ticket::Context& ctx,
                                                   const std::string& what, int n);
  ~NumberTable();
  NumberTable(const NumberTable&) = delete;
  NumberTable& operator=(const NumberTable&) = delete;
  const std::string& name() const { return name_; }

 private:
  NumberTable(ticket::Context& ctx, std::string name) : ctx_(ctx), name_(std::move(name)) {}
  ticket::Context& ctx_;
  std::string name_;
  bool made_ = false;
};

// Runs one statement, its parameters set by `bind`, in a transaction of
// its own.
Status run_bound(ticket::Db& db, const std::string& sql,
                 const std::function<void(sql::PreparedStatement&)>& bind);

// A customer for each number of `numbers`: named `who` and the number, its
// id hash made from the same (unique per run and prefix).
Status write_customers(ticket::Db& db, const NumberTable& numbers, const std::string& who);

// The one paid seat of each bulk ticket (prefix and number, code_sql): the
// number's seat in rows of `per_row`, with `status`, an SQL expression of
// this program's own ("'SUCCESS'", "t.status").
Status write_seats(ticket::Db& db, const NumberTable& numbers, const std::string& prefix,
                   int per_row, const char* status);

// Four characters that no ticket code begins with after "TB-" yet: bulk
// tickets are "TB-", those four and their number in four characters
// (number_code), up to 32^4 of them.
Result<std::string> unused_code_prefix(ticket::Context& ctx);
// SQL for the code of ticket number `number` (an SQL expression), its one
// parameter the prefix; the last four characters of that code.
std::string code_sql(const std::string& number);
std::string number_code(int n);

// A ticketlemond child for a phase, healthy: the bench's configuration and
// TL_ variables, its own loopback port, reconcile off; its log in the
// temporary directory. Killed with the process object if still running.
struct DaemonChild {
  std::unique_ptr<ticket::testing::Background> process;
  int port = 0;
  std::string log;  // its path
};
Result<DaemonChild> start_daemon(Bench& bench, const std::string& what);

// The last line of a log, for an error message.
std::string last_line(const std::string& log);

// The phases, in the order tl_bench.cc runs them.
Status measure_insert_limit(Bench& bench);
Status measure_buys(Bench& bench);
Status measure_round_trips(Bench& bench);
Status measure_hold_limit(Bench& bench);
Status measure_holds(Bench& bench);
Status measure_reads(Bench& bench);
Status settle_sale_holds(Bench& bench);
Status measure_release_lag(Bench& bench);
Status measure_reconcile(Bench& bench);
Status measure_checkins(Bench& bench);
Status measure_report(Bench& bench);
Status measure_live_fanout(Bench& bench);
Status count_double_bookings(Bench& bench);

// The aligned table of figures, limits, ratios and targets.
std::string report_table(const Bench& bench);
// The figures of two runs side by side, with the second's over the first's.
std::string beside_table(const Bench& first, const Bench& second);

}  // namespace tlbench
