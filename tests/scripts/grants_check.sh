#!/usr/bin/env bash
# Proves that etc/sql/migrate-account.sql and etc/sql/grants.sql give each
# role what its commands need and no more.
#
#   tests/scripts/grants_check.sh BUILD_DIR
#
# Uses the private servers of the test sandbox ($TL_TEST_SANDBOX, default
# BUILD_DIR/test-sandbox, started by `scripts/sandbox up`; ctest's "servers"
# fixture). On a scratch database with scratch accounts (never the real
# names) it applies both files with real passwords, migrates with the
# migration account, then runs every tool as its role: the seller buys, pays,
# applies and looks; the operator seeds, creates and closes concerts, grants,
# rejects, cancels, reconciles, lists and makes mock data; the auditor reads;
# ticketlemond as the daemon expires a hold. Then every out-of-role command is
# refused with exit 8 and a line naming the account and what it may not do,
# and no role but migration can change or delete AUDIT_LOG, delete or drop
# anything. Everything it made (accounts, database, Redis keys, files) is
# removed at exit.
set -euo pipefail

# shellcheck source=tests/scripts/sandbox_env.sh
. "$(dirname "${BASH_SOURCE[0]}")/sandbox_env.sh" grants_check "$@"
admin=$build/cmd/tl-admin
buy=$build/cmd/tl-buy
apply_free=$build/cmd/tl-apply-free
pay=$build/cmd/tl-pay
status_tool=$build/cmd/tl-status
daemon=$build/daemon/ticketlemond
grants=$top/etc/sql/grants.sql
migrate_account=$top/etc/sql/migrate-account.sql

for f in "$admin" "$buy" "$apply_free" "$pay" "$status_tool" "$daemon"; do
  [ -x "$f" ] || fail "$f is not built (cmake --build $build)"
done
[ -f "$grants" ] || fail "missing $grants"
[ -f "$migrate_account" ] || fail "missing $migrate_account"
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
roles="migrate seller daemon operator auditor"
declare -A user pw
for r in $roles; do
  user[$r]="tlg${tag}_$r"
  pw[$r]=$(random_hex 16)
done
prefix="tlg$tag"
work=$(mktemp -d /tmp/tl-grants.XXXXXX)
daemon_pid=""

cleanup() {
  local rc=$?
  if [ -n "$daemon_pid" ] && kill -0 "$daemon_pid" 2>/dev/null; then
    kill -TERM "$daemon_pid" 2>/dev/null || true
    wait "$daemon_pid" 2>/dev/null || true
  fi
  {
    for r in $roles; do echo "DROP USER IF EXISTS '${user[$r]}'@'127.0.0.1';"; done
    echo "DROP DATABASE IF EXISTS \`$db\`;"
  } | root_sql >/dev/null 2>&1 || echo "grants_check: warning: could not drop $db and its accounts" >&2
  redis --scan --pattern "$prefix:*" 2>/dev/null | while read -r key; do redis del "$key" >/dev/null; done || true
  rm -rf "$work"
  [ $rc -eq 0 ] || echo "grants_check: cleaned up after the failure" >&2
  exit $rc
}
trap cleanup EXIT

write_private() { (umask 077; printf '%s\n' "$2" >"$1"); }

# --- the SQL files with scratch names and real passwords ---------------------------
subst() { # FILE OUT
  local args=(-e "s/\`ticketlemon\`/\`$db\`/g") r R
  for r in $roles; do
    R=$(echo "$r" | tr a-z A-Z)
    args+=(-e "s/'ticketlemon_$r'@/'${user[$r]}'@/g" -e "s/CHANGE_ME_${R}_PASSWORD/${pw[$r]}/g")
  done
  sed "${args[@]}" "$1" >"$2"
  chmod 600 "$2"
  # Nothing may still name a real account, the real database or a placeholder.
  if grep -v '^--' "$2" | grep -nE "'ticketlemon[a-z_]*'@|\`ticketlemon\`|CHANGE_ME" >&2; then
    fail "$(basename "$1") names an account, database or password the substitution missed (lines above)"
  fi
}
subst "$migrate_account" "$work/migrate-account.sql"
subst "$grants" "$work/grants.sql"
grep -q "'${user[migrate]}'@" "$work/migrate-account.sql" || fail "migrate-account.sql has no 'ticketlemon_migrate'@..."
for r in seller daemon operator auditor; do
  grep -q "'${user[$r]}'@" "$work/grants.sql" || fail "grants.sql has no account 'ticketlemon_$r'@..."
