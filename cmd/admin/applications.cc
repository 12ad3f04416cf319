// tl-admin applications --concert C [--pending] | grant CODE | reject CODE [--note TEXT]
//          | reject-pending --concert C [--note TEXT]
#include "admin/commands.h"
#include "admin/listing_output.h"
#include "common/render.h"
#include "ticket/customer.h"
#include "ticket/grant.h"
#include "ticket/reject.h"

namespace ticket::cli {
namespace {

void add_applications(Tool& tool) {
  struct Flags {
    std::string concert;
    bool pending = false;
    PageFlags page;
  };
  auto f = std::make_shared<Flags>();
  CLI::App* cmd = tool.app().add_subcommand("applications",
                                            "List the free-seat applications of a concert with "
                                            "their answers");
  cmd->add_option("--concert", f->concert, "The concert (id or slug)")->type_name("C")->required();
  cmd->add_flag("--pending", f->pending, "Only applications not yet decided (PROCESS)");
  add_page_flags(cmd, f->page);
  cmd->callback([&tool, f, cmd] {
    TicketFilter filter;
    filter.concert = f->concert;
    apply_page_flags(cmd, f->page, filter);
    tool.set_action([&tool, f, cmd, filter](Context& ctx, Output& out) -> Status {
      TL_ASSIGN_OR_RETURN(ListingFormat format, listing_format(tool, cmd, f->page));
      TL_ASSIGN_OR_RETURN(TicketPage page, list_applications(ctx, filter, f->pending));
      render_page(page, format, true, out);
      return {};
    });
  });
}

void add_grant(Tool& tool) {
  auto code = std::make_shared<std::string>();
  CLI::App* cmd = tool.app().add_subcommand(
      "grant", "Give an application the lowest free FREE-n seat of its concert");
  cmd->add_option("CODE", *code, "Application code, e.g. TF-7K3MQ9XZ")->type_name("")->required();
  cmd->callback([&tool, code] {
    tool.set_action([code](Context& ctx, Output& out) -> Status {
      TL_ASSIGN_OR_RETURN(Ticket t, grant(ctx, *code));
      out.json = {{"ticket", ticket_json(t)}};
      out.text = "Granted " + seat_list(t) + " to " + t.code + " (" + t.customer_name + ").\n" +
                 ticket_text(t);
      out.quiet = seat_list(t);
      return {};
    });
  });
}

void add_reject(Tool& tool) {
  struct Flags {
    std::string code, note;
  };
  auto f = std::make_shared<Flags>();
  CLI::App* cmd = tool.app().add_subcommand("reject", "Reject a pending application");
  cmd->add_option("CODE", f->code, "Application code, e.g. TF-7K3MQ9XZ")->type_name("")->required();
  cmd->add_option("--note", f->note,
                  "Why, kept with the decision and in the audit log (1-500 characters)")
      ->type_name("TEXT");
  cmd->callback([&tool, f, cmd] {
    const auto note = cmd->count("--note") > 0 ? std::optional<std::string>(f->note) : std::nullopt;
    tool.set_action([f, note](Context& ctx, Output& out) -> Status {
      TL_ASSIGN_OR_RETURN(Ticket t, reject(ctx, f->code, note));
      out.json = {{"ticket", ticket_json(t)}};
      out.text = "Rejected " + t.code + " (" + t.customer_name + ").";
      out.quiet = t.code;
      return {};
    });
  });
}

void add_reject_pending(Tool& tool) {
  struct Flags {
    std::string concert, note;
  };
  auto f = std::make_shared<Flags>();
  CLI::App* cmd =
      tool.app().add_subcommand("reject-pending", "Reject every pending application of a concert");
  cmd->add_option("--concert", f->concert, "The concert (id or slug)")->type_name("C")->required();
  cmd->add_option("--note", f->note,
                  "Why, kept with each decision and in the audit log (1-500 characters)")
      ->type_name("TEXT");
  cmd->callback([&tool, f, cmd] {
    const auto note = cmd->count("--note") > 0 ? std::optional<std::string>(f->note) : std::nullopt;
    tool.set_action([f, note](Context& ctx, Output& out) -> Status {
      TL_ASSIGN_OR_RETURN(RejectedApplications r, reject_pending(ctx, f->concert, note));
      const size_t n = r.codes.size();
      out.json = {{"concert_id", r.concert.id}, {"rejected", n}, {"tickets", r.codes}};
      out.text = "Rejected " + std::to_string(n) + " pending application" + (n == 1 ? "" : "s") +
                 " of concert " + r.concert.slug + ".";
      out.quiet = std::to_string(n);
      return {};
    });
  });
}

}  // namespace

void add_application_commands(Tool& tool) {
  add_applications(tool);
  add_grant(tool);
  add_reject(tool);
  add_reject_pending(tool);
}

}  // namespace ticket::cli
