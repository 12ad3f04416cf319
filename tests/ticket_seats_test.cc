// What the database enforces by itself, whatever Redis says (docs/design.md §2.3).
#include <gtest/gtest.h>

#include "support/servers.h"
#include "support/sql.h"
#include "ticket/concerts.h"

namespace ticket {
namespace {

using testing::exec_sql;
using testing::insert_raw_ticket;
using testing::scalar_sql;
using testing::TestEnv;

constexpr int kDuplicate = 1062;

class TicketSeats : public ::testing::Test {
 protected:
  void SetUp() override {
    ctx_ = env_.context();
    ConcertInput in{"idx",   "Index test", {}, {}, "2", "10", std::string("5"),
                    "10.00", "EUR",        {}, {}};
    auto c = validate_concert(in);
    ASSERT_TRUE(c.ok()) << c.error().message();
    auto created = create_concert(*ctx_, *c);
    ASSERT_TRUE(created.ok()) << created.error().message();
    concert_ = created->id;
    auto db = ctx_->db();
    ASSERT_TRUE(db.ok());
    db_ = *db;
  }

  std::string seat(uint64_t ticket, const std::string& zone, int row, int number) {
    return "INSERT INTO TICKET_SEATS (ticket_id, concert_id, zone, seat_row, seat_number, status) VALUES (" +
           std::to_string(ticket) + ", " + std::to_string(concert_) + ", '" + zone + "', " +
           std::to_string(row) + ", " + std::to_string(number) + ", 'PROCESS')";
  }

  TestEnv env_;
  std::unique_ptr<Context> ctx_;
  Db* db_ = nullptr;
  uint64_t concert_ = 0;
};

TEST_F(TicketSeats, UniqueActiveSeatRejectsASecondActiveRow) {
  const uint64_t first = insert_raw_ticket(*db_, concert_, "TB-FIRST00001");
  const uint64_t second = insert_raw_ticket(*db_, concert_, "TB-SECOND0001");
  ASSERT_EQ(exec_sql(*db_, seat(first, "BUY", 0, 1)), 0);
  EXPECT_EQ(exec_sql(*db_, seat(second, "BUY", 0, 1)), kDuplicate);
  // The same seat number in the other zone or another row is another seat.
  EXPECT_EQ(exec_sql(*db_, seat(second, "FREE", 0, 1)), 0);
  EXPECT_EQ(exec_sql(*db_, seat(second, "BUY", 1, 1)), 0);
}

TEST_F(TicketSeats, UniqueActiveSeatAcceptsTheSeatOnceTheFirstIsFail) {
  const uint64_t first = insert_raw_ticket(*db_, concert_, "TB-FIRST00002");
  const uint64_t second = insert_raw_ticket(*db_, concert_, "TB-SECOND0002");
  const uint64_t third = insert_raw_ticket(*db_, concert_, "TB-THIRD00002");
  ASSERT_EQ(exec_sql(*db_, seat(first, "BUY", 0, 5)), 0);
  ASSERT_EQ(exec_sql(*db_, "UPDATE TICKET_SEATS SET status = 'FAIL' WHERE ticket_id = " +
                               std::to_string(first)),
            0);
  EXPECT_EQ(exec_sql(*db_, seat(second, "BUY", 0, 5)), 0);
  // SUCCESS is active too.
  ASSERT_EQ(exec_sql(*db_, "UPDATE TICKET_SEATS SET status = 'SUCCESS' WHERE ticket_id = " +
                               std::to_string(second)),
            0);
  EXPECT_EQ(exec_sql(*db_, seat(third, "BUY", 0, 5)), kDuplicate);
  EXPECT_EQ(
      scalar_sql(*db_, "SELECT COUNT(*) FROM TICKET_SEATS WHERE seat_number = 5 AND active = 1"),
      1);
  // Two failed rows for one seat are fine.
  ASSERT_EQ(exec_sql(*db_, "UPDATE TICKET_SEATS SET status = 'FAIL' WHERE ticket_id = " +
                               std::to_string(second)),
            0);
  EXPECT_EQ(exec_sql(*db_, seat(third, "BUY", 0, 5)), 0);
}

TEST_F(TicketSeats, OneActiveTicketPerCustomerPerConcert) {
  const uint64_t first = insert_raw_ticket(*db_, concert_, "TB-CUSTOMER01");
  const std::string again =
      "INSERT INTO TICKETS (code, concert_id, customer_id, holder_name, holder_age, holder_gender,"
      " zone, status, currency, created_at, updated_at)"
      " SELECT 'TB-CUSTOMER02', concert_id, customer_id, holder_name, holder_age, holder_gender,"
      " 'BUY', 'PROCESS', 'EUR', NOW(3), NOW(3) FROM TICKETS WHERE id = " +
      std::to_string(first);
  EXPECT_EQ(exec_sql(*db_, again), kDuplicate);
  ASSERT_EQ(exec_sql(*db_, "UPDATE TICKETS SET status = 'FAIL', reason = 'EXPIRED' WHERE id = " +
                               std::to_string(first)),
            0);
  EXPECT_EQ(exec_sql(*db_, again), 0);
}

}  // namespace
}  // namespace ticket
