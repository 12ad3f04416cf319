// tl-admin report on a scripted sale whose every figure is known: the same
// numbers in JSON, CSV and the table; bad input refused in one line.
#include <gtest/gtest.h>

#include <cstdio>
#include <map>
#include <nlohmann/json.hpp>
#include <thread>

#include "support/csv.h"
#include "support/process.h"
#include "support/sale.h"
#include "support/servers.h"
#include "support/sql.h"
#include "ticket/apply_free.h"
#include "ticket/buy.h"
#include "ticket/cancel.h"
#include "ticket/checkin.h"
#include "ticket/expire.h"
#include "ticket/grant.h"
#include "ticket/passes.h"
#include "ticket/pay.h"
#include "ticket/payments.h"
#include "ticket/reject.h"

namespace ticket {
namespace {

using nlohmann::json;
using testing::buyer;
using testing::line_count;
using testing::make_concert;
using testing::parse_csv;
using testing::run_tool;
using testing::TempDir;
using testing::TestEnv;
using testing::ToolRun;

class ReportCli : public ::testing::Test {
 protected:
  // Seven paid-zone tickets of 10.00: A1 and A2 paid with DIRECT, B1 with
  // QRCODE; A3 paid, cancelled and refunded; B2 cancelled while held; A4
  // expired; B3 paid, admitted at East and cancelled after. Three
  // applications: granted, rejected, pending. A1 admitted at North, B1 at
  // South. Then every time is set to a known one (set_times).
  void SetUp() override {
    ASSERT_TRUE(generate_key_pair("R1", keys_.path()).ok());
    Config config = env_.config();
    config.passes.signing_key_file = keys_.path() + "/R1.key";
    config.passes.verify_keys_file = keys_.path() + "/R1.pub";
    ctx_ = std::make_unique<Context>(config);
    Context& ctx = *ctx_;
    c_ = make_concert(ctx, {3, 4, 3, 1, 1});
    for (const char* seat : {"A1", "A2", "A3", "A4", "B1", "B2", "B3"}) {
      auto t = buy(ctx, buyer(c_, seat, std::string("REPORT") + seat));
      ASSERT_TRUE(t.ok()) << t.error().message();
      code_[seat] = t->code;
    }
    for (const auto& [seat, platform] :
         {std::pair{"A1", "DIRECT"}, std::pair{"A2", "DIRECT"}, std::pair{"A3", "DIRECT"},
          std::pair{"B1", "QRCODE"}, std::pair{"B3", "PAYPLAT"}})
      ASSERT_TRUE(pay(ctx, {code_[seat], platform, std::string("R-") + seat}).ok());
    ASSERT_TRUE(cancel(ctx, code_["A3"], "refund requested").ok());
    ASSERT_TRUE(refund_payment(ctx, code_["A3"], std::nullopt, "RF-A3").ok());
    ASSERT_TRUE(cancel(ctx, code_["B2"], "left the queue").ok());
    std::this_thread::sleep_for(std::chrono::milliseconds(1200));
    ASSERT_TRUE(expire_due(ctx, c_, 10).ok());
    for (const char* id : {"REPFREE1", "REPFREE2", "REPFREE3"}) {
      ApplyFreeRequest r;
      r.concert = c_.slug;
      r.customer = {std::string("Applicant ") + id, "25", "female", id};
      r.answers = {"Yes.", "The encore.", "No."};
      auto t = apply_free(ctx, r);
      ASSERT_TRUE(t.ok()) << t.error().message();
      code_[id] = t->code;
    }
    ASSERT_TRUE(grant(ctx, code_["REPFREE1"]).ok());
    ASSERT_TRUE(reject(ctx, code_["REPFREE2"], std::string("full")).ok());
    for (const auto& [seat, gate] :
         {std::pair{"A1", "North"}, std::pair{"B1", "South"}, std::pair{"B3", "East"}}) {
      auto pass = issue_pass(ctx, code_[seat]);
      ASSERT_TRUE(pass.ok()) << pass.error().message();
      ASSERT_TRUE(check_in(ctx, *pass, gate, std::nullopt).ok());
    }
    ASSERT_TRUE(cancel(ctx, code_["B3"], "admitted, then asked for a refund").ok());
    set_times();
  }

