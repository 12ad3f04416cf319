#include "ticket/reject.h"

#include "concert_rows.h"
#include "ticket/audit.h"
#include "ticket/text.h"
#include "tickets_sql.h"

namespace ticket {
namespace {

constexpr const char* kDecide =
    "UPDATE TICKETS_APPLY_FREE SET decided_by = ?, decided_at = NOW(3), note = ? WHERE ticket_id = "
    "?";
constexpr const char* kPending =
    "SELECT code FROM TICKETS WHERE concert_id = ? AND zone = 'FREE' AND status = 'PROCESS' ORDER "
    "BY id";

Status check_pending(const Ticket& t) {
  if (t.zone != Zone::kFree)
    return conflict("ticket " + t.code + " is a paid ticket, not a free-seat application");
  if (t.status == TicketStatus::kSuccess)
    return conflict("application " + t.code +
                    " was already granted; cancel it with: tl-admin cancel " + t.code +
                    " --reason ...");
  if (t.status == TicketStatus::kFail)
    return conflict("application " + t.code + " was already " + to_lower(reason_name(t.reason)));
  return {};
}

// Inside a transaction, with the ticket locked and pending.
void reject_locked(Db& db, const std::string& actor, Ticket& t,
                   const std::optional<std::string>& note) {
  fail_ticket(db, actor, t, FailReason::kRejected, action::kRejected, note.value_or(""));
  auto& decide = db.prepare(kDecide);
  decide.setString(1, actor);
  if (note)
    decide.setString(2, *note);
  else
    decide.setNull(2, 0);
  decide.setUInt64(3, t.id);
  decide.execute();
  t.status = TicketStatus::kFail;
  t.reason = FailReason::kRejected;
}

// An optional note given with --note: 1 to kMaxNoteChars printable
// characters; kInvalid naming `flag` otherwise.
Status validate_note(const std::optional<std::string>& note, const char* flag) {
  if (note && (note->empty() || utf8_length(*note) > kMaxNoteChars || !is_printable_utf8(*note)))
    return invalid(std::string(flag) + " must be 1 to " + std::to_string(kMaxNoteChars) +
                   " printable characters, got " + quote(*note));
  return {};
}

}  // namespace

Result<Ticket> reject(Context& ctx, std::string_view text, const std::optional<std::string>& note) {
  TL_ASSIGN_OR_RETURN(std::string code, parse_ticket_code(text));
  TL_TRY(validate_note(note, "--note"));
  TL_ASSIGN_OR_RETURN(Db * db, ctx.db());
  return db->transaction<Ticket>([&]() -> Result<Ticket> {
    TL_ASSIGN_OR_RETURN(std::optional<Ticket> t, lock_ticket(*db, code));
    if (!t) return not_found("no ticket " + code);
    TL_TRY(check_pending(*t));
    reject_locked(*db, ctx.actor(), *t, note);
    return std::move(*t);
  });
}

Result<RejectedApplications> reject_pending(Context& ctx, std::string_view concert,
                                            const std::optional<std::string>& note) {
  TL_TRY(validate_note(note, "--note"));
  TL_ASSIGN_OR_RETURN(Db * db, ctx.db());
  return db->transaction<RejectedApplications>([&]() -> Result<RejectedApplications> {
    RejectedApplications out;
    TL_ASSIGN_OR_RETURN(out.concert, concert_rows::load(*db, concert, false));
    auto& pending = db->prepare(kPending);
    pending.setUInt64(1, out.concert.id);
    std::vector<std::string> codes;
    ResultSetPtr rs = db->query(pending);
    while (rs->next()) codes.push_back(rs->getString(1));
    // Each is decided under its own row lock: one granted since the read
    // above is SUCCESS by now and stays so.
    for (const std::string& code : codes) {
      TL_ASSIGN_OR_RETURN(std::optional<Ticket> t, lock_ticket(*db, code));
      if (!t || t->status != TicketStatus::kProcess) continue;
      reject_locked(*db, ctx.actor(), *t, note);
      out.codes.push_back(code);
    }
    return out;
  });
}

}  // namespace ticket
