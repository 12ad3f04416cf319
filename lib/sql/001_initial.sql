-- TicketLemon schema, version 1. Runs on MariaDB 10.11 and MySQL 8.
-- Every statement ends with a semicolon at the end of a line.

CREATE TABLE IF NOT EXISTS CONCERTS (
  id BIGINT UNSIGNED NOT NULL AUTO_INCREMENT,
  slug VARCHAR(64) NOT NULL,
  name VARCHAR(255) NOT NULL,
  venue VARCHAR(255) NOT NULL DEFAULT '',
  starts_at DATETIME(3) NULL,
  seat_rows INT UNSIGNED NOT NULL,
  seats_per_row INT UNSIGNED NOT NULL,
  free_seats INT UNSIGNED NOT NULL,
  price DECIMAL(12,2) NOT NULL,
  currency CHAR(3) NOT NULL,
  hold_seconds INT UNSIGNED NOT NULL DEFAULT 300,
  max_seats_per_ticket INT UNSIGNED NOT NULL DEFAULT 1,
  status ENUM('OPEN','CLOSED') NOT NULL DEFAULT 'OPEN',
  created_at DATETIME(3) NOT NULL,
  updated_at DATETIME(3) NOT NULL,
  PRIMARY KEY (id),
  UNIQUE KEY uq_concert_slug (slug)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

-- A customer is known by the HMAC-SHA256 of their security number only.
CREATE TABLE IF NOT EXISTS CUSTOMERS (
  id BIGINT UNSIGNED NOT NULL AUTO_INCREMENT,
  id_hash BINARY(32) NOT NULL,
  id_last4 VARCHAR(4) NOT NULL,
  name VARCHAR(255) NOT NULL,
  age SMALLINT UNSIGNED NOT NULL,
  gender ENUM('Male','Female','LGBT+','Unspecified') NOT NULL,
  created_at DATETIME(3) NOT NULL,
  updated_at DATETIME(3) NOT NULL,
  PRIMARY KEY (id),
  UNIQUE KEY uq_customer_id_hash (id_hash)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

-- One purchase (BUY) or free-ticket application (FREE). active_customer is
-- NULL once the ticket has failed, so a customer has at most one active
-- ticket per concert.
CREATE TABLE IF NOT EXISTS TICKETS (
  id BIGINT UNSIGNED NOT NULL AUTO_INCREMENT,
  code VARCHAR(16) CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
  concert_id BIGINT UNSIGNED NOT NULL,
  customer_id BIGINT UNSIGNED NOT NULL,
  zone ENUM('BUY','FREE') NOT NULL,
  status ENUM('PROCESS','SUCCESS','FAIL') NOT NULL DEFAULT 'PROCESS',
  reason ENUM('EXPIRED','REJECTED','CANCELLED') NULL,
  amount DECIMAL(12,2) NOT NULL DEFAULT 0,
  currency CHAR(3) NOT NULL,
  hold_expires_at DATETIME(3) NULL,
  created_at DATETIME(3) NOT NULL,
  updated_at DATETIME(3) NOT NULL,
  active_customer BIGINT UNSIGNED AS (IF(status <> 'FAIL', customer_id, NULL)) STORED,
  PRIMARY KEY (id),
  UNIQUE KEY uq_ticket_code (code),
  UNIQUE KEY uq_ticket_active_customer (concert_id, active_customer),
  KEY ix_ticket_due (status, hold_expires_at),
  KEY ix_ticket_concert (concert_id, status, zone),
  CONSTRAINT fk_ticket_concert FOREIGN KEY (concert_id) REFERENCES CONCERTS (id),
  CONSTRAINT fk_ticket_customer FOREIGN KEY (customer_id) REFERENCES CUSTOMERS (id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

-- The seats of a ticket. status mirrors TICKETS.status (changed in the same
-- transaction); active is NULL once it has failed, so the unique index lets a
-- seat be in at most one active ticket, whatever the cache says.
CREATE TABLE IF NOT EXISTS TICKET_SEATS (
  ticket_id BIGINT UNSIGNED NOT NULL,
  concert_id BIGINT UNSIGNED NOT NULL,
  zone ENUM('BUY','FREE') NOT NULL,
  seat_row INT UNSIGNED NOT NULL,
  seat_number INT UNSIGNED NOT NULL,
  status ENUM('PROCESS','SUCCESS','FAIL') NOT NULL DEFAULT 'PROCESS',
  active TINYINT AS (IF(status <> 'FAIL', 1, NULL)) STORED,
  PRIMARY KEY (ticket_id, zone, seat_row, seat_number),
  UNIQUE KEY uq_active_seat (concert_id, zone, seat_row, seat_number, active),
  CONSTRAINT fk_seat_ticket FOREIGN KEY (ticket_id) REFERENCES TICKETS (id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

-- The payment of a BUY ticket: created with the ticket, completed by tl-pay.
CREATE TABLE IF NOT EXISTS TICKETS_APPLY_BUY (
  ticket_id BIGINT UNSIGNED NOT NULL,
  amount DECIMAL(12,2) NOT NULL,
  currency CHAR(3) NOT NULL,
  platform ENUM('QRCODE','DIRECT','PAYPLAT') NULL,
  reference VARCHAR(128) CHARACTER SET ascii COLLATE ascii_bin NULL,
  paid_at DATETIME(3) NULL,
  PRIMARY KEY (ticket_id),
  UNIQUE KEY uq_payment_reference (platform, reference),
  CONSTRAINT fk_payment_ticket FOREIGN KEY (ticket_id) REFERENCES TICKETS (id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

-- The answers of a FREE application and the decision on it.
CREATE TABLE IF NOT EXISTS TICKETS_APPLY_FREE (
  ticket_id BIGINT UNSIGNED NOT NULL,
  answer1 TEXT NOT NULL,
  answer2 TEXT NOT NULL,
  answer3 TEXT NOT NULL,
  decided_by VARCHAR(64) NULL,
  decided_at DATETIME(3) NULL,
  note VARCHAR(1000) NULL,
  PRIMARY KEY (ticket_id),
  CONSTRAINT fk_application_ticket FOREIGN KEY (ticket_id) REFERENCES TICKETS (id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

-- Append-only history; no foreign keys so that it outlives what it describes.
CREATE TABLE IF NOT EXISTS AUDIT_LOG (
  id BIGINT UNSIGNED NOT NULL AUTO_INCREMENT,
  at DATETIME(3) NOT NULL,
  actor VARCHAR(64) NOT NULL,
  action VARCHAR(32) NOT NULL,
  concert_id BIGINT UNSIGNED NULL,
  ticket_id BIGINT UNSIGNED NULL,
  ticket_code VARCHAR(16) CHARACTER SET ascii COLLATE ascii_bin NULL,
  detail VARCHAR(2000) NOT NULL DEFAULT '',
  PRIMARY KEY (id),
  KEY ix_audit_ticket (ticket_code, id),
  KEY ix_audit_concert (concert_id, id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;
