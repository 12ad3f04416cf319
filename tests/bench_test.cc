// tl-bench as a user runs it: a short run against the test servers on a
// private database. Only correctness is asserted (no double booking, every
// figure written); performance is for docs/benchmarks.md, not for CI.
#include <gtest/gtest.h>

#include <fstream>
#include <nlohmann/json.hpp>
#include <string>

#include "support/process.h"
#include "support/servers.h"

namespace ticket {
namespace {

using testing::run_tool;
using testing::TempDir;
using testing::TestEnv;
using testing::ToolRun;

TEST(Bench, ShortRunFindsNoDoubleBookingAndWritesEveryFigure) {
  TestEnv env;
  TempDir dir;
  const std::string out = dir.path() + "/bench.json";
  ToolRun r = run_tool(env.config_file(), "tl-bench",
                       {"--seats",
                        "500",
                        "--buyers",
                        "4",
                        "--duration",
                        "2",
                        "--expire-holds",
                        "300",
                        "--expire-holds-list",
                        "100,300",
                        "--reconcile-seats",
                        "2000",
                        "--checkins",
                        "300",
                        "--report-tickets",
                        "3000",
                        "--live-clients",
                        "1000",
                        "--live-changes",
                        "30",
                        "--json",
                        out,
                        "-q"});
  ASSERT_EQ(r.exit_code, 0) << r.err << r.out;
  EXPECT_EQ(r.err, "");
  EXPECT_NE(r.out.find("double bookings"), std::string::npos) << r.out;

  std::ifstream in(out);
  const auto j = nlohmann::json::parse(in, nullptr, false);
  ASSERT_TRUE(j.is_object()) << "not JSON: " << out;
  for (const char* key :
       {"buys_per_s", "buy_p50_ms", "buy_p99_ms", "holds_per_s", "reads_per_s",
        "release_lag_p50_ms", "release_lag_p99_ms", "reconcile_100k_ms", "double_bookings",
        "limit_hold_per_s", "limit_insert_commit_per_s", "ratio_buys_to_insert_limit",
        "ratio_holds_to_hold_limit", "mysql_round_trips_per_buy", "mysql_round_trips_per_pay",
        "checkins_per_s", "ratio_checkins_to_insert_limit", "report_1m_ms", "live_fanout_p99_ms"}) {
    ASSERT_TRUE(j.contains(key)) << key;
    EXPECT_TRUE(j[key].is_number()) << key << ": " << j[key].dump();
  }
  EXPECT_EQ(j["double_bookings"], 0);
  // Counted by the server, not timed: every warm buy and pay sent two statements.
  EXPECT_EQ(j["mysql_round_trips_per_buy_max"], 2) << j.dump();
  EXPECT_EQ(j["mysql_round_trips_per_pay_max"], 2) << j.dump();
  EXPECT_EQ(j["release_lag_released"], 300) << "every hold released";
  EXPECT_EQ(j["release_lag_duplicates"], 0) << "none released twice";
  // The lag for each size of the list, each measured on holds of its own.
  ASSERT_TRUE(j["release_lag_p99_ms_by_holds"].is_object()) << j.dump();
  EXPECT_EQ(j["release_lag_p99_ms_by_holds"].size(), 2u) << j.dump();
  for (const char* n : {"100", "300"}) {
    EXPECT_TRUE(j["release_lag_p99_ms_by_holds"][n].is_number()) << n;
    EXPECT_EQ(j["release_lag_released_by_holds"][n], std::stoi(n)) << n;
    EXPECT_EQ(j["release_lag_duplicates_by_holds"][n], 0) << n;
  }
  EXPECT_NE(r.out.find("release lag p99, 100 holds"), std::string::npos) << r.out;
  // Every pass verified and admitted once by the gates' threads.
  EXPECT_EQ(j["checkins_admitted"], 300) << j.dump();
  EXPECT_EQ(j["checkins_mysql_step_admitted"], 300) << j.dump();
  EXPECT_GT(j["checkins_per_s"].get<double>(), 0) << j.dump();
  EXPECT_NE(r.out.find("check-ins/s (verify and admit)"), std::string::npos) << r.out;
  // The report of the sale written in bulk says what was written.
  EXPECT_EQ(j["report_tickets"], 3000) << j.dump();
  EXPECT_EQ(j["report_checked"], true) << j.dump();
  EXPECT_EQ(j["report_ms_runs"].size(), 3u) << j.dump();
  EXPECT_NE(r.out.find("report of 3000 tickets (ms)"), std::string::npos) << r.out;
  // 1,000 WebSocket clients at once, each with every change and the same map.
  EXPECT_EQ(j["live_clients_agree"], true) << j.dump();
  EXPECT_EQ(j["live_changes_missing"], 0) << j.dump();
  EXPECT_EQ(j["live_map_as_held"], true) << j.dump();
  // The holds expire as well with a follower of the feed that stopped reading.
  EXPECT_EQ(j["release_lag_released_with_a_stalled_live_client"], 300) << j.dump();
  EXPECT_NE(r.out.find("live fan-out p99, 1000 clients (ms)"), std::string::npos) << r.out;
}

// --beside runs the phases again against a second configuration (in the
// test run: a second database on the same servers) and prints both side by
// side; the JSON keeps the second run under "beside".
TEST(Bench, BesideRunsAgainstASecondConfigurationAndPrintsBoth) {
  TestEnv first, second;
  TempDir dir;
  const std::string out = dir.path() + "/bench.json";
  ToolRun r = run_tool(first.config_file(), "tl-bench",
                       {"--only", "reconcile", "--reconcile-seats", "2000", "--beside",
                        second.config_file(), "--json", out, "-q"});
  ASSERT_EQ(r.exit_code, 0) << r.err << r.out;
  EXPECT_NE(r.out.find("Side by side: first MySQL"), std::string::npos) << r.out;
  const size_t side = r.out.find("Side by side");
  EXPECT_NE(r.out.find("reconcile 2000 seats (ms)", side), std::string::npos) << r.out;
  std::ifstream in(out);
  const auto j = nlohmann::json::parse(in, nullptr, false);
  ASSERT_TRUE(j.is_object()) << "not JSON: " << out;
  EXPECT_EQ(j["double_bookings"], 0);
  ASSERT_TRUE(j.contains("beside")) << j.dump();
  EXPECT_EQ(j["beside"]["double_bookings"], 0);
  EXPECT_TRUE(j["beside"]["reconcile_100k_ms"].is_number()) << j.dump();
  EXPECT_NE(j["beside"]["run"]["run_id"], j["run"]["run_id"]);
}

TEST(Bench, RefusesABadFlagWithOneLine) {
  ToolRun r = run_tool("", "tl-bench", {"--buyers", "0"});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_EQ(testing::line_count(r.err), 1) << r.err;
  EXPECT_EQ(r.err.rfind("tl-bench: error: ", 0), 0u) << r.err;
}

TEST(Bench, RefusesABadHoldsListWithOneLine) {
  ToolRun r = run_tool("", "tl-bench", {"--expire-holds-list", "1000,0"});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_EQ(testing::line_count(r.err), 1) << r.err;
}

TEST(Bench, RefusesAMissingConfigFile) {
  ToolRun r = run_tool("", "tl-bench", {"--config", "/nonexistent/ticketlemon.toml"});
  EXPECT_EQ(r.exit_code, 8) << r.err;
  EXPECT_EQ(testing::line_count(r.err), 1) << r.err;
}

}  // namespace
}  // namespace ticket
