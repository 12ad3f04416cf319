// tl-bench: an on-sale against the configured servers, measured against the
// servers' own limits (docs/benchmarks.md). Built with the tests, not installed.
#include <sys/resource.h>

#include <CLI/CLI.hpp>
#include <fstream>
#include <iostream>
#include <sstream>

#include "bench.h"
#include "common/tool.h"
#include "db.h"
#include "redis.h"
#include "ticket/schema.h"
#include "ticket/version.h"

namespace {

using tlbench::Bench;
using tlbench::Figures;

constexpr const char* kHeadlineKeys[] = {"buys_per_s",
                                         "buy_p50_ms",
                                         "buy_p99_ms",
                                         "holds_per_s",
                                         "reads_per_s",
                                         "release_lag_p50_ms",
                                         "release_lag_p99_ms",
                                         "release_lag_p99_ms_by_holds",
                                         "reconcile_100k_ms",
                                         "checkins_per_s",
                                         "report_1m_ms",
                                         "live_fanout_p99_ms",
                                         "double_bookings",
                                         "limit_hold_per_s",
                                         "limit_insert_commit_per_s",
                                         "ratio_buys_to_insert_limit",
                                         "ratio_holds_to_hold_limit",
                                         "ratio_checkins_to_insert_limit",
                                         "mysql_round_trips_per_buy",
                                         "mysql_round_trips_per_pay"};

int fail(const ticket::Error& e) {
  std::string msg = e.message();
  for (char& c : msg) {
    if (c == '\n' || c == '\r') c = ' ';
  }
  std::cerr << "tl-bench: error: " << msg << std::endl;
  return e.exit_code();
}

// " (default: 0.5)" as people write numbers.
template <class T>
std::string shown(T value) {
  std::ostringstream out;
  out << " (default: " << value << ")";
  return out.str();
}

double num(const Figures& f, const char* key) {
  return f.contains(key) ? f[key].get<double>() : 0.0;
}

// The ratios and the targets, from the figures measured.
void judge(Figures& f) {
  const double insert_limit = num(f, "limit_insert_commit_per_s"),
               hold_limit = num(f, "limit_hold_per_s");
  f["ratio_buys_to_insert_limit"] = insert_limit > 0 ? num(f, "buys_per_s") / insert_limit : 0.0;
  f["ratio_holds_to_hold_limit"] = hold_limit > 0 ? num(f, "holds_per_s") / hold_limit : 0.0;
  f["ratio_checkins_to_insert_limit"] =
      insert_limit > 0 ? num(f, "checkins_per_s") / insert_limit : 0.0;
  bool all_released = f.value("release_lag_released", 0) == f.value("release_lag_holds", -1) &&
                      f.value("release_lag_duplicates", 1) == 0;
  // The lag's growth: p99 at the largest size over p99 at --expire-holds, at
  // most the ratio of the sizes (linear).
  double largest = 0, growth = 0;
  const double holds = num(f, "release_lag_holds"), p99 = num(f, "release_lag_p99_ms");
  if (f.contains("release_lag_p99_ms_by_holds")) {
    for (const auto& [n, lag] : f["release_lag_p99_ms_by_holds"].items()) {
      all_released = all_released && f["release_lag_released_by_holds"][n] == std::stoi(n) &&
                     f["release_lag_duplicates_by_holds"][n] == 0;
      if (std::stod(n) <= largest) continue;
      largest = std::stod(n);
      growth = p99 > 0 ? lag.get<double>() / p99 : 0.0;
    }
  }
  f["release_lag_growth"] = growth;
  f["targets"] = {
      {"buys",
       {{"target", "buys_per_s >= 0.3 x limit_insert_commit_per_s"},
        {"met", num(f, "ratio_buys_to_insert_limit") >= 0.3}}},
      {"round_trips",
       {{"target", "mysql_round_trips_per_buy <= 2 and mysql_round_trips_per_pay <= 2"},
        {"met", f.contains("mysql_round_trips_per_buy_max") &&
                    f.value("mysql_round_trips_per_buy_max", 99) <= 2 &&
                    f.value("mysql_round_trips_per_pay_max", 99) <= 2}}},
      {"holds",
       {{"target", "holds_per_s >= 0.9 x limit_hold_per_s"},
        {"met", num(f, "ratio_holds_to_hold_limit") >= 0.9}}},
      {"release_lag",
       {{"target", "release_lag_p99_ms <= 250, every hold released once"},
        {"met", all_released && p99 <= 250}}},
      {"release_lag_growth",
       {{"target", "release_lag_growth <= largest N / N (no faster than linear)"},
        {"met", largest <= holds || growth <= largest / holds}}},
      {"reconcile",
       {{"target", "reconcile_100k_ms <= 100"}, {"met", num(f, "reconcile_100k_ms") <= 100}}},
      {"checkins",
       {{"target", "checkins_per_s >= 0.5 x limit_insert_commit_per_s, every pass admitted"},
        {"met", num(f, "ratio_checkins_to_insert_limit") >= 0.5 &&
                    f.value("checkins_admitted", -1) == f.value("checkins", -2)}}},
      {"live_fanout",
       {{"target", "live_fanout_p99_ms < 50, every client with every change and the same map"},
        {"met", f.contains("live_fanout_p99_ms") && num(f, "live_fanout_p99_ms") < 50 &&
                    f.value("live_clients_agree", false) &&
                    f.value("live_changes_missing", 1) == 0 &&
                    f.value("live_map_as_held", false)}}},
      {"report",
       {{"target", "report_1m_ms < 2000, the report matching the sale written"},
        {"met", f.value("report_checked", false) && num(f, "report_1m_ms") < 2000}}},
      {"double_bookings",
       {{"target", "double_bookings == 0"}, {"met", f.value("double_bookings", 1) == 0}}},
  };
}

// The keys of docs/benchmarks.md first, then the targets, then the details.
Figures ordered(const Figures& f) {
  Figures out = Figures::object();
  for (const char* k : kHeadlineKeys) out[k] = f.contains(k) ? f[k] : Figures();
  out["targets"] = f["targets"];
  for (const auto& [k, v] : f.items()) {
    if (!out.contains(k)) out[k] = v;
  }
  return out;
}

tlbench::Status describe_servers(Bench& b) {
  ticket::Context ctx(b.config);
  TL_ASSIGN_OR_RETURN(ticket::Db * db, ctx.db());
  TL_ASSIGN_OR_RETURN(std::string mysql,
                      db->transaction<std::string>([&]() -> ticket::Result<std::string> {
                        ticket::ResultSetPtr rs = db->query(db->prepare("SELECT VERSION()"));
                        return rs->next() ? std::string(rs->getString(1)) : std::string();
                      }));
  TL_ASSIGN_OR_RETURN(ticket::Redis * redis, ctx.redis());
  TL_ASSIGN_OR_RETURN(ticket::RedisReply info, redis->command({"INFO", "server"}));
  std::string text = ticket::reply_string(info.get()), version;
  if (auto at = text.find("redis_version:"); at != std::string::npos)
    version = text.substr(at + 14, text.find_first_of("\r\n", at) - at - 14);
  b.figures["servers"] = {{"mysql", mysql + " at " + db->endpoint()},
                          {"redis", version + " at " + redis->endpoint()}};
  return {};
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app(
      "Simulate an on-sale against the configured MariaDB/MySQL and Redis and measure it against the servers' own "
      "limits: buys/s and buy latency, holds/s, reads/s, release lag, reconcile time, check-ins/s, "
      "the time of a sales report, double bookings.",
      "tl-bench");
  app.get_formatter()->column_width(34);
  tlbench::Options o;
  o.daemon_path = std::string(TL_BUILD_DIR) + "/daemon/ticketlemond";
  std::string config_path;
  bool quiet = false;
  std::string only, beside_path;
  app.set_version_flag("--version", "tl-bench (TicketLemon) " + std::string(ticket::version()));
  app.add_option("--config", config_path,
                 "Configuration file (default: $TL_CONFIG, ./ticketlemon.toml, ...)")
      ->option_text("FILE");
  app.add_option("--seats", o.seats, "Seats of the concert the buyers buy from" + shown(o.seats))
      ->check(CLI::Range(1, ticket::kMaxPaidSeats))
      ->option_text("N");
  app.add_option("--buyers", o.buyers,
                 "Concurrent threads (C) in every measurement" + shown(o.buyers))
      ->check(CLI::Range(1, 256))
      ->option_text("C");
  app.add_option("--duration", o.duration_s,
                 "Seconds of buying (S); the short phases take S/2, 1 to 5 s" + shown(o.duration_s))
      ->check(CLI::Range(0.5, 3600.0))
      ->option_text("S");
  app.add_option("--pay-ratio", o.pay_ratio,
                 "Share of buys paid (R); the others abandon their hold" + shown(o.pay_ratio))
      ->check(CLI::Range(0.0, 1.0))
      ->option_text("R");
  app.add_option("--expire-holds", o.expire_holds,
                 "Holds expiring together for the release lag (N)" + shown(o.expire_holds))
      ->check(CLI::Range(1, 1000000))
      ->option_text("N");
  app.add_option("--expire-holds-list", o.expire_holds_list,
                 "Comma-separated holds counts whose release lag p99 is also measured"
                 " (default: 1000,10000,50000)")
      ->delimiter(',')
      ->check(CLI::Range(1, 1000000))
      ->option_text("N,...");
  app.add_option("--reconcile-seats", o.reconcile_seats,
                 "Seats of the concert whose reconcile is timed" + shown(o.reconcile_seats))
      ->check(CLI::Range(1, ticket::kMaxPaidSeats))
      ->option_text("N");
  app.add_option("--checkins", o.checkins,
                 "Passes of paid tickets admitted at once by the C threads" + shown(o.checkins))
      ->check(CLI::Range(1, 99999))
      ->option_text("N");
  app.add_option("--report-tickets", o.report_tickets,
                 "Tickets of the concert whose sales report is timed" + shown(o.report_tickets))
      ->check(CLI::Range(1, ticket::kMaxPaidSeats))
      ->option_text("N");
  app.add_option("--live-clients", o.live_clients,
                 "WebSocket clients following the live feed" + shown(o.live_clients))
      ->check(CLI::Range(1, 5000))
      ->option_text("N");
  app.add_option("--live-changes", o.live_changes,
                 "Seat changes they follow, 10 ms apart" + shown(o.live_changes))
      ->check(CLI::Range(1, 10000))
      ->option_text("N");
  app.add_option("--json", o.json_path, "Write the figures as JSON to this file")
      ->option_text("OUT");
  app.add_option("--daemon", o.daemon_path,
                 "ticketlemond to run for the release lag (default: the one built)")
      ->option_text("PATH");
  app.add_option("--only", only,
                 "Run only this phase and the double-booking check (buys and checkins with the\n"
                 "insert+commit limit they are judged by): limits, buys (with the reads),\n"
                 "round-trips, holds, release-lag, reconcile, checkins, report or live")
      ->check(CLI::IsMember({"limits", "buys", "round-trips", "holds", "release-lag", "reconcile",
                             "checkins", "report", "live"}))
      ->option_text("PHASE");
  app.add_option("--beside", beside_path,
                 "Run again against the servers of this configuration (e.g. a Redis Cluster) and\n"
                 "print both runs' figures side by side")
      ->option_text("FILE");
  app.add_flag("-q,--quiet", quiet, "No progress lines on stderr");
  app.footer(
      "Exit codes: 0 no double booking, 1 double bookings found (or an internal error), 2 usage,\n"
      "7 Redis or MySQL unavailable, 8 configuration error. See docs/benchmarks.md.");
  if (auto exit_code = ticket::cli::parse_command_line(app, "tl-bench", argc, argv))
    return *exit_code;

  // A socket per WebSocket client: as many as the hard limit allows.
  rlimit files{};
  if (getrlimit(RLIMIT_NOFILE, &files) == 0 && files.rlim_cur < files.rlim_max) {
    files.rlim_cur = files.rlim_max;
    (void)setrlimit(RLIMIT_NOFILE, &files);
  }
  struct Phase {
    const char* name;  // the --only values that run it, as "a|b"; "" runs always
    const char* what;
    tlbench::Status (*run)(Bench&);
  };
  const Phase phases[] = {
      {"limits|buys|checkins", "the insert+commit limit (Connector/C++)",
       tlbench::measure_insert_limit},
      {"buys", "buys (buy, then pay or abandon)", tlbench::measure_buys},
      {"round-trips", "MySQL round trips of a buy and a pay", tlbench::measure_round_trips},
      {"limits", "the hold limit (hold.lua through raw hiredis)", tlbench::measure_hold_limit},
      {"holds", "holds (hold_seats)", tlbench::measure_holds},
      {"buys", "seat-availability reads", tlbench::measure_reads},
      {"buys", "expiring the abandoned holds of the buy phase", tlbench::settle_sale_holds},
      {"release-lag", "the release lag of expiring holds (ticketlemond)",
       tlbench::measure_release_lag},
      {"reconcile", "reconcile", tlbench::measure_reconcile},
      {"checkins", "admission at the gate (verify and admit)", tlbench::measure_checkins},
      {"report", "the sales report of a concert of --report-tickets tickets",
       tlbench::measure_report},
      {"live", "the live feed's fan-out to --live-clients WebSocket clients",
       tlbench::measure_live_fanout},
      {"", "double bookings", tlbench::count_double_bookings},
  };
  try {
    auto load = [&](std::optional<std::string> path) -> ticket::Result<ticket::Config> {
      ticket::ConfigRequest request;
      request.path = std::move(path);
      request.env = ticket::process_environment();
      TL_ASSIGN_OR_RETURN(ticket::Config config, ticket::load_config(request));
      TL_TRY(ticket::migrate(config.mysql));
      return config;
    };
    auto config = load(app.count("--config") > 0 ? std::optional(config_path) : std::nullopt);
    if (!config.ok()) return fail(config.error());
    std::optional<ticket::Config> second;
    if (!beside_path.empty()) {
      auto c = load(beside_path);
      if (!c.ok()) return fail(c.error().with_context("--beside"));
      second = std::move(*c);
    }

    auto run = [&](ticket::Config c) -> ticket::Result<Bench> {
      Bench b;
      b.options = o;
      b.config = std::move(c);
      b.run_id = tlbench::random_token(6);
      TL_TRY(describe_servers(b));
      if (!quiet)
        std::cerr << "tl-bench: against MySQL " << b.figures["servers"]["mysql"].get<std::string>()
                  << ", Redis " << b.figures["servers"]["redis"].get<std::string>() << std::endl;
      b.figures["run"] = {{"run_id", b.run_id},
                          {"seats", o.seats},
                          {"buyers", o.buyers},
                          {"duration_s", o.duration_s},
                          {"pay_ratio", o.pay_ratio},
                          {"expire_holds", o.expire_holds},
                          {"expire_holds_list", o.expire_holds_list},
                          {"reconcile_seats", o.reconcile_seats},
                          {"checkins", o.checkins},
                          {"report_tickets", o.report_tickets},
                          {"live_clients", o.live_clients},
                          {"live_changes", o.live_changes}};
      for (const Phase& p : phases) {
        if (!only.empty() && *p.name != '\0' &&
            ("|" + std::string(p.name) + "|").find("|" + only + "|") == std::string::npos)
          continue;
        if (!quiet) std::cerr << "tl-bench: " << p.what << std::endl;
        if (auto s = p.run(b); !s.ok()) return s.error().with_context(p.what);
      }
      judge(b.figures);
      return b;
    };
    auto describe = [&](const Bench& b) {
      return "MySQL " + b.figures["servers"]["mysql"].get<std::string>() + ", Redis " +
             b.figures["servers"]["redis"].get<std::string>();
    };

    auto first = run(std::move(*config));
    if (!first.ok()) return fail(first.error());
    std::cout << "tl-bench: " << o.buyers << " threads, " << o.seats << " seats, " << o.duration_s
              << " s of buying, pay ratio " << o.pay_ratio << "\n"
              << describe(*first) << "\n\n"
              << tlbench::report_table(*first);
    Figures out = ordered(first->figures);
    int64_t doubles = first->figures["double_bookings"].get<int64_t>();
    if (second) {
      auto other = run(std::move(*second));
      if (!other.ok()) return fail(other.error().with_context("--beside"));
      std::cout << "\nThe same against " << describe(*other) << "\n\n"
                << tlbench::report_table(*other) << "\nSide by side: first " << describe(*first)
                << "; second " << describe(*other) << "\n\n"
                << tlbench::beside_table(*first, *other);
      out["beside"] = ordered(other->figures);
      doubles += other->figures["double_bookings"].get<int64_t>();
    }
    if (!o.json_path.empty()) {
      std::ofstream file(o.json_path, std::ios::trunc);
      file << out.dump(2) << "\n";
      if (!file) return fail(ticket::internal("cannot write " + o.json_path));
    }
    return doubles == 0 ? 0 : 1;
  } catch (const std::exception& e) {
    return fail(ticket::internal(std::string("internal error: ") + e.what()));
  }
}
