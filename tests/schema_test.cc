#include "ticket/schema.h"

#include <gtest/gtest.h>

#include <atomic>
#include <thread>

#include "db.h"
#include "redis.h"
#include "schema_sql.h"
#include "support/sale.h"
#include "support/servers.h"
#include "support/sql.h"
#include "ticket/buy.h"
#include "ticket/context.h"
#include "ticket/pay.h"

namespace ticket {
namespace {

using testing::newest_migration;
using testing::TestEnv;

int64_t scalar(Db& db, const std::string& sql) {
  auto r = db.transaction<int64_t>([&]() -> Result<int64_t> {
    ResultSetPtr rs = db.query(db.prepare(sql));
    rs->next();
    return rs->getInt64(1);
  });
  EXPECT_TRUE(r.ok()) << r.error().message();
  return r.ok() ? *r : -1;
}

void exec(Db& db, const std::string& sql) {
  Status s = db.transaction([&]() -> Status {
    db.prepare(sql).execute();
    return {};
  });
  ASSERT_TRUE(s.ok()) << s.error().message();
}

TEST(Schema, MigratingCreatesTheDatabaseAndEveryTable) {
  TestEnv env(false);
  auto r = migrate(env.config().mysql);
  ASSERT_TRUE(r.ok()) << r.error().message();
  EXPECT_EQ(r->from_version, 0);
  EXPECT_EQ(r->to_version, newest_migration());
  EXPECT_EQ(r->applied, (std::vector<int>{1, 2, 3, 4, 5, 6, 7, 8}));
  auto db = Db::connect(env.config().mysql);
  ASSERT_TRUE(db.ok());
  EXPECT_EQ(scalar(**db,
                   "SELECT COUNT(*) FROM information_schema.ROUTINES WHERE ROUTINE_SCHEMA ="
                   " DATABASE() AND ROUTINE_TYPE = 'PROCEDURE' AND SECURITY_TYPE = 'INVOKER'"
                   " AND ROUTINE_NAME IN ('tl_buy', 'tl_pay')"),
            2);
  EXPECT_EQ(
      scalar(**db,
             "SELECT COUNT(*) FROM information_schema.TABLES WHERE TABLE_SCHEMA = DATABASE() AND "
             "TABLE_NAME IN ('CONCERTS','CUSTOMERS','TICKETS','TICKET_SEATS','TICKETS_APPLY_BUY',"
             "'TICKETS_APPLY_FREE','AUDIT_LOG','SCHEMA_VERSION','CHECKINS') AND ENGINE = 'InnoDB'"),
      9);
  EXPECT_TRUE(check_schema(**db).ok());
}

TEST(Schema, MigratingTwiceChangesNothing) {
  TestEnv env;
  auto db = Db::connect(env.config().mysql);
  ASSERT_TRUE(db.ok());
  const int64_t tables = scalar(
      **db, "SELECT COUNT(*) FROM information_schema.TABLES WHERE TABLE_SCHEMA = DATABASE()");
  const int64_t columns = scalar(
      **db, "SELECT COUNT(*) FROM information_schema.COLUMNS WHERE TABLE_SCHEMA = DATABASE()");
  const int64_t indexes = scalar(
      **db, "SELECT COUNT(*) FROM information_schema.STATISTICS WHERE TABLE_SCHEMA = DATABASE()");
  auto again = migrate(env.config().mysql);
  ASSERT_TRUE(again.ok()) << again.error().message();
  EXPECT_TRUE(again->applied.empty());
  EXPECT_EQ(again->from_version, newest_migration());
  EXPECT_EQ(again->to_version, newest_migration());
  EXPECT_EQ(scalar(**db, "SELECT COUNT(*) FROM SCHEMA_VERSION"), newest_migration());
  EXPECT_EQ(
      scalar(**db,
             "SELECT COUNT(*) FROM information_schema.TABLES WHERE TABLE_SCHEMA = DATABASE()"),
      tables);
  EXPECT_EQ(
      scalar(**db,
             "SELECT COUNT(*) FROM information_schema.COLUMNS WHERE TABLE_SCHEMA = DATABASE()"),
      columns);
  EXPECT_EQ(
      scalar(**db,
             "SELECT COUNT(*) FROM information_schema.STATISTICS WHERE TABLE_SCHEMA = DATABASE()"),
      indexes);
}

// Version 8 copies each payment's time onto its ticket; run again after it
// was cut short (its ALTERs done, its version not written), it finishes.
TEST(Schema, UpgradingTo8KeepsWhenTicketsWerePaidAndFinishesWhenRunAgain) {
  TestEnv env;
  Context ctx(env.config());
  const Concert c = testing::make_concert(ctx, {1, 2});
  auto paid = buy(ctx, testing::buyer(c, "A1", "UPGRADE1"));
  ASSERT_TRUE(paid.ok()) << paid.error().message();
  ASSERT_TRUE(pay(ctx, {paid->code, "DIRECT", "UP-1"}).ok());
  ASSERT_TRUE(buy(ctx, testing::buyer(c, "A2", "UPGRADE2")).ok());
  auto db = Db::connect(env.config().mysql);
  ASSERT_TRUE(db.ok());
  EXPECT_EQ(scalar(**db,
                   "SELECT COUNT(*) FROM TICKETS t JOIN TICKETS_APPLY_BUY p ON p.ticket_id "
                   "= t.id WHERE t.paid_at = p.paid_at"),
            1)
      << "tl_pay writes both";
  // As a version-7 database with this sale would be, but for the indexes.
  exec(**db, "UPDATE TICKETS SET paid_at = NULL");
  exec(**db, "DELETE FROM SCHEMA_VERSION WHERE version = 8");
  auto again = migrate(env.config().mysql);
  ASSERT_TRUE(again.ok()) << again.error().message();
  EXPECT_EQ(again->applied, (std::vector<int>{8}));
  EXPECT_EQ(scalar(**db,
                   "SELECT COUNT(*) FROM TICKETS t JOIN TICKETS_APPLY_BUY p ON p.ticket_id "
                   "= t.id WHERE t.paid_at = p.paid_at"),
            1);
  EXPECT_EQ(scalar(**db, "SELECT COUNT(*) FROM TICKETS WHERE paid_at IS NULL"), 1)
      << "the ticket still held";
  EXPECT_EQ(scalar(**db,
                   "SELECT COUNT(*) FROM information_schema.STATISTICS WHERE TABLE_SCHEMA = "
                   "DATABASE() AND INDEX_NAME = 'ix_ticket_concert'"),
            0);
}

TEST(Schema, NewerSchemaIsRefusedNamingTheVersion) {
  TestEnv env;
  auto db = Db::connect(env.config().mysql);
  ASSERT_TRUE(db.ok());
  exec(
      **db,
      "INSERT INTO SCHEMA_VERSION (version, description, applied_at) VALUES (99, 'future', NOW(3))");
  Status s = check_schema(**db);
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.error().kind(), ErrorKind::kConfig);
  EXPECT_EQ(s.error().message(),
            "the database '" + env.database() +
                "' at 127.0.0.1:" + std::to_string(env.sandbox().mysql_port) +
                " has schema version 99, newer than this TicketLemon knows (up to " +
                std::to_string(newest_migration()) + "); upgrade TicketLemon");
  auto m = migrate(env.config().mysql);
  ASSERT_FALSE(m.ok());
  EXPECT_EQ(m.error().kind(), ErrorKind::kConfig);
  EXPECT_NE(m.error().message().find("has schema version 99"), std::string::npos);
  // Every operation goes through Context::db(), which checks the version.
  auto ctx = env.context();
  auto conn = ctx->db();
  ASSERT_FALSE(conn.ok());
  EXPECT_EQ(conn.error().kind(), ErrorKind::kConfig);
}

// A database its administrator made with other defaults than tl-admin's
// (MariaDB's utf8mb4_general_ci, MySQL 8's utf8mb4_0900_ai_ci): the
// procedures compare their text with the columns' collation all the same.
TEST(Schema, ADatabaseMadeWithAnotherCollationSellsThroughTheProcedures) {
  TestEnv env(false);
  Status created = [&]() -> Status {
    TL_ASSIGN_OR_RETURN(auto server, Db::connect(env.config().mysql, false));
    return server->transaction([&]() -> Status {
      server
          ->prepare("CREATE DATABASE `" + env.database() +
                    "` CHARACTER SET utf8mb4 COLLATE utf8mb4_general_ci")
          .execute();
      return {};
    });
  }();
  ASSERT_TRUE(created.ok()) << created.error().message();
  auto r = migrate(env.config().mysql);
  ASSERT_TRUE(r.ok()) << r.error().message();
  auto ctx = env.context();
  Concert c = testing::make_concert(*ctx, {2, 5, 0, 300, 1});
  auto t = buy(*ctx, testing::buyer(c, "A1", "COLL0001"));
  ASSERT_TRUE(t.ok()) << t.error().message();
  auto paid = pay(*ctx, {t->code, "DIRECT", "COLL-1"});
  ASSERT_TRUE(paid.ok()) << paid.error().message();
  EXPECT_EQ(paid->status, TicketStatus::kSuccess);
}

TEST(Schema, MissingSchemaSaysToMigrate) {
  TestEnv env(false);
  Status created = [&]() -> Status {
    TL_ASSIGN_OR_RETURN(auto server, Db::connect(env.config().mysql, false));
    return server->transaction([&]() -> Status {
      server->prepare("CREATE DATABASE `" + env.database() + "`").execute();
      return {};
    });
  }();
  ASSERT_TRUE(created.ok()) << created.error().message();
  auto ctx = env.context();
  auto conn = ctx->db();
  ASSERT_FALSE(conn.ok());
  EXPECT_EQ(conn.error().kind(), ErrorKind::kConfig);
  EXPECT_EQ(conn.error().message(), "the database '" + env.database() + "' at 127.0.0.1:" +
                                        std::to_string(env.sandbox().mysql_port) +
                                        " has no TicketLemon schema; run: tl-admin db migrate");
}

int64_t shape(Db& db, const std::string& what) {
  return scalar(
      db, "SELECT COUNT(*) FROM information_schema." + what + " WHERE TABLE_SCHEMA = DATABASE()");
}

TEST(Schema, MissingTablesAreNamedAndMigrateRecreatesThem) {
  TestEnv env;
  auto db = Db::connect(env.config().mysql);
  ASSERT_TRUE(db.ok());
  const int64_t tables = shape(**db, "TABLES"), columns = shape(**db, "COLUMNS"),
                indexes = shape(**db, "STATISTICS");
  exec(**db,
       "INSERT INTO CONCERTS (slug, name, seat_rows, seats_per_row, free_seats, price, currency, "
       "created_at, "
       "updated_at) VALUES ('kept', 'Kept', 1, 1, 0, 1, 'EUR', NOW(3), NOW(3))");
  exec(**db, "DROP TABLE AUDIT_LOG");
  exec(**db, "DROP TABLE TICKETS_APPLY_FREE");
  Status s = check_schema(**db);
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.error().kind(), ErrorKind::kConfig);
  EXPECT_EQ(s.error().message(),
            "the database '" + env.database() +
                "' at 127.0.0.1:" + std::to_string(env.sandbox().mysql_port) +
                " has schema version " + std::to_string(newest_migration()) +
                " but lacks the tables TICKETS_APPLY_FREE, AUDIT_LOG; run: tl-admin db migrate");
  auto ctx = env.context();
  auto conn = ctx->db();
  ASSERT_FALSE(conn.ok());
  EXPECT_EQ(conn.error().kind(), ErrorKind::kConfig);

