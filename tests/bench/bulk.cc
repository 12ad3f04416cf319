// Rows written in bulk straight into MySQL (INSERT ... SELECT over a table
// of numbers), for the phases that need a concert full of tickets faster
// than buyers could make them.
#include <cppconn/prepared_statement.h>

#include <random>

#include "bench.h"
#include "db.h"
#include "ticket/text.h"

namespace tlbench {
namespace {

constexpr std::string_view kCrockford = "0123456789ABCDEFGHJKMNPQRSTVWXYZ";

Status run(ticket::Db& db, const std::string& sql) {
  return db.transaction([&]() -> Status {
    db.prepare(sql).execute();
    return {};
  });
}

}  // namespace

Status run_bound(ticket::Db& db, const std::string& sql,
                 const std::function<void(sql::PreparedStatement&)>& bind) {
  return db.transaction([&]() -> Status {
    auto& stmt = db.prepare(sql);
    bind(stmt);
    stmt.execute();
    return {};
  });
}

Status write_customers(ticket::Db& db, const NumberTable& numbers, const std::string& who) {
  return run_bound(db,
                   "INSERT INTO CUSTOMERS (id_hash, id_last4, name, age, gender, created_at, "
                   "updated_at) SELECT UNHEX(SHA2(CONCAT(?, s.n), 256)), '0000', CONCAT(?, s.n), "
                   "30, 'Unspecified', NOW(3), NOW(3) FROM " +
                       numbers.name() + " s",
                   [&](sql::PreparedStatement& s) {
                     s.setString(1, who);
                     s.setString(2, who);
                   });
}

Status write_seats(ticket::Db& db, const NumberTable& numbers, const std::string& prefix,
                   int per_row, const char* status) {
  const std::string code = code_sql("s.n");
  return run_bound(db,
                   "INSERT INTO TICKET_SEATS (ticket_id, concert_id, zone, seat_row, seat_number, "
                   "status) SELECT t.id, t.concert_id, 'BUY', s.n DIV ?, s.n MOD ? + 1, " +
                       std::string(status) + " FROM " + numbers.name() +
                       " s JOIN TICKETS t ON t.code = " + code,
                   [&](sql::PreparedStatement& s) {
                     s.setInt(1, per_row);
                     s.setInt(2, per_row);
                     s.setString(3, prefix);
                   });
}

Result<std::unique_ptr<NumberTable>> NumberTable::make(Bench& b, ticket::Context& ctx,
                                                       const std::string& what, int n) {
  TL_ASSIGN_OR_RETURN(ticket::Db * db, ctx.db());
  const std::string digits = "tlbench_digits_" + what + "_" + ticket::to_lower(b.run_id);
  std::unique_ptr<NumberTable> table(
      new NumberTable(ctx, "tlbench_numbers_" + what + "_" + ticket::to_lower(b.run_id)));
  TL_TRY(run(*db, "CREATE TABLE " + table->name_ + " (n INT NOT NULL PRIMARY KEY)"));
  table->made_ = true;
  TL_TRY(run(*db, "CREATE TABLE " + digits + " (d INT NOT NULL PRIMARY KEY)"));
  Status filled = [&]() -> Status {
    TL_TRY(run(*db, "INSERT INTO " + digits + " VALUES (0),(1),(2),(3),(4),(5),(6),(7),(8),(9)"));
    // Enough digit tables for n, multiplied out (MariaDB and MySQL 8 alike).
    std::string number = "0", from;
    int64_t scale = 1;
    for (int i = 0; scale < n; ++i, scale *= 10) {
      const std::string alias = "d" + std::to_string(i);
      number += " + " + std::to_string(scale) + " * " + alias + ".d";
      from += (from.empty() ? "" : ", ") + digits + " " + alias;
    }
    if (from.empty()) from = digits + " d0";
    return db->transaction([&]() -> Status {
      auto& insert = db->prepare("INSERT INTO " + table->name_ + " SELECT n FROM (SELECT " +
                                 number + " AS n FROM " + from + ") s WHERE s.n < ?");
      insert.setInt(1, n);
      insert.execute();
      return {};
    });
  }();
  (void)run(*db, "DROP TABLE IF EXISTS " + digits);
  TL_TRY(filled);
  return table;
}

NumberTable::~NumberTable() {
  if (!made_) return;
  if (auto db = ctx_.db(); db.ok()) (void)run(**db, "DROP TABLE IF EXISTS " + name_);
}

Result<std::string> unused_code_prefix(ticket::Context& ctx) {
  std::mt19937_64 rng(std::random_device{}());
  std::uniform_int_distribution<size_t> pick(0, kCrockford.size() - 1);
  TL_ASSIGN_OR_RETURN(ticket::Db * db, ctx.db());
  for (int attempt = 0; attempt < 100; ++attempt) {
    std::string prefix;
    for (int i = 0; i < 4; ++i) prefix += kCrockford[pick(rng)];
    TL_ASSIGN_OR_RETURN(const bool taken, db->transaction<bool>([&]() -> Result<bool> {
      auto& stmt = db->prepare("SELECT 1 FROM TICKETS WHERE code LIKE ? LIMIT 1");
      stmt.setString(1, "TB-" + prefix + "%");
      return db->query(stmt)->next();
    }));
    if (!taken) return prefix;
  }
  return ticket::internal("no unused ticket code prefix found in 100 tries");
}

std::string code_sql(const std::string& number) {
  // The number in base 32 (CONV's digits 0-9 A-V), with the four that are
  // not in Crockford's alphabet moved to the four it has beyond V: as
  // number_code.
  return "CONVERT(CONCAT('TB-', ?, LPAD(REPLACE(REPLACE(REPLACE(REPLACE(CONV(" + number +
         ", 10, 32), 'I', 'W'), 'L', 'X'), 'O', 'Y'), 'U', 'Z'), 4, '0')) USING ascii) COLLATE "
         "ascii_bin";
}

std::string number_code(int n) {
  constexpr std::string_view kDigits = "0123456789ABCDEFGHWJKXMNYPQRSTZV";
  std::string out(4, '0');
  for (int i = 3; i >= 0 && n > 0; --i, n /= 32) out[static_cast<size_t>(i)] = kDigits[n % 32];
  return out;
}

}  // namespace tlbench
