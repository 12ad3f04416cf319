#include "ticket/mock_data.h"

#include <algorithm>
#include <random>

#include "ticket/apply_free.h"
#include "ticket/buy.h"
#include "ticket/concerts.h"
#include "ticket/grant.h"
#include "ticket/pay.h"
#include "ticket/reject.h"
#include "ticket/text.h"

namespace ticket {
namespace {

constexpr const char* kFirstNames[] = {
    "Ada",    "Aiyana", "Amara",    "Anders", "Aoife",  "Carlos", "Chen",   "Chiara", "Dmitri",
    "Élodie", "Emeka",  "Fatima",   "Freya",  "Giulia", "Hana",   "Hamid",  "Ingrid", "Jamal",
    "José",   "Kai",    "Kateryna", "Kenji",  "Leila",  "Liam",   "Łukasz", "Maya",   "Mei",
    "Mateo",  "Nadia",  "Noah",     "Olu",    "Priya",  "Rafael", "Rosa",   "Saanvi", "Siobhán",
    "Sofia",  "Tariq",  "Thandiwe", "Tomás",  "Yara",   "Yusuf",  "Zoë",    "Ngozi",  "Björn",
    "Ana",    "Jun",    "Marta",    "Omar",   "Lucía"};
constexpr const char* kLastNames[] = {
    "Abara",          "Andersson",    "Bianchi",   "Byrne",    "Chen",     "Costa",
    "Dubois",         "Dlamini",      "Fernández", "García",   "Haddad",   "Hansen",
    "Ivanova",        "Jensen",       "Kim",       "Kowalski", "Kumar",    "Li",
    "López",          "Mahlangu",     "Moreau",    "Müller",   "Nakamura", "Nguyen",
    "Novak",          "O'Brien",      "Okafor",    "Patel",    "Petrov",   "Rossi",
    "Santos",         "Schmidt",      "Silva",     "Singh",    "Smith",    "Suzuki",
    "Tanaka",         "Van der Berg", "Wang",      "Williams", "Yilmaz",   "Zhang",
    "Ó Súilleabháin", "Mensah",       "Kovač"};

constexpr const char* kWhy[] = {
    "I have followed the band since their first album.",
    "My sister plays in the orchestra and I have never seen her on stage.",
    "I volunteer at the community radio and want to review the show.",
    "It would be my first concert since moving to the city.",
    "I can't afford a ticket this month, but I know every song by heart.",
    "A friend said \"you have to hear them live\", so here I am."};
constexpr const char* kSong[] = {
    "The slow one at the end of the second album.", "\"Lemon Tree\", obviously.",
    "Anything from the live record, especially the encore.",
    "The one they played at the festival in the rain.", "I like all of them; the new single most."};
constexpr const char* kAnythingElse[] = {
    "No.", "I use a wheelchair, so a seat near the aisle would help.",
    "I would bring my own earplugs, promise.", "Thank you for doing this.\nIt means a lot.",
    "I can help with setting up chairs, if needed."};
constexpr const char* kRejectNotes[] = {"Not eligible this time.", "Duplicate application.",
                                        "Applied after the deadline."};
constexpr const char* kPlatforms[] = {"QRCODE", "DIRECT", "PAYPLAT"};
constexpr const char* kGenders[] = {"Female", "Male", "Female", "Male", "LGBT+", "Unspecified"};

constexpr std::string_view kIdChars = "0123456789ABCDEFGHJKLMNPQRSTUVWXYZ";

class Dice {
 public:
  explicit Dice(uint64_t seed) : gen_(seed != 0 ? seed : std::random_device{}()) {}
  int between(int lo, int hi) { return std::uniform_int_distribution<int>(lo, hi)(gen_); }
  bool chance(double p) { return std::uniform_real_distribution<double>(0.0, 1.0)(gen_) < p; }
  template <class T, size_t N>
  const T& pick(const T (&items)[N]) {
    return items[static_cast<size_t>(between(0, static_cast<int>(N) - 1))];
  }

