// tl-apply-free and the operator's tl-admin commands run as people would:
// applications, grants, rejections, cancel, listings (table, JSON, CSV),
// stats, audit and mock data; bad input refused without a trace.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <map>
#include <nlohmann/json.hpp>

#include "support/csv.h"
#include "support/process.h"
#include "support/sale.h"
#include "support/servers.h"
#include "support/sql.h"
#include "ticket/seat_map.h"
#include "ticket/text.h"

namespace ticket {
namespace {

using nlohmann::json;
using testing::CsvRows;
using testing::exec_sql;
using testing::line_count;
using testing::make_concert;
using testing::mysql_taken;
using testing::parse_csv;
using testing::redis_taken;
using testing::run_tool;
using testing::scalar_sql;
using testing::TestEnv;
using testing::ToolRun;

TEST(CsvParser, ReadsQuotedFieldsWithCommasQuotesAndLineBreaks) {
  const CsvRows rows = parse_csv("a,b,c\r\n\"x, y\",\"say \"\"hi\"\"\",\"two\r\nlines\"\r\n,,\r\n");
  ASSERT_EQ(rows.size(), 3u);
  EXPECT_EQ(rows[0], (std::vector<std::string>{"a", "b", "c"}));
  EXPECT_EQ(rows[1], (std::vector<std::string>{"x, y", "say \"hi\"", "two\r\nlines"}));
  EXPECT_EQ(rows[2], (std::vector<std::string>{"", "", ""}));
}

class OperatorCli : public ::testing::Test {
 protected:
  OperatorCli() : ctx_(env_.context()), concert_(make_concert(*ctx_, {4, 5, 3, 300, 2})) {}

  ToolRun admin(const std::vector<std::string>& args) {
    return run_tool(env_.config_file(), "tl-admin", args);
  }

  ToolRun apply(const std::string& id, const std::vector<std::string>& extra = {},
                const std::string& name = "Ann Lee") {
    std::vector<std::string> args = {
        "--concert", concert_.slug, "--name",      name, "--age", "30",
        "--gender",  "female",      "--id-number", id,   "--q1",  "Because I love them.",
        "--q2",      "The encore.", "--q3",        "No."};
    // A flag of `extra` that is already there replaces its value.
    for (size_t i = 0; i < extra.size(); ++i) {
      auto at = std::find(args.begin(), args.end(), extra[i]);
      if (at != args.end() && i + 1 < extra.size() && extra[i].rfind("--", 0) == 0) {
        *(at + 1) = extra[++i];
      } else {
        args.push_back(extra[i]);
      }
    }
    return run_tool(env_.config_file(), "tl-apply-free", args);
  }
  std::string apply_code(const std::string& id, const std::vector<std::string>& extra = {},
                         const std::string& name = "Ann Lee") {
    std::vector<std::string> args = extra;
    args.push_back("-q");
    ToolRun r = apply(id, args, name);
    EXPECT_EQ(r.exit_code, 0) << r.err;
    return r.out.substr(0, 11);
  }
  std::string buy_code(const std::string& seat, const std::string& id) {
    ToolRun r = run_tool(env_.config_file(), "tl-buy",
                         {"--concert", concert_.slug, "--seat", seat, "--name", "Bo Buyer", "--age",
                          "40", "--gender", "male", "--id-number", id, "-q"});
    EXPECT_EQ(r.exit_code, 0) << r.err;
    return r.out.substr(0, 11);
  }
  ToolRun apply_run(const std::vector<std::string>& args) {
    return run_tool(env_.config_file(), "tl-apply-free", args);
  }
  int64_t sql(const std::string& query) { return scalar_sql(**ctx_->db(), query); }
  void change(const std::string& statement) {
    EXPECT_EQ(exec_sql(**ctx_->db(), statement), 0) << statement;
  }

  static void expect_one_line_error(const ToolRun& r, const std::string& tool, int code,
                                    const std::string& what, const std::string& message = "") {
    EXPECT_EQ(r.exit_code, code) << what << ": " << r.err << r.out;
    EXPECT_EQ(r.out, "") << what;
    EXPECT_EQ(line_count(r.err), 1) << what << ": " << r.err;
    EXPECT_EQ(r.err.rfind(tool + ": error: ", 0), 0u) << what << ": " << r.err;
    EXPECT_LT(r.err.size(), 400u) << what;
    if (!message.empty()) {
      EXPECT_EQ(r.err, tool + ": error: " + message + "\n") << what;
    }
  }

