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
using testing::exec_sql;
using testing::insert_raw_ticket;
using testing::line_count;
using testing::newest_migration;
using testing::run_tool;
using testing::scalar_sql;
using testing::TempDir;
using testing::TestEnv;
using testing::ToolRun;

// "Schema is up to date at version N.\n" for this build's N.
std::string up_to_date() {
  return "Schema is up to date at version " + std::to_string(newest_migration()) + ".\n";
}

class AdminCli : public ::testing::Test {
 protected:
  ToolRun admin(const std::vector<std::string>& args) {
    return run_tool(env_.config_file(), "tl-admin", args);
  }

  int64_t rows(const std::string& table) {
    auto ctx = env_.context();
    auto db = ctx->db();
    EXPECT_TRUE(db.ok());
    return scalar_sql(**db, "SELECT COUNT(*) FROM " + table);
  }

  int64_t count(const std::string& sql) {
    auto ctx = env_.context();
    auto db = ctx->db();
    EXPECT_TRUE(db.ok());
    return db.ok() ? scalar_sql(**db, sql) : -1;
  }

  // Runs statements on a connection that skips the schema check.
  void sql(const std::string& statement) {
    auto db = Db::connect(env_.config().mysql);
    ASSERT_TRUE(db.ok()) << db.error().message();
    ASSERT_EQ(exec_sql(**db, statement), 0) << statement;
  }

  // Seeds one concert and gives it a paid, a granted and a held ticket
  // (written directly: this test runs only tl-admin).
  std::string seed_with_sold_tickets() {
    const std::string file = dir_.write("one.toml", kOneConcert);
    EXPECT_EQ(admin({"seed", file}).exit_code, 0);
    auto ctx = env_.context();
    auto db = ctx->db();
    EXPECT_TRUE(db.ok());
    const uint64_t concert =
        static_cast<uint64_t>(scalar_sql(**db, "SELECT id FROM CONCERTS WHERE slug = 'one'"));
    insert_raw_ticket(**db, concert, "TB-PAIDPAID1");
    insert_raw_ticket(**db, concert, "TF-GRANTED01", "FREE");
    insert_raw_ticket(**db, concert, "TB-HELDHELD1");
    EXPECT_EQ(
        exec_sql(
            **db,
            "UPDATE TICKETS SET status = 'SUCCESS' WHERE code IN ('TB-PAIDPAID1', 'TF-GRANTED01')"),
        0);
    return file;
  }

  static constexpr const char* kOneConcert =
      "[[concert]]\nslug = \"one\"\nname = \"One\"\nrows = 2\nseats_per_row = 2\nfree_seats = 2\n"
      "price = \"10\"\ncurrency = \"EUR\"\n";

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
  expect_one_line_error(run_tool(typo, "tl-admin", {"concert", "list"}), 8,
                        typo + ":2: unknown key 'prot'");
  auto env_typo =
      run_tool(env_.config_file(), "tl-admin", {"concert", "list"}, {{"TL_REDIS_PORT", "x"}});
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
  EXPECT_EQ(j["schema_version"], newest_migration());
  EXPECT_TRUE(j["applied"].empty());
  EXPECT_EQ(admin({"db", "migrate"}).out,
            "Schema is up to date at version " + std::to_string(newest_migration()) + ".\n");
}

