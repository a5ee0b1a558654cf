#!/usr/bin/env bash
# tests/chaos/run.sh - faults under load (`make chaos`; a short run in make test with
# CHAOS_SECONDS=10): a stack of its own, wrk on public pages, a loop of API bookings
# (one distinct slot each, the answers recorded), and meanwhile
#   1. kill -9 of one rdv-search worker process (the master re-forks it),
#   2. a PostgreSQL restart (stack.sh pg-stop / pg-start),
#   3. the mail sink full (a 64 KiB tmpfs on mail/ when we may mount, else unwritable).
# Then: every RDV acknowledged with 201 exists, none twice, no overlap for the agent;
# every outbox e-mail row sent once (one .eml per sent row) or still queued to retry,
# none failed; every acknowledged RDV has its "created" webhook, each sent webhook reached
# the receiver (a small HTTP server here), none twice but for at most one redelivery per
# PostgreSQL restart (delivery is at least once: a restart between the POST and its record
# re-sends it); /healthz back to 200 within RECOVERY_MAX seconds after each fault.
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
export BUILD=$(realpath -m "${BUILD:-$ROOT/var/build}")
DIR=$(realpath -m "${CHAOS_DIR:-$ROOT/var/chaos}")
SECONDS_TOTAL=${CHAOS_SECONDS:-60}
RECOVERY_MAX=${RECOVERY_MAX:-10}
PORT=${CHAOS_PORT:-$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')}
URL="http://127.0.0.1:$PORT"
STACK="$ROOT/nginx/stack.sh"
TOKEN=chaosTOKENchaosTOKENchaosTOKENchaosTOK12345
FAIL=0
report() { printf 'chaos: %s\n' "$*"; }
bad() { report "ÉCHEC: $*"; FAIL=1; }
psql_() { "$STACK" psql "$DIR" -tAc "$1"; }

cleanup() {
	[ -n "${LOAD_PID:-}" ] && kill "$LOAD_PID" 2>/dev/null || true
	[ -n "${BOOK_PID:-}" ] && kill "$BOOK_PID" 2>/dev/null || true
	[ -n "${HOOK_PID:-}" ] && kill "$HOOK_PID" 2>/dev/null || true
	mountpoint -q "$DIR/mail" 2>/dev/null && umount "$DIR/mail" || true
	chmod 0755 "$DIR/mail" 2>/dev/null || true
	"$STACK" down "$DIR" >/dev/null 2>&1 || true
}
trap cleanup EXIT

rm -rf "$DIR"
export RDV_LOGIN_RATE=6000r/m RDV_BOOKING_RATE=6000r/m RDV_SEARCH_RATE=5000r/s RDV_API_RATE=5000r/s RDV_PG_FAST=1
"$STACK" up "$DIR" "$PORT" >/dev/null
ORG=$(psql_ "SELECT id FROM organisations WHERE name = 'MDS d''Arras'")
PMI=$(psql_ "SELECT id FROM agents WHERE email = 'agent.pmi@demo.rdv-solidarites.fr'")
MOTIF=$(psql_ "SELECT id FROM motifs WHERE organisation_id = $ORG AND name = 'Consultation PMI nourrisson'")
LIEU=$(psql_ "SELECT id FROM lieux WHERE organisation_id = $ORG AND availability = 'enabled' ORDER BY id LIMIT 1")
USAGER=$(psql_ "SELECT user_id FROM user_profiles WHERE organisation_id = $ORG ORDER BY user_id LIMIT 1 OFFSET 3")
psql_ "INSERT INTO api_tokens (agent_id, token_hash, name) VALUES ($PMI, sha256('$TOKEN'::bytea), 'chaos')" >/dev/null
DAY=$(psql_ "SELECT to_char(current_date + 400, 'YYYY-MM-DD')")

# Webhooks of the organisation go to a receiver that appends each body (one JSON line) to
# webhooks.txt and answers 200.
HOOK_PORT=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
python3 - "$HOOK_PORT" "$DIR/webhooks.txt" <<'PY' &
import http.server, sys
out = open(sys.argv[2], "ab", buffering=0)
class Hook(http.server.BaseHTTPRequestHandler):
    def do_POST(self):
        out.write(self.rfile.read(int(self.headers.get("Content-Length", 0))).replace(b"\n", b" ") + b"\n")
        self.send_response(200)
        self.send_header("Content-Length", "0")
        self.end_headers()
    def log_message(self, *args):
        pass
http.server.HTTPServer(("127.0.0.1", int(sys.argv[1])), Hook).serve_forever()
PY
HOOK_PID=$!
touch "$DIR/webhooks.txt"
psql_ "INSERT INTO webhook_endpoints (organisation_id, target_url, secret, subscriptions)
	VALUES ($ORG, 'http://127.0.0.1:$HOOK_PORT/hook', 'chaos-secret', '{rdv}')" >/dev/null

# Load: wrk on the home page and health check, if wrk is there.
if command -v wrk >/dev/null; then
	wrk -t2 -c16 -d"${SECONDS_TOTAL}s" "$URL/" >"$DIR/wrk.txt" 2>&1 &
	LOAD_PID=$!
fi

# Bookings: one distinct 5-minute slot per request (a 10-minute motif would overlap
# the next one: the agent's slots are 30 minutes apart), the answers logged.
book_loop() {
	local i=0
	while :; do
		local mins=$((i * 30)) d h m
		d=$(date -d "$DAY + $((mins / 1440)) days" +%F) h=$(((mins % 1440) / 60)) m=$((mins % 60))
		local st body
		body=$(curl -s -m 10 -w '\n%{http_code}' -H "Authorization: Bearer $TOKEN" -H 'Content-Type: application/json' \
			-d "{\"motif_id\":$MOTIF,\"lieu_id\":$LIEU,\"starts_at\":\"${d}T$(printf %02d:%02d $h $m):00+00:00\",\"agent_ids\":[$PMI],\"user_ids\":[$USAGER],\"force\":true}" \
			"$URL/api/v1/organisations/$ORG/rdvs" || true)
		st=$(tail -n1 <<<"$body")
		echo "$i $st $(head -n1 <<<"$body" | grep -o '"id": *[0-9]*' | head -1 | grep -o '[0-9]*$')" >>"$DIR/bookings.txt"
		[ "$st" = 201 ] || [ -f "$DIR/first-error.txt" ] || echo "$st $body" >"$DIR/first-error.txt"
		i=$((i + 1))
	done
}
book_loop &
BOOK_PID=$!

healthy_within() {
	local t0=$(date +%s%N)
	for _ in $(seq 1 $((RECOVERY_MAX * 10))); do
		if [ "$(curl -s -o /dev/null -w '%{http_code}' -m 2 "$URL/healthz")" = 200 ]; then
			report "$1: /healthz 200 after $((($(date +%s%N) - t0) / 1000000)) ms"
			return 0
		fi
		sleep 0.1
	done
	bad "$1: /healthz not back within ${RECOVERY_MAX}s"
}

step=$((SECONDS_TOTAL / 4))
sleep "$step"
MASTER=$(cat "$DIR/run/search.pid")
VICTIM=$(pgrep -P "$MASTER" | head -1 || true)
if [ -n "$VICTIM" ]; then
	kill -9 "$VICTIM"
	report "kill -9 rdv-search worker $VICTIM"
	healthy_within "after kill -9"
	sleep 0.5
	pgrep -P "$MASTER" >/dev/null || bad "rdv-search master has no worker after kill -9"
else
	bad "no rdv-search worker process found"
fi

sleep "$step"
report "PostgreSQL restart"
"$STACK" pg-stop "$DIR"
sleep 1
"$STACK" pg-start "$DIR"
healthy_within "after PostgreSQL restart"

sleep "$step"
if mount -t tmpfs -o size=64k tmpfs "$DIR/mail" 2>/dev/null; then
	[ "$(id -u)" = 0 ] && chown rdv "$DIR/mail" 2>/dev/null || true
	head -c 60k /dev/zero >"$DIR/mail/filler" 2>/dev/null || true
	report "mail/ full (64 KiB tmpfs)"
	FULL=tmpfs
else
	chmod 0000 "$DIR/mail"
	report "mail/ unwritable (no permission to mount a small tmpfs)"
	FULL=chmod
fi
sleep "$step"
# The mails written while full are in the tmpfs: keep them for the count.
if [ "$FULL" = tmpfs ]; then
	mkdir -p "$DIR/mail-full" && cp "$DIR"/mail/*.eml "$DIR/mail-full/" 2>/dev/null || true
	umount "$DIR/mail"
	cp "$DIR"/mail-full/*.eml "$DIR/mail/" 2>/dev/null || true
else
	chmod 0750 "$DIR/mail"
fi
report "mail/ writable again"
kill "$BOOK_PID" 2>/dev/null || true
wait "$BOOK_PID" 2>/dev/null || true
BOOK_PID=
# wrk prints its summary when its own duration ends: wait for it
[ -n "${LOAD_PID:-}" ] && { wait "$LOAD_PID" 2>/dev/null || true; LOAD_PID=; }
healthy_within "end of load"

# ---- the checks
ACKED=$(awk '$2 == 201 && $3 != "" {print $3}' "$DIR/bookings.txt" | sort -u)
N_ACKED=$(wc -w <<<"$ACKED")
N_REQ=$(wc -l <"$DIR/bookings.txt")
N_5XX=$(awk '$2 >= 500 || $2 == 0' "$DIR/bookings.txt" | wc -l)
[ -f "$DIR/first-error.txt" ] && report "first refused booking: $(head -c 300 "$DIR/first-error.txt")"
report "$N_REQ bookings sent, $N_ACKED acknowledged (201), $N_5XX refused during faults (503/000)"
if [ "$N_ACKED" -gt 0 ]; then
	IDS=$(tr '\n' ',' <<<"$ACKED" | sed 's/,$//')
	FOUND=$(psql_ "SELECT count(*) FROM rdvs WHERE id IN ($IDS)")
	[ "$FOUND" = "$N_ACKED" ] || bad "lost RDVs: $N_ACKED acknowledged, $FOUND in the database"
else
	bad "no booking acknowledged at all"
fi
DUP=$(psql_ "SELECT count(*) FROM (SELECT r.starts_at FROM rdvs r JOIN agents_rdvs x ON x.rdv_id = r.id
	WHERE x.agent_id = $PMI AND r.starts_at >= '$DAY' AND r.cancelled_at IS NULL GROUP BY r.starts_at HAVING count(*) > 1) d")
[ "$DUP" = 0 ] || bad "$DUP slots booked twice"
N_DB=$(psql_ "SELECT count(*) FROM rdvs r JOIN agents_rdvs x ON x.rdv_id = r.id WHERE x.agent_id = $PMI AND r.starts_at >= '$DAY'")
[ "$N_DB" -le "$N_REQ" ] || bad "$N_DB RDVs for $N_REQ requests"

# The worker catches up: wait for the queue to drain (retries use the backoff).
for _ in $(seq 1 $((RECOVERY_MAX * 6))); do
	[ "$(psql_ "SELECT count(*) FROM outbox WHERE status = 'queued' AND next_attempt_at < now() + interval '30 seconds'")" = 0 ] && break
	sleep 0.5
done
SENT=$(psql_ "SELECT count(*) FROM outbox WHERE channel = 'email' AND status = 'sent'")
QUEUED=$(psql_ "SELECT count(*) FROM outbox WHERE channel = 'email' AND status = 'queued'")
FAILED=$(psql_ "SELECT count(*) FROM outbox WHERE status = 'failed'")
FILES=$(find "$DIR/mail" -maxdepth 1 -name '*.eml' | wc -l)
report "outbox e-mails: $SENT sent, $QUEUED still queued (retrying), $FAILED failed; $FILES .eml files"
[ "$FAILED" = 0 ] || bad "$FAILED outbox rows failed for good"
[ "$FILES" = "$SENT" ] || bad "$FILES mail files for $SENT sent rows (lost or duplicated messages)"
W_SENT=$(psql_ "SELECT count(*) FROM outbox WHERE channel = 'webhook' AND status = 'sent'")
W_QUEUED=$(psql_ "SELECT count(*) FROM outbox WHERE channel = 'webhook' AND status = 'queued'")
W_CREATED=0
[ "$N_ACKED" -gt 0 ] && W_CREATED=$(psql_ "SELECT count(DISTINCT rdv_id) FROM outbox WHERE channel = 'webhook'
	AND event = 'rdv_created' AND rdv_id IN ($IDS)")
RECEIVED=$(wc -l <"$DIR/webhooks.txt")
DISTINCT=$(sort -u "$DIR/webhooks.txt" | wc -l)
report "webhooks: $W_SENT sent, $W_QUEUED still queued; $RECEIVED received, $DISTINCT distinct;" \
	"$W_CREATED of $N_ACKED acknowledged RDVs with their created webhook"
[ "$W_QUEUED" = 0 ] || report "queued webhook: $(psql_ "SELECT attempts || ' attempts, next in ' ||
	date_trunc('second', next_attempt_at - now()) || ': ' || coalesce(last_error, '') FROM outbox
	WHERE channel = 'webhook' AND status = 'queued' ORDER BY id LIMIT 1")"
[ "$W_CREATED" = "$N_ACKED" ] || bad "$((N_ACKED - W_CREATED)) acknowledged RDVs without their webhook"
[ "$DISTINCT" = "$W_SENT" ] || bad "$DISTINCT distinct webhooks received for $W_SENT sent rows (lost webhooks)"
[ $((RECEIVED - DISTINCT)) -le 1 ] || bad "$((RECEIVED - DISTINCT)) webhooks received twice"
grep -l 'ERROR: AddressSanitizer\|runtime error:' "$DIR"/log/*.log 2>/dev/null && bad "sanitizer reports"
[ -f "$DIR/wrk.txt" ] && report "wrk: $(grep -E 'Requests/sec|Non-2xx' "$DIR/wrk.txt" | tr -s ' ' | tr '\n' ' ')"
[ $FAIL = 0 ] && report "OK" || report "FAILED"
exit $FAIL