  TestEnv env_;
  std::unique_ptr<Context> ctx_;
  Concert concert_;
};

TEST_F(OperatorCli, ApplyFreePrintsTheApplicationAndRefusesASecondOne) {
  ToolRun r = apply("AF000001", {"--json"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const json t = json::parse(r.out)["ticket"];
  for (const char* field : {"code", "concert_id", "zone", "status", "reason", "seats", "amount",
                            "currency", "hold_expires_at"})
    EXPECT_TRUE(t.contains(field)) << field;
  EXPECT_EQ(t["zone"], "FREE");
  EXPECT_EQ(t["status"], "PROCESS");
  EXPECT_EQ(t["seats"], json::array());
  EXPECT_TRUE(t["hold_expires_at"].is_null());
  EXPECT_EQ(t["concert_id"], concert_.id);
  EXPECT_EQ(t["code"].get<std::string>().substr(0, 3), "TF-");

  ToolRun text = apply("AF000002");
  ASSERT_EQ(text.exit_code, 0) << text.err;
  EXPECT_NE(text.out.find("Status:    PROCESS"), std::string::npos) << text.out;
  EXPECT_NE(text.out.find("Ann Lee, id ****0002"), std::string::npos) << text.out;

  expect_one_line_error(
      apply("af000001"), "tl-apply-free", 3, "second application",
      "this customer already has an active application or ticket for concert " + concert_.slug);
  ASSERT_EQ(admin({"concert", "close", concert_.slug}).exit_code, 0);
  expect_one_line_error(apply("AF000003"), "tl-apply-free", 5, "closed concert",
                        "applications for concert " + concert_.slug + " are closed");
  EXPECT_EQ(sql("SELECT COUNT(*) FROM TICKETS"), 2);
}

TEST_F(OperatorCli, BadApplyFreeInputExits2AndWritesNothing) {
  // A single argument is at most 128 KB on Linux.
  const std::string big(100 * 1024, 'q');
  auto with = [&](const std::string& flag, const std::string& value) {
    std::vector<std::string> args = {
        "--concert",   concert_.slug, "--name", "Ann", "--age", "30", "--gender", "Male",
        "--id-number", "ID123456",    "--q1",   "a",   "--q2",  "b",  "--q3",     "c"};
    for (size_t i = 0; i < args.size(); i += 2) {
      if (args[i] == flag) args[i + 1] = value;
    }
    return args;
  };
  struct Case {
    std::string what;
    std::vector<std::string> args;
  };
  const std::vector<Case> cases = {
      {"empty q1", with("--q1", "")},
      {"2001 characters", with("--q2", std::string(2001, 'x'))},
      {"100 KB answer", with("--q3", big)},
      {"control character", with("--q1", "hi\x1b[2J")},
      {"NUL-free bell", with("--q2", "ring\x07")},
      {"invalid UTF-8", with("--q3", "\xc3\x28")},
      {"empty name", with("--name", "")},
      {"newline in name", with("--name", "Ann\nLee")},
      {"negative age", with("--age", "-1")},
      {"20-digit age", with("--age", "12345678901234567890")},
      {"gender", with("--gender", "robot")},
      {"short id", with("--id-number", "123")},
      {"SQL id", with("--id-number", "1'; DROP TABLE TICKETS; --")},
      {"SQL concert", with("--concert", "x' OR 1=1 --")},
      {"empty concert", with("--concert", "")},
      {"missing q3",
       {"--concert", concert_.slug, "--name", "Ann", "--age", "30", "--gender", "Male",
        "--id-number", "ID123456", "--q1", "a", "--q2", "b"}},
      {"unknown flag", {"--concert", concert_.slug, "--q4", "d"}},
  };
  for (const auto& c : cases) expect_one_line_error(apply_run(c.args), "tl-apply-free", 2, c.what);
  Concert no_free = make_concert(*ctx_, {1, 1, 0, 300, 1});
  expect_one_line_error(apply_run(with("--concert", no_free.slug)), "tl-apply-free", 2,
                        "no free seats", "concert " + no_free.slug + " gives away no free seats");
  expect_one_line_error(apply_run(with("--concert", "no-such-concert")), "tl-apply-free", 4,
                        "unknown concert");
  EXPECT_EQ(sql("SELECT COUNT(*) FROM TICKETS"), 0);
  EXPECT_EQ(sql("SELECT COUNT(*) FROM CUSTOMERS"), 0);
  EXPECT_EQ(sql("SELECT COUNT(*) FROM TICKETS_APPLY_FREE"), 0);
  EXPECT_EQ(sql("SELECT COUNT(*) FROM AUDIT_LOG WHERE ticket_code IS NOT NULL"), 0);
}

TEST_F(OperatorCli, BadAdminInputExits2AndUnknownCodesExit4AndWriteNothing) {
  const std::string app = apply_code("BA000001");
  const std::string held = buy_code("A1", "BA000002");
  const int64_t audit_before = sql("SELECT COUNT(*) FROM AUDIT_LOG");
  struct Case {
    std::string what;
    std::vector<std::string> args;
    std::string message;
  };
  const std::vector<Case> bad = {
      {"grant word", {"grant", "abc"}, "'abc' is not a ticket code (codes look like TB-7K3MQ9XZ)"},
      {"grant SQL", {"grant", "TF-1' OR 1=1"}, ""},
      {"grant nothing", {"grant"}, ""},
      {"reject empty note",
       {"reject", app, "--note", ""},
       "--note must be 1 to 500 printable characters, got ''"},
      {"reject control note", {"reject", app, "--note", "x\x1b[31m"}, ""},
      {"reject long note", {"reject", app, "--note", std::string(501, 'n')}, ""},
      {"reject-pending no concert", {"reject-pending"}, ""},
      {"reject-pending empty concert", {"reject-pending", "--concert", ""}, ""},
      {"reject-pending 20 digits", {"reject-pending", "--concert", "12345678901234567890"}, ""},
      {"applications no concert", {"applications"}, ""},
      {"applications bad page", {"applications", "--concert", concert_.slug, "--page", "0"}, ""},
      {"tickets status",
       {"tickets", "--status", "PAID"},
       "--status must be PROCESS, SUCCESS or FAIL, got 'PAID'"},
      {"tickets zone", {"tickets", "--zone", "VIP"}, "--zone must be BUY or FREE, got 'VIP'"},
      {"tickets page",
       {"tickets", "--page", "-1"},
       "--page must be a whole number from 1, got '-1'"},
      {"tickets limit", {"tickets", "--limit", "10001"}, ""},
      {"tickets format",
       {"tickets", "--format", "xml"},
       "--format must be table, json or csv, got 'xml'"},
      {"tickets concert SQL", {"tickets", "--concert", "x' OR 1=1 --"}, ""},
      {"stats no concert", {"stats"}, ""},
      {"stats bad concert", {"stats", "--concert", "-1"}, ""},
      {"cancel no reason", {"cancel", held}, ""},
      {"cancel empty reason",
       {"cancel", held, "--reason", ""},
       "--reason must be 1 to 500 printable characters, got ''"},
      {"cancel newline reason", {"cancel", held, "--reason", "a\nb"}, ""},
      {"cancel 100 KB reason", {"cancel", held, "--reason", std::string(100 * 1024, 'r')}, ""},
      {"cancel word", {"cancel", "abc", "--reason", "x"}, ""},
      {"audit both",
       {"audit", "--ticket", held, "--concert", concert_.slug},
       "give --ticket or --concert, not both"},
      {"audit limit",
       {"audit", "--limit", "0"},
       "--limit must be a whole number from 1 to 10000, got '0'"},
      {"audit word ticket", {"audit", "--ticket", "abc"}, ""},
      {"mock zero",
       {"mock-data", "--concert", concert_.slug, "--customers", "0"},
       "--customers must be a whole number from 1 to 10000, got '0'"},
      {"mock word", {"mock-data", "--concert", concert_.slug, "--customers", "many"}, ""},
      {"mock too many", {"mock-data", "--concert", concert_.slug, "--customers", "10001"}, ""},
      {"mock no customers", {"mock-data", "--concert", concert_.slug}, ""},
      {"empty actor", {"--actor", "", "grant", app}, ""},
      {"control actor", {"--actor", "ev\x01l", "grant", app}, ""},
  };
  for (const auto& c : bad) expect_one_line_error(admin(c.args), "tl-admin", 2, c.what, c.message);
  ToolRun both = admin({"tickets", "--json", "--format", "csv"});
  EXPECT_EQ(both.exit_code, 2);
  EXPECT_EQ(both.err, "");
  EXPECT_EQ(json::parse(both.out)["error"]["message"],
            "--json and --format csv disagree; give one of them");
  const std::vector<Case> unknown = {
      {"grant", {"grant", "TF-ZZZZZZZZ"}, "no ticket TF-ZZZZZZZZ"},
      {"reject", {"reject", "TF-ZZZZZZZZ"}, "no ticket TF-ZZZZZZZZ"},
      {"cancel", {"cancel", "TB-ZZZZZZZZ", "--reason", "x"}, "no ticket TB-ZZZZZZZZ"},
      {"audit", {"audit", "--ticket", "tb-zzzzzzzz"}, "no ticket TB-ZZZZZZZZ"},
      {"reject-pending", {"reject-pending", "--concert", "nope"}, ""},
      {"stats", {"stats", "--concert", "nope"}, ""},
      {"mock-data", {"mock-data", "--concert", "nope", "--customers", "3"}, ""},
  };
  for (const auto& c : unknown)
    expect_one_line_error(admin(c.args), "tl-admin", 4, c.what, c.message);
  EXPECT_EQ(sql("SELECT COUNT(*) FROM AUDIT_LOG"), audit_before);
  EXPECT_EQ(sql("SELECT COUNT(*) FROM TICKETS WHERE status = 'PROCESS'"), 2);
  EXPECT_EQ(sql("SELECT COUNT(*) FROM TICKETS_APPLY_FREE WHERE decided_by IS NULL"), 1);
  EXPECT_EQ(sql("SELECT COUNT(*) FROM CUSTOMERS"), 2);
  EXPECT_EQ(redis_taken(*ctx_, concert_), std::set<int>{0});
}

TEST_F(OperatorCli, GrantRejectPendingAndCancelFreeSeatsForTheNextCustomer) {
  std::vector<std::string> apps;
  for (int i = 0; i < 5; ++i) apps.push_back(apply_code("GC00000" + std::to_string(i)));
  ToolRun g = admin({"grant", apps[0]});
  ASSERT_EQ(g.exit_code, 0) << g.err;
  EXPECT_EQ(g.out.rfind("Granted FREE-1 to " + apps[0] + " (Ann Lee).\n", 0), 0u) << g.out;
  ToolRun gj = admin({"grant", apps[1], "--json"});
  ASSERT_EQ(gj.exit_code, 0) << gj.err;
  EXPECT_EQ(json::parse(gj.out)["ticket"]["seats"], json::array({"FREE-2"}));
  ToolRun rj = admin({"reject", apps[2], "--note", "not this time", "--json"});
  ASSERT_EQ(rj.exit_code, 0) << rj.err;
  EXPECT_EQ(json::parse(rj.out)["ticket"]["reason"], "REJECTED");
  expect_one_line_error(admin({"reject", apps[2]}), "tl-admin", 3, "reject twice",
                        "application " + apps[2] + " was already rejected");

  ToolRun rp = admin({"reject-pending", "--concert", concert_.slug, "--json"});
  ASSERT_EQ(rp.exit_code, 0) << rp.err;
  const json rpj = json::parse(rp.out);
  EXPECT_EQ(rpj["rejected"], 2);
  EXPECT_EQ(rpj["tickets"], json::array({apps[3], apps[4]}));
  EXPECT_EQ(admin({"reject-pending", "--concert", concert_.slug}).out,
            "Rejected 0 pending applications of concert " + concert_.slug + ".\n");
  ToolRun pending = admin({"applications", "--concert", concert_.slug, "--pending", "--json"});
  ASSERT_EQ(pending.exit_code, 0) << pending.err;
  EXPECT_EQ(json::parse(pending.out)["tickets"], json::array());
  EXPECT_EQ(json::parse(pending.out)["total"], 0);
  EXPECT_EQ(sql("SELECT COUNT(*) FROM TICKETS WHERE status = 'PROCESS'"), 0);

  // The last free seat, then none left.
  const std::string third = apply_code("GC000009");
  ASSERT_EQ(admin({"grant", third, "-q"}).out, "FREE-3\n");
  const std::string fourth = apply_code("GC000010");
  expect_one_line_error(admin({"grant", fourth}), "tl-admin", 3, "no seat left",
                        "no free seat left in concert " + concert_.slug);

  // Cancel frees a sold seat for the next buyer, in MySQL and in Redis.
  const std::string sold = buy_code("B2", "GC000011");
  ASSERT_EQ(
      run_tool(env_.config_file(), "tl-pay", {sold, "--platform", "DIRECT", "--reference", "GC-1"})
          .exit_code,
      0);
  ToolRun c = admin({"cancel", sold, "--reason", "customer asked for a refund"});
  ASSERT_EQ(c.exit_code, 0) << c.err;
  EXPECT_EQ(c.out, "Cancelled " + sold +
                       "; released B2.\nIts payment of 10.00 EUR is now due back (tl-admin "
                       "refund).\n");
  EXPECT_TRUE(mysql_taken(*ctx_, concert_).empty());
  EXPECT_TRUE(redis_taken(*ctx_, concert_).empty());
  expect_one_line_error(admin({"cancel", sold, "--reason", "again"}), "tl-admin", 3, "cancel twice",
                        "ticket " + sold + " was already cancelled");
  buy_code("B2", "GC000012");
  EXPECT_EQ(redis_taken(*ctx_, concert_), std::set<int>{6});
  // And a granted free seat for the next applicant.
  ASSERT_EQ(admin({"cancel", apps[0], "--reason", "no show"}).exit_code, 0);
  ASSERT_EQ(admin({"grant", fourth, "-q"}).out, "FREE-1\n");
  auto status = run_tool(env_.config_file(), "tl-status", {"--concert", concert_.slug, "--json"});
  ASSERT_EQ(status.exit_code, 0) << status.err;
  EXPECT_EQ(json::parse(status.out)["free_zone"],
            (json{{"total", 3}, {"granted", 3}, {"pending", 0}}));
}

TEST_F(OperatorCli, CsvOutputParsesBackToTheSameRows) {
  apply_code("CS000001", {"--q1", "First, \"quoted\"\nand a second line", "--q3", "tab\there"},
             "Lee, \"Ann\" Marie");
  const std::string granted = apply_code("CS000002", {}, "Zoë O'Brien");
  ASSERT_EQ(admin({"grant", granted}).exit_code, 0);
  const std::string paid = buy_code("C3", "CS000003");
  ASSERT_EQ(
      run_tool(env_.config_file(), "tl-pay", {paid, "--platform", "QRCODE", "--reference", "Q-1"})
          .exit_code,
      0);
  buy_code("C4", "CS000004");

  ToolRun csv = admin({"tickets", "--concert", concert_.slug, "--format", "csv"});
  ASSERT_EQ(csv.exit_code, 0) << csv.err;
  ToolRun js = admin({"tickets", "--concert", concert_.slug, "--format", "json"});
  ASSERT_EQ(js.exit_code, 0) << js.err;
  EXPECT_EQ(js.out, admin({"tickets", "--concert", concert_.slug, "--json"}).out)
      << "--json is --format json";
  const json listed = json::parse(js.out);
  EXPECT_EQ(listed["total"], 4);
  EXPECT_EQ(listed["page"], 1);
  EXPECT_EQ(listed["limit"], 100);
  const CsvRows rows = parse_csv(csv.out);
  const std::vector<std::string> header = {"code",      "concert_id",    "zone",
                                           "status",    "reason",        "seats",
                                           "amount",    "currency",      "hold_expires_at",
                                           "paid_at",   "customer_name", "customer_id_number",
                                           "created_at"};
  ASSERT_EQ(rows.size(), 5u) << csv.out;
  EXPECT_EQ(rows[0], header);
  auto text = [](const json& v) {
    if (v.is_null()) return std::string();
    if (v.is_string()) return v.get<std::string>();
    if (v.is_array()) {
      std::string out;
      for (const auto& s : v) out += (out.empty() ? "" : " ") + s.get<std::string>();
      return out;
    }
    return v.dump();
  };
  for (size_t i = 0; i < 4; ++i) {
    const json& t = listed["tickets"][i];
    const auto& row = rows[i + 1];
    ASSERT_EQ(row.size(), header.size());
    for (size_t k = 0; k < header.size(); ++k) {
      const std::string& field = header[k];
      json expected = field == "customer_name"        ? t["customer"]["name"]
                      : field == "customer_id_number" ? t["customer"]["id_number"]
                                                      : t[field];
      EXPECT_EQ(row[k], text(expected)) << "row " << i << " " << field;
    }
  }
  EXPECT_EQ(rows[1][10], "Lee, \"Ann\" Marie");

  ToolRun acsv = admin({"applications", "--concert", concert_.slug, "--format", "csv"});
  ASSERT_EQ(acsv.exit_code, 0) << acsv.err;
  ToolRun ajs = admin({"applications", "--concert", concert_.slug, "--json"});
  ASSERT_EQ(ajs.exit_code, 0) << ajs.err;
  const json apps = json::parse(ajs.out);
  const CsvRows arows = parse_csv(acsv.out);
  ASSERT_EQ(arows.size(), 3u) << acsv.out;
  ASSERT_EQ(arows[0].size(), header.size() + 6);
  EXPECT_EQ(arows[0][13], "q1");
  for (size_t i = 0; i < 2; ++i) {
    const json& a = apps["tickets"][i];
    EXPECT_EQ(arows[i + 1][0], a["code"]);
    EXPECT_EQ(arows[i + 1][10], a["customer"]["name"]);
    EXPECT_EQ(arows[i + 1][13], a["answers"]["q1"]);
    EXPECT_EQ(arows[i + 1][14], a["answers"]["q2"]);
    EXPECT_EQ(arows[i + 1][15], a["answers"]["q3"]);
    EXPECT_EQ(arows[i + 1][16], text(a["decided_by"]));
    EXPECT_EQ(arows[i + 1][17], text(a["decided_at"]));
  }
  EXPECT_EQ(arows[1][13], "First, \"quoted\"\nand a second line");
  EXPECT_EQ(arows[1][15], "tab\there");
  EXPECT_EQ(arows[2][5], "FREE-1");
  EXPECT_EQ(apps["tickets"][0]["answers"]["q2"], "The encore.");

  // Pages of the CSV put together are the whole CSV.
  const CsvRows first = parse_csv(
      admin({"tickets", "--concert", concert_.slug, "--format", "csv", "--limit", "3"}).out);
  EXPECT_EQ(first, CsvRows(rows.begin(), rows.begin() + 4));
  const CsvRows second = parse_csv(admin({"tickets", "--concert", concert_.slug, "--format", "csv",
                                          "--limit", "3", "--page", "2"})
                                       .out);
  ASSERT_EQ(second.size(), 2u);
  EXPECT_EQ(second[1], rows[4]);
}

TEST_F(OperatorCli, TicketsTableFiltersAndQuietCodes) {
  const std::string app = apply_code("TT000001");
  const std::string held = buy_code("A3", "TT000002");
  ToolRun table = admin({"tickets", "--zone", "buy"});
  ASSERT_EQ(table.exit_code, 0) << table.err;
  EXPECT_EQ(table.out.rfind("CODE ", 0), 0u) << table.out;
  EXPECT_NE(table.out.find(held), std::string::npos);
  EXPECT_EQ(table.out.find(app), std::string::npos);
  EXPECT_NE(table.out.find("Page 1 of 1: 1-1 of 1 tickets."), std::string::npos) << table.out;
  EXPECT_EQ(admin({"tickets", "--status", "process", "-q"}).out, app + "\n" + held + "\n");
  EXPECT_EQ(admin({"tickets", "--status", "success"}).out, "Page 1 of 1: none of 0 tickets.\n");
  ToolRun apps = admin({"applications", "--concert", concert_.slug});
  ASSERT_EQ(apps.exit_code, 0) << apps.err;
  EXPECT_NE(apps.out.find("  Q1: Because I love them.\n"), std::string::npos) << apps.out;
}

TEST_F(OperatorCli, StatsAgreesWithTheTicketsListing) {
  ToolRun mock = admin({"mock-data", "--concert", concert_.slug, "--customers", "25", "--json"});
  ASSERT_EQ(mock.exit_code, 0) << mock.err;
  const json m = json::parse(mock.out);
  EXPECT_EQ(m["customers"], 25);
  EXPECT_EQ(m["paid"].get<int>() + m["held"].get<int>() + m["granted"].get<int>() +
                m["rejected"].get<int>() + m["pending"].get<int>() + m["skipped"].get<int>(),
            25);

  ToolRun st = admin({"stats", "--concert", concert_.slug, "--json"});
  ASSERT_EQ(st.exit_code, 0) << st.err;
  const json s = json::parse(st.out);
  for (const char* field : {"sold", "held", "expired", "free_granted", "free_pending", "revenue",
                            "currency", "fill_percent", "conversion_percent"})
    EXPECT_TRUE(s.contains(field)) << field;
  ToolRun list = admin({"tickets", "--concert", concert_.slug, "--json", "--limit", "10000"});
  ASSERT_EQ(list.exit_code, 0) << list.err;
  int64_t sold = 0, held = 0, expired = 0, granted = 0, pending = 0, revenue_cents = 0;
  const json listed = json::parse(list.out);
  for (const json& t : listed["tickets"]) {
    const auto seats = static_cast<int64_t>(t["seats"].size());
    const std::string status = t["status"], zone = t["zone"];
    if (zone == "BUY" && status == "SUCCESS") {
      sold += seats;
      const std::string amount = t["amount"];
      revenue_cents += std::stoll(amount.substr(0, amount.size() - 3)) * 100 +
                       std::stoll(amount.substr(amount.size() - 2));
    }
    if (zone == "BUY" && status == "PROCESS") held += seats;
    if (zone == "BUY" && t["reason"] == "EXPIRED") expired += seats;
    if (zone == "FREE" && status == "SUCCESS") granted += seats;
    if (zone == "FREE" && status == "PROCESS") ++pending;
  }
  EXPECT_EQ(s["sold"], sold);
  EXPECT_EQ(s["held"], held);
  EXPECT_EQ(s["expired"], expired);
  EXPECT_EQ(s["free_granted"], granted);
  EXPECT_EQ(s["free_pending"], pending);
  char revenue[32];
  std::snprintf(revenue, sizeof revenue, "%lld.%02lld", static_cast<long long>(revenue_cents / 100),
                static_cast<long long>(revenue_cents % 100));
  EXPECT_EQ(s["revenue"], revenue);
  EXPECT_EQ(s["currency"], "EUR");
  EXPECT_DOUBLE_EQ(s["fill_percent"].get<double>(),
                   std::round(1000.0 * static_cast<double>(sold + granted) / 23.0) / 10.0);
  if (sold + held + expired > 0) {
    EXPECT_DOUBLE_EQ(s["conversion_percent"].get<double>(),
                     std::round(1000.0 * static_cast<double>(sold) /
                                static_cast<double>(sold + held + expired)) /
                         10.0);
  }
  ToolRun text = admin({"stats", "--concert", concert_.slug});
  ASSERT_EQ(text.exit_code, 0) << text.err;
  EXPECT_NE(text.out.find("Revenue:"), std::string::npos) << text.out;
}

TEST_F(OperatorCli, EveryAdminActionRecordsWhoDidIt) {
  const std::string a = apply_code("AC000001");
  const std::string b = apply_code("AC000002");
  const std::string c = apply_code("AC000003");
  const std::string held = buy_code("D1", "AC000004");
  ASSERT_EQ(admin({"--actor", "alice", "grant", a}).exit_code, 0);
  ASSERT_EQ(admin({"reject", b, "--actor", "Bob Ops", "--note", "late"}).exit_code, 0);
  ASSERT_EQ(admin({"reject-pending", "--concert", concert_.slug, "--actor", "carol"}).exit_code, 0);
  ASSERT_EQ(admin({"cancel", held, "--reason", "fraud check"}).exit_code, 0);
  EXPECT_EQ(sql("SELECT COUNT(*) FROM AUDIT_LOG WHERE actor = 'alice' AND action = 'granted' AND "
                "ticket_code = '" +
                a + "'"),
            1);
  EXPECT_EQ(sql("SELECT COUNT(*) FROM AUDIT_LOG WHERE actor = 'Bob Ops' AND action = 'rejected' "
                "AND detail = 'late'"),
            1);
  EXPECT_EQ(sql("SELECT COUNT(*) FROM AUDIT_LOG WHERE actor = 'carol' AND action = 'rejected' AND "
                "ticket_code = '" +
                c + "'"),
            1);
  const std::string os_user = Context(Config{}).actor();  // the default actor
  EXPECT_EQ(sql("SELECT COUNT(*) FROM AUDIT_LOG WHERE actor = '" + os_user +
                "' AND action = 'cancelled' AND detail = 'fraud check'"),
            1);
  EXPECT_EQ(sql("SELECT COUNT(*) FROM TICKETS_APPLY_FREE WHERE decided_by = 'alice'"), 1);
  EXPECT_EQ(sql("SELECT COUNT(*) FROM TICKETS_APPLY_FREE WHERE decided_by = 'carol'"), 1);
  ASSERT_EQ(admin({"--actor", "dora", "mock-data", "--concert", concert_.slug, "--customers", "3"})
                .exit_code,
            0);
  EXPECT_EQ(sql("SELECT COUNT(*) FROM AUDIT_LOG WHERE actor <> 'dora' AND id > (SELECT MAX(id) "
                "FROM AUDIT_LOG"
                " WHERE action = 'cancelled')"),
            0);

  ToolRun audit = admin({"audit", "--ticket", a, "--json"});
  ASSERT_EQ(audit.exit_code, 0) << audit.err;
  const json events = json::parse(audit.out)["events"];
  ASSERT_EQ(events.size(), 2u);
  EXPECT_EQ(events[0]["action"], "applied");
  EXPECT_EQ(events[1]["action"], "granted");
  EXPECT_EQ(events[1]["actor"], "alice");
  EXPECT_EQ(events[1]["ticket"], a);
  EXPECT_EQ(events[1]["detail"], "seat FREE-1");
  EXPECT_TRUE(events[1]["at"].is_string());
  ToolRun by_concert = admin({"audit", "--concert", concert_.slug, "--limit", "2", "--json"});
  ASSERT_EQ(by_concert.exit_code, 0) << by_concert.err;
  EXPECT_EQ(json::parse(by_concert.out)["events"].size(), 2u);
  ToolRun table = admin({"audit", "--ticket", held});
  ASSERT_EQ(table.exit_code, 0) << table.err;
  EXPECT_NE(table.out.find("cancelled"), std::string::npos) << table.out;
  EXPECT_NE(table.out.find("fraud check"), std::string::npos) << table.out;
}

// Text that would drive a terminal, as SQL: ESC[2J (clear the screen) and
// an OSC title change, a C1 CSI colour, a right-to-left override.
const std::string kEscSql = "CONVERT(UNHEX('1B5B324A1B5D303B70776E656407') USING utf8mb4)";
const std::string kEscShown = "\\x1B[2J\\x1B]0;pwned\\x07";
const std::string kC1Sql = "CONVERT(UNHEX('C29B33316D') USING utf8mb4)";
const std::string kC1Shown = "\\u{9B}31m";
const std::string kBidiSql = "CONVERT(UNHEX('E280AE') USING utf8mb4)";
const std::string kBidiShown = "\\u{202E}";

void expect_terminal_safe(const ToolRun& r, const std::string& what) {
  EXPECT_EQ(r.exit_code, 0) << what << ": " << r.err;
  EXPECT_EQ(r.out.find('\x1b'), std::string::npos) << what << ": " << r.out;
  EXPECT_EQ(printable(r.out, "\n"), r.out) << what;
  EXPECT_EQ(printable(r.err, "\n"), r.err) << what;
}

TEST_F(OperatorCli, HumanOutputEscapesControlCharactersOfStoredText) {
  const std::string code = apply_code("ES000001");
  const std::string id = std::to_string(concert_.id);
  change("UPDATE CONCERTS SET name = CONCAT('Show', " + kEscSql + "), venue = CONCAT('Hall', " +
         kC1Sql + ") WHERE id = " + id);
  change(
      "UPDATE TICKETS_APPLY_FREE f JOIN TICKETS t ON t.id = f.ticket_id SET f.answer1 = CONCAT('A1 "
      "', " +
      kEscSql + "), f.answer2 = CONCAT('A2 ', " + kC1Sql + "), f.answer3 = CONCAT('A3 ', " +
      kBidiSql + ", 'x'), f.decided_by = CONCAT('op', " + kEscSql +
      "), f.decided_at = NOW(3), f.note = CONCAT('why', " + kC1Sql + ") WHERE t.code = '" + code +
      "'");
  change(
      "INSERT INTO AUDIT_LOG (at, actor, action, concert_id, ticket_code, detail) VALUES (NOW(3), "
      "CONCAT('mallory', " +
      kEscSql + "), 'applied', " + id + ", '" + code + "', CONCAT('detail', " + kC1Sql + ", " +
      kBidiSql + "))");

  ToolRun audit = admin({"audit", "--concert", concert_.slug});
  expect_terminal_safe(audit, "audit");
  EXPECT_NE(audit.out.find("mallory" + kEscShown), std::string::npos) << audit.out;
  EXPECT_NE(audit.out.find("detail" + kC1Shown + kBidiShown), std::string::npos) << audit.out;

  ToolRun apps = admin({"applications", "--concert", concert_.slug});
  expect_terminal_safe(apps, "applications");
  EXPECT_NE(apps.out.find("  Q1: A1 " + kEscShown + "\n"), std::string::npos) << apps.out;
  EXPECT_NE(apps.out.find("  Q2: A2 " + kC1Shown + "\n"), std::string::npos) << apps.out;
  EXPECT_NE(apps.out.find("  Q3: A3 " + kBidiShown + "x\n"), std::string::npos) << apps.out;
  EXPECT_NE(apps.out.find("Decided by op" + kEscShown), std::string::npos) << apps.out;
  EXPECT_NE(apps.out.find(": why" + kC1Shown + "\n"), std::string::npos) << apps.out;

  ToolRun show = admin({"concert", "show", concert_.slug});
  expect_terminal_safe(show, "concert show");
  EXPECT_NE(show.out.find("Show" + kEscShown + "\n"), std::string::npos) << show.out;
  EXPECT_NE(show.out.find("Hall" + kC1Shown + "\n"), std::string::npos) << show.out;
  expect_terminal_safe(admin({"concert", "list"}), "concert list");

  ToolRun status = run_tool(env_.config_file(), "tl-status", {"--concert", concert_.slug, "--map"});
  expect_terminal_safe(status, "tl-status --map");
  EXPECT_NE(status.out.find("(Show" + kEscShown + ")"), std::string::npos) << status.out;

  // The JSON output keeps the text as stored, escaped the JSON way.
  ToolRun js = admin({"audit", "--concert", concert_.slug, "--json"});
  ASSERT_EQ(js.exit_code, 0) << js.err;
  EXPECT_EQ(json::parse(js.out)["events"].back()["actor"], "mallory\x1b[2J\x1b]0;pwned\x07");
}

TEST_F(OperatorCli, ErrorLinesEscapeControlCharacters) {
  ToolRun r = admin({"--config", "/nonexistent/\x1b[2Jtl.toml", "count"});
  EXPECT_EQ(r.exit_code, 8) << r.err;
  EXPECT_EQ(r.err.find('\x1b'), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("\\x1B[2Jtl.toml"), std::string::npos) << r.err;
  EXPECT_EQ(line_count(r.err), 1) << r.err;
}

TEST_F(OperatorCli, CsvNeutralisesCellsASpreadsheetWouldRun) {
  const std::string a = apply_code("FX000001");
  const std::string b = apply_code("FX000002");
  change(
      "UPDATE TICKETS_APPLY_FREE f JOIN TICKETS t ON t.id = f.ticket_id SET "
      "f.answer1 = '=HYPERLINK(\"http://evil.example\",\"x\")', f.answer2 = '+1+2', f.answer3 = "
      "'-2+3' "
      "WHERE t.code = '" +
      a + "'");
  change(
      "UPDATE TICKETS_APPLY_FREE f JOIN TICKETS t ON t.id = f.ticket_id SET "
      "f.answer1 = '@SUM(A1:A9)', f.answer2 = CONCAT(CHAR(9), '=1+1'), f.answer3 = "
      "CONCAT(CHAR(13), '=1+1'), "
      "f.note = CONCAT('a=b, ', " +
      kEscSql + ") WHERE t.code = '" + b + "'");
  ToolRun csv = admin({"applications", "--concert", concert_.slug, "--format", "csv"});
  ASSERT_EQ(csv.exit_code, 0) << csv.err;
  EXPECT_EQ(csv.out.find('\x1b'), std::string::npos) << csv.out;
  const CsvRows rows = parse_csv(csv.out);
  ASSERT_EQ(rows.size(), 3u) << csv.out;
  std::map<std::string, std::vector<std::string>> by_code;
  for (size_t i = 1; i < rows.size(); ++i) by_code[rows[i][0]] = rows[i];
  ASSERT_EQ(by_code.count(a), 1u) << csv.out;
  ASSERT_EQ(by_code.count(b), 1u) << csv.out;
  EXPECT_EQ(by_code[a][13], "'=HYPERLINK(\"http://evil.example\",\"x\")");
  EXPECT_EQ(by_code[a][14], "'+1+2");
  EXPECT_EQ(by_code[a][15], "'-2+3");
  EXPECT_EQ(by_code[b][13], "'@SUM(A1:A9)");
  EXPECT_EQ(by_code[b][14], "'\t=1+1");
  EXPECT_EQ(by_code[b][15], "'\r=1+1");
  EXPECT_EQ(by_code[b][18], "a=b, " + kEscShown)
      << "only the first character counts; controls escaped";
  EXPECT_EQ(by_code[a][6], "0.00") << "numbers are not touched";
  EXPECT_EQ(by_code[a][1], std::to_string(concert_.id));

  // The JSON listing keeps the answers as they are.
  const json js = json::parse(admin({"applications", "--concert", concert_.slug, "--json"}).out);
  for (const json& t : js["tickets"]) {
    if (t["code"] == a) {
      EXPECT_EQ(t["answers"]["q2"], "+1+2");
    }
  }
}

// reconcile --repair after real drift (a free seat shown taken) writes one
// 'repaired' audit entry naming the seat it freed; only looking writes none.
TEST_F(OperatorCli, ReconcileRepairIsAuditedWithTheSeatsItChanged) {
  ASSERT_EQ(admin({"reconcile", "--concert", concert_.slug}).exit_code, 0);
  testing::redis_do(*ctx_, {"SETBIT", seat_map_keys(*ctx_, concert_.id).buy, "7", "1"});
  ToolRun found = admin({"reconcile", "--concert", concert_.slug});
  EXPECT_EQ(found.exit_code, 6) << found.err;
  ToolRun fixed = admin({"--actor", "erin", "reconcile", "--concert", concert_.slug, "--repair"});
  EXPECT_EQ(fixed.exit_code, 0) << fixed.err;

  ToolRun audit = admin({"audit", "--concert", concert_.slug, "--json"});
  ASSERT_EQ(audit.exit_code, 0) << audit.err;
  const json events = json::parse(audit.out)["events"];
  std::vector<json> repairs;
  for (const json& e : events)
    if (e["action"] == "repaired") repairs.push_back(e);
  ASSERT_EQ(repairs.size(), 1u) << audit.out;
  EXPECT_EQ(repairs[0]["detail"], "freed: B3");
  EXPECT_EQ(repairs[0]["actor"], "erin");
  EXPECT_EQ(repairs[0]["concert_id"], concert_.id);
}

}  // namespace
}  // namespace ticket
