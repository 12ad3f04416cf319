#include "ticket/ticket_state.h"

#include <utility>

namespace ticket {
namespace {

template <class E>
using Names = std::pair<E, std::string_view>;

constexpr Names<Zone> kZoneNames[] = {{Zone::kBuy, "BUY"}, {Zone::kFree, "FREE"}};
constexpr Names<TicketStatus> kStatusNames[] = {{TicketStatus::kProcess, "PROCESS"},
                                                {TicketStatus::kSuccess, "SUCCESS"},
                                                {TicketStatus::kFail, "FAIL"}};
constexpr Names<FailReason> kReasonNames[] = {{FailReason::kNone, ""},
                                              {FailReason::kExpired, "EXPIRED"},
                                              {FailReason::kRejected, "REJECTED"},
                                              {FailReason::kCancelled, "CANCELLED"}};

template <class E, size_t N>
std::string_view name_of(const Names<E> (&names)[N], E value) {
  for (const auto& [v, name] : names) {
    if (v == value) return name;
  }
  return "";
}

template <class E, size_t N>
std::optional<E> value_of(const Names<E> (&names)[N], std::string_view text) {
  for (const auto& [v, name] : names) {
    if (name == text) return v;
  }
  return std::nullopt;
}

}  // namespace

std::string_view zone_name(Zone zone) { return name_of(kZoneNames, zone); }
std::string_view status_name(TicketStatus status) { return name_of(kStatusNames, status); }
std::string_view reason_name(FailReason reason) { return name_of(kReasonNames, reason); }

std::optional<Zone> parse_zone(std::string_view text) { return value_of(kZoneNames, text); }
std::optional<TicketStatus> parse_status(std::string_view text) {
  return value_of(kStatusNames, text);
}
std::optional<FailReason> parse_reason(std::string_view text) {
  return value_of(kReasonNames, text);
}

std::string status_text(TicketStatus status, FailReason reason) {
  std::string out(status_name(status));
  if (reason != FailReason::kNone) out += " (" + std::string(reason_name(reason)) + ")";
  return out;
}

}  // namespace ticket
