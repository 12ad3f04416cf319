// ticketlemond as a process under test, on a port of its own.
#pragma once

#include <gtest/gtest.h>

#include <functional>
#include <map>
#include <memory>
#include <string>

#include "support/process.h"
#include "support/servers.h"

namespace ticket::testing {

// ticketlemond with TL_CONFIG=config_file, listening on a free loopback
// port, plus `env`; its log in a directory of its own. Killed by the
// destructor if still running.
class Daemon {
 public:
  explicit Daemon(const std::string& config_file, std::map<std::string, std::string> env = {});

  Background& process() { return *process_; }
  int port() const { return port_; }
  // The status code of GET /healthz (0 when nothing answers).
  int healthz() const { return http_get(port_, "/healthz").first; }
  // metric_value() of this daemon.
  std::string metric(const std::string& name) const { return metric_value(port_, name); }

 private:
  TempDir log_dir_;
  int port_;
  std::unique_ptr<Background> process_;
};

// A test on a database of its own with a ticketlemond on it, configured
// as the environment plus the TOML `extra` (a token file, a provider),
// whose files are written in dir_. The daemon answers /healthz before the
// test starts.
class DaemonTest : public ::testing::Test {
 protected:
  explicit DaemonTest(const std::function<std::string(const TempDir& dir)>& extra);

  TestEnv env_;
  std::unique_ptr<Context> ctx_;
  TempDir dir_;
  std::string config_;
  std::unique_ptr<Daemon> daemon_;
};

}  // namespace ticket::testing