  auto r = migrate(env.config().mysql);
  ASSERT_TRUE(r.ok()) << r.error().message();
  EXPECT_EQ(r->recreated, (std::vector<std::string>{"TICKETS_APPLY_FREE", "AUDIT_LOG"}));
  EXPECT_TRUE(r->applied.empty());
  EXPECT_TRUE(check_schema(**db).ok());
  EXPECT_EQ(shape(**db, "TABLES"), tables);
  EXPECT_EQ(shape(**db, "COLUMNS"), columns);
  EXPECT_EQ(shape(**db, "STATISTICS"), indexes);
  EXPECT_EQ(scalar(**db, "SELECT COUNT(*) FROM CONCERTS WHERE slug = 'kept'"), 1);
  auto again = migrate(env.config().mysql);
  ASSERT_TRUE(again.ok());
  EXPECT_TRUE(again->recreated.empty());
}

TEST(Schema, ResetCutShortReadsAsNoSchemaAndIsNotCalledUpToDate) {
  TestEnv env;
  auto db = Db::connect(env.config().mysql);
  ASSERT_TRUE(db.ok());
  exec(**db,
       "INSERT INTO CONCERTS (slug, name, seat_rows, seats_per_row, free_seats, price, currency, "
       "created_at, "
       "updated_at) VALUES ('left', 'Left', 1, 1, 0, 1, 'EUR', NOW(3), NOW(3))");
  // What drop_schema leaves when it dies after its first three drops.
  for (const char* table : {"SCHEMA_VERSION", "AUDIT_LOG", "TICKETS_APPLY_FREE"})
    exec(**db, std::string("DROP TABLE ") + table);
  const std::string where = "the database '" + env.database() +
                            "' at 127.0.0.1:" + std::to_string(env.sandbox().mysql_port);
  Status s = check_schema(**db);
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.error().message(), where + " has no TicketLemon schema; run: tl-admin db migrate");
  auto refused = migrate(env.config().mysql);
  ASSERT_FALSE(refused.ok());
  EXPECT_EQ(refused.error().kind(), ErrorKind::kConfig);
  EXPECT_EQ(refused.error().message(),
            where +
                " has no schema version but its tables CONCERTS hold rows, as a db reset "
                "cut short leaves them; finish the reset with: tl-admin db reset --yes");
  // Empty leftovers (a first migration cut short) are cleared and made again.
  exec(**db, "DELETE FROM CONCERTS");
  auto r = migrate(env.config().mysql);
  ASSERT_TRUE(r.ok()) << r.error().message();
  EXPECT_EQ(r->applied.size(), static_cast<size_t>(newest_migration()));
  EXPECT_TRUE(check_schema(**db).ok());
}

