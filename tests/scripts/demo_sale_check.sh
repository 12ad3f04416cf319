#!/usr/bin/env bash
# Runs the demo's on-sale (scripts/demo-sale, the code scripts/demo runs)
# twice with fewer buyers and short holds, and checks the end in MySQL and
# Redis: every ticket is sold or expired (none still PROCESS after the hold
# and ticketlemond's grace), the tickets sold are exactly the payments that
# tl-pay accepted, no seat is in two paid tickets, `tl-admin reconcile`
# exits 0, and the daemon the demo started has stopped. The second run shows
# that the demo can run again over its own previous sale.
#
#   tests/scripts/demo_sale_check.sh BUILD_DIR
#
# Uses the private servers of the test sandbox ($TL_TEST_SANDBOX, default
# BUILD_DIR/test-sandbox; ctest's "servers" fixture), in a scratch database
# and Redis key prefix that are removed at exit.
set -euo pipefail

# shellcheck source=tests/scripts/sandbox_env.sh
. "$(dirname "${BASH_SOURCE[0]}")/sandbox_env.sh" demo_sale_check "$@"

random_hex() { od -An -N"$1" -tx1 /dev/urandom | tr -d ' \n'; }
tag=$(random_hex 4)
db="tltest_demo$tag"
prefix="tldemo$tag"
work=$(mktemp -d /tmp/tl-demo-check.XXXXXX)
root_sql() { mariadb --no-defaults --protocol=socket --socket="$mysql_socket" -uroot -N "$db" "$@"; }
redis() { REDISCLI_AUTH=$(cat "$sandbox/redis.password") redis-cli --no-auth-warning -h 127.0.0.1 -p "$redis_port" "$@"; }

cleanup() {
  local rc=$?
  mariadb --no-defaults --protocol=socket --socket="$mysql_socket" -uroot -e "DROP DATABASE IF EXISTS \`$db\`" ||
    echo "demo_sale_check: warning: could not drop $db" >&2
  redis --scan --pattern "$prefix:*" 2>/dev/null | while read -r key; do redis del "$key" >/dev/null; done || true
  rm -rf "$work"
  exit $rc
}
trap cleanup EXIT

(umask 077; cat >"$work/ticketlemon.toml" <<TOML
[mysql]
host = "127.0.0.1"
port = $mysql_port
user = "ticketlemon"
password_file = "$sandbox/mysql.password"
database = "$db"

[redis]
host = "127.0.0.1"
port = $redis_port
password_file = "$sandbox/redis.password"
key_prefix = "$prefix"

[security]
secret_file = "$sandbox/secret"
TOML
)
tl() { local t=$1; shift; "$build/cmd/$t" --config "$work/ticketlemon.toml" "$@"; }
tl tl-admin db migrate >/dev/null || fail "tl-admin db migrate of $db failed"

hold=2
sale() { # RUN
  local out=$work/run$1.txt rc=0
  "$top/scripts/demo-sale" --config "$work/ticketlemon.toml" --build "$build" --buyers 60 --wave 30 \
    --parallel 12 --hold-seconds $hold --rows 4 --seats-per-row 10 --work "$work/sale" >"$out" 2>&1 || rc=$?
  [ $rc -eq 0 ] || { cat "$out" >&2; fail "scripts/demo-sale (run $1) exited $rc"; }
  grep -q "^No drift" "$out" || { cat "$out" >&2; fail "the demo's reconcile (run $1) did not say No drift"; }
  grep -q "^ticketlemond (pid [0-9]*) stopped" "$out" || { cat "$out" >&2; fail "run $1 did not stop its daemon"; }
  tail -1 "$work/sale/ticketlemond.log" | grep -q "ticketlemond stopped" ||
    { cat "$work/sale/ticketlemond.log" >&2; fail "ticketlemond of run $1 did not stop cleanly"; }
  if grep -E '^[^ ]+ (warning|error|critical) ' "$work/sale/ticketlemond.log" >&2; then
    fail "ticketlemond of run $1 logged the warnings or errors above"
  fi
  say "ok: run $1: $(grep '^The on-sale took' "$out")"
}
sale 1
# Run 1 leaves sold tickets: run 2 deletes them with its own concert's reset,
# which the audit log records.
sold1=$(root_sql -e "SELECT COUNT(*) FROM TICKETS WHERE status = 'SUCCESS'")
[ "$sold1" -gt 0 ] || fail "run 1 sold nothing"
sale 2
[ "$(root_sql -e "SELECT COUNT(*) FROM CONCERTS")" -eq 1 ] || fail "the runs made more than one concert"
resets=$(root_sql -e "SELECT detail FROM AUDIT_LOG WHERE action = 'concert-reset'")
if [ "$(wc -l <<<"$resets")" -ne 1 ] || ! grep -q "^seed --reset deleted .*; $sold1 paid, 0 granted: " <<<"$resets"; then
  fail "not one concert-reset audit row naming the $sold1 paid tickets of run 1: $resets"
fi
say "ok: run 2 reset the demo's concert, deleting the $sold1 tickets run 1 sold, as the audit log says"

