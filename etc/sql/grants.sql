-- Least-privilege accounts for TicketLemon, for MariaDB 10.6+ and MySQL 8
-- (only syntax that both accept).
--
--   ticketlemon_migrate  schema changes: `tl-admin db migrate`, `db reset --yes`
--                        and `seed --reset` (which deletes tickets).
--   ticketlemon          everything else: the selling tools (tl-buy, tl-pay,
--                        tl-status, tl-apply-free), the other tl-admin commands
--                        (seed without --reset, concert, grant, cancel,
--                        reconcile, ...) and ticketlemond. They only ever
--                        SELECT, INSERT and UPDATE: no ticket, customer or
--                        audit entry is ever deleted by them, so the account
--                        that faces buyers cannot delete or drop anything.
--
-- Before running it:
--   1. Replace CHANGE_ME_MIGRATE_PASSWORD and CHANGE_ME_APP_PASSWORD with
--      long random passwords (e.g. `openssl rand -hex 24`), and put the same
--      passwords in the files named by [mysql] password_file (mode 0600).
--      Do not commit the edited copy.
--   2. The accounts are for connections from 127.0.0.1 (the tools always
--      connect over TCP). When the tools or the daemon run on other hosts,
--      replace '127.0.0.1' with their address or network, e.g. '10.0.1.%'.
--   3. To use another database name than ticketlemon, replace `ticketlemon`
--      (in backquotes; '_' and '%' in it would act as wildcards).
--
-- Then, as an administrator:
--   mariadb -u root -p < grants.sql      (or: mysql -u root -p < grants.sql)
-- and create the schema with the migration account, e.g.
--   TL_MYSQL_USER=ticketlemon_migrate \
--   TL_MYSQL_PASSWORD_FILE=/etc/ticketlemon/mysql-migrate.password \
--   tl-admin db migrate
-- `tl-admin db migrate` creates the database itself (its CREATE privilege on
-- `ticketlemon`.* allows that).
--
-- Running this file again resets the passwords and adds missing privileges;
-- it does not take away privileges granted by other means (use REVOKE).

CREATE USER IF NOT EXISTS 'ticketlemon_migrate'@'127.0.0.1' IDENTIFIED BY 'CHANGE_ME_MIGRATE_PASSWORD';
ALTER USER 'ticketlemon_migrate'@'127.0.0.1' IDENTIFIED BY 'CHANGE_ME_MIGRATE_PASSWORD';
GRANT CREATE, ALTER, DROP, INDEX, REFERENCES, SELECT, INSERT, UPDATE, DELETE
  ON `ticketlemon`.* TO 'ticketlemon_migrate'@'127.0.0.1';

-- MySQL 8 needs UPDATE (granted) besides SELECT for SELECT ... FOR UPDATE.
CREATE USER IF NOT EXISTS 'ticketlemon'@'127.0.0.1' IDENTIFIED BY 'CHANGE_ME_APP_PASSWORD';
ALTER USER 'ticketlemon'@'127.0.0.1' IDENTIFIED BY 'CHANGE_ME_APP_PASSWORD';
GRANT SELECT, INSERT, UPDATE ON `ticketlemon`.* TO 'ticketlemon'@'127.0.0.1';
