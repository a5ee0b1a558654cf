#!/usr/bin/env bash
# run.sh - `make bench`: a département at scale (generate.sql, fixed seed), then, in one
# run on this machine, wrk (2 threads, 64 connections — wrk shares the 2 cores with the
# stack, so every figure includes that) against nginx for:
#   the ceilings: a static file and a trivial FastCGI responder behind the same nginx;
#   the public créneaux (API, 4 weeks, and the page of a week at a lieu), the address autocomplete, the agent week agenda
#   JSON, the usager search by name, the usager list (no search) and the RDV list pages;
#   and the RDV export to XLSX (rows/s, peak RSS).
# Server time per request (p50/p99 under load, and the median of 50 requests alone) comes
# from the programs' access log; RSS of each
# FastCGI worker process at rest from /proc. Prints a table and writes JSON under
# var/bench/ so that two runs can be compared.
#
# BENCH_DURATION (s, default 10), BENCH_CONNECTIONS (64), BENCH_SEED (0.42).
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
BUILD=${BUILD:-$ROOT/var/build}
STATE=$ROOT/var/bench
OUT=$STATE/results
DUR=${BENCH_DURATION:-10}
CONN=${BENCH_CONNECTIONS:-64}
SEED=${BENCH_SEED:-0.42}
PORT=${BENCH_PORT:-18099}
STACK="$ROOT/nginx/stack.sh"
export RDV_LOGIN_RATE=100000r/m RDV_BOOKING_RATE=100000r/m RDV_SEARCH_RATE=100000r/s RDV_API_RATE=100000r/s
export BUILD
command -v wrk >/dev/null || { echo "wrk manquant (apt-get install wrk)" >&2; exit 1; }
mkdir -p "$OUT"

cleanup() {
	# libfcgi catches SIGTERM (threads stay blocked in accept): the stateless responder is killed outright
	[ -n "${TRIVIAL_PID:-}" ] && kill -KILL "$TRIVIAL_PID" 2>/dev/null || true
	"$STACK" down "$STATE" >/dev/null 2>&1 || true
}
trap cleanup EXIT

echo "== pile de mesure sur le port $PORT"
"$STACK" up "$STATE" "$PORT" >/dev/null
psql_b() { "$STACK" psql "$STATE" "$@"; }
echo "== génération des données (graine $SEED)"
t0=$(date +%s)
HASH=$("$BUILD/bin/rdv-ctl" hash-password "${RDV_DEMO_PASSWORD:-rdv-demo-2026}")
psql_b -v seed="$SEED" -v demo_hash="$HASH" -f "$ROOT/tests/bench/generate.sql" >/dev/null
psql_b -c "SELECT stats_refresh(current_date - 400)" >/dev/null
echo "   $(( $(date +%s) - t0 )) s; $(psql_b -tAc "SELECT (SELECT count(*) FROM rdvs) || ' RDV, ' || (SELECT count(*) FROM users) || ' usagers, ' || (SELECT count(*) FROM addresses) || ' adresses, ' || (SELECT count(*) FROM agents) || ' agents'")"

# The trivial responder, on the socket nginx's rdv_trivial upstream expects.
gcc -O2 -o "$STATE/trivial_fcgi" "$ROOT/tests/bench/trivial_fcgi.c" -lfcgi -lpthread
if [ "$(id -u)" = 0 ]; then
	setpriv --reuid=rdv --regid=rdv --init-groups -- "$STATE/trivial_fcgi" "$STATE/run/trivial.sock" 8 &
else
	"$STATE/trivial_fcgi" "$STATE/run/trivial.sock" 8 &
fi
TRIVIAL_PID=$!
sleep 0.5

BASE="http://127.0.0.1:$PORT"
ORG=$(psql_b -tAc "SELECT min(id) FROM organisations WHERE territory_id = (SELECT id FROM territories WHERE departement_number = '99')")
TERR=$(psql_b -tAc "SELECT id FROM territories WHERE departement_number = '99'")
MOTIF=$(psql_b -tAc "SELECT min(m.id) FROM motifs m JOIN plage_ouverture_motifs pm ON pm.motif_id = m.id WHERE m.organisation_id = $ORG")
# The public créneaux page of that motif at a lieu, from an address of the organisation's sector
# (commune 99001 falls in the first organisation's sector, generate.sql).
LIEU=$(psql_b -tAc "SELECT min(p.lieu_id) FROM plages_ouverture p JOIN plage_ouverture_motifs pm ON pm.plage_ouverture_id = p.id WHERE pm.motif_id = $MOTIF")
SERVICE=$(psql_b -tAc "SELECT service_id FROM motifs WHERE id = $MOTIF")
MOTIF_NAME=$(psql_b -tAc "SELECT replace(name, ' ', '%20') FROM motifs WHERE id = $MOTIF")
PAGE="/prendre_rdv?address=1%20Rue%20Pasteur%2099001%20Commune%2099001&city_code=99001&service_id=$SERVICE&motif_name=$MOTIF_NAME&location_type=public_office&lieu_id=$LIEU"
AGENT=$(psql_b -tAc "SELECT min(agent_id) FROM agent_roles WHERE organisation_id = $ORG AND access_level = 'basic'")
AGENT_EMAIL=$(psql_b -tAc "SELECT email FROM agents WHERE id = $AGENT")
D1=$(date -d tomorrow +%F); D28=$(date -d '+28 days' +%F)
WS=$(date -d 'monday' +%F); WE=$(date -d 'monday + 7 days' +%F)

