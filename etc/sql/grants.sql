-- Least-privilege accounts of TicketLemon, one per role, for MariaDB 10.6+
-- and MySQL 8 (only syntax that both accept: plain per-account grants, no
-- roles, whose activation differs between the two).
--
--   ticketlemon_seller    tl-buy, tl-pay, tl-status, tl-apply-free
--   ticketlemon_daemon    ticketlemond: expiry, MySQL sweep, reconcile
--   ticketlemon_operator  tl-admin's day-to-day commands: concert, seed
--                         (without destructive flags), grant, reject, cancel,
--                         tickets, applications, stats, count, audit,
--                         reconcile, mock-data
--   ticketlemon_auditor   read only: tl-status, tl-admin tickets, stats,
--                         count, audit, applications
--   ticketlemon_migrate   schema changes, db reset and destructive seeding:
--                         created by etc/sql/migrate-account.sql
--
-- Each account gets only what its commands do: SELECT on the tables they
-- read, INSERT where they add rows, and UPDATE only of the columns they
-- change. None of them may DELETE, DROP, ALTER or CREATE, and AUDIT_LOG is
-- append-only for all of them (INSERT and SELECT). Each statement below says
-- which command needs it. MySQL 8 wants UPDATE (of any column) besides SELECT
-- for SELECT ... FOR UPDATE: every account that locks rows of a table has a
-- column UPDATE on it.
--
-- What column privileges cannot express: the seller and the daemon may set a
-- ticket's status and reason (tl-pay and the daemon expire holds past their
-- deadline), so either account could fail a ticket with SQL of its own. They
-- cannot cancel one with `tl-admin cancel`, which also records the reason in
-- TICKETS.cancel_reason, a column only the operator may write; and they
-- cannot touch amounts, payments already recorded, concerts, decisions on
-- free applications or the audit log. Customer rows are updated by a
-- statement that needs UPDATE of the whole table (see below).
--
-- Order:
--   1. etc/sql/migrate-account.sql, then `tl-admin db migrate` with that
--      account: table and column privileges need the tables to exist.
--   2. This file. Run it again after every `tl-admin db migrate` of a new
--      TicketLemon version (new tables or columns); it is safe to re-run.
--
-- Before running it:
--   1. Replace each CHANGE_ME_<ROLE>_PASSWORD with a long random password
--      (e.g. `openssl rand -hex 24`) and put it in the file named by
--      [mysql] password_file of that role's configuration (mode 0600), e.g.
--      /etc/ticketlemon/seller.toml with user = "ticketlemon_seller".
--      Do not commit the edited copy.
--   2. The accounts are for connections from 127.0.0.1 (the tools always
--      connect over TCP). When the tools or the daemon run on other hosts,
--      replace '127.0.0.1' with their address or network, e.g. '10.0.1.%'.
--   3. To use another database name than ticketlemon, replace `ticketlemon`
--      (in backquotes; '_' and '%' in it would act as wildcards).
--
-- Then, as an administrator:
--   mariadb -u root -p < grants.sql      (or: mysql -u root -p < grants.sql)
--
-- Running this file again resets the passwords and adds missing privileges;
-- it does not take away privileges granted by other means (use REVOKE; an
-- older TicketLemon had one account 'ticketlemon'@'127.0.0.1' with SELECT,
-- INSERT and UPDATE on everything: DROP USER it once the roles work).

-- --- seller: tl-buy, tl-pay, tl-status, tl-apply-free -------------------------
CREATE USER IF NOT EXISTS 'ticketlemon_seller'@'127.0.0.1' IDENTIFIED BY 'CHANGE_ME_SELLER_PASSWORD';
ALTER USER 'ticketlemon_seller'@'127.0.0.1' IDENTIFIED BY 'CHANGE_ME_SELLER_PASSWORD';
-- Every tool checks the schema version.
GRANT SELECT ON `ticketlemon`.`SCHEMA_VERSION` TO 'ticketlemon_seller'@'127.0.0.1';
GRANT SELECT ON `ticketlemon`.`CONCERTS` TO 'ticketlemon_seller'@'127.0.0.1';
-- A buyer or applicant is found or added by the hash of their security
-- number in one INSERT ... ON DUPLICATE KEY UPDATE, for which MariaDB wants
-- UPDATE of every column inserted: a table privilege.
GRANT SELECT, INSERT, UPDATE ON `ticketlemon`.`CUSTOMERS` TO 'ticketlemon_seller'@'127.0.0.1';
-- tl-buy and tl-apply-free add tickets; tl-pay locks one (FOR UPDATE) and
-- pays it (recording when), or expires it when its deadline has passed.
GRANT SELECT, INSERT, UPDATE (status, reason, updated_at, paid_at)
  ON `ticketlemon`.`TICKETS` TO 'ticketlemon_seller'@'127.0.0.1';
