#!/usr/bin/env bash
# Measures runnel against the Kinesis emulators on npm (kinesalite, kinesis-local = kinesis-mock)
# with the same load tool (`runnel bench`) and the same command lines, on this machine, in one run.
# See docs/performance.md for the method and the latest figures.
#
# Usage: scripts/bench-compare.sh [RUNNEL_BINARY] [options]
#   RUNNEL_BINARY / --runnel PATH   runnel binary (server and load tool); default build/release/runnel
#   --duration S                    seconds of load per scenario (default 15)
#   --targets LIST                  comma-separated: runnel,kinesalite,kinesis-local (default: all three)
#   --scenarios LIST                comma-separated: A,B,C,D,E (default: all)
#   --catchup-records N             scenario E: records written before the catch-up read (default 1000000)
#   --latency-rate R                scenario D: records/s put while measuring end-to-end latency (default 2000)
#   --out DIR                       where JSON summaries, logs and the table go
#                                   (default /tmp/runnel-bench-compare-<date>-<time>)
#   --data-root DIR                 parent of runnel's temporary --data-dir (default: $TMPDIR or /tmp)
#   --many-shards                   also: runnel only, 100 streams x 100 shards, restart time and RSS
#   --many-shards-only              only the 10,000-shard measurement
#   --streams N --shards-per-stream N   size of the --many-shards step (default 100 x 100)
#
# Every server is started on a free loopback port, waited for (ListStreams answers 200), measured
# idle (RSS after 2 s), loaded scenario by scenario, then stopped. Nothing runs in the background
# after the script exits. Needs: bash, curl, python3 (stdlib only), node + npm for the peers.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
PEERS="$ROOT/bench/peers"

RUNNEL="$ROOT/build/release/runnel"
DURATION=15
TARGETS="runnel,kinesalite,kinesis-local"
SCENARIOS="A,B,C,D,E"
CATCHUP_RECORDS=1000000
LATENCY_RATE=2000
OUT=""
DATA_ROOT="${TMPDIR:-/tmp}"
MANY_SHARDS=0
MANY_ONLY=0
MANY_STREAMS=100
MANY_SHARDS_PER=100

die() { echo "bench-compare: $*" >&2; exit 2; }
while [[ $# -gt 0 ]]; do
  case "$1" in
    --runnel) RUNNEL="$2"; shift 2 ;;
    --duration) DURATION="$2"; shift 2 ;;
    --targets) TARGETS="$2"; shift 2 ;;
    --scenarios) SCENARIOS="$2"; shift 2 ;;
    --catchup-records) CATCHUP_RECORDS="$2"; shift 2 ;;
    --latency-rate) LATENCY_RATE="$2"; shift 2 ;;
    --out) OUT="$2"; shift 2 ;;
    --data-root) DATA_ROOT="$2"; shift 2 ;;
    --many-shards) MANY_SHARDS=1; shift ;;
    --many-shards-only) MANY_SHARDS=1; MANY_ONLY=1; shift ;;
    --streams) MANY_STREAMS="$2"; shift 2 ;;
    --shards-per-stream) MANY_SHARDS_PER="$2"; shift 2 ;;
    -h|--help) sed -n '2,/^set -euo/p' "$0" | sed '$d' | sed 's/^# \{0,1\}//'; exit 0 ;;
    -*) die "unknown option $1 (see --help)" ;;
    *) RUNNEL="$1"; shift ;;
  esac
done

RUNNEL="$(realpath "$RUNNEL" 2>/dev/null || echo "$RUNNEL")"
[[ -x "$RUNNEL" ]] || die "no runnel binary at $RUNNEL (build it, or pass its path)"
[[ "$DURATION" =~ ^[0-9]+([.][0-9]+)?$ ]] || die "--duration must be a number of seconds"
[[ "$CATCHUP_RECORDS" =~ ^[0-9]+$ ]] || die "--catchup-records must be an integer"
command -v curl >/dev/null || die "curl is needed"
command -v python3 >/dev/null || die "python3 is needed"
[[ -n "$OUT" ]] || OUT="/tmp/runnel-bench-compare-$(date +%Y%m%d-%H%M%S)"
mkdir -p "$OUT"
OUT="$(realpath "$OUT")"

