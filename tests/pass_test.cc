// Passes made and verified with real Ed25519 keys (OpenSSL): what a gate
// accepts, and every way a forged, garbled or foreign pass is refused.
#include "ticket/passes.h"

#include <gtest/gtest.h>
#include <sys/stat.h>

#include <fstream>
#include <sstream>

#include "support/servers.h"

namespace ticket {
namespace {

using testing::read_file;
using testing::TempDir;

int mode_of(const std::string& path) {
  struct stat st {};
  EXPECT_EQ(::stat(path.c_str(), &st), 0) << path;
  return static_cast<int>(st.st_mode & 0777);
}

PassContent content(const std::string& code, std::vector<Seat> seats, Zone zone = Zone::kBuy) {
  PassContent c;
  c.code = code;
  c.concert_id = 42;
  c.zone = zone;
  c.seats = std::move(seats);
  c.issued_s = 1796000000;
  return c;
}

class Passes : public ::testing::Test {
 protected:
  Passes() {
    k1_ = *generate_key_pair("K1", dir_.path());
    k2_ = *generate_key_pair("K2", dir_.path());
    verify_ =
        dir_.write("verify.keys",
                   read_file(dir_.path() + "/K1.pub") + read_file(dir_.path() + "/K2.pub"), 0644);
    keys_ = *load_verify_keys(verify_);
  }
  std::string pass(const SigningKey& key, const PassContent& c) {
    auto t = make_pass(key, c);
    EXPECT_TRUE(t.ok()) << t.error().message();
    return t.ok() ? *t : std::string();
  }
  void expect_refused(const std::string& token, const std::string& why) {
    auto r = verify_pass(keys_, token);
    ASSERT_FALSE(r.ok()) << why << ": " << token;
    EXPECT_EQ(r.error().kind(), ErrorKind::kInvalid) << why;
    EXPECT_EQ(r.error().message().rfind("not a valid pass: ", 0), 0u) << r.error().message();
    EXPECT_EQ(r.error().message().find('\n'), std::string::npos) << why;
    EXPECT_LT(r.error().message().size(), 200u) << why;
  }

