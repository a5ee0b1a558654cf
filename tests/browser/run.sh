#!/usr/bin/env bash
# tests/browser/run.sh - real-browser journeys (playwright-core driving Debian's chromium, headless)
# with axe-core on every page they visit. Run by `make test` (nginx/stack.sh cmd_test) against the
# running test stack, RDV_TEST_URL set; or by hand against a stack of one's own:
#   nginx/stack.sh up var/browser-stack 18777
#   RDV_TEST_URL=http://127.0.0.1:18777 bash tests/browser/run.sh [journey-name…]
# npm packages go to var/browser-npm (npm ci from the committed lock file), screenshots to var/browser/.
# Last line: "N passed, N failed" (skipped journeys are listed, not counted as failures).
set -euo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
ROOT=$(cd "$HERE/../.." && pwd)
NM="$ROOT/var/browser-npm"
CHROMIUM=${RDV_CHROMIUM:-/usr/bin/chromium}

log() { printf '%s\n' "$*" >&2; }

if [ ! -x "$CHROMIUM" ]; then
	if [ "$(id -u)" = 0 ]; then
		log "browser: installing Debian's chromium"
		DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends chromium >/dev/null ||
			{ apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends chromium >/dev/null; }
	fi
	[ -x "$CHROMIUM" ] || { log "browser: $CHROMIUM missing (apt-get install chromium)"; echo "0 passed, 1 failed"; exit 1; }
fi

mkdir -p "$NM"
# several stacks may run their suites at once: one npm ci at a time
exec 9>"$NM/.lock"
flock 9
if ! cmp -s "$HERE/package-lock.json" "$NM/package-lock.json" || [ ! -d "$NM/node_modules/playwright-core" ]; then
	cp "$HERE/package.json" "$HERE/package-lock.json" "$NM/"
	(cd "$NM" && npm ci --ignore-scripts --no-audit --no-fund --loglevel=error >/dev/null 2>&1) ||
		{ log "browser: npm ci failed in $NM"; echo "0 passed, 1 failed"; exit 1; }
fi
flock -u 9

export RDV_TEST_URL=${RDV_TEST_URL:-http://127.0.0.1:8080}
export RDV_DEMO_PASSWORD=${RDV_DEMO_PASSWORD:-rdv-demo-2026}
# screenshots: var/browser/<stack>/<journey>/ (make test's stack is var/test → var/browser/test)
STACK_NAME=$(basename "${RDV_STATE:-local}")
export RDV_CHROMIUM="$CHROMIUM" RDV_BROWSER_OUT=${RDV_BROWSER_OUT:-"$ROOT/var/browser/$STACK_NAME"}
export NODE_PATH="$NM/node_modules"
# ESM ignores NODE_PATH: the runner imports through lib/deps.mjs, which resolves from $NM.
export RDV_BROWSER_NPM="$NM/node_modules"
exec node "$HERE/runner.mjs" "$@"
