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
  // Six paid-zone tickets of 10.00: A1 and A2 paid with DIRECT, B1 with
  // QRCODE; A3 paid, cancelled and refunded; B2 cancelled while held; A4
  // expired. Three applications: granted, rejected, pending. A1 admitted
  // at North, B1 at South.
  void SetUp() override {
    ASSERT_TRUE(generate_key_pair("R1", keys_.path()).ok());
    Config config = env_.config();
    config.passes.signing_key_file = keys_.path() + "/R1.key";
    config.passes.verify_keys_file = keys_.path() + "/R1.pub";
    ctx_ = std::make_unique<Context>(config);
    Context& ctx = *ctx_;
    c_ = make_concert(ctx, {3, 4, 3, 1, 1});
    std::map<std::string, std::string> code;
    for (const char* seat : {"A1", "A2", "A3", "A4", "B1", "B2"}) {
      auto t = buy(ctx, buyer(c_, seat, std::string("REPORT") + seat));
      ASSERT_TRUE(t.ok()) << t.error().message();
      code[seat] = t->code;
    }
    for (const auto& [seat, platform] : {std::pair{"A1", "DIRECT"}, std::pair{"A2", "DIRECT"},
                                         std::pair{"A3", "DIRECT"}, std::pair{"B1", "QRCODE"}})
      ASSERT_TRUE(pay(ctx, {code[seat], platform, std::string("R-") + seat}).ok());
    ASSERT_TRUE(cancel(ctx, code["A3"], "refund requested").ok());
    ASSERT_TRUE(refund_payment(ctx, code["A3"], std::nullopt, "RF-A3").ok());
    ASSERT_TRUE(cancel(ctx, code["B2"], "left the queue").ok());
    std::this_thread::sleep_for(std::chrono::milliseconds(1200));
    ASSERT_TRUE(expire_due(ctx, c_, 10).ok());
    std::vector<std::string> apps;
    for (const char* id : {"REPFREE1", "REPFREE2", "REPFREE3"}) {
      ApplyFreeRequest r;
      r.concert = c_.slug;
      r.customer = {std::string("Applicant ") + id, "25", "female", id};
      r.answers = {"Yes.", "The encore.", "No."};
      auto t = apply_free(ctx, r);
      ASSERT_TRUE(t.ok()) << t.error().message();
      apps.push_back(t->code);
    }
    ASSERT_TRUE(grant(ctx, apps[0]).ok());
    ASSERT_TRUE(reject(ctx, apps[1], std::string("full")).ok());
    for (const auto& [seat, gate] : {std::pair{"A1", "North"}, std::pair{"B1", "South"}}) {
      auto pass = issue_pass(ctx, code[seat]);
      ASSERT_TRUE(pass.ok()) << pass.error().message();
      ASSERT_TRUE(check_in(ctx, *pass, gate, std::nullopt).ok());
    }
  }

  ToolRun report(const std::vector<std::string>& extra) {
    std::vector<std::string> args = {"report", "--concert", c_.slug, "--bucket", "1d"};
    args.insert(args.end(), extra.begin(), extra.end());
    return run_tool(env_.config_file(), "tl-admin", args);
  }

  TestEnv env_;
  TempDir keys_;
  std::unique_ptr<Context> ctx_;
  Concert c_;
};

