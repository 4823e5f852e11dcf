#!/usr/bin/env bash
# Runs a command with bulk_receiver.py and hec_receiver.py (this folder)
# listening on free ports of 127.0.0.1. The command sees:
#   RUNNEL_BULK_RECEIVER_PORT=<port>   the OpenSearch/Elasticsearch Bulk API stand-in
#   RUNNEL_HEC_RECEIVER_PORT=<port>    the Splunk HEC stand-in
#   RUNNEL_HEC_RECEIVER_TOKEN=<token>  the HEC token it accepts
# and the script exits with the command's status (1 if a receiver did not start).
#
# Usage: tests/e2e/receivers/run_sender_tests.sh COMMAND [ARG...]
#   e.g. tests/e2e/receivers/run_sender_tests.sh build/release/runnel_firehose_tests \
#          --gtest_filter='BulkReceiver.*:HecReceiver.*'
set -euo pipefail

if [ $# -eq 0 ]; then
  echo "usage: $0 COMMAND [ARG...]" >&2
  exit 2
fi

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
python=${PYTHON:-python3}
token=runnel-test-token
tmp=$(mktemp -d "${TMPDIR:-/tmp}/run_sender_tests.XXXXXX")
pids=()
cleanup() {
  for pid in "${pids[@]}"; do
    kill "$pid" 2>/dev/null || true
    wait "$pid" 2>/dev/null || true
  done
  rm -rf "$tmp"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# Starts receiver $1 (with arguments $2...) and sets `port` to the port it
# reports (not in a subshell: the cleanup needs its pid).
port=
start() {
  local name=$1
  shift
  "$python" "$here/$name" --port 0 "$@" >"$tmp/$name.out" 2>"$tmp/$name.err" &
  local pid=$!
  pids+=("$pid")
  port=
  for _ in $(seq 1 100); do  # up to 10 s
    port=$(head -n 1 "$tmp/$name.out" | tr -dc '0-9')
    [ -n "$port" ] && break
    kill -0 "$pid" 2>/dev/null || break
    sleep 0.1
  done
  if [ -z "$port" ]; then
    echo "run_sender_tests.sh: $name did not start:" >&2
    cat "$tmp/$name.out" "$tmp/$name.err" >&2
    exit 1
  fi
}

start bulk_receiver.py
export RUNNEL_BULK_RECEIVER_PORT=$port
start hec_receiver.py --token "$token"
export RUNNEL_HEC_RECEIVER_PORT=$port
export RUNNEL_HEC_RECEIVER_TOKEN=$token

status=0
"$@" || status=$?
exit "$status"