log() { echo "[$(date +%H:%M:%S)] $*" >&2; }

# ---------------------------------------------------------------- servers

SERVER_PID=""
SERVER_DATA=""
ENDPOINT=""
cleanup() {
  if [[ -n "$SERVER_PID" ]]; then stop_server; fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM

free_port() {
  python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()'
}

# One Kinesis JSON call with a dummy SigV4-shaped header (none of the targets checks signatures
# here). Prints the HTTP status.
kinesis_status() {
  local op="$1" body="$2"
  curl -s -o /dev/null -w '%{http_code}' --max-time 5 -X POST "$ENDPOINT/" \
    -H 'Content-Type: application/x-amz-json-1.1' \
    -H "X-Amz-Target: Kinesis_20131202.$op" \
    -H "X-Amz-Date: $(date -u +%Y%m%dT%H%M%SZ)" \
    -H "Authorization: AWS4-HMAC-SHA256 Credential=dummy/$(date -u +%Y%m%d)/us-east-1/kinesis/aws4_request, SignedHeaders=host;x-amz-date, Signature=0000" \
    -d "$body" 2>/dev/null || true
}

# Waits until ListStreams answers 200 (at most 120 s: kinesis-local takes a few seconds).
wait_serving() {
  local deadline=$((SECONDS + 120))
  while (( SECONDS < deadline )); do
    if ! kill -0 "$SERVER_PID" 2>/dev/null; then
      log "server exited early; its log:"; tail -20 "$OUT/$1.server.log" >&2; return 1
    fi
    [[ "$(kinesis_status ListStreams '{}')" == 200 ]] && return 0
    sleep 0.2
  done
  log "$1 did not answer ListStreams within 120 s"; return 1
}

rss_kib() { ps -o rss= -p "$1" 2>/dev/null | tr -d ' ' || echo 0; }

# Starts target $1 on a free port; sets SERVER_PID, ENDPOINT; records idle RSS and start time.
start_server() {
  local target="$1" port; port="$(free_port)"
  ENDPOINT="http://127.0.0.1:$port"
  local t0; t0=$(date +%s.%N)
  case "$target" in
    runnel)
      SERVER_DATA="$(mktemp -d "$DATA_ROOT/runnel-bench-data.XXXXXX")"
      # Throughput limits off: a benchmark measures raw speed (the peers have none).
      "$RUNNEL" serve --host 127.0.0.1 --port "$port" --data-dir "$SERVER_DATA" --log-level warn \
        --throughput-limits off >"$OUT/$target.server.log" 2>&1 &
      ;;
    kinesalite)
      # Default store: in memory (memdown); --path would select LevelDB. --shardLimit only raises
      # the open-shard limit (default 10) so that 16-shard streams can be created.
      node "$PEERS/node_modules/kinesalite/cli.js" --port "$port" --shardLimit 1000 \
        >"$OUT/$target.server.log" 2>&1 &
      ;;
    kinesis-local)
      # kinesis-mock compiled to JavaScript (Scala.js): plain HTTP on KINESIS_MOCK_PLAIN_PORT,
      # TLS on KINESIS_MOCK_TLS_PORT with the certificate it ships (server.json, which it looks
      # for in the working directory unless KINESIS_MOCK_CERT_PATH says where). In memory
      # (SHOULD_PERSIST_DATA defaults to false). SHARD_LIMIT defaults to 50.
      local tls_port; tls_port="$(free_port)"
      KINESIS_MOCK_PLAIN_PORT="$port" KINESIS_MOCK_TLS_PORT="$tls_port" \
        KINESIS_MOCK_CERT_PATH="$PEERS/node_modules/kinesis-local/server.json" \
        SHARD_LIMIT=1000 LOG_LEVEL=WARN \
        node "$PEERS/node_modules/kinesis-local/main.js" >"$OUT/$target.server.log" 2>&1 &
      ;;
    *) die "unknown target $target" ;;
  esac
  SERVER_PID=$!
  wait_serving "$target" || { stop_server; return 1; }
  local t1; t1=$(date +%s.%N)
  sleep 2
  local rss; rss="$(rss_kib "$SERVER_PID")"
  python3 - "$OUT/$target.server.json" "$target" "$rss" "$t0" "$t1" "$ENDPOINT" <<'EOF'
