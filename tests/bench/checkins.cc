// Admission at the gate: the passes of N paid tickets verified and admitted
// by C threads at once, as gates scanning a crowd would (ticket::check_in).
#include <cppconn/resultset.h>
#include <stdlib.h>

#include <atomic>
#include <filesystem>

#include "bench.h"
#include "db.h"
#include "ticket/checkin.h"
#include "ticket/passes.h"
#include "ticket/text.h"

namespace tlbench {
namespace {

using ticket::Context;

// A directory of this run's pass keys, removed when done.
class KeyDir {
 public:
  KeyDir() {
    char path[] = "/tmp/tl-bench-keys-XXXXXX";
    if (mkdtemp(path) != nullptr) path_ = path;
  }
  ~KeyDir() {
    std::error_code ignored;
    if (!path_.empty()) std::filesystem::remove_all(path_, ignored);
  }
  KeyDir(const KeyDir&) = delete;
  KeyDir& operator=(const KeyDir&) = delete;
  const std::string& path() const { return path_; }

 private:
  std::string path_;
};

// Writes `n` paid tickets of one seat each to `concert`, with their
// customers, seats and payments, in four INSERT ... SELECT statements.
Status write_paid_tickets(Bench& b, Context& ctx, const ticket::Concert& concert,
                          const std::string& prefix, int n) {
  TL_ASSIGN_OR_RETURN(ticket::Db * db, ctx.db());
  TL_ASSIGN_OR_RETURN(auto numbers, NumberTable::make(b, ctx, "gate", n));
  const std::string from = numbers->name() + " s";
  const std::string who = "tl-bench gate " + b.run_id + " " + prefix + " ";
  const std::string code = code_sql("s.n");
  const int per_row = concert.layout.seats_per_row;
  auto run = [&](const std::string& sql, const std::function<void(sql::PreparedStatement&)>& bind) {
    return run_bound(*db, sql, bind);
  };
  TL_TRY(write_customers(*db, *numbers, who));
  TL_TRY(
      run("INSERT INTO TICKETS (code, concert_id, customer_id, zone, status, amount, "
          "currency, created_at, updated_at, paid_at, holder_name, holder_age, holder_gender) "
          "SELECT " +
              code +
              ", k.id, cu.id, 'BUY', 'SUCCESS', k.price, k.currency, NOW(3), NOW(3), NOW(3), "
              "cu.name, 30, 'Unspecified' FROM " +
              from +
              " JOIN CUSTOMERS cu ON cu.id_hash = UNHEX(SHA2(CONCAT(?, s.n), 256)) "
              "JOIN CONCERTS k ON k.id = ?",
          [&](auto& s) {
            s.setString(1, prefix);
            s.setString(2, who);
            s.setUInt64(3, concert.id);
          }));
  TL_TRY(write_seats(*db, *numbers, prefix, per_row, "'SUCCESS'"));
  return run(
      "INSERT INTO TICKETS_APPLY_BUY (ticket_id, amount, currency, platform, reference, paid_at) "
      "SELECT t.id, t.amount, t.currency, 'DIRECT', CONCAT('BENCH-', t.code), NOW(3) FROM "
      "TICKETS t WHERE t.concert_id = ?",
      [&](auto& s) { s.setUInt64(1, concert.id); });
}

// Admits the passes of `tokens`, C threads taking them one by one; with
// `verify`, through ticket::check_in (what a gate runs), otherwise by the
// MySQL step alone (CALL tl_checkin and COMMIT: what the servers do). The
// seconds from the common start to the last admission.
Result<double> admit_all(Bench& b, const ticket::Config& config,
                         const std::vector<std::string>& tokens,
                         const std::vector<std::string>& codes, bool verify) {
  const int n = static_cast<int>(tokens.size());
  std::vector<std::unique_ptr<Context>> gates(static_cast<size_t>(b.options.buyers));
  std::atomic<int> next{0};
  auto prepare = [&](int t) -> Status {
    auto& gate = gates[static_cast<size_t>(t)];
    gate = std::make_unique<Context>(config);
    (void)gate->set_actor("tl-bench");
    TL_TRY(gate->db());
    return {};
  };
  auto work = [&](int t, Clock::time_point) -> Status {
    Context& gate = *gates[static_cast<size_t>(t)];
    const std::string name = "bench-" + std::to_string(t);
    TL_ASSIGN_OR_RETURN(ticket::Db * db, gate.db());
    for (int i = next++; i < n; i = next++) {
      std::string result;
      if (verify) {
        TL_ASSIGN_OR_RETURN(ticket::Checkin r,
                            ticket::check_in(gate, tokens[i], name, std::nullopt));
        result = ticket::checkin_result_name(r.result);
      } else {
        TL_TRY(db->transaction([&]() -> Status {
          auto& call = db->prepare("CALL tl_checkin(?, ?, ?, ?)");
          call.setString(1, codes[i]);
          call.setString(2, name);
          call.setString(3, gate.actor());
          call.setString(4, "gate " + name);
          db->call(call, [&](sql::ResultSet& rs) { result = rs.getString(1); });
          return {};
        }));
      }
      if (result != "admitted")
        return ticket::internal("the pass of " + codes[i] + " was not admitted: " + result);
    }
    return {};
  };
  return run_timed(b.options.buyers, 0, prepare, work);
}

}  // namespace

Status measure_checkins(Bench& b) {
  const int n = b.options.checkins;
  Context ctx(b.config);
  KeyDir dir;
  if (dir.path().empty()) return ticket::internal("cannot make a directory for the pass keys");
  TL_ASSIGN_OR_RETURN(ticket::SigningKey key, ticket::generate_key_pair("BENCH", dir.path()));
  ticket::Config config = b.config;
  config.passes.verify_keys_file = dir.path() + "/BENCH.pub";
  // Two concerts of N paid tickets: one admitted as gates do, one by the
  // MySQL step alone.
  double elapsed[2] = {0, 0};
  int64_t admitted[2] = {0, 0};
  for (int verify = 1; verify >= 0; --verify) {
    TL_ASSIGN_OR_RETURN(ticket::Concert concert,
                        make_concert(b, ctx, verify ? "checkins" : "checkins-sql", n, 300, 1));
    TL_ASSIGN_OR_RETURN(std::string prefix, unused_code_prefix(ctx));
    TL_TRY(write_paid_tickets(b, ctx, concert, prefix, n));
    const int per_row = concert.layout.seats_per_row;
    const int64_t issued = ticket::wall_clock_ms() / 1000;
    std::vector<std::string> tokens, codes;
    for (int i = 0; i < n; ++i) {
      ticket::PassContent p;
      p.key_id = key.id;
      p.code = "TB-" + prefix + number_code(i);
      p.concert_id = concert.id;
      p.zone = ticket::Zone::kBuy;
      p.seats = {{ticket::Zone::kBuy, i / per_row, i % per_row + 1}};
      p.issued_s = issued;
      TL_ASSIGN_OR_RETURN(std::string token, ticket::make_pass(key, p));
      tokens.push_back(std::move(token));
      codes.push_back(p.code);
    }
    TL_ASSIGN_OR_RETURN(elapsed[verify], admit_all(b, config, tokens, codes, verify == 1));
    TL_ASSIGN_OR_RETURN(admitted[verify],
                        scalar(ctx, "SELECT COUNT(*) FROM CHECKINS WHERE concert_id = " +
                                        std::to_string(concert.id)));
  }
  b.figures["checkins_per_s"] = static_cast<double>(n) / elapsed[1];
  b.figures["checkins_mysql_step_per_s"] = static_cast<double>(n) / elapsed[0];
  b.figures["checkins"] = n;
  b.figures["checkins_admitted"] = admitted[1];
  b.figures["checkins_mysql_step_admitted"] = admitted[0];
  return {};
}

}  // namespace tlbench
