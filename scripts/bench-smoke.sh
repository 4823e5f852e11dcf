#!/usr/bin/env bash
# A few seconds of `runnel bench` against a fresh runnel, so the load tool
# cannot rot unnoticed: PutRecords over HTTP/1.1 JSON read back through
# SubscribeToShard, then over h2c CBOR read back through GetRecords, then
# Firehose PutRecordBatch into the embedded S3 store, uncompressed and GZIP,
# read back from the bucket, then Analytics (both applications, catch-up and
# latency). Fails unless every record put was received (for Firehose: every
# acknowledged record seen in an S3 object; for Analytics: every phase
# complete and its output rows accounted for). Not a measurement (see docs/performance.md for those).
#   scripts/bench-smoke.sh [path-to-runnel]
set -euo pipefail
BIN="${1:-build/release/runnel}"
WORK="$(mktemp -d "${TMPDIR:-/tmp}/runnel-bench-smoke.XXXXXX")"
PID=""
cleanup() {
  [ -n "$PID" ] && kill "$PID" 2>/dev/null && wait "$PID" 2>/dev/null
  rm -rf "$WORK"
}
trap cleanup EXIT
PORT="$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')"
# Throughput limits off: the bench pushes each shard far past 1 MiB/s. The
# server verifies signatures, so the tool's SigV4 signing is checked too.
printf '[default]\naws_access_key_id = AKIDEXAMPLE\naws_secret_access_key = dummy-secret\n' >"$WORK/credentials"
"$BIN" serve --port "$PORT" --host 127.0.0.1 --data-dir "$WORK/data" --log-level warn \
  --throughput-limits off --credentials-file "$WORK/credentials" >"$WORK/server.log" 2>&1 &
PID=$!
for _ in $(seq 1 100); do
  curl -fsS -o /dev/null --max-time 1 --noproxy '*' "http://127.0.0.1:$PORT/health" 2>/dev/null && break
  sleep 0.1
done

check() {  # summary.json: every record acknowledged was received, and some were
  python3 - "$1" <<'PY'
import json, sys
s = json.load(open(sys.argv[1]))
acked = s["producer"]["records"]
got = s["consumer"]["records"]
print(f"bench smoke: {acked} acknowledged, {got} received")
sys.exit(0 if acked > 0 and got >= acked else 1)
PY
}

check_firehose() {  # summary.json: every record acknowledged was seen in S3, and some were
  python3 - "$1" <<'PY'
import json, sys
s = json.load(open(sys.argv[1]))
acked = s["producer"]["records"]
d = s["delivery"]
print(f"bench smoke: firehose {s['parameters']['compression']}: {acked} acknowledged, {d['records']} seen in "
      f"{d['objects']} objects, lag p99 {d['lag_us']['p99'] / 1000:.0f} ms")
sys.exit(0 if s["ok"] and acked > 0 and d["records"] >= acked and d["missing_records"] == 0 else 1)
PY
}

export AWS_ACCESS_KEY_ID=AKIDEXAMPLE AWS_SECRET_ACCESS_KEY=dummy-secret
"$BIN" bench --endpoint "http://127.0.0.1:$PORT" --shards 2 --duration 3 --rate 2000 --batch 50 \
  --consume subscribe --drain 3 -q --json "$WORK/subscribe.json"
check "$WORK/subscribe.json"
"$BIN" bench --endpoint "http://127.0.0.1:$PORT" --shards 2 --duration 3 --batch 100 --http 2 --encoding cbor \
  --consume poll --poll-interval-ms 50 --drain 3 -q --json "$WORK/poll.json"
check "$WORK/poll.json"
# A 1 s buffer interval (AWS's default 300 s would hold the last objects back
# that long) and 1 MiB objects, so several objects are cut by size too.
for c in UNCOMPRESSED GZIP; do
  "$BIN" bench --endpoint "http://127.0.0.1:$PORT" --service firehose --duration 3 --rate 4000 --batch 500 \
    --record-size 1024 --compression "$c" --buffer-size-mb 1 --buffer-interval 1 --poll-interval-ms 100 \
    --drain 30 -q --json "$WORK/firehose-$c.json"
  check_firehose "$WORK/firehose-$c.json"
done
# Analytics: both applications, a small backlog and 3 s of live records (the
# tumbling window's latency waits for the next 10 s boundary). Fails unless
# every phase completed: all passing rows out, the windows' counts adding up
# to every record, no window row before its end.
"$BIN" bench --endpoint "http://127.0.0.1:$PORT" --service analytics --shards 2 --records 20000 --duration 3 \
  --rate 500 --poll-interval-ms 20 -q --json "$WORK/analytics.json"
python3 - "$WORK/analytics.json" <<'PY'
import json, sys
s = json.load(open(sys.argv[1]))
print(f"bench smoke: analytics: baseline {s['baseline']['records_per_s']:.0f} rec/s, "
      f"pump {s['catchup_pump']['ratio_to_baseline']:.2f}x, tumbling {s['catchup_tumbling']['ratio_to_baseline']:.2f}x, "
      f"pump p99 {s['latency_pump']['put_to_output_us']['p99'] / 1000:.0f} ms, "
      f"window p99 {s['latency_tumbling']['window_end_to_output_us']['p99'] / 1000:.0f} ms")
sys.exit(0 if s["ok"] else 1)
PY
