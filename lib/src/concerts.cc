#include "ticket/concerts.h"

#include <cppconn/exception.h>

#include "audit_sql.h"
#include "concert_rows.h"
#include "stored_values.h"
#include "ticket/audit.h"
#include "ticket/text.h"

namespace ticket {
namespace {

constexpr const char* kSelectAll = "SELECT " TL_CONCERT_COLUMNS " FROM CONCERTS ORDER BY id";
constexpr const char* kSelectById = "SELECT " TL_CONCERT_COLUMNS " FROM CONCERTS WHERE id = ?";
constexpr const char* kSelectBySlug = "SELECT " TL_CONCERT_COLUMNS " FROM CONCERTS WHERE slug = ?";
constexpr const char* kLockById =
    "SELECT " TL_CONCERT_COLUMNS " FROM CONCERTS WHERE id = ? FOR UPDATE";
constexpr const char* kLockBySlug =
    "SELECT " TL_CONCERT_COLUMNS " FROM CONCERTS WHERE slug = ? FOR UPDATE";
constexpr const char* kSetStatus =
    "UPDATE CONCERTS SET status = ?, updated_at = NOW(3) WHERE id = ?";

Result<int> field_int(const std::optional<std::string>& text, const char* field, int64_t min,
                      int64_t max, int fallback) {
  if (!text) return fallback;
  const auto v = parse_int(*text, min, max);
  if (!v)
    return invalid(std::string(field) + " must be a whole number from " + std::to_string(min) +
                   " to " + std::to_string(max) + ", got " + quote(*text));
  return static_cast<int>(*v);
}

Status check_text(const std::string& text, const char* field, size_t max, bool allow_empty) {
  if ((!allow_empty && text.empty()) || utf8_length(text) > max || !is_printable_utf8(text))
    return invalid(std::string(field) + " must be " + (allow_empty ? "0" : "1") + " to " +
                   std::to_string(max) + " printable characters, got " + quote(text));
  return {};
}

Status check_slug(const std::string& slug) {
  bool ok = !slug.empty() && slug.size() <= 64 && slug.front() != '-';
  for (char c : slug) ok = ok && ((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-');
  if (!ok || parse_int(slug, 0, INT64_MAX))
    return invalid(
        "slug " + quote(slug) +
        " must be 1 to 64 lower-case letters, digits and dashes, not only digits, such as summer-2026");
  return {};
}

}  // namespace

const char* concert_status_text(bool open) { return open ? "OPEN" : "CLOSED"; }

std::optional<bool> parse_concert_status(std::string_view text) {
  if (text == concert_status_text(true)) return true;
  if (text == concert_status_text(false)) return false;
  return std::nullopt;
}

namespace concert_rows {

Result<Concert> read_concert(sql::ResultSet& rs) {
  Concert c;
  c.id = rs.getUInt64(1);
  c.slug = rs.getString(2);
  c.name = rs.getString(3);
  c.venue = rs.getString(4);
  if (!rs.isNull(5)) {
    TL_ASSIGN_OR_RETURN(c.starts_at, from_sql_datetime(std::string(rs.getString(5))));
  }
  c.layout.rows = rs.getInt(6);
  c.layout.seats_per_row = rs.getInt(7);
  c.layout.free_seats = rs.getInt(8);
  TL_ASSIGN_OR_RETURN(c.price, stored_money(rs, 9));
  c.currency = rs.getString(10);
  c.hold_seconds = rs.getInt(11);
  c.max_seats_per_ticket = rs.getInt(12);
  TL_ASSIGN_OR_RETURN(c.open, stored_concert_open(rs, 13));
  return c;
}

void bind_fields(sql::PreparedStatement& stmt, int first, const Concert& c) {
  stmt.setString(first, c.slug);
  stmt.setString(first + 1, c.name);
  stmt.setString(first + 2, c.venue);
  if (c.starts_at)
    stmt.setString(first + 3, to_sql_datetime(*c.starts_at));
  else
    stmt.setNull(first + 3, 0);
  stmt.setInt(first + 4, c.layout.rows);
  stmt.setInt(first + 5, c.layout.seats_per_row);
  stmt.setInt(first + 6, c.layout.free_seats);
  stmt.setString(first + 7, format_money(c.price));
  stmt.setString(first + 8, c.currency);
  stmt.setInt(first + 9, c.hold_seconds);
  stmt.setInt(first + 10, c.max_seats_per_ticket);
  stmt.setString(first + 11, concert_status_text(c.open));
}

Result<Concert> load(Db& db, std::string_view id_or_slug, bool for_update) {
  const auto id = parse_int(id_or_slug, 1, INT64_MAX);
  const bool digits =
      !id_or_slug.empty() && id_or_slug.find_first_not_of("0123456789") == std::string_view::npos;
  if (!id && (digits || !check_slug(std::string(id_or_slug)).ok()))
    return invalid(quote(id_or_slug) + " is not a concert id or slug (see: tl-admin concert list)");
  auto& stmt = db.prepare(id ? (for_update ? kLockById : kSelectById)
                             : (for_update ? kLockBySlug : kSelectBySlug));
  if (id)
    stmt.setUInt64(1, static_cast<uint64_t>(*id));
  else
    stmt.setString(1, std::string(id_or_slug));
  ResultSetPtr rs = db.query(stmt);
  if (!rs->next())
    return not_found("no concert " + quote(id_or_slug) + " (see: tl-admin concert list)");
  return read_concert(*rs);
}

std::string audit_detail(const Concert& c) {
  return c.slug + ": " + describe_layout(c.layout) + ", " + format_money(c.price) + " " +
         c.currency + ", hold " + std::to_string(c.hold_seconds) + " s, up to " +
         std::to_string(c.max_seats_per_ticket) + " seats a ticket";
}

}  // namespace concert_rows

Result<Concert> validate_concert(const ConcertInput& in) {
  Concert c;
  TL_TRY(check_slug(in.slug));
  c.slug = in.slug;
  TL_TRY(check_text(in.name, "name", 255, false));
  c.name = in.name;
  c.venue = in.venue.value_or("");
  TL_TRY(check_text(c.venue, "venue", 255, true));
  if (in.starts_at) {
    auto t = parse_iso8601(*in.starts_at);
    if (!t.ok()) return t.error().with_context("starts-at");
    c.starts_at = *t;
  }
  TL_ASSIGN_OR_RETURN(c.layout.rows, field_int(in.rows, "rows", 0, kMaxRows, 0));
  TL_ASSIGN_OR_RETURN(c.layout.seats_per_row,
                      field_int(in.seats_per_row, "seats-per-row", 0, kMaxSeatsPerRow, 0));
  TL_ASSIGN_OR_RETURN(c.layout.free_seats,
                      field_int(in.free_seats, "free-seats", 0, kMaxFreeSeats, 0));
  if ((c.layout.rows == 0) != (c.layout.seats_per_row == 0))
    return invalid("rows and seats-per-row must both be 0 (no paid zone) or both at least 1");
  if (static_cast<int64_t>(c.layout.rows) * c.layout.seats_per_row > kMaxPaidSeats)
    return invalid("rows x seats-per-row must be at most " + std::to_string(kMaxPaidSeats) +
                   " seats");
  if (c.layout.paid_seats() + c.layout.free_seats == 0)
    return invalid("a concert needs at least one seat");
  auto price = parse_money(in.price);
  if (!price.ok()) return price.error().with_context("price");
  c.price = *price;
  auto currency = parse_currency(in.currency);
  if (!currency.ok()) return currency.error().with_context("currency");
  c.currency = *currency;
  TL_ASSIGN_OR_RETURN(c.hold_seconds,
                      field_int(in.hold_seconds, "hold-seconds", 1, kMaxHoldSeconds, 300));
  TL_ASSIGN_OR_RETURN(
      c.max_seats_per_ticket,
      field_int(in.max_seats_per_ticket, "max-seats-per-ticket", 1, kMaxSeatsPerTicket, 1));
  // A ticket's amount is the price times its seats, in a DECIMAL(12,2).
  const Cents largest = c.price * c.max_seats_per_ticket;
  if (largest > kMaxCents)
    return invalid("price " + format_money(c.price) + " x max-seats-per-ticket " +
                   std::to_string(c.max_seats_per_ticket) + " is " + format_money(largest) +
                   ", more than a ticket's amount can hold (" + format_money(kMaxCents) + ")");
  return c;
}

Result<Concert> create_concert(Context& ctx, const Concert& concert) {
  TL_ASSIGN_OR_RETURN(Db * db, ctx.db());
  return db->transaction<Concert>([&]() -> Result<Concert> {
    Concert c = concert;
    c.open = true;
    auto& insert = db->prepare(concert_rows::kInsert);
    concert_rows::bind_fields(insert, 1, c);
    try {
      insert.execute();
    } catch (const sql::SQLException& e) {
      if (!is_duplicate_key(e, "uq_concert_slug")) throw;
      return conflict("a concert with slug " + quote(c.slug) + " already exists");
    }
    c.id = db->last_insert_id();
    record_audit(*db, ctx.actor(),
                 {action::kConcertCreated, c.id, std::nullopt, "", concert_rows::audit_detail(c)});
    return c;
  });
}

Result<std::vector<Concert>> list_concerts(Context& ctx) {
  TL_ASSIGN_OR_RETURN(Db * db, ctx.db());
  return db->transaction<std::vector<Concert>>([&]() -> Result<std::vector<Concert>> {
    ResultSetPtr rs = db->query(db->prepare(kSelectAll));
    std::vector<Concert> out;
    while (rs->next()) {
      TL_ASSIGN_OR_RETURN(Concert c, concert_rows::read_concert(*rs));
      out.push_back(std::move(c));
    }
    return out;
  });
}

Result<Concert> find_concert(Context& ctx, std::string_view id_or_slug) {
  TL_ASSIGN_OR_RETURN(Db * db, ctx.db());
  return db->transaction<Concert>([&]() { return concert_rows::load(*db, id_or_slug, false); });
}

namespace {

// Sets a concert OPEN or CLOSED with its audit row; no change and no row
// when it already is.
Result<Concert> set_open(Context& ctx, std::string_view id_or_slug, bool open) {
  TL_ASSIGN_OR_RETURN(Db * db, ctx.db());
  return db->transaction<Concert>([&]() -> Result<Concert> {
    TL_ASSIGN_OR_RETURN(Concert c, concert_rows::load(*db, id_or_slug, true));
    if (c.open == open) return c;
    auto& update = db->prepare(kSetStatus);
    update.setString(1, concert_status_text(open));
    update.setUInt64(2, c.id);
    update.execute();
    c.open = open;
    record_audit(
        *db, ctx.actor(),
        {open ? action::kConcertOpened : action::kConcertClosed, c.id, std::nullopt, "", c.slug});
    return c;
  });
}

}  // namespace

Result<Concert> close_concert(Context& ctx, std::string_view id_or_slug) {
  return set_open(ctx, id_or_slug, false);
}

Result<Concert> open_concert(Context& ctx, std::string_view id_or_slug) {
  return set_open(ctx, id_or_slug, true);
}

std::string describe_layout(const Layout& l) {
  std::string out;
  if (l.rows > 0) {
    out = std::to_string(l.rows) + (l.rows == 1 ? " row" : " rows") + " x " +
          std::to_string(l.seats_per_row) + (l.seats_per_row == 1 ? " seat" : " seats") + " (A1-" +
          row_letters(l.rows - 1) + std::to_string(l.seats_per_row) + ")";
  } else {
    out = "no paid seats";
  }
  out += ", " + std::to_string(l.free_seats) + (l.free_seats == 1 ? " free seat" : " free seats");
  return out;
}

std::string layout_token(const Layout& l) {
  return std::to_string(l.rows) + "x" + std::to_string(l.seats_per_row) + "+" +
         std::to_string(l.free_seats);
}

}  // namespace ticket