import json, sys
path, target, rss, t0, t1, endpoint = sys.argv[1:]
json.dump({"target": target, "idle_rss_kib": int(rss or 0), "start_to_serving_s": float(t1) - float(t0),
           "endpoint": endpoint}, open(path, "w"))
EOF
  log "$target: serving on $ENDPOINT (pid $SERVER_PID), idle RSS $((rss / 1024)) MiB"
}

stop_server() {
  local pid="$SERVER_PID"
  SERVER_PID=""
  if [[ -n "$pid" ]] && kill -0 "$pid" 2>/dev/null; then
    kill -TERM "$pid" 2>/dev/null || true
    for _ in $(seq 1 100); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    if kill -0 "$pid" 2>/dev/null; then kill -KILL "$pid" 2>/dev/null || true; fi
    wait "$pid" 2>/dev/null || true
  fi
  if [[ -n "$SERVER_DATA" ]]; then rm -rf "$SERVER_DATA"; SERVER_DATA=""; fi
}

# ---------------------------------------------------------------- scenarios

# The runnel bench flags of each scenario, the same for every target.
scenario_flags() {
  local d="$DURATION"
  case "$1" in
    A) echo "--shards 16 --api PutRecords --batch 500 --record-size 100 --concurrency 4 --duration $d" ;;
    # 16 x 64 KiB = 1 MiB of data per request (AWS: at most 5 MiB per PutRecords).
    B) echo "--shards 4 --api PutRecords --batch 16 --record-size 65536 --concurrency 4 --duration $d" ;;
    C) echo "--shards 4 --api PutRecord --record-size 100 --concurrency 16 --duration $d" ;;
    D-poll) echo "--shards 4 --batch 50 --record-size 100 --rate $LATENCY_RATE --consume poll --poll-interval-ms 20 --duration $d" ;;
    # HTTP/1.1 like D-poll, so that the two differ only in --consume (AWS's SDKs subscribe over
    # HTTP/2; kinesalite speaks no HTTP/2 at all, which would hide its real answer).
    D-subscribe) echo "--shards 4 --batch 50 --record-size 100 --rate $LATENCY_RATE --consume subscribe --duration $d" ;;
    E-write)
      local rate; rate=$(python3 -c "print(round($CATCHUP_RECORDS / $d))")
      echo "--shards 4 --api PutRecords --batch 500 --record-size 100 --concurrency 4 --rate $rate --duration $d --keep" ;;
    E-read) echo "--no-produce --consume poll --start trim-horizon --poll-limit 10000 --duration $d" ;;
  esac
}

# Runs `runnel bench` with scenario $2's flags against the current server; JSON to OUT.
run_bench() {
  local target="$1" scen="$2"; shift 2
  local flags; flags="$(scenario_flags "$scen")"
  local flag_words; read -r -a flag_words <<<"$flags"
  local json="$OUT/$target.$scen.json"
  local cmd=("$RUNNEL" bench --endpoint "$ENDPOINT" "${flag_words[@]}" "$@" --json "$json")
  printf '%q ' "${cmd[@]}" | sed "s#$ENDPOINT#\$ENDPOINT#; s#$OUT/##" >"$OUT/$target.$scen.cmd"
  echo >>"$OUT/$target.$scen.cmd"
  log "$target $scen: runnel bench $flags $*"
  local limit; limit=$(python3 -c "print(int($DURATION) + 150)")
  set +e
  timeout --signal=INT --kill-after=10 "$limit" "${cmd[@]}" >"$OUT/$target.$scen.log" 2>&1
  local rc=$?
  set -e
  [[ -s "$json" ]] || echo "{\"ok\": false, \"failure\": \"runnel bench exited $rc without a summary\"}" >"$json"
  grep -E '^ *(produced|received|PutRecord|end-to-end|error|FAILED)' "$OUT/$target.$scen.log" | sed 's/^/    /' >&2 || true
  return 0
}