GRANT SELECT, INSERT, UPDATE (status) ON `ticketlemon`.`TICKET_SEATS` TO 'ticketlemon_seller'@'127.0.0.1';
-- tl-buy adds the payment row with the amount; tl-pay records how it was paid.
GRANT SELECT, INSERT, UPDATE (platform, reference, paid_at)
  ON `ticketlemon`.`TICKETS_APPLY_BUY` TO 'ticketlemon_seller'@'127.0.0.1';
-- tl-apply-free adds the answers; the decision is the operator's.
GRANT SELECT, INSERT ON `ticketlemon`.`TICKETS_APPLY_FREE` TO 'ticketlemon_seller'@'127.0.0.1';
GRANT SELECT, INSERT ON `ticketlemon`.`AUDIT_LOG` TO 'ticketlemon_seller'@'127.0.0.1';
-- tl-buy and tl-pay write through the procedures tl_buy and tl_pay, which
-- run with the caller's privileges (those above), so EXECUTE adds no other
-- power. It is granted on the database: a grant on a procedure would go
-- with it when a migration or `db reset` drops and creates it again.
GRANT EXECUTE ON `ticketlemon`.* TO 'ticketlemon_seller'@'127.0.0.1';

-- tl-pay records the money it takes: PAID, or REFUND_DUE when the ticket
-- cannot have it (tl_pay and receive_payment).
GRANT SELECT, INSERT ON `ticketlemon`.`PAYMENTS` TO 'ticketlemon_seller'@'127.0.0.1';

-- --- daemon: ticketlemond ---------------------------------------------------------
CREATE USER IF NOT EXISTS 'ticketlemon_daemon'@'127.0.0.1' IDENTIFIED BY 'CHANGE_ME_DAEMON_PASSWORD';
ALTER USER 'ticketlemon_daemon'@'127.0.0.1' IDENTIFIED BY 'CHANGE_ME_DAEMON_PASSWORD';
GRANT SELECT ON `ticketlemon`.`SCHEMA_VERSION` TO 'ticketlemon_daemon'@'127.0.0.1';
-- Reconcile and the cache rebuild read concerts and seats.
GRANT SELECT ON `ticketlemon`.`CONCERTS` TO 'ticketlemon_daemon'@'127.0.0.1';
GRANT SELECT ON `ticketlemon`.`CUSTOMERS` TO 'ticketlemon_daemon'@'127.0.0.1';
-- Expiry locks due tickets (FOR UPDATE) and fails them with their seats; a
-- provider's payment pays or revives one (recording when).
GRANT SELECT, UPDATE (status, reason, updated_at, paid_at)
  ON `ticketlemon`.`TICKETS` TO 'ticketlemon_daemon'@'127.0.0.1';
GRANT SELECT, UPDATE (status) ON `ticketlemon`.`TICKET_SEATS` TO 'ticketlemon_daemon'@'127.0.0.1';
GRANT SELECT ON `ticketlemon`.`TICKETS_APPLY_BUY` TO 'ticketlemon_daemon'@'127.0.0.1';
GRANT SELECT ON `ticketlemon`.`TICKETS_APPLY_FREE` TO 'ticketlemon_daemon'@'127.0.0.1';
GRANT SELECT, INSERT ON `ticketlemon`.`AUDIT_LOG` TO 'ticketlemon_daemon'@'127.0.0.1';
-- The read API's sales report counts the admissions at the gate.
GRANT SELECT ON `ticketlemon`.`CHECKINS` TO 'ticketlemon_daemon'@'127.0.0.1';
-- The payment providers' events: each taken once, paying (through tl_pay)
-- or reviving a ticket, or recording money to refund or review.
GRANT SELECT, INSERT, UPDATE (result, payment_id)
  ON `ticketlemon`.`PAYMENT_EVENTS` TO 'ticketlemon_daemon'@'127.0.0.1';
GRANT SELECT, INSERT, UPDATE (state, note, refund_reference, updated_at, provider)
  ON `ticketlemon`.`PAYMENTS` TO 'ticketlemon_daemon'@'127.0.0.1';
GRANT UPDATE (platform, reference, paid_at)
  ON `ticketlemon`.`TICKETS_APPLY_BUY` TO 'ticketlemon_daemon'@'127.0.0.1';
GRANT EXECUTE ON `ticketlemon`.* TO 'ticketlemon_daemon'@'127.0.0.1';

