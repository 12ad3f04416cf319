// Gates without the servers: revocation lists, journals and their sync
// (docs/design.md §10).
#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "audit_sql.h"
#include "checkin_detail.h"
#include "db.h"
#include "stored_values.h"
#include "ticket/audit.h"
#include "ticket/checkin.h"
#include "ticket/concerts.h"
#include "ticket/files.h"
#include "ticket/text.h"
#include "ticket/tickets.h"

namespace ticket {
namespace {

constexpr std::string_view kListHeader = "# TicketLemon revocation list 1";
constexpr std::string_view kJournalHeader = "# TicketLemon gate journal 1";
// Larger than any list or journal of a concert (a million codes take 12 MB).
constexpr size_t kMaxFileBytes = size_t{256} << 20;

// Tickets that were SUCCESS at some point and are not any more: every FAIL
// that is not an expired hold (a hold never had a pass).
constexpr const char* kRevokedCodes =
    "SELECT code FROM TICKETS WHERE concert_id = ? AND status = 'FAIL' "
    "AND (reason IS NULL OR reason <> 'EXPIRED') ORDER BY code";
constexpr const char* kLock = "SELECT id, status FROM TICKETS WHERE code = ? FOR UPDATE";
constexpr const char* kFind =
    "SELECT CAST(UNIX_TIMESTAMP(at) * 1000 AS SIGNED), gate, while_revoked FROM CHECKINS "
    "WHERE ticket_id = ?";
constexpr const char* kInsert =
    "INSERT INTO CHECKINS (ticket_id, concert_id, at, gate, actor, offline, while_revoked) "
    "VALUES (?, ?, ?, ?, ?, 1, ?)";
constexpr const char* kConflictRecorded =
    "SELECT 1 FROM AUDIT_LOG WHERE ticket_code = ? AND action = ? AND detail = ? LIMIT 1";

std::vector<std::string_view> split(std::string_view s, char sep) {
  std::vector<std::string_view> out;
  for (size_t start = 0;;) {
    const size_t end = s.find(sep, start);
    out.push_back(s.substr(start, end == std::string_view::npos ? end : end - start));
    if (end == std::string_view::npos) return out;
    start = end + 1;
  }
}

// The lines of `text`, each with its number; kInvalid when the last one is
// not ended (a write cut short), naming `what`.
Result<std::vector<std::string_view>> whole_lines(std::string_view text, const std::string& what) {
  if (!text.empty() && text.back() != '\n')
    return invalid(what + " ends with a line cut short (line " +
                   std::to_string(split(text, '\n').size()) + ")");
  std::vector<std::string_view> lines = split(text, '\n');
  lines.pop_back();  // after the last '\n'
  return lines;
}

std::string line_of(const std::string& what, size_t index) {
  return what + " line " + std::to_string(index + 1);
}

// One admission as the journal holds it: time at the door, gate, code, pass.
struct JournalLine {
  Millis at = 0;
  std::string gate;
  std::string code;
  std::string token;
};

Result<std::vector<JournalLine>> parse_journal(std::string_view text, const std::string& path) {
  const std::string what = "journal " + quote(path);
  TL_ASSIGN_OR_RETURN(auto lines, whole_lines(text, what));
  std::vector<JournalLine> out;
  if (lines.empty()) return out;
  if (lines.front() != kJournalHeader)
    return invalid(what + " is not a gate journal (its first line is not \"" +
                   std::string(kJournalHeader) + "\")");
  for (size_t i = 1; i < lines.size(); ++i) {
    const auto fields = split(lines[i], '\t');
    auto at = fields.size() == 4 ? parse_iso8601(fields[0]) : Result<Millis>(invalid(""));
    JournalLine line;
    if (at.ok()) {
      line.at = *at;
      line.gate = std::string(fields[1]);
      line.code = std::string(fields[2]);
      line.token = std::string(fields[3]);
    }
    if (!at.ok() || !check_gate_name(line.gate).ok() || !parse_ticket_code(line.code).ok() ||
        line.token.empty())
      return invalid(line_of(what, i) + " is not an admission (time, gate, ticket, pass)");
    out.push_back(std::move(line));
  }
  return out;
}

// An open journal, locked exclusively until destroyed.
class LockedJournal {
 public:
  static Result<LockedJournal> open(const std::string& path) {
    const int fd = ::open(path.c_str(), O_RDWR | O_CREAT | O_APPEND | O_CLOEXEC, 0600);
    if (fd < 0) return invalid("cannot open journal " + quote(path) + ": " + std::strerror(errno));
    LockedJournal j(fd, path);
    while (flock(fd, LOCK_EX) != 0) {
      if (errno != EINTR)
        return invalid("cannot lock journal " + quote(path) + ": " + std::strerror(errno));
    }
    return j;
  }
  LockedJournal(LockedJournal&& other) noexcept : fd_(other.fd_), path_(std::move(other.path_)) {
    other.fd_ = -1;
  }
  LockedJournal(const LockedJournal&) = delete;
  LockedJournal& operator=(const LockedJournal&) = delete;
  LockedJournal& operator=(LockedJournal&&) = delete;
  ~LockedJournal() {
    if (fd_ >= 0) ::close(fd_);  // releases the lock
  }