done
root_sql -e "SELECT SCHEMA_NAME FROM information_schema.SCHEMATA WHERE SCHEMA_NAME = '$db'" | grep -q . &&
  fail "scratch database $db exists already"
root_sql <"$work/migrate-account.sql" || fail "migrate-account.sql did not apply"

# --- configurations ---------------------------------------------------------------------
write_private "$work/secret" "$(random_hex 32)"
# A loopback port nothing listens on, away from the defaults and below the
# kernel's ephemeral range (32768-60999 by default), where the outgoing
# connections of tests running meanwhile take ports a connect test cannot see.
pick_port() {
  local p
  for _ in $(seq 1 200); do
    p=$(( 20000 + RANDOM % 12000 ))
    if ! (exec 3<>"/dev/tcp/127.0.0.1/$p") 2>/dev/null; then echo "$p"; return 0; fi
  done
  return 1
}
daemon_port=$(pick_port) || fail "no free port for ticketlemond"
write_private "$work/provider.secret" "$(random_hex 32)"
for r in $roles; do
  write_private "$work/$r.password" "${pw[$r]}"
  write_private "$work/$r.toml" "[mysql]
host = \"127.0.0.1\"
port = $mysql_port
user = \"${user[$r]}\"
password_file = \"$work/$r.password\"
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
  # The account through the mariadb client (password in a private option
  # file, not on the command line).
  write_private "$work/$r.cnf" "[client]
user=${user[$r]}
password=${pw[$r]}
host=127.0.0.1
port=$mysql_port
protocol=tcp"
done
# The daemon takes the events of one payment provider.
printf '\n[[payments.provider]]\nname = "gcheck"\nplatform = "PAYPLAT"\nsecret_file = "%s"\n' \
  "$work/provider.secret" >>"$work/daemon.toml"
tl() { local who=$1 tool=$2; shift 2; "$tool" --config "$work/$who.toml" "$@"; }
as_sql() { local who=$1; shift; mariadb --defaults-file="$work/$who.cnf" "$db" "$@"; }

# Runs a command that must fail; its output is kept for a look at the reason.
must_fail() { # WHAT CMD...
  local what=$1; shift
  if "$@" >"$work/out" 2>&1; then
    cat "$work/out" >&2
    fail "$what succeeded but must not"
  fi
}

# A tool run as a role that must be refused for want of a privilege: exit 8,
# one line "TOOL: error: MySQL user 'USER' may not ...".
refused() { # ROLE TOOL ARGS...
  local who=$1 tool=$2 rc=0
  shift 2
  "$tool" --config "$work/$who.toml" "$@" >"$work/out" 2>"$work/err" || rc=$?
  local name
  name=$(basename "$tool")
  if [ $rc -ne 8 ] || [ "$(wc -l <"$work/err")" -ne 1 ] || [ -s "$work/out" ] ||
     ! grep -q "^$name: error: MySQL user '${user[$who]}' may not " "$work/err"; then
    cat "$work/out" "$work/err" >&2
    fail "$name $* as the $who: exit $rc, not 8 with one line \"$name: error: MySQL user '${user[$who]}' may not ...\""
  fi
  say "ok: refused to the $who: $name $* -> $(cat "$work/err")"
}