  TempDir dir_;
  SigningKey k1_, k2_;
  std::string verify_;
  VerifyKeys keys_;
};

TEST_F(Passes, GeneratedKeysAreWrittenOwnerOnlyWithAPublicLine) {
  EXPECT_EQ(mode_of(dir_.path() + "/K1.key"), 0600);
  EXPECT_EQ(mode_of(dir_.path() + "/K1.pub"), 0644);
  const std::string line = read_file(dir_.path() + "/K1.pub");
  EXPECT_EQ(line.rfind("K1 ", 0), 0u) << line;
  EXPECT_EQ(line.size(), 3u + 44u + 1u) << line;
  auto loaded = load_signing_key(dir_.path() + "/K1.key");
  ASSERT_TRUE(loaded.ok()) << loaded.error().message();
  EXPECT_EQ(loaded->id, "K1");
  EXPECT_EQ(loaded->seed, k1_.seed);
  EXPECT_EQ(keys_.size(), 2u);
  // Never over a key that exists.
  auto again = generate_key_pair("K1", dir_.path());
  ASSERT_FALSE(again.ok());
  EXPECT_EQ(again.error().kind(), ErrorKind::kInvalid);
  EXPECT_EQ(read_file(dir_.path() + "/K1.pub"), line);
  EXPECT_EQ(generate_key_pair("k1", dir_.path()).error().kind(), ErrorKind::kInvalid);
  EXPECT_EQ(generate_key_pair("TOOLONGID", dir_.path()).error().kind(), ErrorKind::kInvalid);
}

TEST_F(Passes, APassCarriesWhatTheGateShowsAndVerifiesWithThePublicKeyAlone) {
  const std::vector<Seat> seats = {{Zone::kBuy, 0, 12},
                                   {Zone::kBuy, 0, 13},
                                   {Zone::kBuy, 0, 14},
                                   {Zone::kBuy, 0, 16},
                                   {Zone::kBuy, 27, 3}};
  const std::string token = pass(k1_, content("TB-7K3MQ9XZ", seats));
  EXPECT_EQ(token.rfind("TL1:K1:TB-7K3MQ9XZ:42:B:A12/14.16+AB3:1796000000:", 0), 0u) << token;
  EXPECT_LE(token.size(), kMaxPassChars);
  for (char c : token)
    EXPECT_NE(std::string("0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ $%*+-./:").find(c),
              std::string::npos)
        << c;
  auto v = verify_pass(keys_, token);
  ASSERT_TRUE(v.ok()) << v.error().message();
  EXPECT_EQ(v->key_id, "K1");
  EXPECT_EQ(v->code, "TB-7K3MQ9XZ");
  EXPECT_EQ(v->concert_id, 42u);
  EXPECT_EQ(v->zone, Zone::kBuy);
  EXPECT_EQ(v->seats, seats);
  EXPECT_EQ(v->issued_s, 1796000000);

  const std::string free_pass =
      pass(k2_, content("TF-00000001", {{Zone::kFree, 0, 7}}, Zone::kFree));
  auto f = verify_pass(keys_, free_pass);
  ASSERT_TRUE(f.ok()) << f.error().message();
  EXPECT_EQ(f->zone, Zone::kFree);
  EXPECT_EQ(f->seats, (std::vector<Seat>{{Zone::kFree, 0, 7}}));
}

TEST_F(Passes, ForgedPassesAreRefused) {
  const std::string token = pass(k1_, content("TB-7K3MQ9XZ", {{Zone::kBuy, 0, 12}}));
  const std::string other = pass(k1_, content("TB-AAAAAAAA", {{Zone::kBuy, 1, 1}}));
  // One character changed, wherever it is.
  for (size_t i = 0; i < token.size(); ++i) {
    std::string t = token;
    t[i] = t[i] == 'A' ? 'B' : (t[i] == '2' ? '3' : 'A');
    if (t == token) continue;
    expect_refused(t, "character " + std::to_string(i) + " changed");
  }
  // A signature moved onto another ticket's payload.
  expect_refused(other.substr(0, other.rfind(':')) + token.substr(token.rfind(':')),
                 "a signature moved onto another payload");
  // A pass signed with a key that is not listed.
  TempDir elsewhere;
  const SigningKey k3 = *generate_key_pair("K3", elsewhere.path());
  expect_refused(pass(k3, content("TB-7K3MQ9XZ", {{Zone::kBuy, 0, 12}})), "an unlisted key");
  // A pass of K2 that claims to be of K1.
  std::string claimed = pass(k2_, content("TB-7K3MQ9XZ", {{Zone::kBuy, 0, 12}}));
  claimed.replace(4, 2, "K1");
  expect_refused(claimed, "another listed key's id");
}

TEST_F(Passes, KeyRotationVerifiesPassesOfListedKeysOnly) {
  const std::string old_pass = pass(k1_, content("TB-7K3MQ9XZ", {{Zone::kBuy, 0, 12}}));
  const std::string new_pass = pass(k2_, content("TB-7K3MQ9XY", {{Zone::kBuy, 0, 13}}));
  EXPECT_TRUE(verify_pass(keys_, old_pass).ok());
  EXPECT_TRUE(verify_pass(keys_, new_pass).ok());
  // K1 retired: only K2 is listed.
  const std::string only_k2 = dir_.write("k2-only.keys", read_file(dir_.path() + "/K2.pub"), 0644);
  keys_ = *load_verify_keys(only_k2);
  expect_refused(old_pass, "a pass of a key no longer listed");
  EXPECT_TRUE(verify_pass(keys_, new_pass).ok());
}

TEST_F(Passes, BadInputIsRefusedInOneLine) {
  const std::string token = pass(k1_, content("TB-7K3MQ9XZ", {{Zone::kBuy, 0, 12}}));
  expect_refused("", "empty");
  expect_refused(std::string(10 * 1024, 'A'), "10 KB");
  std::string lower = token;
  for (char& c : lower) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  expect_refused(lower, "lower case");
  expect_refused(token + "#", "a character outside the QR set");
  expect_refused("TB-7K3MQ9XZ\n", "a ticket code with a new line");
  for (size_t cut : {token.size() - 1, token.size() / 2, size_t{4}})
    expect_refused(token.substr(0, cut), "truncated to " + std::to_string(cut));
}

TEST_F(Passes, SeatsTooManyForAPassAreRefusedWhenMade) {
  std::vector<Seat> scattered;
  for (int r = 0; r < 50; ++r) scattered.push_back({Zone::kBuy, r * 2, 1 + r * 3});
  auto t = make_pass(k1_, content("TB-7K3MQ9XZ", scattered));
  ASSERT_FALSE(t.ok());
  EXPECT_EQ(t.error().kind(), ErrorKind::kInvalid);
  // Fifty adjacent seats fit.
  std::vector<Seat> row;
  for (int n = 1; n <= 50; ++n) row.push_back({Zone::kBuy, 3, n});
  EXPECT_TRUE(make_pass(k1_, content("TB-7K3MQ9XZ", row)).ok());
}

TEST_F(Passes, KeyFilesThatCannotServeAreConfigurationErrors) {
  EXPECT_EQ(load_signing_key(dir_.path() + "/NONE.key").error().kind(), ErrorKind::kConfig);
  ASSERT_EQ(::chmod((dir_.path() + "/K1.key").c_str(), 0644), 0);
  auto open = load_signing_key(dir_.path() + "/K1.key");
  ASSERT_FALSE(open.ok());
  EXPECT_EQ(open.error().kind(), ErrorKind::kConfig);
  EXPECT_NE(open.error().message().find("chmod 600"), std::string::npos) << open.error().message();
  const std::string renamed = dir_.write("signing.pem", read_file(dir_.path() + "/K2.key"));
  EXPECT_EQ(load_signing_key(renamed).error().kind(), ErrorKind::kConfig);
  const std::string junk = dir_.write("J1.key", "not a key\n");
  EXPECT_EQ(load_signing_key(junk).error().kind(), ErrorKind::kConfig);
  EXPECT_EQ(load_verify_keys(dir_.write("bad.keys", "K1 notbase64\n", 0644)).error().kind(),
            ErrorKind::kConfig);
  const std::string twice = dir_.write(
      "twice.keys", read_file(dir_.path() + "/K1.pub") + read_file(dir_.path() + "/K1.pub"), 0644);
  EXPECT_EQ(load_verify_keys(twice).error().kind(), ErrorKind::kConfig);
  EXPECT_EQ(load_verify_keys(dir_.path() + "/missing.keys").error().kind(), ErrorKind::kConfig);
}

}  // namespace
}  // namespace ticket
