// A payment provider posts its signed events to a real ticketlemond: a small
// provider simulator here signs and posts as a provider would (HMAC-SHA256,
// TL-Signature), and MySQL shows what each event did.
#include <gtest/gtest.h>

#include <atomic>
#include <fstream>
#include <nlohmann/json.hpp>
#include <thread>

#include "support/daemon.h"
#include "support/process.h"
#include "support/sale.h"
#include "support/servers.h"
#include "support/sql.h"
#include "ticket/buy.h"
#include "ticket/cancel.h"
#include "ticket/expire.h"
#include "ticket/pay.h"
#include "ticket/tickets.h"
#include "ticket/webhook.h"

namespace ticket {
namespace {

using testing::buyer;
using testing::Daemon;
using testing::eventually;
using testing::http_exchange;
using testing::http_get;
using testing::make_concert;
using testing::read_file;
using testing::scalar_sql;
using testing::TempDir;
using testing::TestEnv;

constexpr const char* kSecret = "whsec-6f1b2c93a8e04d7fb5c21e9a0d3f7c64";

class ProviderWebhooks : public testing::DaemonTest {
 protected:
  ProviderWebhooks()
      : DaemonTest([](const TempDir& dir) {
          return "[[payments.provider]]\nname = \"acme\"\nplatform = \"PAYPLAT\"\n"
                 "secret_file = \"" +
                 dir.write("acme.secret", std::string(kSecret) + "\n") + "\"\n";
        }) {}

  // Posts `body` as provider `name` would, signed now unless `signature`
  // says otherwise ("" sends no header): the status and the JSON answer.
  std::pair<int, nlohmann::json> post(const std::string& body,
                                      std::optional<std::string> signature = std::nullopt,
                                      const std::string& name = "acme",
                                      const std::string& method = "POST") {
    const std::string sig = signature ? *signature : sign_webhook(kSecret, body, now_s());
    std::string request = method + " /api/v1/payments/" + name +
                          " HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n";
    if (!sig.empty()) request += "TL-Signature: " + sig + "\r\n";
    request += "Content-Length: " + std::to_string(body.size()) + "\r\n\r\n" + body;
    auto [status, text] = http_exchange(daemon_->port(), request);
    return {status, nlohmann::json::parse(text, nullptr, false)};
  }

  static int64_t now_s() { return wall_clock_ms() / 1000; }

  static std::string event(const std::string& id, const std::string& type, const std::string& code,
                           const std::string& reference, const std::string& amount = "10.00",
                           const std::string& currency = "EUR") {
    return nlohmann::json{{"id", id},         {"type", type},
                          {"ticket", code},   {"reference", reference},
                          {"amount", amount}, {"currency", currency}}
        .dump();
  }

  int64_t count(const std::string& sql) { return scalar_sql(**ctx_->db(), sql); }