# A statement through the mariadb client that the server must refuse for want
# of a privilege (error 1142 or 1143).
denied() { # ROLE SQL
  must_fail "$2 as the $1" as_sql "$1" -e "$2"
  grep -qE "ERROR 114[23] " "$work/out" || { cat "$work/out" >&2; fail "$2 as the $1 failed, but not for want of privilege"; }
}

# --- the migration account builds (and can reset) the schema -----------------------------
tl migrate "$admin" db migrate || fail "tl-admin db migrate with the migration account failed"
tl migrate "$admin" db reset --yes >/dev/null || fail "tl-admin db reset --yes with the migration account failed"
tl migrate "$admin" db migrate >/dev/null || fail "tl-admin db migrate after db reset failed"
version=$(root_sql -N -e "SELECT MAX(version) FROM \`$db\`.SCHEMA_VERSION") || fail "no SCHEMA_VERSION in $db"
[ "$version" -ge 1 ] || fail "schema version is '$version' after migrate"
tables=$(root_sql -N -e "SELECT COUNT(*) FROM information_schema.TABLES WHERE TABLE_SCHEMA = '$db'")
say "ok: the migration account created database $db, reset it and migrated it to schema version $version"

# Table and column privileges need the tables: grants.sql comes after migrate.
root_sql <"$work/grants.sql" || fail "grants.sql did not apply"
root_sql <"$work/grants.sql" || fail "grants.sql did not apply a second time (it must be safe to re-run)"
say "ok: applied grants.sql (twice): ${user[seller]}, ${user[daemon]}, ${user[operator]}, ${user[auditor]}"

# Before any sale: the operator may not change the schema.
refused operator "$admin" db migrate
refused operator "$admin" db reset --yes

# --- the operator sets up the sale ---------------------------------------------------------
tl operator "$admin" seed "$top/etc/example-concerts.toml" >/dev/null || fail "tl-admin seed as the operator failed"
tl operator "$admin" -q concert create --slug grants-short --name "Short holds" --rows 1 --seats-per-row 5 \
  --price 10.00 --currency EUR --hold-seconds 1 >/dev/null || fail "tl-admin concert create as the operator failed"
tl operator "$admin" -q concert create --slug grants-closing --name "Closing" --rows 1 --seats-per-row 2 --price 1.00 \
  --currency EUR >/dev/null || fail "tl-admin concert create (grants-closing) as the operator failed"
tl operator "$admin" concert close grants-closing >/dev/null || fail "tl-admin concert close as the operator failed"
tl operator "$admin" concert list >/dev/null || fail "tl-admin concert list as the operator failed"
say "ok: the operator seeded, created concerts and closed one"

# --- the seller sells --------------------------------------------------------------------------
concert=lemon-summer-2027
code=$(tl seller "$buy" -q --concert $concert --seat A1 --seat A2 --name "Grant Check" --age 40 \
         --gender unspecified --id-number GRANTS0001) || fail "tl-buy as the seller failed"
[[ "$code" =~ ^TB- ]] || fail "tl-buy printed '$code', not a ticket code"
tl seller "$pay" "$code" --platform DIRECT --reference "grants-check-$tag" >/dev/null || fail "tl-pay $code as the seller failed"
tl seller "$status_tool" --json "$code" | grep -q '"status":"SUCCESS"' || fail "ticket $code is not SUCCESS after tl-pay"
tl seller "$status_tool" --concert $concert >/dev/null || fail "tl-status --concert as the seller failed"
other=$(tl seller "$buy" -q --concert $concert --seat B1 --name "Cancel Check" --age 50 \
          --gender male --id-number GRANTS0003) || fail "a second tl-buy failed"
free=$(tl seller "$apply_free" -q --concert $concert --name "Free Check" --age 20 --gender lgbt+ \
         --id-number GRANTS0004 --q1 one --q2 two --q3 three) || fail "tl-apply-free as the seller failed"
