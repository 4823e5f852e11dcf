#!/usr/bin/env bash
# End-to-end tests: drive the real runnel binary with real clients.
#
#   tests/e2e/run.sh <path-to-runnel> [suite...]
#
# Suites: boto3 cli node cbor bad-input conformance security fanout cloudwatch s3 firehose glue analytics video crash
# (default: all, in that order).
# Starts one shared server on a free port with a fresh temp data dir, waits for
# GET /health, runs the suites against it (RUNNEL_ENDPOINT), stops it with
# SIGTERM and requires exit code 0. The crash and signature tests start extra
# servers of their own from RUNNEL_BIN. Fails if any suite fails; always cleans
# up. See docs/testing.md.
set -uo pipefail

if [ $# -lt 1 ]; then
  echo "usage: $0 <path-to-runnel> [boto3|cli|node|cbor|bad-input|conformance|security|fanout|cloudwatch|s3|firehose|glue|analytics|video|crash ...]" >&2
  exit 2
fi
HERE="$(cd "$(dirname "$0")" && pwd)"
BIN="$(cd "$(dirname "$1")" 2>/dev/null && pwd)/$(basename "$1")"
shift
if [ ! -x "$BIN" ]; then
  echo "e2e: runnel binary not found or not executable: $BIN" >&2
  exit 2
fi
SUITES=("$@")
[ ${#SUITES[@]} -eq 0 ] && SUITES=(boto3 cli node cbor bad-input conformance security fanout cloudwatch s3 firehose glue analytics video console crash)
PYTHON="${PYTHON:-python3}"

# Clients see only dummy credentials and the loopback server; no proxies, no
# user config, no instance metadata lookups.
export AWS_ACCESS_KEY_ID=AKIDEXAMPLE
export AWS_SECRET_ACCESS_KEY=dummy-secret
export AWS_DEFAULT_REGION=us-east-1 AWS_REGION=us-east-1
export AWS_CONFIG_FILE=/dev/null AWS_SHARED_CREDENTIALS_FILE=/dev/null
export AWS_EC2_METADATA_DISABLED=true AWS_PAGER="" AWS_MAX_ATTEMPTS=1
unset AWS_PROFILE AWS_SESSION_TOKEN AWS_ENDPOINT_URL AWS_ENDPOINT_URL_KINESIS
unset http_proxy https_proxy HTTP_PROXY HTTPS_PROXY ALL_PROXY all_proxy
export NO_PROXY=127.0.0.1,localhost no_proxy=127.0.0.1,localhost
export PYTHONDONTWRITEBYTECODE=1
export RUNNEL_BIN="$BIN"

WORK="$(mktemp -d "${TMPDIR:-/tmp}/runnel-e2e.XXXXXX")"
DATA_DIR="$WORK/data"
SERVER_LOG="$WORK/server.log"
REPORTS="$WORK/reports"
mkdir -p "$DATA_DIR" "$REPORTS"
export TMPDIR="$WORK"   # servers the suites start put their data dirs here too
SERVER_PID=""

cleanup() {
  if [ -n "$SERVER_PID" ] && kill -0 "$SERVER_PID" 2>/dev/null; then
    kill -KILL "$SERVER_PID" 2>/dev/null
    wait "$SERVER_PID" 2>/dev/null
  fi
  if [ "${RUNNEL_E2E_KEEP:-0}" = 1 ]; then
    echo "e2e: kept $WORK"
  else
    rm -rf "$WORK"
  fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM

free_port() { "$PYTHON" -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
PORT="$(free_port)"
TLS_PORT="$(free_port)"
export RUNNEL_ENDPOINT="http://127.0.0.1:$PORT"
# A throw-away self-signed certificate for 127.0.0.1, so the TLS listener
# (h2 and HTTP/1.1 over TLS) is tested too; clients trust it explicitly.
export RUNNEL_E2E_TLS_CERT="$WORK/tls-cert.pem"
openssl req -x509 -newkey rsa:2048 -nodes -days 1 -subj /CN=localhost \
  -addext "subjectAltName=IP:127.0.0.1,DNS:localhost" \
  -keyout "$WORK/tls-key.pem" -out "$RUNNEL_E2E_TLS_CERT" >/dev/null 2>&1 || {
  echo "e2e: FAIL: could not create a test certificate with openssl" >&2; exit 1; }
export RUNNEL_E2E_TLS_ENDPOINT="https://127.0.0.1:$TLS_PORT"

echo "e2e: starting $BIN on port $PORT (data dir $DATA_DIR)"
# Per-shard throughput limits stay on (the default, as on AWS); the
# control-plane call rates (CreateStream 5/s per account, ...) are off: the
# suites create streams in bursts. test_capacity.py checks those rates on a
# server of its own.
"$BIN" serve --port "$PORT" --data-dir "$DATA_DIR" --host 127.0.0.1 --log-level warn \
  --control-plane-limits off \
  --tls-port "$TLS_PORT" --tls-cert "$RUNNEL_E2E_TLS_CERT" --tls-key "$WORK/tls-key.pem" \
  >"$SERVER_LOG" 2>&1 &
SERVER_PID=$!

ready=0
for _ in $(seq 1 300); do
  if ! kill -0 "$SERVER_PID" 2>/dev/null; then break; fi
  if curl -fsS -o /dev/null --max-time 1 --noproxy '*' "$RUNNEL_ENDPOINT/health" 2>/dev/null; then
    ready=1
    break
  fi
  sleep 0.1
done
if [ "$ready" != 1 ]; then
  echo "e2e: FAIL: server did not answer GET /health within 30 s" >&2
  echo "--- server log ---" >&2
  tail -n 50 "$SERVER_LOG" >&2
  exit 1
fi

declare -A RESULT PASSED FAILED SKIPPED ELAPSED
TOTAL_PASSED=0 TOTAL_FAILED=0 TOTAL_SKIPPED=0

# count_junit FILE... -> "passed failed skipped" summed over JUnit XML reports
# (a missing or unreadable report counts nothing)
count_junit() {
  "$PYTHON" - "$@" <<'EOF'
import sys, xml.etree.ElementTree as ET
p = f = s = 0
for path in sys.argv[1:]:
    try:
        root = ET.parse(path).getroot()
    except Exception:
        continue
    for case in root.iter("testcase"):
        tags = {child.tag for child in case}
        if "failure" in tags or "error" in tags: f += 1
        elif "skipped" in tags: s += 1
        else: p += 1
print(p, f, s)
EOF
}

run_pytest() {
  local suite="$1"; shift
  (cd "$HERE" && timeout --signal=KILL 600 "$PYTHON" pytest_main.py -q \
      --junitxml="$REPORTS/$suite.xml" "$@")
}

# run_node REPORT FILE...: node --test on the files, JUnit report to $REPORTS/REPORT.xml
# node_modules of tests/e2e/node (the SDK, DuckDB), installed if missing.
ensure_node_modules() {
  if [ ! -d "$HERE/node/node_modules/@aws-sdk/client-kinesis" ] ||
     [ ! -d "$HERE/node/node_modules/@aws-sdk/client-cloudwatch" ] ||
     [ ! -d "$HERE/node/node_modules/@aws-sdk/client-s3" ] ||
     [ ! -d "$HERE/node/node_modules/@aws-sdk/client-kinesis-analytics" ] ||
     [ ! -d "$HERE/node/node_modules/@duckdb/node-api" ]; then
    echo "e2e: installing node test dependencies (npm ci)"
    (cd "$HERE/node" && { npm ci --no-audit --no-fund --silent 2>/dev/null || npm install --no-audit --no-fund --silent; }) || return 1
  fi
}

run_node() {
  local report="$1"; shift
  ensure_node_modules || return 1
  (cd "$HERE/node" && NODE_EXTRA_CA_CERTS="$RUNNEL_E2E_TLS_CERT" timeout --signal=KILL 300 node --test \
      --test-reporter=spec --test-reporter-destination=stdout \
      --test-reporter=junit --test-reporter-destination="$REPORTS/$report.xml" "$@")
}

for suite in "${SUITES[@]}"; do
  printf '\n=== e2e suite: %s ===\n' "$suite"
  start=$(date +%s)
  case "$suite" in
    boto3)     run_pytest "$suite" test_boto3_streams.py test_boto3_records.py test_boto3_admin.py test_reshard.py \
                 test_throughput.py test_capacity.py test_policies.py test_encryption.py ;;
    cli)       run_pytest "$suite" test_cli.py ;;
    cbor)      run_pytest "$suite" test_cbor.py ;;
    bad-input) run_pytest "$suite" test_bad_input.py ;;
    conformance) run_pytest "$suite" test_wire_answers.py test_transitions.py test_kinesalite_parity.py ;;
    security)  run_pytest "$suite" test_security.py test_abuse.py ;;
    fanout)    run_pytest "$suite" test_fanout.py test_tls.py ;;
    crash)     run_pytest "$suite" -s test_crash.py ;;
    node)      run_node "$suite" kinesis.test.mjs fanout.test.mjs tls.test.mjs throughput.test.mjs \
                 capacity.test.mjs encryption.test.mjs ;;
    cloudwatch) run_pytest "$suite" test_cloudwatch_boto3.py test_cloudwatch_cli.py test_cloudwatch_durability.py \
                  test_cloudwatch_kinesis.py test_cloudwatch_prometheus.py
                rc_py=$?
                run_node "$suite.node" cloudwatch.test.mjs
                rc_node=$?
                [ "$rc_py" -eq 0 ] && [ "$rc_node" -eq 0 ] ;;
    s3)        run_pytest "$suite" test_s3_boto3.py test_s3_cli.py test_s3_bad_input.py test_s3_durability.py
               rc_py=$?
               run_node "$suite.node" s3.test.mjs
               rc_node=$?
               [ "$rc_py" -eq 0 ] && [ "$rc_node" -eq 0 ] ;;
    firehose)  ensure_node_modules  # test_firehose_conversion.py reads Parquet with DuckDB
               run_pytest "$suite" test_firehose_api.py test_firehose_api_cli.py test_firehose_delivery.py \
                 test_firehose_conversion.py test_firehose_destinations.py test_firehose_redshift.py
               rc_py=$?
               run_node "$suite.node" firehose.test.mjs firehose_delivery.test.mjs
               rc_node=$?
               [ "$rc_py" -eq 0 ] && [ "$rc_node" -eq 0 ] ;;
    glue)      run_pytest "$suite" test_glue.py test_glue_cli.py ;;
    analytics) run_pytest "$suite" test_analytics_api.py test_analytics_cli.py test_analytics_run.py \
                 test_analytics_examples.py test_analytics_lambda.py test_analytics_ml.py
               rc_py=$?
               run_node "$suite.node" analytics.test.mjs
               rc_node=$?
               [ "$rc_py" -eq 0 ] && [ "$rc_node" -eq 0 ] ;;
    video)     run_pytest "$suite" test_video_api.py ;;
    # The web console: its HTTP surface here, then its pages in Debian's
    # Chromium (console/e2e/, a server of its own serving the console
    # compiled into the binary; screenshots under the work dir).
    console)   run_pytest "$suite" test_console_http.py
               rc_py=$?
               ARTIFACTS="$WORK/console-artifacts" JUNIT="$REPORTS/$suite.node.xml" \
                 timeout --signal=KILL 600 bash "$HERE/../../console/e2e/run.sh" "$BIN"
               rc_node=$?
               [ "$rc_py" -eq 0 ] && [ "$rc_node" -eq 0 ] ;;
    *) echo "e2e: unknown suite '$suite'" >&2; false ;;
  esac
  rc=$?
  ELAPSED[$suite]=$(( $(date +%s) - start ))
  read -r p f s < <(count_junit "$REPORTS/$suite.xml" "$REPORTS/$suite.node.xml")
  # A suite that exits non-zero without reporting a failed test (crash, timeout,
  # collection error) still counts as one failure.
  if [ "$rc" -ne 0 ] && [ "$f" -eq 0 ]; then f=1; fi
  if [ "$rc" -eq 0 ] && [ "$p" -eq 0 ]; then RESULT[$suite]="FAIL (ran no test)"; f=1
  elif [ "$rc" -eq 0 ]; then RESULT[$suite]="ok"
  else RESULT[$suite]="FAIL (exit $rc)"; fi
  PASSED[$suite]=$p FAILED[$suite]=$f SKIPPED[$suite]=$s
  TOTAL_PASSED=$((TOTAL_PASSED + p)) TOTAL_FAILED=$((TOTAL_FAILED + f))
  TOTAL_SKIPPED=$((TOTAL_SKIPPED + s))
  if ! kill -0 "$SERVER_PID" 2>/dev/null; then
    echo "e2e: FAIL: the shared server died during suite '$suite'" >&2
    tail -n 50 "$SERVER_LOG" >&2
    break
  fi