int64_t procedures(Db& db) {
  return scalar(
      db, "SELECT COUNT(*) FROM information_schema.ROUTINES WHERE ROUTINE_SCHEMA = DATABASE()");
}

TEST(Schema, AMissingProcedureSaysToMigrateAndMigrateRecreatesIt) {
  TestEnv env;
  auto db = Db::connect(env.config().mysql);
  ASSERT_TRUE(db.ok());
  const int64_t before = procedures(**db);
  ASSERT_GE(before, 2);
  Status dropped = (*db)->transaction([&]() -> Status {
    (*db)->execute_text("DROP PROCEDURE tl_pay");
    return {};
  });
  ASSERT_TRUE(dropped.ok()) << dropped.error().message();
  Status call = (*db)->transaction([&]() -> Status {
    auto& stmt = (*db)->prepare("CALL tl_pay(?, ?, ?, ?)");
    for (int i = 1; i <= 4; ++i) stmt.setString(i, "x");
    (*db)->call(stmt, [](sql::ResultSet&) {});
    return {};
  });
  ASSERT_FALSE(call.ok());
  EXPECT_EQ(call.error().kind(), ErrorKind::kConfig);
  EXPECT_NE(call.error().message().find("lacks a procedure"), std::string::npos)
      << call.error().message();
  EXPECT_NE(call.error().message().find("run: tl-admin db migrate"), std::string::npos)
      << call.error().message();
  auto r = migrate(env.config().mysql);
  ASSERT_TRUE(r.ok()) << r.error().message();
  EXPECT_TRUE(r->applied.empty());
  EXPECT_TRUE(r->recreated.empty());
  EXPECT_EQ(r->recreated_procedures, (std::vector<std::string>{"tl_pay"}));
  EXPECT_EQ(procedures(**db), before);
}

