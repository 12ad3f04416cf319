#include "db.h"

#include <cppconn/exception.h>
#include <gtest/gtest.h>

namespace ticket {
namespace {

sql::SQLException refusal(int code, const std::string& message) {
  return sql::SQLException(message, "23000", code);
}

TEST(Db, DuplicateKeyIsKnownByErrorCodeAndKeyName) {
  const auto mariadb = refusal(1062, "Duplicate entry '1-BUY-0-3-1' for key 'uq_active_seat'");
  EXPECT_TRUE(is_duplicate_key(mariadb, "uq_active_seat"));
  EXPECT_FALSE(is_duplicate_key(mariadb, "uq_ticket_active_customer"));
  EXPECT_FALSE(is_duplicate_key(mariadb, "active_seat"));

  const auto mysql8 =
      refusal(1062, "Duplicate entry '1-BUY-0-3-1' for key 'TICKET_SEATS.uq_active_seat'");
  EXPECT_TRUE(is_duplicate_key(mysql8, "uq_active_seat"));
  EXPECT_FALSE(is_duplicate_key(mysql8, "seats.uq_active_seat"));
}

TEST(Db, DuplicateKeyIgnoresKeyNamesInsideTheValues) {
  const auto e = refusal(1062, "Duplicate entry 'uq_active_seat' for key 'uq_payment_reference'");
  EXPECT_FALSE(is_duplicate_key(e, "uq_active_seat"));
  EXPECT_TRUE(is_duplicate_key(e, "uq_payment_reference"));
}

TEST(Db, OtherErrorsAreNoDuplicateKey) {
  EXPECT_FALSE(is_duplicate_key(refusal(1452, "for key 'uq_active_seat'"), "uq_active_seat"));
  EXPECT_FALSE(is_duplicate_key(refusal(1062, "Duplicate entry"), "uq_active_seat"));
  EXPECT_FALSE(is_duplicate_key(refusal(1062, ""), "uq_active_seat"));
}

}  // namespace
}  // namespace ticket
