#!/usr/bin/env bash
# run.sh - `make fuzz` (FUZZ_SECONDS per target, default 60) and the short run of
# `make test` (FUZZ_SECONDS=5). Each libFuzzer target is built with clang
# (-fsanitize=fuzzer,address,undefined) against the library sources, replays
# tests/fuzz/regression/<target>/ (every crash found stays there forever) and its
# seed corpus, then fuzzes. A crash fails the run and leaves its input in var/fuzz/.
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
OUT=${FUZZ_OUT:-$ROOT/var/fuzz}
SECONDS_PER=${FUZZ_SECONDS:-60}
mkdir -p "$OUT"
command -v clang >/dev/null || { echo "clang manquant (apt-get install clang)" >&2; exit 1; }
# sector (the zones CSV import) links the db module, hence libpq
LIB="arena buf rdv http tmpl recurrence tz holidays valid phone sector db log rls xlsx"
srcs=(); for m in $LIB; do srcs+=("$ROOT/lib/$m.c"); done
CFLAGS=(-std=c11 -D_GNU_SOURCE -g -O1 -fsanitize=fuzzer,address,undefined -I"$ROOT/lib" $(pkg-config --cflags jansson libpq zlib))
rc=0
for t in http tmpl recurrence valid csv xlsx; do
	bin="$OUT/fuzz_$t"
	clang "${CFLAGS[@]}" -o "$bin" "$ROOT/tests/fuzz/fuzz_$t.c" "${srcs[@]}" $(pkg-config --libs jansson libpq zlib)
	mkdir -p "$OUT/corpus/$t" "$ROOT/tests/fuzz/regression/$t"
	cp -n "$ROOT"/tests/fuzz/corpus/"$t"/* "$OUT/corpus/$t/" 2>/dev/null || true
	# regressions first: each must run clean
	if ls "$ROOT/tests/fuzz/regression/$t/"* >/dev/null 2>&1; then
		"$bin" -runs=0 "$ROOT/tests/fuzz/regression/$t/"* >"$OUT/$t-regression.log" 2>&1 || { echo "fuzz $t: regression failed" >&2; rc=1; }
	fi
	if "$bin" -max_total_time="$SECONDS_PER" -max_len=4096 -timeout=5 -rss_limit_mb=1024 \
		-artifact_prefix="$OUT/crash-$t-" "$OUT/corpus/$t" >"$OUT/$t.log" 2>&1; then
		echo "fuzz $t: $(grep -o 'Done [0-9]* runs' "$OUT/$t.log" | tail -1) sans erreur"
	else
		echo "fuzz $t: ÉCHEC — voir $OUT/$t.log et $OUT/crash-$t-*" >&2
		rc=1
	fi
done
exit $rc
