// tl-status: one ticket, or what is left of a concert (counts, seat map, live
// changes).
#include <unistd.h>

#include <cstdlib>
#include <iostream>

#include "common/render.h"
#include "common/seat_event.h"
#include "common/table.h"
#include "common/tool.h"
#include "status/seat_grid.h"
#include "ticket/availability.h"
#include "ticket/passes.h"
#include "ticket/qr.h"
#include "ticket/seat_map_events.h"
#include "ticket/text.h"

using namespace ticket;

namespace {

struct Flags {
  std::string code;
  std::string concert;
  bool map = false;
  bool watch = false;
  bool pass = false;
  bool qr = false;
  std::string qr_png, qr_svg;
};

std::string availability_text(const Availability& a) {
  cli::Fields f;
  f.add("Concert", std::to_string(a.concert.id) + " " + a.concert.slug + " (" + a.concert.name +
                       ")" + (a.concert.open ? "" : ", closed"));
  f.add("Paid seats", std::to_string(a.buy_total) + ": " + std::to_string(a.buy_free) + " free, " +
                          std::to_string(a.buy_held) + " held, " + std::to_string(a.buy_sold) +
                          " sold");
  f.add("Free seats", std::to_string(a.free_total) + ": " + std::to_string(a.free_granted) +
                          " granted, " + std::to_string(a.free_pending) + " applications pending");
  return f.str();
}

// Each event is checked first: one that is malformed is skipped with a
// warning on stderr, so that whoever can publish on the channel can neither
// stop the watch nor write to the terminal.
Status watch(Context& ctx, const Availability& a, bool json) {
  const Concert& c = a.concert;
  return follow_seat_events(
      ctx, c.id,
      [&] {
        if (json) {
          std::cout << nlohmann::json{{"watching", cli::availability_json(a)}}.dump(
                           -1, ' ', false, nlohmann::json::error_handler_t::replace)
                    << std::endl;
        } else {
          std::cout << printable("Watching concert " + std::to_string(c.id) + " " + c.slug +
                                 " (Ctrl-C to stop): " + std::to_string(a.buy_free) + " free, " +
                                 std::to_string(a.buy_held) + " held, " +
                                 std::to_string(a.buy_sold) + " sold")
                    << std::endl;
        }
      },
      [&](const std::string& message) {
        auto event = cli::parse_seat_event(message, c.layout);
        if (!event.ok()) {
          std::cerr << "tl-status: warning: skipped a malformed event ("
                    << printable(event.error().message()) << "): " << printable(quote(message))
                    << std::endl;
        } else if (json) {
          std::cout << event->json.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace)
                    << std::endl;
        } else {
          std::cout << printable(cli::describe_seat_event(*event, c)) << std::endl;
        }
        return true;
      });
}

}  // namespace

int main(int argc, char** argv) {
  cli::Tool tool(
      "tl-status",
      "Show one ticket (tl-status CODE), or the seats of a concert (tl-status --concert C), "
      "drawn as a map or followed live.");
  auto f = std::make_shared<Flags>();
  CLI::App& app = tool.app();
  app.add_option("CODE", f->code, "Ticket code, e.g. TB-7K3MQ9XZ")->type_name("");
  app.add_option("--concert", f->concert, "Show the seats of this concert (id or slug) instead")
      ->type_name("C");
  app.add_flag("--map", f->map, "With --concert: draw the seat grid (. free, o held, X sold)");
  app.add_flag("--watch", f->watch,
               "With --concert: print every change as it happens, until interrupted");
  app.add_flag("--pass", f->pass,
               "With a CODE: print the ticket's pass, signed now ([passes] signing_key_file)");
  app.add_flag("--qr", f->qr, "With a CODE: draw the pass as a QR code on the terminal");
  app.add_option("--qr-png", f->qr_png, "With a CODE: write the pass as a QR code in a PNG file")
      ->option_text("FILE");
  app.add_option("--qr-svg", f->qr_svg, "With a CODE: write the pass as a QR code in an SVG file")
      ->option_text("FILE");
  app.callback([&] {
    const bool code = app.count("CODE") > 0, concert = app.count("--concert") > 0;
    tool.set_action([f, code, concert, &tool](Context& ctx, cli::Output& out) -> Status {
      if (code == concert)
        return invalid("give a ticket CODE or --concert C (see tl-status --help)");
      if (code && (f->map || f->watch))
        return invalid("--map and --watch go with --concert, not with a CODE");
      const bool drawn = f->qr || !f->qr_png.empty() || !f->qr_svg.empty();
      if (concert && (f->pass || drawn))
        return invalid("--pass and --qr... go with a ticket CODE, not with --concert");
      if (code && (f->pass || drawn)) {
        TL_ASSIGN_OR_RETURN(std::string pass, issue_pass(ctx, f->code));
        out.json = {{"pass", pass}};
        out.quiet = pass;
        if (f->pass || !drawn) out.text = pass;
        if (!drawn) return {};
        TL_ASSIGN_OR_RETURN(QrCode qr, encode_qr(pass));
        if (!f->qr_png.empty()) {
          TL_TRY(write_qr_png(qr, f->qr_png));
          out.json["qr_png"] = f->qr_png;
          out.text += std::string(out.text.empty() ? "" : "\n") + "Wrote " + f->qr_png;
        }
        if (!f->qr_svg.empty()) {
          TL_TRY(write_qr_svg(qr, f->qr_svg));
          out.json["qr_svg"] = f->qr_svg;
          out.text += std::string(out.text.empty() ? "" : "\n") + "Wrote " + f->qr_svg;
        }
        if (f->qr) out.verbatim = qr_terminal(qr);
        return {};
      }
      if (code) {
        TL_ASSIGN_OR_RETURN(Ticket t, find_ticket(ctx, f->code));
        out.json = {{"ticket", cli::ticket_json(t)}};
        out.text = cli::ticket_text(t);
        out.quiet = std::string(status_name(t.status));
        return {};
      }
      TL_ASSIGN_OR_RETURN(Availability a, availability(ctx, f->concert, f->map));
      if (f->watch) return watch(ctx, a, tool.json());
      out.json = cli::availability_json(a);
      out.quiet = std::to_string(a.buy_free);
      out.text = availability_text(a);
      if (f->map) {
        const char* no_color = std::getenv("NO_COLOR");
        const bool color = isatty(STDOUT_FILENO) && (no_color == nullptr || *no_color == '\0');
        out.verbatim = "\n" + cli::draw_seat_grid(a.concert, a.grid, color);
        out.json["map"] = cli::seat_grid_json(a.concert, a.grid);
      }
      return {};
    });
  });
  return tool.run(argc, argv);
}
