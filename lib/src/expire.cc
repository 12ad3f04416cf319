#include "ticket/expire.h"

#include <algorithm>
#include <atomic>
#include <exception>
#include <map>
#include <thread>

#include "db.h"
#include "redis.h"
#include "stored_values.h"
#include "ticket/audit.h"
#include "ticket/failpoint.h"
#include "ticket/seat_map.h"
#include "ticket/seat_map_writes.h"
#include "ticket_rows.h"

namespace ticket {
namespace {

// Tickets decided in one transaction. Statements take exactly this many
// values in their "(?*)" lists; shorter lists repeat their first value.
// Longer lists than eq_range_index_dive_limit (200 by default, MySQL and
// MariaDB) lose the optimizer's index dives: the TICKET_SEATS statements
// then scanned the table (ten times slower at 500).
constexpr size_t kChunk = 200;
// A worker joins a batch only if it gets at least this many holds.
constexpr size_t kFewest = 25;

constexpr const char* kLock =
    "SELECT id, code, status, COALESCE(hold_expires_at < NOW(3), 0),"
    " CAST(UNIX_TIMESTAMP(hold_expires_at) * 1000 AS SIGNED)"
    " FROM TICKETS WHERE concert_id = ? AND code IN (?*) ORDER BY code FOR UPDATE";
constexpr const char* kSeats =
    "SELECT ticket_id, zone, seat_row, seat_number FROM TICKET_SEATS WHERE ticket_id IN (?*)";
constexpr const char* kExpire =
    "UPDATE TICKETS SET status = 'FAIL', reason = 'EXPIRED', updated_at = NOW(3)"
    " WHERE id IN (?*) AND status = 'PROCESS'";
constexpr const char* kExpireSeats =
    "UPDATE TICKET_SEATS SET status = 'FAIL' WHERE ticket_id IN (?*)";
constexpr const char* kAudit =
    "INSERT INTO AUDIT_LOG (at, actor, action, concert_id, ticket_id, ticket_code, detail)"
    " SELECT NOW(3), ?, ?, concert_id, id, code, ? FROM TICKETS WHERE id IN (?*)";
constexpr const char* kOverdue =
    "SELECT concert_id, code FROM TICKETS WHERE status = 'PROCESS' AND zone = 'BUY'"
    " AND hold_expires_at < NOW(3) - INTERVAL 1 SECOND ORDER BY hold_expires_at LIMIT ?";

// `sql` with "(?*)" spelled out as kChunk placeholders.
const std::string& chunked(const char* sql) {
  static thread_local std::map<const char*, std::string> cache;
  auto it = cache.find(sql);
  if (it != cache.end()) return it->second;
  std::string list = "(";
  for (size_t i = 0; i < kChunk; ++i) list += i == 0 ? "?" : ",?";
  list += ")";
  std::string text = sql;
  text.replace(text.find("(?*)"), 4, list);
  return cache.emplace(sql, std::move(text)).first->second;
}

template <class T, class Set>
void bind_list(sql::PreparedStatement& stmt, int first, const std::vector<T>& values, Set set) {
  for (size_t i = 0; i < kChunk; ++i)
    set(stmt, first + static_cast<int>(i), values[i < values.size() ? i : 0]);
}

void bind_ids(sql::PreparedStatement& stmt, int first, const std::vector<uint64_t>& ids) {
  bind_list(stmt, first, ids,
            [](sql::PreparedStatement& s, int i, uint64_t v) { s.setUInt64(i, v); });
}

enum class Verdict { kExpired, kPaid, kFailed, kNotYetDue };

struct Decided {
  Verdict verdict = Verdict::kFailed;
  uint64_t id = 0;
  Millis deadline = 0;
  std::vector<int> seats;
};

// Where the seats of a released hold come from.
enum class Seats {
  kFromHold,   // the codes come from the holds schedule: Redis keeps their seats
  kFromMysql,  // Redis may have lost the holds
};

// Decides up to kChunk codes of one concert in one transaction. Reads the
// seats of paid tickets (to confirm), and of every ticket with kFromMysql.
Result<std::map<std::string, Decided>> decide(Context& ctx, Db& db, const Concert& concert,
                                              const std::vector<std::string>& codes, Seats from) {
  return db.transaction<std::map<std::string, Decided>>(
      [&]() -> Result<std::map<std::string, Decided>> {
        std::map<std::string, Decided> out;
        auto& lock = db.prepare(chunked(kLock));
        lock.setUInt64(1, concert.id);
        bind_list(lock, 2, codes, [](sql::PreparedStatement& s, int i, const std::string& v) {
          s.setString(i, v);
        });
        std::vector<uint64_t> seats_of, to_expire;
        std::map<uint64_t, std::string> code_of;
        {
          ResultSetPtr rs = db.query(lock);
          while (rs->next()) {
            Decided d;
            d.id = rs->getUInt64(1);
            TL_ASSIGN_OR_RETURN(const TicketStatus status, stored_status(*rs, 3));
            d.deadline = rs->isNull(5) ? 0 : rs->getInt64(5);
            if (status == TicketStatus::kSuccess) {
              d.verdict = Verdict::kPaid;
            } else if (status == TicketStatus::kFail) {
              d.verdict = Verdict::kFailed;
            } else if (rs->getInt(4) == 0) {
              d.verdict = Verdict::kNotYetDue;
            } else {
              d.verdict = Verdict::kExpired;
              to_expire.push_back(d.id);
            }
            if (from == Seats::kFromMysql || d.verdict == Verdict::kPaid) seats_of.push_back(d.id);
            code_of[d.id] = rs->getString(2);
            out[rs->getString(2)] = std::move(d);
          }
        }
        if (!seats_of.empty()) {
          auto& seats = db.prepare(chunked(kSeats));
          bind_ids(seats, 1, seats_of);
          ResultSetPtr rs = db.query(seats);
          while (rs->next()) {
            TL_ASSIGN_OR_RETURN(const Seat seat, ticket_rows::read_seat(*rs, 2));
            out[code_of[rs->getUInt64(1)]].seats.push_back(seat_index(seat, concert.layout));
          }
        }
        if (to_expire.empty()) return out;
        auto& expire = db.prepare(chunked(kExpire));
        bind_ids(expire, 1, to_expire);
        expire.execute();
        auto& expire_seats = db.prepare(chunked(kExpireSeats));
        bind_ids(expire_seats, 1, to_expire);
        expire_seats.execute();
        auto& audit = db.prepare(chunked(kAudit));
        audit.setString(1, ctx.actor());
        audit.setString(2, action::kExpired);
        audit.setString(3, "hold ran out");
        bind_ids(audit, 4, to_expire);
        audit.execute();
        return out;
      });
}

using Due = std::vector<std::pair<std::string, Millis>>;  // code -> deadline in Redis

void add(ExpireReport& into, ExpireReport&& part) {
  into.expired += part.expired;
  into.confirmed += part.confirmed;
  into.released += part.released;
  into.rescheduled += part.rescheduled;
  into.lag_ms.insert(into.lag_ms.end(), part.lag_ms.begin(), part.lag_ms.end());
}

// Decides due[from, to) (at most kChunk) and brings Redis in line.
Status settle_chunk(Context& ctx, const Concert& concert, const Due& due, size_t from, size_t to,
                    Seats seats_from, ExpireReport& report) {
  TL_ASSIGN_OR_RETURN(Db * db, ctx.db());
  TL_ASSIGN_OR_RETURN(Redis * redis, ctx.redis());
  const std::string holds = seat_map_keys(ctx, concert.id).holds;
  std::vector<std::string> codes;
  for (size_t i = from; i < to; ++i) codes.push_back(due[i].first);
  TL_ASSIGN_OR_RETURN(auto decided, decide(ctx, *db, concert, codes, seats_from));
  failpoint("expire-after-commit");

  std::vector<SeatRelease> releases;
  std::vector<Millis> deadlines;
  const Millis now = wall_clock_ms();
  for (size_t i = from; i < to; ++i) {
    const auto& [code, redis_deadline] = due[i];
    auto it = decided.find(code);
    if (it == decided.end()) {
      // No ticket: the buyer died between hold and commit, or is still
      // committing. Left in place until the grace period is over.
      if (now >= redis_deadline + kOrphanHoldGraceMs) {
        releases.push_back({Zone::kBuy, code, {}, seat_event::kReleased});
        ++report.released;
      }
      continue;
    }
    const Decided& d = it->second;
    switch (d.verdict) {
      case Verdict::kExpired:
        releases.push_back({Zone::kBuy, code, d.seats, seat_event::kExpired});
        deadlines.push_back(d.deadline);
        ++report.expired;
        break;
      case Verdict::kFailed:
        releases.push_back({Zone::kBuy, code, d.seats, seat_event::kReleased});
        ++report.released;
        break;
      case Verdict::kPaid:
        TL_TRY(confirm_seats(ctx, concert.id, Zone::kBuy, code, d.seats, seat_event::kSold));
        ++report.confirmed;
        break;
      case Verdict::kNotYetDue:
        TL_TRY(redis->command({"ZADD", holds, "XX", std::to_string(d.deadline), code}));
        ++report.rescheduled;
        break;
    }
  }
  TL_TRY(release_many(ctx, concert.id, releases));
  const Millis released_at = wall_clock_ms();
  for (Millis deadline : deadlines) report.lag_ms.push_back(released_at - deadline);
  return {};
}

// Decides `due` in chunks of at most kChunk, shared among `ctx` and
// `helpers`, each context on a thread of its own taking the next chunk when
// done with one.
// The chunks are disjoint, so the workers never wait for each other's locks.
Status settle(Context& ctx, const std::vector<Context*>& helpers, const Concert& concert,
              const Due& due, Seats seats_from, ExpireReport& report) {
  if (due.empty()) return {};
  std::vector<Context*> workers = {&ctx};
  for (Context* h : helpers) {
    if (workers.size() * kFewest >= due.size()) break;
    workers.push_back(h);
  }
  // As many chunks for each worker, as equal as can be.
  const size_t rounds = (due.size() + workers.size() * kChunk - 1) / (workers.size() * kChunk);
  const size_t chunks = workers.size() * rounds;
  const size_t size = (due.size() + chunks - 1) / chunks;
  std::atomic<size_t> next{0};
  std::vector<ExpireReport> reports(workers.size());
  std::vector<Status> results(workers.size());
  auto work = [&](size_t w) {
    try {
      for (size_t c = next++; c < chunks; c = next++) {
        const size_t from = std::min(due.size(), c * size), to = std::min(due.size(), from + size);
        if (from == to) continue;
        results[w] = settle_chunk(*workers[w], concert, due, from, to, seats_from, reports[w]);
        if (!results[w].ok()) return;
      }
    } catch (const std::exception& e) {
      results[w] = internal(std::string("expiry worker: ") + e.what());
    }
  };
  std::vector<std::thread> threads;
  for (size_t w = 1; w < workers.size(); ++w) threads.emplace_back(work, w);
  work(0);
  for (std::thread& t : threads) t.join();
  for (ExpireReport& r : reports) add(report, std::move(r));
  for (const Status& s : results) TL_TRY(s);
  return {};
}

}  // namespace

Result<ExpireReport> expire_due(Context& ctx, const Concert& concert, int limit) {
  return expire_due(ctx, {}, concert, limit);
}

Result<ExpireReport> expire_due(Context& ctx, const std::vector<Context*>& helpers,
                                const Concert& concert, int limit) {
  TL_ASSIGN_OR_RETURN(Redis * redis, ctx.redis());
  const Millis now = wall_clock_ms();
  TL_ASSIGN_OR_RETURN(
      RedisReply r,
      redis->command({"ZRANGEBYSCORE", seat_map_keys(ctx, concert.id).holds, "-inf",
                      std::to_string(now), "WITHSCORES", "LIMIT", "0", std::to_string(limit)}));
  ExpireReport report;
  std::vector<std::pair<std::string, Millis>> due;
  if (r->type != REDIS_REPLY_ARRAY)
    return internal("unexpected reply to ZRANGEBYSCORE: " + describe_reply(r.get()));
  for (size_t i = 0; i + 1 < r->elements; i += 2) {
    TL_ASSIGN_OR_RETURN(Millis deadline, reply_integer(r->element[i + 1]));
    due.emplace_back(reply_string(r->element[i]), deadline);
  }
  TL_TRY(settle(ctx, helpers, concert, due, Seats::kFromHold, report));
  // A full batch means more may be due, unless nothing in it could be done
  // yet (holds of buys still inside their grace period): asking again at
  // once would only find the same ones.
  const int done = report.expired + report.released + report.confirmed + report.rescheduled;
  report.more = static_cast<int>(due.size()) >= limit && done > 0;
  return report;
}

Result<ExpireReport> sweep_overdue(Context& ctx, int limit) {
  TL_ASSIGN_OR_RETURN(Db * db, ctx.db());
  using Overdue = std::map<uint64_t, std::vector<std::pair<std::string, Millis>>>;
  TL_ASSIGN_OR_RETURN(Overdue overdue, db->transaction<Overdue>([&]() -> Result<Overdue> {
    Overdue out;
    auto& stmt = db->prepare(kOverdue);
    stmt.setInt(1, limit);
    ResultSetPtr rs = db->query(stmt);
    while (rs->next()) out[rs->getUInt64(1)].emplace_back(rs->getString(2), 0);
    return out;
  }));
  ExpireReport report;
  size_t found = 0;
  for (const auto& [concert_id, codes] : overdue) {
    TL_ASSIGN_OR_RETURN(Concert concert, find_concert(ctx, std::to_string(concert_id)));
    TL_TRY(settle(ctx, {}, concert, codes, Seats::kFromMysql, report));
    found += codes.size();
  }
  report.more = static_cast<int>(found) >= limit;
  return report;
}

Result<std::optional<Millis>> next_deadline(Context& ctx, uint64_t concert_id) {
  TL_ASSIGN_OR_RETURN(Redis * redis, ctx.redis());
  TL_ASSIGN_OR_RETURN(RedisReply r, redis->command({"ZRANGE", seat_map_keys(ctx, concert_id).holds,
                                                    "0", "0", "WITHSCORES"}));
  if (r->type != REDIS_REPLY_ARRAY)
    return internal("unexpected reply to ZRANGE: " + describe_reply(r.get()));
  if (r->elements < 2) return std::optional<Millis>();
  TL_ASSIGN_OR_RETURN(Millis deadline, reply_integer(r->element[1]));
  return std::optional<Millis>(deadline);
}

}  // namespace ticket
