#!/usr/bin/env bash
# Browser tests of the console against a real runnel: e2e/run.sh RUNNEL_BIN
# Starts RUNNEL_BIN on a free loopback port serving the console compiled into
# it (or, with CONSOLE_DIR=console/dist, that folder: --console-dir), runs
# e2e/*.test.mjs in order with node:test (1-5 in Chromium, 6 in Firefox), keeps
# screenshots in $ARTIFACTS
# (default console/e2e/artifacts), and stops the server.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
console=$(dirname "$here")
bin=${1:?usage: e2e/run.sh RUNNEL_BIN}
bin=$(cd "$(dirname "$bin")" && pwd)/$(basename "$bin")

cd "$console"
[ -d node_modules ] || npm ci --no-audit --no-fund
if [ -n "${CONSOLE_DIR:-}" ]; then
  [ -f "$CONSOLE_DIR/index.html" ] || npm run build
  console_args=(--console-dir "$CONSOLE_DIR")
else
  console_args=()
fi

if [ -z "${CHROMIUM:-}" ]; then
  CHROMIUM=$(command -v chromium || true)
  [ -n "$CHROMIUM" ] || { echo "chromium not found (apt-get install -y chromium)" >&2; exit 1; }
fi
export CHROMIUM
# Firefox for 6-firefox.test.mjs (puppeteer-core over WebDriver BiDi); that file is skipped,
# saying so, when there is none.
if [ -z "${FIREFOX:-}" ]; then
  FIREFOX=$(command -v firefox-esr || command -v firefox || true)
  [ -n "$FIREFOX" ] || echo "firefox not found (apt-get install -y firefox-esr): the Firefox tests will be skipped" >&2
fi
[ -z "$FIREFOX" ] || export FIREFOX

work=$(mktemp -d)
export ARTIFACTS=${ARTIFACTS:-$here/artifacts}
mkdir -p "$ARTIFACTS"
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
export RUNNEL_BIN=$bin RUNNEL_PORT=$port RUNNEL_DATA_DIR=$work/data RUNNEL_PID_FILE=$work/runnel.pid
export CONSOLE_URL=http://127.0.0.1:$port

stop() {
  if [ -f "$RUNNEL_PID_FILE" ]; then kill "$(cat "$RUNNEL_PID_FILE")" 2>/dev/null || true; fi
  sleep 0.5
  rm -rf "$work"
}
trap stop EXIT

"$bin" serve --port "$port" --data-dir "$RUNNEL_DATA_DIR" --host 127.0.0.1 "${console_args[@]}" >"$ARTIFACTS/runnel.log" 2>&1 &
echo $! >"$RUNNEL_PID_FILE"
for _ in $(seq 100); do
  curl -fs "$CONSOLE_URL/health" >/dev/null 2>&1 && break
  sleep 0.1
done
curl -fs "$CONSOLE_URL/console/config.json" >/dev/null || { echo "runnel did not serve /console/config.json" >&2; cat "$ARTIFACTS/runnel.log" >&2; exit 1; }
if curl -fs "$CONSOLE_URL/console/" | grep -q "was not built"; then
  echo "$bin was built without the console (scripts/build-console.sh, then rebuild; or set CONSOLE_DIR)" >&2
  exit 1
fi

# JUNIT=FILE: a JUnit report too (tests/e2e/run.sh counts the tests with it).
reporters=()
if [ -n "${JUNIT:-}" ]; then
  reporters=(--test-reporter=spec --test-reporter-destination=stdout --test-reporter=junit
             --test-reporter-destination="$JUNIT")
fi
node --disable-warning=NodeVersionSupportWarning --test --test-concurrency=1 "${reporters[@]}" "$here"/1-streams.test.mjs "$here"/2-firehose.test.mjs "$here"/3-server.test.mjs "$here"/4-auth.test.mjs "$here"/5-scale.test.mjs "$here"/6-firefox.test.mjs