 private:
  std::mt19937_64 gen_;
};

CustomerInput random_customer(Dice& dice) {
  CustomerInput c;
  c.name = std::string(dice.pick(kFirstNames)) + " " + dice.pick(kLastNames);
  c.age = std::to_string(dice.between(16, 80));
  c.gender = dice.pick(kGenders);
  c.id_number = "M";
  const int last = static_cast<int>(kIdChars.size()) - 1;
  for (int i = 0; i < 11; ++i) c.id_number += kIdChars[static_cast<size_t>(dice.between(0, last))];
  return c;
}

// A conflict is a normal outcome of a demo customer (sold out, no seat
// left); anything else stops the run.
bool is_conflict(const Error& e) { return e.kind() == ErrorKind::kConflict; }

// Buys and maybe pays; false when no seat could be bought.
Result<bool> buy_some(Context& ctx, Dice& dice, const Concert& concert,
                      const CustomerInput& customer, MockReport& report) {
  BuyRequest req;
  req.concert = std::to_string(concert.id);
  req.customer = customer;
  req.best =
      dice.between(1, std::min({concert.max_seats_per_ticket, concert.layout.seats_per_row, 4}));
  auto t = buy(ctx, req);
  if (!t.ok() && is_conflict(t.error()) && req.best > 1) {
    req.best = 1;
    t = buy(ctx, req);
  }
  if (!t.ok()) {
    if (is_conflict(t.error())) return false;
    return std::move(t).error();
  }
  if (dice.chance(2.0 / 3.0)) {
    auto paid = pay(ctx, {t->code, dice.pick(kPlatforms), "MOCK-" + t->code});
    if (!paid.ok()) return std::move(paid).error();
    ++report.paid;
  } else {
    ++report.held;
  }
  return true;
}

Status apply_some(Context& ctx, Dice& dice, const Concert& concert, const CustomerInput& customer,
                  MockReport& report) {
  ApplyFreeRequest req;
  req.concert = std::to_string(concert.id);
  req.customer = customer;
  req.answers = {dice.pick(kWhy), dice.pick(kSong), dice.pick(kAnythingElse)};
  auto t = apply_free(ctx, req);
  if (!t.ok()) {
    if (!is_conflict(t.error())) return std::move(t).error();
    ++report.skipped;
    return {};
  }
  const int decision = dice.between(1, 10);
  if (decision <= 5) {
    auto granted = grant(ctx, t->code);
    if (granted.ok()) {
      ++report.granted;
      return {};
    }
    if (!is_conflict(granted.error())) return std::move(granted).error();
  } else if (decision <= 7) {
    auto rejected = reject(ctx, t->code, std::string(dice.pick(kRejectNotes)));
    if (!rejected.ok()) return std::move(rejected).error();
    ++report.rejected;
    return {};
  }
  ++report.pending;
  return {};
}

}  // namespace

Result<MockReport> mock_data(Context& ctx, const MockRequest& req) {
  const auto customers = parse_int(req.customers, 1, kMaxMockCustomers);
  if (!customers)
    return invalid("--customers must be a whole number from 1 to " +
                   std::to_string(kMaxMockCustomers) + ", got " + quote(req.customers));
  TL_ASSIGN_OR_RETURN(Concert concert, find_concert(ctx, req.concert));
  if (!concert.open)
    return expired("concert " + concert.slug + " is closed; mock data needs an open sale");

  Dice dice(req.seed);
  MockReport report;
  report.concert_id = concert.id;
  bool paid_sold_out = concert.layout.paid_seats() == 0;
  for (int i = 0; i < *customers; ++i) {
    const CustomerInput customer = random_customer(dice);
    ++report.customers;
    if (!paid_sold_out && dice.chance(0.5)) {
      TL_ASSIGN_OR_RETURN(bool bought, buy_some(ctx, dice, concert, customer, report));
      if (bought) continue;
      paid_sold_out = true;
    }
    if (concert.layout.free_seats == 0) {
      ++report.skipped;
      continue;
    }
    TL_TRY(apply_some(ctx, dice, concert, customer, report));
  }
  return report;
}

}  // namespace ticket
