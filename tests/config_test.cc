#include "ticket/config.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <cctype>
#include <functional>
#include <random>
#include <utility>
#include <vector>

#include "support/servers.h"
#include "ticket/context.h"

namespace ticket {
namespace {

using testing::TempDir;

// Runs load_config from inside `dir` so that ./ticketlemon.toml is looked up there.
Result<Config> load_in(const std::string& dir, ConfigRequest req) {
  char old[4096];
  if (getcwd(old, sizeof old) == nullptr) std::abort();
  if (chdir(dir.c_str()) != 0) std::abort();
  auto r = load_config(req);
  if (chdir(old) != 0) std::abort();
  return r;
}

ConfigRequest with_home(const TempDir& t) {
  ConfigRequest req;
  req.env["HOME"] = t.path();
  return req;
}

std::string error_of(const Result<Config>& r) {
  EXPECT_FALSE(r.ok());
  if (r.ok()) return "";
  EXPECT_EQ(r.error().kind(), ErrorKind::kConfig);
  return r.error().message();
}

TEST(Config, BuiltInDefaultsWhenNoFileIsFound) {
  TempDir t;
  auto c = load_in(t.path(), with_home(t));
  ASSERT_TRUE(c.ok()) << c.error().message();
  EXPECT_EQ(c->source, "");
  EXPECT_EQ(c->mysql.host, "127.0.0.1");
  EXPECT_EQ(c->mysql.port, 3306);
  EXPECT_EQ(c->mysql.user, "ticketlemon");
  EXPECT_EQ(c->redis.port, 6379);
  EXPECT_EQ(c->redis.key_prefix, "tl");
  EXPECT_EQ(c->daemon.listen, "127.0.0.1:9464");
  EXPECT_EQ(c->daemon.reconcile_interval_s, 60);
  EXPECT_EQ(c->log.level, "info");
}

TEST(Config, ReadsEverySection) {
  TempDir t;
  const auto path = t.write("c.toml", R"([mysql]
host = "db.internal"
port = 3307
user = "tl_app"
password_file = "/run/secrets/mysql"
database = "tickets"

[redis]
host = "cache.internal"
port = 6380
db = 2
key_prefix = "shop1"

[security]
secret_file = "/run/secrets/tl"

[daemon]
listen = "0.0.0.0:9500"
reconcile_interval_s = 30
api_token_file = "/run/secrets/api"
max_connections = 500

[log]
level = "debug"
)");
  ConfigRequest req = with_home(t);
  req.path = path;
  auto c = load_in(t.path(), req);
  ASSERT_TRUE(c.ok()) << c.error().message();
  EXPECT_EQ(c->source, path);
  EXPECT_EQ(c->mysql.host, "db.internal");
  EXPECT_EQ(c->mysql.port, 3307);
  EXPECT_EQ(c->mysql.user, "tl_app");
  EXPECT_EQ(c->mysql.password_file, "/run/secrets/mysql");
  EXPECT_EQ(c->mysql.database, "tickets");
  EXPECT_EQ(c->redis.host, "cache.internal");
  EXPECT_EQ(c->redis.port, 6380);
  EXPECT_EQ(c->redis.db, 2);
  EXPECT_EQ(c->redis.key_prefix, "shop1");
  EXPECT_EQ(c->security.secret_file, "/run/secrets/tl");
  EXPECT_EQ(c->daemon.listen, "0.0.0.0:9500");
  EXPECT_EQ(c->daemon.reconcile_interval_s, 30);
  EXPECT_EQ(c->daemon.api_token_file, "/run/secrets/api");
  EXPECT_EQ(c->daemon.max_connections, 500);
  EXPECT_EQ(c->log.level, "debug");
}

TEST(Config, LoopbackListenAddresses) {
  for (const char* loopback : {"127.0.0.1:9464", "127.8.9.10:1", "[::1]:9464", "localhost:80"})
    EXPECT_TRUE(is_loopback_listen(loopback)) << loopback;
  for (const char* other : {"0.0.0.0:9464", "[::]:9464", "10.0.0.1:80", "example.com:80",
                            "128.0.0.1:80", "not an address"})
    EXPECT_FALSE(is_loopback_listen(other)) << other;
}

TEST(Config, SearchOrderFlagThenEnvThenCwdThenXdg) {
  TempDir t;
  const auto flag = t.write("flag.toml", "[mysql]\nport = 1001\n");
  const auto env = t.write("env.toml", "[mysql]\nport = 1002\n");
  t.write("ticketlemon.toml", "[mysql]\nport = 1003\n");
  t.write("xdg/ticketlemon/ticketlemon.toml", "[mysql]\nport = 1004\n");
  t.write("home/.config/ticketlemon/ticketlemon.toml", "[mysql]\nport = 1005\n");

  ConfigRequest req;
  req.env["HOME"] = t.path() + "/home";
  req.env["XDG_CONFIG_HOME"] = t.path() + "/xdg";
  req.env["TL_CONFIG"] = env;
  req.path = flag;
  EXPECT_EQ(load_in(t.path(), req)->mysql.port, 1001);
  req.path.reset();
  EXPECT_EQ(load_in(t.path(), req)->mysql.port, 1002);
  req.env.erase("TL_CONFIG");
  EXPECT_EQ(load_in(t.path(), req)->mysql.port, 1003);
  EXPECT_EQ(load_in(t.path() + "/xdg", req)->mysql.port, 1004);
  req.env.erase("XDG_CONFIG_HOME");
  auto home = load_in(t.path() + "/xdg", req);
  EXPECT_EQ(home->mysql.port, 1005);
  EXPECT_EQ(home->source, t.path() + "/home/.config/ticketlemon/ticketlemon.toml");
}

TEST(Config, EnvironmentBeatsFileAndFlagBeatsEnvironment) {
  TempDir t;
  ConfigRequest req = with_home(t);
  req.path = t.write("c.toml", "[mysql]\nport = 3307\n[daemon]\nlisten = \"127.0.0.1:1\"\n");
  req.env["TL_MYSQL_PORT"] = "3308";
  req.env["TL_DAEMON_LISTEN"] = "127.0.0.1:2";
  req.env["TL_REDIS_KEY_PREFIX"] = "envprefix";
  req.env["TL_MYSQL_PASSWORD"] = "s3cret";
  req.overrides.push_back({"daemon.listen", "127.0.0.1:3", "--listen"});
  auto c = load_in(t.path(), req);
  ASSERT_TRUE(c.ok()) << c.error().message();
  EXPECT_EQ(c->mysql.port, 3308);
  EXPECT_EQ(c->redis.key_prefix, "envprefix");
  EXPECT_EQ(c->daemon.listen, "127.0.0.1:3");
  ASSERT_TRUE(c->mysql.password.has_value());
  EXPECT_EQ(*c->mysql.password, "s3cret");
}

TEST(Config, UnknownKeyNamesFileLineAndKey) {
  TempDir t;
  ConfigRequest req = with_home(t);
  req.path = t.write("c.toml", "[mysql]\nhost = \"x\"\nprot = 3306\n");
  EXPECT_EQ(error_of(load_in(t.path(), req)), *req.path + ":3: unknown key 'prot' in [mysql]");
}

TEST(Config, UnknownSectionNamesFileAndLine) {
  TempDir t;
  ConfigRequest req = with_home(t);
  req.path = t.write("c.toml", "\n[mysqll]\nport = 1\n");
  EXPECT_EQ(error_of(load_in(t.path(), req)), *req.path +
                                                  ":2: unknown section [mysqll] (sections are "
                                                  "[mysql], [redis], [security], [daemon], [log], "
                                                  "[passes], [[payments.provider]])");
}

TEST(Config, KeyOutsideASectionIsRefused) {
  TempDir t;
  ConfigRequest req = with_home(t);
  req.path = t.write("c.toml", "port = 1\n");
  EXPECT_EQ(error_of(load_in(t.path(), req)),
            *req.path +
                ":1: unknown key 'port' outside a section (sections are [mysql], [redis], "
                "[security], [daemon], [log], [passes], [[payments.provider]])");
}

TEST(Config, PaymentProvidersAreReadAndCheckedWithTheirLine) {
  TempDir t;
  ConfigRequest req = with_home(t);
  req.path = t.write("c.toml",
                     "[[payments.provider]]\nname = \"acme\"\nplatform = \"payplat\"\n"
                     "secret_file = \"/etc/ticketlemon/acme.secret\"\n"
                     "[[payments.provider]]\nname = \"qr-bank\"\nplatform = \"QRCODE\"\n"
                     "secret_file = \"/etc/ticketlemon/qr.secret\"\n");
  auto c = load_in(t.path(), req);
  ASSERT_TRUE(c.ok()) << c.error().message();
  ASSERT_EQ(c->payments.providers.size(), 2u);
  EXPECT_EQ(c->payments.providers[0].name, "acme");
  EXPECT_EQ(c->payments.providers[0].platform, "PAYPLAT");
  EXPECT_EQ(c->payments.providers[1].secret_file, "/etc/ticketlemon/qr.secret");
  auto refused = [&](const std::string& text, const std::string& what) {
    req.path = t.write("bad.toml", text);
    const std::string e = error_of(load_in(t.path(), req));
    EXPECT_EQ(e.rfind(*req.path + ":", 0), 0u) << what << ": " << e;
    return e;
  };
  EXPECT_NE(refused("[[payments.provider]]\nname = \"acme\"\nplatform = \"CASH\"\n"
                    "secret_file = \"/s\"\n",
                    "an unknown platform")
                .find("platform must be QRCODE, DIRECT or PAYPLAT"),
            std::string::npos);
  EXPECT_NE(refused("[[payments.provider]]\nname = \"Acme Pay\"\nplatform = \"DIRECT\"\n"
                    "secret_file = \"/s\"\n",
                    "a name not fit for a path")
                .find("name must be"),
            std::string::npos);
  EXPECT_NE(
      refused("[[payments.provider]]\nname = \"a\"\nplatform = \"DIRECT\"\n", "no secret file")
          .find("needs secret_file"),
      std::string::npos);
  EXPECT_NE(refused("[[payments.provider]]\nname = \"a\"\nplatform = \"DIRECT\"\n"
                    "secret_file = \"/s\"\nsecret = \"x\"\n",
                    "a secret in the file itself")
                .find("unknown key 'secret'"),
            std::string::npos);
  EXPECT_NE(refused("[[payments.provider]]\nname = \"a\"\nplatform = \"DIRECT\"\n"
                    "secret_file = \"/s\"\n[[payments.provider]]\nname = \"a\"\n"
                    "platform = \"DIRECT\"\nsecret_file = \"/t\"\n",
                    "one name twice")
                .find("configured twice"),
            std::string::npos);
  EXPECT_NE(refused("[[payments.provider]]\nname = \"a\"\nplatform = \"DIRECT\"\n"
                    "secret_file = \"/s\"\n[[payments.provider]]\nname = \"b\"\n"
                    "platform = \"direct\"\nsecret_file = \"/t\"\n",
                    "two providers on one platform")
                .find("each platform takes one provider"),
            std::string::npos);
  EXPECT_NE(refused("[payments]\nretries = 3\n", "another key under [payments]")
                .find("holds only [[payments.provider]]"),
            std::string::npos);
}

TEST(Config, WrongTypeNamesFileLineAndKey) {
  TempDir t;
  ConfigRequest req = with_home(t);
  req.path = t.write("c.toml", "[redis]\n\nport = \"6379\"\n");
  EXPECT_EQ(error_of(load_in(t.path(), req)),
            *req.path + ":3: [redis] port: expected a whole number from 1 to 65535, got a string");
  req.path = t.write("d.toml", "[mysql]\nhost = 12\n");
  EXPECT_EQ(error_of(load_in(t.path(), req)),
            *req.path + ":2: [mysql] host: expected a string, got an integer");
}

TEST(Config, OutOfRangeValueIsRefused) {
  TempDir t;
  ConfigRequest req = with_home(t);
  req.path = t.write("c.toml", "[mysql]\nport = 70000\n");
  EXPECT_EQ(error_of(load_in(t.path(), req)),
            *req.path + ":2: [mysql] port: expected a whole number from 1 to 65535, got 70000");
  req.path = t.write("d.toml", "[daemon]\nlisten = \"nowhere\"\n");
  EXPECT_EQ(error_of(load_in(t.path(), req)),
            *req.path +
                ":2: [daemon] listen: expected HOST:PORT (an IPv4 address, an IPv6 address in "
                "brackets or a host "
                "name, and a port from 1 to 65535), such as 127.0.0.1:9464, got 'nowhere'");
  req.path = t.write("e.toml", "[log]\nlevel = \"loud\"\n");
  EXPECT_EQ(error_of(load_in(t.path(), req)), *req.path +
                                                  ":2: [log] level: expected one of trace, debug, "
                                                  "info, warn, error, critical, off, got 'loud'");
  req.path = t.write("f.toml", "[mysql]\ndatabase = \"x; DROP\"\n");
  EXPECT_EQ(
      error_of(load_in(t.path(), req)),
      *req.path +
          ":2: [mysql] database: expected 1 to 64 letters, digits or underscores, got 'x; DROP'");
}

TEST(Config, MalformedTomlNamesFileAndLine) {
  TempDir t;
  ConfigRequest req = with_home(t);
  req.path = t.write("c.toml", "[mysql]\nport = = 3\n");
  const std::string msg = error_of(load_in(t.path(), req));
  EXPECT_EQ(msg.rfind(*req.path + ":2: ", 0), 0u) << msg;
}

TEST(Config, MissingFileIsAConfigError) {
  TempDir t;
  ConfigRequest req = with_home(t);
  req.path = t.path() + "/absent.toml";
  EXPECT_EQ(error_of(load_in(t.path(), req)),
            "cannot read config file " + *req.path + ": No such file or directory");
  req.path.reset();
  req.env["TL_CONFIG"] = t.path() + "/also-absent.toml";
  EXPECT_EQ(error_of(load_in(t.path(), req)),
            "cannot read config file " + t.path() + "/also-absent.toml: No such file or directory");
}

TEST(Config, FileReadableByOthersIsRefused) {
  TempDir t;
  ConfigRequest req = with_home(t);
  req.path = t.write("c.toml", "[mysql]\nport = 1\n", 0644);
  EXPECT_EQ(error_of(load_in(t.path(), req)),
            "config file " + *req.path +
                " is accessible by group or others (mode 0644); run: chmod 600 " + *req.path);
  req.path = t.write("d.toml", "[mysql]\nport = 1\n", 0640);
  EXPECT_FALSE(load_in(t.path(), req).ok());
  req.path = t.write("e.toml", "[mysql]\nport = 1\n", 0400);
  EXPECT_TRUE(load_in(t.path(), req).ok());
}

TEST(Config, DirectoryIsNotAConfigFile) {
  TempDir t;
  ConfigRequest req = with_home(t);
  req.path = t.path();
  EXPECT_EQ(error_of(load_in(t.path(), req)),
            "cannot read config file " + t.path() + ": not a regular file");
}

TEST(Config, EnvironmentErrorsNameTheVariable) {
  TempDir t;
  ConfigRequest req = with_home(t);
  req.env["TL_MYSQL_PROT"] = "1";
  EXPECT_EQ(error_of(load_in(t.path(), req)),
            "environment variable TL_MYSQL_PROT: unknown key 'prot' in [mysql]");
  req.env.erase("TL_MYSQL_PROT");
  req.env["TL_REDIS_PORT"] = "abc";
  EXPECT_EQ(error_of(load_in(t.path(), req)),
            "environment variable TL_REDIS_PORT: [redis] port: expected a whole number from 1 to "
            "65535, got 'abc'");
  req.env["TL_REDIS_PORT"] = "-1";
  EXPECT_FALSE(load_in(t.path(), req).ok());
}

TEST(Config, UnrelatedEnvironmentIsIgnored) {
  TempDir t;
  ConfigRequest req = with_home(t);
  req.env["TL_SOMETHING_ELSE"] = "x";
  req.env["TLX"] = "y";
  req.env["TL_"] = "z";
  EXPECT_TRUE(load_in(t.path(), req).ok());
}

TEST(Config, FlagOverrideErrorsNameTheFlag) {
  TempDir t;
  ConfigRequest req = with_home(t);
  req.overrides.push_back({"daemon.listen", "bad", "--listen"});
  EXPECT_EQ(error_of(load_in(t.path(), req)),
            "--listen: [daemon] listen: expected HOST:PORT (an IPv4 address, an IPv6 address in "
            "brackets or a host "
            "name, and a port from 1 to 65535), such as 127.0.0.1:9464, got 'bad'");
}

TEST(Config, ListenAddressesParseExactly) {
  const auto ok = [](const std::string& text, const std::string& host, bool literal, int port) {
    const auto a = parse_listen_address(text);
    ASSERT_TRUE(a.has_value()) << text;
    EXPECT_EQ(a->host, host) << text;
    EXPECT_EQ(a->literal, literal) << text;
    EXPECT_EQ(a->port, port) << text;
  };
  ok("127.0.0.1:9464", "127.0.0.1", true, 9464);
  ok("0.0.0.0:1", "0.0.0.0", true, 1);
  ok("[::1]:9464", "::1", true, 9464);
  ok("[::]:65535", "::", true, 65535);
  ok("localhost:9464", "localhost", false, 9464);
  ok("metrics-1.example.com:80", "metrics-1.example.com", false, 80);
  for (const std::string bad : {"[::1:45465",
                                "::1:80",
                                "127.0.0.1:",
                                "127.0.0.1:99999",
                                "127.0.0.1:80x",
                                ":80",
                                "",
                                "127.0.0.1",
                                "127.0.0.1:0",
                                "127.0.0.1:+80",
                                "127.0.0.1: 80",
                                " 127.0.0.1:80",
                                "[::1]",
                                "[::1]80",
                                "[::1]:",
                                "[]:80",
                                "[127.0.0.1]:80",
                                "[::1]:80:1",
                                "999.1.1.1:80",
                                "127.0.0.1.:80",
                                "-host:80",
                                "host-:80",
                                "a..b:80",
                                "host name:80",
                                "host_name:80",
                                "127.0.0.1:123456"}) {
    EXPECT_FALSE(parse_listen_address(bad).has_value()) << "'" << bad << "'";
  }
}

TEST(Config, MalformedListenIsRefusedFromFileEnvironmentAndFlag) {
  TempDir t;
  const std::string why =
      "[daemon] listen: expected HOST:PORT (an IPv4 address, an IPv6 address in brackets or a host "
      "name, and a "
      "port from 1 to 65535), such as 127.0.0.1:9464, got '[::1:45465'";
  ConfigRequest req = with_home(t);
  req.path = t.write("c.toml", "[daemon]\nlisten = \"[::1:45465\"\n");
  EXPECT_EQ(error_of(load_in(t.path(), req)), req.path.value() + ":2: " + why);
  req = with_home(t);
  req.env["TL_DAEMON_LISTEN"] = "[::1:45465";
  EXPECT_EQ(error_of(load_in(t.path(), req)), "environment variable TL_DAEMON_LISTEN: " + why);
  req = with_home(t);
  req.overrides.push_back({"daemon.listen", "[::1:45465", "--listen"});
  EXPECT_EQ(error_of(load_in(t.path(), req)), "--listen: " + why);
}

TEST(Config, PasswordFileIsItsFirstLineWithoutCrLf) {
  TempDir t;
  auto pw = read_secret_file(t.write("crlf", "s3cret pass\r\nsecond line\n"), "MySQL password");
  ASSERT_TRUE(pw.ok()) << pw.error().message();
  EXPECT_EQ(*pw, "s3cret pass");
  pw = read_secret_file(t.write("noeol", " keep  spaces "), "MySQL password");
  ASSERT_TRUE(pw.ok()) << pw.error().message();
  EXPECT_EQ(*pw, " keep  spaces ");
  for (const std::string blank : {"", "\n", "   \nreal\n", "\t \r\n"}) {
    const auto path = t.write("blank", blank);
    auto r = read_secret_file(path, "Redis password");
    ASSERT_FALSE(r.ok()) << "'" << blank << "'";
    EXPECT_EQ(r.error().kind(), ErrorKind::kConfig);
    EXPECT_EQ(r.error().message(),
              "Redis password file " + path + " holds no password on its first line");
  }
}

std::string random_text(const std::string& alphabet, size_t n) {
  std::random_device rd;
  std::string out;
  for (size_t i = 0; i < n; ++i) out += alphabet[rd() % alphabet.size()];
  return out;
}

// Why read_secret refuses `secret` as a file's content, or nullopt when it
// takes it.
std::optional<std::string> weakness(const TempDir& t, const std::string& secret) {
  const std::string path = t.write("weak", secret);
  auto r = read_secret(path);
  if (r.ok()) {
    EXPECT_EQ(*r, secret);
    return std::nullopt;
  }
  EXPECT_EQ(r.error().kind(), ErrorKind::kConfig);
  const std::string& msg = r.error().message();
  const std::string head = "the secret in " + path + " is too weak (";
  const std::string tail = "); make one with: openssl rand -hex 32";
  if (msg.size() < head.size() + tail.size() || msg.rfind(head, 0) != 0 ||
      msg.compare(msg.size() - tail.size(), tail.size(), tail) != 0) {
    ADD_FAILURE() << msg;
    return msg;
  }
  return msg.substr(head.size(), msg.size() - head.size() - tail.size());
}

TEST(Config, WeakSecretsAreRefusedByEntropyNotLength) {
  TempDir t;
  const std::string hex = "0123456789abcdef";
  const std::string b64 = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  EXPECT_EQ(weakness(t, std::string(16, ' ')), "only 1 distinct byte, at least 10 needed");
  EXPECT_EQ(weakness(t, std::string(64, 'a')), "only 1 distinct byte, at least 10 needed");
  EXPECT_EQ(weakness(t, std::string(64, '\t') + "  \v\f"),
            "only 4 distinct bytes, at least 10 needed");
  std::string abab;
  for (int i = 0; i < 32; ++i) abab += "ab";
  EXPECT_EQ(weakness(t, abab), "only 2 distinct bytes, at least 10 needed");
  std::string pattern;
  for (int i = 0; i < 8; ++i) pattern += "Abcdefghijk1";
  EXPECT_EQ(weakness(t, pattern), "about 72 bits, at least 128 needed");
  EXPECT_EQ(weakness(t, "0123456789abcdef"), "about 64 bits, at least 128 needed");
  EXPECT_EQ(weakness(t, "Tr0ub4dor&3xyzQW"), "about 104 bits, at least 128 needed");
  EXPECT_EQ(weakness(t, "ABCDEFGHIJKLMNOPQRSTU"), "about 126 bits, at least 128 needed");
  EXPECT_EQ(weakness(t, "ABCDEFGHIJKLMNOPQRSTUV"), std::nullopt);  // 22 base64 characters, 132 bits
  EXPECT_EQ(weakness(t, ""), "only 0 distinct bytes, at least 10 needed");
  // What `openssl rand -hex 32`, `-hex 16` and `-base64 32` make.
  for (int i = 0; i < 100; ++i) {
    EXPECT_EQ(weakness(t, random_text(hex, 64)), std::nullopt);
    EXPECT_EQ(weakness(t, random_text(hex, 32)), std::nullopt);
    EXPECT_EQ(weakness(t, random_text(b64, 43) + "="), std::nullopt);
  }
  std::string binary;
  for (int i = 0; i < 16; ++i) binary += static_cast<char>(0x80 + i * 7);
  EXPECT_EQ(weakness(t, binary), std::nullopt);
}

TEST(Config, WeakSecretFileIsRefusedNamingTheFileNotTheValue) {
  TempDir t;
  const std::string value = "abababababababababababababababab";
  const auto path = t.write("secret", value + "\n");
  Config c;
  c.security.secret_file = path;
  Context ctx(c);
  auto r = ctx.secret();
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().kind(), ErrorKind::kConfig);
  EXPECT_EQ(r.error().message(),
            "the secret in " + path +
                " is too weak (only 2 distinct bytes, at least 10 needed); make one with: "
                "openssl rand -hex 32");
  EXPECT_EQ(r.error().message().find(value), std::string::npos);
  const std::string strong = random_text("0123456789abcdef", 64);
  c.security.secret_file = t.write("strong", strong + "\r\n");
  Context good(c);
  auto s = good.secret();
  ASSERT_TRUE(s.ok()) << s.error().message();
  EXPECT_EQ(*s, strong);
}

TEST(Config, SecretFileMustBePrivate) {
  TempDir t;
  const auto open_secret = t.write("secret", "0123456789abcdef\n", 0644);
  auto r = read_secret_file(open_secret, "secret");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().kind(), ErrorKind::kConfig);
  EXPECT_EQ(r.error().message(),
            "secret file " + open_secret +
                " is accessible by group or others (mode 0644); run: chmod 600 " + open_secret);
  const auto good = t.write("good", "0123456789abcdef\n", 0600);
  auto ok = read_secret_file(good, "secret");
  ASSERT_TRUE(ok.ok());
  EXPECT_EQ(*ok, "0123456789abcdef");
  auto missing = read_secret_file(t.path() + "/none", "MySQL password");
  ASSERT_FALSE(missing.ok());
  EXPECT_EQ(missing.error().message(),
            "cannot read MySQL password file " + t.path() + "/none: No such file or directory");
}