# --- the second run's sale, in the buyers' log and in MySQL ------------------------------
log=$work/sale/buyers.log
[ "$(wc -l <"$log")" -eq 60 ] || fail "buyers.log has $(wc -l <"$log") lines, not one per buyer (60)"
odd=$(awk '$2 != 0 && $2 != 3' "$log")
[ -z "$odd" ] || fail "buyers neither got seats nor were told none were left (exit 3): $odd"
held=$(awk '$2 == 0' "$log" | wc -l)
paid=$(awk '$2 == 0 && $6 == "0"' "$log" | wc -l)
paid_seats=$(awk '$2 == 0 && $6 == "0" { n += $4 } END { print n + 0 }' "$log")
late=$(awk '$2 == 0 && $5 == "late"' "$log" | wc -l)
revived=$(awk '$2 == 0 && $5 == "late" && $6 == "0"' "$log" | wc -l)
refused_late=$(awk '$2 == 0 && $5 == "late" && $6 == "5"' "$log" | wc -l)
[ "$paid" -gt 0 ] || fail "no buyer paid"
[ "$held" -gt "$paid" ] || fail "every buyer with seats paid: nothing expired"
[ "$(awk '$2 == 3' "$log" | wc -l)" -gt 0 ] || fail "no buyer found the hall full"
[ "$late" -gt 0 ] || fail "no buyer came back to pay after the hold ran out"
[ $((revived + refused_late)) -eq "$late" ] ||
  fail "a late payment was neither taken (exit 0, the ticket revived) nor refused (exit 5)"

concert=$(root_sql -e "SELECT id FROM CONCERTS WHERE slug = 'demo-onsale'")
[ -n "$concert" ] || fail "no concert demo-onsale"
q() { root_sql -e "$1"; }
total=$(q "SELECT COUNT(*) FROM TICKETS WHERE concert_id = $concert")
process=$(q "SELECT COUNT(*) FROM TICKETS WHERE concert_id = $concert AND status = 'PROCESS'")
sold=$(q "SELECT COUNT(*) FROM TICKETS WHERE concert_id = $concert AND status = 'SUCCESS'")
expired=$(q "SELECT COUNT(*) FROM TICKETS WHERE concert_id = $concert AND status = 'FAIL' AND reason = 'EXPIRED'")
[ "$process" -eq 0 ] || fail "$process tickets still PROCESS after the holds and the grace"
[ "$total" -eq "$held" ] || fail "MySQL has $total tickets, the buyers got seats $held times"
[ $((sold + expired)) -eq "$total" ] || fail "of $total tickets $sold are sold and $expired expired: others remain"
[ "$sold" -eq "$paid" ] || fail "MySQL has $sold tickets sold, tl-pay succeeded $paid times"
[ "$(q "SELECT COUNT(*) FROM TICKETS t JOIN TICKETS_APPLY_BUY p ON p.ticket_id = t.id
        WHERE t.concert_id = $concert AND t.status = 'SUCCESS' AND p.reference LIKE 'DEMO-%'")" -eq "$paid" ] ||
  fail "not every sold ticket carries the demo's payment reference"
twice=$(q "SELECT COUNT(*) FROM (SELECT 1 FROM TICKET_SEATS s JOIN TICKETS t ON t.id = s.ticket_id
           WHERE t.concert_id = $concert AND t.status = 'SUCCESS'
           GROUP BY s.zone, s.seat_row, s.seat_number HAVING COUNT(*) > 1) d")
[ "$twice" -eq 0 ] || fail "$twice seats are in more than one paid ticket"
sold_seats=$(q "SELECT COUNT(*) FROM TICKET_SEATS s JOIN TICKETS t ON t.id = s.ticket_id
                WHERE t.concert_id = $concert AND t.status = 'SUCCESS'")
[ "$sold_seats" -eq "$paid_seats" ] || fail "MySQL has $sold_seats seats sold, the payers bought $paid_seats"
# Every late payment is on the record: a revived ticket, or money due back.
reset_at=$(q "SELECT MAX(id) FROM AUDIT_LOG WHERE action = 'concert-reset'")
[ "$(q "SELECT COUNT(*) FROM AUDIT_LOG WHERE concert_id = $concert AND action = 'revived' AND id > $reset_at")" -eq "$revived" ] ||
  fail "not one 'revived' audit row for each of the $revived late payments taken"
[ "$(q "SELECT COUNT(*) FROM PAYMENTS WHERE concert_id = $concert AND state = 'REFUND_DUE'")" -eq "$refused_late" ] ||
  fail "not one REFUND_DUE payment for each of the $refused_late late payments refused"
[ "$(q "SELECT COUNT(*) FROM PAYMENTS WHERE concert_id = $concert AND state = 'PAID'")" -eq "$paid" ] ||
  fail "not one PAID payment for each of the $paid tickets sold"
say "ok: $held tickets: $sold sold (= the $paid payments accepted, $revived of them late and revived," \
  "$sold_seats seats, none twice), $expired expired ($refused_late paid too late, money due back), none PROCESS"

# --- Redis agrees ------------------------------------------------------------------------------
status=$(tl tl-status --concert demo-onsale --json)
grep -q "\"held\":0" <<<"$status" || fail "Redis still shows held seats: $status"
grep -q "\"sold\":$sold_seats" <<<"$status" || fail "Redis does not show $sold_seats sold seats: $status"
rc=0
tl tl-admin reconcile --concert demo-onsale >"$work/reconcile.txt" 2>&1 || rc=$?
[ $rc -eq 0 ] || { cat "$work/reconcile.txt" >&2; fail "tl-admin reconcile exited $rc"; }
say "ok: Redis shows $sold_seats seats sold and none held; tl-admin reconcile exits 0"
say "ok: all checks passed"
