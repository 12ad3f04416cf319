// tl-admin run as an operator would: exit codes, one-line errors, JSON shapes.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "support/process.h"
#include "support/servers.h"
#include "support/sql.h"
#include "ticket/schema.h"

namespace ticket {
namespace {

using nlohmann::json;
using testing::line_count;
using testing::run_tool;
using testing::scalar_sql;
using testing::TempDir;
using testing::TestEnv;
using testing::ToolRun;

class AdminCli : public ::testing::Test {
 protected:
  ToolRun admin(const std::vector<std::string>& args) { return run_tool(env_.config_file(), "tl-admin", args); }

  int64_t rows(const std::string& table) {
    auto ctx = env_.context();
    auto db = ctx->db();
    EXPECT_TRUE(db.ok());
    return scalar_sql(**db, "SELECT COUNT(*) FROM " + table);
  }

  static void expect_one_line_error(const ToolRun& r, int code, const std::string& contains = "") {
    EXPECT_EQ(r.exit_code, code) << r.err << r.out;
    EXPECT_EQ(r.out, "");
    EXPECT_EQ(line_count(r.err), 1) << r.err;
    EXPECT_EQ(r.err.rfind("tl-admin: error: ", 0), 0u) << r.err;
    if (!contains.empty()) {
      EXPECT_NE(r.err.find(contains), std::string::npos) << r.err;
    }
  }

