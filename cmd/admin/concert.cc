// tl-admin concert create | list | show | close | open
#include "admin/commands.h"
#include "common/render.h"
#include "common/table.h"
#include "ticket/concerts.h"

namespace ticket::cli {
namespace {

struct CreateFlags {
  ConcertInput in;
  std::string venue, starts_at, free_seats, hold_seconds, max_seats;
};

std::string seats_cell(const Concert& c) {
  std::string s = std::to_string(c.layout.paid_seats());
  if (c.layout.free_seats > 0) s += " + " + std::to_string(c.layout.free_seats) + " free";
  return s;
}

}  // namespace

void add_concert_commands(Tool& tool) {
  CLI::App* concert =
      tool.app().add_subcommand("concert", "Create, list, show, close and reopen concerts");
  concert->require_subcommand(1);

  auto f = std::make_shared<CreateFlags>();
  CLI::App* create = concert->add_subcommand("create", "Create a concert");
  create
      ->add_option("--slug", f->in.slug,
                   "Unique short name, e.g. summer-2026 (lower-case, digits, dashes)")
      ->type_name("SLUG")
      ->required();
  create->add_option("--name", f->in.name, "Name shown to customers")
      ->type_name("NAME")
      ->required();
  create->add_option("--venue", f->venue, "Where it takes place")->type_name("VENUE");
  create
      ->add_option("--starts-at", f->starts_at, "Start time with a zone, e.g. 2026-07-15T20:00:00Z")
      ->type_name("TIME");
  create->add_option("--rows", f->in.rows, "Rows of paid seats (A, B, ... Z, AA, ...)")
      ->type_name("N")
      ->required();
  create->add_option("--seats-per-row", f->in.seats_per_row, "Paid seats in each row")
      ->type_name("N")
      ->required();
  create
      ->add_option("--free-seats", f->free_seats,
                   "Seats given away by application (FREE-1...), default 0")
      ->type_name("N");
  create->add_option("--price", f->in.price, "Price of one paid seat, e.g. 1500.00")
      ->type_name("AMOUNT")
      ->required();
  create->add_option("--currency", f->in.currency, "Currency code, e.g. EUR")
      ->type_name("CODE")
      ->required();
  create->add_option("--hold-seconds", f->hold_seconds, "How long a buyer has to pay, default 300")
      ->type_name("SECONDS");
  create->add_option("--max-seats-per-ticket", f->max_seats, "Seats one ticket may hold, default 1")
      ->type_name("N");
  create->callback([&tool, f, create] {
    auto opt = [&](const char* flag, const std::string& v) {
      return create->count(flag) > 0 ? std::optional<std::string>(v) : std::nullopt;
    };
    f->in.venue = opt("--venue", f->venue);
    f->in.starts_at = opt("--starts-at", f->starts_at);
    f->in.free_seats = opt("--free-seats", f->free_seats);
    f->in.hold_seconds = opt("--hold-seconds", f->hold_seconds);
    f->in.max_seats_per_ticket = opt("--max-seats-per-ticket", f->max_seats);
    tool.set_action([f](Context& ctx, Output& out) -> Status {
      TL_ASSIGN_OR_RETURN(Concert wanted, validate_concert(f->in));
      TL_ASSIGN_OR_RETURN(Concert c, create_concert(ctx, wanted));
      out.json = {{"concert", concert_json(c)}};
      out.text = "Created concert " + std::to_string(c.id) + ".\n" + concert_text(c);
      out.quiet = std::to_string(c.id);
      return {};
    });
  });

  CLI::App* list = concert->add_subcommand("list", "List every concert");
  list->callback([&tool] {
    tool.set_action([](Context& ctx, Output& out) -> Status {
      TL_ASSIGN_OR_RETURN(auto concerts, list_concerts(ctx));
      nlohmann::json arr = nlohmann::json::array();
      Table t({"ID", "SLUG", "NAME", "STARTS", "SEATS", "PRICE", "HOLD", "STATUS"});
      for (const auto& c : concerts) {
        arr.push_back(concert_json(c));
        t.add({std::to_string(c.id), c.slug, c.name,
               c.starts_at ? format_iso8601(*c.starts_at) : "-", seats_cell(c),
               format_money(c.price) + " " + c.currency, std::to_string(c.hold_seconds) + "s",
               c.open ? "open" : "closed"});
      }
      out.json = {{"concerts", arr}};
      out.text =
          concerts.empty()
              ? "No concerts yet (create one with: tl-admin concert create, or tl-admin seed)."
              : t.str();
      return {};
    });
  });

  auto which = std::make_shared<std::string>();
  CLI::App* show = concert->add_subcommand("show", "Show one concert");
  show->add_option("CONCERT", *which, "Concert id or slug")->type_name("")->required();
  show->callback([&tool, which] {
    tool.set_action([which](Context& ctx, Output& out) -> Status {
      TL_ASSIGN_OR_RETURN(Concert c, find_concert(ctx, *which));
      out.json = {{"concert", concert_json(c)}};
      out.text = concert_text(c);
      out.quiet = std::to_string(c.id);
      return {};
    });
  });

  auto to_close = std::make_shared<std::string>();
  CLI::App* close = concert->add_subcommand(
      "close", "Stop sales and applications (held seats may still be paid)");
  close->add_option("CONCERT", *to_close, "Concert id or slug")->type_name("")->required();
  close->callback([&tool, to_close] {
    tool.set_action([to_close](Context& ctx, Output& out) -> Status {
      TL_ASSIGN_OR_RETURN(Concert c, close_concert(ctx, *to_close));
      out.json = {{"concert", concert_json(c)}};
      out.text = "Concert " + std::to_string(c.id) + " (" + c.slug + ") is closed.";
      return {};
    });
  });

  auto to_open = std::make_shared<std::string>();
  CLI::App* open =
      concert->add_subcommand("open", "Reopen a closed concert for sales and applications");
  open->add_option("CONCERT", *to_open, "Concert id or slug")->type_name("")->required();
  open->callback([&tool, to_open] {
    tool.set_action([to_open](Context& ctx, Output& out) -> Status {
      TL_ASSIGN_OR_RETURN(Concert c, open_concert(ctx, *to_open));
      out.json = {{"concert", concert_json(c)}};
      out.text = "Concert " + std::to_string(c.id) + " (" + c.slug + ") is open.";
      return {};
    });
  });
}

}  // namespace ticket::cli
