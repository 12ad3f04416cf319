-- TicketLemon schema, version 8: what the sales report (docs/design.md §12)
-- reads, in indexes it reads alone. Runs on MariaDB 10.11 and MySQL 8.
-- Statements end with a semicolon at the end of a line; between the
-- DELIMITER lines they end with // instead.
--
-- TICKETS.paid_at: when the ticket was paid, as TICKETS_APPLY_BUY.paid_at,
-- written by the same statements; on the ticket's row it joins the times
-- the report groups by (created_at, updated_at) in one index, so that a
-- concert of a million tickets is reported without a join per ticket.
ALTER TABLE TICKETS ADD COLUMN paid_at DATETIME(3) NULL;

UPDATE TICKETS t JOIN TICKETS_APPLY_BUY p ON p.ticket_id = t.id
  SET t.paid_at = p.paid_at
  WHERE p.paid_at IS NOT NULL AND t.paid_at IS NULL;

-- ix_ticket_report extends ix_ticket_concert (concert_id, status, zone),
-- which it replaces: the queries by concert and status use its prefix, and
-- the report's scans of a concert's tickets read nothing else.
ALTER TABLE TICKETS DROP INDEX ix_ticket_concert,
  ADD INDEX ix_ticket_report (concert_id, status, zone, reason, created_at, updated_at, paid_at,
                              amount);

-- Payments by state and platform, check-ins by gate and time: each from
-- its index alone.
ALTER TABLE PAYMENTS DROP INDEX ix_payments_concert,
  ADD INDEX ix_payments_report (concert_id, state, platform, amount);

ALTER TABLE CHECKINS DROP INDEX ix_checkin_concert,
  ADD INDEX ix_checkin_report (concert_id, gate, at);

DROP PROCEDURE IF EXISTS tl_pay;

DELIMITER //

-- Pays a ticket whose hold is still running: locks its row, and when it is
-- a paid-zone ticket in PROCESS whose hold_expires_at has not passed by
-- the MySQL clock, records the payment (on the ticket's payment row, as the
-- ticket's paid_at and as a PAID row of PAYMENTS), makes the ticket and its
-- seats SUCCESS and writes the `paid` audit row.
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
    UPDATE TICKETS SET status = 'SUCCESS', updated_at = NOW(3),
        paid_at = (SELECT paid_at FROM TICKETS_APPLY_BUY WHERE ticket_id = v_ticket)
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
