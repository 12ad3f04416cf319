// Customers: known only by the HMAC-SHA256 of their security
// number under the secret, plus its last 4 characters for display.
#pragma once

#include <cstdint>
#include <string>

#include "ticket/context.h"

namespace ticket {

// As typed on the command line, unchecked.
struct CustomerInput {
  std::string name;
  std::string age;
  std::string gender;
  std::string id_number;
};

struct Customer {
  std::string name;       // 1-255 printable characters, trimmed, with a visible one
  int age = 0;            // 0-150
  std::string gender;     // "Male", "Female", "LGBT+" or "Unspecified"
  std::string id_number;  // 4-32 letters or digits, upper case
};

// Checks every field; the first problem is a kInvalid naming the flag. The
// name loses the spaces around it and is refused when it is then blank, has
// a bidirectional embedding, override or isolate (U+202A-U+202E,
// U+2066-U+2069) or a noncharacter (U+FDD0-U+FDEF, U+xFFFE, U+xFFFF), or
// shows nothing: only invisible characters (U+200B, U+2060, U+FEFF, U+00AD,
// ...) or combining marks.
Result<Customer> validate_customer(const CustomerInput& input);

// "****1234": what may be shown of a security number.
std::string mask_id(const std::string& last4);

}  // namespace ticket
