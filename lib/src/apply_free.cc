#include "ticket/apply_free.h"

#include <cppconn/exception.h>

#include "audit_sql.h"
#include "customer_sql.h"
#include "ticket/audit.h"
#include "ticket/concerts.h"
#include "ticket/text.h"

namespace ticket {
namespace {

// The holder's details are the ticket's own, as given for this application.
constexpr const char* kInsertTicket =
    "INSERT INTO TICKETS (code, concert_id, customer_id, holder_name, holder_age, holder_gender,"
    " zone, status, amount, currency, created_at, updated_at)"
    " VALUES (?, ?, ?, ?, ?, ?, 'FREE', 'PROCESS', 0, ?, NOW(3), NOW(3))";
constexpr const char* kInsertAnswers =
    "INSERT INTO TICKETS_APPLY_FREE (ticket_id, answer1, answer2, answer3) VALUES (?, ?, ?, ?)";
constexpr const char* kCreatedAt =
    "SELECT CAST(UNIX_TIMESTAMP(created_at) * 1000 AS SIGNED) FROM TICKETS WHERE id = ?";

Status check_answer(const std::string& answer, const char* flag) {
  // Line breaks and tabs are part of a written answer; every other control
  // character is refused, as in names.
  std::string flat = answer;
  for (char& c : flat) {
    if (c == '\n' || c == '\r' || c == '\t') c = ' ';
  }
  if (answer.empty() || !is_printable_utf8(flat) || utf8_length(answer) > kMaxAnswerChars)
    return invalid(
        std::string(flag) + " must be 1 to " + std::to_string(kMaxAnswerChars) +
        " characters without control characters (line breaks and tabs are allowed), got " +
        quote(answer));
  return {};
}

// Checks the answers: each 1 to kMaxAnswerChars characters of UTF-8 without
// control characters, except that line breaks and tabs are allowed. The first
// problem is a kInvalid naming the flag (--q1, --q2, --q3).
Status validate_answers(const Answers& answers) {
  TL_TRY(check_answer(answers.q1, "--q1"));
  TL_TRY(check_answer(answers.q2, "--q2"));
  TL_TRY(check_answer(answers.q3, "--q3"));
  return {};
}

}  // namespace

Result<Ticket> apply_free(Context& ctx, const ApplyFreeRequest& req) {
  TL_ASSIGN_OR_RETURN(Customer customer, validate_customer(req.customer));
  TL_TRY(validate_answers(req.answers));
  TL_ASSIGN_OR_RETURN(Concert concert, find_concert(ctx, req.concert));
  if (concert.layout.free_seats == 0)
    return invalid("concert " + concert.slug + " gives away no free seats");
  if (!concert.open) return expired("applications for concert " + concert.slug + " are closed");
  TL_ASSIGN_OR_RETURN(std::string secret, ctx.secret());
  TL_ASSIGN_OR_RETURN(Db * db, ctx.db());

  TL_ASSIGN_OR_RETURN(Ticket t, new_ticket(Zone::kFree, concert));
  TL_TRY(db->transaction([&]() -> Status {
    const uint64_t customer_id = upsert_customer(*db, secret, customer);
    auto& ins = db->prepare(kInsertTicket);
    ins.setString(1, t.code);
    ins.setUInt64(2, concert.id);
    ins.setUInt64(3, customer_id);
    ins.setString(4, customer.name);
    ins.setInt(5, customer.age);
    ins.setString(6, customer.gender);
    ins.setString(7, t.currency);
    try {
      ins.execute();
    } catch (const sql::SQLException& e) {
      // uq_ticket_active_customer: one active application or ticket per
      // customer and concert, decided by the database.
      if (is_duplicate_key(e, "uq_ticket_active_customer"))
        return conflict("this customer already has an active application or ticket for concert " +
                        concert.slug);
      throw;
    }
    t.id = db->last_insert_id();
    auto& answers = db->prepare(kInsertAnswers);
    answers.setUInt64(1, t.id);
    answers.setString(2, req.answers.q1);
    answers.setString(3, req.answers.q2);
    answers.setString(4, req.answers.q3);
    answers.execute();
    record_audit(*db, ctx.actor(),
                 {action::kApplied, concert.id, t.id, t.code, "free seat application"});
    auto& at = db->prepare(kCreatedAt);
    at.setUInt64(1, t.id);
    ResultSetPtr rs = db->query(at);
    rs->next();
    t.created_at = rs->getInt64(1);
    return {};
  }));
  t.customer_name = customer.name;
  t.customer_age = customer.age;
  t.customer_gender = customer.gender;
  t.customer_last4 = customer.id_number.substr(customer.id_number.size() - 4);
  return t;
}

}  // namespace ticket
