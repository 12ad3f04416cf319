// Admission at the gate (`tl-admin checkin`, docs/design.md §10): a pass
// verified with the public keys, then its ticket admitted once in MySQL, or
// by a gate without the servers in its journal, synced to MySQL later.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "ticket/context.h"
#include "ticket/passes.h"
#include "ticket/timestamp.h"

namespace ticket {

struct Checkin {
  enum class Result {
    kAdmitted,  // admitted now
    kAlready,   // admitted before: `at` and `gate` are that admission's
    kRevoked,   // the ticket is no longer SUCCESS (cancelled after issue)
  };
  Result result = Result::kAdmitted;
  PassContent pass;
  Millis at = 0;     // of the admission, for kAdmitted and kAlready
  std::string gate;  // likewise
};

// "admitted", "already", "revoked".
const char* checkin_result_name(Checkin::Result result);

// Whether `gate` may name a gate: 1 to 64 printable characters.
Status check_gate_name(const std::string& gate);

// Verifies `token` with [passes] verify_keys_file and admits its ticket at
// `gate` once: one CHECKINS row per ticket, with the `checked_in` audit
// row, under the ticket's row lock. Errors: kInvalid for a pass that does
// not verify (or a bad gate name), kConflict for a pass of another concert
// than `concert` (an id or slug) when given, kNotFound for a ticket MySQL
// does not have.
Result<Checkin> check_in(Context& ctx, std::string_view token, const std::string& gate,
                         const std::optional<std::string>& concert);

// --- Offline gates ----------------------------------------------------------

// A concert's revocation list: the codes of its tickets that a gate must
// refuse although their passes verify (cancelled after issue).
struct RevocationList {
  uint64_t concert_id = 0;
  std::string slug;
  Millis made = 0;
  std::set<std::string> codes;
};

// Writes the revocation list of `concert` (id or slug) to `path`, replacing
// it whole (a gate never reads half a list). kNotFound for an unknown
// concert, kInvalid when `path` cannot be written.
Result<RevocationList> write_revocation_list(Context& ctx, const std::string& concert,
                                             const std::string& path);

// Reads a list written by write_revocation_list; kInvalid, naming the file
// and line, for anything else (a truncated list included).
Result<RevocationList> read_revocation_list(const std::string& path);

// What a gate without the servers knows besides the public keys.
struct OfflineGate {
  std::string journal;                    // its journal file
  std::optional<RevocationList> revoked;  // the list it was given, if any
  std::optional<std::string> concert;     // --concert: an id, or the list's slug
};

// Verifies `token` and admits it at `gate` unless the journal already holds
// its ticket (kAlready, with that admission's time and gate) or the
// revocation list names it (kRevoked); an admission is one line appended to
// the journal and flushed to disk, under an exclusive lock of the file, so
// gates sharing one journal admit a ticket once. A pass of another concert
// than `--concert` or than the revocation list's is kConflict.
Result<Checkin> check_in_offline(const VerifyKeys& keys, std::string_view token,
                                 const std::string& gate, const OfflineGate& offline);

// One journal line as the sync found it.
struct SyncedAdmission {
  enum class Result {
    kAdmitted,      // recorded now
    kSyncedBefore,  // this very admission was recorded by an earlier sync
    kAlready,       // the ticket was admitted elsewhere first: a conflict
    kWhileRevoked,  // recorded (now or before), but the ticket was cancelled meanwhile: a
                    // conflict
  };
  Result result = Result::kAdmitted;
  PassContent pass;
  Millis at = 0;  // at the door, from the journal
  std::string gate;
  Millis first_at = 0;  // kAlready: the admission MySQL holds
  std::string first_gate;
};

// "admitted", "synced_before", "already", "admitted_while_revoked".
const char* synced_result_name(SyncedAdmission::Result result);

// Records the admissions of the journal at `path` in MySQL, each in its own
// transaction and once however often the journal is synced; its conflicts
// are reported by every sync. Every line is
// read and verified before anything is written: a line that is not a
// journal line or whose pass does not verify is kInvalid naming it.
Result<std::vector<SyncedAdmission>> sync_journal(Context& ctx, const std::string& path);

// --- Counts for /metrics ----------------------------------------------------

// Scans and their outcome by result ("admitted", "admitted_while_revoked",
// "already", "revoked", "conflict"), from the audit rows with ids in
// (after_id, upto_id], at most `max_rows` ids at a time so that a large log
// is read in steps. Ids are handed out before their transactions commit, so
// a caller passes as `upto_id` the `newest` of its previous call: a row is
// counted once it is a call old (a second for the daemon), never skipped
// because a later id committed first.
struct CheckinCounts {
  std::map<std::string, uint64_t> by_result;
  uint64_t last_id = 0;  // counted through this id: the next `after_id`
  uint64_t newest = 0;   // the newest audit id now: the next `upto_id`
};
Result<CheckinCounts> count_checkins(Context& ctx, uint64_t after_id, uint64_t upto_id,
                                     uint64_t max_rows);

}  // namespace ticket
