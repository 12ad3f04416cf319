#include "ticket/seed.h"

#include <sys/stat.h>

#include <toml++/toml.h>
#include <cerrno>
#include <cstring>
#include <fstream>
#include <set>
#include <sstream>

#include "audit_sql.h"
#include "concert_rows.h"
#include "ticket/audit.h"
#include "ticket/seat_map.h"
#include "ticket/text.h"
#include "ticket_removal.h"
#include "ticket_rows.h"

namespace ticket {
namespace {

constexpr size_t kMaxSeedBytes = 64u << 20;

constexpr const char* kFields[] = {"slug",
                                   "name",
                                   "venue",
                                   "starts_at",
                                   "rows",
                                   "seats_per_row",
                                   "free_seats",
                                   "price",
                                   "currency",
                                   "hold_seconds",
                                   "max_seats_per_ticket"};

// The first active seat that a layout would no longer contain.
constexpr const char* kSeatOutside =
    "SELECT zone, seat_row, seat_number FROM TICKET_SEATS"
    " WHERE concert_id = ? AND active = 1"
    " AND ((zone = 'BUY' AND (seat_row >= ? OR seat_number > ?)) OR (zone = 'FREE' AND seat_number > ?))"
    " LIMIT 1";
constexpr const char* kUpdate =
    "UPDATE CONCERTS SET slug = ?, name = ?, venue = ?, starts_at = ?, seat_rows = ?, seats_per_row = ?,"
    " free_seats = ?, price = ?, currency = ?, hold_seconds = ?, max_seats_per_ticket = ?, status = ?,"
    " updated_at = NOW(3) WHERE id = ?";
// BUY tickets whose amount is in the concert's currency: held, paid, or
// paid once and cancelled since.
constexpr const char* kSales =
    "SELECT COUNT(*) FROM TICKETS t LEFT JOIN TICKETS_APPLY_BUY p ON p.ticket_id = t.id"
    " WHERE t.concert_id = ? AND t.zone = 'BUY' AND (t.status <> 'FAIL' OR p.paid_at IS NOT NULL) "
    "FOR UPDATE";
constexpr const char* kDeleteSeats = "DELETE FROM TICKET_SEATS WHERE concert_id = ?";
constexpr const char* kDeletePayments =
    "DELETE p FROM TICKETS_APPLY_BUY p JOIN TICKETS t ON t.id = p.ticket_id WHERE t.concert_id = ?";
constexpr const char* kDeleteApplications =
    "DELETE a FROM TICKETS_APPLY_FREE a JOIN TICKETS t ON t.id = a.ticket_id WHERE t.concert_id = ?";
constexpr const char* kDeleteCheckins = "DELETE FROM CHECKINS WHERE concert_id = ?";
// Money received for the concert's tickets: that of paid tickets goes with
// them; money due back or under review is never deleted without
// --delete-sold-tickets.
constexpr const char* kOpenPayments =
    "SELECT COUNT(*) FROM PAYMENTS WHERE concert_id = ? AND state IN ('REFUND_DUE', 'REVIEW') "
    "FOR UPDATE";
constexpr const char* kDeleteReceived = "DELETE FROM PAYMENTS WHERE concert_id = ?";
constexpr const char* kDeleteTickets = "DELETE FROM TICKETS WHERE concert_id = ?";

std::string line_of(const toml::node& n) { return std::to_string(n.source().begin.line); }

// A field as text for ConcertInput; numbers and date-times are written out
// so that one validation path serves the command line and the file.
Result<std::string> field_text(const toml::node& node, const std::string& where,
                               const char* field) {
  if (const auto* s = node.as_string()) return s->get();
  if (const auto* i = node.as_integer()) return std::to_string(i->get());
  if (const auto* dt = node.as_date_time()) {
    if (!dt->get().offset)
      return invalid(where + ": " + field + " needs a time zone, such as 2026-07-15T20:00:00Z");
    std::ostringstream out;
    out << dt->get();
    return out.str();
  }
  return invalid(where + ": " + field + " has the wrong type");
}

Result<ConcertInput> read_concert_table(const toml::table& t, const std::string& where) {
  ConcertInput in;
  for (const auto& [key, node] : t) {
    const std::string k(key.str());
    bool known = false;
    for (const char* f : kFields) known = known || k == f;
    if (!known)
      return invalid(where + ":" + std::to_string(key.source().begin.line) + ": unknown field " +
                     quote(k));
  }
  auto get = [&](const char* field, bool required) -> Result<std::optional<std::string>> {
    const toml::node* node = t.get(field);
    if (!node) {
      if (required) return invalid(where + ": missing field " + field);
      return std::optional<std::string>();
    }
    TL_ASSIGN_OR_RETURN(std::string text, field_text(*node, where + ":" + line_of(*node), field));
    return std::optional<std::string>(std::move(text));
  };
  TL_ASSIGN_OR_RETURN(auto slug, get("slug", true));
  TL_ASSIGN_OR_RETURN(auto name, get("name", true));
  TL_ASSIGN_OR_RETURN(in.venue, get("venue", false));
  TL_ASSIGN_OR_RETURN(in.starts_at, get("starts_at", false));
  TL_ASSIGN_OR_RETURN(auto rows, get("rows", true));
  TL_ASSIGN_OR_RETURN(auto seats_per_row, get("seats_per_row", true));
  TL_ASSIGN_OR_RETURN(in.free_seats, get("free_seats", false));
  TL_ASSIGN_OR_RETURN(auto price, get("price", true));
  TL_ASSIGN_OR_RETURN(auto currency, get("currency", true));
  TL_ASSIGN_OR_RETURN(in.hold_seconds, get("hold_seconds", false));
  TL_ASSIGN_OR_RETURN(in.max_seats_per_ticket, get("max_seats_per_ticket", false));
  in.slug = *slug;
  in.name = *name;
  in.rows = *rows;
  in.seats_per_row = *seats_per_row;
  in.price = *price;
  in.currency = *currency;
  return in;
}

std::vector<std::string> differences(const Concert& a, const Concert& b) {
  std::vector<std::string> out;
  auto add = [&](const char* field, const std::string& x, const std::string& y) {
    if (x != y) out.push_back(std::string(field) + ": " + x + " -> " + y);
  };
  auto when = [](const std::optional<Millis>& t) {
    return t ? format_iso8601(*t) : std::string("none");
  };
  add("name", a.name, b.name);
  add("venue", a.venue, b.venue);
  add("starts_at", when(a.starts_at), when(b.starts_at));
  add("layout", describe_layout(a.layout), describe_layout(b.layout));
  add("price", format_money(a.price), format_money(b.price));
  add("currency", a.currency, b.currency);
  add("hold_seconds", std::to_string(a.hold_seconds), std::to_string(b.hold_seconds));
  add("max_seats_per_ticket", std::to_string(a.max_seats_per_ticket),
      std::to_string(b.max_seats_per_ticket));
  return out;
}

// kConflict when an active seat of `existing` falls outside `layout`.
Status check_shrink(Db& db, uint64_t concert_id, const Layout& layout) {
  auto& stmt = db.prepare(kSeatOutside);
  stmt.setUInt64(1, concert_id);
  stmt.setInt(2, layout.rows);
  stmt.setInt(3, layout.seats_per_row);
  stmt.setInt(4, layout.free_seats);
  ResultSetPtr rs = db.query(stmt);
  if (!rs->next()) return {};
  TL_ASSIGN_OR_RETURN(const Seat seat, ticket_rows::read_seat(*rs, 1));
  return conflict("cannot shrink the concert to " + describe_layout(layout) + ": seat " +
                  seat_label(seat) + " is held or sold");
}

// kConflict when the currency changes and tickets were sold in the old one.
Status check_currency(Db& db, const Concert& before, const Concert& after) {
  if (before.currency == after.currency) return {};
  auto& stmt = db.prepare(kSales);
  stmt.setUInt64(1, before.id);
  ResultSetPtr rs = db.query(stmt);
  rs->next();
  const int64_t sales = rs->getInt64(1);
  if (sales == 0) return {};
  return conflict("cannot change the currency from " + before.currency + " to " + after.currency +
                  ": " + std::to_string(sales) + (sales == 1 ? " ticket is" : " tickets are") +
                  " held or sold in " + before.currency);
}

// The tickets of the file's existing concerts that a reset would delete,
// locked; kConflict when some are paid or granted and that was not allowed.
Result<std::vector<TicketRemoval>> plan_reset(Db& db, const std::vector<Concert>& concerts,
                                              const SeedOptions& options) {
  std::vector<TicketRemoval> out;
  std::string owed;  // the first concert's money due back or under review
  for (const Concert& wanted : concerts) {
    auto existing = concert_rows::load(db, wanted.slug, true);
    if (!existing.ok() && existing.error().kind() == ErrorKind::kNotFound) continue;
    if (!existing.ok()) return std::move(existing).error();
    TL_ASSIGN_OR_RETURN(std::vector<TicketRemoval> found,
                        tickets_to_remove(db, existing->id, true));
    TicketRemoval r = found.empty() ? TicketRemoval{} : found.front();
    r.concert_id = existing->id;
    r.slug = existing->slug;
    auto& open = db.prepare(kOpenPayments);
    open.setUInt64(1, existing->id);
    ResultSetPtr rs = db.query(open);
    const int64_t due = rs->next() ? rs->getInt64(1) : 0;
    if (due > 0 && owed.empty())
      owed = std::to_string(due) + " payment" + (due == 1 ? "" : "s") + " of " + existing->slug +
             " due back or under review (tl-admin payments --concert " + existing->slug + ")";
    out.push_back(std::move(r));
  }
  const std::string sold = describe_sold(out);
  if (!sold.empty() && !options.delete_sold_tickets)
    return conflict("seed --reset would delete " + sold +
                    "; add --delete-sold-tickets to delete them");
  if (!owed.empty() && !options.delete_sold_tickets)
    return conflict("seed --reset would delete " + owed +
                    "; add --delete-sold-tickets to delete them");
  return out;
}

void delete_tickets(Db& db, uint64_t concert_id) {
  for (const char* sql : {kDeleteCheckins, kDeleteReceived, kDeleteSeats, kDeletePayments,
                          kDeleteApplications, kDeleteTickets}) {
    auto& stmt = db.prepare(sql);
    stmt.setUInt64(1, concert_id);
    stmt.execute();
  }
}

}  // namespace

std::string_view seed_action_name(SeedOutcome::Action action) {
  switch (action) {
    case SeedOutcome::Action::kCreated: return "created";
    case SeedOutcome::Action::kUpdated: return "updated";
    case SeedOutcome::Action::kUnchanged: return "unchanged";
  }
  return "unchanged";
}

Result<std::vector<Concert>> read_seed_file(const std::string& path) {
  struct stat st {};
  if (::stat(path.c_str(), &st) != 0)
    return invalid("cannot read seed file " + path + ": " + std::strerror(errno));
  if (!S_ISREG(st.st_mode))
    return invalid("cannot read seed file " + path + ": not a regular file");
  if (static_cast<size_t>(st.st_size) > kMaxSeedBytes)
    return invalid("seed file " + path + " is larger than " + std::to_string(kMaxSeedBytes) +
                   " bytes");
  std::ifstream file(path, std::ios::binary);
  std::ostringstream text;
  text << file.rdbuf();
  if (!file) return invalid("cannot read seed file " + path + ": " + std::strerror(errno));

  toml::table root;
  try {
    root = toml::parse(text.str(), path);
  } catch (const toml::parse_error& e) {
    return invalid(path + ":" + std::to_string(e.source().begin.line) + ": " +
                   std::string(e.description()));
  }
  for (const auto& [key, node] : root) {
    if (key.str() != "concert")
      return invalid(path + ":" + std::to_string(key.source().begin.line) + ": unknown key " +
                     quote(key.str()) + " (a seed file holds [[concert]] tables)");
  }
  const toml::array* list = root["concert"].as_array();
  if (!list || list->empty()) return invalid(path + ": no [[concert]] tables");

  std::vector<Concert> out;
  std::set<std::string> slugs;
  for (const auto& node : *list) {
    const std::string where = path + ":" + line_of(node);
    const toml::table* t = node.as_table();
    if (!t) return invalid(where + ": concert must be a table ([[concert]])");
    TL_ASSIGN_OR_RETURN(ConcertInput in, read_concert_table(*t, path));
    auto c = validate_concert(in);
    if (!c.ok()) return c.error().with_context(where + ": concert " + quote(in.slug));
    if (!slugs.insert(c->slug).second)
      return invalid(where + ": slug " + quote(c->slug) + " appears twice");
    out.push_back(std::move(*c));
  }
  return out;
}

Result<std::vector<SeedOutcome>> seed(Context& ctx, const std::vector<Concert>& concerts,
                                      const SeedOptions& options) {
  TL_ASSIGN_OR_RETURN(Db * db, ctx.db());
  auto outcomes =
      db->transaction<std::vector<SeedOutcome>>([&]() -> Result<std::vector<SeedOutcome>> {
        std::vector<TicketRemoval> removals;
        if (options.reset) {
          TL_ASSIGN_OR_RETURN(removals, plan_reset(*db, concerts, options));
        }
        std::vector<SeedOutcome> out;
        for (const Concert& wanted : concerts) {
          SeedOutcome o;
          auto existing = concert_rows::load(*db, wanted.slug, true);
          if (!existing.ok() && existing.error().kind() != ErrorKind::kNotFound)
            return std::move(existing).error();
          if (!existing.ok()) {
            o.concert = wanted;
            o.concert.open = true;
            auto& insert = db->prepare(concert_rows::kInsert);
            concert_rows::bind_fields(insert, 1, o.concert);
            insert.execute();
            o.concert.id = db->last_insert_id();
            o.action = SeedOutcome::Action::kCreated;
            record_audit(*db, ctx.actor(),
                         {action::kConcertCreated, o.concert.id, std::nullopt, "",
                          concert_rows::audit_detail(o.concert)});
            out.push_back(std::move(o));
            continue;
          }
          const Concert& before = *existing;
          if (options.reset) {
            std::vector<TicketRemoval> removed;
            for (const auto& r : removals) {
              if (r.concert_id == before.id) removed.push_back(r);
            }
            delete_tickets(*db, before.id);
            o.reset = true;
            record_audit(*db, ctx.actor(),
                         {action::kConcertReset, before.id, std::nullopt, "",
                          removal_detail("seed --reset deleted", removed)});
          }
          o.concert = wanted;
          o.concert.id = before.id;
          o.concert.open = before.open;
          o.changes = differences(before, o.concert);
          if (o.changes.empty()) {
            out.push_back(std::move(o));
            continue;
          }
          if (!(o.concert.layout == before.layout)) {
            Status fits = check_shrink(*db, before.id, o.concert.layout);
            if (!fits.ok()) return fits.error().with_context("concert " + quote(before.slug));
          }
          Status same_money = check_currency(*db, before, o.concert);
          if (!same_money.ok())
            return same_money.error().with_context("concert " + quote(before.slug));
          auto& update = db->prepare(kUpdate);
          concert_rows::bind_fields(update, 1, o.concert);
          update.setUInt64(13, before.id);
          update.execute();
          o.action = SeedOutcome::Action::kUpdated;
          std::string detail;
          for (const auto& ch : o.changes) detail += (detail.empty() ? "" : "; ") + ch;
          record_audit(*db, ctx.actor(),
                       {action::kConcertUpdated, before.id, std::nullopt, "", detail});
          out.push_back(std::move(o));
        }
        return out;
      });
  if (!outcomes.ok()) return outcomes;
  // The seat maps of reset concerts still show the deleted tickets; drop
  // them so that the next use rebuilds them from MySQL.
  for (const auto& o : *outcomes) {
    if (o.reset) TL_TRY(drop_seat_map(ctx, o.concert.id));
  }
  return outcomes;
}

}  // namespace ticket