  TestEnv env_;
  TempDir dir_;
};

TEST_F(AdminCli, HelpAndVersion) {
  auto help = admin({"--help"});
  EXPECT_EQ(help.exit_code, 0);
  EXPECT_NE(help.out.find("Subcommands:"), std::string::npos);
  EXPECT_NE(help.out.find("Exit codes:"), std::string::npos);
  auto sub = admin({"concert", "create", "--help"});
  EXPECT_EQ(sub.exit_code, 0);
  EXPECT_NE(sub.out.find("--seats-per-row"), std::string::npos);
  auto v = admin({"--version"});
  EXPECT_EQ(v.exit_code, 0);
  EXPECT_EQ(v.out.rfind("tl-admin (TicketLemon) ", 0), 0u);
}

TEST_F(AdminCli, UsageErrorsExit2WithOneLine) {
  expect_one_line_error(admin({"--bogus"}), 2, "unknown option '--bogus'");
  expect_one_line_error(admin({"concert", "lst"}), 2, "unknown command 'lst'");
  expect_one_line_error(admin({}), 2);
  expect_one_line_error(admin({"concert", "show"}), 2, "CONCERT is required");
  expect_one_line_error(admin({"db", "reset"}), 2, "add --yes to confirm");
}

TEST_F(AdminCli, ConfigurationProblemsExit8) {
  auto missing = run_tool(dir_.path() + "/absent.toml", "tl-admin", {"concert", "list"});
  expect_one_line_error(missing, 8, "cannot read config file " + dir_.path() + "/absent.toml");
  const auto open = dir_.write("open.toml", "[mysql]\nport = 1\n", 0644);
  expect_one_line_error(run_tool(open, "tl-admin", {"concert", "list"}), 8, "chmod 600");
  const auto typo = dir_.write("typo.toml", "[mysql]\nprot = 1\n");
  expect_one_line_error(run_tool(typo, "tl-admin", {"concert", "list"}), 8, typo + ":2: unknown key 'prot'");
  auto env_typo = run_tool(env_.config_file(), "tl-admin", {"concert", "list"}, {{"TL_REDIS_PORT", "x"}});
  expect_one_line_error(env_typo, 8, "environment variable TL_REDIS_PORT");
  auto flag = run_tool("", "tl-admin", {"--config", typo, "concert", "list"});
  expect_one_line_error(flag, 8, typo + ":2:");
}

TEST_F(AdminCli, UnreachableServerExits7) {
  const auto cfg = dir_.write("down.toml", "[mysql]\nport = 1\npassword_file = \"\"\n");
  auto r = run_tool(cfg, "tl-admin", {"concert", "list"});
  expect_one_line_error(r, 7);
  EXPECT_EQ(r.err, "tl-admin: error: cannot reach MySQL at 127.0.0.1:1: Connection refused\n");
  auto j = run_tool(cfg, "tl-admin", {"concert", "list", "--json"});
  EXPECT_EQ(j.exit_code, 7);
  const json e = json::parse(j.out);
  EXPECT_EQ(e["error"]["code"], 7);
  EXPECT_EQ(e["error"]["kind"], "unavailable");
  EXPECT_EQ(e["error"]["message"], "cannot reach MySQL at 127.0.0.1:1: Connection refused");
}

TEST_F(AdminCli, MigrateIsIdempotent) {
  auto r = admin({"db", "migrate", "--json"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const json j = json::parse(r.out);
  EXPECT_EQ(j["schema_version"], latest_schema_version());
  EXPECT_TRUE(j["applied"].empty());
  EXPECT_EQ(admin({"db", "migrate"}).out,
            "Schema is up to date at version " + std::to_string(latest_schema_version()) + ".\n");
}

TEST_F(AdminCli, ConcertCreateListShowClose) {
  auto created = admin({"concert", "create", "--slug", "gala", "--name", "Winter Gala", "--venue", "Hall",
                        "--starts-at", "2026-12-31T20:00:00+01:00", "--rows", "3", "--seats-per-row", "4",
                        "--free-seats", "2", "--price", "25.5", "--currency", "eur", "--hold-seconds", "90",
                        "--max-seats-per-ticket", "2", "--json"});
  ASSERT_EQ(created.exit_code, 0) << created.err;
  const json c = json::parse(created.out)["concert"];
  EXPECT_EQ(c["slug"], "gala");
  EXPECT_EQ(c["price"], "25.50");
  EXPECT_EQ(c["currency"], "EUR");
  EXPECT_EQ(c["starts_at"], "2026-12-31T19:00:00Z");

  for (const auto& args : {std::vector<std::string>{"concert", "list", "--json"},
                           std::vector<std::string>{"--json", "concert", "list"}}) {
    auto list = admin(args);
    ASSERT_EQ(list.exit_code, 0) << list.err;
    const json l = json::parse(list.out);
    ASSERT_EQ(l["concerts"].size(), 1u);
    const json& x = l["concerts"][0];
    for (const char* field : {"id", "slug", "name", "rows", "seats_per_row", "free_seats", "price", "currency",
                              "hold_seconds", "max_seats_per_ticket"}) {
      EXPECT_TRUE(x.contains(field)) << field;
    }
    EXPECT_EQ(x["rows"], 3);
    EXPECT_EQ(x["seats_per_row"], 4);
    EXPECT_EQ(x["free_seats"], 2);
    EXPECT_EQ(x["hold_seconds"], 90);
    EXPECT_EQ(x["max_seats_per_ticket"], 2);
  }
  auto show = admin({"concert", "show", "gala"});
  ASSERT_EQ(show.exit_code, 0);
  EXPECT_NE(show.out.find("3 rows x 4 seats (A1-C4), 2 free seats"), std::string::npos);
  EXPECT_EQ(admin({"concert", "show", "nope"}).exit_code, 4);
  auto dup = admin({"concert", "create", "--slug", "gala", "--name", "X", "--rows", "1", "--seats-per-row", "1",
                    "--price", "1", "--currency", "EUR"});
  expect_one_line_error(dup, 3, "already exists");
  auto closed = admin({"concert", "close", "gala", "--json"});
  ASSERT_EQ(closed.exit_code, 0);
  EXPECT_EQ(json::parse(closed.out)["concert"]["status"], "CLOSED");
  EXPECT_EQ(rows("AUDIT_LOG WHERE action IN ('concert-created', 'concert-closed')"), 2);
}

TEST_F(AdminCli, BadConcertInputExits2AndWritesNothing) {
  const std::vector<std::string> good = {"concert", "create", "--slug", "ok", "--name", "Fine", "--rows", "2",
                                         "--seats-per-row", "3", "--price", "10", "--currency", "EUR"};
  auto with = [&](const std::string& flag, const std::string& value) {
    std::vector<std::string> args = good;
    for (size_t i = 0; i + 1 < args.size(); ++i) {
      if (args[i] == flag) {
        args[i + 1] = value;
        return args;
      }
    }
    args.push_back(flag);
    args.push_back(value);
    return args;
  };
  const std::string ten_kb(10 * 1024, 'x');
  const std::vector<std::pair<std::string, std::string>> cases = {
      {"--rows", "-1"},          {"--rows", "abc"},
      {"--rows", "99999999999999999999"}, {"--seats-per-row", ""},
      {"--seats-per-row", "1001"}, {"--price", "-5"},
      {"--price", "1.999"},      {"--price", "ten"},
      {"--currency", "EURO"},    {"--slug", "Bad Slug"},
      {"--slug", "'; DROP TABLE CONCERTS; --"}, {"--slug", "123"},
      {"--name", ""},            {"--name", ten_kb},
      {"--name", "bell\x07"},    {"--name", "line\nbreak"},
      {"--hold-seconds", "0"},   {"--max-seats-per-ticket", "51"},
      {"--starts-at", "tomorrow"}, {"--free-seats", "1e3"},
  };
  const int64_t concerts = rows("CONCERTS");
  const int64_t audit = rows("AUDIT_LOG");
  for (const auto& [flag, value] : cases) {
    SCOPED_TRACE(flag + " " + value.substr(0, 40));
    auto r = admin(with(flag, value));
    expect_one_line_error(r, 2);
    EXPECT_LT(r.err.size(), 300u);
  }
  EXPECT_EQ(rows("CONCERTS"), concerts);
  EXPECT_EQ(rows("AUDIT_LOG"), audit);
  ASSERT_EQ(admin(good).exit_code, 0);
  EXPECT_EQ(rows("CONCERTS"), concerts + 1);
}

TEST_F(AdminCli, SeedTwiceThenCount) {
  const auto seed_file = std::string(TL_SOURCE_DIR) + "/etc/example-concerts.toml";
  auto first = admin({"seed", seed_file, "--json"});
  ASSERT_EQ(first.exit_code, 0) << first.err;
  for (const auto& c : json::parse(first.out)["concerts"]) EXPECT_EQ(c["action"], "created");
  auto second = admin({"seed", seed_file, "--json"});
  ASSERT_EQ(second.exit_code, 0) << second.err;
  for (const auto& c : json::parse(second.out)["concerts"]) EXPECT_EQ(c["action"], "unchanged");
  EXPECT_EQ(rows("CONCERTS"), 2);

  const auto bad = dir_.write("bad.toml", "[[concert]]\nslug = \"x\"\n");
  expect_one_line_error(admin({"seed", bad}), 2, bad + ": missing field name");

  auto count = admin({"count", "--json"});
  ASSERT_EQ(count.exit_code, 0) << count.err;
  const json j = json::parse(count.out);
  EXPECT_EQ(j["total"], 0);
  EXPECT_EQ(j["by_status"]["PROCESS"], 0);
  EXPECT_EQ(j["by_zone"]["BUY"], 0);
}

TEST_F(AdminCli, ResetWithYesEmptiesEverything) {
  ASSERT_EQ(admin({"seed", std::string(TL_SOURCE_DIR) + "/etc/example-concerts.toml"}).exit_code, 0);
  auto r = admin({"db", "reset", "--yes"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(rows("CONCERTS"), 0);
  EXPECT_EQ(rows("AUDIT_LOG"), 0);
  EXPECT_EQ(admin({"concert", "list"}).exit_code, 0);
}

}  // namespace
}  // namespace ticket