-- --- operator: tl-admin's day-to-day commands ---------------------------------------
CREATE USER IF NOT EXISTS 'ticketlemon_operator'@'127.0.0.1' IDENTIFIED BY 'CHANGE_ME_OPERATOR_PASSWORD';
ALTER USER 'ticketlemon_operator'@'127.0.0.1' IDENTIFIED BY 'CHANGE_ME_OPERATOR_PASSWORD';
GRANT SELECT ON `ticketlemon`.`SCHEMA_VERSION` TO 'ticketlemon_operator'@'127.0.0.1';
-- concert create, close and open, seed (which updates every field).
GRANT SELECT, INSERT, UPDATE ON `ticketlemon`.`CONCERTS` TO 'ticketlemon_operator'@'127.0.0.1';
-- mock-data buys, pays and applies as the seller does.
GRANT SELECT, INSERT, UPDATE ON `ticketlemon`.`CUSTOMERS` TO 'ticketlemon_operator'@'127.0.0.1';
-- cancel, grant and reject lock a ticket (FOR UPDATE) and change its status;
-- cancel records its reason; mock-data pays as the seller does.
GRANT SELECT, INSERT, UPDATE (status, reason, updated_at, cancel_reason, paid_at)
  ON `ticketlemon`.`TICKETS` TO 'ticketlemon_operator'@'127.0.0.1';
-- grant adds the free seat.
GRANT SELECT, INSERT, UPDATE (status) ON `ticketlemon`.`TICKET_SEATS` TO 'ticketlemon_operator'@'127.0.0.1';
GRANT SELECT, INSERT, UPDATE (platform, reference, paid_at)
  ON `ticketlemon`.`TICKETS_APPLY_BUY` TO 'ticketlemon_operator'@'127.0.0.1';
-- grant and reject record the decision.
GRANT SELECT, INSERT, UPDATE (decided_by, decided_at, note)
  ON `ticketlemon`.`TICKETS_APPLY_FREE` TO 'ticketlemon_operator'@'127.0.0.1';
GRANT SELECT, INSERT ON `ticketlemon`.`AUDIT_LOG` TO 'ticketlemon_operator'@'127.0.0.1';
-- checkin admits a ticket at the gate.
GRANT SELECT, INSERT ON `ticketlemon`.`CHECKINS` TO 'ticketlemon_operator'@'127.0.0.1';
-- mock-data buys and pays through the seller's procedures.
GRANT EXECUTE ON `ticketlemon`.* TO 'ticketlemon_operator'@'127.0.0.1';
-- cancel makes a paid ticket's money due back; refund marks it refunded;
-- payments lists them; mock-data's payments are recorded.
GRANT SELECT, INSERT, UPDATE (state, note, refund_reference, updated_at)
  ON `ticketlemon`.`PAYMENTS` TO 'ticketlemon_operator'@'127.0.0.1';
GRANT SELECT ON `ticketlemon`.`PAYMENT_EVENTS` TO 'ticketlemon_operator'@'127.0.0.1';

-- --- auditor: read only ---------------------------------------------------------------
CREATE USER IF NOT EXISTS 'ticketlemon_auditor'@'127.0.0.1' IDENTIFIED BY 'CHANGE_ME_AUDITOR_PASSWORD';
ALTER USER 'ticketlemon_auditor'@'127.0.0.1' IDENTIFIED BY 'CHANGE_ME_AUDITOR_PASSWORD';
GRANT SELECT ON `ticketlemon`.`SCHEMA_VERSION` TO 'ticketlemon_auditor'@'127.0.0.1';
GRANT SELECT ON `ticketlemon`.`CONCERTS` TO 'ticketlemon_auditor'@'127.0.0.1';
GRANT SELECT ON `ticketlemon`.`CUSTOMERS` TO 'ticketlemon_auditor'@'127.0.0.1';
GRANT SELECT ON `ticketlemon`.`TICKETS` TO 'ticketlemon_auditor'@'127.0.0.1';
GRANT SELECT ON `ticketlemon`.`TICKET_SEATS` TO 'ticketlemon_auditor'@'127.0.0.1';
GRANT SELECT ON `ticketlemon`.`TICKETS_APPLY_BUY` TO 'ticketlemon_auditor'@'127.0.0.1';
GRANT SELECT ON `ticketlemon`.`TICKETS_APPLY_FREE` TO 'ticketlemon_auditor'@'127.0.0.1';
GRANT SELECT ON `ticketlemon`.`AUDIT_LOG` TO 'ticketlemon_auditor'@'127.0.0.1';
GRANT SELECT ON `ticketlemon`.`CHECKINS` TO 'ticketlemon_auditor'@'127.0.0.1';
GRANT SELECT ON `ticketlemon`.`PAYMENTS` TO 'ticketlemon_auditor'@'127.0.0.1';
GRANT SELECT ON `ticketlemon`.`PAYMENT_EVENTS` TO 'ticketlemon_auditor'@'127.0.0.1';
