// The customer rows a buy or an application writes inside its transaction.
#pragma once

#include <cstdint>
#include <string>

#include "db.h"
#include "ticket/customer.h"

namespace ticket {

// Finds the customer by the hash of their security number, or creates them
// with `customer`'s name, age and gender; returns the id. An existing
// customer's stored details are never changed (a ticket keeps the holder
// details it was bought or applied for with). Call inside Db::transaction
// (throws like the driver).
uint64_t upsert_customer(Db& db, const std::string& secret, const Customer& customer);

// Binds what a customer row is found or added by: the hash of the security
// number in hexadecimal (for UNHEX), id_last4, name, age and gender, to
// parameters first .. first + 4 of `stmt`.
void bind_customer(sql::PreparedStatement& stmt, int first, const std::string& secret,
                   const Customer& customer);

}  // namespace ticket
