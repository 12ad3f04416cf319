-- TicketLemon schema, version 3: a cancelled ticket keeps the reason given
-- for cancelling it. Runs on MariaDB 10.11 and MySQL 8. Every statement ends
-- with a semicolon at the end of a line.
--
-- Only the operator's account may write this column (etc/sql/grants.sql), and
-- `tl-admin cancel` writes it in the cancelling transaction: the accounts that
-- may expire a ticket (the seller's tl-pay, the daemon) cannot cancel one.
ALTER TABLE TICKETS
  ADD COLUMN cancel_reason VARCHAR(500) NULL;
