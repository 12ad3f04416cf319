#include "support/servers.h"

#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <random>

#include "db.h"
#include "ticket/schema.h"
#include "ticket/seat_map.h"

namespace ticket::testing {
namespace {

// A file's content without trailing new lines and spaces.
std::string read_trimmed(const std::string& path) {
  std::string s = read_file(path);
  while (!s.empty() && (s.back() == '\n' || s.back() == ' ')) s.pop_back();
  return s;
}

Sandbox load_sandbox(const std::string& dir) {
  Sandbox s;
  s.dir = dir;
  s.mysql_port = std::stoi(read_trimmed(dir + "/mysql/port"));
  if (std::filesystem::exists(dir + "/cluster/nodes")) {
    s.redis_cluster = read_trimmed(dir + "/cluster/nodes");
    s.redis_port = std::stoi(read_trimmed(dir + "/cluster/1/port"));
  } else {
    s.redis_port = std::stoi(read_trimmed(dir + "/redis/port"));
  }
  return s;
}

std::string scripts_dir() { return std::string(TL_SOURCE_DIR) + "/scripts"; }

}  // namespace

std::string read_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
}

std::string random_suffix(size_t n) {
  static thread_local std::mt19937_64 rng(std::random_device{}());
  static const char alphabet[] = "abcdefghijklmnopqrstuvwxyz0123456789";
  std::string out;
  for (size_t i = 0; i < n; ++i) out += alphabet[rng() % (sizeof alphabet - 1)];
  return out;
}

void shell(const std::string& command) {
  const int rc = std::system(command.c_str());
  ASSERT_EQ(rc, 0) << command;
}

Sandbox shared_sandbox() {
  const char* dir = std::getenv("TL_TEST_SANDBOX");
  if (dir == nullptr || *dir == '\0') {
    ADD_FAILURE() << "TL_TEST_SANDBOX is not set: run the tests through ctest";
    std::abort();
  }
  return load_sandbox(dir);
}

TempDir::TempDir() {
  std::string base = std::filesystem::temp_directory_path() / "tltest-XXXXXX";
  if (mkdtemp(base.data()) == nullptr) std::abort();
  path_ = base;
}

TempDir::~TempDir() {
  std::error_code ec;
  std::filesystem::remove_all(path_, ec);
}

std::string TempDir::write(const std::string& name, const std::string& content, int mode) const {
  const std::string p = path_ + "/" + name;
  std::filesystem::create_directories(std::filesystem::path(p).parent_path());
  {
    std::ofstream out(p, std::ios::binary | std::ios::trunc);
    out << content;
  }
  ::chmod(p.c_str(), static_cast<mode_t>(mode));
  return p;
}

TestEnv::TestEnv(Sandbox sandbox, bool migrate) : sandbox_(std::move(sandbox)) {
  const std::string suffix = random_suffix();
  config_.mysql.host = "127.0.0.1";
  config_.mysql.port = sandbox_.mysql_port;
  config_.mysql.user = "ticketlemon";
  config_.mysql.password_file = sandbox_.dir + "/mysql.password";
  config_.mysql.database = "tltest_" + suffix;
  config_.redis.host = "127.0.0.1";
  config_.redis.port = sandbox_.redis_port;
  config_.redis.cluster_nodes = sandbox_.redis_cluster;
  config_.redis.password_file = sandbox_.dir + "/redis.password";
  config_.redis.key_prefix = "t" + suffix;
  config_.security.secret_file = sandbox_.dir + "/secret";

  std::string base = std::filesystem::temp_directory_path() / "tlenv-XXXXXX";
  if (mkdtemp(base.data()) == nullptr) std::abort();
  dir_ = base;
  config_file_ = dir_ + "/ticketlemon.toml";
  {
    std::ofstream out(config_file_);
    out << "[mysql]\nhost = \"127.0.0.1\"\nport = " << config_.mysql.port
        << "\nuser = \"ticketlemon\"\n"
        << "password_file = \"" << config_.mysql.password_file << "\"\ndatabase = \""
        << config_.mysql.database
        << "\"\n\n[redis]\nhost = \"127.0.0.1\"\nport = " << config_.redis.port
        << (sandbox_.redis_cluster.empty() ? ""
                                           : "\ncluster_nodes = \"" + sandbox_.redis_cluster + "\"")
        << "\npassword_file = \"" << config_.redis.password_file << "\"\nkey_prefix = \""
        << config_.redis.key_prefix << "\"\n\n[security]\nsecret_file = \""
        << config_.security.secret_file << "\"\n";
  }
  ::chmod(config_file_.c_str(), 0600);

  if (migrate) {
    auto r = ticket::migrate(config_.mysql);
    if (!r.ok()) {
      ADD_FAILURE() << "migrate: " << r.error().message();
      std::abort();
    }
  }
}

TestEnv::~TestEnv() {
  auto server = Db::connect(config_.mysql, false);
  if (server.ok()) {
    (void)(*server)->transaction([&]() -> Status {
      (*server)->prepare("DROP DATABASE IF EXISTS `" + config_.mysql.database + "`").execute();
      return {};
    });
  }
  Context ctx(config_);
  (void)drop_all_seat_maps(ctx);
  std::error_code ec;
  std::filesystem::remove_all(dir_, ec);
}

PrivateSandbox::PrivateSandbox() : PrivateSandbox(!shared_sandbox().redis_cluster.empty()) {}

PrivateSandbox::PrivateSandbox(bool redis_cluster) {
  std::string base = std::filesystem::temp_directory_path() / "tlsandbox-XXXXXX";
  if (mkdtemp(base.data()) == nullptr) std::abort();
  const std::string cmd = scripts_dir() + "/sandbox up " +
                          (redis_cluster ? "--redis-cluster " : "") + "--dir " + base + " 2>" +
                          base + "/up.log";
  if (std::system(cmd.c_str()) != 0) {
    ADD_FAILURE() << "scripts/sandbox up failed: " << read_file(base + "/up.log");
    std::abort();
  }
  sandbox_ = load_sandbox(base);
}

PrivateSandbox::~PrivateSandbox() {
  const std::string cmd = scripts_dir() + "/sandbox down --dir " + sandbox_.dir + " 2>/dev/null";
  (void)std::system(cmd.c_str());
  std::error_code ec;
  std::filesystem::remove_all(sandbox_.dir, ec);
}

void PrivateSandbox::control(const std::string& verb, const std::string& server) {
  shell(scripts_dir() + "/sandbox " + verb + " " + server + " --dir " + sandbox_.dir +
        " 2>/dev/null");
}

}  // namespace ticket::testing
