// tl-admin checkin PASS: admission at the gate.
#include <unistd.h>

#include "admin/commands.h"
#include "ticket/checkin.h"
#include "ticket/text.h"

namespace ticket::cli {
namespace {

// The host's name, the gate when none is given.
std::string host_gate() {
  char name[256] = {};
  if (::gethostname(name, sizeof name - 1) != 0 || name[0] == '\0') return "gate";
  return std::string(name).substr(0, 64);
}

}  // namespace

void add_checkin_command(Tool& tool) {
  struct Flags {
    std::string pass, gate, concert;
  };
  auto f = std::make_shared<Flags>();
  CLI::App* cmd = tool.app().add_subcommand(
      "checkin", "Admit a pass's ticket at the gate, once: verified with the public keys");
  cmd->add_option("PASS", f->pass, "The pass, as scanned at the gate")->required()->type_name("");
  cmd->add_option("--gate", f->gate, "Name of the gate (default: this host's name)")
      ->option_text("NAME");
  cmd->add_option("--concert", f->concert, "Refuse passes of other concerts (id or slug)")
      ->option_text("C");
  cmd->callback([&tool, f, cmd] {
    const bool concert = cmd->count("--concert") > 0, gate = cmd->count("--gate") > 0;
    tool.set_action([&tool, f, concert, gate](Context& ctx, Output& out) -> Status {
      TL_ASSIGN_OR_RETURN(
          Checkin c, check_in(ctx, f->pass, gate ? f->gate : host_gate(),
                              concert ? std::optional<std::string>(f->concert) : std::nullopt));
      const std::string when = c.at ? format_iso8601(c.at) : std::string();
      out.json = {{"checkin",
                   {{"result", checkin_result_name(c.result)},
                    {"ticket", c.pass.code},
                    {"concert_id", c.pass.concert_id},
                    {"seats", seat_labels(c.pass.seats)},
                    {"at", c.at ? nlohmann::json(when) : nlohmann::json()},
                    {"gate", c.gate.empty() ? nlohmann::json() : nlohmann::json(c.gate)}}}};
      out.quiet = checkin_result_name(c.result);
      switch (c.result) {
        case Checkin::Result::kAdmitted:
          out.text = "ADMITTED " + c.pass.code + ", concert " + std::to_string(c.pass.concert_id) +
                     ", seats " + seat_labels(c.pass.seats) + ", at " + when + " through gate " +
                     c.gate;
          return {};
        case Checkin::Result::kAlready: {
          Error e = conflict("ticket " + c.pass.code + " is already admitted at " + when +
                             " through gate " + c.gate);
          if (!tool.json()) return e;
          out.exit_code = e.exit_code();
          return {};
        }
        case Checkin::Result::kRevoked: {
          Error e = expired("ticket " + c.pass.code +
                            " is no longer valid (cancelled after its pass was issued): refused");
          if (!tool.json()) return e;
          out.exit_code = e.exit_code();
          return {};
        }
      }
      return {};
    });
  });
}

}  // namespace ticket::cli
