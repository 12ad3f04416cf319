// ticketlemond: expires holds at their deadlines, sweeps MySQL for what Redis
// lost, reconciles and repairs the seat maps, serves /healthz, /metrics, the
// providers' events, the read API, the live feed and the dashboard.
#include <spdlog/sinks/stdout_color_sinks.h>
#include <spdlog/spdlog.h>
#include <sys/resource.h>

#include <CLI/CLI.hpp>
#include <iostream>

#include "common/tool.h"
#include "daemon.h"
#include "ticket/config.h"
#include "ticket/error.h"
#include "ticket/version.h"

int main(int argc, char** argv) {
  CLI::App app(
      "Expire seat holds at their deadlines, sweep MySQL for holds Redis lost, reconcile and "
      "repair the Redis seat maps, and serve /healthz, /metrics, payment providers' events, the "
      "read API, the live seat feed and the dashboard.",
      "ticketlemond");
  app.get_formatter()->column_width(32);
  std::string config_path, listen;
  bool verbose = false;
  app.set_version_flag("--version", "ticketlemond (TicketLemon) " + std::string(ticket::version()));
  app.add_option(
         "--config", config_path,
         "Configuration file (default: $TL_CONFIG, ./ticketlemon.toml, "
         "$XDG_CONFIG_HOME/ticketlemon/ticketlemon.toml, /etc/ticketlemon/ticketlemon.toml)")
      ->option_text("FILE");
  app.add_option("--listen", listen, "Address of the HTTP endpoints, overriding [daemon] listen")
      ->option_text("HOST:PORT");
  app.add_flag("-v,--verbose", verbose, "Log at debug level, overriding [log] level");
  app.footer(
      "Signals: SIGTERM or SIGINT finish the pass in hand and exit 0; SIGHUP reloads the "
      "configuration.\n"
      "Exit codes: 0 stopped by a signal, 2 usage, 7 cannot listen, 8 configuration error.\n"
      "See ticketlemond(8) for more.");
  if (auto exit_code = ticket::cli::parse_command_line(app, "ticketlemond", argc, argv))
    return *exit_code;

  ticket::ConfigRequest request;
  if (app.count("--config") > 0) request.path = config_path;
  request.env = ticket::process_environment();
  if (app.count("--listen") > 0) request.overrides.push_back({"daemon.listen", listen, "--listen"});
  auto config = ticket::load_config(request);
  if (!config.ok()) {
    std::cerr << "ticketlemond: error: " << config.error().message() << std::endl;
    return config.error().exit_code();
  }
  auto credentials = ticketlemond::read_credentials(*config);
  if (!credentials.ok()) {
    std::cerr << "ticketlemond: error: " << credentials.error().message() << std::endl;
    return credentials.error().exit_code();
  }
  // One descriptor per connection: as many as the hard limit allows.
  rlimit files{};
  if (getrlimit(RLIMIT_NOFILE, &files) == 0 && files.rlim_cur < files.rlim_max) {
    files.rlim_cur = files.rlim_max;
    (void)setrlimit(RLIMIT_NOFILE, &files);
  }
  auto logger = spdlog::stderr_color_mt("ticketlemond");
  spdlog::set_default_logger(logger);
  spdlog::set_pattern("%Y-%m-%dT%H:%M:%S.%eZ %l %v", spdlog::pattern_time_type::utc);
  spdlog::set_level(verbose ? spdlog::level::debug : spdlog::level::from_str(config->log.level));
  spdlog::flush_on(spdlog::level::info);
  if (!config->source.empty()) spdlog::info("configuration: {}", config->source);
  if (getrlimit(RLIMIT_NOFILE, &files) == 0 &&
      files.rlim_cur < static_cast<rlim_t>(config->daemon.max_connections) + 100)
    spdlog::warn("[daemon] max_connections {} is more than the {} open files allowed (ulimit -n)",
                 config->daemon.max_connections, files.rlim_cur);
  try {
    return ticketlemond::run_daemon(request, std::move(*config), std::move(*credentials), verbose);
  } catch (const std::exception& e) {
    spdlog::critical("internal error: {}", e.what());
    return 1;
  }
}
