// tl-admin keys generate | keys list: the keys that sign and verify passes.
#include <filesystem>

#include "admin/commands.h"
#include "ticket/passes.h"
#include "ticket/text.h"

namespace ticket::cli {

void add_keys_commands(Tool& tool) {
  CLI::App* keys =
      tool.app().add_subcommand("keys", "Make and list the keys that sign and verify passes");
  keys->require_subcommand(1);

  struct GenerateFlags {
    std::string id, dir;
  };
  auto f = std::make_shared<GenerateFlags>();
  CLI::App* generate = keys->add_subcommand(
      "generate", "Write a new signing key ID.key (mode 0600) and its public key line ID.pub");
  generate->add_option("--key-id", f->id, "Id of the key: 1 to 8 of A-Z, 0-9 and -")
      ->required()
      ->option_text("ID");
  generate->add_option("--out", f->dir, "Directory to write ID.key and ID.pub in")
      ->required()
      ->option_text("DIR");
  generate->callback([&tool, f] {
    tool.set_action([f](Context&, Output& out) -> Status {
      TL_ASSIGN_OR_RETURN(SigningKey key, generate_key_pair(f->id, f->dir));
      TL_ASSIGN_OR_RETURN(std::string line, public_key_line(key));
      const std::string base = (std::filesystem::path(f->dir) / key.id).string();
      out.json = {{"key_id", key.id},
                  {"signing_key_file", base + ".key"},
                  {"public_key_file", base + ".pub"},
                  {"verify_keys_line", line}};
      out.quiet = key.id;
      out.text = "Wrote " + printable(base) + ".key (the signing key, mode 0600) and " +
                 printable(base) +
                 ".pub (its line for [passes] verify_keys_file; cat *.pub > verify.keys).";
      return {};
    });
  });

  CLI::App* list = keys->add_subcommand(
      "list", "Show the keys whose passes verify ([passes] verify_keys_file) and which one signs");
  list->callback([&tool] {
    tool.set_action([](Context& ctx, Output& out) -> Status {
      TL_ASSIGN_OR_RETURN(VerifyKeys verify,
                          load_verify_keys(ctx.config().passes.verify_keys_file));
      std::string signing;
      if (!ctx.config().passes.signing_key_file.empty()) {
        TL_ASSIGN_OR_RETURN(SigningKey key, load_signing_key(ctx.config().passes.signing_key_file));
        signing = key.id;
      }
      out.json = {{"keys", nlohmann::json::array()},
                  {"signing_key", signing.empty() ? nlohmann::json() : nlohmann::json(signing)}};
      out.text = "KEY       SIGNS";
      for (const auto& [id, key] : verify) {
        out.json["keys"].push_back({{"key_id", id}, {"signs", id == signing}});
        out.text += "\n" + id + std::string(10 - id.size(), ' ') + (id == signing ? "yes" : "no");
        out.quiet += (out.quiet.empty() ? "" : "\n") + id;
      }
      if (!signing.empty() && verify.count(signing) == 0)
        out.text += "\nThe signing key " + signing +
                    " is not among the verify keys: its passes would not verify.";
      return {};
    });
  });
}

}  // namespace ticket::cli