TEST_F(AdminCli, ConcertCreateListShowClose) {
  auto created = admin({"concert",
                        "create",
                        "--slug",
                        "gala",
                        "--name",
                        "Winter Gala",
                        "--venue",
                        "Hall",
                        "--starts-at",
                        "2026-12-31T20:00:00+01:00",
                        "--rows",
                        "3",
                        "--seats-per-row",
                        "4",
                        "--free-seats",
                        "2",
                        "--price",
                        "25.5",
                        "--currency",
                        "eur",
                        "--hold-seconds",
                        "90",
                        "--max-seats-per-ticket",
                        "2",
                        "--json"});
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
    for (const char* field : {"id", "slug", "name", "rows", "seats_per_row", "free_seats", "price",
                              "currency", "hold_seconds", "max_seats_per_ticket"}) {
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
  auto dup = admin({"concert", "create", "--slug", "gala", "--name", "X", "--rows", "1",
                    "--seats-per-row", "1", "--price", "1", "--currency", "EUR"});
  expect_one_line_error(dup, 3, "already exists");
  auto closed = admin({"concert", "close", "gala", "--json"});
  ASSERT_EQ(closed.exit_code, 0);
  EXPECT_EQ(json::parse(closed.out)["concert"]["status"], "CLOSED");
  EXPECT_EQ(rows("AUDIT_LOG WHERE action IN ('concert-created', 'concert-closed')"), 2);
}

TEST_F(AdminCli, BadConcertInputExits2AndWritesNothing) {
  const std::vector<std::string> good = {
      "concert", "create",          "--slug", "ok",      "--name", "Fine",       "--rows",
      "2",       "--seats-per-row", "3",      "--price", "10",     "--currency", "EUR"};
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
      {"--rows", "-1"},
      {"--rows", "abc"},
      {"--rows", "99999999999999999999"},
      {"--seats-per-row", ""},
      {"--seats-per-row", "1001"},
      {"--price", "-5"},
      {"--price", "1.999"},
      {"--price", "ten"},
      {"--currency", "EURO"},
      {"--slug", "Bad Slug"},
      {"--slug", "'; DROP TABLE CONCERTS; --"},
      {"--slug", "123"},
      {"--name", ""},
      {"--name", ten_kb},
      {"--name", "bell\x07"},
      {"--name", "line\nbreak"},
      {"--hold-seconds", "0"},
      {"--max-seats-per-ticket", "51"},
      {"--starts-at", "tomorrow"},
      {"--free-seats", "1e3"},
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
  const json created = json::parse(first.out);
  for (const auto& c : created.at("concerts")) EXPECT_EQ(c["action"], "created");
  auto second = admin({"seed", seed_file, "--json"});
  ASSERT_EQ(second.exit_code, 0) << second.err;
  const json unchanged = json::parse(second.out);
  for (const auto& c : unchanged.at("concerts")) EXPECT_EQ(c["action"], "unchanged");
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
  ASSERT_EQ(admin({"seed", std::string(TL_SOURCE_DIR) + "/etc/example-concerts.toml"}).exit_code,
            0);
  auto r = admin({"db", "reset", "--yes"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(
      r.out.rfind("Dropped all TicketLemon data: 0 tickets, of them 0 paid and 0 granted. Schema "
                  "migrated from version 0 to " +
                      std::to_string(newest_migration()) + " (applied 1",
                  0),
      0u)
      << r.out;
  EXPECT_EQ(rows("CONCERTS"), 0);
  EXPECT_EQ(
      rows("AUDIT_LOG WHERE action = 'database-reset' AND detail = 'db reset deleted no tickets'"),
      1);
  EXPECT_EQ(rows("AUDIT_LOG"), 1);
  EXPECT_EQ(admin({"concert", "list"}).exit_code, 0);
}

TEST_F(AdminCli, SeedResetRefusesToDeleteSoldTicketsWithoutItsFlag) {
  const std::string file = seed_with_sold_tickets();
  auto refused = admin({"seed", file, "--reset"});
  expect_one_line_error(refused, 3);
  EXPECT_EQ(refused.err,
            "tl-admin: error: seed --reset would delete 1 paid and 1 granted tickets of concert "
            "'one'; add "
            "--delete-sold-tickets to delete them\n");
  EXPECT_EQ(rows("TICKETS"), 3);
  expect_one_line_error(admin({"seed", file, "--delete-sold-tickets"}), 2, "--reset");

  auto done = admin({"seed", file, "--reset", "--delete-sold-tickets", "--json"});
  ASSERT_EQ(done.exit_code, 0) << done.err;
  EXPECT_EQ(json::parse(done.out)["concerts"][0]["reset"], true);
  EXPECT_EQ(rows("TICKETS"), 0);
  EXPECT_EQ(rows("AUDIT_LOG WHERE action = 'concert-reset' AND detail = 'seed --reset deleted 3 "
                 "tickets (PROCESS 1, "
                 "SUCCESS 2); 1 paid, 1 granted: TB-PAIDPAID1, TF-GRANTED01'"),
            1);
  // Unpaid tickets alone need no flag.
  auto ctx = env_.context();
  insert_raw_ticket(**ctx->db(), static_cast<uint64_t>(count("SELECT id FROM CONCERTS")),
                    "TB-UNPAID001");
  ASSERT_EQ(admin({"seed", file, "--reset"}).exit_code, 0);
  EXPECT_EQ(rows("TICKETS"), 0);
}

TEST_F(AdminCli, DbResetRefusesToDeleteSoldTicketsWithoutItsFlag) {
  seed_with_sold_tickets();
  auto refused = admin({"db", "reset", "--yes"});
  expect_one_line_error(refused, 3);
  EXPECT_EQ(
      refused.err,
      "tl-admin: error: db reset would delete 1 paid and 1 granted tickets of concert 'one'; add "
      "--delete-sold-tickets to delete them\n");
  EXPECT_EQ(rows("TICKETS"), 3);
  expect_one_line_error(admin({"db", "reset", "--delete-sold-tickets"}), 2, "add --yes to confirm");

  auto done = admin({"db", "reset", "--yes", "--delete-sold-tickets", "--json"});
  ASSERT_EQ(done.exit_code, 0) << done.err;
  const json j = json::parse(done.out);
  EXPECT_EQ(j["deleted"]["tickets"], 3);
  EXPECT_EQ(j["deleted"]["paid"], 1);
  EXPECT_EQ(j["deleted"]["granted"], 1);
  EXPECT_EQ(rows("TICKETS"), 0);
  EXPECT_EQ(rows("AUDIT_LOG WHERE action = 'database-reset' AND detail = 'db reset deleted 3 "
                 "tickets (PROCESS 1, "
                 "SUCCESS 2); 1 paid, 1 granted: TB-PAIDPAID1, TF-GRANTED01'"),
            1);
}

TEST_F(AdminCli, DbResetRefusesWhileATicketMayStillBePaid) {
  ASSERT_EQ(admin({"seed", dir_.write("one.toml", kOneConcert)}).exit_code, 0);
  {
    auto ctx = env_.context();
    auto db = ctx->db();
    ASSERT_TRUE(db.ok());
    insert_raw_ticket(**db, static_cast<uint64_t>(scalar_sql(**db, "SELECT id FROM CONCERTS")),
                      "TB-HELDHELD1");
  }
  auto refused = admin({"db", "reset", "--yes"});
  expect_one_line_error(refused, 3);
  EXPECT_EQ(
      refused.err,
      "tl-admin: error: db reset would delete 1 ticket still in progress, which could be paid "
      "or granted while the tables are dropped; wait until they are paid, expired or decided, "
      "or add --delete-sold-tickets\n");
  EXPECT_EQ(rows("TICKETS"), 1);
  ASSERT_EQ(admin({"db", "reset", "--yes", "--delete-sold-tickets"}).exit_code, 0);
  EXPECT_EQ(rows("TICKETS"), 0);
}

TEST_F(AdminCli, ResetCutShortIsNotCalledUpToDate) {
  seed_with_sold_tickets();
  auto killed =
      run_tool(env_.config_file(), "tl-admin", {"db", "reset", "--yes", "--delete-sold-tickets"},
               {{"TL_FAILPOINT", "reset-mid-drop"}});
  ASSERT_EQ(killed.exit_code, 128 + 9) << killed.err;
  const std::string where = "the database '" + env_.database() +
                            "' at 127.0.0.1:" + std::to_string(env_.sandbox().mysql_port);
  auto list = admin({"concert", "list"});
  expect_one_line_error(list, 8);
  EXPECT_EQ(list.err,
            "tl-admin: error: " + where + " has no TicketLemon schema; run: tl-admin db migrate\n");
  auto migrate = admin({"db", "migrate"});
  expect_one_line_error(migrate, 8);
  EXPECT_EQ(
      migrate.err,
      "tl-admin: error: " + where +
          " has no schema version but its tables CONCERTS, CUSTOMERS, TICKETS hold rows, as a db "
          "reset cut short leaves them; finish the reset with: tl-admin db reset --yes\n");
  // What is left still counts: the paid ticket is not lost without the flag.
  expect_one_line_error(admin({"db", "reset", "--yes"}), 3,
                        "1 paid and 1 granted tickets of concert 'one'");
  ASSERT_EQ(admin({"db", "reset", "--yes", "--delete-sold-tickets"}).exit_code, 0);
  EXPECT_EQ(admin({"db", "migrate"}).out, up_to_date());
  EXPECT_EQ(admin({"concert", "list"}).exit_code, 0);
}

TEST_F(AdminCli, MissingTableExits8AndMigrateRecreatesIt) {
  ASSERT_EQ(admin({"seed", dir_.write("one.toml", kOneConcert)}).exit_code, 0);
  sql("DROP TABLE AUDIT_LOG");
  const std::string where = "the database '" + env_.database() +
                            "' at 127.0.0.1:" + std::to_string(env_.sandbox().mysql_port);
  auto list = admin({"concert", "list"});
  expect_one_line_error(list, 8);
  EXPECT_EQ(list.err, "tl-admin: error: " + where + " has schema version " +
                          std::to_string(newest_migration()) +
                          " but lacks the table AUDIT_LOG; run: tl-admin db migrate\n");
  auto migrate = admin({"db", "migrate"});
  ASSERT_EQ(migrate.exit_code, 0) << migrate.err;
  EXPECT_EQ(migrate.out, "Recreated missing tables, empty: AUDIT_LOG.\n" + up_to_date());
  EXPECT_EQ(admin({"concert", "show", "one"}).exit_code, 0);
}

TEST_F(AdminCli, ConcertOpenReopensAClosedConcert) {
  ASSERT_EQ(admin({"seed", dir_.write("one.toml", kOneConcert)}).exit_code, 0);
  ASSERT_EQ(admin({"concert", "close", "one"}).exit_code, 0);
  auto opened = admin({"concert", "open", "one"});
  ASSERT_EQ(opened.exit_code, 0) << opened.err;
  EXPECT_EQ(opened.out, "Concert 1 (one) is open.\n");
  auto j = admin({"concert", "open", "one", "--json"});
  ASSERT_EQ(j.exit_code, 0);
  EXPECT_EQ(json::parse(j.out)["concert"]["status"], "OPEN");
  EXPECT_EQ(rows("AUDIT_LOG WHERE action = 'concert-opened' AND detail = 'one'"), 1);
  expect_one_line_error(admin({"concert", "open", "none"}), 4, "no concert 'none'");
  expect_one_line_error(admin({"concert", "open"}), 2, "CONCERT is required");
}

TEST_F(AdminCli, CurrencyChangeOfAConcertWithSalesExits3) {
  const std::string file = seed_with_sold_tickets();
  std::string dollars = kOneConcert;
  dollars.replace(dollars.find("EUR"), 3, "USD");
  auto r = admin({"seed", dir_.write("usd.toml", dollars)});
  expect_one_line_error(r, 3);
  EXPECT_EQ(r.err,
            "tl-admin: error: concert 'one': cannot change the currency from EUR to USD: 2 tickets "
            "are held "
            "or sold in EUR\n");
  EXPECT_EQ(count("SELECT COUNT(*) FROM CONCERTS WHERE currency = 'EUR'"), 1);
}

TEST_F(AdminCli, AmountsAndTimesBeyondTheColumnsExit2) {
  const std::vector<std::string> base = {"concert",         "create", "--slug",     "x",
                                         "--name",          "X",      "--rows",     "1",
                                         "--seats-per-row", "1",      "--currency", "EUR"};
  auto with = [&](std::vector<std::string> more) {
    std::vector<std::string> args = base;
    args.insert(args.end(), more.begin(), more.end());
    return admin(args);
  };
  auto dear = with({"--price", "5000000000", "--max-seats-per-ticket", "2"});
  expect_one_line_error(dear, 2);
  EXPECT_EQ(dear.err,
            "tl-admin: error: price 5000000000.00 x max-seats-per-ticket 2 is 10000000000.00, more "
            "than a "
            "ticket's amount can hold (9999999999.99)\n");
  auto early = with({"--price", "1", "--starts-at", "0999-12-31T23:59:59Z"});
  expect_one_line_error(early, 2);
  EXPECT_EQ(
      early.err,
      "tl-admin: error: starts-at: '0999-12-31T23:59:59Z' is outside the years 1000 to 9999 (UTC) "
      "that MySQL can store\n");
  auto late = with({"--price", "1", "--starts-at", "9999-12-31T23:30:00-01:00"});
  expect_one_line_error(late, 2, "is outside the years 1000 to 9999 (UTC) that MySQL can store");
  EXPECT_EQ(rows("CONCERTS"), 0);
  auto fits = with({"--price", "4999999999.99", "--max-seats-per-ticket", "2", "--starts-at",
                    "9999-12-31T23:59:59Z"});
  ASSERT_EQ(fits.exit_code, 0) << fits.err;
}

}  // namespace
}  // namespace ticket