TEST(Config, ChangesAreListedWithoutSecrets) {
  Config a, b;
  b.daemon.reconcile_interval_s = 30;
  b.log.level = "debug";
  b.mysql.password = "topsecret";
  const auto changes = config_changes(a, b);
  ASSERT_EQ(changes.size(), 3u);
  EXPECT_EQ(changes[0], "[daemon] reconcile_interval_s: 60 -> 30");
  EXPECT_EQ(changes[1], "[log] level: 'info' -> 'debug'");
  EXPECT_EQ(changes[2], "[mysql] password: changed");
  for (const auto& c : changes) EXPECT_EQ(c.find("topsecret"), std::string::npos);
  EXPECT_TRUE(config_changes(a, a).empty());
}

// A whole-number key with its bounds and where load_config puts it.
struct IntKeyCase {
  std::string section, name;
  int64_t min, max;
  std::function<int(const Config&)> get;
};

std::vector<IntKeyCase> int_keys() {
  return {
      {"mysql", "port", 1, 65535, [](const Config& c) { return c.mysql.port; }},
      {"mysql", "connect_timeout_ms", 100, 600000,
       [](const Config& c) { return c.mysql.connect_timeout_ms; }},
      {"redis", "port", 1, 65535, [](const Config& c) { return c.redis.port; }},
      {"redis", "db", 0, 1023, [](const Config& c) { return c.redis.db; }},
      {"redis", "connect_timeout_ms", 100, 600000,
       [](const Config& c) { return c.redis.connect_timeout_ms; }},
      {"redis", "command_timeout_ms", 100, 600000,
       [](const Config& c) { return c.redis.command_timeout_ms; }},
      {"daemon", "reconcile_interval_s", 0, 86400,
       [](const Config& c) { return c.daemon.reconcile_interval_s; }},
      {"daemon", "sweep_interval_s", 1, 3600,
       [](const Config& c) { return c.daemon.sweep_interval_s; }},
      {"daemon", "max_nap_ms", 10, 60000, [](const Config& c) { return c.daemon.max_nap_ms; }},
      {"daemon", "expire_batch", 1, 10000, [](const Config& c) { return c.daemon.expire_batch; }},
  };
}