sign_in() {   # prints the rdv_agent cookie of $1
	local jar; jar=$(mktemp)
	local csrf; csrf=$(curl -s -c "$jar" "$BASE/agent/sign_in" | sed -n 's/.*name="csrf_token" value="\([^"]*\)".*/\1/p' | head -1)
	curl -s -b "$jar" -c "$jar" -o /dev/null --data-urlencode "email=$1" \
		--data-urlencode "password=${RDV_DEMO_PASSWORD:-rdv-demo-2026}" --data-urlencode "csrf_token=$csrf" "$BASE/agent/sign_in"
	awk '$6 == "rdv_agent" { print $7 }' "$jar"
	rm -f "$jar"
}
COOKIE="rdv_agent=$(sign_in "$AGENT_EMAIL")"
ADMIN_COOKIE="rdv_agent=$(sign_in bench.agent1@bench.rdv-solidarites.fr)"

# name | path | cookie | which program's log has its server time
ENDPOINTS=(
	"static|/static/app.css||"
	"trivial_fastcgi|/__bench/trivial||"
	"creneaux_api_4w|/api/v1/public/creneaux?motif_id=$MOTIF&from=$D1&to=$D28||search"
	"creneaux_page|$PAGE||search"
	"address_autocomplete|/adresses?q=rue+victor+hugo+commune+99||search"
	"agenda_week_json|/agent/organisations/$ORG/agenda/events.json?agent_ids=$AGENT&start=${WS}T00:00:00%2B01:00&end=${WE}T00:00:00%2B01:00|$COOKIE|booking"
	"usager_search_name|/agent/organisations/$ORG/usagers/search.json?q=martin|$COOKIE|booking"
	"usager_list|/agent/organisations/$ORG/usagers|$COOKIE|booking"
	"rdv_list|/agent/organisations/$ORG/rdvs|$COOKIE|booking"
)

percentile() {   # stdin: numbers; $1: percentile
	sort -n | awk -v p="$1" '{ a[NR] = $1 } END { if (NR == 0) { print "-"; exit } i = int((NR * p + 99) / 100); if (i < 1) i = 1; print a[i] }'
}

rss_of() {   # max RSS (kB) of the worker processes of a program
	local master; master=$(cat "$STATE/run/$1.pid" 2>/dev/null || echo 0)
	local max=0 p
	for p in $(cat /proc/"$master"/task/"$master"/children 2>/dev/null); do
		local r; r=$(awk '/VmRSS/ { print $2 }' /proc/"$p"/status 2>/dev/null || echo 0)
		[ "$r" -gt "$max" ] && max=$r
	done
	echo "$max"
}

declare -A RPS P50 P99 SP50 SP99 SEQ STATUS
results_json="["
for e in "${ENDPOINTS[@]}"; do
	IFS='|' read -r name path cookie prog <<<"$e"
	hdr=(); [ -n "$cookie" ] && hdr=(-H "Cookie: $cookie")
	code=$(curl -s -o /dev/null -w '%{http_code}' "${hdr[@]}" "$BASE$path")
	STATUS[$name]=$code
	if [ "$code" != 200 ]; then
		echo "   $name: HTTP $code — non mesuré"
		results_json+="{\"name\":\"$name\",\"status\":$code},"
		continue
	fi
	log="$STATE/log/${prog:-search}.log"
	# server time of one request alone (50 in a row, median): what the request costs without the
	# queueing of 64 connections on 2 cores that the wrk figures below include
	SEQ[$name]=-
	if [ -n "$prog" ]; then
		before=$(wc -l <"$log" 2>/dev/null || echo 0)
		for _ in $(seq 1 50); do curl -s -o /dev/null "${hdr[@]}" "$BASE$path"; done
		SEQ[$name]=$(tail -n +"$((before + 1))" "$log" | awk -v p="${path%%\?*}" '$5 == p && $7 ~ /us$/ { sub("us", "", $7); print $7 }' | percentile 50)
	fi
	before=$(wc -l <"$log" 2>/dev/null || echo 0)
	out=$(wrk -t2 -c"$CONN" -d"${DUR}s" --latency "${hdr[@]}" "$BASE$path")
	RPS[$name]=$(awk '/Requests\/sec/ { print $2 }' <<<"$out")
	P50[$name]=$(awk '$1 == "50%" { print $2 }' <<<"$out")
	P99[$name]=$(awk '$1 == "99%" { print $2 }' <<<"$out")
	non2xx=$(awk '/Non-2xx/ { print $NF }' <<<"$out")
	SP50[$name]=-; SP99[$name]=-
	if [ -n "$prog" ]; then
		times=$(tail -n +"$((before + 1))" "$log" | awk -v p="${path%%\?*}" '$5 == p && $7 ~ /us$/ { sub("us", "", $7); print $7 }')
		SP50[$name]=$(percentile 50 <<<"$times")
		SP99[$name]=$(percentile 99 <<<"$times")
	fi
	results_json+="{\"name\":\"$name\",\"status\":200,\"rps\":${RPS[$name]},\"latency_p50\":\"${P50[$name]}\",\"latency_p99\":\"${P99[$name]}\",\"server_us_p50\":\"${SP50[$name]}\",\"server_us_p99\":\"${SP99[$name]}\",\"server_us_alone_p50\":\"${SEQ[$name]}\",\"non2xx\":${non2xx:-0}},"
