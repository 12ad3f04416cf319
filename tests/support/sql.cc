#include "support/sql.h"

#include <cppconn/exception.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>

namespace ticket::testing {

int newest_migration() {
  int newest = 0;
  for (const auto& entry : std::filesystem::directory_iterator(TL_SOURCE_DIR "/lib/sql")) {
    const std::string name = entry.path().filename().string();
    const size_t digits = name.find_first_not_of("0123456789");
    if (entry.path().extension() != ".sql" || digits == 0 || digits == std::string::npos) continue;
    newest = std::max(newest, std::stoi(name.substr(0, digits)));
  }
  return newest;
}

int exec_sql(Db& db, const std::string& sql) {
  int code = 0;
  Status s = db.transaction([&]() -> Status {
    try {
      db.prepare(sql).execute();
    } catch (const sql::SQLException& e) {
      code = e.getErrorCode();
      return internal(e.what());
    }
    return {};
  });
  if (!s.ok() && code == 0) ADD_FAILURE() << s.error().message();
  return code;
}

int64_t scalar_sql(Db& db, const std::string& sql) {
  auto r = db.transaction<int64_t>([&]() -> Result<int64_t> {
    ResultSetPtr rs = db.query(db.prepare(sql));
    if (!rs->next()) return -1;
    return rs->getInt64(1);
  });
  if (!r.ok()) {
    ADD_FAILURE() << sql << ": " << r.error().message();
    return -1;
  }
  return *r;
}

int64_t scalar_sql(Context& ctx, const std::string& sql) {
  auto db = ctx.db();
  if (!db.ok()) {
    ADD_FAILURE() << db.error().message();
    return -1;
  }
  return scalar_sql(**db, sql);
}

uint64_t insert_raw_ticket(Db& db, uint64_t concert_id, const std::string& code,
                           const std::string& zone) {
  auto id = db.transaction<uint64_t>([&]() -> Result<uint64_t> {
    auto& c = db.prepare(
        "INSERT INTO CUSTOMERS (id_hash, id_last4, name, age, gender, created_at, updated_at) "
        "VALUES (UNHEX(SHA2(?, 256)), RIGHT(?, 4), 'Test Person', 30, 'Unspecified', NOW(3), NOW(3))");
    c.setString(1, code);
    c.setString(2, code);
    c.execute();
    const uint64_t customer = db.last_insert_id();
    auto& t = db.prepare(
        "INSERT INTO TICKETS (code, concert_id, customer_id, holder_name, holder_age,"
        " holder_gender, zone, status, currency, created_at, updated_at)"
        " VALUES (?, ?, ?, 'Test Person', 30, 'Unspecified', ?, 'PROCESS', 'EUR', NOW(3), NOW(3))");
    t.setString(1, code);
    t.setUInt64(2, concert_id);
    t.setUInt64(3, customer);
    t.setString(4, zone);
    t.execute();
    return db.last_insert_id();
  });
  if (!id.ok()) {
    ADD_FAILURE() << id.error().message();
    return 0;
  }
  return *id;
}

}  // namespace ticket::testing