std::string env_name(const std::string& section, const std::string& name) {
  std::string out = "TL_" + section + "_" + name;
  for (char& c : out) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  return out;
}

TEST(Config, EveryWholeNumberKeyTakesItsBoundsFromFileAndEnvironment) {
  TempDir t;
  for (const auto& k : int_keys()) {
    const std::string key = "[" + k.section + "] " + k.name;
    const std::string range =
        "expected a whole number from " + std::to_string(k.min) + " to " + std::to_string(k.max);
    for (const int64_t v : {k.min, k.max}) {
      ConfigRequest req = with_home(t);
      req.path =
          t.write("c.toml", "[" + k.section + "]\n" + k.name + " = " + std::to_string(v) + "\n");
      auto c = load_in(t.path(), req);
      ASSERT_TRUE(c.ok()) << key << " = " << v << ": " << c.error().message();
      EXPECT_EQ(k.get(*c), v) << key;
      req = with_home(t);
      req.env[env_name(k.section, k.name)] = std::to_string(v);
      auto e = load_in(t.path(), req);
      ASSERT_TRUE(e.ok()) << key << " = " << v << ": " << e.error().message();
      EXPECT_EQ(k.get(*e), v) << key;
    }
    for (const int64_t v : {k.min - 1, k.max + 1, int64_t{1} << 40}) {
      ConfigRequest req = with_home(t);
      req.path =
          t.write("c.toml", "[" + k.section + "]\n" + k.name + " = " + std::to_string(v) + "\n");
      EXPECT_EQ(error_of(load_in(t.path(), req)),
                *req.path + ":2: " + key + ": " + range + ", got " + std::to_string(v));
      req = with_home(t);
      const std::string var = env_name(k.section, k.name);
      req.env[var] = std::to_string(v);
      EXPECT_EQ(error_of(load_in(t.path(), req)), "environment variable " + var + ": " + key +
                                                      ": " + range + ", got '" + std::to_string(v) +
                                                      "'");
    }
    for (const char* wrong : {"3.5", "true", "\"10\"", "[1]", "1979-05-27"}) {
      ConfigRequest req = with_home(t);
      req.path = t.write("c.toml", "[" + k.section + "]\n" + k.name + " = " + wrong + "\n");
      const std::string msg = error_of(load_in(t.path(), req));
      EXPECT_EQ(msg.rfind(*req.path + ":2: " + key + ": " + range + ", got a", 0), 0u) << msg;
    }
  }
}

