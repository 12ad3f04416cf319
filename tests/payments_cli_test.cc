// The operator's side of payments run as people would: a cancelled paid
// ticket's money listed as due back (table, JSON, CSV), refunded once with
// its audit entry, counted by stats; tl-pay of a late ticket revived, or
// its money recorded as due back.
#include <gtest/gtest.h>

#include <chrono>
#include <nlohmann/json.hpp>
#include <thread>

#include "support/csv.h"
#include "support/process.h"
#include "support/sale.h"
#include "support/servers.h"
#include "support/sql.h"
#include "ticket/expire.h"

namespace ticket {
namespace {

using nlohmann::json;
using testing::CsvRows;
using testing::exec_sql;
using testing::line_count;
using testing::make_concert;
using testing::parse_csv;
using testing::run_tool;
using testing::scalar_sql;
using testing::TestEnv;
using testing::ToolRun;

class PaymentsCli : public ::testing::Test {
 protected:
  PaymentsCli() : ctx_(env_.context()) {}

  ToolRun admin(const std::vector<std::string>& args) {
    return run_tool(env_.config_file(), "tl-admin", args);
  }
  ToolRun pay(const std::string& code, const std::string& reference,
              const std::vector<std::string>& extra = {}) {
    std::vector<std::string> args = {code, "--platform", "DIRECT", "--reference", reference};
    args.insert(args.end(), extra.begin(), extra.end());
    return run_tool(env_.config_file(), "tl-pay", args);
  }
  std::string buy_code(const Concert& c, const std::string& seat, const std::string& id) {
    ToolRun r = run_tool(env_.config_file(), "tl-buy",
                         {"--concert", c.slug, "--seat", seat, "--name", "Pat Payer", "--age", "40",
                          "--gender", "female", "--id-number", id, "-q"});
    EXPECT_EQ(r.exit_code, 0) << r.err;
    return r.out.substr(0, 11);
  }
  // A ticket of `seat` bought and paid with `reference`.
  std::string paid_code(const Concert& c, const std::string& seat, const std::string& id,
                        const std::string& reference) {
    const std::string code = buy_code(c, seat, id);
    ToolRun r = pay(code, reference);
    EXPECT_EQ(r.exit_code, 0) << r.err;
    return code;
  }
  json admin_json(const std::vector<std::string>& args) {
    std::vector<std::string> a = args;
    a.push_back("--json");
    ToolRun r = admin(a);
    EXPECT_EQ(r.exit_code, 0) << r.err;
    return json::parse(r.out, nullptr, false);
  }
  int64_t sql(const std::string& query) { return scalar_sql(**ctx_->db(), query); }

  static void expect_one_line_error(const ToolRun& r, const std::string& tool, int code,
                                    const std::string& what, const std::string& part = "") {
    EXPECT_EQ(r.exit_code, code) << what << ": " << r.err << r.out;
    EXPECT_EQ(r.out, "") << what;
    EXPECT_EQ(line_count(r.err), 1) << what << ": " << r.err;
    EXPECT_EQ(r.err.rfind(tool + ": error: ", 0), 0u) << what << ": " << r.err;
    if (!part.empty()) {
      EXPECT_NE(r.err.find(part), std::string::npos) << what << ": " << r.err;
    }
  }

