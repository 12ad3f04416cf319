#include "ticket/audit.h"
#include "audit_sql.h"

namespace ticket {
namespace {

constexpr const char* kInsertAudit =
    "INSERT INTO AUDIT_LOG (at, actor, action, concert_id, ticket_id, ticket_code, detail) "
    "VALUES (NOW(3), ?, ?, ?, ?, ?, ?)";

// The newest `limit` rows, filtered; NULL parameters mean "any".
constexpr const char* kSelectAudit =
    "SELECT id, at, actor, action, concert_id, COALESCE(ticket_code, ''), detail FROM ("
    " SELECT * FROM AUDIT_LOG"
    " WHERE (? IS NULL OR ticket_code = ?) AND (? IS NULL OR concert_id = ?)"
    " ORDER BY id DESC LIMIT ?) newest ORDER BY id";

}  // namespace

void record_audit(Db& db, const std::string& actor, const AuditEvent& event) {
  auto& stmt = db.prepare(kInsertAudit);
  stmt.setString(1, actor);
  stmt.setString(2, event.action);
  if (event.concert_id)
    stmt.setUInt64(3, *event.concert_id);
  else
    stmt.setNull(3, 0);
  if (event.ticket_id)
    stmt.setUInt64(4, *event.ticket_id);
  else
    stmt.setNull(4, 0);
  if (!event.ticket_code.empty())
    stmt.setString(5, event.ticket_code);
  else
    stmt.setNull(5, 0);
  stmt.setString(6, event.detail.substr(0, 2000));
  stmt.execute();
}

Result<std::vector<AuditEntry>> list_audit(Context& ctx, const AuditQuery& query) {
  TL_ASSIGN_OR_RETURN(Db * db, ctx.db());
  return db->transaction<std::vector<AuditEntry>>([&]() -> Result<std::vector<AuditEntry>> {
    auto& stmt = db->prepare(kSelectAudit);
    if (query.ticket_code) {
      stmt.setString(1, *query.ticket_code);
      stmt.setString(2, *query.ticket_code);
    } else {
      stmt.setNull(1, 0);
      stmt.setNull(2, 0);
    }
    if (query.concert_id) {
      stmt.setUInt64(3, *query.concert_id);
      stmt.setUInt64(4, *query.concert_id);
    } else {
      stmt.setNull(3, 0);
      stmt.setNull(4, 0);
    }
    stmt.setInt(5, query.limit);
    ResultSetPtr rs = db->query(stmt);
    std::vector<AuditEntry> out;
    while (rs->next()) {
      AuditEntry e;
      e.id = rs->getUInt64(1);
      TL_ASSIGN_OR_RETURN(e.at, from_sql_datetime(std::string(rs->getString(2))));
      e.actor = rs->getString(3);
      e.action = rs->getString(4);
      if (!rs->isNull(5)) e.concert_id = rs->getUInt64(5);
      e.ticket_code = rs->getString(6);
      e.detail = rs->getString(7);
      out.push_back(std::move(e));
    }
    if (out.empty() && query.ticket_code) return not_found("no ticket " + *query.ticket_code);
    return out;
  });
}

}  // namespace ticket