done

# Export: the whole territory's RDVs as XLSX (rows/s), sampling the export program's RSS. Twice:
# the first pass reads the tables into PostgreSQL's buffers (after the wrk runs above), the
# second is what an export costs on a warm database; both are printed and kept.
export_once() {   # prints the seconds of one export
	local t0 t1
	t0=$(date +%s.%N)
	curl -s -o "$STATE/export.xlsx" -H "Cookie: $ADMIN_COOKIE" "$BASE/export/territories/$TERR/rdvs.xlsx"
	t1=$(date +%s.%N)
	awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.3f", b - a }'
}
peak=0
( while sleep 0.2; do rss_of export; done ) >"$STATE/export-rss" &
SAMPLER=$!
secs_cold=$(export_once)
secs=$(export_once)
kill $SAMPLER 2>/dev/null || true
peak=$(sort -n "$STATE/export-rss" | tail -1)
rows=$(psql_b -tAc "SELECT count(*) FROM rdvs r JOIN organisations o ON o.id = r.organisation_id WHERE o.territory_id = $TERR")
rows_per_s=$(awk -v r="$rows" -v s="$secs" 'BEGIN { printf "%d", r / s }')
rows_per_s_cold=$(awk -v r="$rows" -v s="$secs_cold" 'BEGIN { printf "%d", r / s }')
size=$(stat -c %s "$STATE/export.xlsx")

sleep 1
echo
ceiling=${RPS[trivial_fastcgi]:-0}
printf '%-22s %10s %9s %10s %10s %12s %12s %12s\n' "point de mesure" "req/s" "/plafond" "lat. p50" "lat. p99" "serveur p50" "serveur p99" "seul p50"
for e in "${ENDPOINTS[@]}"; do
	IFS='|' read -r name _ <<<"$e"
	[ "${STATUS[$name]}" = 200 ] || { printf '%-22s %10s\n' "$name" "HTTP ${STATUS[$name]}"; continue; }
	ratio=$(awk -v a="${RPS[$name]}" -v b="$ceiling" 'BEGIN { if (b > 0) printf "%.0f %%", 100 * a / b; else print "-" }')
	printf '%-22s %10s %9s %10s %10s %10s µs %9s µs %9s µs\n' "$name" "${RPS[$name]}" "$ratio" "${P50[$name]}" "${P99[$name]}" \
		"${SP50[$name]}" "${SP99[$name]}" "${SEQ[$name]}"
done
echo
printf 'export XLSX du territoire : %s lignes en %.2f s = %s lignes/s (premier passage, tables froides : %.2f s = %s lignes/s), fichier %s octets, RSS max du programme export %s ko\n' \
	"$rows" "$secs" "$rows_per_s" "$secs_cold" "$rows_per_s_cold" "$size" "$peak"
echo "RSS au repos par processus (ko) : search $(rss_of search), booking $(rss_of booking), admin $(rss_of admin), export $(rss_of export)"
if [ -x "$BUILD/bin/bench-slots" ]; then echo "moteur de créneaux : $("$BUILD/bin/bench-slots" | tail -1)"; fi

stamp=$(date +%Y%m%d-%H%M%S)
results_json="${results_json%,}]"
cat >"$OUT/bench-$stamp.json" <<JSON
{"date": "$(date -Iseconds)", "seed": $SEED, "duration_s": $DUR, "connections": $CONN,
 "machine": {"cores": $(nproc), "note": "wrk runs on the same 2 cores as the stack"},
 "endpoints": $results_json,
 "export": {"rows": $rows, "seconds": $secs, "rows_per_s": $rows_per_s, "seconds_cold": $secs_cold, "rows_per_s_cold": $rows_per_s_cold, "peak_rss_kb": ${peak:-0}},
 "rss_rest_kb": {"search": $(rss_of search), "booking": $(rss_of booking), "admin": $(rss_of admin), "export": $(rss_of export)}}
JSON
echo "résultats : $OUT/bench-$stamp.json"
