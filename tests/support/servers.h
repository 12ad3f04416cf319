// Servers for tests. The ctest fixture "servers" starts one shared MariaDB
// and Redis (scripts/sandbox, in the build tree), the fixture
// "cluster_servers" a MariaDB and a Redis Cluster, on which the suites
// named "cluster.*" run again; each test then takes a database and a Redis
// key prefix of its own on them (TestEnv). Tests that flush, stop or kill a
// server start private ones of the same kind (PrivateSandbox).
#pragma once

#include <gtest/gtest.h>

#include <map>
#include <memory>
#include <string>
#include <vector>

#include "ticket/config.h"
#include "ticket/context.h"

namespace ticket::testing {

struct Sandbox {
  std::string dir;
  int mysql_port = 0;
  int redis_port = 0;
  // The nodes of a Redis Cluster, "HOST:PORT" comma-separated; empty for
  // one Redis at redis_port.
  std::string redis_cluster;
};

// The shared servers ($TL_TEST_SANDBOX, set by CTest).
Sandbox shared_sandbox();

// A fresh database (tltest_<random>) and key prefix on a sandbox, migrated
// unless asked otherwise; dropped again by the destructor.
class TestEnv {
 public:
  explicit TestEnv(bool migrate = true) : TestEnv(shared_sandbox(), migrate) {}
  TestEnv(Sandbox sandbox, bool migrate);
  ~TestEnv();
  TestEnv(const TestEnv&) = delete;
  TestEnv& operator=(const TestEnv&) = delete;

  const Config& config() const { return config_; }
  std::unique_ptr<Context> context() const { return std::make_unique<Context>(config_); }
  // A 0600 TOML file describing this environment, for running the tools.
  const std::string& config_file() const { return config_file_; }
  const std::string& database() const { return config_.mysql.database; }
  const std::string& prefix() const { return config_.redis.key_prefix; }
  const Sandbox& sandbox() const { return sandbox_; }
  const std::string& dir() const { return dir_; }

 private:
  Sandbox sandbox_;
  Config config_;
  std::string dir_;
  std::string config_file_;
};

// Servers of its own in a temporary directory, for fault tests.
class PrivateSandbox {
 public:
  // Of the kind of the shared sandbox: with a Redis Cluster when it has one.
  PrivateSandbox();
  explicit PrivateSandbox(bool redis_cluster);
  ~PrivateSandbox();
  PrivateSandbox(const PrivateSandbox&) = delete;
  PrivateSandbox& operator=(const PrivateSandbox&) = delete;

  const Sandbox& sandbox() const { return sandbox_; }
  // scripts/sandbox start|stop|kill mysql|redis|redis:PORT
  void control(const std::string& verb, const std::string& server);

 private:
  Sandbox sandbox_;
};

// A test suite on servers of its own (fault tests: they stop, kill or flush
// them), started once for the suite and stopped after it; each test takes a
// database and key prefix there (env_) and a Context on them (ctx_).
// `Suite` derives from OwnServers<Suite> and says with a static
// `bool redis_cluster()` whether its servers have a Redis Cluster.
template <class Suite>
class OwnServers : public ::testing::Test {
 protected:
  static void SetUpTestSuite() { servers_ = new PrivateSandbox(Suite::redis_cluster()); }
  static void TearDownTestSuite() {
    delete servers_;
    servers_ = nullptr;
  }
  OwnServers() : env_(servers_->sandbox(), true), ctx_(env_.context()) {}

  static inline PrivateSandbox* servers_ = nullptr;
  TestEnv env_;
  std::unique_ptr<Context> ctx_;
};

// A directory under the test's temporary area, removed by its destructor.
class TempDir {
 public:
  TempDir();
  ~TempDir();
  const std::string& path() const { return path_; }
  // Writes a file with the given mode; returns its path.
  std::string write(const std::string& name, const std::string& content, int mode = 0600) const;

 private:
  std::string path_;
};

std::string random_suffix(size_t n = 10);

// The whole content of a file ("" when it cannot be read).
std::string read_file(const std::string& path);

// Runs a shell command; fails the test when it exits non-zero.
void shell(const std::string& command);

}  // namespace ticket::testing