  Result<std::string> read_all() {
    std::string out;
    char buf[65536];
    for (off_t offset = 0;;) {
      const ssize_t n = ::pread(fd_, buf, sizeof buf, offset);
      if (n < 0 && errno == EINTR) continue;
      if (n < 0)
        return invalid("cannot read journal " + quote(path_) + ": " + std::strerror(errno));
      if (n == 0) return out;
      out.append(buf, static_cast<size_t>(n));
      offset += n;
      if (out.size() > kMaxFileBytes)
        return invalid("journal " + quote(path_) + " is too large: start a new one");
    }
  }

  // Appends `text` in one write and flushes it to disk.
  Status append(const std::string& text) {
    const ssize_t n = ::write(fd_, text.data(), text.size());
    if (n != static_cast<ssize_t>(text.size()) || ::fdatasync(fd_) != 0)
      return unavailable("cannot write journal " + quote(path_) + ": " +
                         std::strerror(n < 0 ? errno : EIO));
    return {};
  }

 private:
  LockedJournal(int fd, std::string path) : fd_(fd), path_(std::move(path)) {}
  int fd_;
  std::string path_;
};

// The concert a gate's --concert names: an id, or the revocation list's slug.
Result<uint64_t> offline_concert_id(const OfflineGate& offline) {
  const std::string& c = *offline.concert;
  if (auto id = parse_int(c, 1, INT64_MAX)) return static_cast<uint64_t>(*id);
  if (offline.revoked && offline.revoked->slug == c) return offline.revoked->concert_id;
  return invalid("offline, --concert takes the concert's id" +
                 std::string(offline.revoked
                                 ? " or the revocation list's slug " + quote(offline.revoked->slug)
                                 : std::string()) +
                 ", got " + quote(c));
}

}  // namespace

Result<RevocationList> write_revocation_list(Context& ctx, const std::string& concert,
                                             const std::string& path) {
  TL_ASSIGN_OR_RETURN(Concert c, find_concert(ctx, concert));
  TL_ASSIGN_OR_RETURN(Db * db, ctx.db());
  RevocationList list;
  list.concert_id = c.id;
  list.slug = c.slug;
  list.made = wall_clock_ms();
  TL_TRY(db->transaction([&]() -> Status {
    auto& stmt = db->prepare(kRevokedCodes);
    stmt.setUInt64(1, c.id);
    ResultSetPtr rs = db->query(stmt);
    while (rs->next()) list.codes.insert(rs->getString(1));
    return {};
  }));
  std::string text = std::string(kListHeader) + "\n# concert " + std::to_string(c.id) + " " +
                     c.slug + "\n# made " + format_iso8601(list.made) + "\n";
  for (const std::string& code : list.codes) text += code + "\n";
  text += "# end " + std::to_string(list.codes.size()) + "\n";
  TL_TRY(replace_file(path, text));
  return list;
}

Result<RevocationList> read_revocation_list(const std::string& path) {
  const std::string what = "revocation list " + quote(path);
  TL_ASSIGN_OR_RETURN(std::string text, read_whole_file(path, "revocation list", kMaxFileBytes));
  TL_ASSIGN_OR_RETURN(auto lines, whole_lines(text, what));
  if (lines.empty() || lines.front() != kListHeader)
    return invalid(what + " is not a revocation list (its first line is not \"" +
                   std::string(kListHeader) + "\")");
  RevocationList list;
  const auto concert = lines.size() > 1 ? split(lines[1], ' ') : std::vector<std::string_view>{};
  const auto id = concert.size() == 4 && concert[0] == "#" && concert[1] == "concert"
                      ? parse_int(concert[2], 1, INT64_MAX)
                      : std::nullopt;
  if (!id) return invalid(line_of(what, 1) + " does not name the concert");
  list.concert_id = static_cast<uint64_t>(*id);
  list.slug = std::string(concert[3]);
  const auto made = lines.size() > 2 && lines[2].substr(0, 7) == "# made "
                        ? parse_iso8601(lines[2].substr(7))
                        : Result<Millis>(invalid(""));
  if (!made.ok()) return invalid(line_of(what, 2) + " does not say when it was made");
  list.made = *made;
  for (size_t i = 3; i < lines.size(); ++i) {
    const std::string_view line = lines[i];
    if (line.substr(0, 6) == "# end ") {
      const auto count = parse_int(line.substr(6), 0, INT64_MAX);
      if (!count || static_cast<size_t>(*count) != list.codes.size() || i + 1 != lines.size())
        return invalid(what + " is damaged: its end line does not match its " +
                       std::to_string(list.codes.size()) + " codes");
      return list;
    }
    if (!parse_ticket_code(line).ok() || line != to_upper(std::string(line)))
      return invalid(line_of(what, i) + " is not a ticket code");
    list.codes.insert(std::string(line));
  }
  return invalid(what + " is incomplete: it has no end line (copied only in part?)");
}

Result<Checkin> check_in_offline(const VerifyKeys& keys, std::string_view token,
                                 const std::string& gate, const OfflineGate& offline) {
  TL_TRY(check_gate_name(gate));
  TL_ASSIGN_OR_RETURN(PassContent pass, verify_pass(keys, token));
  const std::string of_concert =
      "ticket " + pass.code + " is a pass of concert " + std::to_string(pass.concert_id);
  if (offline.concert) {
    TL_ASSIGN_OR_RETURN(const uint64_t id, offline_concert_id(offline));
    if (id != pass.concert_id) return conflict(of_concert + ", not of " + *offline.concert);
  }
  Checkin out;
  out.pass = pass;
  if (offline.revoked) {
    if (offline.revoked->concert_id != pass.concert_id)
      return conflict(of_concert + ", but the revocation list is of concert " +
                      std::to_string(offline.revoked->concert_id) + " (" + offline.revoked->slug +
                      ")");
    if (offline.revoked->codes.count(pass.code) > 0) {
      out.result = Checkin::Result::kRevoked;
      return out;
    }
  }
  TL_ASSIGN_OR_RETURN(LockedJournal journal, LockedJournal::open(offline.journal));
  TL_ASSIGN_OR_RETURN(std::string text, journal.read_all());
  TL_ASSIGN_OR_RETURN(std::vector<JournalLine> lines, parse_journal(text, offline.journal));
  for (const JournalLine& line : lines) {
    if (line.code != pass.code) continue;
    out.result = Checkin::Result::kAlready;
    out.at = line.at;
    out.gate = line.gate;
    return out;
  }
  out.result = Checkin::Result::kAdmitted;
  out.at = wall_clock_ms();
  out.gate = gate;
  std::string append = text.empty() ? std::string(kJournalHeader) + "\n" : std::string();
  append +=
      format_iso8601(out.at) + "\t" + gate + "\t" + pass.code + "\t" + std::string(token) + "\n";
  TL_TRY(journal.append(append));
  return out;
}

const char* synced_result_name(SyncedAdmission::Result result) {
  switch (result) {
    case SyncedAdmission::Result::kAdmitted: return "admitted";
    case SyncedAdmission::Result::kSyncedBefore: return "synced_before";
    case SyncedAdmission::Result::kAlready: return "already";
    case SyncedAdmission::Result::kWhileRevoked: return "admitted_while_revoked";
  }
  return "admitted";
}

Result<std::vector<SyncedAdmission>> sync_journal(Context& ctx, const std::string& path) {
  TL_ASSIGN_OR_RETURN(std::string text, read_whole_file(path, "journal", kMaxFileBytes));
  TL_ASSIGN_OR_RETURN(std::vector<JournalLine> lines, parse_journal(text, path));
  TL_ASSIGN_OR_RETURN(VerifyKeys keys, load_verify_keys(ctx.config().passes.verify_keys_file));
  std::vector<SyncedAdmission> out;
  for (size_t i = 0; i < lines.size(); ++i) {
    auto pass = verify_pass(keys, lines[i].token);
    if (!pass.ok())
      return invalid(line_of("journal " + quote(path), i + 1) + ": " + pass.error().message());
    if (pass->code != lines[i].code)
      return invalid(line_of("journal " + quote(path), i + 1) + " names ticket " + lines[i].code +
                     " but holds a pass of " + pass->code);
    SyncedAdmission a;
    a.pass = std::move(*pass);
    a.at = lines[i].at;
    a.gate = lines[i].gate;
    out.push_back(std::move(a));
  }
  TL_ASSIGN_OR_RETURN(Db * db, ctx.db());
  for (SyncedAdmission& a : out) {
    TL_TRY(db->transaction([&]() -> Status {
      auto& lock = db->prepare(kLock);
      lock.setString(1, a.pass.code);
      ResultSetPtr rs = db->query(lock);
      if (!rs->next())
        return not_found("no ticket " + a.pass.code + " (its pass verifies): is this the " +
                         "database the journal's passes were issued from?");
      const uint64_t id = rs->getUInt64(1);
      TL_ASSIGN_OR_RETURN(const TicketStatus status, stored_status(*rs, 2));
      auto& find = db->prepare(kFind);
      find.setUInt64(1, id);
      ResultSetPtr first = db->query(find);
      if (first->next()) {
        a.first_at = first->getInt64(1);
        a.first_gate = first->getString(2);
        if (a.first_at == a.at && a.first_gate == a.gate) {
          // Recorded by an earlier sync; a conflict is reported every time.
          a.result = first->getInt(3) != 0 ? SyncedAdmission::Result::kWhileRevoked
                                           : SyncedAdmission::Result::kSyncedBefore;
          return {};
        }
        a.result = SyncedAdmission::Result::kAlready;
        const std::string detail = checkin_detail::conflict(a.at, a.gate, a.first_at, a.first_gate);
        auto& seen = db->prepare(kConflictRecorded);
        seen.setString(1, a.pass.code);
        seen.setString(2, action::kCheckinConflict);
        seen.setString(3, detail);
        if (!db->query(seen)->next())
          record_audit(*db, ctx.actor(),
                       {action::kCheckinConflict, a.pass.concert_id, id, a.pass.code, detail});
        return {};
      }
      const bool revoked = status != TicketStatus::kSuccess;
      auto& insert = db->prepare(kInsert);
      insert.setUInt64(1, id);
      insert.setUInt64(2, a.pass.concert_id);
      insert.setString(3, to_sql_datetime(a.at));
      insert.setString(4, a.gate);
      insert.setString(5, ctx.actor());
      insert.setInt(6, revoked ? 1 : 0);
      insert.execute();
      record_audit(*db, ctx.actor(),
                   {action::kCheckedIn, a.pass.concert_id, id, a.pass.code,
                    checkin_detail::admitted_offline(a.at, a.gate, revoked)});
      a.result =
          revoked ? SyncedAdmission::Result::kWhileRevoked : SyncedAdmission::Result::kAdmitted;
      return {};
    }));
  }
  return out;
}

}  // namespace ticket