TEST(Schema, DropSchemaDropsOnlyItsOwnTables) {
  TestEnv env;
  auto db = Db::connect(env.config().mysql);
  ASSERT_TRUE(db.ok());
  exec(**db, "CREATE TABLE keep_me (id INT)");
  ASSERT_TRUE(drop_schema(**db).ok());
  EXPECT_EQ(shape(**db, "TABLES"), 1);
  EXPECT_EQ(procedures(**db), 0) << "the procedures go with the tables";
  auto r = migrate(env.config().mysql);
  ASSERT_TRUE(r.ok()) << r.error().message();
  EXPECT_TRUE(check_schema(**db).ok());
}

// Connector/C++ 1.1's Connection::commit() ignores the server's answer: a
// transaction whose COMMIT is lost with the connection must not pass for
// committed.
TEST(Db, ACommitLostWithTheConnectionIsAnError) {
  TestEnv env;
  auto db = Db::connect(env.config().mysql);
  auto killer = Db::connect(env.config().mysql);
  ASSERT_TRUE(db.ok());
  ASSERT_TRUE(killer.ok());
  const int64_t id = scalar(**db, "SELECT CONNECTION_ID()");
  Status s = (*db)->transaction([&]() -> Status {
    (*db)
        ->prepare("INSERT INTO AUDIT_LOG (at, actor, action) VALUES (NOW(3), 'lost', 'lost')")
        .execute();
    return (*killer)->transaction([&]() -> Status {
      auto& kill = (*killer)->prepare("KILL ?");
      kill.setInt64(1, id);
      kill.execute();
      return {};
    });
  });
  ASSERT_FALSE(s.ok()) << "the COMMIT went to a killed connection";
  EXPECT_EQ(s.error().kind(), ErrorKind::kUnavailable) << s.error().message();
  EXPECT_EQ(scalar(**killer, "SELECT COUNT(*) FROM AUDIT_LOG WHERE actor = 'lost'"), 0);
  // The next transaction connects again.
  EXPECT_EQ(scalar(**db, "SELECT COUNT(*) FROM AUDIT_LOG WHERE actor = 'lost'"), 0);
}