run_target() {
  local target="$1" s
  start_server "$target" || { log "$target: could not start; skipped"; return 0; }
  for s in ${SCENARIOS//,/ }; do
    case "$s" in
      A|B|C) run_bench "$target" "$s" ;;
      D) run_bench "$target" D-poll; run_bench "$target" D-subscribe ;;
      E)
        run_bench "$target" E-write
        local stream
        stream=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1])).get("stream",{}).get("name",""))' \
                 "$OUT/$target.E-write.json" 2>/dev/null || true)
        if [[ -n "$stream" ]]; then
          run_bench "$target" E-read --stream "$stream"
        else
          echo '{"ok": false, "failure": "the write phase created no stream"}' >"$OUT/$target.E-read.json"
        fi
        ;;
      *) die "unknown scenario $s" ;;
    esac
  done
  stop_server
}

# ---------------------------------------------------------------- 10,000 shards (runnel only)

many_shards() {
  local port; port="$(free_port)"
  ENDPOINT="http://127.0.0.1:$port"
  SERVER_DATA="$(mktemp -d "$DATA_ROOT/runnel-bench-data.XXXXXX")"
  local total=$((MANY_STREAMS * MANY_SHARDS_PER))
  local limit=$(( total > 20000 ? total : 20000 ))
  # The step creates its streams in a burst: AWS's control-plane rates (CreateStream 5/s per
  # account), which runnel enforces by default, would refuse most of them.
  local serve=("$RUNNEL" serve --host 127.0.0.1 --port "$port" --data-dir "$SERVER_DATA" --log-level warn
               --shard-limit "$limit" --throughput-limits off --control-plane-limits off)
  log "many-shards: $MANY_STREAMS streams x $MANY_SHARDS_PER shards on $ENDPOINT"
  "${serve[@]}" >"$OUT/many-shards.server.log" 2>&1 &
  SERVER_PID=$!
  wait_serving many-shards
  local t_create0=$SECONDS
  cat >"$OUT/many_shards.py" <<'EOF'
# fill: creates the streams, waits until each is ACTIVE, then puts 500 records (random keys, so a
#       few in nearly every shard) into each.
# read: reads every shard of every stream from TRIM_HORIZON and counts the records (after the
#       restart: proves the data is back and makes the server open every shard).
import base64, concurrent.futures as cf, json, os, sys, time, urllib.error, urllib.request
mode, endpoint, streams, shards = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4])
def call(op, body):
    now = time.gmtime()
    req = urllib.request.Request(endpoint + "/", data=json.dumps(body).encode(), headers={
        "Content-Type": "application/x-amz-json-1.1", "X-Amz-Target": "Kinesis_20131202." + op,
        "X-Amz-Date": time.strftime("%Y%m%dT%H%M%SZ", now),
        "Authorization": "AWS4-HMAC-SHA256 Credential=dummy/%s/us-east-1/kinesis/aws4_request, "
                         "SignedHeaders=host;x-amz-date, Signature=0000" % time.strftime("%Y%m%d", now)})
    try:
        with urllib.request.urlopen(req, timeout=120) as r:
            return json.loads(r.read() or b"{}")
    except urllib.error.HTTPError as e:
        sys.exit("%s %s: HTTP %d: %s" % (op, body.get("StreamName", ""), e.code, e.read().decode(errors="replace")))
names = ["many-%03d" % i for i in range(streams)]
t0 = time.time()
if mode == "fill":
    for n in names:
        call("CreateStream", {"StreamName": n, "ShardCount": shards})
    for n in names:
        while call("DescribeStreamSummary", {"StreamName": n})["StreamDescriptionSummary"]["StreamStatus"] != "ACTIVE":
            time.sleep(0.1)
    t1 = time.time()
    data = base64.b64encode(b"x" * 100).decode()
    def fill(n):
        recs = [{"Data": data, "PartitionKey": os.urandom(8).hex()} for _ in range(500)]
        return call("PutRecords", {"StreamName": n, "Records": recs}).get("FailedRecordCount", 0)
    with cf.ThreadPoolExecutor(8) as ex:
        failed = sum(ex.map(fill, names))
    print(json.dumps({"streams": streams, "shards_per_stream": shards, "create_s": t1 - t0,
                      "records_put": 500 * streams - failed, "records_failed": failed,
                      "put_s": time.time() - t1}))
