#include "ticket/buy.h"

#include <cppconn/exception.h>

#include <algorithm>
#include <chrono>
#include <thread>

#include "concert_cache.h"
#include "customer_sql.h"
#include "redis.h"
#include "ticket/audit.h"
#include "ticket/concerts.h"
#include "ticket/expire.h"
#include "ticket/failpoint.h"
#include "ticket/reconcile.h"
#include "ticket/seat_map_writes.h"
#include "ticket/text.h"

namespace ticket {
namespace {

// The MySQL step of a buy in one round trip (lib/sql/004_buy_pay_procedures.sql):
// the concert as this process has it, the ticket's code, the customer, the
// amount, the seats, and who acts with the audit row's detail.
constexpr const char* kCallBuy =
    "CALL tl_buy(?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)";

// MySQL's refusal of a row whose parent is missing: the concert is gone.
constexpr int kErNoReferencedRow = 1452;

// How long a buy whose COMMIT was lost with the connection asks MySQL again
// whether its ticket was written.
constexpr auto kVerdictWait = std::chrono::seconds(10);

// A locking read: it waits for a transaction that is still committing the
// ticket, where a plain read would not see it yet.
constexpr const char* kTicketWritten = "SELECT 1 FROM TICKETS WHERE code = ? LOCK IN SHARE MODE";

// New codes tried when the random one is taken by another ticket.
constexpr int kMaxCodeClashes = 3;

// A concert read afresh this many times in one buy, each time found changed
// by the transaction, ends the buy as unavailable.
constexpr int kMaxConcertReads = 3;

// The seats asked for, checked against the concert.
Result<std::vector<Seat>> wanted_seats(const BuyRequest& req, const Concert& concert) {
  const int max = concert.max_seats_per_ticket;
  if (req.best != 0) {
    if (!req.seats.empty()) return invalid("give either --seat or --best, not both");
    if (req.best < 1 || req.best > max || req.best > concert.layout.seats_per_row)
      return invalid("--best must be from 1 to " +
                     std::to_string(std::min(max, concert.layout.seats_per_row)) + " for concert " +
                     concert.slug + ", got " + std::to_string(req.best));
    return std::vector<Seat>{};
  }
  if (req.seats.empty()) return invalid("give the seats to buy with --seat A12 (or --best N)");
  if (static_cast<int>(req.seats.size()) > max)
    return invalid("concert " + concert.slug + " sells at most " + std::to_string(max) + " seat" +
                   (max == 1 ? "" : "s") + " per ticket, got " + std::to_string(req.seats.size()));
  std::vector<Seat> seats;
  for (const auto& label : req.seats) {
    TL_ASSIGN_OR_RETURN(Seat seat, parse_seat(label, concert.layout));
    if (seat.zone != Zone::kBuy)
      return invalid("seat " + seat_label(seat) +
                     " is in the free zone; apply for it with tl-apply-free");
    if (std::find(seats.begin(), seats.end(), seat) != seats.end())
      return invalid("seat " + seat_label(seat) + " is given twice");
    seats.push_back(seat);
  }
  return seats;
}

// The seats as tl_buy takes them: "row:number,row:number".
std::string seat_list(const std::vector<Seat>& seats) {
  std::string out;
  for (const Seat& seat : seats)
    out += (out.empty() ? "" : ",") + std::to_string(seat.row) + ":" + std::to_string(seat.number);
  return out;
}

// Whether ticket `code`, whose COMMIT was lost with the connection, was
// written; nullopt when MySQL does not answer within kVerdictWait.
std::optional<bool> was_written(Db& db, const std::string& code) {
  const auto give_up = std::chrono::steady_clock::now() + kVerdictWait;
  for (;;) {
    auto found = db.transaction<bool>([&]() -> Result<bool> {
      auto& stmt = db.prepare(kTicketWritten);
      stmt.setString(1, code);
      return db.query(stmt)->next();
    });
    if (found.ok()) return *found;
    if (found.error().kind() != ErrorKind::kUnavailable ||
        std::chrono::steady_clock::now() > give_up)
      return std::nullopt;
    std::this_thread::sleep_for(std::chrono::milliseconds(200));
  }
}

// What tl_buy did.
enum class Written { kNothing, kHeld, kStale, kTaken, kCodeTaken };

// Why a buy ended without a ticket and may not or need not be tried again.
struct Retry {
  bool concert_changed = false;  // read the concert again, then retry
  bool code_taken = false;       // another ticket has the random code: retry
  bool in_doubt = false;         // the ticket may have been written: never retry
};

// One buy with `concert` as this process knows it; nullopt when nothing
// was written and the hold was given back for a reason in `retry` that a
// new attempt may get past. `retry.in_doubt` is set with an error when the
// buy does not know whether its ticket was written.
Result<std::optional<Ticket>> buy_from(Context& ctx, const BuyRequest& req,
                                       const Customer& customer, const Concert& concert,
                                       Retry& retry) {
  TL_ASSIGN_OR_RETURN(std::vector<Seat> seats, wanted_seats(req, concert));
  if (!concert.open) return expired("sales of concert " + concert.slug + " are closed");
  TL_ASSIGN_OR_RETURN(std::string secret, ctx.secret());
  TL_ASSIGN_OR_RETURN(Db * db, ctx.db());

  // Redis first: the hold is what keeps two buyers of one seat apart, in one
  // atomic script. Its deadline here only schedules the expiry; MySQL's
  // hold_expires_at, set by the MySQL clock, decides.
  TL_ASSIGN_OR_RETURN(Ticket t, new_ticket(Zone::kBuy, concert));
  const Millis redis_deadline = wall_clock_ms() + static_cast<Millis>(concert.hold_seconds) * 1000;
  if (req.best != 0) {
    TL_ASSIGN_OR_RETURN(t.seat_indexes, hold_best(ctx, concert, t.code, redis_deadline, req.best));
    for (int i : t.seat_indexes) t.seats.push_back(seat_at(Zone::kBuy, i, concert.layout));
  } else {
    t.seats = seats;
    for (const Seat& s : seats) t.seat_indexes.push_back(seat_index(s, concert.layout));
    TL_TRY(hold_seats(ctx, concert, t.code, redis_deadline, t.seat_indexes));
  }
  t.amount = concert.price * static_cast<Cents>(t.seats.size());
  failpoint("buy-after-hold");

  Written written = Written::kNothing;
  Seat taken;
  if (failpoint_refuses("buy-commit-unsent")) db->lose_next_commit(Db::LoseCommit::kUnsent);
  if (failpoint_refuses("buy-commit-unanswered")) db->lose_next_commit(Db::LoseCommit::kUnanswered);
  Status s = db->transaction([&]() -> Status {
    written = Written::kNothing;
    auto& call = db->prepare(kCallBuy);
    call.setUInt64(1, concert.id);
    call.setString(2, concert.slug);
    call.setInt(3, concert.layout.rows);
    call.setInt(4, concert.layout.seats_per_row);
    call.setInt(5, concert.layout.free_seats);
    call.setString(6, format_money(concert.price));
    call.setString(7, concert.currency);
    call.setInt(8, concert.hold_seconds);
    call.setInt(9, concert.max_seats_per_ticket);
    call.setString(10, t.code);
    bind_customer(call, 11, secret, customer);
    call.setString(16, format_money(t.amount));
    call.setString(17, seat_list(t.seats));
    call.setString(18, ctx.actor());
    call.setString(19, "seats " + seat_labels(t.seats));
    std::string answer;
    try {
      db->call(call, [&](sql::ResultSet& rs) {
        answer = rs.getString(1);
        if (answer == "held") {
          written = Written::kHeld;
          t.id = rs.getUInt64(2);
          t.hold_expires_at = rs.getInt64(3);
          t.created_at = rs.getInt64(4);
        } else if (answer == "taken") {
          written = Written::kTaken;
          taken = Seat{Zone::kBuy, rs.getInt(2), rs.getInt(3)};
        } else if (answer == "stale") {
          written = Written::kStale;
        }
      });
    } catch (const sql::SQLException& e) {
      if (is_duplicate_key(e, "uq_ticket_active_customer"))
        return conflict("this customer already has an active ticket for concert " + concert.slug);
      if (is_duplicate_key(e, "uq_ticket_code")) {
        written = Written::kCodeTaken;
      } else if (e.getErrorCode() == kErNoReferencedRow) {
        written = Written::kStale;
      } else {
        throw;
      }
    }
    switch (written) {
      case Written::kStale: return unavailable("concert " + concert.slug + " changed");
      case Written::kCodeTaken: return conflict("ticket code " + t.code + " is taken");
      // The database is the last line: Redis let us hold a seat that an
      // active ticket has (the cache was lost and rebuilt mid-sale).
      case Written::kTaken: return conflict("seat " + seat_label(taken) + " is already taken");
      case Written::kNothing: return internal("unexpected answer from tl_buy: " + quote(answer));
      case Written::kHeld: break;
    }
    // A hold whose ticket is not in MySQL is released kOrphanHoldGraceMs
    // after its deadline: a transaction slower than that must not commit a
    // ticket whose seats may be sold to someone else in Redis meanwhile.
    if (wall_clock_ms() > redis_deadline + kOrphanHoldGraceMs / 2)
      return unavailable("MySQL at " + db->endpoint() +
                         " was too slow: the hold ran out before the sale was written");
    return {};
  });
  bool sold = s.ok();
  if (!sold && db->commit_outcome_unknown()) {
    const std::optional<bool> made = was_written(*db, t.code);
    // Still unknown: the hold stays, as that of a buyer who died here; the
    // daemon settles it at its deadline by what MySQL holds.
    if (!made) {
      retry.in_doubt = true;
      return unavailable(s.error().message() + "; whether ticket " + t.code +
                         " was written is unknown: see tl-status " + t.code);
    }
    sold = *made;
  }
  if (!sold) {
    // Nothing was written: give the seats back. Should this fail too, the
    // hold runs out at its deadline and the daemon releases it.
    (void)release_seats(ctx, concert.id, Zone::kBuy, t.code, t.seat_indexes, seat_event::kReleased);
    // Redis showed free a seat that MySQL has: repair that drift now (the
    // repair changes only seats still as they were seen).
    if (written == Written::kTaken) (void)reconcile(ctx, concert, true);
    retry.concert_changed = written == Written::kStale;
    retry.code_taken = written == Written::kCodeTaken;
    if (retry.concert_changed || retry.code_taken) return std::optional<Ticket>();
    return std::move(s).error();
  }
  failpoint("buy-after-commit");
  t.customer_name = customer.name;
  t.customer_age = customer.age;
  t.customer_gender = customer.gender;
  t.customer_last4 = customer.id_number.substr(customer.id_number.size() - 4);
  return std::optional<Ticket>(std::move(t));
}

}  // namespace

Result<Ticket> buy(Context& ctx, const BuyRequest& req) {
  TL_ASSIGN_OR_RETURN(Customer customer, validate_customer(req.customer));
  std::optional<Concert> cached = concert_cache::get(ctx, req.concert);
  int code_clashes = 0;
  for (int reads = cached ? 0 : 1;;) {
    if (!cached) {
      TL_ASSIGN_OR_RETURN(Concert fresh, find_concert(ctx, req.concert));
      concert_cache::put(ctx, req.concert, fresh);
      cached = fresh;
    }
    Retry retry;
    auto bought = buy_from(ctx, req, customer, *cached, retry);
    if (bought.ok() && *bought) return std::move(**bought);
    if (retry.in_doubt) return std::move(bought).error();
    if (!bought.ok()) {
      // Seats taken are taken whatever else changed: a map laid out as
      // another layout answers "cold", never "taken". Any other failure
      // with a concert read earlier is tried again only if the concert has
      // changed since (e.g. grown, reopened).
      if (bought.error().kind() == ErrorKind::kConflict || reads > 0)
        return std::move(bought).error();
      auto fresh = find_concert(ctx, req.concert);
      if (!fresh.ok() || concert_cache::sells_alike(*fresh, *cached)) {
        if (fresh.ok())
          concert_cache::put(ctx, req.concert, *fresh);
        else
          concert_cache::drop(ctx, req.concert);
        return std::move(bought).error();
      }
      concert_cache::put(ctx, req.concert, *fresh);
      cached = std::move(*fresh);
      ++reads;
      continue;
    }
    if (retry.code_taken) {
      // As likely as the tickets there are in 2^40 codes: try another code.
      if (++code_clashes > kMaxCodeClashes)
        return internal("ticket codes kept clashing with existing tickets");
      continue;
    }
    // The transaction found the concert closed or changed.
    concert_cache::drop(ctx, req.concert);
    cached.reset();
    if (++reads > kMaxConcertReads)
      return unavailable("concert " + quote(req.concert) +
                         " kept changing during this buy; try again");
  }
}

}  // namespace ticket
