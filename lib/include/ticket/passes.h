// Passes: what a gate scans to admit a ticket (docs/design.md §10). A pass
// is a signed token a gate verifies with the public keys alone.
//
//   TL1:<key id>:<ticket code>:<concert id>:<zone B|F>:<seats>:<issued>:<signature>
//
// <seats> lists the ticket's seats: groups joined by "+", each a row's
// letters (none in the free zone) and its seat numbers joined by ".", a run
// of numbers written "first/last": "A12/15.18+B3" is A12 to A15, A18 and B3.
// <issued> is seconds since the epoch. <signature> is the Ed25519 signature
// of everything before it (the text up to and without the last ":"), in
// base32 (RFC 4648, no padding). Every character is of the QR alphanumeric
// set, and a token is at most 200 characters.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "ticket/context.h"
#include "ticket/error.h"
#include "ticket/seat_label.h"

namespace ticket {

inline constexpr size_t kMaxPassChars = 200;

// What a pass says.
struct PassContent {
  std::string key_id;
  std::string code;
  uint64_t concert_id = 0;
  Zone zone = Zone::kBuy;
  std::vector<Seat> seats;  // in order
  int64_t issued_s = 0;
};

// A private key that signs passes, and its id.
struct SigningKey {
  std::string id;
  std::string seed;  // the 32 bytes of the Ed25519 private key
};

// The public keys whose passes verify, by id (32 bytes each).
using VerifyKeys = std::map<std::string, std::string>;

// Whether `id` is a key id: 1 to 8 upper-case letters, digits and "-",
// starting with a letter or a digit.
bool is_key_id(std::string_view id);

// The token of `content`, signed with `key` (content.key_id is key.id).
// kInvalid when the seats make it longer than kMaxPassChars.
Result<std::string> make_pass(const SigningKey& key, const PassContent& content);

// What `token` says when it is a pass signed by one of `keys`. Anything
// else is kInvalid "not a valid pass: <why>" (garbled, forged, of a key not
// listed); the token is never echoed whole.
Result<PassContent> verify_pass(const VerifyKeys& keys, std::string_view token);

// Keys on disk. A signing key file is named <key id>.key and holds the
// private key in PEM (PKCS #8), readable by its owner only. A verify-keys
// file has one line per key, "<key id> <public key in base64>"; blank lines
// and lines starting with "#" are skipped. Errors are kConfig naming the
// file.
Result<SigningKey> load_signing_key(const std::string& path);
Result<VerifyKeys> load_verify_keys(const std::string& path);

// The line of the verify-keys file for `key`'s public key.
Result<std::string> public_key_line(const SigningKey& key);

// Writes <dir>/<id>.key (mode 0600) and <dir>/<id>.pub (its public key's
// line) for a new key pair. kInvalid for a bad id or when either file
// exists; kConfig when the directory cannot be written.
Result<SigningKey> generate_key_pair(const std::string& id, const std::string& dir);

// The pass of ticket `code`, issued now and signed with [passes]
// signing_key_file. Only a SUCCESS ticket (paid, or a granted free seat)
// has one: any other is kExpired saying why.
Result<std::string> issue_pass(Context& ctx, std::string_view code);

}  // namespace ticket
