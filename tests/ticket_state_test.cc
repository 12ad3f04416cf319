#include "ticket/ticket_state.h"

#include <gtest/gtest.h>

namespace ticket {
namespace {

TEST(TicketState, EveryValueReadsBackFromItsText) {
  for (Zone zone : kZones) EXPECT_EQ(parse_zone(zone_name(zone)), zone);
  for (TicketStatus status : kTicketStatuses) EXPECT_EQ(parse_status(status_name(status)), status);
  for (FailReason reason : kFailReasons) EXPECT_EQ(parse_reason(reason_name(reason)), reason);
  EXPECT_EQ(parse_reason(""), FailReason::kNone);
  EXPECT_EQ(reason_name(FailReason::kNone), "");
}

TEST(TicketState, TextsAreThoseMySQLStores) {
  EXPECT_EQ(zone_name(Zone::kBuy), "BUY");
  EXPECT_EQ(zone_name(Zone::kFree), "FREE");
  EXPECT_EQ(status_name(TicketStatus::kProcess), "PROCESS");
  EXPECT_EQ(status_name(TicketStatus::kSuccess), "SUCCESS");
  EXPECT_EQ(status_name(TicketStatus::kFail), "FAIL");
  EXPECT_EQ(reason_name(FailReason::kExpired), "EXPIRED");
  EXPECT_EQ(reason_name(FailReason::kRejected), "REJECTED");
  EXPECT_EQ(reason_name(FailReason::kCancelled), "CANCELLED");
}

TEST(TicketState, UnknownTextIsNoValue) {
  for (const char* text : {"", "buy", "Free", "PAID", " BUY", "BUY "})
    EXPECT_FALSE(parse_zone(text)) << text;
  for (const char* text : {"", "process", "PAID", "FAILED", "SUCCESS\n"})
    EXPECT_FALSE(parse_status(text)) << text;
  for (const char* text : {"expired", "REFUNDED", "NONE", " "})
    EXPECT_FALSE(parse_reason(text)) << text;
}

TEST(TicketState, StatusTextAddsTheReason) {
  EXPECT_EQ(status_text(TicketStatus::kProcess, FailReason::kNone), "PROCESS");
  EXPECT_EQ(status_text(TicketStatus::kSuccess, FailReason::kNone), "SUCCESS");
  EXPECT_EQ(status_text(TicketStatus::kFail, FailReason::kExpired), "FAIL (EXPIRED)");
  EXPECT_EQ(status_text(TicketStatus::kFail, FailReason::kCancelled), "FAIL (CANCELLED)");
}

}  // namespace
}  // namespace ticket
