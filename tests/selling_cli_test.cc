// tl-buy, tl-pay and tl-status run as a user would: one winner among
// concurrent buyers of a seat, bad input refused without a trace, and the
// shapes of the output.
#include <gtest/gtest.h>

#include <map>
#include <set>

#include <sys/stat.h>

#include <csignal>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>
#include <thread>

#include "redis.h"
#include "support/process.h"
#include "support/sale.h"
#include "support/servers.h"
#include "support/sql.h"
#include "ticket/passes.h"
#include "ticket/seat_map.h"

namespace ticket {
namespace {

using nlohmann::json;
using testing::Background;
using testing::exec_sql;
using testing::line_count;
using testing::make_concert;
using testing::read_file;
using testing::redis_do;
using testing::redis_subscribers;
using testing::redis_taken;
using testing::run;
using testing::run_tool;
using testing::scalar_sql;
using testing::TempDir;
using testing::TestEnv;
using testing::tool_path;
using testing::ToolRun;

class SellingCli : public ::testing::Test {
 protected:
  SellingCli() : ctx_(env_.context()), concert_(make_concert(*ctx_, {10, 20, 5, 300, 4})) {}

  ToolRun tool(const std::string& name, const std::vector<std::string>& args) {
    return run_tool(env_.config_file(), name, args);
  }
  // tl-buy's arguments for `seat` by the customer whose number is `id`.
  std::vector<std::string> buy_args(const std::string& seat, const std::string& id) const {
    return {"--concert", concert_.slug, "--seat",   seat,     "--name",      "Ann Lee",
            "--age",     "30",          "--gender", "female", "--id-number", id};
  }
  ToolRun buy(const std::string& seat, const std::string& id,
              const std::vector<std::string>& extra = {}) {
    std::vector<std::string> args = buy_args(seat, id);
    args.insert(args.end(), extra.begin(), extra.end());
    return tool("tl-buy", args);
  }
  // tl-buy with the failpoint TL_FAILPOINT=`failpoint`.
  ToolRun buy_failing(const std::string& seat, const std::string& id,
                      const std::string& failpoint) {
    return run_tool(env_.config_file(), "tl-buy", buy_args(seat, id),
                    {{"TL_FAILPOINT", failpoint}});
  }
  // Makes the pass key K1 in `dir` with tl-admin keys generate; the
  // environment that points the tools at it.
  std::map<std::string, std::string> pass_keys(const TempDir& dir) {
    const ToolRun made =
        tool("tl-admin", {"keys", "generate", "--key-id", "K1", "--out", dir.path()});
    EXPECT_EQ(made.exit_code, 0) << made.err;
    return {{"TL_PASSES_SIGNING_KEY_FILE", dir.path() + "/K1.key"},
            {"TL_PASSES_VERIFY_KEYS_FILE", dir.path() + "/K1.pub"}};
  }
  // Buys `seat` for customer `id` and pays it with tl-buy and tl-pay, then
  // asks tl-status (with `keys`) for its pass: the code and the pass.
  std::pair<std::string, std::string> paid_pass(const std::string& seat, const std::string& id,
                                                const std::map<std::string, std::string>& keys) {
    const std::string code = buy(seat, id, {"-q"}).out.substr(0, 11);
    EXPECT_EQ(tool("tl-pay", {code, "--platform", "DIRECT", "--reference", "P-" + code}).exit_code,
              0);
    const ToolRun p = run_tool(env_.config_file(), "tl-status", {code, "--pass", "-q"}, keys);
    EXPECT_EQ(p.exit_code, 0) << p.err;
    return {code, p.out.substr(0, p.out.find('\n'))};
  }
  int64_t rows(const std::string& table) {
    return scalar_sql(**ctx_->db(), "SELECT COUNT(*) FROM " + table);
  }

  static void expect_one_line_error(const ToolRun& r, const std::string& tool, int code,
                                    const std::string& what) {
    EXPECT_EQ(r.exit_code, code) << what << ": " << r.err << r.out;
    EXPECT_EQ(r.out, "") << what;
    EXPECT_EQ(line_count(r.err), 1) << what << ": " << r.err;
    EXPECT_EQ(r.err.rfind(tool + ": error: ", 0), 0u) << what << ": " << r.err;
    EXPECT_LT(r.err.size(), 400u) << what;
  }