free2=$(tl seller "$apply_free" -q --concert $concert --name "Reject Check" --age 21 --gender female \
          --id-number GRANTS0005 --q1 one --q2 two --q3 three) || fail "a second tl-apply-free failed"
free3=$(tl seller "$apply_free" -q --concert $concert --name "Refused Check" --age 22 --gender female \
          --id-number GRANTS0006 --q1 one --q2 two --q3 three) || fail "a third tl-apply-free failed"
say "ok: the seller bought $code and $other, paid $code, applied $free, $free2 and $free3, looked at both"

# --- what the seller may not do ---------------------------------------------------------------
refused seller "$admin" cancel "$other" --reason "not mine"
refused seller "$admin" grant "$free3"
refused seller "$admin" reject "$free3"
refused seller "$admin" concert create --slug grants-nope --name "Nope" --rows 1 --seats-per-row 2 --price 1.00 \
  --currency EUR
refused seller "$admin" concert close grants-short
write_private "$work/new.toml" '[[concert]]
slug = "grants-seeded"
name = "Seeded"
rows = 1
seats_per_row = 2
price = "1.00"
currency = "EUR"'
refused seller "$admin" seed "$work/new.toml"
denied seller "UPDATE TICKETS SET amount = 0"
denied seller "UPDATE TICKETS_APPLY_BUY SET amount = 0"
denied seller "UPDATE TICKETS_APPLY_FREE SET decided_by = 'me'"
denied seller "UPDATE CONCERTS SET price = 0"
tl seller "$status_tool" --json "$free3" | grep -q '"status":"PROCESS"' || fail "application $free3 changed after the refusals"
tl seller "$status_tool" --json "$other" | grep -q '"status":"PROCESS"' || fail "ticket $other changed after the refused cancel"

# --- the operator's day-to-day ------------------------------------------------------------------
tl operator "$admin" cancel "$other" --reason "grants check" >/dev/null || fail "tl-admin cancel $other as the operator failed"
tl operator "$admin" grant "$free" >/dev/null || fail "tl-admin grant $free as the operator failed"
tl operator "$admin" reject "$free2" >/dev/null || fail "tl-admin reject $free2 as the operator failed"
tl operator "$admin" reconcile --all --repair >/dev/null || fail "tl-admin reconcile --all --repair as the operator failed"
tl operator "$admin" mock-data --concert acoustic-evening --customers 5 >/dev/null ||
  fail "tl-admin mock-data as the operator failed"
for cmd in "tickets --concert $concert" "stats --concert $concert" "audit --concert $concert" count \
           "applications --concert $concert"; do
  # shellcheck disable=SC2086
  tl operator "$admin" $cmd >/dev/null || fail "tl-admin $cmd as the operator failed"
done
say "ok: the operator cancelled $other, granted $free, rejected $free2, reconciled, made mock data, listed"

# --- payments: a paid ticket cancelled is due back, the operator refunds it ------------------------
due=$(tl seller "$buy" -q --concert $concert --seat B2 --name "Refund Check" --age 33 --gender female \
        --id-number GRANTS0020) || fail "tl-buy of B2 as the seller failed"
tl seller "$pay" "$due" --platform DIRECT --reference "grants-due-$tag" >/dev/null || fail "tl-pay $due failed"
tl operator "$admin" cancel "$due" --reason "grants check refund" >/dev/null || fail "tl-admin cancel $due failed"
for who in operator auditor; do
  tl $who "$admin" payments --state REFUND_DUE --json | grep -q "\"ticket\":\"$due\"" ||
    fail "tl-admin payments as the $who did not list $due as REFUND_DUE"
done
refused auditor "$admin" refund "$due" --reference "grants-rf-$tag"
refused seller "$admin" refund "$due" --reference "grants-rf-$tag"
tl operator "$admin" refund "$due" --reference "grants-rf-$tag" >/dev/null || fail "tl-admin refund $due as the operator failed"
tl auditor "$admin" payments --ticket "$due" --json | grep -q "\"refund_reference\":\"grants-rf-$tag\"" ||
  fail "tl-admin payments as the auditor does not show $due refunded"
