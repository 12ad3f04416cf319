// A ticket's state as types: its zone, its status PROCESS -> SUCCESS | FAIL
// and, once it failed, why. Each value has one text, the one MySQL stores,
// the tools print and operators type; the conversions below are the only
// place where text and value meet.
#pragma once

#include <array>
#include <optional>
#include <string>
#include <string_view>

namespace ticket {

// The paid zone (BUY) or the free one (FREE).
enum class Zone { kBuy, kFree };

// PROCESS: held and not yet paid, or applied for and not yet decided.
// SUCCESS: paid, or granted a seat. FAIL: over, for a FailReason.
enum class TicketStatus { kProcess, kSuccess, kFail };

// Why a ticket failed; kNone while it has not.
enum class FailReason { kNone, kExpired, kRejected, kCancelled };

inline constexpr std::array<Zone, 2> kZones = {Zone::kBuy, Zone::kFree};
inline constexpr std::array<TicketStatus, 3> kTicketStatuses = {
    TicketStatus::kProcess, TicketStatus::kSuccess, TicketStatus::kFail};
inline constexpr std::array<FailReason, 3> kFailReasons = {
    FailReason::kExpired, FailReason::kRejected, FailReason::kCancelled};

// "BUY", "FREE"; "PROCESS", "SUCCESS", "FAIL"; "EXPIRED", "REJECTED",
// "CANCELLED" and "" for kNone.
std::string_view zone_name(Zone zone);
std::string_view status_name(TicketStatus status);
std::string_view reason_name(FailReason reason);

// The value whose text is exactly `text` (upper case, as above); nullopt for
// any other text. parse_reason("") is kNone.
std::optional<Zone> parse_zone(std::string_view text);
std::optional<TicketStatus> parse_status(std::string_view text);
std::optional<FailReason> parse_reason(std::string_view text);

// "SUCCESS", or "FAIL (EXPIRED)" when there is a reason.
std::string status_text(TicketStatus status, FailReason reason);

}  // namespace ticket
