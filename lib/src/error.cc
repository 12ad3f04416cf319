#include "ticket/error.h"

namespace ticket {

std::string_view kind_name(ErrorKind kind) {
  switch (kind) {
    case ErrorKind::kInternal: return "internal";
    case ErrorKind::kInvalid: return "invalid";
    case ErrorKind::kConflict: return "conflict";
    case ErrorKind::kNotFound: return "not_found";
    case ErrorKind::kExpired: return "expired";
    case ErrorKind::kDrift: return "drift";
    case ErrorKind::kUnavailable: return "unavailable";
    case ErrorKind::kConfig: return "config";
  }
  return "internal";
}

Error Error::with_context(std::string_view context) const {
  return {kind_, std::string(context) + ": " + message_};
}

}  // namespace ticket
