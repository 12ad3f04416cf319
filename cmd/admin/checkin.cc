// tl-admin checkin: admission at the gate, online or from a journal, the
// revocation lists of offline gates, and the sync of their journals.
#include <unistd.h>

#include "admin/commands.h"
#include "ticket/checkin.h"
#include "ticket/text.h"

namespace ticket::cli {
namespace {

struct Flags {
  std::string pass, gate, concert, journal, out, sync;
  std::vector<std::string> revoked;  // empty (or one empty string) with --revoked alone
  bool offline = false;
};

// The host's name, the gate when none is given.
std::string host_gate() {
  char name[256] = {};
  if (::gethostname(name, sizeof name - 1) != 0 || name[0] == '\0') return "gate";
  return std::string(name).substr(0, 64);
}

std::string when(Millis at) { return at ? format_iso8601(at) : std::string(); }

// The answer to one scan, online or offline.
Status report_scan(const Tool& tool, Output& out, const Checkin& c, const std::string& where,
                   const std::string& revoked_why) {
  out.json = {{"checkin",
               {{"result", checkin_result_name(c.result)},
                {"ticket", c.pass.code},
                {"concert_id", c.pass.concert_id},
                {"seats", seat_labels(c.pass.seats)},
                {"at", c.at ? nlohmann::json(when(c.at)) : nlohmann::json()},
                {"gate", c.gate.empty() ? nlohmann::json() : nlohmann::json(c.gate)},
                {"offline", !where.empty()}}}};
  out.quiet = checkin_result_name(c.result);
  std::optional<Error> refusal;
  switch (c.result) {
    case Checkin::Result::kAdmitted:
      out.text = "ADMITTED " + c.pass.code + ", concert " + std::to_string(c.pass.concert_id) +
                 ", seats " + seat_labels(c.pass.seats) + ", at " + when(c.at) + " through gate " +
                 c.gate + where;
      return {};
    case Checkin::Result::kAlready:
      refusal = conflict("ticket " + c.pass.code + " is already admitted at " + when(c.at) +
                         " through gate " + c.gate + where);
      break;
    case Checkin::Result::kRevoked:
      refusal = expired("ticket " + c.pass.code + " is " + revoked_why + ": refused");
      break;
  }
  if (!tool.json()) return *refusal;
  out.exit_code = refusal->exit_code();
  return {};
}

Status online(Context& ctx, const Tool& tool, Output& out, const Flags& f, bool concert) {
  TL_ASSIGN_OR_RETURN(Checkin c,
                      check_in(ctx, f.pass, f.gate,
                               concert ? std::optional<std::string>(f.concert) : std::nullopt));
  return report_scan(tool, out, c, "", "no longer valid (cancelled after its pass was issued)");
}

Status offline(Context& ctx, const Tool& tool, Output& out, const Flags& f, bool concert) {
  OfflineGate gate;
  gate.journal = f.journal;
  if (concert) gate.concert = f.concert;
  if (!f.revoked.empty()) {
    TL_ASSIGN_OR_RETURN(gate.revoked, read_revocation_list(f.revoked[0]));
  }
  TL_ASSIGN_OR_RETURN(VerifyKeys keys, load_verify_keys(ctx.config().passes.verify_keys_file));
  TL_ASSIGN_OR_RETURN(Checkin c, check_in_offline(keys, f.pass, f.gate, gate));
  const std::string made = gate.revoked ? format_iso8601(gate.revoked->made) : std::string();
  return report_scan(tool, out, c, " (offline, journal " + quote(f.journal) + ")",
                     "on the revocation list made " + made);
}

Status revocation_list(Context& ctx, Output& out, const Flags& f) {
  TL_ASSIGN_OR_RETURN(RevocationList list, write_revocation_list(ctx, f.concert, f.out));
  out.json = {{"revoked",
               {{"concert_id", list.concert_id},
                {"slug", list.slug},
                {"made", format_iso8601(list.made)},
                {"tickets", list.codes.size()},
                {"out", f.out}}}};
  out.quiet = std::to_string(list.codes.size());
  out.text = "revocation list of " + list.slug + " (concert " + std::to_string(list.concert_id) +
             "): " + std::to_string(list.codes.size()) + " ticket" +
             (list.codes.size() == 1 ? "" : "s") + " to refuse (cancelled or rejected), made " +
             format_iso8601(list.made) + ", written to " + f.out;
  return {};
}

Status sync(Context& ctx, Output& out, const Flags& f) {
  TL_ASSIGN_OR_RETURN(std::vector<SyncedAdmission> lines, sync_journal(ctx, f.sync));
  std::map<std::string, int> counts;
  nlohmann::json conflicts = nlohmann::json::array();
  std::string text;
  for (const SyncedAdmission& a : lines) {
    ++counts[synced_result_name(a.result)];
    const std::string door =
        a.pass.code + " admitted offline at " + when(a.at) + " through gate " + a.gate;
    if (a.result == SyncedAdmission::Result::kAlready) {
      text += "CONFLICT " + door + ", but already admitted at " + when(a.first_at) +
              " through gate " + a.first_gate + "\n";
    } else if (a.result == SyncedAdmission::Result::kWhileRevoked) {
      text += "CONFLICT " + door +
              ", but cancelled after its pass was issued: recorded as admitted while revoked\n";
    } else {
      continue;
    }
    conflicts.push_back({{"ticket", a.pass.code},
                         {"concert_id", a.pass.concert_id},
                         {"seats", seat_labels(a.pass.seats)},
                         {"result", synced_result_name(a.result)},
                         {"at", when(a.at)},
                         {"gate", a.gate},
                         {"first_at", a.first_at ? nlohmann::json(when(a.first_at)) : nullptr},
                         {"first_gate", a.first_at ? nlohmann::json(a.first_gate) : nullptr}});
  }
  const int admitted = counts["admitted"], before = counts["synced_before"];
  const size_t n = conflicts.size();
  out.json = {{"sync",
               {{"journal", f.sync},
                {"admitted", admitted},
                {"synced_before", before},
                {"conflicts", conflicts}}}};
  out.quiet = std::to_string(n);
  out.text = text + "synced " + f.sync + ": " + std::to_string(admitted) + " admitted, " +
             std::to_string(before) + " synced before, " + std::to_string(n) + " conflict" +
             (n == 1 ? "" : "s");
  if (n > 0) out.exit_code = static_cast<int>(ErrorKind::kConflict);
  return {};
}

}  // namespace

void add_checkin_command(Tool& tool) {
  auto f = std::make_shared<Flags>();
  CLI::App* cmd = tool.app().add_subcommand(
      "checkin",
      "Admit a pass's ticket at the gate, once: verified with the public keys; offline gates "
      "keep a journal and sync it later");
  cmd->add_option("PASS", f->pass, "The pass, as scanned at the gate")->type_name("");
  cmd->add_option("--gate", f->gate, "Name of the gate (default: this host's name)")
      ->option_text("NAME");
  cmd->add_option("--concert", f->concert,
                  "Refuse passes of other concerts (id or slug); the concert of --revoked")
      ->option_text("C");
  cmd->add_flag("--offline", f->offline,
                "Admit without MySQL or Redis, in the --journal file (public keys only)");
  cmd->add_option("--journal", f->journal, "With --offline: this gate's journal of admissions")
      ->option_text("FILE");
  cmd->add_option("--revoked", f->revoked,
                  "With --offline: refuse the passes on this revocation list. Alone, with "
                  "--concert and --out: write the concert's list")
      ->expected(0, 1)
      ->allow_extra_args(false)
      ->option_text("[LIST]");
  cmd->add_option("--out", f->out, "With --revoked: the file to write the list to")
      ->option_text("LIST");
  cmd->add_option("--sync", f->sync,
                  "Record an offline gate's journal in MySQL and report its conflicts")
      ->option_text("FILE");
  cmd->callback([&tool, f, cmd] {
    auto given = [cmd](const char* name) { return cmd->count(name) > 0; };
    const bool concert = given("--concert");
    if (!given("--gate")) f->gate = host_gate();
    // Thrown during parsing, so the usage error is exit 2 before any
    // configuration is read.
    auto refuse = [](const std::string& message) { throw CLI::ValidationError(message); };
    auto only = [&](const char* mode, std::initializer_list<const char*> allowed) {
      for (const char* name : {"PASS", "--gate", "--concert", "--offline", "--journal", "--revoked",
                               "--out", "--sync"}) {
        if (std::string(name) == mode || !given(name)) continue;
        if (std::find_if(allowed.begin(), allowed.end(),
                         [name](const char* a) { return std::string(a) == name; }) != allowed.end())
          continue;
        refuse(std::string(name) + " does not go with " + mode);
      }
    };
    if (given("--sync")) {
      only("--sync", {});
      tool.set_action([f](Context& ctx, Output& out) { return sync(ctx, out, *f); });
    } else if (given("--revoked") && (f->revoked.empty() || f->revoked[0].empty())) {
      f->revoked.clear();
      only("--revoked", {"--concert", "--out"});
      if (!concert || !given("--out"))
        refuse("--revoked alone writes a list: give --concert C and --out LIST");
      tool.set_action([f](Context& ctx, Output& out) { return revocation_list(ctx, out, *f); });
    } else if (given("--offline")) {
      only("--offline", {"PASS", "--gate", "--concert", "--journal", "--revoked"});
      if (!given("--journal")) refuse("--offline needs --journal FILE, where admissions are kept");
      if (!given("PASS")) refuse("checkin needs a PASS");
      tool.set_action([&tool, f, concert](Context& ctx, Output& out) {
        return offline(ctx, tool, out, *f, concert);
      });
    } else {
      for (const char* name : {"--journal", "--revoked"})
        if (given(name)) refuse(std::string(name) + " goes with --offline");
      if (given("--out")) refuse("--out goes with --revoked");
      if (!given("PASS")) refuse("checkin needs a PASS");
      tool.set_action([&tool, f, concert](Context& ctx, Output& out) {
        return online(ctx, tool, out, *f, concert);
      });
    }
  });
}

}  // namespace ticket::cli
