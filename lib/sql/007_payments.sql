-- TicketLemon schema, version 7: payments as money received, each in a
-- state an operator can act on, and the events of payment providers, each
-- taken once (docs/design.md §12). Runs on MariaDB 10.11 and MySQL 8.
-- Statements end with a semicolon at the end of a line; between the
-- DELIMITER lines they end with // instead.
--
-- One row per payment received, whatever became of it: PAID (it paid its
-- ticket), REFUND_DUE (the money must go back: the ticket was cancelled, or
-- a late payment found a seat sold), REFUNDED, REVIEW (it does not match a
-- ticket: unknown code, another amount or currency). ticket_code is the
-- code as the payment named it; ticket_id and concert_id are NULL when no
-- ticket has it. A provider's payment id is unique per platform.
CREATE TABLE IF NOT EXISTS PAYMENTS (
  id BIGINT UNSIGNED NOT NULL AUTO_INCREMENT,
  ticket_id BIGINT UNSIGNED NULL,
  ticket_code VARCHAR(64) CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
  concert_id BIGINT UNSIGNED NULL,
  state ENUM('PAID','REFUND_DUE','REFUNDED','REVIEW') NOT NULL,
  amount DECIMAL(12,2) NOT NULL,
  currency CHAR(3) NOT NULL,
  platform ENUM('QRCODE','DIRECT','PAYPLAT') NOT NULL,
  provider VARCHAR(64) NOT NULL DEFAULT '',
  reference VARCHAR(128) CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
  note VARCHAR(500) NOT NULL DEFAULT '',
  refund_reference VARCHAR(128) CHARACTER SET ascii COLLATE ascii_bin NULL,
  received_at DATETIME(3) NOT NULL,
  updated_at DATETIME(3) NOT NULL,
  PRIMARY KEY (id),
  UNIQUE KEY uq_payments_reference (platform, reference),
  KEY ix_payments_ticket (ticket_id),
  KEY ix_payments_code (ticket_code),
  KEY ix_payments_state (state, received_at),
  KEY ix_payments_concert (concert_id, state)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

-- One row per provider event taken, written in the transaction of its
-- effect: the primary key is what makes a repeated delivery, however many
-- copies arrive at once, a duplicate with no effect.
CREATE TABLE IF NOT EXISTS PAYMENT_EVENTS (
  provider VARCHAR(64) NOT NULL,
  event_id VARCHAR(128) CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
  type VARCHAR(32) NOT NULL,
  result VARCHAR(16) NOT NULL,
  payment_id BIGINT UNSIGNED NULL,
  received_at DATETIME(3) NOT NULL,
  PRIMARY KEY (provider, event_id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

-- The payments recorded before: paid tickets, and cancelled ones whose
-- money is due back.
INSERT INTO PAYMENTS (ticket_id, ticket_code, concert_id, state, amount, currency, platform,
                      reference, note, received_at, updated_at)
  SELECT t.id, t.code, t.concert_id, IF(t.status = 'SUCCESS', 'PAID', 'REFUND_DUE'), p.amount,
         p.currency, p.platform, p.reference, IF(t.status = 'SUCCESS', '', 'ticket cancelled'),
         p.paid_at, p.paid_at
    FROM TICKETS_APPLY_BUY p JOIN TICKETS t ON t.id = p.ticket_id
    WHERE p.paid_at IS NOT NULL AND p.platform IS NOT NULL AND p.reference IS NOT NULL
      AND NOT EXISTS (SELECT 1 FROM PAYMENTS x WHERE x.platform = p.platform
                                                AND x.reference = p.reference);

DROP PROCEDURE IF EXISTS tl_pay;

DELIMITER //

-- Pays a ticket whose hold is still running: locks its row, and when it is
-- a paid-zone ticket in PROCESS whose hold_expires_at has not passed by
-- the MySQL clock, records the payment (on the ticket's payment row and as
-- a PAID row of PAYMENTS), makes the ticket and its seats SUCCESS and
-- writes the `paid` audit row.
--
-- Answers the ticket, one row per seat in no particular order (none when
-- there is no such code):
-- the columns of TL_TICKET_COLUMNS (lib/src/ticket_rows.h) in that order,
-- then 1 when this call paid it (else 0, nothing written), then the seat's
-- zone, seat_row and seat_number. Every other outcome (paid already, failed,
-- past its deadline) is the caller's to decide on that row, still locked.
-- A reference already used by another ticket is refused by the unique key
-- uq_payment_reference, or uq_payments_reference for one already recorded
-- in PAYMENTS (error 1062).
CREATE PROCEDURE tl_pay(
  IN p_code VARCHAR(16) CHARACTER SET ascii COLLATE ascii_bin,
  IN p_platform VARCHAR(16) CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci,
  IN p_reference VARCHAR(128) CHARACTER SET ascii COLLATE ascii_bin,
  IN p_actor VARCHAR(64) CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci)
  MODIFIES SQL DATA
  SQL SECURITY INVOKER
BEGIN
  DECLARE v_ticket BIGINT UNSIGNED DEFAULT NULL;
  DECLARE v_concert BIGINT UNSIGNED;
  DECLARE v_payable INT DEFAULT 0;
  DECLARE v_paid INT DEFAULT 0;
  DECLARE CONTINUE HANDLER FOR NOT FOUND SET v_ticket = NULL;

  SELECT id, concert_id,
         zone = 'BUY' AND status = 'PROCESS' AND NOT COALESCE(hold_expires_at < NOW(3), 0)
    INTO v_ticket, v_concert, v_payable
    FROM TICKETS WHERE code = p_code FOR UPDATE;
  IF v_ticket IS NOT NULL AND v_payable = 1 THEN
    UPDATE TICKETS_APPLY_BUY SET platform = p_platform, reference = p_reference, paid_at = NOW(3)
      WHERE ticket_id = v_ticket;
    UPDATE TICKETS SET status = 'SUCCESS', updated_at = NOW(3)
      WHERE id = v_ticket AND status = 'PROCESS';
    UPDATE TICKET_SEATS SET status = 'SUCCESS' WHERE ticket_id = v_ticket;
    INSERT INTO PAYMENTS (ticket_id, ticket_code, concert_id, state, amount, currency, platform,
                          reference, received_at, updated_at)
      SELECT v_ticket, p_code, v_concert, 'PAID', amount, currency, p_platform, p_reference,
             NOW(3), NOW(3)
        FROM TICKETS_APPLY_BUY WHERE ticket_id = v_ticket;
    INSERT INTO AUDIT_LOG (at, actor, action, concert_id, ticket_id, ticket_code, detail)
      VALUES (NOW(3), p_actor, 'paid', v_concert, v_ticket, p_code,
              CONCAT(p_platform, ' ', p_reference));
    SET v_paid = 1;
  END IF;

  SELECT t.id, t.code, t.concert_id, t.zone, t.status, t.reason, t.amount, t.currency,
         CAST(UNIX_TIMESTAMP(t.hold_expires_at) * 1000 AS SIGNED),
         COALESCE(t.hold_expires_at < NOW(3), 0), t.holder_name, t.holder_age, t.holder_gender,
         c.id_last4, COALESCE(p.platform, ''), COALESCE(p.reference, ''),
         CAST(UNIX_TIMESTAMP(p.paid_at) * 1000 AS SIGNED),
         CAST(UNIX_TIMESTAMP(t.created_at) * 1000 AS SIGNED),
         k.seat_rows, k.seats_per_row, k.free_seats,
         v_paid, s.zone, s.seat_row, s.seat_number
    FROM TICKETS t
    JOIN CUSTOMERS c ON c.id = t.customer_id JOIN CONCERTS k ON k.id = t.concert_id
    LEFT JOIN TICKETS_APPLY_BUY p ON p.ticket_id = t.id
    LEFT JOIN TICKET_SEATS s ON s.ticket_id = t.id
    WHERE t.id = v_ticket;
END //

DELIMITER ;
