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

-- The admission of a ticket at a gate online, as one CALL and its COMMIT
-- (docs/design.md §10), with the caller's privileges as tl_buy and tl_pay.
DROP PROCEDURE IF EXISTS tl_checkin;

DELIMITER //

-- Locks the ticket by its code; when it is SUCCESS, writes its CHECKINS
-- row (now, p_gate, p_actor) and its `checked_in` audit row with p_detail.
-- The primary key of CHECKINS refuses a second admission (error 1062, taken
-- by the handler): the first one is then read and answered. Every
-- admission locks the ticket's row first, so that row cannot change
-- between the insert and the commit.
-- Answers one row: outcome, ticket id, concert id, then the admission's
-- time in ms since the epoch and its gate:
--   'admitted' the admission just written
--   'already'  the admission MySQL holds (nothing written)
--   'revoked'  NULL, NULL: the ticket is no longer SUCCESS (nothing written)
--   'unknown'  NULL x4: no ticket has this code
CREATE PROCEDURE tl_checkin(
  IN p_code VARCHAR(16) CHARACTER SET ascii COLLATE ascii_bin,
  IN p_gate VARCHAR(64) CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci,
  IN p_actor VARCHAR(64) CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci,
  IN p_detail VARCHAR(2000) CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci)
  MODIFIES SQL DATA
  SQL SECURITY INVOKER
checkin: BEGIN
  DECLARE v_ticket BIGINT UNSIGNED DEFAULT NULL;
  DECLARE v_concert BIGINT UNSIGNED;
  DECLARE v_status VARCHAR(8) CHARACTER SET ascii;
  DECLARE v_at DATETIME(3);
  DECLARE v_gate VARCHAR(64) CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci;
  DECLARE v_admitted_before INT DEFAULT 0;
  DECLARE CONTINUE HANDLER FOR NOT FOUND BEGIN END;
  DECLARE CONTINUE HANDLER FOR 1062 SET v_admitted_before = 1;

  SELECT id, concert_id, status INTO v_ticket, v_concert, v_status
    FROM TICKETS WHERE code = p_code FOR UPDATE;
  IF v_ticket IS NULL THEN
    SELECT 'unknown', NULL, NULL, NULL, NULL;
    LEAVE checkin;
  END IF;
  IF v_status <> 'SUCCESS' THEN
    SELECT 'revoked', v_ticket, v_concert, NULL, NULL;
    LEAVE checkin;
  END IF;
  SET v_at = NOW(3);
  INSERT INTO CHECKINS (ticket_id, concert_id, at, gate, actor)
    VALUES (v_ticket, v_concert, v_at, p_gate, p_actor);
  IF v_admitted_before = 1 THEN
    SELECT at, gate INTO v_at, v_gate FROM CHECKINS WHERE ticket_id = v_ticket;
    SELECT 'already', v_ticket, v_concert, CAST(UNIX_TIMESTAMP(v_at) * 1000 AS SIGNED), v_gate;
    LEAVE checkin;
  END IF;
  INSERT INTO AUDIT_LOG (at, actor, action, concert_id, ticket_id, ticket_code, detail)
    VALUES (v_at, p_actor, 'checked_in', v_concert, v_ticket, p_code, p_detail);
  SELECT 'admitted', v_ticket, v_concert, CAST(UNIX_TIMESTAMP(v_at) * 1000 AS SIGNED), p_gate;
END checkin//

DELIMITER ;