  TestEnv env_;
  std::unique_ptr<Context> ctx_;
};

TEST_F(PaymentsCli, CancelledPaidTicketsAreListedRefundedOnceAndCountedByStats) {
  const Concert c = make_concert(*ctx_, {2, 5, 0, 300, 1});
  const std::string first = paid_code(c, "A1", "PY000001", "D-100");
  const std::string second = paid_code(c, "A2", "PY000002", "D-200");
  const std::string held = buy_code(c, "A3", "PY000003");

  json stats = admin_json({"stats", "--concert", c.slug});
  EXPECT_EQ(stats["refunds_due"], 0);
  EXPECT_EQ(stats["refunds_due_amount"], "0.00");
  EXPECT_EQ(stats["revenue"], "20.00");

  // A paid ticket is cancelled before it is refunded.
  expect_one_line_error(admin({"refund", first, "--reference", "RF-1"}), "tl-admin", 3,
                        "refund of a paid ticket", "cancel it first (tl-admin cancel)");

  ToolRun cancelled = admin({"cancel", first, "--reason", "refund requested"});
  ASSERT_EQ(cancelled.exit_code, 0) << cancelled.err;
  EXPECT_NE(cancelled.out.find("Its payment of 10.00 EUR is now due back (tl-admin refund)."),
            std::string::npos)
      << cancelled.out;
  json cancelled_json = admin_json({"cancel", second, "--reason", "refund requested"});
  EXPECT_EQ(cancelled_json["refund_due"], true);
  EXPECT_EQ(admin_json({"cancel", held, "--reason", "never paid"})["refund_due"], false);

  stats = admin_json({"stats", "--concert", c.slug});
  EXPECT_EQ(stats["refunds_due"], 2);
  EXPECT_EQ(stats["refunds_due_amount"], "20.00");
  for (const char* key : {"sold", "held", "expired", "cancelled", "revenue", "checked_in",
                          "fill_percent", "conversion_percent", "seats"})
    EXPECT_TRUE(stats.contains(key)) << key;
  ToolRun stats_text = admin({"stats", "--concert", c.slug});
  EXPECT_NE(stats_text.out.find("Refunds due:"), std::string::npos) << stats_text.out;
  EXPECT_NE(stats_text.out.find("2 payments, 20.00 EUR"), std::string::npos) << stats_text.out;

  // The JSON listing.
  json listed = admin_json({"payments", "--state", "refund_due", "--concert", c.slug});
  ASSERT_EQ(listed["total"], 2) << listed.dump();
  const json& p = listed["payments"][0];
  EXPECT_EQ(p["ticket"], first);
  EXPECT_EQ(p["concert_id"], c.id);
  EXPECT_EQ(p["state"], "REFUND_DUE");
  EXPECT_EQ(p["amount"], "10.00");
  EXPECT_EQ(p["currency"], "EUR");
  EXPECT_EQ(p["platform"], "DIRECT");
  EXPECT_EQ(p["reference"], "D-100");
  EXPECT_EQ(p["at"].get<std::string>().size(), 24u) << p["at"];
  EXPECT_EQ(p["refund_reference"], nullptr);
  EXPECT_EQ(listed["payments"][1]["ticket"], second);
  EXPECT_EQ(admin_json({"payments", "--state", "PAID"})["total"], 0);
  EXPECT_EQ(admin_json({"payments", "--ticket", second})["payments"][0]["reference"], "D-200");

  // A note a spreadsheet would run, and one that would drive a terminal.
  ASSERT_EQ(exec_sql(**ctx_->db(), "UPDATE PAYMENTS SET note = '=1+1' WHERE reference = 'D-200'"),
            0);

  // The CSV says what the JSON says, its formula cell neutralised.
  ToolRun csv = admin({"payments", "--state", "REFUND_DUE", "--format", "csv"});
  ASSERT_EQ(csv.exit_code, 0) << csv.err;
  const CsvRows rows = parse_csv(csv.out);
  ASSERT_EQ(rows.size(), 3u) << csv.out;
  const std::vector<std::string> header = {"ticket",   "concert_id", "state",           "amount",
                                           "currency", "platform",   "provider",        "reference",
                                           "at",       "note",       "refund_reference"};
  EXPECT_EQ(rows[0], header);
  listed = admin_json({"payments", "--state", "REFUND_DUE"});
  for (size_t i = 1; i < rows.size(); ++i) {
    const json& j = listed["payments"][i - 1];
    ASSERT_EQ(rows[i].size(), header.size());
    EXPECT_EQ(rows[i][0], j["ticket"]);
    EXPECT_EQ(rows[i][1], std::to_string(c.id));
    EXPECT_EQ(rows[i][2], j["state"]);
    EXPECT_EQ(rows[i][3], j["amount"]);
    EXPECT_EQ(rows[i][4], j["currency"]);
    EXPECT_EQ(rows[i][7], j["reference"]);
    EXPECT_EQ(rows[i][8], j["at"]);
  }
  EXPECT_EQ(rows[2][9], "'=1+1");
  EXPECT_EQ(listed["payments"][1]["note"], "=1+1");

  // The table, control characters escaped.
  ASSERT_EQ(exec_sql(**ctx_->db(),
                     "UPDATE PAYMENTS SET note = CONCAT('red', CHAR(27), '[31m') "
                     "WHERE reference = 'D-200'"),
            0);
  ToolRun table = admin({"payments", "--state", "REFUND_DUE"});
  ASSERT_EQ(table.exit_code, 0) << table.err;
  for (const std::string& part :
       {std::string("TICKET"), std::string("STATE"), std::string("AMOUNT"),
        std::string("REFERENCE"), std::string("NOTE"), first, std::string("REFUND_DUE"),
        std::string("10.00"), std::string("EUR"), std::string("DIRECT"), std::string("D-100"),
        std::string("ticket cancelled: refund requested"), std::string("2 payments.")})
    EXPECT_NE(table.out.find(part), std::string::npos) << part << "\n" << table.out;
  EXPECT_EQ(table.out.find('\x1b'), std::string::npos) << table.out;

  // Bad input.
  expect_one_line_error(admin({"refund", first, "--reference", "bad ref!"}), "tl-admin", 2,
                        "bad refund reference", "--reference must be 1 to 128");
  expect_one_line_error(admin({"refund", "nonsense", "--reference", "RF-1"}), "tl-admin", 2,
                        "bad code");
  expect_one_line_error(admin({"refund", "TB-ZZZZZZZZ", "--reference", "RF-1"}), "tl-admin", 4,
                        "unknown ticket", "has no payment");
  expect_one_line_error(admin({"payments", "--state", "LOST"}), "tl-admin", 2, "bad state");
  expect_one_line_error(admin({"payments", "--concert", "no-such-concert"}), "tl-admin", 4,
                        "unknown concert");
  expect_one_line_error(admin({"payments", "--format", "xml"}), "tl-admin", 2, "bad format");
  EXPECT_EQ(sql("SELECT COUNT(*) FROM PAYMENTS WHERE state = 'REFUNDED'"), 0);

  // Refunded once, in text and in JSON, each with its audit entry.
  ToolRun refunded = admin({"refund", first, "--reference", "RF-1"});
  ASSERT_EQ(refunded.exit_code, 0) << refunded.err;
  EXPECT_EQ(refunded.out, "Refunded " + first + " 10.00 EUR (payment D-100) with refund RF-1\n");
  stats = admin_json({"stats", "--concert", c.slug});
  EXPECT_EQ(stats["refunds_due"], 1);
  EXPECT_EQ(stats["refunds_due_amount"], "10.00");

  json refund = admin_json({"refund", second, "--reference", "RF-2", "--payment", "D-200"});
  EXPECT_EQ(refund, json::parse(R"({"refund":{"ticket":")" + second +
                                R"(","amount":"10.00","currency":"EUR","reference":"D-200",)"
                                R"("refund_reference":"RF-2","state":"REFUNDED"}})"));
  stats = admin_json({"stats", "--concert", c.slug});
  EXPECT_EQ(stats["refunds_due"], 0);
  EXPECT_EQ(stats["refunds_due_amount"], "0.00");

