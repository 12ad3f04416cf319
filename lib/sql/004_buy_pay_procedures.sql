-- TicketLemon schema, version 4: the MySQL step of a buy and of a payment,
-- each as one procedure, so that a buy or a payment costs one CALL and its
-- COMMIT (docs/design.md §5.1, §5.2). Runs on MariaDB 10.11 and MySQL 8.
-- Statements end with a semicolon at the end of a line; between the
-- DELIMITER lines they end with // instead, as the mysql client reads them.
--
-- Both run with the caller's privileges (SQL SECURITY INVOKER): an account
-- may do through them only what it may do with the same statements itself
-- (etc/sql/grants.sql grants EXECUTE on the database, which outlives a
-- procedure dropped and created again). Text parameters name their
-- character set and collation, those of the columns they are compared
-- with, whatever the database's defaults are. Neither commits: the caller
-- commits, or rolls back, the transaction they leave open. Errors other
-- than those named below reach the caller as the statement raised them.
DROP PROCEDURE IF EXISTS tl_buy;
DROP PROCEDURE IF EXISTS tl_pay;

DELIMITER //

-- Writes a held ticket: its customer (found or added by p_id_hash, the
-- hash of the security number in hexadecimal), the ticket, its seats, its
-- payment row and the `held` audit row.
--
-- The caller's copy of the concert is checked here, inside the
-- transaction, as the audit row is written from the concert's row: the
-- ticket's insert has taken a shared lock on that row (its foreign key), so
-- that a concert closed or changed before that is seen, and one closed
-- after it waits for this commit.
--
-- p_seats: the seats as "row:number,row:number" (0-based rows).
-- Answers one row: outcome, then three values:
--   'held',  ticket id, hold_expires_at and created_at in ms since the epoch
--   'stale', NULL x3: the concert is not open, or not as the caller has it
--   'taken', seat_row, seat_number, NULL: an active ticket has that seat
-- Rows written before a 'stale' or 'taken' answer are the caller's to roll
-- back. A customer's second active ticket for the concert is refused by the
-- unique key uq_ticket_active_customer (error 1062).
CREATE PROCEDURE tl_buy(
  IN p_concert_id BIGINT UNSIGNED, IN p_slug VARCHAR(64) CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci,
  IN p_seat_rows INT UNSIGNED, IN p_seats_per_row INT UNSIGNED, IN p_free_seats INT UNSIGNED,
  IN p_price DECIMAL(12,2), IN p_currency CHAR(3) CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci,
  IN p_hold_seconds INT UNSIGNED, IN p_max_seats INT UNSIGNED,
  IN p_code VARCHAR(16) CHARACTER SET ascii COLLATE ascii_bin,
  IN p_id_hash CHAR(64) CHARACTER SET ascii, IN p_id_last4 VARCHAR(4) CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci,
  IN p_name VARCHAR(255) CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci, IN p_age SMALLINT UNSIGNED,
  IN p_gender VARCHAR(16) CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci, IN p_amount DECIMAL(12,2),
  IN p_seats VARCHAR(1000) CHARACTER SET ascii, IN p_actor VARCHAR(64) CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci,
  IN p_detail VARCHAR(2000) CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci)
  MODIFIES SQL DATA
  SQL SECURITY INVOKER
buy: BEGIN
  DECLARE v_now DATETIME(3);
  DECLARE v_ticket BIGINT UNSIGNED;
  DECLARE v_rest VARCHAR(1000) CHARACTER SET ascii;
  DECLARE v_pair VARCHAR(32) CHARACTER SET ascii;
  DECLARE v_row INT UNSIGNED;
  DECLARE v_number INT UNSIGNED;
  DECLARE v_taken INT DEFAULT 0;

  SET v_now = NOW(3);
  INSERT INTO CUSTOMERS (id_hash, id_last4, name, age, gender, created_at, updated_at)
    VALUES (UNHEX(p_id_hash), p_id_last4, p_name, p_age, p_gender, v_now, v_now)
    ON DUPLICATE KEY UPDATE id = LAST_INSERT_ID(id);
  INSERT INTO TICKETS (code, concert_id, customer_id, holder_name, holder_age, holder_gender,
                       zone, status, amount, currency, hold_expires_at, created_at, updated_at)
    VALUES (p_code, p_concert_id, LAST_INSERT_ID(), p_name, p_age, p_gender, 'BUY', 'PROCESS',
            p_amount, p_currency, v_now + INTERVAL p_hold_seconds SECOND, v_now, v_now);
  SET v_ticket = LAST_INSERT_ID();

  SET v_rest = p_seats;
  WHILE v_rest <> '' DO
    SET v_pair = SUBSTRING_INDEX(v_rest, ',', 1);
    SET v_rest = IF(LOCATE(',', v_rest) > 0, SUBSTRING(v_rest, LOCATE(',', v_rest) + 1), '');
    SET v_row = CAST(SUBSTRING_INDEX(v_pair, ':', 1) AS UNSIGNED);
    SET v_number = CAST(SUBSTRING_INDEX(v_pair, ':', -1) AS UNSIGNED);
    BEGIN
      -- The database is the last line: Redis let the caller hold a seat
      -- that an active ticket has (its map was lost and rebuilt mid-sale).
      DECLARE EXIT HANDLER FOR 1062 SET v_taken = 1;
      INSERT INTO TICKET_SEATS (ticket_id, concert_id, zone, seat_row, seat_number, status)
        VALUES (v_ticket, p_concert_id, 'BUY', v_row, v_number, 'PROCESS');
    END;
    IF v_taken = 1 THEN
      SELECT 'taken', v_row, v_number, NULL;
      LEAVE buy;
    END IF;
  END WHILE;

  INSERT INTO TICKETS_APPLY_BUY (ticket_id, amount, currency) VALUES (v_ticket, p_amount, p_currency);
  INSERT INTO AUDIT_LOG (at, actor, action, concert_id, ticket_id, ticket_code, detail)
    SELECT v_now, p_actor, 'held', id, v_ticket, p_code, p_detail FROM CONCERTS
      WHERE id = p_concert_id AND status = 'OPEN' AND slug = p_slug AND seat_rows = p_seat_rows
        AND seats_per_row = p_seats_per_row AND free_seats = p_free_seats AND price = p_price
        AND currency = p_currency AND hold_seconds = p_hold_seconds
        AND max_seats_per_ticket = p_max_seats;
  IF ROW_COUNT() = 0 THEN
    SELECT 'stale', NULL, NULL, NULL;
    LEAVE buy;
  END IF;
  SELECT 'held', v_ticket, CAST(UNIX_TIMESTAMP(v_now + INTERVAL p_hold_seconds SECOND) * 1000 AS SIGNED),
         CAST(UNIX_TIMESTAMP(v_now) * 1000 AS SIGNED);
END //

-- Pays a ticket whose hold is still running: locks its row, and when it is
-- a paid-zone ticket in PROCESS whose hold_expires_at has not passed by
-- the MySQL clock, records the payment, makes the ticket and its seats
-- SUCCESS and writes the `paid` audit row.
--
-- Answers the ticket, one row per seat in no particular order (none when
-- there is no such code):
-- the columns of TL_TICKET_COLUMNS (lib/src/ticket_rows.h) in that order,
-- then 1 when this call paid it (else 0, nothing written), then the seat's
-- zone, seat_row and seat_number. Every other outcome (paid already, failed,
-- past its deadline) is the caller's to decide on that row, still locked.
-- A reference already used by another ticket is refused by the unique key
-- uq_payment_reference (error 1062).
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
