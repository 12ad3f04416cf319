// The seat-map scripts' replies are decoded in one place: replies of the
// wrong shape, built here by hand, are internal errors naming the script.
#include "script_replies.h"

#include <gtest/gtest.h>

#include <deque>
#include <string>
#include <vector>

#include "redis.h"

namespace ticket {
namespace {

// Replies built in memory, as hiredis would hand them over.
class Replies {
 public:
  const redisReply* text(const std::string& s) {
    redisReply& r = next(REDIS_REPLY_STRING);
    texts_.push_back(s);
    r.str = texts_.back().data();
    r.len = texts_.back().size();
    return &r;
  }
  const redisReply* integer(long long v) {
    redisReply& r = next(REDIS_REPLY_INTEGER);
    r.integer = v;
    return &r;
  }
  const redisReply* nil() { return &next(REDIS_REPLY_NIL); }
  const redisReply* list(std::vector<const redisReply*> elements) {
    redisReply& r = next(REDIS_REPLY_ARRAY);
    lists_.emplace_back(elements.begin(), elements.end());
    r.elements = lists_.back().size();
    r.element = const_cast<redisReply**>(lists_.back().data());
    return &r;
  }

 private:
  redisReply& next(int type) {
    replies_.emplace_back();
    replies_.back().type = type;
    return replies_.back();
  }
  std::deque<redisReply> replies_;
  std::deque<std::string> texts_;
  std::deque<std::vector<const redisReply*>> lists_;
};

TEST(SeatMapReplies, IntegerReplyIsAnErrorUnlessItIsAWholeNumber) {
  Replies r;
  EXPECT_EQ(*reply_integer(r.integer(42)), 42);
  EXPECT_EQ(*reply_integer(r.text("1700000000123")), 1700000000123);
  EXPECT_EQ(*reply_integer(r.text("-5")), -5);
  for (const redisReply* bad :
       {r.text("abc"), r.text(""), r.text("12x"), r.text("1.5"), r.nil(), r.list({})}) {
    auto v = reply_integer(bad);
    ASSERT_FALSE(v.ok()) << describe_reply(bad);
    EXPECT_EQ(v.error().kind(), ErrorKind::kInternal);
  }
  EXPECT_EQ(reply_integer(r.text("abc")).error().message(),
            "Redis answered the text 'abc' where a whole number was due");
  EXPECT_FALSE(reply_integer(nullptr).ok());
}

TEST(SeatMapReplies, ViewCountsWithTextForANumberIsAnErrorNamingTheScript) {
  Replies r;
  auto good = decode_view_counts(
      r.list({r.text("ok"), r.integer(7), r.integer(2), r.integer(5), r.integer(1)}));
  ASSERT_TRUE(good.ok()) << good.error().message();
  EXPECT_EQ(good->generation, 7);
  EXPECT_EQ(good->held, 2);
  EXPECT_EQ(good->buy_taken, 5);
  EXPECT_EQ(good->free_taken, 1);

  auto bad = decode_view_counts(
      r.list({r.text("ok"), r.text("x"), r.integer(2), r.integer(5), r.integer(1)}));
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.error().kind(), ErrorKind::kInternal);
  EXPECT_EQ(
      bad.error().message(),
      "unexpected reply from view.lua: element 2: Redis answered the text 'x' where a whole number was due");

