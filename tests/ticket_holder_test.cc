// Schema version 2 against a real server: tickets sold under version 1 keep
// showing the holder they showed, and every new ticket must name its holder.
#include <gtest/gtest.h>

#include <fstream>
#include <sstream>

#include "support/servers.h"
#include "support/sql.h"
#include "ticket/schema.h"
#include "ticket/tickets.h"

namespace ticket {
namespace {

using testing::exec_sql;
using testing::newest_migration;
using testing::scalar_sql;
using testing::TestEnv;

// The statements of a migration file, split as the migrator splits them.
std::vector<std::string> statements_of(const std::string& file) {
  std::ifstream in(std::string(TL_SOURCE_DIR) + "/lib/sql/" + file);
  EXPECT_TRUE(in) << file;
  std::vector<std::string> out;
  std::string line, current;
  while (std::getline(in, line)) {
    if (line.rfind("--", 0) == 0 || line.find_first_not_of(" \t\r") == std::string::npos) continue;
    current += line + "\n";
    if (line.back() == ';') {
      current.erase(current.rfind(';'));
      out.push_back(current);
      current.clear();
    }
  }
  return out;
}

// A database at schema version 1 holding one paid ticket of Ada Lovelace.
void build_version_1(TestEnv& env) {
  {
    MysqlConfig server = env.config().mysql;
    auto db = Db::connect(server, false);
    ASSERT_TRUE(db.ok()) << db.error().message();
    ASSERT_EQ(exec_sql(**db, "CREATE DATABASE `" + env.database() + "`"), 0);
  }
  auto v1 = Db::connect(env.config().mysql);
  ASSERT_TRUE(v1.ok()) << v1.error().message();
  Db& db = **v1;
  for (const std::string& stmt : statements_of("001_initial.sql"))
    ASSERT_EQ(exec_sql(db, stmt), 0) << stmt;
  ASSERT_EQ(exec_sql(db,
                     "CREATE TABLE SCHEMA_VERSION (version INT UNSIGNED NOT NULL PRIMARY KEY,"
                     " description VARCHAR(255) NOT NULL, applied_at DATETIME(3) NOT NULL)"),
            0);
  ASSERT_EQ(exec_sql(db, "INSERT INTO SCHEMA_VERSION VALUES (1, 'initial schema', NOW(3))"), 0);
  ASSERT_EQ(
      exec_sql(
          db,
          "INSERT INTO CONCERTS (slug, name, seat_rows, seats_per_row, free_seats, price, currency,"
          " created_at, updated_at) VALUES ('old', 'Old concert', 2, 2, 0, 10, 'EUR', NOW(3), "
          "NOW(3))"),
      0);
  ASSERT_EQ(
      exec_sql(
          db,
          "INSERT INTO CUSTOMERS (id_hash, id_last4, name, age, gender, created_at, updated_at)"
          " VALUES (UNHEX(SHA2('x', 256)), '0001', 'Ada Lovelace', 36, 'Female', NOW(3), NOW(3))"),
      0);
  ASSERT_EQ(
      exec_sql(
          db,
          "INSERT INTO TICKETS (code, concert_id, customer_id, zone, status, amount, currency,"
          " created_at, updated_at) SELECT 'TB-0000AAA1', k.id, c.id, 'BUY', 'SUCCESS', 10, 'EUR',"
          " NOW(3), NOW(3) FROM CONCERTS k, CUSTOMERS c"),
      0);
}

TEST(TicketHolder, MigratingFillsInTheHolderOfEarlierTicketsAndThenRequiresOne) {
  TestEnv env(false);
  ASSERT_NO_FATAL_FAILURE(build_version_1(env));
  auto v1 = Db::connect(env.config().mysql);
  ASSERT_TRUE(v1.ok()) << v1.error().message();
  Db& db = **v1;

  auto migrated = migrate(env.config().mysql);
  ASSERT_TRUE(migrated.ok()) << migrated.error().message();
  EXPECT_EQ(migrated->from_version, 1);
  ASSERT_FALSE(migrated->applied.empty());
  EXPECT_EQ(migrated->applied.front(), 2);
  EXPECT_EQ(migrated->to_version, newest_migration());

  auto ctx = env.context();
  auto old = find_ticket(*ctx, "TB-0000AAA1");
  ASSERT_TRUE(old.ok()) << old.error().message();
  EXPECT_EQ(old->customer_name, "Ada Lovelace");
  EXPECT_EQ(old->customer_age, 36);
  EXPECT_EQ(old->customer_gender, "Female");
  EXPECT_EQ(old->customer_last4, "0001");

  // No default is left behind: a ticket written without its holder is
  // refused (ER_NO_DEFAULT_FOR_FIELD), not stored with an empty name.
  EXPECT_EQ(
      exec_sql(db,
               "INSERT INTO TICKETS (code, concert_id, customer_id, zone, status, amount, currency,"
               " created_at, updated_at) SELECT 'TB-0000AAA2', concert_id, customer_id, 'BUY', "
               "'FAIL', 10,"
               " 'EUR', NOW(3), NOW(3) FROM TICKETS"),
      1364);
  EXPECT_EQ(scalar_sql(db, "SELECT COUNT(*) FROM TICKETS"), 1);
}

// Each ALTER commits by itself: a migration killed after its first statement
// (or restarted after a deadlock) has already added the columns, and running
// it again must finish the job rather than fail on them.
TEST(TicketHolder, MigrationCutShortAfterItsFirstStatementCompletesWhenRunAgain) {
  TestEnv env(false);
  ASSERT_NO_FATAL_FAILURE(build_version_1(env));
  {
    auto db = Db::connect(env.config().mysql);
    ASSERT_TRUE(db.ok()) << db.error().message();
    ASSERT_EQ(exec_sql(**db, statements_of("002_ticket_holder.sql").front()), 0);
  }
  auto migrated = migrate(env.config().mysql);
  ASSERT_TRUE(migrated.ok()) << migrated.error().message();
  EXPECT_EQ(migrated->from_version, 1);
  EXPECT_EQ(migrated->to_version, newest_migration());
  auto ctx = env.context();
  auto old = find_ticket(*ctx, "TB-0000AAA1");
  ASSERT_TRUE(old.ok()) << old.error().message();
  EXPECT_EQ(old->customer_name, "Ada Lovelace");
}

}  // namespace
}  // namespace ticket
