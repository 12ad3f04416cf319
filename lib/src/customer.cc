#include "ticket/customer.h"

#include <openssl/evp.h>
#include <openssl/hmac.h>

#include <sstream>

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
    " VALUES (?, ?, ?, ?, ?, NOW(3), NOW(3))"
    " ON DUPLICATE KEY UPDATE id = LAST_INSERT_ID(id)";

constexpr const char* kGenders[] = {"Male", "Female", "LGBT+", "Unspecified"};

}  // namespace

Result<Customer> validate_customer(const CustomerInput& in) {
  Customer c;
  if (in.name.empty() || utf8_length(in.name) > 255 || !is_printable_utf8(in.name))
    return invalid("--name must be 1 to 255 printable characters, got " + quote(in.name));
  c.name = in.name;
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
  if (!ok) return invalid("--id-number must be 4 to 32 letters or digits, got " + quote(in.id_number));
  c.id_number = to_upper(in.id_number);
  return c;
}

std::string customer_id_hash(const std::string& secret, const std::string& id_number) {
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  HMAC(EVP_sha256(), secret.data(), static_cast<int>(secret.size()),
       reinterpret_cast<const unsigned char*>(id_number.data()), id_number.size(), digest, &len);
  return std::string(reinterpret_cast<const char*>(digest), len);
}

std::string mask_id(const std::string& last4) { return "****" + last4; }

uint64_t upsert_customer(Db& db, const std::string& secret, const Customer& customer) {
  upsert_customer_keeping_id(db, secret, customer);
  return db.last_insert_id();
}

void upsert_customer_keeping_id(Db& db, const std::string& secret, const Customer& customer) {
  auto& stmt = db.prepare(kUpsert);
  const std::string hash = customer_id_hash(secret, customer.id_number);
  std::istringstream hash_stream(hash);
  stmt.setBlob(1, &hash_stream);
  stmt.setString(2, customer.id_number.substr(customer.id_number.size() - 4));
  stmt.setString(3, customer.name);
  stmt.setInt(4, customer.age);
  stmt.setString(5, customer.gender);
  stmt.execute();
}

}  // namespace ticket
