// tl-admin mock-data --concert C --customers N
#include "ticket/mock_data.h"
#include "admin/commands.h"
#include "common/table.h"

namespace ticket::cli {

void add_mock_data_command(Tool& tool) {
  auto req = std::make_shared<MockRequest>();
  CLI::App* cmd = tool.app().add_subcommand("mock-data",
                                            "Make demo customers who buy, pay, hold and apply for "
                                            "free seats through the real operations");
  cmd->add_option("--concert", req->concert, "The concert (id or slug); it must be open")
      ->type_name("C")
      ->required();
  cmd->add_option("--customers", req->customers, "How many customers to make, 1 to 10000")
      ->type_name("N")
      ->required();
  cmd->callback([&tool, req] {
    tool.set_action([req](Context& ctx, Output& out) -> Status {
      TL_ASSIGN_OR_RETURN(MockReport r, mock_data(ctx, *req));
      out.json = {{"concert_id", r.concert_id},
                  {"customers", r.customers},
                  {"paid", r.paid},
                  {"held", r.held},
                  {"granted", r.granted},
                  {"rejected", r.rejected},
                  {"pending", r.pending},
                  {"skipped", r.skipped}};
      Fields f;
      f.add("Concert", std::to_string(r.concert_id));
      f.add("Customers", std::to_string(r.customers));
      f.add("Bought",
            std::to_string(r.paid) + " paid, " + std::to_string(r.held) + " held and not paid");
      f.add("Applied", std::to_string(r.granted) + " granted, " + std::to_string(r.rejected) +
                           " rejected, " + std::to_string(r.pending) + " pending");
      if (r.skipped > 0) f.add("Skipped", std::to_string(r.skipped) + " (nothing left for them)");
      out.text = f.str();
      out.quiet = std::to_string(r.customers);
      return {};
    });
  });
}

}  // namespace ticket::cli
