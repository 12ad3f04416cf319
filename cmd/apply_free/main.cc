// tl-apply-free: apply for a free seat of a concert.
#include "common/render.h"
#include "common/tool.h"
#include "ticket/apply_free.h"

using namespace ticket;

int main(int argc, char** argv) {
  cli::Tool tool("tl-apply-free",
                 "Apply for a free seat of a concert; an operator grants or rejects the "
                 "application with tl-admin.");
  auto req = std::make_shared<ApplyFreeRequest>();
  CLI::App& app = tool.app();
  app.add_option("--concert", req->concert, "Concert id or slug")->type_name("C")->required();
  app.add_option("--name", req->customer.name,
                 "Applicant's name (1-255 printable characters, with a visible one)")
      ->type_name("NAME")
      ->required();
  app.add_option("--age", req->customer.age, "Applicant's age (0-150)")->type_name("N")->required();
  app.add_option("--gender", req->customer.gender, "Male, Female, LGBT+ or Unspecified (any case)")
      ->type_name("G")
      ->required();
  app.add_option(
         "--id-number", req->customer.id_number,
         "Applicant's security number (4-32 letters or digits; stored only as a keyed hash)")
      ->type_name("ID")
      ->required();
  app.add_option("--q1", req->answers.q1,
                 "Answer to question 1 (1-2000 characters; line breaks allowed)")
      ->type_name("TEXT")
      ->required();
  app.add_option("--q2", req->answers.q2,
                 "Answer to question 2 (1-2000 characters; line breaks allowed)")
      ->type_name("TEXT")
      ->required();
  app.add_option("--q3", req->answers.q3,
                 "Answer to question 3 (1-2000 characters; line breaks allowed)")
      ->type_name("TEXT")
      ->required();
  app.callback([&] {
    tool.set_action([req](Context& ctx, cli::Output& out) -> Status {
      TL_ASSIGN_OR_RETURN(Ticket t, apply_free(ctx, *req));
      out.json = {{"ticket", cli::ticket_json(t)}};
      out.quiet = t.code;
      out.text = "Applied for a free seat; the application waits for an operator's decision.\n" +
                 cli::ticket_text(t) + "\nFollow it with: tl-status " + t.code + "\n";
      return {};
    });
  });
  return tool.run(argc, argv);
}