  // The sale as if on 2026-06-01 (UTC): held, paid and failed at these
  // times; the gate opened the next evening.
  void set_times() {
    Db& db = **ctx_->db();
    auto sql = [&](const std::string& statement) {
      EXPECT_EQ(testing::exec_sql(db, statement), 0) << statement;
    };
    auto ticket = [&](const char* seat, const char* created, const char* paid,
                      const char* updated) {
      const std::string day = "'2026-06-01 ";
      const std::string code = "'" + code_[seat] + "'";
      const std::string paid_at = paid ? day + paid + "'" : std::string("NULL");
      sql("UPDATE TICKETS SET created_at = " + day + created + "', paid_at = " + paid_at +
          ", updated_at = " + day + updated + "' WHERE code = " + code);
      sql("UPDATE TICKETS_APPLY_BUY p JOIN TICKETS t ON t.id = p.ticket_id SET "
          "p.paid_at = t.paid_at WHERE t.code = " +
          code);
    };
    ticket("A1", "10:05:00", "10:06:30", "10:06:30");
    ticket("A2", "10:10:00", "10:10:20", "10:10:20");
    ticket("A3", "10:15:00", "10:17:00", "12:30:00");
    ticket("A4", "10:20:00", nullptr, "10:25:00");
    ticket("B1", "11:05:00", "11:06:00", "11:06:00");
    ticket("B2", "11:10:00", nullptr, "11:12:00");
    ticket("B3", "11:20:00", "11:21:40", "13:00:00");
    for (const auto& [id, decided] :
         {std::pair{"REPFREE1", "'2026-06-01 10:30:00'"},
          std::pair{"REPFREE2", "'2026-06-01 11:00:00'"}, std::pair{"REPFREE3", "NULL"}}) {
      sql(std::string("UPDATE TICKETS SET created_at = '2026-06-01 10:00:00' WHERE "
                      "code = '") +
          code_[id] + "'");
      sql(std::string("UPDATE TICKETS_APPLY_FREE a JOIN TICKETS t ON t.id = "
                      "a.ticket_id SET a.decided_at = ") +
          decided + " WHERE t.code = '" + code_[id] + "'");
    }
    for (const auto& [seat, at] :
         {std::pair{"A1", "19:10:00"}, std::pair{"B1", "19:20:00"}, std::pair{"B3", "20:40:00"}})
      sql(std::string("UPDATE CHECKINS c JOIN TICKETS t ON t.id = c.ticket_id SET "
                      "c.at = '2026-06-02 ") +
          at + "' WHERE t.code = '" + code_[seat] + "'");
  }

  ToolRun report(const std::vector<std::string>& extra) {
    std::vector<std::string> args = {"report", "--concert", c_.slug, "--bucket", "1h"};
    args.insert(args.end(), extra.begin(), extra.end());
    return run_tool(env_.config_file(), "tl-admin", args);
  }

