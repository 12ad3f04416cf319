// Bytes from the operating system's cryptographic generator (OpenSSL's
// RAND_bytes), with no fallback: when it fails, the caller fails.
// Internal to libticket.
#pragma once

#include <cstddef>
#include <string_view>

#include "ticket/error.h"

namespace ticket {

// Fills `out` with `n` random bytes. kInternal "cannot make <what>: ..."
// when the generator gives none (or the failpoint "random-bytes" is set).
Status random_bytes(unsigned char* out, size_t n, std::string_view what);

}  // namespace ticket
