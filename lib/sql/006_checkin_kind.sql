-- TicketLemon schema, version 6: how a gate admitted a ticket. Runs on
-- MariaDB 10.11 and MySQL 8. Every statement ends with a semicolon at the
-- end of a line.
--
-- offline: admitted by a gate without the servers and recorded when its
-- journal was synced (`at` is the time at the door). while_revoked: such an
-- admission of a ticket cancelled in the meantime, kept so that the record
-- matches what happened at the door (docs/design.md §10).
ALTER TABLE CHECKINS
  ADD COLUMN offline TINYINT(1) NOT NULL DEFAULT 0,
  ADD COLUMN while_revoked TINYINT(1) NOT NULL DEFAULT 0;