TEST(Config, WholeNumbersFromTheEnvironmentAreDigitsOnly) {
  TempDir t;
  for (const char* bad :
       {"", " 80", "80 ", "+80", "0x50", "8e1", "80.0", "eighty", "99999999999999999999"}) {
    ConfigRequest req = with_home(t);
    req.env["TL_MYSQL_PORT"] = bad;
    const std::string msg = error_of(load_in(t.path(), req));
    EXPECT_EQ(msg.rfind("environment variable TL_MYSQL_PORT: [mysql] port: expected a whole number "
                        "from 1 to 65535, got ",
                        0),
              0u)
        << msg;
  }
}

// The value `key` gets, or its error, when set from a file.
std::string string_key(const TempDir& t, const std::string& section, const std::string& key,
                       const std::string& toml_value) {
  ConfigRequest req = with_home(t);
  req.path = t.write("s.toml", "[" + section + "]\n" + key + " = " + toml_value + "\n");
  auto c = load_in(t.path(), req);
  if (!c.ok()) return c.error().message().substr(req.path->size() + 4);  // after "PATH:2: "
  return "ok";
}

TEST(Config, EveryTextKeyChecksItsValue) {
  TempDir t;
  const std::string host_error = "expected a host name or address";
  for (const char* section : {"mysql", "redis"}) {
    const std::string key = std::string("[") + section + "] host: ";
    EXPECT_EQ(string_key(t, section, "host", "\"db-1.internal\""), "ok");
    EXPECT_EQ(string_key(t, section, "host", "\"::1\""), "ok");
    EXPECT_EQ(string_key(t, section, "host", "\"" + std::string(255, 'h') + "\""), "ok");
    EXPECT_EQ(string_key(t, section, "host", "\"\""), key + host_error + ", got ''");
    EXPECT_EQ(string_key(t, section, "host", "\"a b\""), key + host_error + ", got 'a b'");
    EXPECT_EQ(string_key(t, section, "host", "\"a\\tb\""), key + host_error + ", got 'a\\x09b'");
    EXPECT_EQ(string_key(t, section, "host", "\"" + std::string(256, 'h') + "\"")
                  .rfind(key + host_error, 0),
              0u);
  }
  const std::string ident = "expected 1 to 64 letters, digits or underscores";
  for (const char* name : {"user", "database"}) {
    const std::string key = std::string("[mysql] ") + name + ": ";
    EXPECT_EQ(string_key(t, "mysql", name, "\"tl_app_2\""), "ok");
    EXPECT_EQ(string_key(t, "mysql", name, "\"" + std::string(64, 'u') + "\""), "ok");
    EXPECT_EQ(string_key(t, "mysql", name, "\"\""), key + ident + ", got ''");
    EXPECT_EQ(string_key(t, "mysql", name, "\"tl-app\""), key + ident + ", got 'tl-app'");
    EXPECT_EQ(string_key(t, "mysql", name, "\"tl`app\""), key + ident + ", got 'tl`app'");
    EXPECT_EQ(string_key(t, "mysql", name, "\"Zoë\""), key + ident + ", got 'Zoë'");
    EXPECT_EQ(
        string_key(t, "mysql", name, "\"" + std::string(65, 'u') + "\"").rfind(key + ident, 0), 0u);
  }
  const std::string prefix =
      "[redis] key_prefix: expected 1 to 32 letters, digits, '_', '-' or '.'";
  EXPECT_EQ(string_key(t, "redis", "key_prefix", "\"shop-1.eu_west\""), "ok");
  EXPECT_EQ(string_key(t, "redis", "key_prefix", "\"" + std::string(32, 'p') + "\""), "ok");
  EXPECT_EQ(string_key(t, "redis", "key_prefix", "\"\""), prefix + ", got ''");
  EXPECT_EQ(string_key(t, "redis", "key_prefix", "\"a:b\""), prefix + ", got 'a:b'");
  EXPECT_EQ(string_key(t, "redis", "key_prefix", "\"a{b}\""), prefix + ", got 'a{b}'");
  EXPECT_EQ(
      string_key(t, "redis", "key_prefix", "\"" + std::string(33, 'p') + "\"").rfind(prefix, 0),
      0u);
  for (const auto& [section, name] : std::vector<std::pair<std::string, std::string>>{
           {"mysql", "password_file"}, {"redis", "password_file"}, {"security", "secret_file"}}) {
    const std::string key = "[" + section + "] " + name + ": expected a file path";
    EXPECT_EQ(string_key(t, section, name, "\"/run/secrets/x y\""), "ok");
    EXPECT_EQ(string_key(t, section, name, "\"" + std::string(4096, 'f') + "\""), "ok");
    EXPECT_EQ(string_key(t, section, name, "\"/run/\\u001b[2J\""), key + ", got '/run/\\x1B[2J'");
    EXPECT_EQ(string_key(t, section, name, "\"" + std::string(4097, 'f') + "\"").rfind(key, 0), 0u);
  }
  EXPECT_EQ(string_key(t, "redis", "password_file", "\"\""), "ok");  // no password
  for (const char* level : {"trace", "debug", "info", "warn", "error", "critical", "off"}) {
    EXPECT_EQ(string_key(t, "log", "level", std::string("\"") + level + "\""), "ok") << level;
  }
  EXPECT_EQ(
      string_key(t, "log", "level", "\"INFO\""),
      "[log] level: expected one of trace, debug, info, warn, error, critical, off, got 'INFO'");
  EXPECT_EQ(string_key(t, "daemon", "listen", "\"[::1]:9464\""), "ok");
  EXPECT_EQ(string_key(t, "daemon", "listen", "9464"),
            "[daemon] listen: expected a string, got an integer");
}

