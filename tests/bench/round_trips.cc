// MySQL round trips of a warm buy and a warm pay, as the server counts them:
// the session's Questions status (statements sent by the client; those run
// inside a procedure are not counted) read before and after each call on
// the connection the call uses.
#include "bench.h"
#include "db.h"
#include "ticket/buy.h"
#include "ticket/pay.h"

namespace tlbench {
namespace {

using ticket::Context;

// Buys (each then paid) measured one at a time.
constexpr int kSamples = 200;

constexpr const char* kQuestions = "SHOW SESSION STATUS LIKE 'Questions'";

// The session's Questions counter; reading it costs statements of its own,
// which the caller measures once and subtracts.
Result<int64_t> questions(Context& ctx) {
  TL_ASSIGN_OR_RETURN(ticket::Db * db, ctx.db());
  return db->transaction<int64_t>([&]() -> Result<int64_t> {
    ticket::ResultSetPtr rs = db->query(db->prepare(kQuestions));
    if (!rs->next()) return ticket::internal("SHOW SESSION STATUS answered no Questions row");
    return rs->getInt64(2);
  });
}

struct Trips {
  int64_t total = 0, max = 0;
  void add(int64_t n) {
    total += n;
    max = std::max(max, n);
  }
  double mean() const { return static_cast<double>(total) / kSamples; }
};

}  // namespace

Status measure_round_trips(Bench& b) {
  Context ctx(b.config);
  (void)ctx.set_actor("tl-bench");
  TL_ASSIGN_OR_RETURN(ticket::Concert concert, make_concert(b, ctx, "trips", kSamples + 1, 600, 1));
  TL_TRY(warm(ctx));
  ticket::BuyRequest req;
  req.concert = std::to_string(concert.id);
  req.customer = {"Bench buyer", "30", "Unspecified", ""};
  auto buy_seat = [&](int seat) -> Result<ticket::Ticket> {
    req.seats = {ticket::seat_label(ticket::seat_at(ticket::Zone::kBuy, seat, concert.layout))};
    req.customer.id_number = b.run_id + "T" + std::to_string(seat);
    TL_ASSIGN_OR_RETURN(ticket::Ticket t, ticket::buy(ctx, req));
    return t;
  };
  auto pay_ticket = [&](const ticket::Ticket& t) -> Status {
    TL_TRY(ticket::pay(ctx, {t.code, "DIRECT", "TRIPS-" + t.code}));
    return {};
  };
  // Warm: the concert cached, every statement prepared.
  TL_ASSIGN_OR_RETURN(ticket::Ticket first, buy_seat(0));
  TL_TRY(pay_ticket(first));
  // What reading the counter costs by itself.
  TL_ASSIGN_OR_RETURN(int64_t q0, questions(ctx));
  TL_ASSIGN_OR_RETURN(int64_t q1, questions(ctx));
  const int64_t reading = q1 - q0;

  Trips buys, pays;
  for (int i = 1; i <= kSamples; ++i) {
    TL_ASSIGN_OR_RETURN(int64_t before, questions(ctx));
    TL_ASSIGN_OR_RETURN(ticket::Ticket t, buy_seat(i));
    TL_ASSIGN_OR_RETURN(int64_t bought, questions(ctx));
    TL_TRY(pay_ticket(t));
    TL_ASSIGN_OR_RETURN(int64_t paid, questions(ctx));
    buys.add(bought - before - reading);
    pays.add(paid - bought - reading);
  }
  Figures& f = b.figures;
  f["mysql_round_trips_per_buy"] = buys.mean();
  f["mysql_round_trips_per_pay"] = pays.mean();
  f["mysql_round_trips_per_buy_max"] = buys.max;
  f["mysql_round_trips_per_pay_max"] = pays.max;
  f["mysql_round_trips_samples"] = kSamples;
  return {};
}

}  // namespace tlbench
