#include "common/tool.h"

#include <unistd.h>

#include <cstring>
#include <iostream>

#include "ticket/text.h"
#include "ticket/version.h"

namespace ticket::cli {
namespace {

bool argv_has(int argc, char** argv, const char* flag) {
  for (int i = 1; i < argc; ++i) {
    if (std::strcmp(argv[i], flag) == 0) return true;
    if (std::strcmp(argv[i], "--") == 0) return false;
  }
  return false;
}

// CLI11 messages as one line, starting lower-case.
std::string one_line(std::string msg) {
  for (char& c : msg) {
    if (c == '\n' || c == '\r') c = ' ';
  }
  while (!msg.empty() && msg.back() == ' ') msg.pop_back();
  if (msg.size() > 1 && std::isupper(static_cast<unsigned char>(msg[0])) &&
      (std::islower(static_cast<unsigned char>(msg[1])) || msg[1] == ' '))
    msg[0] = static_cast<char>(std::tolower(static_cast<unsigned char>(msg[0])));
  return msg;
}

}  // namespace

Tool::Tool(std::string name, std::string description)
    : name_(std::move(name)), app_(std::move(description), name_) {
  app_.fallthrough();
  app_.get_formatter()->column_width(32);
  app_.set_help_all_flag("--help-all", "Describe every subcommand and its options, then exit");
  app_.set_version_flag("--version", name_ + " (TicketLemon) " + std::string(version()));
  app_.add_option("--config", config_path_,
                  "Configuration file (default: $TL_CONFIG, ./ticketlemon.toml, "
                  "$XDG_CONFIG_HOME/ticketlemon/ticketlemon.toml, "
                  "/etc/ticketlemon/ticketlemon.toml)")
      ->option_text("FILE");
  app_.add_flag("--json", json_, "Print one JSON object on stdout (errors too)");
  app_.add_flag("-q,--quiet", quiet_, "Print only the essential value, or nothing");
  app_.add_flag("-v,--verbose", verbose_,
                "Say more on stderr (which configuration, which servers)");
  app_.footer(
      "Exit codes: 0 ok, 1 internal error, 2 usage or invalid input, 3 conflict, 4 not found,\n"
      "5 expired or too late, 6 drift found, 7 Redis or MySQL unavailable, 8 configuration error.\n"
      "See " +
      name_ + "(" + (name_ == "ticketlemond" ? "8" : "1") + ") for more.");
}

void Tool::add_actor_flag() {
  app_.add_option("--actor", actor_, "Who is acting, for the audit log (default: the OS user)")
      ->option_text("NAME");
}

std::optional<int> parse_command_line(CLI::App& app, const std::string& name, int argc,
                                      char** argv) {
  try {
    app.parse(argc, argv);
  } catch (const CLI::Success& e) {
    return app.exit(e);
  } catch (const CLI::ParseError& e) {
    std::cerr << name << ": error: " << printable(one_line(e.what())) << " (see " << name
              << " --help)" << std::endl;
    return static_cast<int>(ErrorKind::kInvalid);
  }
  return std::nullopt;
}

void Tool::print_error(const Error& error) const {
  if (json_) {
    nlohmann::json j = {{"error",
                         {{"code", error.exit_code()},
                          {"kind", std::string(kind_name(error.kind()))},
                          {"message", error.message()}}}};
    std::cout << j.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace) << std::endl;
    return;
  }
  std::string msg = error.message();
  for (char& c : msg) {
    if (c == '\n' || c == '\r') c = ' ';
  }
  std::cerr << name_ << ": error: " << printable(msg) << std::endl;
}

void Tool::note(const std::string& line) const {
  if (verbose_ > 0 && !json_) std::cerr << name_ << ": " << printable(line) << std::endl;
}

int Tool::run(int argc, char** argv) {
  json_ = argv_has(argc, argv, "--json");
  try {
    try {
      app_.parse(argc, argv);
    } catch (const CLI::Success& e) {
      return app_.exit(e);
    } catch (const CLI::ParseError& e) {
      // CLI11 reports a missing subcommand before an unknown word; the
      // unknown word is the more useful message.
      const CLI::App* deepest = &app_;
      for (const CLI::App* sub = deepest; sub != nullptr;) {
        deepest = sub;
        auto used = sub->get_subcommands();
        sub = used.empty() ? nullptr : used.front();
      }
      std::string msg = one_line(e.what());
      std::vector<std::string> extra;
      for (const CLI::App* sub = &app_; sub != nullptr && extra.empty();) {
        extra = sub->remaining();
        auto used = sub->get_subcommands();
        sub = used.empty() ? nullptr : used.front();
      }
      if (!extra.empty()) {
        msg = (extra.front().rfind("-", 0) == 0 ? "unknown option " : "unknown command ") +
              ticket::quote(extra.front());
      }
      std::string help = name_;
      for (const CLI::App* sub = &app_; sub != deepest;) {
        sub = sub->get_subcommands().front();
        help += " " + sub->get_name();
      }
      print_error(invalid(msg + " (see " + help + " --help)"));
      return static_cast<int>(ErrorKind::kInvalid);
    }
    if (!action_) {
      print_error(invalid("nothing to do (see " + name_ + " --help)"));
      return static_cast<int>(ErrorKind::kInvalid);
    }

    ConfigRequest request;
    if (app_.count("--config") > 0) request.path = config_path_;
    request.env = process_environment();
    auto config = load_config(request);
    if (!config.ok()) {
      print_error(config.error());
      return config.error().exit_code();
    }
    note("configuration: " +
         (config->source.empty() ? std::string("built-in defaults") : config->source));
    note("MySQL " + config->mysql.user + "@" + config->mysql.host + ":" +
         std::to_string(config->mysql.port) + "/" + config->mysql.database + ", Redis " +
         config->redis.host + ":" + std::to_string(config->redis.port) + " db " +
         std::to_string(config->redis.db) + " prefix " + config->redis.key_prefix);

    Context ctx(std::move(*config));
    const CLI::Option* actor = app_.get_option_no_throw("--actor");
    if (actor != nullptr && actor->count() > 0) {  // an empty --actor is refused, not ignored
      Status s = ctx.set_actor(actor_);
      if (!s.ok()) {
        print_error(s.error());
        return s.error().exit_code();
      }
    }
    Output out;
    Status s = action_(ctx, out);
    if (!s.ok()) {
      print_error(s.error());
      return s.error().exit_code();
    }
    if (json_) {
      std::cout << out.json.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace)
                << std::endl;
    } else if (quiet_) {
      if (!out.quiet.empty()) std::cout << printable(out.quiet, "\n") << std::endl;
    } else {
      for (const std::string& part : {printable(out.text, "\n"), out.verbatim}) {
        if (part.empty()) continue;
        std::cout << part;
        if (part.back() != '\n') std::cout << '\n';
      }
      std::cout.flush();
    }
    return out.exit_code;
  } catch (const std::exception& e) {
    print_error(internal(std::string("internal error: ") + e.what()));
    return static_cast<int>(ErrorKind::kInternal);
  }
}

}  // namespace ticket::cli
