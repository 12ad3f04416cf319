// tl-buy: hold paid seats and create a ticket to pay within the hold.
#include "common/render.h"
#include "common/tool.h"
#include "ticket/buy.h"
#include "ticket/text.h"

using namespace ticket;

int main(int argc, char** argv) {
  cli::Tool tool(
      "tl-buy",
      "Hold paid seats of a concert and create a ticket to pay with tl-pay before the deadline.");
  auto req = std::make_shared<BuyRequest>();
  auto best = std::make_shared<std::string>();
  CLI::App& app = tool.app();
  app.add_option("--concert", req->concert, "Concert id or slug")->type_name("C")->required();
  app.add_option("--seat", req->seats, "A seat to buy, e.g. A12 (repeat for several seats)")
      ->type_name("SEAT");
  app.add_option("--best", *best, "Buy N adjacent seats in one row, the first found from the front")
      ->type_name("N");
  app.add_option("--name", req->customer.name,
                 "Customer's name (1-255 printable characters, with a visible one)")
      ->type_name("NAME")
      ->required();
  app.add_option("--age", req->customer.age, "Customer's age (0-150)")->type_name("N")->required();
  app.add_option("--gender", req->customer.gender, "Male, Female, LGBT+ or Unspecified (any case)")
      ->type_name("G")
      ->required();
  app.add_option("--id-number", req->customer.id_number,
                 "Customer's security number (4-32 letters or digits; stored only as a keyed hash)")
      ->type_name("ID")
      ->required();
  app.callback([&] {
    tool.set_action([req, best, &app](Context& ctx, cli::Output& out) -> Status {
      if (app.count("--best") > 0) {
        const auto n = parse_int(*best, 1, 1000);
        if (!n) return invalid("--best must be a whole number of seats, got " + quote(*best));
        req->best = static_cast<int>(*n);
      }
      TL_ASSIGN_OR_RETURN(Ticket t, buy(ctx, *req));
      out.json = {{"ticket", cli::ticket_json(t)}};
      out.quiet = t.code;
      out.text = "Held " + cli::seat_list(t) + " for you; pay before the deadline.\n" +
                 cli::ticket_text(t) + "\nPay with: tl-pay " + t.code +
                 " --platform QRCODE|DIRECT|PAYPLAT --reference REF\n";
      return {};
    });
  });
  return tool.run(argc, argv);
}