// [redis] cluster_nodes and [daemon] allowed_origins are lists: a TOML array
// of strings, or one comma-separated string (as the environment gives it).
TEST(Config, ListKeysTakeAnArrayOrACommaSeparatedString) {
  TempDir t;
  const std::string nodes =
      "[redis] cluster_nodes: expected HOST:PORT items such as "
      "10.0.0.5:7000, comma-separated";
  EXPECT_EQ(string_key(t, "redis", "cluster_nodes", R"(["10.0.0.5:7000", "[::1]:7001"])"), "ok");
  EXPECT_EQ(string_key(t, "redis", "cluster_nodes", R"("redis-a:7000, redis-b:7000")"), "ok");
  EXPECT_EQ(string_key(t, "redis", "cluster_nodes", "[]"), "ok");
  EXPECT_EQ(string_key(t, "redis", "cluster_nodes", R"(["10.0.0.5"])"), nodes + ", got '10.0.0.5'");
  EXPECT_EQ(string_key(t, "redis", "cluster_nodes", R"(["a:7000", "b:0"])"), nodes + ", got 'b:0'");
  EXPECT_EQ(string_key(t, "redis", "cluster_nodes", R"(["a:7000", 7001])"),
            "[redis] cluster_nodes: expected strings in the list, got an integer");
  EXPECT_EQ(string_key(t, "redis", "cluster_nodes", "7000"),
            "[redis] cluster_nodes: expected a list of strings, got an integer");
  EXPECT_EQ(string_key(t, "daemon", "allowed_origins", R"(["https://a.example", "http://b:8080"])"),
            "ok");
  EXPECT_EQ(string_key(t, "redis", "host", R"(["a", "b"])"),
            "[redis] host: expected a string, got an array");

  ConfigRequest req = with_home(t);
  req.path = t.write("c.toml", "[redis]\ncluster_nodes = [\"10.0.0.5:7000\", \"10.0.0.6:7000\"]\n");
  auto c = load_in(t.path(), req);
  ASSERT_TRUE(c.ok()) << c.error().message();
  EXPECT_EQ(c->redis.cluster_nodes, "10.0.0.5:7000, 10.0.0.6:7000");
  EXPECT_EQ(split_list(c->redis.cluster_nodes),
            (std::vector<std::string>{"10.0.0.5:7000", "10.0.0.6:7000"}));
  EXPECT_EQ(load_in(t.path(), with_home(t))->redis.cluster_nodes, "") << "one server by default";
}

TEST(Config, MalformedTomlIsOneLineNamingFileAndLine) {
  TempDir t;
  for (const std::string& bad :
       {std::string("[mysql]\nhost = \"unterminated\n"), std::string("[mysql]\nhost\n"),
        std::string("[mysql]\nport = 1\nport = 2\n"), std::string("[mysql]\n[mysql]\n"),
        std::string("[mysql\nport = 1\n"), std::string("[mysql]\nport = 0x\n"),
        std::string("[mysql]\nhost = \"\xff\"\n")}) {
    ConfigRequest req = with_home(t);
    req.path = t.write("bad.toml", bad);
    const std::string msg = error_of(load_in(t.path(), req));
    EXPECT_EQ(msg.rfind(*req.path + ":", 0), 0u) << msg;
    EXPECT_EQ(msg.find('\n'), std::string::npos) << msg;
  }
}

TEST(Config, SectionsAndKeysMustBeKnown) {
  TempDir t;
  ConfigRequest req = with_home(t);
  req.path = t.write("a.toml", "[mysql.replica]\nhost = \"x\"\n");
  EXPECT_EQ(error_of(load_in(t.path(), req)), *req.path + ":1: unknown key 'replica' in [mysql]");
  req.path = t.write("b.toml", "[[mysql]]\nhost = \"x\"\n");
  EXPECT_EQ(error_of(load_in(t.path(), req))
                .rfind(*req.path + ":1: unknown key 'mysql' outside a section", 0),
            0u);
  req.path = t.write("c.toml", "[mysql]\npassword = \"s3cret\"\n");
  EXPECT_EQ(error_of(load_in(t.path(), req)), *req.path + ":2: unknown key 'password' in [mysql]");
  req.path = t.write("d.toml", "[log]\nLevel = \"debug\"\n");
  EXPECT_EQ(error_of(load_in(t.path(), req)), *req.path + ":2: unknown key 'Level' in [log]");
  req = with_home(t);
  req.env["TL_LOG_COLOUR"] = "yes";
  EXPECT_EQ(error_of(load_in(t.path(), req)),
            "environment variable TL_LOG_COLOUR: unknown key 'colour' in [log]");
}

TEST(Config, EmptyFileGivesTheDefaults) {
  TempDir t;
  ConfigRequest req = with_home(t);
  req.path = t.write("empty.toml", "# nothing here\n");
  auto c = load_in(t.path(), req);
  ASSERT_TRUE(c.ok()) << c.error().message();
  EXPECT_EQ(c->source, *req.path);
  EXPECT_TRUE(config_changes(Config{}, *c).empty());
}

TEST(Config, OversizedFileIsRefused) {
  TempDir t;
  ConfigRequest req = with_home(t);
  req.path = t.write("big.toml", "[log]\nlevel = \"info\"\n" + std::string(1 << 20, '#') + "\n");
  EXPECT_EQ(error_of(load_in(t.path(), req)),
            "config file " + *req.path + " is larger than 1048576 bytes");
}

TEST(Config, PasswordsFromTheEnvironmentAreTakenAsTheyAre) {
  TempDir t;
  ConfigRequest req = with_home(t);
  req.env["TL_MYSQL_PASSWORD"] = " spaced \t";
  req.env["TL_REDIS_PASSWORD"] = "";
  auto c = load_in(t.path(), req);
  ASSERT_TRUE(c.ok()) << c.error().message();
  EXPECT_EQ(c->mysql.password, " spaced \t");
  EXPECT_EQ(c->redis.password, "");
  const auto changes = config_changes(Config{}, *c);
  ASSERT_EQ(changes.size(), 2u);
  EXPECT_EQ(changes[0], "[mysql] password: changed");
  EXPECT_EQ(changes[1], "[redis] password: changed");
}

TEST(Config, SecretFileRules) {
  TempDir t;
  const std::string strong = random_text("0123456789abcdef", 64);
  EXPECT_EQ(*read_secret(t.write("lf", strong + "\n")), strong);
  EXPECT_EQ(*read_secret(t.write("crlfs", strong + "\r\n\r\n")), strong);
  // Only line ends at the end are cut: the secret is the whole file.
  EXPECT_EQ(*read_secret(t.write("two", strong + "\n" + strong + "\n")), strong + "\n" + strong);
  EXPECT_EQ(*read_secret(t.write("spaces", " " + strong + " ")), " " + strong + " ");
  auto none = read_secret("");
  ASSERT_FALSE(none.ok());
  EXPECT_EQ(none.error().kind(), ErrorKind::kConfig);
  EXPECT_EQ(none.error().message(),
            "no file is configured for the secret ([security] secret_file)");
  const auto readable = t.write("readable", strong, 0604);
  auto r = read_secret(readable);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().message(),
            "secret file " + readable +
                " is accessible by group or others (mode 0604); run: chmod 600 " + readable);
  EXPECT_EQ(r.error().message().find(strong), std::string::npos);
  const auto big = t.write("big", strong + std::string(64 * 1024, 'x'));
  EXPECT_EQ(read_secret(big).error().message(),
            "secret file " + big + " is larger than 65536 bytes");
  EXPECT_EQ(read_secret(t.path()).error().message(),
            "cannot read secret file " + t.path() + ": not a regular file");
  EXPECT_EQ(read_secret_file("", "Redis password").error().message(),
            "no file is configured for the Redis password");
}

TEST(Config, ListenAddressBoundsAndForms) {
  EXPECT_EQ(parse_listen_address("127.0.0.1:65535")->port, 65535);
  EXPECT_EQ(parse_listen_address("127.0.0.1:1")->port, 1);
  EXPECT_EQ(parse_listen_address("[2001:db8::8a2e:370:7334]:443")->host, "2001:db8::8a2e:370:7334");
  EXPECT_EQ(parse_listen_address("[::ffff:127.0.0.1]:80")->host, "::ffff:127.0.0.1");
  const std::string label63(63, 'a');
  EXPECT_TRUE(parse_listen_address(label63 + ".example:80").has_value());
  const std::vector<std::string> bad_addresses = {
      "127.0.0.1:65536",        "127.0.0.1:00000", "[fe80::1%eth0]:80", "1.2.3:80", "256.0.0.1:80",
      label63 + "a.example:80", "exa$mple:80",     "host.:80",          ".host:80", "[::1]]:80",
      "localhost:80\n",         "127.0.0.1:8 0"};
  for (const std::string& bad : bad_addresses) {
    EXPECT_FALSE(parse_listen_address(bad).has_value()) << "'" << bad << "'";
  }
}

}  // namespace
}  // namespace ticket