  EXPECT_EQ(sql("SELECT COUNT(*) FROM PAYMENTS WHERE state = 'REFUNDED' AND "
                "refund_reference IN ('RF-1', 'RF-2')"),
            2);
  EXPECT_EQ(sql("SELECT COUNT(*) FROM AUDIT_LOG WHERE action = 'refunded' AND ticket_code = '" +
                first + "' AND detail LIKE '%D-100%RF-1%'"),
            1);
  EXPECT_EQ(sql("SELECT COUNT(*) FROM AUDIT_LOG WHERE action = 'refunded'"), 2);
  listed = admin_json({"payments", "--state", "REFUNDED"});
  ASSERT_EQ(listed["total"], 2);
  EXPECT_EQ(listed["payments"][0]["refund_reference"], "RF-1");

  // Twice is a conflict and changes nothing.
  expect_one_line_error(admin({"refund", first, "--reference", "RF-3"}), "tl-admin", 3,
                        "second refund", "was refunded with RF-1");
  expect_one_line_error(admin({"refund", first, "--reference", "RF-3", "--payment", "D-9"}),
                        "tl-admin", 4, "unknown payment reference");
  EXPECT_EQ(sql("SELECT COUNT(*) FROM AUDIT_LOG WHERE action = 'refunded'"), 2);
}

