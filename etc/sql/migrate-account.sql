-- The migration account of TicketLemon, for MariaDB 10.6+ and MySQL 8 (only
-- syntax that both accept). Run this first; then create the schema with it;
-- then give the other accounts their privileges with etc/sql/grants.sql
-- (table and column privileges need the tables to exist).
--
--   ticketlemon_migrate  schema changes: `tl-admin db migrate`, `db reset`
--                        and the seeding that deletes tickets. The only
--                        account that may DELETE, DROP, ALTER or CREATE, and
--                        the only one that may change or delete AUDIT_LOG.
--                        Use it for those commands only.
--
-- Before running it, replace CHANGE_ME_MIGRATE_PASSWORD with a long random
-- password (e.g. `openssl rand -hex 24`) and put the same password in the
-- file named by [mysql] password_file of the migration configuration (mode
-- 0600). Do not commit the edited copy. For other hosts than 127.0.0.1 and
-- another database name than ticketlemon, see etc/sql/grants.sql.
--
-- Then, as an administrator:
--   mariadb -u root -p < migrate-account.sql   (or: mysql -u root -p < ...)
--   TL_MYSQL_USER=ticketlemon_migrate \
--   TL_MYSQL_PASSWORD_FILE=/etc/ticketlemon/mysql-migrate.password \
--   tl-admin db migrate
-- `tl-admin db migrate` creates the database itself (its CREATE privilege on
-- `ticketlemon`.* allows that).

CREATE USER IF NOT EXISTS 'ticketlemon_migrate'@'127.0.0.1' IDENTIFIED BY 'CHANGE_ME_MIGRATE_PASSWORD';
ALTER USER 'ticketlemon_migrate'@'127.0.0.1' IDENTIFIED BY 'CHANGE_ME_MIGRATE_PASSWORD';
-- CREATE ROUTINE and ALTER ROUTINE: the buy and pay procedures (created and
-- replaced by migrations, dropped by `db reset`).
GRANT CREATE, ALTER, DROP, INDEX, REFERENCES, SELECT, INSERT, UPDATE, DELETE,
  CREATE ROUTINE, ALTER ROUTINE, EXECUTE
  ON `ticketlemon`.* TO 'ticketlemon_migrate'@'127.0.0.1';
