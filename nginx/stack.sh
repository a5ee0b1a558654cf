#!/usr/bin/env bash
# stack.sh - the local stack behind `make run`, `make stop`, `make test` and `make bench`:
# a PostgreSQL cluster, the four FastCGI programs, the worker and nginx, all under one
# state directory (var/ for run, var/test for tests), owned by an unprivileged user.
#
#   stack.sh deps PKG…   apt-get install the missing Debian packages (when root)
#   stack.sh static      install DSFR/FullCalendar from npm and copy assets to var/static
#   stack.sh run         start (or restart) the demo stack on 127.0.0.1:${RDV_PORT:-8080}
#   stack.sh stop        stop it
#   stack.sh test        throwaway stack on free ports, every suite, always stopped
#   stack.sh bench       département-scale benchmark (tests/bench)
#   stack.sh fuzz        libFuzzer targets (tests/fuzz)
set -euo pipefail

ROOT=$(cd "$(dirname "$0")/.." && pwd)
VAR="$ROOT/var"
BUILD=$(realpath -m "${BUILD:-$VAR/build}")
PGBIN=${PGBIN:-/usr/lib/postgresql/15/bin}
PROGRAMS="booking admin export search"
DEMO_PASSWORD=${RDV_DEMO_PASSWORD:-"rdv-demo-2026"}

log() { printf '%s\n' "$*" >&2; }
die() { log "stack.sh: $*"; exit 1; }

# PostgreSQL refuses to run as root: when root, everything runs as the system user "rdv".
# setpriv execs the command itself (no intermediate process): "${AS_USER[@]}" prog &
# records the program's own pid in $! (a backgrounded shell function would not).
AS_USER=()
[ "$(id -u)" = 0 ] && AS_USER=(setpriv --reuid=rdv --regid=rdv --init-groups --)
as_user() { "${AS_USER[@]}" "$@"; }

ensure_user() {
	[ "$(id -u)" = 0 ] || return 0
	id rdv >/dev/null 2>&1 || useradd --system --home-dir /nonexistent --shell /usr/sbin/nologin rdv
}

