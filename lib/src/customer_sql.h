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

// The same without reading the id back (one round trip less): afterwards
// LAST_INSERT_ID() on this connection is the customer's id, for the next
// statement to use.
void upsert_customer_keeping_id(Db& db, const std::string& secret, const Customer& customer);

}  // namespace ticket