  TestEnv env_;
  TempDir keys_;
  std::unique_ptr<Context> ctx_;
  Concert c_;
  std::map<std::string, std::string> code_;
};

TEST_F(ReportCli, EverySectionGivesTheScriptedSaleInEveryFormat) {
  const ToolRun as_json = report({"--format", "json"});
  ASSERT_EQ(as_json.exit_code, 0) << as_json.err;
  const json j = json::parse(as_json.out, nullptr, false);
  ASSERT_TRUE(j.is_object()) << as_json.out;

  // Sales per hour of 2026-06-01, with the running totals.
  const auto bucket = [](const char* at, int held, int paid, int expired, int cancelled,
                         const char* revenue, int held_total, int paid_total, int expired_total,
                         int cancelled_total, const char* revenue_total) {
    return json{{"at", std::string("2026-06-01T") + at + ":00:00Z"},
                {"held", held},
                {"paid", paid},
                {"expired", expired},
                {"cancelled", cancelled},
                {"revenue", revenue},
                {"held_total", held_total},
                {"paid_total", paid_total},
                {"expired_total", expired_total},
                {"cancelled_total", cancelled_total},
                {"revenue_total", revenue_total}};
  };
  ASSERT_EQ(j["sales"].size(), 4u) << j["sales"].dump();
  EXPECT_EQ(j["sales"][0], bucket("10", 4, 3, 1, 0, "30.00", 4, 3, 1, 0, "30.00"));
  EXPECT_EQ(j["sales"][1], bucket("11", 3, 2, 0, 1, "20.00", 7, 5, 1, 1, "50.00"));
  EXPECT_EQ(j["sales"][2], bucket("12", 0, 0, 0, 1, "0.00", 7, 5, 1, 2, "50.00")) << "A3";
  EXPECT_EQ(j["sales"][3], bucket("13", 0, 0, 0, 1, "0.00", 7, 5, 1, 3, "50.00")) << "B3";

  // Times to pay 20, 60, 90, 100 and 120 s.
  const json& f = j["funnel"];
  EXPECT_EQ(f, (json{{"held", 7},
                     {"paid", 5},
                     {"expired", 1},
                     {"cancelled", 3},
                     {"paid_percent", 71.4},
                     {"time_to_pay_p50_s", 90.0},
                     {"time_to_pay_p90_s", 120.0},
                     {"time_to_pay_p99_s", 120.0}}))
      << "A3 and B3 were paid before they were cancelled";

  ASSERT_EQ(j["rows"].size(), 3u);
  EXPECT_EQ(
      j["rows"][0],
      (json{{"row", "A"}, {"sold", 2}, {"held", 0}, {"free", 2}, {"occupancy_percent", 50.0}}));
  EXPECT_EQ(
      j["rows"][1],
      (json{{"row", "B"}, {"sold", 1}, {"held", 0}, {"free", 3}, {"occupancy_percent", 25.0}}));
  EXPECT_EQ(j["rows"][2]["free"], 4);
  EXPECT_EQ(j["heat"], (json{{"block_rows", 1},
                             {"block_seats", 1},
                             {"sold", {{1, 1, 0, 0}, {1, 0, 0, 0}, {0, 0, 0, 0}}},
                             {"held", {{0, 0, 0, 0}, {0, 0, 0, 0}, {0, 0, 0, 0}}}}))
      << "one cell per seat: A1, A2 and B1 sold";

  EXPECT_EQ(j["free_zone"], (json{{"applications", 3},
                                  {"granted", 1},
                                  {"rejected", 1},
                                  {"pending", 1},
                                  {"median_decision_s", 1800.0}}));

  const json& p = j["payments"];
  EXPECT_EQ(p["by_platform"], (json{{"DIRECT", {{"count", 2}, {"amount", "20.00"}}},
                                    {"QRCODE", {{"count", 1}, {"amount", "10.00"}}}}));
  EXPECT_EQ(p["refunded"], (json{{"count", 1}, {"amount", "10.00"}})) << "A3";
  EXPECT_EQ(p["refund_due"], (json{{"count", 1}, {"amount", "10.00"}})) << "B3";

  const json& k = j["checkins"];
  EXPECT_EQ(k["admitted"], 3);
  EXPECT_EQ(k["by_gate"], (json{{"East", 1}, {"North", 1}, {"South", 1}}));
  EXPECT_EQ(k["by_bucket"], (json{{{"at", "2026-06-02T19:00:00Z"}, {"admitted", 2}},
                                  {{"at", "2026-06-02T20:00:00Z"}, {"admitted", 1}}}));
  EXPECT_EQ(k["no_shows"], 2) << "A2 and the granted free seat; B3 was admitted, then cancelled";

  // The CSV gives back the JSON's numbers.
  const ToolRun as_csv = report({"--format", "csv"});
  ASSERT_EQ(as_csv.exit_code, 0) << as_csv.err;
  std::map<std::string, std::string> cell;
  for (const auto& row : parse_csv(as_csv.out)) {
    ASSERT_EQ(row.size(), 4u);
    cell[row[0] + "/" + row[1] + "/" + row[2]] = row[3];
  }
  for (const char* field : {"held", "paid", "expired", "cancelled"})
    EXPECT_EQ(cell[std::string("funnel//") + field], std::to_string(f[field].get<int64_t>()))
        << field;
  EXPECT_EQ(cell["funnel//paid_percent"], "71.4");
  EXPECT_EQ(cell["funnel//time_to_pay_p50_s"], "90.0");
  for (const json& b : j["sales"]) {
    const std::string at = b["at"];
    for (const char* field : {"held", "paid", "expired", "cancelled", "held_total", "paid_total",
                              "expired_total", "cancelled_total"})
      EXPECT_EQ(cell["sales/" + at + "/" + field], std::to_string(b[field].get<int64_t>()))
          << at << " " << field;
    EXPECT_EQ(cell["sales/" + at + "/revenue_total"], b["revenue_total"]);
  }
  for (size_t i = 0; i < 3; ++i) {
    for (size_t c = 0; c < 4; ++c) {
      const std::string at = "heat/" + std::to_string(i) + "," + std::to_string(c) + "/";
      EXPECT_EQ(cell[at + "sold"], std::to_string(j["heat"]["sold"][i][c].get<int64_t>())) << at;
      EXPECT_EQ(cell[at + "held"], "0") << at;
    }
  }
  for (const json& r : j["rows"]) {
    const std::string row = r["row"];
    for (const char* field : {"sold", "held", "free"})
      EXPECT_EQ(cell["rows/" + row + "/" + field], std::to_string(r[field].get<int64_t>()));
  }
  EXPECT_EQ(cell["payments/DIRECT/amount"], "20.00");
  EXPECT_EQ(cell["payments/refunded/count"], "1");
  EXPECT_EQ(cell["payments/refund_due/amount"], "10.00");
  EXPECT_EQ(cell["free_zone//median_decision_s"], "1800.0");
  EXPECT_EQ(cell["checkins/2026-06-02T19:00:00Z/admitted"], "2");
  EXPECT_EQ(cell["checkins//no_shows"], "2");
  EXPECT_EQ(cell["checkins/North/by_gate"], "1");
  EXPECT_EQ(cell["free_zone//pending"], "1");

  const ToolRun as_table = report({});
  ASSERT_EQ(as_table.exit_code, 0) << as_table.err;
  EXPECT_NE(as_table.out.find("held 7 -> paid 5 (71.4%), expired 1, cancelled 3; time to pay "
                              "p50 90.0 s, p90 120.0 s, p99 120.0 s"),
            std::string::npos)
      << as_table.out;
  EXPECT_NE(as_table.out.find("admitted 3, no-shows 2"), std::string::npos) << as_table.out;

  // Written to a file, the same JSON.
  TempDir out;
  const std::string file = out.path() + "/report.json";
  const ToolRun written = report({"--format", "json", "--out", file});
  ASSERT_EQ(written.exit_code, 0) << written.err;
  const json again = json::parse(testing::read_file(file), nullptr, false);
  EXPECT_EQ(again["funnel"], j["funnel"]);
}

// The HTML page: self-contained, its four charts valid SVG that a real
// renderer (rsvg-convert) draws, the concert and its figures in it.
TEST_F(ReportCli, TheHtmlPageIsSelfContainedAndItsChartsRender) {
  TempDir out;
  const std::string file = out.path() + "/report.html";
  const ToolRun written = report({"--format", "html", "--out", file});
  ASSERT_EQ(written.exit_code, 0) << written.err;
  const std::string html = testing::read_file(file);
  ASSERT_EQ(html.rfind("<!DOCTYPE html>", 0), 0u);
  EXPECT_NE(html.find("<title>Sales report: " + c_.name + " (" + c_.slug +
                      "), 2026-06-01T10:00:00Z to 2026-06-01T14:00:00Z</title>"),
            std::string::npos)
      << "the concert and the time range in the title";
  EXPECT_EQ(html.find("<script"), std::string::npos) << "no script needed";
  EXPECT_EQ(html.find(" src="), std::string::npos) << "nothing loaded from elsewhere";
  EXPECT_EQ(html.find(" href="), std::string::npos);
  EXPECT_EQ(html.find("@import"), std::string::npos);
  EXPECT_NE(html.find(">held<"), std::string::npos);
  EXPECT_NE(html.find("time (UTC)"), std::string::npos) << "labelled axes";
  int charts = 0;
  for (size_t at = html.find("<svg"); at != std::string::npos; at = html.find("<svg", at + 1)) {
    const size_t end = html.find("</svg>", at);
    ASSERT_NE(end, std::string::npos);
    const std::string svg =
        out.write("chart" + std::to_string(charts) + ".svg", html.substr(at, end + 6 - at), 0644);
    const std::string png = out.path() + "/chart" + std::to_string(charts) + ".png";
    const ToolRun drawn = testing::run({"/usr/bin/rsvg-convert", "-o", png, svg});
    EXPECT_EQ(drawn.exit_code, 0) << "chart " << charts << ": " << drawn.err;
    EXPECT_GT(testing::read_file(png).size(), 500u) << "chart " << charts << " drew something";
    ++charts;
  }
  EXPECT_EQ(charts, 4) << "sales, funnel, seats, check-ins";
  EXPECT_NE(html.find("Seats sold (one cell per seat"), std::string::npos);
  int seats = 0;
  for (size_t at = html.find("class=\"seat\""); at != std::string::npos;
       at = html.find("class=\"seat\"", at + 1))
    ++seats;
  EXPECT_EQ(seats, 12) << "a cell for each of the 3 x 4 seats";
}

// Headless Chromium, as a reader's browser, draws the page: not a blank
// page, and the charts' colours on it. The screenshot is kept in the build
// tree (tests/artifacts/report-page.png).
TEST_F(ReportCli, ChromiumDrawsTheHtmlPage) {
  TempDir out;
  const std::string page = out.path() + "/report.html";
  ASSERT_EQ(report({"--format", "html", "--out", page}).exit_code, 0);
  const std::string artifacts = std::string(TL_BUILD_DIR) + "/tests/artifacts";
  testing::shell("mkdir -p '" + artifacts + "'");
  const std::string png = artifacts + "/report-page.png";
  std::remove(png.c_str());
  const ToolRun drawn =
      testing::run({"/usr/bin/timeout", "60", "/usr/bin/chromium", "--headless=new", "--no-sandbox",
                    "--disable-gpu", "--disable-dev-shm-usage", "--hide-scrollbars",
                    "--user-data-dir=" + out.path() + "/profile", "--window-size=1000,1600",
                    "--screenshot=" + png, "file://" + page},
                   // Chromium keeps caches under the home directory: the test's own.
                   {{"HOME", out.path()},
                    {"XDG_CONFIG_HOME", out.path() + "/config"},
                    {"XDG_CACHE_HOME", out.path() + "/cache"}});
  ASSERT_EQ(drawn.exit_code, 0) << drawn.err;
  std::string why;
  const auto ink = testing::png_ink(png, &why);
  ASSERT_TRUE(ink) << why;
  EXPECT_GT(ink->share, 0.01) << "the page is drawn";
  EXPECT_GT(ink->colored, 2000) << "the charts' colours are on it";
}

TEST_F(ReportCli, BadInputIsRefusedInOneLine) {
  for (const auto& [args, code, what] :
       {std::tuple{std::vector<std::string>{"--bucket", "7x"}, 2, "a bad bucket"},
        std::tuple{std::vector<std::string>{"--format", "xml"}, 2, "a bad format"},
        std::tuple{std::vector<std::string>{"--out", "/nonexistent/dir/r.json"}, 2,
                   "an unwritable --out"}}) {
    const ToolRun r = report(args);
    EXPECT_EQ(r.exit_code, code) << what << ": " << r.err;
    EXPECT_EQ(line_count(r.err), 1) << what << ": " << r.err;
    EXPECT_EQ(r.out, "") << what;
  }
  const ToolRun unknown =
      run_tool(env_.config_file(), "tl-admin", {"report", "--concert", "no-such-concert"});
  EXPECT_EQ(unknown.exit_code, 4) << unknown.err;
  EXPECT_EQ(line_count(unknown.err), 1) << unknown.err;
}

}  // namespace
}  // namespace ticket