say "ok: the operator and the auditor listed payments, the operator refunded $due, the auditor and the seller could not"

# --- the gate: the operator admits a pass online, and syncs an offline gate's journal -------------
tl migrate "$admin" keys generate --key-id GC1 --out "$work" >/dev/null || fail "tl-admin keys generate failed"
export TL_PASSES_SIGNING_KEY_FILE="$work/GC1.key" TL_PASSES_VERIFY_KEYS_FILE="$work/GC1.pub"
pass=$(tl seller "$status_tool" -q "$code" --pass) || fail "tl-status --pass as the seller failed"
tl operator "$admin" checkin "$pass" --gate North >/dev/null || fail "tl-admin checkin as the operator failed"
tl operator "$admin" checkin --revoked --concert $concert --out "$work/revoked.list" >/dev/null ||
  fail "tl-admin checkin --revoked as the operator failed"
"$admin" checkin --offline --journal "$work/gate.journal" --revoked "$work/revoked.list" "$pass" >/dev/null ||
  fail "tl-admin checkin --offline (no account at all) failed"
rc=0
tl operator "$admin" checkin --sync "$work/gate.journal" >/dev/null || rc=$?
[ $rc -eq 3 ] || fail "tl-admin checkin --sync as the operator exited $rc, not 3 (a pass admitted twice)"
refused auditor "$admin" checkin "$pass"
refused seller "$admin" checkin "$pass"
unset TL_PASSES_SIGNING_KEY_FILE TL_PASSES_VERIFY_KEYS_FILE
say "ok: the operator admitted $code at a gate, wrote a revocation list and synced a journal (one conflict)"

# --- the auditor reads, and only reads ------------------------------------------------------------
for cmd in "tickets --concert $concert" "stats --concert $concert" "audit --concert $concert" count \
           "applications --concert $concert"; do
  # shellcheck disable=SC2086
  tl auditor "$admin" $cmd >/dev/null || fail "tl-admin $cmd as the auditor failed"
done
tl auditor "$status_tool" --json "$code" | grep -q '"status":"SUCCESS"' || fail "tl-status as the auditor failed"
tl auditor "$status_tool" --concert $concert >/dev/null || fail "tl-status --concert as the auditor failed"
say "ok: the auditor listed tickets, stats, audit, counts, applications and ticket status"
refused auditor "$buy" --concert $concert --seat C1 --name "Audit Buy" --age 30 --gender male --id-number GRANTS0007
refused auditor "$apply_free" --concert $concert --name "Audit Apply" --age 30 --gender male \
  --id-number GRANTS0008 --q1 a --q2 b --q3 c
unpaid=$(tl seller "$buy" -q --concert $concert --seat C2 --name "Unpaid" --age 30 --gender male \
           --id-number GRANTS0009) || fail "tl-buy of C2 as the seller failed"
refused auditor "$pay" "$unpaid" --platform DIRECT --reference "grants-audit-$tag"
refused auditor "$admin" cancel "$unpaid" --reason "not mine"
refused auditor "$admin" grant "$free3"
denied auditor "INSERT INTO AUDIT_LOG (at, actor, action, detail) VALUES (NOW(3), 'x', 'x', 'x')"
tl auditor "$status_tool" --json "$unpaid" | grep -q '"status":"PROCESS"' || fail "ticket $unpaid changed after the refusals"
tl auditor "$status_tool" --concert $concert --json | grep -q . || fail "tl-status --concert after the refusals failed"

