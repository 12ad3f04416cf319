// The operator's side of payments (docs/design.md §12): listing them, and
// marking the money of one as given back.
#include <algorithm>

#include "audit_sql.h"
#include "concert_filter.h"
#include "concert_rows.h"
#include "db.h"
#include "stored_values.h"
#include "ticket/audit.h"
#include "ticket/payments.h"
#include "ticket/text.h"

namespace ticket {
namespace {

// The columns read_payment expects, in order, then ticket_id (a macro so
// that statements stay single string literals).
#define TL_PAYMENT_COLUMNS                                                                      \
  "id, ticket_code, concert_id, state, amount, currency, platform, provider, reference, note, " \
  "COALESCE(refund_reference, ''), CAST(UNIX_TIMESTAMP(received_at) * 1000 AS SIGNED), "        \
  "CAST(UNIX_TIMESTAMP(updated_at) * 1000 AS SIGNED), ticket_id"
constexpr int kTicketIdColumn = 14;

// NULL parameters mean "any".
constexpr const char* kList =
    "SELECT " TL_PAYMENT_COLUMNS
    " FROM PAYMENTS WHERE (? IS NULL OR concert_id = ?) AND (? IS NULL OR state = ?)"
    " AND (? IS NULL OR ticket_code = ?) ORDER BY received_at, id";

constexpr const char* kLockOfTicket =
    "SELECT " TL_PAYMENT_COLUMNS " FROM PAYMENTS WHERE ticket_code = ? ORDER BY id FOR UPDATE";

constexpr const char* kMarkRefunded =
    "UPDATE PAYMENTS SET state = 'REFUNDED', refund_reference = ?, updated_at = NOW(3) "
    "WHERE id = ?";

#undef TL_PAYMENT_COLUMNS

Result<Payment> read_payment(sql::ResultSet& rs) {
  Payment p;
  p.id = rs.getUInt64(1);
  p.ticket_code = rs.getString(2);
  if (!rs.isNull(3)) p.concert_id = rs.getUInt64(3);
  auto state = parse_payment_state(std::string(rs.getString(4)));
  if (!state.ok()) return internal("PAYMENTS row " + std::to_string(p.id) + " has no known state");
  p.state = *state;
  TL_ASSIGN_OR_RETURN(p.amount, stored_money(rs, 5));
  p.currency = rs.getString(6);
  p.platform = rs.getString(7);
  p.provider = rs.getString(8);
  p.reference = rs.getString(9);
  p.note = rs.getString(10);
  p.refund_reference = rs.getString(11);
  p.received_at = rs.getInt64(12);
  p.updated_at = rs.getInt64(13);
  return p;
}

void bind_optional(sql::PreparedStatement& stmt, int first, const std::optional<std::string>& v) {
  for (int i = first; i < first + 2; ++i) {
    if (v)
      stmt.setString(i, *v);
    else
      stmt.setNull(i, 0);
  }
}

bool refundable(const Payment& p) {
  return p.state == PaymentState::kRefundDue || p.state == PaymentState::kReview;
}

// "REF-1, REF-2".
std::string references(const std::vector<const Payment*>& payments) {
  std::string out;
  for (const Payment* p : payments) out += (out.empty() ? "" : ", ") + p->reference;
  return out;
}

// The payment to refund among the ticket's, or why there is none.
Result<const Payment*> choose(const std::string& code, const std::vector<Payment>& payments,
                              const std::optional<std::string>& reference) {
  if (payments.empty()) return not_found("ticket " + code + " has no payment");
  const std::string paid =
      "ticket " + code + " is paid: cancel it first (tl-admin cancel), then refund";
  std::vector<const Payment*> candidates;
  for (const Payment& p : payments) {
    if (reference && p.reference != *reference) continue;
    candidates.push_back(&p);
  }
  if (candidates.empty())
    return not_found("ticket " + code + " has no payment with reference " + *reference);
  std::vector<const Payment*> due;
  std::copy_if(candidates.begin(), candidates.end(), std::back_inserter(due),
               [](const Payment* p) { return refundable(*p); });
  if (due.size() == 1) return due.front();
  if (due.size() > 1)
    return conflict("ticket " + code + " has " + std::to_string(due.size()) +
                    " payments to refund (" + references(due) +
                    "); give the one with --payment REF");
  for (const Payment* p : candidates)
    if (p->state == PaymentState::kPaid) return conflict(paid);
  const Payment& last = *candidates.back();
  return conflict("ticket " + code + " has no payment to refund: " + last.reference +
                  " was refunded with " + last.refund_reference);
}

}  // namespace

Result<std::vector<Payment>> list_payments(Context& ctx, const PaymentQuery& query) {
  std::optional<std::string> code = query.code;
  if (code) {
    if (auto parsed = parse_ticket_code(*code); parsed.ok()) code = *parsed;
  }
  std::optional<std::string> state;
  if (query.state) state = payment_state_name(*query.state);
  TL_ASSIGN_OR_RETURN(Db * db, ctx.db());
  return db->transaction<std::vector<Payment>>([&]() -> Result<std::vector<Payment>> {
    std::optional<uint64_t> concert;
    if (query.concert) {
      TL_ASSIGN_OR_RETURN(Concert c, concert_rows::load(*db, *query.concert, false));
      concert = c.id;
    }
    auto& stmt = db->prepare(kList);
    bind_concert_filter(stmt, concert);
    bind_optional(stmt, 3, state);
    bind_optional(stmt, 5, code);
    ResultSetPtr rs = db->query(stmt);
    std::vector<Payment> out;
    while (rs->next()) {
      TL_ASSIGN_OR_RETURN(Payment p, read_payment(*rs));
      out.push_back(std::move(p));
    }
    return out;
  });
}

Result<Payment> refund_payment(Context& ctx, std::string_view text,
                               const std::optional<std::string>& reference,
                               const std::string& refund_reference) {
  TL_ASSIGN_OR_RETURN(const std::string code, parse_ticket_code(text));
  if (reference) TL_TRY(check_payment_reference("--payment", *reference));
  TL_TRY(check_payment_reference("--reference", refund_reference));
  TL_ASSIGN_OR_RETURN(Db * db, ctx.db());
  return db->transaction<Payment>([&]() -> Result<Payment> {
    auto& lock = db->prepare(kLockOfTicket);
    lock.setString(1, code);
    ResultSetPtr rs = db->query(lock);
    std::vector<Payment> payments;
    std::vector<std::optional<uint64_t>> ticket_ids;
    while (rs->next()) {
      TL_ASSIGN_OR_RETURN(Payment p, read_payment(*rs));
      payments.push_back(std::move(p));
      ticket_ids.push_back(rs->isNull(kTicketIdColumn)
                               ? std::nullopt
                               : std::optional<uint64_t>(rs->getUInt64(kTicketIdColumn)));
    }
    TL_ASSIGN_OR_RETURN(const Payment* chosen, choose(code, payments, reference));
    Payment p = *chosen;
    auto& mark = db->prepare(kMarkRefunded);
    mark.setString(1, refund_reference);
    mark.setUInt64(2, p.id);
    mark.execute();
    record_audit(*db, ctx.actor(),
                 {action::kRefunded, p.concert_id,
                  ticket_ids[static_cast<size_t>(chosen - payments.data())], p.ticket_code,
                  p.platform + " " + p.reference + " " + format_money(p.amount) + " " + p.currency +
                      " refunded with " + refund_reference});
    p.state = PaymentState::kRefunded;
    p.refund_reference = refund_reference;
    return p;
  });
}

}  // namespace ticket