  TestEnv env_;
  std::unique_ptr<Context> ctx_;
  Concert concert_;
};

// (b) 50 processes want seat C7 at once: one gets it, 49 exit 3.
TEST_F(SellingCli, FiftyConcurrentBuyersOfOneSeatOneWins) {
  constexpr int kBuyers = 50;
  std::vector<ToolRun> results(kBuyers);
  std::vector<std::thread> threads;
  for (int i = 0; i < kBuyers; ++i) {
    threads.emplace_back(
        [&, i] { results[static_cast<size_t>(i)] = buy("C7", "RACER" + std::to_string(i)); });
  }
  for (auto& t : threads) t.join();
  int wins = 0;
  for (const auto& r : results) {
    if (r.exit_code == 0) {
      ++wins;
    } else {
      expect_one_line_error(r, "tl-buy", 3, "loser");
      EXPECT_EQ(r.err, "tl-buy: error: seat C7 is already taken\n");
    }
  }
  EXPECT_EQ(wins, 1);
  EXPECT_EQ(rows("TICKETS"), 1);
  EXPECT_EQ(rows("TICKET_SEATS"), 1);
  EXPECT_EQ(redis_taken(*ctx_, concert_), std::set<int>{46});
}

// (e) Bad input of every kind: exit 2, one line, nothing written.
TEST_F(SellingCli, BadBuyInputExits2AndWritesNothing) {
  const std::string ten_kb(10 * 1024, 'n');
  const std::string twenty_digits = "12345678901234567890";
  struct Case {
    std::string what;
    std::vector<std::string> args;
  };
  auto with = [&](const std::string& flag, const std::string& value) {
    std::vector<std::string> args = {"--concert", concert_.slug, "--seat",      "A1",
                                     "--name",    "Ann",         "--age",       "30",
                                     "--gender",  "Male",        "--id-number", "ID123456"};
    for (size_t i = 0; i < args.size(); i += 2) {
      if (args[i] == flag) args[i + 1] = value;
    }
    return args;
  };
  const std::vector<Case> cases = {
      {"unknown row", with("--seat", "Q1")},
      {"seat past the row", with("--seat", "B99")},
      {"seat zero", with("--seat", "A0")},
      {"negative seat", with("--seat", "-1")},
      {"word seat", with("--seat", "abc")},
      {"20-digit seat", with("--seat", "A" + twenty_digits)},
      {"empty seat", with("--seat", "")},
      {"SQL seat", with("--seat", "A1' OR '1'='1")},
      {"free seat", with("--seat", "FREE-1")},
      {"empty name", with("--name", "")},
      {"10 KB name", with("--name", ten_kb)},
      {"control characters", with("--name", "Ann\x01\x1b[2J")},
      {"newline in name", with("--name", "Ann\nLee")},
      {"negative age", with("--age", "-1")},
      {"word age", with("--age", "abc")},
      {"20-digit age", with("--age", twenty_digits)},
      {"old age", with("--age", "151")},
      {"gender", with("--gender", "robot")},
      {"short id", with("--id-number", "123")},
      {"SQL id", with("--id-number", "1'; DROP TABLE TICKETS; --")},
      {"20-digit concert", with("--concert", twenty_digits)},
      {"empty concert", with("--concert", "")},
      {"SQL concert", with("--concert", "x' OR 1=1 --")},
      {"word best",
       {"--concert", concert_.slug, "--best", "abc", "--name", "A", "--age", "1", "--gender",
        "male", "--id-number", "ID123456"}},
      {"seat and best",
       {"--concert", concert_.slug, "--seat", "A1", "--best", "2", "--name", "A", "--age", "1",
        "--gender", "male", "--id-number", "ID123456"}},
      {"no seat",
       {"--concert", concert_.slug, "--name", "A", "--age", "1", "--gender", "male", "--id-number",
        "ID123456"}},
      {"same seat twice",
       {"--concert", concert_.slug, "--seat", "A1", "--seat", "a01", "--name", "A", "--age", "1",
        "--gender", "male", "--id-number", "ID123456"}},
      {"unknown flag", {"--concert", concert_.slug, "--seat", "A1", "--colour", "red"}},
      {"missing name",
       {"--concert", concert_.slug, "--seat", "A1", "--age", "1", "--gender", "male", "--id-number",
        "ID123456"}},
  };
  const int64_t audit_before = rows("AUDIT_LOG");
  for (const auto& c : cases) expect_one_line_error(tool("tl-buy", c.args), "tl-buy", 2, c.what);
  EXPECT_EQ(rows("TICKETS"), 0);
  EXPECT_EQ(rows("CUSTOMERS"), 0);
  EXPECT_EQ(rows("AUDIT_LOG"), audit_before);
  EXPECT_TRUE(redis_taken(*ctx_, concert_).empty());
}

TEST_F(SellingCli, BadPayAndStatusInputExits2) {
  const std::string code = buy("A1", "ID000001", {"-q"}).out.substr(0, 11);
  ASSERT_EQ(code.size(), 11u);
  const std::vector<std::vector<std::string>> pays = {
      {"abc", "--platform", "DIRECT", "--reference", "R1"},
      {"", "--platform", "DIRECT", "--reference", "R1"},
      {"12345678901234567890", "--platform", "DIRECT", "--reference", "R1"},
      {"TB-1' OR 1=1", "--platform", "DIRECT", "--reference", "R1"},
      {code, "--platform", "BITCOIN", "--reference", "R1"},
      {code, "--platform", "DIRECT", "--reference", ""},
      {code, "--platform", "DIRECT", "--reference", "has space"},
      {code, "--platform", "DIRECT", "--reference", std::string(10 * 1024, 'r')},
      {code, "--platform", "DIRECT", "--reference", "R\x01"},
      {code, "--platform", "DIRECT"},
  };
  for (const auto& args : pays)
    expect_one_line_error(tool("tl-pay", args), "tl-pay", 2, "tl-pay " + args[0]);
  expect_one_line_error(tool("tl-status", {"abc"}), "tl-status", 2, "status abc");
  expect_one_line_error(tool("tl-status", {code, "--concert", "1"}), "tl-status", 2,
                        "code and concert");
  expect_one_line_error(tool("tl-status", {code, "--map"}), "tl-status", 2, "map with a code");
  expect_one_line_error(tool("tl-status", {}), "tl-status", 2, "nothing");
  expect_one_line_error(tool("tl-status", {"TB-ZZZZZZZZ"}), "tl-status", 4, "unknown code");
  EXPECT_EQ(scalar_sql(**ctx_->db(), "SELECT COUNT(*) FROM TICKETS WHERE status = 'PROCESS'"), 1);
  EXPECT_EQ(
      scalar_sql(**ctx_->db(), "SELECT COUNT(*) FROM TICKETS_APPLY_BUY WHERE paid_at IS NULL"), 1);
}

// A ticket code comes from the cryptographic generator or not at all: when
// it gives no bytes, the buy fails before it holds or writes anything.
TEST_F(SellingCli, BuyFailsAndWritesNothingWhenTheRandomGeneratorFails) {
  const int64_t audit_before = rows("AUDIT_LOG");
  const ToolRun r = buy_failing("A1", "ID000001", "random-bytes");
  expect_one_line_error(r, "tl-buy", 1, "no random bytes");
  EXPECT_EQ(r.err,
            "tl-buy: error: cannot make a ticket code: the system's random generator gave no "
            "bytes\n");
  EXPECT_EQ(rows("TICKETS"), 0);
  EXPECT_EQ(rows("CUSTOMERS"), 0);
  EXPECT_EQ(rows("AUDIT_LOG"), audit_before);
  EXPECT_TRUE(redis_taken(*ctx_, concert_).empty());
  EXPECT_EQ(buy("A1", "ID000001").exit_code, 0) << "the same buy with the generator working";
}

// A paid ticket's pass, from tl-status --pass with keys made by tl-admin
// keys generate, verifies with the public key alone; other tickets have none.
TEST_F(SellingCli, APaidTicketHasAPassThatVerifiesAndOthersHaveNone) {
  TempDir keys;
  const ToolRun made =
      tool("tl-admin", {"keys", "generate", "--key-id", "K1", "--out", keys.path()});
  ASSERT_EQ(made.exit_code, 0) << made.err;
  EXPECT_NE(made.out.find("K1.pub"), std::string::npos) << made.out;
  const std::map<std::string, std::string> env = {
      {"TL_PASSES_SIGNING_KEY_FILE", keys.path() + "/K1.key"},
      {"TL_PASSES_VERIFY_KEYS_FILE", keys.path() + "/K1.pub"}};
  auto status = [&](const std::vector<std::string>& args) {
    return run_tool(env_.config_file(), "tl-status", args, env);
  };

  const std::string code = buy("A1", "ID000001", {"-q"}).out.substr(0, 11);
  expect_one_line_error(status({code, "--pass"}), "tl-status", 5, "an unpaid ticket");
  EXPECT_NE(status({code, "--pass"}).err.find("not paid yet"), std::string::npos);
  ASSERT_EQ(tool("tl-pay", {code, "--platform", "DIRECT", "--reference", "PASS-1"}).exit_code, 0);
  const ToolRun p = status({code, "--pass", "-q"});
  ASSERT_EQ(p.exit_code, 0) << p.err;
  const std::string token = p.out.substr(0, p.out.find('\n'));
  auto verify = load_verify_keys(keys.path() + "/K1.pub");
  ASSERT_TRUE(verify.ok()) << verify.error().message();
  auto content = verify_pass(*verify, token);
  ASSERT_TRUE(content.ok()) << content.error().message() << ": " << token;
  EXPECT_EQ(content->code, code);
  EXPECT_EQ(content->concert_id, concert_.id);
  EXPECT_EQ(content->seats, (std::vector<Seat>{{Zone::kBuy, 0, 1}}));

  // The QR code a phone or a gate scanner reads: zbarimg gives back exactly
  // the pass printed with it.
  const std::string png = keys.path() + "/pass.png";
  const ToolRun drawn = status({code, "--pass", "--qr-png", png, "--qr"});
  ASSERT_EQ(drawn.exit_code, 0) << drawn.err;
  const std::string printed = drawn.out.substr(0, drawn.out.find('\n'));
  ASSERT_TRUE(verify_pass(*verify, printed).ok()) << printed;
  const ToolRun scanned = run({"/usr/bin/zbarimg", "--raw", "-q", png});
  EXPECT_EQ(scanned.out, printed + "\n") << scanned.exit_code << " " << scanned.err;
  EXPECT_NE(drawn.out.find("\u2584"), std::string::npos) << "half blocks on the terminal";
  expect_one_line_error(status({code, "--qr-png", "/nonexistent/dir/pass.png"}), "tl-status", 2,
                        "an unwritable --qr-png");

  const ToolRun listed = run_tool(env_.config_file(), "tl-admin", {"keys", "list"}, env);
  ASSERT_EQ(listed.exit_code, 0) << listed.err;
  EXPECT_NE(listed.out.find("K1        yes"), std::string::npos) << listed.out;
  expect_one_line_error(status({"--concert", concert_.slug, "--pass"}), "tl-status", 2,
                        "--pass with --concert");
  expect_one_line_error(tool("tl-status", {code, "--pass"}), "tl-status", 8, "no signing key");
  expect_one_line_error(
      tool("tl-admin", {"keys", "generate", "--key-id", "K1", "--out", keys.path()}), "tl-admin", 2,
      "a key that exists");
}

// tl-admin checkin at a gate: once admitted, then "already"; forged passes,
// passes of another concert and cancelled tickets refused.
TEST_F(SellingCli, CheckinAdmitsAPaidTicketOnceAndRefusesTheRest) {
  TempDir keys;
  const std::map<std::string, std::string> env = pass_keys(keys);
  auto run = [&](const std::string& name, const std::vector<std::string>& args) {
    return run_tool(env_.config_file(), name, args, env);
  };
  const auto [code, pass] = paid_pass("A1", "ID000001", env);

  const ToolRun first = run("tl-admin", {"checkin", pass, "--gate", "North"});
  ASSERT_EQ(first.exit_code, 0) << first.err;
  EXPECT_NE(first.out.find("ADMITTED " + code), std::string::npos) << first.out;
  const ToolRun second = run("tl-admin", {"checkin", pass, "--gate", "South"});
  expect_one_line_error(second, "tl-admin", 3, "a second scan");
  EXPECT_NE(second.err.find("already admitted at"), std::string::npos) << second.err;
  EXPECT_NE(second.err.find("through gate North"), std::string::npos) << second.err;
  const ToolRun as_json = run("tl-admin", {"checkin", pass, "--json"});
  EXPECT_EQ(as_json.exit_code, 3);
  const auto j = nlohmann::json::parse(as_json.out, nullptr, false);
  ASSERT_TRUE(j.is_object()) << as_json.out;
  EXPECT_EQ(j["checkin"]["result"], "already");
  EXPECT_EQ(j["checkin"]["gate"], "North");
  EXPECT_EQ(j["checkin"]["ticket"], code);

  std::string forged = pass;
  forged[forged.size() / 2] = forged[forged.size() / 2] == 'A' ? 'B' : 'A';
  expect_one_line_error(run("tl-admin", {"checkin", forged}), "tl-admin", 2, "a forged pass");
  expect_one_line_error(run("tl-admin", {"checkin", "tl1:junk"}), "tl-admin", 2, "lower case");

  const Concert other = make_concert(*ctx_, {2, 5, 0, 300, 1});
  const auto [code2, pass2] = paid_pass("A2", "ID000002", env);
  expect_one_line_error(run("tl-admin", {"checkin", pass2, "--concert", other.slug}), "tl-admin", 3,
                        "a pass of another concert");
  ASSERT_EQ(tool("tl-admin", {"cancel", code2, "--reason", "refunded"}).exit_code, 0);
  expect_one_line_error(run("tl-admin", {"checkin", pass2}), "tl-admin", 5, "a cancelled ticket");
  EXPECT_EQ(rows("CHECKINS"), 1);
  const ToolRun stats = tool("tl-admin", {"stats", "--concert", concert_.slug, "--json"});
  ASSERT_EQ(stats.exit_code, 0) << stats.err;
  EXPECT_EQ(nlohmann::json::parse(stats.out, nullptr, false)["checked_in"], 1) << stats.out;
}

// Garbage at the gate, online and offline: exit 2 in one line and nothing
// written, neither a CHECKINS nor an audit row nor a journal; key files that
// cannot serve are exit 8.
TEST_F(SellingCli, BadPassesAtTheGateAreRefusedInOneLineAndWriteNothing) {
  TempDir keys;
  std::map<std::string, std::string> env = pass_keys(keys);
  auto run = [&](const std::string& name, const std::vector<std::string>& args) {
    return run_tool(env_.config_file(), name, args, env);
  };
  const auto [code, pass] = paid_pass("A1", "ID000001", env);
  std::string lower = pass;
  for (char& c : lower) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  const std::string journal = keys.path() + "/gate.journal";
  const std::vector<std::pair<std::string, std::string>> bad = {
      {"", "an empty pass"},
      {std::string(10 * 1024, 'A'), "a 10 KB pass"},
      {lower, "a lower-case pass"},
      {pass.substr(0, 20) + "#" + pass.substr(21), "a character outside the QR set"},
      {pass.substr(0, pass.size() - 1), "a truncated pass"},
      {pass.substr(0, pass.size() / 2), "half a pass"}};
  for (const auto& [token, what] : bad) {
    expect_one_line_error(run("tl-admin", {"checkin", token, "--gate", "North"}), "tl-admin", 2,
                          what + " online");
    expect_one_line_error(run("tl-admin", {"checkin", "--offline", "--journal", journal, token}),
                          "tl-admin", 2, what + " offline");
  }
  EXPECT_EQ(rows("CHECKINS"), 0);
  EXPECT_EQ(scalar_sql(**ctx_->db(), "SELECT COUNT(*) FROM AUDIT_LOG WHERE action LIKE 'check%'"),
            0);
  EXPECT_FALSE(std::ifstream(journal).good()) << "no journal for a refused pass";

  env["TL_PASSES_VERIFY_KEYS_FILE"] = keys.path() + "/missing.pub";
  expect_one_line_error(run("tl-admin", {"checkin", pass}), "tl-admin", 8, "no verify keys");
  expect_one_line_error(run("tl-admin", {"checkin", "--offline", "--journal", journal, pass}),
                        "tl-admin", 8, "no verify keys offline");
  ASSERT_EQ(::chmod((keys.path() + "/K1.key").c_str(), 0644), 0);
  expect_one_line_error(run("tl-status", {code, "--pass"}), "tl-status", 8,
                        "a world-readable signing key");
  env["TL_PASSES_SIGNING_KEY_FILE"] = keys.path() + "/missing.key";
  expect_one_line_error(run("tl-status", {code, "--pass"}), "tl-status", 8,
                        "a missing signing key");
  EXPECT_EQ(rows("CHECKINS"), 0);
  EXPECT_FALSE(std::ifstream(journal).good());
}

// The flags of the offline gate and the files it reads: a usage mistake, a
// damaged revocation list or journal is exit 2 in one line, and nothing is
// admitted.
TEST_F(SellingCli, OfflineGateInputIsCheckedBeforeAnythingIsWritten) {
  TempDir dir;
  const std::map<std::string, std::string> env = pass_keys(dir);
  auto run = [&](const std::vector<std::string>& args) {
    return run_tool(env_.config_file(), "tl-admin", args, env);
  };
  const auto [code, pass] = paid_pass("A1", "ID000001", env);
  const std::string list = dir.path() + "/revoked.list", journal = dir.path() + "/gate.journal";

  expect_one_line_error(run({"checkin", "--offline", pass}), "tl-admin", 2, "no --journal");
  expect_one_line_error(run({"checkin", "--offline", "--journal", journal}), "tl-admin", 2,
                        "no pass");
  expect_one_line_error(run({"checkin", "--journal", journal, pass}), "tl-admin", 2,
                        "--journal without --offline");
  expect_one_line_error(run({"checkin", "--revoked", "--concert", concert_.slug}), "tl-admin", 2,
                        "--revoked without --out");
  expect_one_line_error(run({"checkin", "--sync", journal, pass}), "tl-admin", 2,
                        "--sync with a pass");
  expect_one_line_error(run({"checkin", "--revoked", "--concert", "no-such", "--out", list}),
                        "tl-admin", 4, "an unknown concert");
  expect_one_line_error(
      run({"checkin", "--revoked", "--concert", concert_.slug, "--out", "/nonexistent/x.list"}),
      "tl-admin", 2, "an unwritable list");

  const ToolRun made = run({"checkin", "--revoked", "--concert", concert_.slug, "--out", list});
  ASSERT_EQ(made.exit_code, 0) << made.err;
  EXPECT_EQ(read_file(list).substr(0, 32), "# TicketLemon revocation list 1\n");
  const std::string full = read_file(list);
  const std::string cut = dir.write("cut.list", full.substr(0, full.rfind("# end")));
  expect_one_line_error(run({"checkin", "--offline", "--journal", journal, "--revoked", cut, pass}),
                        "tl-admin", 2, "a revocation list without its end");
  expect_one_line_error(
      run({"checkin", "--offline", "--journal", journal, "--revoked", journal, pass}), "tl-admin",
      2, "a missing list");
  expect_one_line_error(
      run({"checkin", "--offline", "--journal", journal, "--concert", concert_.slug, pass}),
      "tl-admin", 2, "a slug offline without a list naming it");
  const Concert other = make_concert(*ctx_, {2, 5, 0, 300, 1});
  const std::string other_list = dir.path() + "/other.list";
  ASSERT_EQ(run({"checkin", "--revoked", "--concert", other.slug, "--out", other_list}).exit_code,
            0);
  expect_one_line_error(
      run({"checkin", "--offline", "--journal", journal, "--revoked", other_list, pass}),
      "tl-admin", 3, "a pass of another concert than the list's");
  EXPECT_FALSE(std::ifstream(journal).good()) << "nothing admitted yet";

  const std::string damaged =
      dir.write("damaged.journal", "# TicketLemon gate journal 1\nnot an admission\n");
  expect_one_line_error(run({"checkin", "--offline", "--journal", damaged, pass}), "tl-admin", 2,
                        "a damaged journal");
  expect_one_line_error(run({"checkin", "--sync", damaged}), "tl-admin", 2,
                        "syncing a damaged journal");
  expect_one_line_error(run({"checkin", "--sync", list}), "tl-admin", 2,
                        "syncing a revocation list");
  const ToolRun admitted = run({"checkin", "--offline", "--journal", journal, "--revoked", list,
                                "--concert", concert_.slug, pass});
  ASSERT_EQ(admitted.exit_code, 0) << admitted.err;
  std::string forged = read_file(journal);
  forged[forged.size() - 10] = forged[forged.size() - 10] == 'A' ? 'B' : 'A';
  const std::string tampered = dir.write("tampered.journal", forged);
  const ToolRun refused = run({"checkin", "--sync", tampered});
  expect_one_line_error(refused, "tl-admin", 2, "a journal with a forged pass");
  EXPECT_NE(refused.err.find("line 2"), std::string::npos) << refused.err;
  EXPECT_EQ(rows("CHECKINS"), 0);
}

// A COMMIT lost with the connection: the buy asks MySQL whether its ticket
// was written and answers by that, keeping or giving back the hold.
TEST_F(SellingCli, ABuyWhoseCommitWasLostAnswersByWhatMySQLHolds) {
  const ToolRun unsent = buy_failing("A1", "ID000001", "buy-commit-unsent");
  expect_one_line_error(unsent, "tl-buy", 7, "a COMMIT that never reached the server");
  EXPECT_NE(unsent.err.find("lost the connection to MySQL"), std::string::npos) << unsent.err;
  EXPECT_EQ(rows("TICKETS"), 0);
  EXPECT_TRUE(redis_taken(*ctx_, concert_).empty()) << "the hold was given back";

  const ToolRun unanswered = buy_failing("A2", "ID000001", "buy-commit-unanswered");
  ASSERT_EQ(unanswered.exit_code, 0) << unanswered.err;
  EXPECT_EQ(rows("TICKETS"), 1);
  EXPECT_EQ(scalar_sql(*ctx_, "SELECT COUNT(*) FROM TICKETS WHERE status = 'PROCESS'"), 1);
  EXPECT_EQ(redis_taken(*ctx_, concert_), (std::set<int>{1})) << "the hold of the sold seat kept";
}

// An amount in MySQL that does not read as one is an internal error that
// names the ticket, in every command that reads it, never a price of 0.00.
TEST_F(SellingCli, AMalformedAmountInMySQLIsAnInternalError) {
  const std::string code = buy("A1", "ID000001", {"-q"}).out.substr(0, 11);
  ASSERT_EQ(code.size(), 11u);
  ASSERT_EQ(exec_sql(**ctx_->db(), "UPDATE TICKETS SET amount = -1.00 WHERE code = '" + code + "'"),
            0);
  const std::string error =
      "ticket " + code + ": MySQL holds '-1.00' in column amount, which is not an amount\n";
  const ToolRun s = tool("tl-status", {code});
  expect_one_line_error(s, "tl-status", 1, "tl-status");
  EXPECT_EQ(s.err, "tl-status: error: " + error);
  const ToolRun listed = tool("tl-admin", {"tickets", "--concert", concert_.slug});
  expect_one_line_error(listed, "tl-admin", 1, "tl-admin tickets");
  EXPECT_EQ(listed.err, "tl-admin: error: " + error);
  const ToolRun paid = tool("tl-pay", {code, "--platform", "DIRECT", "--reference", "D-1"});
  expect_one_line_error(paid, "tl-pay", 1, "tl-pay");
  EXPECT_EQ(paid.err, "tl-pay: error: " + error);
  EXPECT_EQ(scalar_sql(**ctx_->db(), "SELECT COUNT(*) FROM TICKETS WHERE status = 'PROCESS'"), 1);
}

TEST_F(SellingCli, BuyPayAndStatusSpeakJson) {
  auto b = buy("B3", "XY99887766", {"--seat", "B4", "--json"});
  ASSERT_EQ(b.exit_code, 0) << b.err;
  const json t = json::parse(b.out)["ticket"];
  for (const char* field : {"code", "concert_id", "zone", "status", "reason", "seats", "amount",
                            "currency", "hold_expires_at"})
    EXPECT_TRUE(t.contains(field)) << field;
  EXPECT_EQ(t["seats"], json::array({"B3", "B4"}));
  EXPECT_EQ(t["amount"], "20.00");
  EXPECT_EQ(t["status"], "PROCESS");
  const std::string code = t["code"];

  auto p = tool("tl-pay", {code, "--platform", "payplat", "--reference", "PP-1", "--json"});
  ASSERT_EQ(p.exit_code, 0) << p.err;
  EXPECT_EQ(json::parse(p.out)["ticket"]["status"], "SUCCESS");
  auto again = tool("tl-pay", {code, "--platform", "PAYPLAT", "--reference", "PP-1"});
  EXPECT_EQ(again.exit_code, 0) << again.err;
  auto other = tool("tl-pay", {code, "--platform", "PAYPLAT", "--reference", "PP-2", "--json"});
  EXPECT_EQ(other.exit_code, 3);
  EXPECT_EQ(json::parse(other.out)["error"]["code"], 3);

  auto s = tool("tl-status", {code});
  ASSERT_EQ(s.exit_code, 0) << s.err;
  EXPECT_NE(s.out.find("Ann Lee, id ****7766"), std::string::npos) << s.out;
  EXPECT_EQ(s.out.find("XY99887766"), std::string::npos) << "the security number is masked";

  ASSERT_EQ(buy("C1", "ID000002").exit_code, 0);
  auto c = tool("tl-status", {"--concert", concert_.slug, "--json"});
  ASSERT_EQ(c.exit_code, 0) << c.err;
  const json j = json::parse(c.out);
  EXPECT_EQ(j["concert"]["id"], concert_.id);
  EXPECT_EQ(j["buy"], (json{{"total", 200}, {"free", 197}, {"held", 1}, {"sold", 2}}));
  EXPECT_EQ(j["free_zone"], (json{{"total", 5}, {"granted", 0}, {"pending", 0}}));
}

TEST_F(SellingCli, MapShowsFreeHeldAndSoldWithoutColour) {
  const std::string code = buy("A2", "ID000003", {"-q"}).out.substr(0, 11);
  ASSERT_EQ(tool("tl-pay", {code, "--platform", "DIRECT", "--reference", "D-1"}).exit_code, 0);
  ASSERT_EQ(buy("B1", "ID000004").exit_code, 0);
  auto m = tool("tl-status", {"--concert", concert_.slug, "--map"});
  ASSERT_EQ(m.exit_code, 0) << m.err;
  EXPECT_NE(m.out.find("\nA  .X..................\n"), std::string::npos) << m.out;
  EXPECT_NE(m.out.find("\nB  o...................\n"), std::string::npos) << m.out;
  EXPECT_NE(m.out.find("\nJ  ....................\n"), std::string::npos) << m.out;
  EXPECT_EQ(m.out.find('\033'), std::string::npos) << "no colour when stdout is not a terminal";
}

TEST_F(SellingCli, WatchPrintsEachChange) {
  ToolRun watched;
  std::thread watcher([&] {
    watched = run({"/usr/bin/timeout", "-s", "INT", "4", tool_path("tl-status"), "--concert",
                   concert_.slug, "--watch"},
                  {{"TL_CONFIG", env_.config_file()}});
  });
  std::this_thread::sleep_for(std::chrono::milliseconds(1500));
  const std::string code = buy("D5", "ID000005", {"-q"}).out.substr(0, 11);
  ASSERT_EQ(tool("tl-pay", {code, "--platform", "DIRECT", "--reference", "W-1"}).exit_code, 0);
  watcher.join();
  EXPECT_NE(watched.out.find("Watching concert " + std::to_string(concert_.id)), std::string::npos)
      << watched.out;
  EXPECT_NE(watched.out.find("held"), std::string::npos) << watched.out;
  EXPECT_NE(watched.out.find(code + " D5"), std::string::npos) << watched.out;
  EXPECT_NE(watched.out.find("sold"), std::string::npos) << watched.out;
}

// Whoever can publish on the channel can send anything: each malformed event
// is skipped with one warning line, and the watch goes on to the next one.
TEST_F(SellingCli, WatchSkipsMalformedEventsWithAWarningAndGoesOn) {
  TempDir dir;
  auto watch = [&](const std::string& name, const std::string& extra) {
    // stdout and stderr into files of their own.
    return std::make_unique<Background>(
        std::vector<std::string>{
            "/bin/sh", "-c", "exec \"$0\" --concert \"$1\" --watch $2 2>\"$3\"",
            tool_path("tl-status"), concert_.slug, extra, dir.path() + "/" + name + ".err"},
        std::map<std::string, std::string>{{"TL_CONFIG", env_.config_file()}},
        dir.path() + "/" + name + ".out");
  };
  auto text = watch("text", "");
  auto js = watch("json", "--json");
  const std::string channel = seat_map_keys(*ctx_, concert_.id).events;
  const std::vector<std::string> malformed = {
      "not json",
      "[1,2]",
      R"({"event":42})",
      R"({"event":"exploded","ticket":"TB-7K3MQ9XZ","zone":"BUY","seats":[1]})",
      R"({"event":"held","ticket":"TB-7K3MQ9XZ","zone":"BUY","seats":["A1"]})",
      R"({"event":"held","ticket":"TB-7K3MQ9XZ","zone":"BUY","seats":[200]})",
      R"({"event":"held","ticket":"TB-7K3MQ9XZ","zone":"BUY","seats":[-1]})",
      R"({"event":"sold","ticket":"\u001b[2J","zone":"BUY","seats":[1]})",
      R"({"event":"sold","ticket":"TB-7K3MQ9XZ","zone":"VIP","seats":[1]})",
      R"({"event":"sold","ticket":"TB-7K3MQ9XZ","zone":"BUY","seats":[1],"gen":"x"})",
      "{\"event\":\"\x1b[2J\"}",
  };
  for (int i = 0; i < 200 && redis_subscribers(*ctx_, channel) < 2; ++i)
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  ASSERT_EQ(redis_subscribers(*ctx_, channel), 2);
  for (const std::string& m : malformed) redis_do(*ctx_, {"PUBLISH", channel, m});
  redis_do(*ctx_, {"PUBLISH", channel, R"({"event":"rebuilt","gen":7})"});
  const std::string code = buy("E4", "ID000006", {"-q"}).out.substr(0, 11);
  for (int i = 0; i < 200 && (read_file(dir.path() + "/text.out").find(code) == std::string::npos ||
                              read_file(dir.path() + "/json.out").find(code) == std::string::npos);
       ++i)
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  const std::string out = read_file(dir.path() + "/text.out"),
                    err = read_file(dir.path() + "/text.err");
  const std::string json_out = read_file(dir.path() + "/json.out"),
                    json_err = read_file(dir.path() + "/json.err");
  for (Background* b : {text.get(), js.get()}) {
    EXPECT_EQ(b->wait_for(0), std::nullopt) << "still watching";
    b->signal(SIGINT);
    b->wait();
  }

  for (const std::string* e : {&err, &json_err}) {
    EXPECT_EQ(line_count(*e), static_cast<int>(malformed.size())) << *e;
    EXPECT_EQ(e->find('\x1b'), std::string::npos) << *e;
  }
  EXPECT_NE(err.find("tl-status: warning: skipped a malformed event (not JSON): 'not json'\n"),
            std::string::npos)
      << err;
  EXPECT_NE(
      err.find("tl-status: warning: skipped a malformed event (\"event\" is missing or not text): "
               "'{\"event\":42}'\n"),
      std::string::npos)
      << err;
  EXPECT_NE(err.find("(seat 200 is outside the 200 seats of zone BUY)"), std::string::npos) << err;
  EXPECT_NE(err.find("(unknown event 'exploded')"), std::string::npos) << err;
  EXPECT_NE(out.find("seat map rebuilt from MySQL"), std::string::npos) << out;
  EXPECT_NE(out.find(code + " E4"), std::string::npos) << out;
  EXPECT_EQ(out.find('\x1b'), std::string::npos) << out;

  std::vector<json> events;
  std::istringstream lines(json_out);
  for (std::string line; std::getline(lines, line);) events.push_back(json::parse(line));
  ASSERT_EQ(events.size(), 3u) << json_out;
  EXPECT_TRUE(events[0].contains("watching"));
  EXPECT_EQ(events[1], (json{{"event", "rebuilt"}, {"gen", 7}}));
  EXPECT_EQ(events[2]["event"], "held");
  EXPECT_EQ(events[2]["ticket"], code);
}

}  // namespace
}  // namespace ticket