# --- a procedure dropped and made again keeps its callers (EXECUTE is on the database) ---------------
root_sql -e "DROP PROCEDURE \`$db\`.tl_buy" || fail "dropping tl_buy failed"
tl migrate "$admin" db migrate >"$work/remigrate.out" || fail "tl-admin db migrate after tl_buy was dropped failed"
grep -q 'Recreated missing procedures: tl_buy' "$work/remigrate.out" ||
  fail "tl-admin db migrate did not say it recreated tl_buy: $(cat "$work/remigrate.out")"
again=$(tl seller "$buy" -q --concert $concert --seat D5 --name "Again" --age 30 --gender male \
          --id-number GRANTS0010) || fail "tl-buy as the seller failed once tl_buy was made again"
say "ok: tl_buy dropped, made again by db migrate, and the seller bought $again with it"

# --- ticketlemond as the daemon expires a hold ------------------------------------------------------
short=$(tl seller "$buy" -q --concert grants-short --seat A3 --name "Late Payer" --age 30 --gender female \
          --id-number GRANTS0002) || fail "tl-buy on the short-hold concert failed"
# Another test may take the port between the check and the daemon's bind:
# then the daemon starts again on another one.
healthy=""
for _ in 1 2 3 4 5; do
  "$daemon" --config "$work/daemon.toml" >"$work/daemon.log" 2>&1 &
  daemon_pid=$!
  for _ in $(seq 1 100); do
    kill -0 "$daemon_pid" 2>/dev/null || break
    if curl -fsS "http://127.0.0.1:$daemon_port/healthz" >/dev/null 2>&1; then healthy=1; break; fi
    sleep 0.1
  done
  [ -n "$healthy" ] && break
  kill -0 "$daemon_pid" 2>/dev/null && break
  grep -q "Address already in use" "$work/daemon.log" || { cat "$work/daemon.log" >&2; fail "ticketlemond exited early"; }
  old_port=$daemon_port
  daemon_port=$(pick_port) || fail "no free port for ticketlemond"
  sed -i "s/127\.0\.0\.1:$old_port/127.0.0.1:$daemon_port/" "$work/daemon.toml"
  say "port $old_port was taken meanwhile; ticketlemond starts again on $daemon_port"
done
[ -n "$healthy" ] || { cat "$work/daemon.log" >&2; fail "ticketlemond's /healthz never answered 200"; }
expired=""
for _ in $(seq 1 100); do
  if tl auditor "$status_tool" --json "$short" | grep -q '"reason":"EXPIRED"'; then expired=1; break; fi
  sleep 0.1
done
[ -n "$expired" ] || { cat "$work/daemon.log" >&2; fail "ticketlemond did not expire hold $short within 10 s"; }
# A payment provider's event, signed and posted by hand as the README shows:
# the daemon's account pays the ticket.
webhook=$(tl seller "$buy" -q --concert $concert --seat D7 --name "Webhook Payer" --age 30 --gender female \
            --id-number GRANTS0011) || fail "tl-buy of D7 as the seller failed"
amount=$(tl seller "$status_tool" --json "$webhook" | sed -n 's/.*"amount":"\([0-9.]*\)".*/\1/p')
currency=$(tl seller "$status_tool" --json "$webhook" | sed -n 's/.*"currency":"\([A-Z]*\)".*/\1/p')
body="{\"id\":\"EV-GC-$tag\",\"type\":\"payment.succeeded\",\"ticket\":\"$webhook\",\"reference\":\"GC-$tag\",\"amount\":\"$amount\",\"currency\":\"$currency\"}"
t=$(date +%s)
sig=$(printf '%s.%s' "$t" "$body" | openssl dgst -sha256 -hmac "$(cat "$work/provider.secret")" | sed 's/^.* //')
answer=$(curl -sS -H "TL-Signature: t=$t,v1=$sig" -H 'Content-Type: application/json' --data-binary "$body" \
           "http://127.0.0.1:$daemon_port/api/v1/payments/gcheck") || fail "POST /api/v1/payments/gcheck failed"
