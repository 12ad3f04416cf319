#include "ticket_removal.h"

#include <cppconn/exception.h>

#include "concert_filter.h"
#include "db.h"
#include "stored_values.h"
#include "ticket/text.h"

namespace ticket {
namespace {

constexpr int kErNoSuchTable = 1146;

// Codes listed at most; more would not fit an audit row anyway.
constexpr int kMaxListedCodes = 150;
constexpr size_t kMaxDetail = 2000;

// A paid ticket is a BUY ticket with a payment, also once cancelled: deleting
// it would lose the trace of money taken. The variants without the payments
// table serve a schema that a reset has half dropped.
#define TL_PAID_WITH_PAYMENTS "(t.zone = 'BUY' AND (t.status = 'SUCCESS' OR p.paid_at IS NOT NULL))"
#define TL_PAID_WITHOUT_PAYMENTS "(t.zone = 'BUY' AND t.status = 'SUCCESS')"
#define TL_GRANTED "(t.zone = 'FREE' AND t.status = 'SUCCESS')"
#define TL_FROM_WITH_PAYMENTS                                                                \
  " FROM TICKETS t JOIN CONCERTS c ON c.id = t.concert_id LEFT JOIN TICKETS_APPLY_BUY p ON " \
  "p.ticket_id = t.id"
#define TL_FROM_WITHOUT_PAYMENTS " FROM TICKETS t JOIN CONCERTS c ON c.id = t.concert_id"
#define TL_COUNTS(paid, from)                                                      \
  "SELECT t.concert_id, c.slug, t.status, COUNT(*), CAST(SUM(" paid                \
  ") AS SIGNED), CAST(SUM(" TL_GRANTED ") AS SIGNED)" from                         \
  " WHERE (? IS NULL OR t.concert_id = ?) GROUP BY t.concert_id, c.slug, t.status" \
  " ORDER BY t.concert_id"
#define TL_CODES(paid, from)                                                             \
  "SELECT t.concert_id, t.code" from " WHERE (? IS NULL OR t.concert_id = ?) AND (" paid \
  " OR " TL_GRANTED ") ORDER BY t.concert_id, t.id LIMIT ?"

struct Queries {
  const char* counts;
  const char* codes;
};

constexpr Queries kWithPayments = {TL_COUNTS(TL_PAID_WITH_PAYMENTS, TL_FROM_WITH_PAYMENTS),
                                   TL_CODES(TL_PAID_WITH_PAYMENTS, TL_FROM_WITH_PAYMENTS)};
constexpr Queries kWithPaymentsLocked = {
    TL_COUNTS(TL_PAID_WITH_PAYMENTS, TL_FROM_WITH_PAYMENTS) " FOR UPDATE",
    TL_CODES(TL_PAID_WITH_PAYMENTS, TL_FROM_WITH_PAYMENTS)};
constexpr Queries kWithoutPayments = {TL_COUNTS(TL_PAID_WITHOUT_PAYMENTS, TL_FROM_WITHOUT_PAYMENTS),
                                      TL_CODES(TL_PAID_WITHOUT_PAYMENTS, TL_FROM_WITHOUT_PAYMENTS)};

Result<std::vector<TicketRemoval>> run(Db& db, const Queries& q,
                                       std::optional<uint64_t> concert_id) {
  std::vector<TicketRemoval> out;
  auto& counts = db.prepare(q.counts);
  bind_concert_filter(counts, concert_id);
  ResultSetPtr rs = db.query(counts);
  while (rs->next()) {
    const uint64_t id = rs->getUInt64(1);
    if (out.empty() || out.back().concert_id != id) {
      out.emplace_back();
      out.back().concert_id = id;
      out.back().slug = rs->getString(2);
    }
    TicketRemoval& r = out.back();
    TL_ASSIGN_OR_RETURN(const TicketStatus status, stored_status(*rs, 3));
    const int64_t n = rs->getInt64(4);
    r.by_status[status] += n;
    r.total += n;
    r.paid += rs->getInt64(5);
    r.granted += rs->getInt64(6);
  }
  auto& codes = db.prepare(q.codes);
  bind_concert_filter(codes, concert_id);
  codes.setInt(3, kMaxListedCodes);
  rs = db.query(codes);
  while (rs->next()) {
    const uint64_t id = rs->getUInt64(1);
    for (auto& r : out) {
      if (r.concert_id == id) r.sold_codes.push_back(rs->getString(2));
    }
  }
  return out;
}

std::string plural(int64_t n, const char* one, const char* many) {
  return std::to_string(n) + " " + (n == 1 ? one : many);
}

}  // namespace

Result<std::vector<TicketRemoval>> tickets_to_remove(Db& db, std::optional<uint64_t> concert_id,
                                                     bool lock) {
  try {
    return run(db, lock ? kWithPaymentsLocked : kWithPayments, concert_id);
  } catch (const sql::SQLException& e) {
    if (e.getErrorCode() != kErNoSuchTable) throw;
  }
  try {
    return run(db, kWithoutPayments, concert_id);
  } catch (const sql::SQLException& e) {
    if (e.getErrorCode() != kErNoSuchTable) throw;
  }
  return std::vector<TicketRemoval>();
}

std::string describe_sold(const std::vector<TicketRemoval>& removals) {
  constexpr int kMaxNamed = 5;
  std::string out;
  int named = 0, more = 0;
  for (const auto& r : removals) {
    if (r.sold() == 0) continue;
    if (named == kMaxNamed) {
      ++more;
      continue;
    }
    out += (named++ == 0 ? "" : " and ") + std::to_string(r.paid) + " paid and " +
           std::to_string(r.granted) + " granted tickets of concert " + quote(r.slug);
  }
  if (more > 0) out += " and more of " + plural(more, "other concert", "other concerts");
  return out;
}

std::string removal_detail(const std::string& what, const std::vector<TicketRemoval>& removals) {
  int64_t total = 0, paid = 0, granted = 0;
  std::map<std::string, int64_t> by_status;  // by the status's text, in its order
  for (const auto& r : removals) {
    total += r.total;
    paid += r.paid;
    granted += r.granted;
    for (const auto& [status, n] : r.by_status) by_status[std::string(status_name(status))] += n;
  }
  if (total == 0) return what + " no tickets";
  std::string out = what + " " + plural(total, "ticket", "tickets") + " (";
  bool first = true;
  for (const auto& [status, n] : by_status) {
    out += (first ? "" : ", ") + status + " " + std::to_string(n);
    first = false;
  }
  out += ")";
  if (paid + granted == 0) return out;
  out += "; " + std::to_string(paid) + " paid, " + std::to_string(granted) + " granted:";
  // Room for " and 9999999999 more".
  const size_t budget = kMaxDetail - 24;
  int64_t listed = 0;
  bool full = false;
  for (const auto& r : removals) {
    for (const auto& code : r.sold_codes) {
      const std::string item = (listed == 0 ? " " : ", ") + code;
      full = full || out.size() + item.size() > budget;
      if (full) break;
      out += item;
      ++listed;
    }
  }
  if (listed < paid + granted) out += " and " + std::to_string(paid + granted - listed) + " more";
  return out;
}

}  // namespace ticket
