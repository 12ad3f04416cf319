#include "ticket/customer.h"

#include <openssl/evp.h>
#include <openssl/hmac.h>

#include <algorithm>
#include <cstdio>
#include <string_view>

#include "customer_sql.h"
#include "ticket/text.h"

namespace ticket {
namespace {

// Finds or creates by id_hash; LAST_INSERT_ID(id) makes the existing row's
// id the statement's insert id, so one statement serves both cases. An
// existing row is left as it is: whoever gives a known security number
// cannot rewrite the details stored with it (each ticket keeps its own
// holder's details).
constexpr const char* kUpsert =
    "INSERT INTO CUSTOMERS (id_hash, id_last4, name, age, gender, created_at, updated_at)"
    " VALUES (UNHEX(?), ?, ?, ?, ?, NOW(3), NOW(3))"
    " ON DUPLICATE KEY UPDATE id = LAST_INSERT_ID(id)";

constexpr const char* kGenders[] = {"Male", "Female", "LGBT+", "Unspecified"};

struct Range {
  char32_t first;
  char32_t last;
};

// Space characters, trimmed from both ends of a name.
constexpr Range kSpaces[] = {{0x20, 0x20},     {0xA0, 0xA0},     {0x1680, 0x1680},
                             {0x2000, 0x200A}, {0x2028, 0x2029}, {0x202F, 0x202F},
                             {0x205F, 0x205F}, {0x3000, 0x3000}};

// Embeddings, overrides and isolates: they reorder the text printed after
// them, so a name could make a terminal or a listing show what it is not.
constexpr Range kBidiControls[] = {{0x202A, 0x202E}, {0x2066, 0x2069}};

// Characters that show nothing by themselves: format characters, fillers,
// blanks, variation selectors, tags, and the combining marks that only
// decorate the character before them.
constexpr Range kInvisible[] = {
    {0x00AD, 0x00AD},    // soft hyphen
    {0x034F, 0x034F},    // combining grapheme joiner
    {0x061C, 0x061C},    // Arabic letter mark
    {0x115F, 0x1160},    // Hangul fillers
    {0x17B4, 0x17B5},    // Khmer inherent vowels
    {0x180B, 0x180F},    // Mongolian variation selectors and vowel separator
    {0x200B, 0x200F},    // zero width space, (non-)joiner, direction marks
    {0x2060, 0x206F},    // word joiner, invisible operators, deprecated formats
    {0x2800, 0x2800},    // Braille blank
    {0x3164, 0x3164},    // Hangul filler
    {0xFE00, 0xFE0F},    // variation selectors
    {0xFEFF, 0xFEFF},    // zero width no-break space (BOM)
    {0xFFA0, 0xFFA0},    // halfwidth Hangul filler
    {0xFFF9, 0xFFFB},    // interlinear annotation
    {0x1D173, 0x1D17A},  // musical formatting
    {0xE0000, 0xE007F},  // tags
    {0xE0100, 0xE01EF},  // variation selectors supplement
    {0x0300, 0x036F},    // combining diacritical marks
    {0x0483, 0x0489},    // Cyrillic combining marks
    {0x0591, 0x05BD},    // Hebrew points and accents
    {0x05BF, 0x05BF},    // Hebrew rafe
    {0x05C1, 0x05C2},    // Hebrew shin and sin dots
    {0x05C4, 0x05C5},    // Hebrew upper and lower dots
    {0x05C7, 0x05C7},    // Hebrew qamats qatan
    {0x0610, 0x061A},    // Arabic signs
    {0x064B, 0x065F},    // Arabic harakat
    {0x0670, 0x0670},    // Arabic superscript alef
    {0x06D6, 0x06DC},    // Arabic small high ligatures
    {0x06DF, 0x06E4},    // Arabic small high marks
    {0x06E7, 0x06E8},    // Arabic small high yeh and noon
    {0x06EA, 0x06ED},    // Arabic empty centre stops, small low meem
    {0x1AB0, 0x1AFF},    // combining diacritical marks extended
    {0x1DC0, 0x1DFF},    // combining diacritical marks supplement
    {0x20D0, 0x20FF},    // combining marks for symbols
    {0xFE20, 0xFE2F},    // combining half marks
};

template <size_t N>
bool within(const Range (&ranges)[N], char32_t cp) {
  for (const Range& r : ranges) {
    if (cp >= r.first && cp <= r.last) return true;
  }
  return false;
}

// U+FDD0..U+FDEF and the last two code points of every plane: reserved
// for a program's own use, never to be exchanged as text.
bool is_noncharacter(char32_t cp) {
  return (cp >= 0xFDD0 && cp <= 0xFDEF) || (cp & 0xFFFE) == 0xFFFE;
}

std::string code_point_name(char32_t cp) {
  char buf[16];
  std::snprintf(buf, sizeof buf, "U+%04X", static_cast<unsigned>(cp));
  return buf;
}

// A code point and its length in bytes, from UTF-8 already checked valid.
struct Decoded {
  char32_t cp;
  size_t bytes;
};

Decoded decode(std::string_view s, size_t i) {
  const auto c = static_cast<unsigned char>(s[i]);
  const size_t n = c < 0x80 ? 1 : c < 0xE0 ? 2 : c < 0xF0 ? 3 : 4;
  char32_t cp = n == 1 ? c : n == 2 ? (c & 0x1F) : n == 3 ? (c & 0x0F) : (c & 0x07);
  for (size_t k = 1; k < n; ++k) cp = (cp << 6) | (static_cast<unsigned char>(s[i + k]) & 0x3F);
  return {cp, n};
}

// The name without the spaces around it, or why it cannot be a name. Takes
// printable UTF-8 (is_printable_utf8).
Result<std::string> check_name(std::string_view name) {
  size_t begin = name.size();
  size_t end = 0;
  bool visible = false;
  for (size_t i = 0; i < name.size();) {
    const Decoded d = decode(name, i);
    if (within(kBidiControls, d.cp))
      return invalid("--name must not contain bidirectional overrides or isolates, found " +
                     code_point_name(d.cp));
    if (is_noncharacter(d.cp))
      return invalid("--name must not contain Unicode noncharacters, found " +
                     code_point_name(d.cp));
    if (!within(kSpaces, d.cp)) {
      begin = std::min(begin, i);
      end = i + d.bytes;
      visible = visible || !within(kInvisible, d.cp);
    }
    i += d.bytes;
  }
  if (begin >= end) return invalid("--name must not be blank, got " + quote(name));
  if (!visible)
    return invalid("--name must have a visible character, not only invisible ones or marks");
  return std::string(name.substr(begin, end - begin));
}

}  // namespace

Result<Customer> validate_customer(const CustomerInput& in) {
  Customer c;
  if (in.name.empty() || utf8_length(in.name) > 255 || !is_printable_utf8(in.name))
    return invalid("--name must be 1 to 255 printable characters, got " + quote(in.name));
  TL_ASSIGN_OR_RETURN(c.name, check_name(in.name));
  const auto age = parse_int(in.age, 0, 150);
  if (!age) return invalid("--age must be a whole number from 0 to 150, got " + quote(in.age));
  c.age = static_cast<int>(*age);
  for (const char* g : kGenders) {
    if (to_lower(in.gender) == to_lower(g)) c.gender = g;
  }
  if (c.gender.empty())
    return invalid("--gender must be Male, Female, LGBT+ or Unspecified, got " + quote(in.gender));
  bool ok = in.id_number.size() >= 4 && in.id_number.size() <= 32;
  for (char ch : in.id_number) {
    ok = ok && ((ch >= '0' && ch <= '9') || (ch >= 'A' && ch <= 'Z') || (ch >= 'a' && ch <= 'z'));
  }
  if (!ok)
    return invalid("--id-number must be 4 to 32 letters or digits, got " + quote(in.id_number));
  c.id_number = to_upper(in.id_number);
  return c;
}

namespace {

// The stored form of a security number: HMAC-SHA256 under `secret`.
std::string customer_id_hash(const std::string& secret, const std::string& id_number) {
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  HMAC(EVP_sha256(), secret.data(), static_cast<int>(secret.size()),
       reinterpret_cast<const unsigned char*>(id_number.data()), id_number.size(), digest, &len);
  return std::string(reinterpret_cast<const char*>(digest), len);
}

}  // namespace

std::string mask_id(const std::string& last4) { return "****" + last4; }

uint64_t upsert_customer(Db& db, const std::string& secret, const Customer& customer) {
  auto& stmt = db.prepare(kUpsert);
  bind_customer(stmt, 1, secret, customer);
  stmt.execute();
  return db.last_insert_id();
}

void bind_customer(sql::PreparedStatement& stmt, int first, const std::string& secret,
                   const Customer& customer) {
  // In hexadecimal: a BLOB parameter would cost a message of its own.
  stmt.setString(first, to_hex(customer_id_hash(secret, customer.id_number)));
  stmt.setString(first + 1, customer.id_number.substr(customer.id_number.size() - 4));
  stmt.setString(first + 2, customer.name);
  stmt.setInt(first + 3, customer.age);
  stmt.setString(first + 4, customer.gender);
}

}  // namespace ticket
