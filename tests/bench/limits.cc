// The servers' own limits at the bench's concurrency, without libticket on
// the call path: hold.lua through raw hiredis, and a one-row INSERT + COMMIT
// through Connector/C++.
#include <cppconn/driver.h>
#include <cppconn/exception.h>
#include <cppconn/prepared_statement.h>
#include <hiredis/hiredis.h>
#include <mysql_connection.h>
#include <mysql_driver.h>

#include "bench.h"
#include "db.h"
#include "redis.h"
#include "script_replies.h"
#include "seat_map_scripts.h"
#include "ticket/seat_map.h"
#include "ticket/seat_map_views.h"
#include "ticket/text.h"

namespace tlbench {
namespace {

constexpr int kHoldSeats = 1000000;

struct RedisFree {
  void operator()(redisContext* c) const { redisFree(c); }
};
struct ReplyFree {
  void operator()(redisReply* r) const { freeReplyObject(r); }
};
using RawRedis = std::unique_ptr<redisContext, RedisFree>;
using RawReply = std::unique_ptr<redisReply, ReplyFree>;

RawReply raw_command(redisContext* c, const std::vector<std::string>& argv) {
  std::vector<const char*> ptrs;
  std::vector<size_t> lens;
  for (const auto& a : argv) {
    ptrs.push_back(a.data());
    lens.push_back(a.size());
  }
  void* raw = redisCommandArgv(c, static_cast<int>(argv.size()), ptrs.data(), lens.data());
  return RawReply(static_cast<redisReply*>(raw));
}

Result<RawRedis> raw_connect(const ticket::RedisConfig& config) {
  const std::string where = "Redis at " + config.host + ":" + std::to_string(config.port);
  RawRedis c(redisConnectWithTimeout(config.host.c_str(), config.port, timeval{3, 0}));
  if (!c || c->err)
    return ticket::unavailable("cannot reach " + where + (c ? std::string(": ") + c->errstr : ""));
  std::string password = config.password.value_or("");
  if (!config.password && !config.password_file.empty()) {
    TL_ASSIGN_OR_RETURN(password, ticket::read_secret_file(config.password_file, "Redis password"));
  }
  std::vector<std::vector<std::string>> setup;
  if (!password.empty()) setup.push_back({"AUTH", password});
  if (config.db != 0) setup.push_back({"SELECT", std::to_string(config.db)});
  for (const auto& argv : setup) {
    RawReply r = raw_command(c.get(), argv);
    if (!r) return ticket::unavailable("lost " + where);
    if (r->type == REDIS_REPLY_ERROR)
      return ticket::config_error(where + " refused " + argv[0] + ": " + r->str);
  }
  return c;
}

}  // namespace

Status measure_hold_limit(Bench& b) {
  const int c = b.options.buyers;
  ticket::Context main_ctx(b.config);
  TL_ASSIGN_OR_RETURN(ticket::Concert concert,
                      make_concert(b, main_ctx, "hold-limit", kHoldSeats, 600, 1));
  TL_TRY(ticket::read_seat_counts(main_ctx, concert));  // builds meta, which the script checks
  const auto keys = ticket::seat_map_keys(main_ctx, concert.id).in_script_order();
  const std::string layout = ticket::layout_token(concert.layout);
  const std::string hold_until = std::to_string(ticket::wall_clock_ms() + 600 * 1000);
  // On a cluster: straight to the master of the concert's slot.
  TL_ASSIGN_OR_RETURN(ticket::Redis * redis, main_ctx.redis());
  const ticket::Script& hold = ticket::seat_script(ticket::SeatScript::kHold, redis->cluster());
  ticket::RedisConfig node = b.config.redis;
  TL_ASSIGN_OR_RETURN(std::tie(node.host, node.port), redis->address_of(keys.front()));
  std::string sha;
  {
    TL_ASSIGN_OR_RETURN(RawRedis loader, raw_connect(node));
    RawReply r = raw_command(loader.get(), {"SCRIPT", "LOAD", hold.body()});
    if (!r || r->type != REDIS_REPLY_STRING)
      return ticket::internal("SCRIPT LOAD of hold.lua failed");
    sha.assign(r->str, r->len);
  }

  std::vector<RawRedis> conns(static_cast<size_t>(c));
  std::vector<int64_t> held(static_cast<size_t>(c), 0);
  auto prepare = [&](int t) -> Status {
    TL_ASSIGN_OR_RETURN(conns[static_cast<size_t>(t)], raw_connect(node));
    return {};
  };
  auto work = [&](int t, Clock::time_point deadline) -> Status {
    redisContext* rc = conns[static_cast<size_t>(t)].get();
    int64_t& n = held[static_cast<size_t>(t)];
    std::vector<std::string> argv = {"EVALSHA", sha, std::to_string(keys.size())};
    argv.insert(argv.end(), keys.begin(), keys.end());
    argv.insert(argv.end(), {layout, "", hold_until, "seats", ""});
    const size_t code_at = 3 + keys.size() + 1, seat_at = argv.size() - 1;
    for (int seat = t; seat < kHoldSeats && Clock::now() < deadline; seat += c, ++n) {
      argv[code_at] = bench_code(t, n);
      argv[seat_at] = std::to_string(seat);
      RawReply r = raw_command(rc, argv);
      if (!r) return ticket::unavailable("lost the connection to Redis during hold.lua");
      auto reply = ticket::decode_hold(r.get());
      if (!reply.ok()) return reply.error();
      if (reply->outcome != ticket::HoldReply::Outcome::kHeld)
        return ticket::internal("hold.lua through raw hiredis held nothing");
    }
    return {};
  };
  TL_ASSIGN_OR_RETURN(double elapsed, run_timed(c, b.short_phase_s(), prepare, work));
  int64_t total = 0;
  for (int64_t n : held) total += n;
  b.figures["limit_hold_per_s"] = static_cast<double>(total) / elapsed;
  return ticket::drop_seat_map(main_ctx, concert.id);
}

Status measure_insert_limit(Bench& b) {
  const int c = b.options.buyers;
  ticket::Context main_ctx(b.config);
  const std::string table = "tl_bench_insert_" + ticket::to_lower(b.run_id);
  TL_TRY(execute(
      main_ctx, "CREATE TABLE " + table +
                    " (id BIGINT UNSIGNED NOT NULL AUTO_INCREMENT PRIMARY KEY, thread INT NOT NULL,"
                    " n BIGINT NOT NULL, at DATETIME(3) NOT NULL) ENGINE=InnoDB"));
  const ticket::MysqlConfig& my = b.config.mysql;
  std::string password = my.password.value_or("");
  if (!my.password) {
    TL_ASSIGN_OR_RETURN(password, ticket::read_secret_file(my.password_file, "MySQL password"));
  }
  sql::mysql::MySQL_Driver* driver = sql::mysql::get_mysql_driver_instance();

  struct Inserter {
    std::unique_ptr<sql::Connection> conn;
    std::unique_ptr<sql::PreparedStatement> insert;
    int64_t rows = 0;
  };
  std::vector<Inserter> inserters(static_cast<size_t>(c));
  auto prepare = [&](int t) -> Status {
    Inserter& me = inserters[static_cast<size_t>(t)];
    driver->threadInit();
    try {
      sql::ConnectOptionsMap opts;
      opts["hostName"] = sql::SQLString("tcp://" + my.host + ":" + std::to_string(my.port));
      opts["userName"] = sql::SQLString(my.user);
      opts["password"] = sql::SQLString(password);
      opts["schema"] = sql::SQLString(my.database);
      me.conn.reset(driver->connect(opts));
      me.conn->setAutoCommit(false);
      me.conn->setTransactionIsolation(sql::TRANSACTION_READ_COMMITTED);
      me.insert.reset(me.conn->prepareStatement("INSERT INTO " + table +
                                                " (thread, n, at) VALUES (?, ?, NOW(3))"));
    } catch (const sql::SQLException& e) {
      return ticket::unavailable(std::string("cannot connect to MySQL through Connector/C++: ") +
                                 e.what());
    }
    return {};
  };
  auto work = [&](int t, Clock::time_point deadline) -> Status {
    Inserter& me = inserters[static_cast<size_t>(t)];
    Status s;
    try {
      for (; Clock::now() < deadline; ++me.rows) {
        me.insert->setInt(1, t);
        me.insert->setInt64(2, me.rows);
        me.insert->executeUpdate();
        me.conn->commit();
      }
    } catch (const sql::SQLException& e) {
      s = ticket::internal(std::string("INSERT + COMMIT through Connector/C++ failed: ") +
                           e.what());
    }
    me.insert.reset();
    me.conn.reset();
    driver->threadEnd();
    return s;
  };
  auto elapsed = run_timed(c, b.short_phase_s(), prepare, work);
  Status dropped = execute(main_ctx, "DROP TABLE IF EXISTS " + table).ok()
                       ? Status()
                       : Status(ticket::internal("could not drop the scratch table " + table));
  if (!elapsed.ok()) return elapsed.error();
  TL_TRY(dropped);
  int64_t total = 0;
  for (const Inserter& me : inserters) total += me.rows;
  b.figures["limit_insert_commit_per_s"] = static_cast<double>(total) / *elapsed;
  return {};
}

}  // namespace tlbench
