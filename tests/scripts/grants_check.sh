#!/usr/bin/env bash
# Proves that etc/sql/grants.sql gives each account what it needs and no more.
#
#   tests/scripts/grants_check.sh BUILD_DIR
#
# Uses the private servers of the test sandbox ($TL_TEST_SANDBOX, default
# BUILD_DIR/test-sandbox, started by `scripts/sandbox up`; ctest's "servers"
# fixture). On a scratch database and scratch accounts (never `ticketlemon`)
# it applies grants.sql with real passwords, migrates with the migration
# account, then with the application account seeds, buys, pays, cancels,
# grants a free seat, reconciles and runs ticketlemond until it expires a
# hold, and shows that the application account can neither DROP nor DELETE.
# Everything it made (accounts, database, Redis keys, files) is removed at
# exit.
set -euo pipefail

say() { echo "grants_check: $*"; }
fail() { echo "grants_check: FAIL: $*" >&2; exit 1; }

[ $# -eq 1 ] || { echo "usage: $0 BUILD_DIR" >&2; exit 2; }
build=$(cd "$1" && pwd) || fail "no build directory $1"
top=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
sandbox=${TL_TEST_SANDBOX:-$build/test-sandbox}
admin=$build/cmd/tl-admin
buy=$build/cmd/tl-buy
apply_free=$build/cmd/tl-apply-free
pay=$build/cmd/tl-pay
status_tool=$build/cmd/tl-status
daemon=$build/daemon/ticketlemond
grants=$top/etc/sql/grants.sql

for f in "$admin" "$buy" "$apply_free" "$pay" "$status_tool" "$daemon"; do
  [ -x "$f" ] || fail "$f is not built (cmake --build $build)"
done
[ -f "$grants" ] || fail "missing $grants"
[ -f "$sandbox/env" ] || fail "no test sandbox in $sandbox (run: scripts/sandbox up --dir $sandbox)"
# shellcheck disable=SC1091
. "$sandbox/env"
mysql_port=$TL_SANDBOX_MYSQL_PORT
mysql_socket=$TL_SANDBOX_MYSQL_SOCKET
redis_port=$TL_SANDBOX_REDIS_PORT
# The tools must see only the configuration written here, not a TL_CONFIG or
# TL_MYSQL_* of the caller or of the sandbox.
for v in $(env | grep -oE '^TL_[A-Z_]+' || true); do unset "$v"; done
command -v mariadb >/dev/null || fail "the mariadb client is not installed (scripts/deps)"
command -v redis-cli >/dev/null || fail "redis-cli is not installed (scripts/deps)"
command -v curl >/dev/null || fail "curl is not installed"

root_sql() { mariadb --no-defaults --protocol=socket --socket="$mysql_socket" -uroot "$@"; }
root_sql -e "SELECT 1" >/dev/null 2>&1 || fail "cannot reach the sandbox MariaDB as root over $mysql_socket"
redis_pw=$(cat "$sandbox/redis.password")
redis() { REDISCLI_AUTH=$redis_pw redis-cli --no-auth-warning -h 127.0.0.1 -p "$redis_port" "$@"; }
redis ping 2>/dev/null | grep -q PONG || fail "cannot reach the sandbox Redis on port $redis_port"

random_hex() { od -An -N"$1" -tx1 /dev/urandom | tr -d ' \n'; }
tag=$(random_hex 4)
db="tlgrants$tag"           # no '_' or '%': they would be wildcards in GRANT
migrate_user="tlg${tag}_migrate"
app_user="tlg${tag}_app"
prefix="tlg$tag"
work=$(mktemp -d /tmp/tl-grants.XXXXXX)
daemon_pid=""

cleanup() {
  local rc=$?
  if [ -n "$daemon_pid" ] && kill -0 "$daemon_pid" 2>/dev/null; then
    kill -TERM "$daemon_pid" 2>/dev/null || true
    wait "$daemon_pid" 2>/dev/null || true
  fi
  root_sql <<SQL >/dev/null 2>&1 || echo "grants_check: warning: could not drop $db and its accounts" >&2
DROP USER IF EXISTS '$migrate_user'@'127.0.0.1';
DROP USER IF EXISTS '$app_user'@'127.0.0.1';
DROP DATABASE IF EXISTS \`$db\`;
SQL
  redis --scan --pattern "$prefix:*" 2>/dev/null | while read -r key; do redis del "$key" >/dev/null; done || true
  rm -rf "$work"
  [ $rc -eq 0 ] || echo "grants_check: cleaned up after the failure" >&2
  exit $rc
}
trap cleanup EXIT

write_private() { (umask 077; printf '%s\n' "$2" >"$1"); }

# --- grants.sql with scratch names and real passwords ------------------------
migrate_pw=$(random_hex 16)
app_pw=$(random_hex 16)
sed -e "s/'ticketlemon_migrate'@/'$migrate_user'@/g" \
    -e "s/'ticketlemon'@/'$app_user'@/g" \
    -e "s/\`ticketlemon\`/\`$db\`/g" \
    -e "s/CHANGE_ME_MIGRATE_PASSWORD/$migrate_pw/g" \
    -e "s/CHANGE_ME_APP_PASSWORD/$app_pw/g" "$grants" >"$work/grants.sql"
chmod 600 "$work/grants.sql"
# Nothing may still name the real accounts, the real database or a placeholder.
if grep -v '^--' "$work/grants.sql" | grep -nE "'ticketlemon(_migrate)?'|\`ticketlemon\`|CHANGE_ME" >&2; then
  fail "grants.sql names an account, database or password the substitution missed (lines above)"
fi
if ! grep -q "'$app_user'@" "$work/grants.sql" || ! grep -q "'$migrate_user'@" "$work/grants.sql"; then
  fail "grants.sql no longer has the accounts 'ticketlemon'@... and 'ticketlemon_migrate'@..."
fi
root_sql -e "SELECT SCHEMA_NAME FROM information_schema.SCHEMATA WHERE SCHEMA_NAME = '$db'" | grep -q . &&
  fail "scratch database $db exists already"
root_sql <"$work/grants.sql" || fail "grants.sql did not apply"
root_sql <"$work/grants.sql" || fail "grants.sql did not apply a second time (it must be safe to re-run)"
say "applied grants.sql (twice) for scratch database $db: accounts $migrate_user, $app_user"

# --- configurations -------------------------------------------------------------
write_private "$work/migrate.password" "$migrate_pw"
write_private "$work/app.password" "$app_pw"
write_private "$work/secret" "$(random_hex 32)"
# A loopback port nothing listens on, away from the defaults.
daemon_port=""
for _ in $(seq 1 200); do
  p=$(( 20000 + RANDOM % 40000 ))
  if ! (exec 3<>"/dev/tcp/127.0.0.1/$p") 2>/dev/null; then daemon_port=$p; break; fi
done
[ -n "$daemon_port" ] || fail "no free port for ticketlemond"
for who in migrate app; do
  user=$migrate_user
  [ $who = app ] && user=$app_user
  write_private "$work/$who.toml" "[mysql]
host = \"127.0.0.1\"
port = $mysql_port
user = \"$user\"
password_file = \"$work/$who.password\"
database = \"$db\"

[redis]
host = \"127.0.0.1\"
port = $redis_port
password_file = \"$sandbox/redis.password\"
key_prefix = \"$prefix\"

[security]
secret_file = \"$work/secret\"

[daemon]
listen = \"127.0.0.1:$daemon_port\"
reconcile_interval_s = 2
sweep_interval_s = 1
max_nap_ms = 100

[log]
level = \"info\""
done
tl() { local who=$1 tool=$2; shift 2; "$tool" --config "$work/$who.toml" "$@"; }

# Runs a command that must fail; its output is kept for a look at the reason.
must_fail() { # WHAT CMD...
  local what=$1; shift
  if "$@" >"$work/out" 2>&1; then
    cat "$work/out" >&2
    fail "$what succeeded but must not"
  fi
}

# The application account through the mariadb client (password in a private
# option file, not on the command line).
write_private "$work/app.cnf" "[client]
user=$app_user
password=$app_pw
host=127.0.0.1
port=$mysql_port
protocol=tcp"
app_sql() { mariadb --defaults-file="$work/app.cnf" "$db" "$@"; }

# --- the migration account builds the schema -----------------------------------
tl migrate "$admin" db migrate || fail "tl-admin db migrate with the migration account failed"
tl migrate "$admin" db migrate >/dev/null || fail "tl-admin db migrate a second time failed"
version=$(root_sql -N -e "SELECT MAX(version) FROM \`$db\`.SCHEMA_VERSION") || fail "no SCHEMA_VERSION in $db"
[ "$version" -ge 1 ] || fail "schema version is '$version' after migrate"
say "ok: the migration account created database $db and migrated it to schema version $version"

# --- the application account sells -----------------------------------------------
must_fail "tl-admin db migrate with the application account" tl app "$admin" db migrate
say "ok: the application account cannot migrate: $(head -1 "$work/out")"

tl app "$admin" seed "$top/etc/example-concerts.toml" || fail "tl-admin seed with the application account failed"
code=$(tl app "$buy" -q --concert lemon-summer-2026 --seat A1 --seat A2 --name "Grant Check" --age 40 \
         --gender unspecified --id-number GRANTS0001) || fail "tl-buy with the application account failed"
[[ "$code" =~ ^TB- ]] || fail "tl-buy printed '$code', not a ticket code"
tl app "$pay" "$code" --platform DIRECT --reference "grants-check-$tag" || fail "tl-pay $code failed"
tl app "$status_tool" --json "$code" | grep -q '"status":"SUCCESS"' || fail "ticket $code is not SUCCESS after tl-pay"
other=$(tl app "$buy" -q --concert lemon-summer-2026 --seat B1 --name "Cancel Check" --age 50 \
          --gender male --id-number GRANTS0003) || fail "a second tl-buy failed"
tl app "$admin" cancel "$other" --reason "grants check" >/dev/null || fail "tl-admin cancel $other failed"
free=$(tl app "$apply_free" -q --concert lemon-summer-2026 --name "Free Check" --age 20 --gender lgbt+ \
         --id-number GRANTS0004 --q1 one --q2 two --q3 three) || fail "tl-apply-free failed"
tl app "$admin" grant "$free" >/dev/null || fail "tl-admin grant $free failed"
tl app "$admin" reconcile --all --repair || fail "tl-admin reconcile --all --repair with the application account failed"
tl app "$admin" stats --concert lemon-summer-2026 >/dev/null || fail "tl-admin stats failed"
tl app "$admin" audit --concert lemon-summer-2026 >/dev/null || fail "tl-admin audit failed"
say "ok: the application account seeded, bought $code (A1, A2), paid it, cancelled $other, granted $free, reconciled"

# --- ticketlemond with the application account expires a hold ---------------------
tl app "$admin" -q concert create --slug grants-short --name "Short holds" --rows 1 --seats-per-row 5 \
  --price 10.00 --currency EUR --hold-seconds 1 >/dev/null || fail "tl-admin concert create failed"
short=$(tl app "$buy" -q --concert grants-short --seat A3 --name "Late Payer" --age 30 --gender female \
          --id-number GRANTS0002) || fail "tl-buy on the short-hold concert failed"
"$daemon" --config "$work/app.toml" >"$work/daemon.log" 2>&1 &
daemon_pid=$!
healthy=""
for _ in $(seq 1 100); do
  kill -0 "$daemon_pid" 2>/dev/null || { cat "$work/daemon.log" >&2; fail "ticketlemond exited early"; }
  if curl -fsS "http://127.0.0.1:$daemon_port/healthz" >/dev/null 2>&1; then healthy=1; break; fi
  sleep 0.1
done
[ -n "$healthy" ] || { cat "$work/daemon.log" >&2; fail "ticketlemond's /healthz never answered 200"; }
expired=""
for _ in $(seq 1 100); do
  if tl app "$status_tool" --json "$short" | grep -q '"reason":"EXPIRED"'; then expired=1; break; fi
  sleep 0.1
done
[ -n "$expired" ] || { cat "$work/daemon.log" >&2; fail "ticketlemond did not expire hold $short within 10 s"; }
curl -fsS "http://127.0.0.1:$daemon_port/metrics" >"$work/metrics" || fail "GET /metrics failed"
grep -qx 'tl_mysql_up 1' "$work/metrics" || fail "/metrics does not say tl_mysql_up 1"
grep -qE '^tl_holds_expired_total [1-9]' "$work/metrics" || fail "/metrics counted no expired hold"
kill -TERM "$daemon_pid"
daemon_rc=0
wait "$daemon_pid" || daemon_rc=$?
daemon_pid=""
[ $daemon_rc -eq 0 ] || { cat "$work/daemon.log" >&2; fail "ticketlemond exited $daemon_rc on SIGTERM, not 0"; }
grep -qx 'tl_pass_errors_total 0' "$work/metrics" || { cat "$work/daemon.log" >&2; fail "ticketlemond had failed passes"; }
if grep -qE '^[^ ]+ (warning|error|critical) ' "$work/daemon.log"; then
  cat "$work/daemon.log" >&2
  fail "ticketlemond logged a warning or an error with the application account"
fi
say "ok: ticketlemond with the application account expired hold $short, served /healthz and /metrics, stopped with 0"

# --- what the application account may not do ----------------------------------------
must_fail "DROP TABLE as the application account" app_sql -e "DROP TABLE TICKET_SEATS"
grep -q "1142" "$work/out" || { cat "$work/out" >&2; fail "DROP TABLE failed, but not for want of privilege"; }
say "ok: the application account cannot DROP TABLE: $(grep -m1 ERROR "$work/out")"
must_fail "DELETE as the application account" app_sql -e "DELETE FROM AUDIT_LOG"
grep -q "1142" "$work/out" || { cat "$work/out" >&2; fail "DELETE failed, but not for want of privilege"; }
say "ok: the application account cannot DELETE: $(grep -m1 ERROR "$work/out")"
must_fail "CREATE TABLE as the application account" app_sql -e "CREATE TABLE grants_probe (id INT)"
must_fail "ALTER TABLE as the application account" app_sql -e "ALTER TABLE CONCERTS ADD COLUMN probe INT"
must_fail "reading another database as the application account" app_sql -e "SELECT COUNT(*) FROM mysql.user"
must_fail "tl-admin db reset with the application account" tl app "$admin" db reset --yes --delete-sold-tickets
must_fail "tl-admin seed --reset with the application account" \
  tl app "$admin" seed --reset --delete-sold-tickets "$top/etc/example-concerts.toml"
say "ok: the application account cannot CREATE, ALTER, read other databases, db reset or seed --reset"
tables=$(root_sql -N -e "SELECT COUNT(*) FROM information_schema.TABLES WHERE TABLE_SCHEMA = '$db'")
[ "$tables" -eq 8 ] || fail "$db has $tables tables after the refused changes, not 8"
tl app "$status_tool" --json "$code" | grep -q '"status":"SUCCESS"' || fail "ticket $code changed after the refused changes"

# --- resets run with the migration account ---------------------------------------------
tl migrate "$admin" seed --reset --delete-sold-tickets "$top/etc/example-concerts.toml" >/dev/null ||
  fail "tl-admin seed --reset with the migration account failed"
tl migrate "$admin" db reset --yes --delete-sold-tickets >/dev/null ||
  fail "tl-admin db reset --yes with the migration account failed"
say "ok: the migration account ran seed --reset and db reset --yes"

say "ok: all checks passed"