TEST(Schema, ConcurrentMigratorsApplyEachMigrationOnce) {
  TestEnv env(false);
  std::vector<std::thread> threads;
  std::atomic<int> applied{0}, failed{0};
  for (int i = 0; i < 4; ++i) {
    threads.emplace_back([&] {
      auto r = migrate(env.config().mysql);
      if (!r.ok()) {
        ++failed;
        return;
      }
      applied += static_cast<int>(r->applied.size());
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(failed.load(), 0);
  EXPECT_EQ(applied.load(), newest_migration());
}

TEST(Schema, UnreachableServerIsUnavailableWithTheAddress) {
  Config c;
  c.mysql.port = 1;  // nothing listens on port 1
  c.mysql.password = "x";
  c.mysql.connect_timeout_ms = 2000;
  auto db = Db::connect(c.mysql);
  ASSERT_FALSE(db.ok());
  EXPECT_EQ(db.error().kind(), ErrorKind::kUnavailable);
  EXPECT_EQ(db.error().message(), "cannot reach MySQL at 127.0.0.1:1: Connection refused");
  c.redis.port = 1;
  auto redis = Redis::connect(c.redis);
  ASSERT_FALSE(redis.ok());
  EXPECT_EQ(redis.error().kind(), ErrorKind::kUnavailable);
  EXPECT_EQ(redis.error().message(), "cannot reach Redis at 127.0.0.1:1: Connection refused");
}

TEST(Schema, WrongPasswordIsAConfigError) {
  TestEnv env(false);
  MysqlConfig m = env.config().mysql;
  m.password = "wrong";
  auto db = Db::connect(m);
  ASSERT_FALSE(db.ok());
  EXPECT_EQ(db.error().kind(), ErrorKind::kConfig);
  EXPECT_EQ(db.error().message(),
            "MySQL at 127.0.0.1:" + std::to_string(env.sandbox().mysql_port) +
                " refused user 'ticketlemon': check [mysql] user and the password");
  RedisConfig r = env.config().redis;
  r.password = "wrong";
  auto redis = Redis::connect(r);
  ASSERT_FALSE(redis.ok());
  EXPECT_EQ(redis.error().kind(), ErrorKind::kConfig);
}

}  // namespace
}  // namespace ticket
