// tl-admin payments [--concert C] [--state S] [--ticket CODE] [--format F]
// tl-admin refund CODE --reference R [--payment REF]
#include "ticket/payments.h"
#include "admin/commands.h"
#include "admin/listing_output.h"
#include "common/csv.h"
#include "common/table.h"

namespace ticket::cli {
namespace {

nlohmann::json null_if_empty(const std::string& s) {
  return s.empty() ? nlohmann::json(nullptr) : nlohmann::json(s);
}

nlohmann::json payment_json(const Payment& p) {
  return {{"ticket", p.ticket_code},
          {"concert_id", p.concert_id ? nlohmann::json(*p.concert_id) : nlohmann::json(nullptr)},
          {"state", payment_state_name(p.state)},
          {"amount", format_money(p.amount)},
          {"currency", p.currency},
          {"platform", p.platform},
          {"reference", p.reference},
          {"at", format_iso8601(p.received_at)},
          {"provider", null_if_empty(p.provider)},
          {"note", null_if_empty(p.note)},
          {"refund_reference", null_if_empty(p.refund_reference)}};
}

std::string payments_csv(const std::vector<Payment>& payments) {
  std::string out = csv_record({"ticket", "concert_id", "state", "amount", "currency", "platform",
                                "provider", "reference", "at", "note", "refund_reference"});
  for (const Payment& p : payments) {
    out += csv_record({p.ticket_code, p.concert_id ? std::to_string(*p.concert_id) : "",
                       payment_state_name(p.state), format_money(p.amount), p.currency, p.platform,
                       p.provider, p.reference, format_iso8601(p.received_at), p.note,
                       p.refund_reference});
  }
  return out;
}

std::string payments_table(const std::vector<Payment>& payments) {
  Table table({"TICKET", "STATE", "AMOUNT", "CURRENCY", "PLATFORM", "REFERENCE", "AT", "NOTE"});
  for (const Payment& p : payments) {
    table.add({p.ticket_code, payment_state_name(p.state), format_money(p.amount), p.currency,
               p.platform, p.reference, format_iso8601(p.received_at), p.note});
  }
  const size_t n = payments.size();
  return (payments.empty() ? std::string() : table.str()) + std::to_string(n) +
         (n == 1 ? " payment.\n" : " payments.\n");
}

void add_payments_command(Tool& tool) {
  struct Flags {
    std::string concert, state, ticket;
    PageFlags format;
  };
  auto f = std::make_shared<Flags>();
  CLI::App* cmd = tool.app().add_subcommand(
      "payments", "List the payments received, oldest first, as a table, JSON or CSV");
  cmd->add_option("--concert", f->concert, "Only this concert (id or slug)")->type_name("C");
  cmd->add_option("--state", f->state, "Only this state: PAID, REFUND_DUE, REFUNDED or REVIEW")
      ->type_name("S");
  cmd->add_option("--ticket", f->ticket, "Only the payments of this ticket code")
      ->type_name("CODE");
  cmd->add_option("--format", f->format.format,
                  "table (default), json (as --json) or csv (RFC 4180, with a header)")
      ->type_name("F");
  cmd->callback([&tool, f, cmd] {
    tool.set_action([&tool, f, cmd](Context& ctx, Output& out) -> Status {
      TL_ASSIGN_OR_RETURN(ListingFormat format, listing_format(tool, cmd, f->format));
      PaymentQuery query;
      if (cmd->count("--concert") > 0) query.concert = f->concert;
      if (cmd->count("--state") > 0) {
        TL_ASSIGN_OR_RETURN(query.state, parse_payment_state(f->state));
      }
      if (cmd->count("--ticket") > 0) query.code = f->ticket;
      TL_ASSIGN_OR_RETURN(std::vector<Payment> payments, list_payments(ctx, query));
      nlohmann::json rows = nlohmann::json::array();
      for (const Payment& p : payments) {
        rows.push_back(payment_json(p));
        out.quiet += (out.quiet.empty() ? "" : "\n") + p.ticket_code;
      }
      out.json = {{"payments", rows}, {"total", payments.size()}};
      switch (format) {
        case ListingFormat::kJson:
          out.verbatim =
              out.json.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace) + "\n";
          break;
        case ListingFormat::kCsv: out.verbatim = payments_csv(payments); break;
        case ListingFormat::kTable: out.text = payments_table(payments); break;
      }
      return {};
    });
  });
}

void add_refund_command(Tool& tool) {
  struct Flags {
    std::string code, reference, payment;
  };
  auto f = std::make_shared<Flags>();
  CLI::App* cmd = tool.app().add_subcommand(
      "refund", "Record that the money of a ticket's payment due back was given back");
  cmd->add_option("CODE", f->code, "Ticket code, e.g. TB-7K3MQ9XZ")->type_name("")->required();
  cmd->add_option("--reference", f->reference,
                  "The refund's reference (1-128 letters, digits or - _ . : /)")
      ->type_name("R")
      ->required();
  cmd->add_option("--payment", f->payment,
                  "The reference of the payment to refund, when the ticket has several")
      ->type_name("REF");
  cmd->callback([&tool, f, cmd] {
    tool.set_action([f, cmd](Context& ctx, Output& out) -> Status {
      std::optional<std::string> payment;
      if (cmd->count("--payment") > 0) payment = f->payment;
      TL_ASSIGN_OR_RETURN(Payment p, refund_payment(ctx, f->code, payment, f->reference));
      out.json = {{"refund",
                   {{"ticket", p.ticket_code},
                    {"amount", format_money(p.amount)},
                    {"currency", p.currency},
                    {"reference", p.reference},
                    {"refund_reference", p.refund_reference},
                    {"state", payment_state_name(p.state)}}}};
      out.text = "Refunded " + p.ticket_code + " " + format_money(p.amount) + " " + p.currency +
                 " (payment " + p.reference + ") with refund " + p.refund_reference;
      out.quiet = p.ticket_code;
      return {};
    });
  });
}

}  // namespace

void add_payment_commands(Tool& tool) {
  add_payments_command(tool);
  add_refund_command(tool);
}

}  // namespace ticket::cli
