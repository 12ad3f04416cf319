// The AUDIT_LOG details of scans at the gate. count_checkins (checkin.cc)
// classifies rows by how these begin: keep the two in step.
#pragma once

#include <string>

#include "ticket/timestamp.h"

namespace ticket::checkin_detail {

// checked_in, online.
inline std::string admitted(const std::string& gate) { return "gate " + gate; }

// checked_in from a journal; `revoked` when the ticket was cancelled by then.
inline std::string admitted_offline(Millis at, const std::string& gate, bool revoked) {
  return std::string(revoked ? "while revoked, " : "") + "offline at " + format_iso8601(at) +
         ", gate " + gate;
}

// checkin_refused: a second scan.
inline std::string already(Millis first_at, const std::string& first_gate,
                           const std::string& gate) {
  return "already: admitted at " + format_iso8601(first_at) + " through gate " + first_gate +
         "; scanned at gate " + gate;
}

// checkin_refused: a ticket cancelled since its pass was issued.
inline std::string revoked(const std::string& gate) {
  return "revoked: cancelled after issue; scanned at gate " + gate;
}

// checkin_conflict: a journal's admission of a ticket admitted elsewhere first.
inline std::string conflict(Millis at, const std::string& gate, Millis first_at,
                            const std::string& first_gate) {
  return "admitted offline at " + format_iso8601(at) + " through gate " + gate +
         ", but already admitted at " + format_iso8601(first_at) + " through gate " + first_gate;
}

}  // namespace ticket::checkin_detail
