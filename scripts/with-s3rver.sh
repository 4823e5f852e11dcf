#!/usr/bin/env bash
# Runs a command with s3rver (a local S3-compatible store, from
# tests/e2e/node/node_modules) listening on a free port of 127.0.0.1, in a
# fresh temporary directory that is removed afterwards, with one bucket made
# at startup. The command sees:
#   RUNNEL_S3_TEST_ENDPOINT=http://127.0.0.1:<port>
#   RUNNEL_S3_TEST_BUCKET=<bucket>            (default runnel-test)
#   RUNNEL_S3_TEST_ACCESS_KEY_ID=S3RVER, RUNNEL_S3_TEST_SECRET_ACCESS_KEY=S3RVER
#   RUNNEL_S3_TEST_REQUIRED=1                 (tests must fail, not skip, without the endpoint)
#   RUNNEL_S3_TEST_STORE=s3rver               (what the store does not do: s3rver 3.7 does not verify
#                                              SigV4 signatures, only that the access key exists, and
#                                              refuses keys with an empty path segment, "a//b")
# and the script exits with the command's status (1 if s3rver did not start).
#
# Usage: scripts/with-s3rver.sh COMMAND [ARG...]
#   e.g. scripts/with-s3rver.sh build/release/runnel_s3_tests --gtest_filter='RemoteStore*'
set -euo pipefail

if [ $# -eq 0 ]; then
  echo "usage: $0 COMMAND [ARG...]" >&2
  exit 2
fi

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
s3rver="$root/tests/e2e/node/node_modules/s3rver/bin/s3rver.js"
if [ ! -f "$s3rver" ]; then
  echo "with-s3rver.sh: $s3rver is missing (npm ci in tests/e2e/node; scripts/install-deps.sh does it)" >&2
  exit 1
fi
command -v node >/dev/null || { echo "with-s3rver.sh: node is not installed" >&2; exit 1; }

bucket=${RUNNEL_S3_TEST_BUCKET:-runnel-test}
tmp=$(mktemp -d "${TMPDIR:-/tmp}/with-s3rver.XXXXXX")
pid=
cleanup() {
  if [ -n "$pid" ]; then
    kill "$pid" 2>/dev/null || true
    wait "$pid" 2>/dev/null || true
  fi
  rm -rf "$tmp"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# --port 0: the kernel picks a free port; s3rver prints it (even with --silent).
# --openssl-legacy-provider: s3rver 3.7 encrypts ListObjectsV2 continuation
# tokens with DES, which Node 17+ (OpenSSL 3) refuses otherwise: every
# truncated listing would answer 500 InternalError.
node --openssl-legacy-provider "$s3rver" --directory "$tmp/data" --address 127.0.0.1 --port 0 --silent \
  --configure-bucket "$bucket" >"$tmp/stdout" 2>"$tmp/stderr" &
pid=$!

port=
for _ in $(seq 1 200); do  # up to 20 s
  port=$(sed -n 's/^S3rver listening on .*:\([0-9][0-9]*\)$/\1/p' "$tmp/stdout")
  [ -n "$port" ] && break
  if ! kill -0 "$pid" 2>/dev/null; then break; fi
  sleep 0.1
done
if [ -z "$port" ]; then
  echo "with-s3rver.sh: s3rver did not start; its output:" >&2
  cat "$tmp/stdout" "$tmp/stderr" >&2
  exit 1
fi

export RUNNEL_S3_TEST_ENDPOINT="http://127.0.0.1:$port"
export RUNNEL_S3_TEST_BUCKET="$bucket"
export RUNNEL_S3_TEST_ACCESS_KEY_ID=S3RVER
export RUNNEL_S3_TEST_SECRET_ACCESS_KEY=S3RVER
export RUNNEL_S3_TEST_REQUIRED=1
export RUNNEL_S3_TEST_STORE=s3rver

status=0
"$@" || status=$?
exit "$status"
