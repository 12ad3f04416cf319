#include "random_bytes.h"

#include <openssl/err.h>
#include <openssl/rand.h>

#include <string>

#include "ticket/failpoint.h"

namespace ticket {

Status random_bytes(unsigned char* out, size_t n, std::string_view what) {
  if (!failpoint_refuses("random-bytes") && RAND_bytes(out, static_cast<int>(n)) == 1) return {};
  std::string why = "the system's random generator gave no bytes";
  if (const unsigned long err = ERR_get_error(); err != 0) {
    char text[256];
    ERR_error_string_n(err, text, sizeof text);
    why += std::string(" (") + text + ")";
  }
  return internal("cannot make " + std::string(what) + ": " + why);
}

}  // namespace ticket
