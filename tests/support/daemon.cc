#include "support/daemon.h"

#include <vector>

namespace ticket::testing {

Daemon::Daemon(const std::string& config_file, std::map<std::string, std::string> env)
    : port_(free_port()) {
  env["TL_CONFIG"] = config_file;
  env["TL_DAEMON_LISTEN"] = "127.0.0.1:" + std::to_string(port_);
  process_ = std::make_unique<Background>(std::vector<std::string>{tool_path("ticketlemond")}, env,
                                          log_dir_.path() + "/daemon.log");
}

DaemonTest::DaemonTest(const std::function<std::string(const TempDir& dir)>& extra)
    : ctx_(env_.context()) {
  config_ = dir_.write("ticketlemon.toml", read_file(env_.config_file()) + "\n" + extra(dir_));
  daemon_ = std::make_unique<Daemon>(config_);
  EXPECT_TRUE(eventually([&] { return daemon_->healthz() == 200; }, 10000))
      << daemon_->process().log();
}

}  // namespace ticket::testing