cmd_deps() {
	local missing=()
	for p in "$@"; do
		# Node.js may come from elsewhere than Debian (a newer npm): a working npm is enough.
		case "$p" in nodejs | npm) command -v npm >/dev/null 2>&1 && continue ;; esac
		dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
	done
	[ ${#missing[@]} -eq 0 ] && return 0
	if [ "$(id -u)" = 0 ]; then
		log "Installation des paquets manquants : ${missing[*]}"
		export DEBIAN_FRONTEND=noninteractive
		apt-get update -qq
		apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
		# Debian starts nginx on port 80 after installing it: we run our own.
		systemctl disable --now nginx >/dev/null 2>&1 || service nginx stop >/dev/null 2>&1 || true
	else
		die "missing Debian packages (run as root or install them): ${missing[*]}"
	fi
}

cmd_static() {
	local src="$ROOT/templates/static" out="$VAR/static" nm="$VAR/npm"
	mkdir -p "$nm" "$out"
	cp "$src/package.json" "$src/package-lock.json" "$nm/"
	# DSFR's postinstall script wants an interactive project setup: assets only.
	(cd "$nm" && npm ci --ignore-scripts --no-audit --no-fund --loglevel=error >/dev/null)
	rm -rf "$out/dsfr" "$out/fullcalendar"
	mkdir -p "$out/dsfr" "$out/fullcalendar"
	local d="$nm/node_modules/@gouvfr/dsfr/dist"
	cp -r "$d/dsfr.min.css" "$d/dsfr.module.min.js" "$d/dsfr.nomodule.min.js" "$d/fonts" "$d/icons" "$d/utility" "$d/favicon" "$d/artwork" "$out/dsfr/" 2>/dev/null || true
	cp "$nm/node_modules/fullcalendar/index.global.min.js" "$out/fullcalendar/"
	cp "$src"/*.css "$src"/*.js "$out/" 2>/dev/null || true
	mkdir -p "$out/errors"
	cp "$ROOT"/nginx/errors/*.html "$out/errors/"
	touch "$out/.built"
}

# ---- instance layout: STATE holds pg/, run/ (sockets, pids), log/, nginx/ ----
set_instance() {
	STATE=$1
	PORT=$2
	RUN="$STATE/run"
	# The owner of the tables (migrations, worker, rdv-ctl, test fixtures); the FastCGI
	# programs connect as rdv_app, subject to row-level security (0014_rls.sql).
	export DATABASE_URL="postgresql://rdv@/rdv?host=$RUN"
	export RDV_APP_DATABASE_URL="postgresql://rdv_app@/rdv?host=$RUN"
	export RDV_ROOT="$ROOT" RDV_TEMPLATES="$ROOT/templates" RDV_STATE="$STATE"
	export RDV_PUBLIC_URL=${RDV_PUBLIC_URL:-"http://127.0.0.1:$PORT"}
}

pg_start() {
	mkdir -p "$STATE/run" "$STATE/log" "$STATE/tmp" "$STATE/mail"
	ensure_user
	if [ ! -f "$STATE/pg/PG_VERSION" ]; then
		mkdir -p "$STATE/pg"
		[ "$(id -u)" = 0 ] && chown -R rdv "$STATE"
		as_user "$PGBIN/initdb" -D "$STATE/pg" -U rdv -E UTF8 --locale=C.UTF-8 --auth=trust >/dev/null
		cat >>"$STATE/pg/postgresql.conf" <<CONF
listen_addresses = ''
unix_socket_directories = '$RUN'
unix_socket_permissions = 0700
max_connections = 200
shared_buffers = 256MB
log_min_duration_statement = 1000
log_parameter_max_length = 0               # slow statements logged without their parameters (links, tokens)
log_parameter_max_length_on_error = 0
CONF
		if [ "${RDV_PG_FAST:-0}" = 1 ]; then
			printf 'fsync = off\nsynchronous_commit = off\nfull_page_writes = off\n' >>"$STATE/pg/postgresql.conf"
		fi
	fi
	[ "$(id -u)" = 0 ] && chown -R rdv "$STATE"
	if ! as_user "$PGBIN/pg_ctl" -D "$STATE/pg" status >/dev/null 2>&1; then
		as_user "$PGBIN/pg_ctl" -D "$STATE/pg" -l "$STATE/log/postgresql.log" -w -t 60 start >/dev/null
	fi
	as_user psql -h "$RUN" -U rdv -d postgres -tAc "SELECT 1 FROM pg_database WHERE datname='rdv'" | grep -q 1 ||
		as_user createdb -h "$RUN" -U rdv rdv
}

pg_stop() {
	[ -f "$STATE/pg/PG_VERSION" ] || return 0
	as_user "$PGBIN/pg_ctl" -D "$STATE/pg" -m fast -w -t 60 stop >/dev/null 2>&1 || true
}

migrate_and_demo() {
	as_user "$BUILD/bin/rdv-ctl" migrate
	local hash
	hash=$("$BUILD/bin/rdv-ctl" hash-password "$DEMO_PASSWORD")
	as_user psql -q -X -v ON_ERROR_STOP=1 -h "$RUN" -U rdv -d rdv -v demo_hash="$hash" \
		-v ban_csv="$ROOT/sql/demo/adresses-62-demo.csv" -f "$ROOT/sql/demo/demo.sql" >/dev/null
	# weekly statistics of the demo's two years (the worker refreshes them nightly)
	as_user psql -q -X -v ON_ERROR_STOP=1 -h "$RUN" -U rdv -d rdv -c "SELECT stats_refresh(current_date - 730)" >/dev/null
}

start_programs() {
	# Started in the background with their own output: nothing keeps this
	# script's stdout open after it returns.
	for p in $PROGRAMS; do
		DATABASE_URL=$RDV_APP_DATABASE_URL RDV_SOCKET="$RUN/$p.sock" "${AS_USER[@]}" "$BUILD/bin/rdv-$p" </dev/null >>"$STATE/log/$p.log" 2>&1 &
		echo $! >"$RUN/$p.pid"
	done
	"${AS_USER[@]}" "$BUILD/bin/rdv-worker" </dev/null >>"$STATE/log/worker.log" 2>&1 &
	echo $! >"$RUN/worker.pid"
	for p in $PROGRAMS; do
		for _ in $(seq 1 100); do [ -S "$RUN/$p.sock" ] && break; sleep 0.05; done
		[ -S "$RUN/$p.sock" ] || die "rdv-$p did not start: see $STATE/log/$p.log"
	done
}

nginx_start() {
	mkdir -p "$STATE/nginx"
	mkdir -p "$STATE/nginx/snippets"
	local f
	for f in "$ROOT/nginx/rdv.conf.in" "$ROOT"/nginx/snippets/*.conf; do
		local out="$STATE/nginx/snippets/$(basename "$f")"
		[ "$f" = "$ROOT/nginx/rdv.conf.in" ] && out="$STATE/nginx/nginx.conf"
		sed -e "s#@STATE@#$STATE#g" -e "s#@PORT@#$PORT#g" -e "s#@STATIC@#$VAR/static#g" \
			-e "s#@LOGIN_RATE@#${RDV_LOGIN_RATE:-30r/m}#g" -e "s#@BOOKING_RATE@#${RDV_BOOKING_RATE:-60r/m}#g" \
			-e "s#@SEARCH_RATE@#${RDV_SEARCH_RATE:-20r/s}#g" -e "s#@API_RATE@#${RDV_API_RATE:-50r/s}#g" \
			"$f" >"$out"
	done
	[ "$(id -u)" = 0 ] && chown -R rdv "$STATE/nginx" "$STATE/log" "$STATE/run"
	as_user nginx -e "$STATE/log/nginx-error.log" -c "$STATE/nginx/nginx.conf" -p "$STATE/nginx"
	for _ in $(seq 1 100); do curl -fsS -o /dev/null "http://127.0.0.1:$PORT/healthz" 2>/dev/null && return 0; sleep 0.1; done
	die "nginx did not answer on port $PORT: see $STATE/log/nginx-error.log"
}

stop_all() {
	local st=$1
	if [ -f "$st/run/nginx.pid" ]; then kill "$(cat "$st/run/nginx.pid")" 2>/dev/null || true; fi
	for p in $PROGRAMS worker; do
		local f="$st/run/$p.pid"
		[ -f "$f" ] || continue
		local pid kids
		pid=$(cat "$f")
		# This instance's processes only (several stacks share one build): the
		# master's children are noted first, in case it must be killed hard.
		kids=$(pgrep -P "$pid" 2>/dev/null | tr '\n' ' ' || true)
		kill -TERM "$pid" 2>/dev/null || true
		for _ in $(seq 1 100); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
		# shellcheck disable=SC2086
		kill -KILL "$pid" $kids 2>/dev/null || true
		rm -f "$f"
	done
	STATE=$st pg_stop
}

cmd_run() {
	set_instance "$VAR" "${RDV_PORT:-8080}"
	stop_all "$VAR"
	trap 'rc=$?; [ $rc -eq 0 ] || stop_all "$VAR"' EXIT
	pg_start
	migrate_and_demo
	start_programs
	nginx_start
	cat <<MSG

  RDV Solidarités tourne sur http://127.0.0.1:$PORT/
    Espace agents :      http://127.0.0.1:$PORT/agent/
    Administration :     http://127.0.0.1:$PORT/admin/
    Prise de RDV :       http://127.0.0.1:$PORT/

  Comptes de démonstration (mot de passe : $DEMO_PASSWORD)
    admin.territoire@demo.rdv-solidarites.fr   administrateur du département
    admin.arras@demo.rdv-solidarites.fr        administratrice de la MDS d'Arras
    secretariat.arras@demo.rdv-solidarites.fr  secrétariat de la MDS d'Arras
    agent.pmi@demo.rdv-solidarites.fr          puéricultrice (PMI), agent de base
    usager@demo.rdv-solidarites.fr             usager (espace citoyen)

  Mails envoyés : $VAR/mail/   Journaux : $VAR/log/   Arrêt : make stop
MSG
}

cmd_stop() {
	STATE=$VAR
	stop_all "$VAR"
	log "Arrêté."
}

free_port() {
	python3 - <<'PY' 2>/dev/null || echo $((20000 + RANDOM % 20000))
import socket
s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()
PY
}

cmd_test() {
	TEST_STATE=$(realpath -m "${RDV_TEST_DIR:-$VAR/test}")   # global: the EXIT trap runs after this function returns
	local st=$TEST_STATE
	stop_all "$st" 2>/dev/null || true
	rm -rf "$st"
	# The suites sign in hundreds of times from 127.0.0.1: nginx's per-IP limits
	# are raised here (the application's own throttling is what they test).
	export RDV_PG_FAST=1 RDV_LOGIN_RATE=6000r/m RDV_BOOKING_RATE=6000r/m RDV_SEARCH_RATE=2000r/s RDV_API_RATE=2000r/s
	set_instance "$st" "$(free_port)"
	trap 'stop_all "$TEST_STATE"' EXIT
	local rc=0
	cd "$ROOT"
	pg_start
	migrate_and_demo
	log "== unit tests"
	"$BUILD/bin/unit-tests" ${RDV_UNIT_SUITE:-} || rc=1
	start_programs
	nginx_start
	log "== http tests on port $PORT"
	RDV_TEST_URL="http://127.0.0.1:$PORT" RDV_TEST_STACK="$ROOT/nginx/stack.sh" RDV_TEST_STATE="$st" \
		RDV_DEMO_PASSWORD="$DEMO_PASSWORD" "$BUILD/bin/http-tests" ${RDV_HTTP_SUITE:-} || rc=1
	# Faults under load, briefly (make chaos for a long run), on a stack of its own under
	# $st/chaos: the test stack above is left as it was. Not in the one-suite loop.
	if [ -z "${RDV_SKIP_CHAOS:-}" ] && [ -z "${RDV_HTTP_SUITE:-}" ]; then
		log "== chaos (short run; make chaos for longer)"
		env -u RDV_PUBLIC_URL BUILD="$BUILD" CHAOS_SECONDS="${CHAOS_SECONDS:-10}" CHAOS_DIR="$st/chaos" \
			bash "$ROOT/tests/chaos/run.sh" || rc=1
	fi
	# RDV_SKIP_BROWSER=1 / RDV_SKIP_FUZZ=1: a quicker loop while working on one suite (CI runs everything)
	if [ -z "${RDV_SKIP_BROWSER:-}" ] && [ -f "$ROOT/tests/browser/run.sh" ]; then
		log "== browser tests"
		RDV_TEST_URL="http://127.0.0.1:$PORT" bash "$ROOT/tests/browser/run.sh" || rc=1
	fi
	if [ -z "${RDV_SKIP_FUZZ:-}" ]; then
		log "== fuzzing (short run; make fuzz for longer)"
		FUZZ_SECONDS=${FUZZ_SECONDS:-5} FUZZ_OUT="$st/fuzz" bash "$ROOT/tests/fuzz/run.sh" || rc=1
	fi
	if grep -l 'ERROR: AddressSanitizer\|runtime error:' "$st"/log/*.log 2>/dev/null; then
		log "sanitizer reports in the programs' logs above"
		rc=1
	fi
	return $rc
}

# A stack in a directory of its own, left running (benchmarks, browser journeys):
#   stack.sh up DIR PORT   …   stack.sh down DIR
cmd_up() {
	set_instance "$(realpath -m "$1")" "$2"
	stop_all "$STATE" 2>/dev/null || true
	pg_start
	migrate_and_demo
	start_programs
	nginx_start
}

# Used by the http tests to stop/start the test cluster (503 and recovery).
cmd_pg() {
	set_instance "$2" 0
	case "$1" in
	pg-stop) pg_stop ;;
	pg-start) as_user "$PGBIN/pg_ctl" -D "$STATE/pg" -l "$STATE/log/postgresql.log" -w -t 60 start >/dev/null ;;
	esac
}

case "${1:-}" in
deps) shift; cmd_deps "$@" ;;
static) cmd_static ;;
run) cmd_run ;;
stop) cmd_stop ;;
test) cmd_test ;;
pg-stop | pg-start) cmd_pg "$1" "$2" ;;
up) cmd_up "$2" "$3" ;;
down) STATE=$(realpath -m "$2"); stop_all "$STATE" ;;
psql) set_instance "$(realpath -m "$2")" 0; shift 2; as_user psql -X -q -v ON_ERROR_STOP=1 -h "$RUN" -U rdv -d rdv "$@" ;;
bench) [ -f "$ROOT/tests/bench/run.sh" ] || die "no benchmark yet"; exec bash "$ROOT/tests/bench/run.sh" ;;
fuzz) [ -f "$ROOT/tests/fuzz/run.sh" ] || die "no fuzz targets yet"; exec bash "$ROOT/tests/fuzz/run.sh" ;;
*) die "usage: stack.sh deps|static|run|stop|test|bench|fuzz" ;;
esac