  Ticket held(const Concert& c, const std::string& seat, const std::string& id) {
    auto t = buy(*ctx_, buyer(c, seat, id));
    EXPECT_TRUE(t.ok()) << t.error().message();
    return t.ok() ? *t : Ticket{};
  }
};

// A forged signature, a stale or future time, no header, another
// provider's path: refused and nothing written.
TEST_F(ProviderWebhooks, AnUnsignedOrForgedEventIsRefusedAndWritesNothing) {
  const Concert c = make_concert(*ctx_, {1, 5, 0, 300, 1});
  const Ticket t = held(c, "A1", "WH000001");
  const std::string body = event("EV-1", "payment.succeeded", t.code, "PAY-1");
  std::string forged = sign_webhook(kSecret, body, now_s());
  forged.back() = forged.back() == '0' ? '1' : '0';
  EXPECT_EQ(post(body, forged).first, 401);
  EXPECT_EQ(post(body, sign_webhook("another secret", body, now_s())).first, 401);
  EXPECT_EQ(post(body, sign_webhook(kSecret, body, now_s() - 301)).first, 401) << "stale";
  EXPECT_EQ(post(body, sign_webhook(kSecret, body, now_s() + 301)).first, 401) << "future";
  EXPECT_EQ(post(body, "").first, 401) << "no header";
  EXPECT_EQ(post(body, "t=abc,v1=00").first, 401) << "malformed";
  EXPECT_EQ(post(body + " ", sign_webhook(kSecret, body, now_s())).first, 401)
      << "a body changed after signing";
  EXPECT_EQ(post(body, std::nullopt, "nobody").first, 404);
  EXPECT_EQ(count("SELECT COUNT(*) FROM PAYMENTS"), 0);
  EXPECT_EQ(count("SELECT COUNT(*) FROM PAYMENT_EVENTS"), 0);
  EXPECT_EQ(find_ticket(*ctx_, t.code)->status, TicketStatus::kProcess);
  // Several signatures, one of them right (a secret being rotated): taken.
  const std::string rotated = sign_webhook("the old secret", body, now_s()) + ",v1=" +
                              sign_webhook(kSecret, body, now_s())
                                  .substr(sign_webhook(kSecret, body, now_s()).find("v1=") + 3);
  const auto ok = post(body, rotated);
  EXPECT_EQ(ok.first, 200) << ok.second.dump();
  EXPECT_EQ(ok.second["result"], "paid");
}

// Malformed JSON, a body over 64 KiB, a wrong method: answered, never a
// reset, and nothing written.
TEST_F(ProviderWebhooks, BadRequestsGetTheirStatus) {
  EXPECT_EQ(post("{not json").first, 400);
  EXPECT_EQ(post("[1,2]").first, 400);
  EXPECT_EQ(post(R"({"id":"E","type":"payment.succeeded"})").first, 400) << "no ticket";
  EXPECT_EQ(post(event("E", "payment.done", "TB-AAAAAAAA", "R")).first, 400) << "unknown type";
  EXPECT_EQ(post(event("E", "payment.succeeded", "TB-AAAAAAAA", "R", "ten")).first, 400);
  EXPECT_EQ(post(event("E", "payment.succeeded", "TB-AAAAAAAA", "bad ref!")).first, 400);
  const std::string big = R"({"id":"E","pad":")" + std::string(66 * 1024, 'x') + "\"}";
  EXPECT_EQ(post(big).first, 413);
  EXPECT_EQ(post("", std::nullopt, "acme", "GET").first, 405);
  EXPECT_EQ(post("{}", std::nullopt, "acme", "PUT").first, 405);
  EXPECT_EQ(count("SELECT COUNT(*) FROM PAYMENTS"), 0);
  EXPECT_EQ(count("SELECT COUNT(*) FROM PAYMENT_EVENTS"), 0);
  EXPECT_EQ(http_get(daemon_->port(), "/healthz").first, 200) << "the daemon still serves";
}

// One event delivered 50 times at once: one payment, 49 duplicates.
TEST_F(ProviderWebhooks, OneEventPostedFiftyTimesAtOnceHasOneEffect) {
  const Concert c = make_concert(*ctx_, {1, 5, 0, 300, 1});
  const Ticket t = held(c, "A2", "WH000002");
  const std::string body = event("EV-50", "payment.succeeded", t.code, "PAY-50");
  constexpr int kCopies = 50;
  std::vector<std::pair<int, nlohmann::json>> answers(kCopies);
  std::atomic<int> ready{0};
  std::vector<std::thread> senders;
  for (int i = 0; i < kCopies; ++i) {
    senders.emplace_back([&, i] {
      ++ready;
      while (ready < kCopies) std::this_thread::yield();
      answers[static_cast<size_t>(i)] = post(body);
    });
  }
  for (auto& s : senders) s.join();
  int paid = 0, duplicate = 0;
  for (const auto& [status, answer] : answers) {
    EXPECT_EQ(status, 200) << answer.dump();
    if (answer.is_object() && answer["result"] == "paid") ++paid;
    if (answer.is_object() && answer["result"] == "duplicate") ++duplicate;
  }
  EXPECT_EQ(paid, 1);
  EXPECT_EQ(duplicate, kCopies - 1);
  EXPECT_EQ(count("SELECT COUNT(*) FROM PAYMENTS WHERE state = 'PAID' AND provider = 'acme' "
                  "AND platform = 'PAYPLAT' AND reference = 'PAY-50' AND amount = 10.00"),
            1);
  EXPECT_EQ(count("SELECT COUNT(*) FROM PAYMENTS"), 1);
  EXPECT_EQ(count("SELECT COUNT(*) FROM PAYMENT_EVENTS WHERE result = 'paid'"), 1);
  EXPECT_EQ(count("SELECT COUNT(*) FROM AUDIT_LOG WHERE action = 'paid'"), 1);
  EXPECT_EQ(find_ticket(*ctx_, t.code)->status, TicketStatus::kSuccess);
}

// After the deadline: revived while the seat is free; refund due when it
// was sold meanwhile or the ticket was cancelled, then refunded by the
// provider's refund.
TEST_F(ProviderWebhooks, LatePaymentsReviveOrBecomeRefundsDue) {
  const Concert c = make_concert(*ctx_, {1, 5, 0, 1, 1});
  const Ticket free_seat = held(c, "A1", "WH000011");
  const Ticket sold_seat = held(c, "A2", "WH000012");
  const Ticket cancelled = held(c, "A3", "WH000013");
  ASSERT_TRUE(cancel(*ctx_, cancelled.code, "changed plans").ok());
  std::this_thread::sleep_for(std::chrono::milliseconds(1200));
  ASSERT_TRUE(expire_due(*ctx_, c, 10).ok());
  ASSERT_TRUE(buy(*ctx_, buyer(c, "A2", "WH000014")).ok()) << "A2 sells again";

  const auto revived = post(event("EV-L1", "payment.succeeded", free_seat.code, "PAY-L1"));
  EXPECT_EQ(revived.first, 200);
  EXPECT_EQ(revived.second["result"], "paid") << revived.second.dump();
  EXPECT_EQ(find_ticket(*ctx_, free_seat.code)->status, TicketStatus::kSuccess);
  EXPECT_EQ(count("SELECT COUNT(*) FROM AUDIT_LOG WHERE action = 'revived'"), 1);

  const auto gone = post(event("EV-L2", "payment.succeeded", sold_seat.code, "PAY-L2"));
  EXPECT_EQ(gone.second["result"], "refund_due") << gone.second.dump();
  EXPECT_EQ(find_ticket(*ctx_, sold_seat.code)->status, TicketStatus::kFail);
  const auto late_cancel = post(event("EV-L3", "payment.succeeded", cancelled.code, "PAY-L3"));
  EXPECT_EQ(late_cancel.second["result"], "refund_due") << late_cancel.second.dump();
  EXPECT_EQ(
      count("SELECT COUNT(*) FROM PAYMENTS WHERE state = 'REFUND_DUE' AND amount = 10.00 "
            "AND currency = 'EUR' AND provider = 'acme' AND reference IN ('PAY-L2', 'PAY-L3')"),
      2);
  EXPECT_EQ(count("SELECT COUNT(*) FROM AUDIT_LOG WHERE action = 'refund_due'"), 2);

  const auto refunded = post(event("EV-R2", "refund.succeeded", sold_seat.code, "PAY-L2"));
  EXPECT_EQ(refunded.second["result"], "refunded") << refunded.second.dump();
  EXPECT_EQ(post(event("EV-R2", "refund.succeeded", sold_seat.code, "PAY-L2")).second["result"],
            "duplicate");
  EXPECT_EQ(count("SELECT COUNT(*) FROM PAYMENTS WHERE state = 'REFUNDED' AND reference = 'PAY-L2' "
                  "AND refund_reference = 'EV-R2'"),
            1);
  EXPECT_EQ(count("SELECT COUNT(*) FROM AUDIT_LOG WHERE action = 'refunded'"), 1);
  // A failed payment changes nothing, once.
  EXPECT_EQ(post(event("EV-F", "payment.failed", free_seat.code, "PAY-F")).second["result"],
            "noted");
  EXPECT_EQ(testing::redis_taken(*ctx_, c), testing::mysql_taken(*ctx_, c));
}

// Another amount or currency, an unknown ticket: recorded for review, the
// ticket unchanged.
TEST_F(ProviderWebhooks, MismatchesAndUnknownTicketsGoToReview) {
  const Concert c = make_concert(*ctx_, {1, 5, 0, 300, 1});
  const Ticket t = held(c, "A4", "WH000021");
  const auto amount = post(event("EV-M1", "payment.succeeded", t.code, "PAY-M1", "9.99"));
  EXPECT_EQ(amount.second["result"], "review") << amount.second.dump();
  const auto currency = post(event("EV-M2", "payment.succeeded", t.code, "PAY-M2", "10.00", "USD"));
  EXPECT_EQ(currency.second["result"], "review") << currency.second.dump();
  const auto unknown = post(event("EV-M3", "payment.succeeded", "TB-ZZZZZZZZ", "PAY-M3"));
  EXPECT_EQ(unknown.second["result"], "review") << unknown.second.dump();
  EXPECT_EQ(find_ticket(*ctx_, t.code)->status, TicketStatus::kProcess);
  EXPECT_EQ(count("SELECT COUNT(*) FROM PAYMENTS WHERE state = 'REVIEW'"), 3);
  EXPECT_EQ(count("SELECT COUNT(*) FROM PAYMENTS WHERE state = 'REVIEW' AND ticket_id IS NULL "
                  "AND ticket_code = 'TB-ZZZZZZZZ' AND amount = 10.00"),
            1);
  EXPECT_EQ(count("SELECT COUNT(*) FROM AUDIT_LOG WHERE action = 'payment_review'"), 3);
}

// A body of some KiB (the limit is 64): taken.
TEST_F(ProviderWebhooks, AnEventOfSomeKilobytesIsTaken) {
  const Concert c = make_concert(*ctx_, {1, 5, 0, 300, 1});
  const Ticket t = held(c, "A5", "WH000031");
  nlohmann::json body = nlohmann::json::parse(event("EV-K", "payment.succeeded", t.code, "PAY-K"));
  body["metadata"] = std::string(3000, 'm');
  const auto taken = post(body.dump());
  EXPECT_EQ(taken.first, 200) << taken.second.dump();
  EXPECT_EQ(taken.second["result"], "paid");
}

// Deliveries out of order and again: a refund before its payment leaves the
// payment for review, not taken; the same payment under a new event id is
// the same money; refunds of a ticket still sold stay under review.
TEST_F(ProviderWebhooks, RefundsBeforeTheirPaymentAndRepeatedMoneyAreNotTakenTwice) {
  const Concert c = make_concert(*ctx_, {1, 5, 0, 300, 1});
  const Ticket early = held(c, "A1", "WH000041");
  const auto refund = post(event("EV-O1", "refund.succeeded", early.code, "PAY-O1"));
  EXPECT_EQ(refund.second["result"], "review") << refund.second.dump();
  const auto payment = post(event("EV-O2", "payment.succeeded", early.code, "PAY-O1"));
  EXPECT_EQ(payment.second["result"], "review") << payment.second.dump();
  EXPECT_EQ(find_ticket(*ctx_, early.code)->status, TicketStatus::kProcess)
      << "money already given back does not pay the ticket";

  const Ticket gone = held(c, "A2", "WH000042");
  ASSERT_TRUE(cancel(*ctx_, gone.code, "sold out twice").ok());
  EXPECT_EQ(post(event("EV-O3", "payment.succeeded", gone.code, "PAY-O3")).second["result"],
            "refund_due");
  EXPECT_EQ(post(event("EV-O4", "payment.succeeded", gone.code, "PAY-O3")).second["result"],
            "refund_due")
      << "the same money under a new event id";
  EXPECT_EQ(count("SELECT COUNT(*) FROM PAYMENTS WHERE reference = 'PAY-O3'"), 1);

  const Ticket sold = held(c, "A3", "WH000043");
  EXPECT_EQ(post(event("EV-O5", "payment.succeeded", sold.code, "PAY-O5")).second["result"],
            "paid");
  EXPECT_EQ(post(event("EV-O6", "refund.succeeded", sold.code, "PAY-O5")).second["result"],
            "review");
  EXPECT_EQ(post(event("EV-O7", "refund.succeeded", sold.code, "PAY-O5")).second["result"],
            "review")
      << "still sold: an operator decides";
  EXPECT_EQ(count("SELECT COUNT(*) FROM PAYMENTS WHERE reference = 'PAY-O5' AND state = 'REVIEW'"),
            1);
  EXPECT_EQ(post(event("EV-O8", "payment.succeeded", "TB-AAAAAAAA", "PAY-O5")).second["result"],
            "review")
      << "a reference recorded for another ticket";
  EXPECT_EQ(count("SELECT COUNT(*) FROM PAYMENTS"), 3);
}

}  // namespace
}  // namespace ticket
