-- TicketLemon schema, version 2: a ticket keeps its holder's details. Runs on
-- MariaDB 10.11 and MySQL 8. Every statement ends with a semicolon at the end
-- of a line.
--
-- A customer is found by their security number, and anyone can give one; the
-- name, age and gender given with a buy or an application belong to that
-- ticket, so a later buy or application cannot change what an earlier ticket
-- shows.

-- The defaults exist only while the existing tickets are filled in below;
-- afterwards every insert must name the holder.
ALTER TABLE TICKETS
  ADD COLUMN holder_name VARCHAR(255) NOT NULL DEFAULT '',
  ADD COLUMN holder_age SMALLINT UNSIGNED NOT NULL DEFAULT 0,
  ADD COLUMN holder_gender ENUM('Male','Female','LGBT+','Unspecified') NOT NULL DEFAULT 'Unspecified';

-- Tickets sold before this version show their customer's stored details,
-- which is what they showed until now.
UPDATE TICKETS t JOIN CUSTOMERS c ON c.id = t.customer_id
  SET t.holder_name = c.name, t.holder_age = c.age, t.holder_gender = c.gender;

ALTER TABLE TICKETS
  ALTER COLUMN holder_name DROP DEFAULT,
  ALTER COLUMN holder_age DROP DEFAULT,
  ALTER COLUMN holder_gender DROP DEFAULT;