TEST_F(PaymentsCli, LatePaymentRevivesAFreeSeatElseItsMoneyIsDueBack) {
  const Concert c = make_concert(*ctx_, {1, 5, 0, 1, 1});
  const std::string revived = buy_code(c, "A1", "PY000011");
  const std::string lost = buy_code(c, "A2", "PY000012");
  std::this_thread::sleep_for(std::chrono::milliseconds(1200));

  // A1's hold ran out but nobody took the seat.
  ToolRun text = pay(revived, "LATE-1");
  ASSERT_EQ(text.exit_code, 0) << text.err;
  EXPECT_EQ(text.out.rfind("Paid " + revived +
                               " (the hold had run out; its seats were still free, so the "
                               "ticket is revived): A1 sold.\n",
                           0),
            0u)
      << text.out;
  json again = json::parse(pay(revived, "LATE-1", {"--json"}).out);
  EXPECT_EQ(again["revived"], false);
  EXPECT_EQ(again["ticket"]["status"], "SUCCESS");
  EXPECT_EQ(sql("SELECT COUNT(*) FROM AUDIT_LOG WHERE action = 'revived'"), 1);

  // A2's hold ran out, expired, and the seat was bought by another.
  ASSERT_TRUE(expire_due(*ctx_, c, 10).ok());
  buy_code(c, "A2", "PY000013");
  expect_one_line_error(pay(lost, "LATE-2"), "tl-pay", 5, "late payment of a seat sold",
                        "REFUND_DUE");
  json listed = admin_json({"payments", "--state", "REFUND_DUE"});
  ASSERT_EQ(listed["total"], 1) << listed.dump();
  EXPECT_EQ(listed["payments"][0]["ticket"], lost);
  EXPECT_EQ(listed["payments"][0]["reference"], "LATE-2");
  EXPECT_EQ(listed["payments"][0]["amount"], "10.00");
  EXPECT_EQ(admin_json({"stats", "--concert", c.slug})["refunds_due"], 1);
  json status = json::parse(run_tool(env_.config_file(), "tl-status", {lost, "--json"}).out);
  EXPECT_EQ(status["ticket"]["status"], "FAIL");

  // A third customer's late payment revives A3 with --json.
  const Concert other = make_concert(*ctx_, {1, 5, 0, 1, 1});
  const std::string late = buy_code(other, "A3", "PY000014");
  std::this_thread::sleep_for(std::chrono::milliseconds(1200));
  ASSERT_TRUE(expire_due(*ctx_, other, 10).ok());
  ToolRun j = pay(late, "LATE-3", {"--json"});
  ASSERT_EQ(j.exit_code, 0) << j.err;
  EXPECT_EQ(json::parse(j.out)["revived"], true) << j.out;
  EXPECT_EQ(sql("SELECT COUNT(*) FROM TICKETS t JOIN TICKETS_APPLY_BUY p ON p.ticket_id = t.id "
                "WHERE t.code IN ('" +
                revived + "', '" + late +
                "') AND t.paid_at = p.paid_at AND t.paid_at > t.hold_expires_at"),
            2)
      << "a revival records when the ticket was paid, for the report";

  // The same late payment again (a retry): the same answer, one row.
  expect_one_line_error(pay(lost, "LATE-2"), "tl-pay", 5, "the late payment retried", "REFUND_DUE");
  EXPECT_EQ(sql("SELECT COUNT(*) FROM PAYMENTS WHERE reference = 'LATE-2'"), 1);

  ToolRun refunded = admin({"refund", lost, "--reference", "RF-LATE-2"});
  ASSERT_EQ(refunded.exit_code, 0) << refunded.err;
  EXPECT_EQ(admin_json({"payments", "--state", "REFUND_DUE"})["total"], 0);
}

// Money due back is not dropped by a reset without the flag that names the
// danger, also when its ticket never was paid (a late payment of a seat
// sold meanwhile); once refunded, the reset goes ahead.
TEST_F(PaymentsCli, AResetKeepsMoneyDueBackUnlessTold) {
  const Concert c = make_concert(*ctx_, {1, 5, 0, 1, 1});
  const std::string late = buy_code(c, "A1", "PY000021");
  std::this_thread::sleep_for(std::chrono::milliseconds(1200));
  ASSERT_TRUE(expire_due(*ctx_, c, 10).ok());
  const std::string other = buy_code(c, "A1", "PY000022");
  ASSERT_EQ(pay(late, "LATE-21").exit_code, 5);
  ASSERT_EQ(admin({"cancel", other, "--reason", "left the queue"}).exit_code, 0);
  expect_one_line_error(admin({"db", "reset", "--yes"}), "tl-admin", 3,
                        "db reset with money due back", "1 payment due back or under review");
  EXPECT_EQ(sql("SELECT COUNT(*) FROM PAYMENTS WHERE state = 'REFUND_DUE'"), 1);
  ASSERT_EQ(admin({"refund", late, "--reference", "RF-21"}).exit_code, 0);
  const ToolRun reset = admin({"db", "reset", "--yes"});
  EXPECT_EQ(reset.exit_code, 0) << reset.err;
}

}  // namespace
}  // namespace ticket