done

printf '\n=== e2e: stopping the shared server (SIGTERM) ===\n'
stop_status="ok"
if kill -0 "$SERVER_PID" 2>/dev/null; then
  kill -TERM "$SERVER_PID"
  for _ in $(seq 1 200); do
    kill -0 "$SERVER_PID" 2>/dev/null || break
    sleep 0.1
  done
  if kill -0 "$SERVER_PID" 2>/dev/null; then
    stop_status="FAIL (still running 20 s after SIGTERM)"
    kill -KILL "$SERVER_PID" 2>/dev/null
  fi
  wait "$SERVER_PID"
  code=$?
  SERVER_PID=""
  [ "$stop_status" = ok ] && [ "$code" -ne 0 ] && stop_status="FAIL (exit code $code)"
else
  wait "$SERVER_PID"
  stop_status="FAIL (server had died, exit code $?)"
  SERVER_PID=""
fi
if [ "$stop_status" != ok ]; then
  TOTAL_FAILED=$((TOTAL_FAILED + 1))
  echo "--- server log (last 50 lines) ---"
  tail -n 50 "$SERVER_LOG"
fi

printf '\n=== e2e summary ===\n'
for suite in "${SUITES[@]}"; do
  [ -n "${RESULT[$suite]:-}" ] || { printf '  %-10s not run\n' "$suite"; TOTAL_FAILED=$((TOTAL_FAILED + 1)); continue; }
  printf '  %-10s %-22s %4s passed %4s failed %4s skipped %5ss\n' "$suite" "${RESULT[$suite]}" \
    "${PASSED[$suite]}" "${FAILED[$suite]}" "${SKIPPED[$suite]}" "${ELAPSED[$suite]}"
done
printf '  %-10s %s\n' "shutdown" "$stop_status"
echo "e2e: $TOTAL_PASSED passed, $TOTAL_FAILED failed, $TOTAL_SKIPPED skipped"
[ "$TOTAL_FAILED" -eq 0 ]
