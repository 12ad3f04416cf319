#include "ticket/checkin.h"

#include <cppconn/resultset.h>

#include <algorithm>

#include "audit_sql.h"
#include "checkin_detail.h"
#include "db.h"
#include "ticket/audit.h"
#include "ticket/concerts.h"
#include "ticket/text.h"

namespace ticket {
namespace {

constexpr const char* kCall = "CALL tl_checkin(?, ?, ?, ?)";
constexpr const char* kLastAuditId = "SELECT COALESCE(MAX(id), 0) FROM AUDIT_LOG";
// The audit details begin with what count_checkins tells apart (see
// checkin_detail.h); a gate's name comes last, so no name can look like a
// result.
constexpr const char* kCount =
    "SELECT CASE action"
    "  WHEN 'checked_in' THEN IF(detail LIKE 'while revoked,%', 'admitted_while_revoked', "
    "'admitted')"
    "  WHEN 'checkin_refused' THEN IF(detail LIKE 'already:%', 'already', 'revoked')"
    "  ELSE 'conflict' END AS result, COUNT(*) "
    "FROM AUDIT_LOG WHERE id > ? AND id <= ? "
    "AND action IN ('checked_in', 'checkin_refused', 'checkin_conflict') GROUP BY result";

}  // namespace

const char* checkin_result_name(Checkin::Result result) {
  switch (result) {
    case Checkin::Result::kAdmitted: return "admitted";
    case Checkin::Result::kAlready: return "already";
    case Checkin::Result::kRevoked: return "revoked";
  }
  return "admitted";
}

Status check_gate_name(const std::string& gate) {
  if (gate.empty() || utf8_length(gate) > 64 || !is_printable_utf8(gate))
    return invalid("--gate must be 1 to 64 printable characters, got " + quote(gate));
  return {};
}

Result<Checkin> check_in(Context& ctx, std::string_view token, const std::string& gate,
                         const std::optional<std::string>& concert) {
  TL_TRY(check_gate_name(gate));
  TL_ASSIGN_OR_RETURN(VerifyKeys keys, load_verify_keys(ctx.config().passes.verify_keys_file));
  TL_ASSIGN_OR_RETURN(PassContent pass, verify_pass(keys, token));
  if (concert) {
    TL_ASSIGN_OR_RETURN(Concert c, find_concert(ctx, *concert));
    if (c.id != pass.concert_id)
      return conflict("ticket " + pass.code + " is a pass of concert " +
                      std::to_string(pass.concert_id) + ", not of " + c.slug);
  }
  TL_ASSIGN_OR_RETURN(Db * db, ctx.db());
  Checkin out;
  out.pass = pass;
  TL_TRY(db->transaction([&]() -> Status {
    auto& call = db->prepare(kCall);
    call.setString(1, pass.code);
    call.setString(2, gate);
    call.setString(3, ctx.actor());
    call.setString(4, checkin_detail::admitted(gate));
    std::string result;
    uint64_t id = 0;
    db->call(call, [&](sql::ResultSet& rs) {
      result = rs.getString(1);
      id = rs.isNull(2) ? 0 : rs.getUInt64(2);
      out.at = rs.isNull(4) ? 0 : rs.getInt64(4);
      out.gate = rs.isNull(5) ? std::string() : std::string(rs.getString(5));
    });
    if (result == "admitted") {
      out.result = Checkin::Result::kAdmitted;
    } else if (result == "already") {
      out.result = Checkin::Result::kAlready;
      record_audit(*db, ctx.actor(),
                   {action::kCheckinRefused, pass.concert_id, id, pass.code,
                    checkin_detail::already(out.at, out.gate, gate)});
    } else if (result == "revoked") {
      out.result = Checkin::Result::kRevoked;
      record_audit(
          *db, ctx.actor(),
          {action::kCheckinRefused, pass.concert_id, id, pass.code, checkin_detail::revoked(gate)});
    } else if (result == "unknown") {
      return not_found("no ticket " + pass.code + " (the pass verifies)");
    } else {
      return internal("tl_checkin answered " + quote(result));
    }
    return {};
  }));
  return out;
}

Result<CheckinCounts> count_checkins(Context& ctx, uint64_t after_id, uint64_t upto_id,
                                     uint64_t max_rows) {
  TL_ASSIGN_OR_RETURN(Db * db, ctx.db());
  CheckinCounts out;
  out.last_id = after_id;
  TL_TRY(db->transaction([&]() -> Status {
    ResultSetPtr last = db->query(db->prepare(kLastAuditId));
    out.newest = last->next() ? last->getUInt64(1) : 0;
    const uint64_t upto = std::min({upto_id, out.newest, after_id + max_rows});
    if (upto <= after_id) return {};
    auto& count = db->prepare(kCount);
    count.setUInt64(1, after_id);
    count.setUInt64(2, upto);
    ResultSetPtr rs = db->query(count);
    while (rs->next()) out.by_result[rs->getString(1)] += rs->getUInt64(2);
    out.last_id = upto;
    return {};
  }));
  return out;
}

}  // namespace ticket
