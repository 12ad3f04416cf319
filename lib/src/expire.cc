#include "ticket/expire.h"

#include <optional>

#include "ticket/audit.h"
#include "ticket/failpoint.h"
#include "ticket/seat_map.h"
#include "ticket/tickets.h"

namespace ticket {
namespace {

enum class Verdict { kExpired, kPaid, kFailed, kNotYetDue, kNoTicket };

struct Decision {
  Verdict verdict = Verdict::kNoTicket;
  Ticket ticket;
};

}  // namespace

Result<ExpireReport> expire_due(Context& ctx, uint64_t concert_id, int limit) {
  TL_ASSIGN_OR_RETURN(Redis * redis, ctx.redis());
  const Millis now = wall_clock_ms();
  const std::string holds = ctx.key(concert_id, "holds");
  TL_ASSIGN_OR_RETURN(RedisReply due, redis->command({"ZRANGEBYSCORE", holds, "-inf", std::to_string(now),
                                                       "WITHSCORES", "LIMIT", "0", std::to_string(limit)}));
  ExpireReport report;
  if (due->type != REDIS_REPLY_ARRAY) return report;
  TL_ASSIGN_OR_RETURN(Db * db, ctx.db());
  for (size_t i = 0; i + 1 < due->elements; i += 2) {
    const std::string code = reply_string(due->element[i]);
    const Millis deadline = reply_integer(due->element[i + 1]);
    TL_ASSIGN_OR_RETURN(Decision d, db->transaction<Decision>([&]() -> Result<Decision> {
      Decision d;
      auto t = lock_ticket(*db, code);
      if (!t) return d;
      d.ticket = std::move(*t);
      if (d.ticket.status == "SUCCESS") {
        d.verdict = Verdict::kPaid;
      } else if (d.ticket.status == "FAIL") {
        d.verdict = Verdict::kFailed;
      } else if (!d.ticket.past_deadline) {
        d.verdict = Verdict::kNotYetDue;
      } else {
        fail_ticket(*db, ctx.actor(), d.ticket, "EXPIRED", action::kExpired, "hold ran out");
        d.verdict = Verdict::kExpired;
      }
      return d;
    }));
    const Ticket& t = d.ticket;
    switch (d.verdict) {
      case Verdict::kExpired:
        failpoint("expire-after-commit");
        TL_TRY(release_seats(ctx, concert_id, Zone::kBuy, code, t.seat_indexes, seat_event::kExpired));
        ++report.expired;
        report.lag_ms.push_back(wall_clock_ms() - t.hold_expires_at.value_or(deadline));
        break;
      case Verdict::kFailed:
        TL_TRY(release_seats(ctx, concert_id, Zone::kBuy, code, t.seat_indexes, seat_event::kReleased));
        ++report.released;
        break;
      case Verdict::kPaid:
        TL_TRY(confirm_seats(ctx, concert_id, Zone::kBuy, code, t.seat_indexes, seat_event::kSold));
        ++report.confirmed;
        break;
      case Verdict::kNotYetDue:
        TL_TRY(redis->command({"ZADD", holds, "XX", std::to_string(t.hold_expires_at.value_or(now)), code}));
        ++report.rescheduled;
        break;
      case Verdict::kNoTicket:
        // Left in place until the grace period is over.
        if (now >= deadline + kOrphanHoldGraceMs) {
          TL_TRY(release_seats(ctx, concert_id, Zone::kBuy, code, {}, seat_event::kReleased));
          ++report.released;
        }
        break;
    }
  }
  return report;
}

Result<std::optional<Millis>> next_deadline(Context& ctx, uint64_t concert_id) {
  TL_ASSIGN_OR_RETURN(Redis * redis, ctx.redis());
  TL_ASSIGN_OR_RETURN(RedisReply r, redis->command({"ZRANGE", ctx.key(concert_id, "holds"), "0", "0", "WITHSCORES"}));
  if (r->type != REDIS_REPLY_ARRAY || r->elements < 2) return std::optional<Millis>();
  return std::optional<Millis>(reply_integer(r->element[1]));
}

}  // namespace ticket
