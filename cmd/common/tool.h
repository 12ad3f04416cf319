// What every tool shares: the common flags (docs/design.md §8) (--config, --json, -q,
// -v, --version, --help, before or after a subcommand), configuration
// loading, one error line on stderr ("tl-buy: error: ...") or one JSON
// object on stdout, and the exit codes of ticket::ErrorKind.
#pragma once

#include <CLI/CLI.hpp>
#include <functional>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>

#include "ticket/config.h"
#include "ticket/context.h"
#include "ticket/error.h"

namespace ticket::cli {

// What an action produced. With --json `json` is printed; otherwise `text`
// then `verbatim`, or with -q only `quiet` (e.g. a ticket code, so that
// CODE=$(tl-buy -q ...) works). `text` and `quiet` are passed through
// printable() (line breaks kept), as is every error and -v line, so that
// stored or published text cannot drive the terminal.
struct Output {
  nlohmann::json json = nlohmann::json::object();
  std::string text;
  std::string quiet;
  // Printed as is after `text`: a data format whose writer made it safe
  // (CSV, JSON), or a drawing made only of the tool's own characters (the
  // coloured seat map).
  std::string verbatim;
  // Exit code on success (tl-admin reconcile exits 6 on drift found).
  int exit_code = 0;
};

using Action = std::function<Status(Context&, Output&)>;

class Tool {
 public:
  Tool(std::string name, std::string description);

  CLI::App& app() { return app_; }
  bool json() const { return json_; }

  // Adds --actor (tl-admin): who is acting, for the audit log.
  void add_actor_flag();

  // The action run after parsing; subcommand callbacks set it.
  void set_action(Action action) { action_ = std::move(action); }

  // Parses, loads the configuration, runs the action, prints. Returns the
  // process exit code.
  int run(int argc, char** argv);

 private:
  // Prints an error as this tool does (stderr line, or JSON on stdout).
  void print_error(const Error& error) const;

  // For -v: a line on stderr.
  void note(const std::string& line) const;

  std::string name_;
  CLI::App app_;
  std::string config_path_;
  std::string actor_;
  bool json_ = false;
  bool quiet_ = false;
  int verbose_ = 0;
  Action action_;
};

// For programs with a CLI::App of their own (ticketlemond, tl-bench): parses
// and returns nullopt to go on, or the exit code after --help/--version (0)
// or a usage error, printed as one line "NAME: error: ... (see NAME --help)" (2).
std::optional<int> parse_command_line(CLI::App& app, const std::string& name, int argc,
                                      char** argv);

}  // namespace ticket::cli