else:
    def read(job):
        n, i = job
        it = call("GetShardIterator", {"StreamName": n, "ShardId": "shardId-%012d" % i,
                                       "ShardIteratorType": "TRIM_HORIZON"})["ShardIterator"]
        return len(call("GetRecords", {"ShardIterator": it, "Limit": 10000}).get("Records", []))
    with cf.ThreadPoolExecutor(8) as ex:
        count = sum(ex.map(read, [(n, i) for n in names for i in range(shards)]))
    print(json.dumps({"records_read_after_restart": count, "read_all_shards_s": time.time() - t0}))
EOF
  python3 "$OUT/many_shards.py" fill "$ENDPOINT" "$MANY_STREAMS" "$MANY_SHARDS_PER" >"$OUT/many-shards.fill.json"
  sleep 2
  local rss_before; rss_before="$(rss_kib "$SERVER_PID")"
  log "many-shards: filled in $((SECONDS - t_create0)) s; RSS $((rss_before / 1024)) MiB; restarting"
  stop_server_keep_data
  local t0; t0=$(date +%s.%N)
  "${serve[@]}" >>"$OUT/many-shards.server.log" 2>&1 &
  SERVER_PID=$!
  local health="" t_health="" t_list=""
  local deadline=$((SECONDS + 300))
  while (( SECONDS < deadline )) && kill -0 "$SERVER_PID" 2>/dev/null; do
    if [[ -z "$t_health" ]]; then
      health=$(curl -s -o /dev/null -w '%{http_code}' --max-time 2 "$ENDPOINT/health" || true)
      [[ "$health" == 200 ]] && t_health=$(date +%s.%N)
    fi
    if [[ -n "$t_health" && "$(kinesis_status ListStreams '{}')" == 200 ]]; then t_list=$(date +%s.%N); break; fi
    sleep 0.02
  done
  sleep 2
  local rss_after; rss_after="$(rss_kib "$SERVER_PID")"
  python3 "$OUT/many_shards.py" read "$ENDPOINT" "$MANY_STREAMS" "$MANY_SHARDS_PER" >"$OUT/many-shards.read.json" || true
  local rss_read; rss_read="$(rss_kib "$SERVER_PID")"
  python3 - "$OUT/many-shards.json" "$OUT/many-shards.fill.json" "$OUT/many-shards.read.json" "$t0" \
    "${t_health:-0}" "${t_list:-0}" "$rss_before" "$rss_after" "$rss_read" <<'EOF'
import json, sys
path, fill, read, t0, th, tl, rb, ra, rr = sys.argv[1:]
def load(p):
    try:
        return json.load(open(p))
    except (OSError, ValueError):
        return {}
d = load(fill)
d.update(load(read))
t0, th, tl = float(t0), float(th), float(tl)
d.update({"restart_to_health_s": th - t0 if th else None, "restart_to_liststreams_s": tl - t0 if tl else None,
          "rss_kib_before_restart": int(rb or 0), "rss_kib_after_restart": int(ra or 0),
          "rss_kib_after_reading_all_shards": int(rr or 0)})
json.dump(d, open(path, "w"))
EOF
  log "many-shards: $(cat "$OUT/many-shards.json")"
  stop_server
}

stop_server_keep_data() {
  local keep="$SERVER_DATA"; SERVER_DATA=""; stop_server; SERVER_DATA="$keep"
}

# ---------------------------------------------------------------- main

{
  echo "date: $(date -u +%Y-%m-%dT%H:%M:%SZ)"
  echo "runnel: $RUNNEL"
  echo "runnel_git: $(git -C "$ROOT" rev-parse --short HEAD 2>/dev/null || echo unknown)"
  echo "nproc: $(nproc)"
  echo "cpu: $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ //')"
  echo "mem: $(free -h | awk '/^Mem:/{print $2}')"
  echo "kernel: $(uname -r)"
  echo "data_dir_fs: $(df -PT "$DATA_ROOT" | awk 'NR==2{print $1" "$2}') ($DATA_ROOT)"
  echo "node: $(node --version 2>/dev/null || echo none)"
  echo "duration_s: $DURATION"
  echo "load_average: $(cut -d' ' -f1-3 /proc/loadavg)"
} >"$OUT/machine.txt"

