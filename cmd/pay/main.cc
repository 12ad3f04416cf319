// tl-pay: confirm the payment of a held ticket within its deadline.
#include "common/render.h"
#include "common/tool.h"
#include "ticket/pay.h"

using namespace ticket;

int main(int argc, char** argv) {
  cli::Tool tool("tl-pay",
                 "Confirm the payment of a ticket made with tl-buy; a late one revives it "
                 "while its seats are free.");
  auto req = std::make_shared<PayRequest>();
  CLI::App& app = tool.app();
  app.add_option("CODE", req->code, "Ticket code, e.g. TB-7K3MQ9XZ")->type_name("")->required();
  app.add_option("--platform", req->platform,
                 "Payment platform: QRCODE, DIRECT or PAYPLAT (any case)")
      ->type_name("P")
      ->required();
  app.add_option("--reference", req->reference,
                 "The platform's payment reference (1-128 letters, digits or - _ . : /); "
                 "paying again with the same one changes nothing")
      ->type_name("REF")
      ->required();
  app.callback([&] {
    tool.set_action([req](Context& ctx, cli::Output& out) -> Status {
      bool revived = false;
      TL_ASSIGN_OR_RETURN(Ticket t, pay(ctx, *req, &revived));
      out.json = {{"ticket", cli::ticket_json(t)}, {"revived", revived}};
      out.quiet = t.code;
      out.text = (revived ? "Paid " + t.code +
                                " (the hold had run out; its seats were still free, so the "
                                "ticket is revived): "
                          : std::string("Paid: ")) +
                 cli::seat_list(t) + " sold.\n" + cli::ticket_text(t);
      return {};
    });
  });
  return tool.run(argc, argv);
}