TEST_F(ReportCli, EverySectionGivesTheScriptedSaleInEveryFormat) {
  const ToolRun as_json = report({"--format", "json"});
  ASSERT_EQ(as_json.exit_code, 0) << as_json.err;
  const json j = json::parse(as_json.out, nullptr, false);
  ASSERT_TRUE(j.is_object()) << as_json.out;

  // Sales: whatever the buckets, their sums and the last running totals.
  int64_t held = 0, paid = 0, expired = 0, cancelled = 0;
  for (const json& b : j["sales"]) {
    held += b["held"].get<int64_t>();
    paid += b["paid"].get<int64_t>();
    expired += b["expired"].get<int64_t>();
    cancelled += b["cancelled"].get<int64_t>();
  }
  EXPECT_EQ(held, 6);
  EXPECT_EQ(paid, 4) << "A3 was paid before it was cancelled";
  EXPECT_EQ(expired, 1);
  EXPECT_EQ(cancelled, 2);
  ASSERT_FALSE(j["sales"].empty());
  EXPECT_EQ(j["sales"].back()["paid_total"], 4);
  EXPECT_EQ(j["sales"].back()["revenue_total"], "40.00");

  const json& f = j["funnel"];
  EXPECT_EQ(f["held"], 6);
  EXPECT_EQ(f["paid"], 4);
  EXPECT_EQ(f["expired"], 1);
  EXPECT_EQ(f["cancelled"], 2);
  EXPECT_EQ(f["paid_percent"], 66.7);
  EXPECT_TRUE(f["time_to_pay_p50_s"].is_number());
  EXPECT_LE(f["time_to_pay_p50_s"].get<double>(), f["time_to_pay_p99_s"].get<double>());

  ASSERT_EQ(j["rows"].size(), 3u);
  EXPECT_EQ(
      j["rows"][0],
      (json{{"row", "A"}, {"sold", 2}, {"held", 0}, {"free", 2}, {"occupancy_percent", 50.0}}));
  EXPECT_EQ(
      j["rows"][1],
      (json{{"row", "B"}, {"sold", 1}, {"held", 0}, {"free", 3}, {"occupancy_percent", 25.0}}));
  EXPECT_EQ(j["rows"][2]["free"], 4);

  const json& z = j["free_zone"];
  EXPECT_EQ(z["applications"], 3);
  EXPECT_EQ(z["granted"], 1);
  EXPECT_EQ(z["rejected"], 1);
  EXPECT_EQ(z["pending"], 1);
  EXPECT_TRUE(z["median_decision_s"].is_number());

  const json& p = j["payments"];
  EXPECT_EQ(p["by_platform"]["DIRECT"], (json{{"count", 2}, {"amount", "20.00"}}));
  EXPECT_EQ(p["by_platform"]["QRCODE"], (json{{"count", 1}, {"amount", "10.00"}}));
  EXPECT_EQ(p["refunded"], (json{{"count", 1}, {"amount", "10.00"}}));
  EXPECT_EQ(p["refund_due"], (json{{"count", 0}, {"amount", "0.00"}}));

  const json& k = j["checkins"];
  EXPECT_EQ(k["admitted"], 2);
  EXPECT_EQ(k["by_gate"], (json{{"North", 1}, {"South", 1}}));
  EXPECT_EQ(k["no_shows"], 2) << "A2 and the granted free seat";

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
  EXPECT_EQ(cell["funnel//paid_percent"], "66.7");
  for (const json& r : j["rows"]) {
    const std::string row = r["row"];
    for (const char* field : {"sold", "held", "free"})
      EXPECT_EQ(cell["rows/" + row + "/" + field], std::to_string(r[field].get<int64_t>()));
  }
  EXPECT_EQ(cell["payments/DIRECT/amount"], "20.00");
  EXPECT_EQ(cell["payments/refunded/count"], "1");
  EXPECT_EQ(cell["checkins//no_shows"], "2");
  EXPECT_EQ(cell["checkins/North/by_gate"], "1");
  EXPECT_EQ(cell["free_zone//pending"], "1");

  const ToolRun as_table = report({});
  ASSERT_EQ(as_table.exit_code, 0) << as_table.err;
  EXPECT_NE(as_table.out.find("held 6 -> paid 4 (66.7%), expired 1, cancelled 2"),
            std::string::npos)
      << as_table.out;
  EXPECT_NE(as_table.out.find("admitted 2, no-shows 2"), std::string::npos) << as_table.out;

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
  EXPECT_NE(html.find("<title>Sales report: " + c_.name + " (" + c_.slug + ")"), std::string::npos);
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
  EXPECT_EQ(charts, 4) << "sales, funnel, rows, check-ins";
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
  const ToolRun ink = testing::run(
      {"/usr/bin/python3", std::string(TL_SOURCE_DIR) + "/tests/scripts/png_ink.py", png});
  ASSERT_EQ(ink.exit_code, 0) << ink.err;
  double share = 0;
  long colored = 0;
  ASSERT_EQ(std::sscanf(ink.out.c_str(), "ink=%lf colored=%ld", &share, &colored), 2) << ink.out;
  EXPECT_GT(share, 0.01) << ink.out << ": the page is drawn";
  EXPECT_GT(colored, 2000) << ink.out << ": the charts' colours are on it";
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