  auto short_list = decode_view_counts(r.list({r.text("ok"), r.integer(7)}));
  ASSERT_FALSE(short_list.ok());
  EXPECT_EQ(short_list.error().message(),
            "unexpected reply from view.lua: a list of 2 where a list of 5 was due");
  EXPECT_FALSE(decode_view_counts(r.integer(3)).ok());
}

TEST(SeatMapReplies, HoldDecodesEachOutcomeAndRefusesOthers) {
  Replies r;
  auto held = decode_hold(r.list({r.text("ok"), r.integer(3), r.integer(4), r.integer(5)}));
  ASSERT_TRUE(held.ok());
  EXPECT_EQ(held->outcome, HoldReply::Outcome::kHeld);
  EXPECT_EQ(held->seats, (std::vector<int>{4, 5}));
  auto taken = decode_hold(r.list({r.text("taken"), r.integer(9)}));
  ASSERT_TRUE(taken.ok());
  EXPECT_EQ(taken->outcome, HoldReply::Outcome::kTaken);
  EXPECT_EQ(taken->seats, (std::vector<int>{9}));
  EXPECT_EQ(decode_hold(r.list({r.text("none")}))->outcome, HoldReply::Outcome::kNoRow);

  auto seat_text = decode_hold(r.list({r.text("ok"), r.integer(3), r.text("A1")}));
  ASSERT_FALSE(seat_text.ok());
  EXPECT_EQ(
      seat_text.error().message(),
      "unexpected reply from hold.lua: element 3: Redis answered the text 'A1' where a whole number was due");
  auto odd = decode_hold(r.list({r.text("maybe")}));
  ASSERT_FALSE(odd.ok());
  EXPECT_EQ(odd.error().message(), "unexpected reply from hold.lua: a list of 1 starting 'maybe'");
  EXPECT_FALSE(decode_hold(r.list({r.text("taken")})).ok());
}

TEST(SeatMapReplies, ChangesRebuildAndRepairRefuseMalformedReplies) {
  Replies r;
  auto freed = decode_release(r.list({r.text("ok"), r.integer(4), r.integer(1), r.integer(7)}));
  ASSERT_TRUE(freed.ok());
  EXPECT_EQ(*freed, (std::vector<int>{1, 7}));
  auto cold = decode_release(r.list({r.text("cold")}));
  ASSERT_TRUE(cold.ok());
  EXPECT_TRUE(cold->empty());
  EXPECT_FALSE(decode_release(r.list({r.text("ok"), r.text("gen")})).ok());
  EXPECT_TRUE(decode_confirm(r.list({r.text("ended")})).ok());
  EXPECT_FALSE(decode_confirm(r.list({r.text("ok")})).ok());
  EXPECT_EQ(*decode_rebuild(r.list({r.text("lost")})), false);
  EXPECT_EQ(*decode_rebuild(r.list({r.text("ok"), r.integer(1)})), true);
  EXPECT_FALSE(decode_rebuild(r.nil()).ok());

  auto repaired =
      decode_reconcile(r.list({r.text("ok"), r.list({r.text("b3"), r.text("f0")}), r.list({})}));
  ASSERT_TRUE(repaired.ok());
  EXPECT_EQ(repaired->taken.size(), 2u);
  EXPECT_EQ(repaired->taken[1], std::make_pair(Zone::kFree, 0));
  auto counts = decode_reconcile(r.list({r.text("ok"), r.integer(1), r.integer(0)}));
  ASSERT_FALSE(counts.ok());
  EXPECT_EQ(counts.error().message(),
            "unexpected reply from reconcile.lua: element 2 is the number 1, not a list");
  EXPECT_FALSE(decode_reconcile(r.list({r.text("ok"), r.list({r.text("z9")}), r.list({})})).ok());
}

TEST(SeatMapReplies, FullViewWithANonNumericDeadlineIsAnError) {
  Replies r;
  auto full = [&](const std::string& deadline) {
    return decode_view_full(
        r.list({r.text("ok"), r.integer(1), r.integer(1), r.text(""), r.text(""), r.text("3"),
                r.list({r.text("TB-1"), r.text("0,1")}), r.list({}),
                r.list({r.text("TB-1"), r.text(deadline)})}));
  };
  auto good = full("1700000000000");
  ASSERT_TRUE(good.ok()) << good.error().message();
  EXPECT_EQ(good->hold_seats["TB-1"], (std::vector<int>{0, 1}));
  EXPECT_EQ(good->hold_deadlines["TB-1"], 1700000000000);
  EXPECT_EQ(good->releases, "3");
  auto bad = full("soon");
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.error().kind(), ErrorKind::kInternal);
  EXPECT_NE(bad.error().message().find("unexpected reply from view.lua"), std::string::npos);
}

}  // namespace
}  // namespace ticket
