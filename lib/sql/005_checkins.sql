-- TicketLemon schema, version 5: admissions at the gate. Runs on MariaDB
-- 10.11 and MySQL 8. Every statement ends with a semicolon at the end of a
-- line.
--
-- One row per admitted ticket: the primary key is what makes a second
-- admission of the same ticket impossible, whoever scans it and however
-- many gates scan it at once (docs/design.md §10).
CREATE TABLE IF NOT EXISTS CHECKINS (
  ticket_id BIGINT UNSIGNED NOT NULL,
  concert_id BIGINT UNSIGNED NOT NULL,
  at DATETIME(3) NOT NULL,
  gate VARCHAR(64) NOT NULL,
  actor VARCHAR(64) NOT NULL,
  PRIMARY KEY (ticket_id),
  KEY ix_checkin_concert (concert_id, at),
  CONSTRAINT fk_checkin_ticket FOREIGN KEY (ticket_id) REFERENCES TICKETS (id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;