[ "$answer" = '{"result":"paid"}' ] || { cat "$work/daemon.log" >&2; fail "the provider's payment answered $answer"; }
tl auditor "$status_tool" --json "$webhook" | grep -q '"status":"SUCCESS"' || fail "the webhook did not pay $webhook"
say "ok: ticketlemond as the daemon took a provider's signed payment of $webhook (openssl dgst, curl)"
# The read API answers with the daemon's account: every endpoint, the
# report (which reads check-ins and payments) included.
for path in concerts "concerts/$concert" "concerts/$concert/seats" "concerts/$concert/report" \
            "concerts/$concert/report?format=html" "tickets/$webhook"; do
  status=$(curl -sS -o "$work/api.out" -w '%{http_code}' "http://127.0.0.1:$daemon_port/api/v1/$path") ||
    fail "GET /api/v1/$path failed"
  [ "$status" = 200 ] || { cat "$work/api.out" "$work/daemon.log" >&2; fail "GET /api/v1/$path answered $status"; }
done
say "ok: ticketlemond as the daemon served the read API (concerts, seats, report, ticket)"
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
  fail "ticketlemond logged a warning or an error as the daemon"
fi
say "ok: ticketlemond as the daemon expired hold $short, served /healthz and /metrics, stopped with 0"
refused daemon "$buy" --concert $concert --seat C3 --name "Daemon Buy" --age 30 --gender male --id-number GRANTS0010
refused daemon "$admin" cancel "$unpaid" --reason "not mine"
refused daemon "$admin" grant "$free3"
refused daemon "$admin" concert close grants-short

# --- no role but migration may rewrite history, delete or change the schema ---------------------------
for r in seller daemon operator auditor; do
  denied $r "UPDATE AUDIT_LOG SET detail = 'rewritten'"
  denied $r "DELETE FROM AUDIT_LOG"
  denied $r "DELETE FROM TICKETS"
  denied $r "DROP TABLE TICKET_SEATS"
  must_fail "CREATE TABLE as the $r" as_sql $r -e "CREATE TABLE grants_probe (id INT)"
  must_fail "ALTER TABLE as the $r" as_sql $r -e "ALTER TABLE CONCERTS ADD COLUMN probe INT"
  must_fail "reading another database as the $r" as_sql $r -e "SELECT COUNT(*) FROM mysql.user"
done
denied operator "UPDATE TICKETS SET amount = 0"
denied operator "UPDATE TICKETS_APPLY_BUY SET amount = 0"
say "ok: seller, daemon, operator and auditor can neither UPDATE nor DELETE AUDIT_LOG, DELETE, DROP, CREATE or ALTER"
as_sql migrate -e "UPDATE AUDIT_LOG SET detail = detail WHERE id = 0" || fail "the migration account cannot UPDATE AUDIT_LOG"
now=$(root_sql -N -e "SELECT COUNT(*) FROM information_schema.TABLES WHERE TABLE_SCHEMA = '$db'")
[ "$now" -eq "$tables" ] || fail "$db has $now tables after the refused changes, not $tables"
tl auditor "$status_tool" --json "$code" | grep -q '"status":"SUCCESS"' || fail "ticket $code changed after the refused changes"

# --- destructive seeding is the migration account's -------------------------------------------------
tl operator "$admin" -q concert create --slug grants-reset --name "Reset me" --rows 1 --seats-per-row 2 --price 1.00 \
  --currency EUR >/dev/null || fail "tl-admin concert create (grants-reset) failed"
write_private "$work/reset.toml" '[[concert]]
slug = "grants-reset"
name = "Reset me"
rows = 1
seats_per_row = 2
price = "1.00"
currency = "EUR"'
refused operator "$admin" seed --reset "$work/reset.toml"
tl migrate "$admin" seed --reset "$work/reset.toml" >/dev/null ||
  fail "tl-admin seed --reset with the migration account failed"
say "ok: the migration account ran seed --reset, the operator could not"

say "ok: all checks passed"