if (( ! MANY_ONLY )); then
  if [[ ",$TARGETS," == *,kinesalite,* || ",$TARGETS," == *,kinesis-local,* ]]; then
    command -v node >/dev/null || die "node is needed for the peers"
    if [[ ! -d "$PEERS/node_modules" ]]; then
      log "installing the peers (npm ci in bench/peers)"
      (cd "$PEERS" && npm ci --no-audit --no-fund >&2)
    fi
  fi
  for t in ${TARGETS//,/ }; do run_target "$t"; done
fi
if (( MANY_SHARDS )); then many_shards; fi

python3 - "$OUT" "$TARGETS" "$SCENARIOS" "$MANY_ONLY" <<'EOF' | tee "$OUT/table.md"
# The table: one row per scenario and target; the ratio is runnel's figure over the peer's.
import json, os, re, sys
out, targets, scenarios, many_only = sys.argv[1], sys.argv[2].split(","), sys.argv[3].split(","), sys.argv[4] == "1"

def load(name):
    p = os.path.join(out, name)
    try:
        return json.load(open(p))
    except (OSError, ValueError):
        return None

def catchup_rate(target):
    """Records/s of the catch-up read, from the 1-s progress lines (the JSON summary of a
    --no-produce run divides by the whole --duration): the records of the seconds in which records
    arrived, divided by those seconds, the last (partial) one counted as the fraction of a second
    it would take at the mean rate of the full ones before it. With a single active second the
    result is that second's count (a lower bound). Returns (estimate, peak second)."""
    try:
        lines = open(os.path.join(out, f"{target}.E-read.log")).read().splitlines()
    except OSError:
        return None, None
    rates = []
    for line in lines:
        m = re.search(r"recv\s+(\d+) rec/s", line)
        if m:
            rates.append(int(m.group(1)))
    active = [r for r in rates if r > 0]
    if not active:
        return None, None
    if len(active) == 1:
        return active[0], active[0]
    full = active[:-1]
    full_rate = sum(full) / len(full)
    seconds = len(full) + min(1.0, active[-1] / full_rate)
    return sum(active) / seconds, max(active)

rows = {}   # (scenario, target) -> dict
for t in targets:
    for s in ["A", "B", "C", "D-poll", "D-subscribe", "E-write", "E-read"]:
        d = load(f"{t}.{s}.json")
        if d is None:
            continue
        r = {"ok": d.get("ok", False), "failure": d.get("failure", "")}
        p, c = d.get("producer"), d.get("consumer")
        if s in ("A", "B", "C", "E-write") and p:
            r.update(rec=p["records_per_s"], mb=p["mb_per_s"], p50=p["request_latency_us"]["p50"] / 1e3,
                     p99=p["request_latency_us"]["p99"] / 1e3, n=p["records"], failed=p["records_failed"])
        elif s.startswith("D") and c:
            r.update(rec=c["records_per_s"], mb=c["mb_per_s"], p50=c["end_to_end_latency_us"]["p50"] / 1e3,
                     p99=c["end_to_end_latency_us"]["p99"] / 1e3, n=c["records"],
                     failed=(p or {}).get("records_failed", 0))
        elif s == "E-read" and c:
            mean, peak = catchup_rate(t)
            # Newer summaries carry the rate over the seconds records arrived
            # in; the progress-line estimate is the fallback for older ones.
            mean = c.get("records_per_s_active", mean)
            r.update(rec=mean, peak=peak, mb=None, p50=None, p99=None, n=c["records"], failed=0)
        errs = d.get("errors") or []
        notes = [f"{e['operation']} {e['type']} x{e['count']}" for e in errs]
        notes += [f"{k} x{v}" for k, v in ((c or {}).get("warnings") or {}).items()]
        if notes:
            r["errors"] = "; ".join(notes)
        rows[(s, t)] = r

def f(x, nd=1):
    if x is None:
        return "-"
    if abs(x) >= 1000:
        return f"{x:,.0f}"
    return f"{x:.{nd}f}"

def ratio(a, b, lower_better=False):
    if a is None or b is None or a == 0 or b == 0:
        return "-"
    return f"{(b / a if lower_better else a / b):.1f}x"

what = {"A": "PutRecords 500 x 100 B, 16 shards (put latency)",
        "B": "PutRecords 16 x 64 KiB, 4 shards (put latency)",
        "C": "PutRecord x 16 in flight, 4 shards (put latency)",
        "D-poll": "fixed rate, GetRecords every 20 ms (end-to-end latency)",
        "D-subscribe": "fixed rate, SubscribeToShard (end-to-end latency)",
        "E-write": "catch-up: writing the backlog (put latency)",
        "E-read": "catch-up: GetRecords from TRIM_HORIZON (rec/s from first to last record received; peak second)"}
if not many_only:
    print("| Scenario | Target | records/s | MB/s | p50 ms | p99 ms | records | runnel/peer rec/s | runnel/peer p99 (peer ÷ runnel) |")
    print("|---|---|---:|---:|---:|---:|---:|---:|---:|")
    for s in ["A", "B", "C", "D-poll", "D-subscribe", "E-write", "E-read"]:
        base = rows.get((s, "runnel"))
        for t in targets:
            r = rows.get((s, t))
            if r is None:
                continue
            label = f"{s}: {what[s]}" if t == targets[0] else ""
            if "rec" not in r or (not r.get("ok") and not r.get("n")):
                why = (r.get("failure") or "failed").replace("|", "/")
                print(f"| {label} | {t} | failed: {why} | | | | | | |")
                continue
            rec = r.get("rec")
            recs = f(rec, 0) + (f" (peak {f(r['peak'], 0)})" if r.get("peak") else "")
            rr = pr = ""
            if t != "runnel" and base and base.get("rec"):
                rr = ratio(base.get("rec"), rec)
                pr = ratio(base.get("p99"), r.get("p99"), lower_better=True)
            note = "" if r.get("ok") else " (not ok: " + r.get("failure", "") + ")"
            print(f"| {label} | {t}{note} | {recs} | {f(r.get('mb'), 2)} | {f(r.get('p50'), 2)} | "
                  f"{f(r.get('p99'), 2)} | {r.get('n', 0):,} | {rr} | {pr} |")
    print()
    print("| Target | idle RSS MiB | start to serving s |")
    print("|---|---:|---:|")
    for t in targets:
        d = load(f"{t}.server.json")
        if d:
            print(f"| {t} | {d['idle_rss_kib'] / 1024:.1f} | {d['start_to_serving_s']:.2f} |")
    errs = [(s, t, r["errors"]) for (s, t), r in rows.items() if r.get("errors")]
    if errs:
        print()
        print("Errors reported by runnel bench:")
        for s, t, e in errs:
            print(f"- {t} {s}: {e}")
m = load("many-shards.json")
if m:
    print()
    print(f"Many shards (runnel): {m['streams'] * m['shards_per_stream']:,} shards = {m['streams']} streams x {m['shards_per_stream']} shards, "
          f"{m['records_put']:,} records put; restart to /health "
          f"{m['restart_to_health_s'] if m['restart_to_health_s'] is None else round(m['restart_to_health_s'], 2)} s, "
          f"to ListStreams {m['restart_to_liststreams_s'] if m['restart_to_liststreams_s'] is None else round(m['restart_to_liststreams_s'], 2)} s; "
          f"RSS {m['rss_kib_before_restart'] / 1024:.0f} MiB before restart, {m['rss_kib_after_restart'] / 1024:.0f} MiB "
          f"2 s after it, {m.get('rss_kib_after_reading_all_shards', 0) / 1024:.0f} MiB after reading every shard "
          f"({m.get('records_read_after_restart', 0):,} records read back in {m.get('read_all_shards_s', 0):.1f} s; "
          f"creating the streams took {m['create_s']:.1f} s)")
EOF
log "summaries, logs and table.md in $OUT"
