// tl-admin cancel CODE --reason TEXT
#include "ticket/cancel.h"
#include "admin/commands.h"
#include "common/render.h"

namespace ticket::cli {

void add_cancel_command(Tool& tool) {
  struct Flags {
    std::string code, reason;
  };
  auto f = std::make_shared<Flags>();
  CLI::App* cmd =
      tool.app().add_subcommand("cancel", "Cancel a ticket or application and release its seats");
  cmd->add_option("CODE", f->code, "Ticket code, e.g. TB-7K3MQ9XZ or TF-7K3MQ9XZ")
      ->type_name("")
      ->required();
  cmd->add_option("--reason", f->reason, "Why, kept in the audit log (1-500 characters)")
      ->type_name("TEXT")
      ->required();
  cmd->callback([&tool, f] {
    tool.set_action([f](Context& ctx, Output& out) -> Status {
      TL_ASSIGN_OR_RETURN(Cancellation c, cancel(ctx, f->code, f->reason));
      const Ticket& t = c.ticket;
      out.json = {{"ticket", ticket_json(t)}};
      out.text =
          "Cancelled " + t.code + (t.seats.empty() ? "." : "; released " + seat_list(t) + ".");
      out.json["refund_due"] = c.refund_due;
      if (c.refund_due)
        out.text += "\nIts payment of " + format_money(t.amount) + " " + t.currency +
                    " is now due back (tl-admin refund).";
      if (!c.cache_warning.empty()) {
        out.json["cache_warning"] = c.cache_warning;
        out.text += "\nWarning: the seat map in Redis was not told (" + c.cache_warning +
                    "); the seats stay taken there until it is repaired.";
      }
      out.quiet = t.code;
      return {};
    });
  });
}

}  // namespace ticket::cli
