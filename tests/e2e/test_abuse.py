"""A short, bounded abuse pass (issue 14, "hostile input"): one server with
small limits, attacked the ways a loopback attack run found worked before,
at small scale. Each test states the bound it checks; the server's CPU and
resident memory are read from /proc while the attackers hold on.

Bounds (generous for a loaded 2-core CI machine, far below what the attacks
cost before): RSS growth during any attack stays under its budget + 64 MiB;
the server uses under 25% of a core while attackers only hold connections;
/health and a normal put answer within 2 s throughout."""
from __future__ import annotations

import json
import os
import resource
import socket
import subprocess
import tempfile
import threading
import time

import pytest

import abuse_support as ab
import e2e_support as sup

BODY_BUDGET_MIB = 48
H2_QUEUE_MIB = 8
RSS_SLACK_MIB = 64
IDLE_CPU_SHARE = 0.25


@pytest.fixture(scope="module")
def server():
    s = sup.RunnelServer(extra_args=[
        "--header-timeout-ms", "1500", "--body-memory-mib", str(BODY_BUDGET_MIB),
        "--h2-max-queued-mib", str(H2_QUEUE_MIB), "--h2-stall-timeout-ms", "3000",
        "--subscription-buffer-kib", "256", "--fanout-buffer-mib", "16",
        "--throughput-limits", "off", "--control-plane-limits", "off", "--shard-limit", "5000"]).start()
    yield s
    assert s.terminate() == 0, s.log_tail()


@pytest.fixture(scope="module")
def watch(server):
    return ab.ProcWatch(server.proc.pid)


@pytest.fixture(scope="module")
def client(server):
    return sup.make_client(server.url)


def health_ms(url: str) -> float:
    t0 = time.monotonic()
    sup.wait_health(url, 5)
    return (time.monotonic() - t0) * 1000


def put_ms(client, stream: str) -> float:
    t0 = time.monotonic()
    client.put_record(StreamName=stream, Data=b"ok", PartitionKey="k")
    return (time.monotonic() - t0) * 1000


def new_stream(client, prefix: str, shards: int = 1) -> str:
    name = sup.unique_name(prefix)
    client.create_stream(StreamName=name, ShardCount=shards)
    sup.wait_active(client, name, timeout=60)
    return name


@pytest.fixture(scope="module")
def stream(client):
    return new_stream(client, "abuse")


# --- item 7: slow heads, idle connections ------------------------------------------------


def test_slow_heads_are_cut_at_the_header_deadline(server, watch, client, stream):
    socks = [ab.slowloris(server.url) for _ in range(30)]
    try:
        t0 = time.monotonic()
        open_socks = list(socks)
        n = 0
        while open_socks and time.monotonic() - t0 < 6:
            n += 1
            open_socks = [s for s in open_socks if ab.drip(s, n)]
            assert health_ms(server.url) < 2000
            time.sleep(0.4)
        # Every head was cut within the 1.5 s deadline plus slack, though each kept sending.
        still_open = [s for s in socks if ab.closed_by_server(s, 2) is None]
        assert not still_open, f"{len(still_open)} slow heads still open after {time.monotonic() - t0:.1f}s"
        assert put_ms(client, stream) < 2000
    finally:
        for s in socks:
            s.close()


# --- item 8: HTTP/1.1 framing details ------------------------------------------------------


def exchange(url: str, raw: bytes, wait: float = 3) -> tuple[bytes, bool]:
    """Sends raw bytes; returns what came back within `wait` and whether the server closed."""
    s = ab.connect(url)
    try:
        s.sendall(raw)
        got = ab.closed_by_server(s, wait)
        return (got, True) if got is not None else (b"", False)
    finally:
        s.close()


def test_bare_lf_is_refused_at_once(server):
    t0 = time.monotonic()
    got, closed = exchange(server.url, b"GET /health HTTP/1.1\nHost: x\n\n")
    assert got.startswith(b"HTTP/1.1 400"), got[:100]
    assert closed and time.monotonic() - t0 < 1.5


@pytest.mark.parametrize("head", [b"GET /health HTTP/1.1\r\n\r\n",
                                  b"GET /health HTTP/1.1\r\nHost: a\r\nHost: b\r\n\r\n"],
                         ids=["no-host", "two-hosts"])
def test_host_header_must_be_there_once(server, head):
    got, _ = exchange(server.url, head)
    assert got.startswith(b"HTTP/1.1 400"), got[:100]


def test_http10_with_transfer_encoding_closes_after_the_answer(server):
    got, closed = exchange(server.url, b"POST /health HTTP/1.0\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n"
                                       b"0\r\n\r\nGET /health HTTP/1.1\r\nHost: x\r\n\r\n")
    assert closed, "the connection must close after an HTTP/1.0 request with Transfer-Encoding"
    assert got.count(b"HTTP/1.") <= 1, got


# --- item 3: request bodies buffered without a cap ---------------------------------------


def test_body_flood_stays_within_the_body_budget(server, watch, client, stream):
    base = watch.rss_mib()
    socks, answers = [], []
    chunk = b"x" * (1 << 20)
    try:
        for _ in range(20):
            s = ab.connect(server.url)
            s.sendall((f"POST / HTTP/1.1\r\nHost: x\r\nContent-Type: {sup.JSON_CT}\r\n"
                       f"X-Amz-Target: {sup.TARGET_PREFIX}PutRecords\r\nContent-Length: {20 << 20}\r\n\r\n").encode())
            socks.append(s)
        for _ in range(6):           # 6 MiB each, 120 MiB in all: over the 48 MiB budget
            for s in socks:
                try:
                    s.sendall(chunk)
                except OSError:
                    pass
        peak = watch.rss_mib()
        print(f"\nabuse: body flood: RSS {base:.0f} -> {peak:.0f} MiB")
        assert peak - base < BODY_BUDGET_MIB + RSS_SLACK_MIB, (base, peak)
        for s in socks:
            s.settimeout(0.2)
            try:
                answers.append(s.recv(200))
            except OSError:
                answers.append(b"")
        refused = [a for a in answers if a.startswith(b"HTTP/1.1 503")]
        assert refused, "bodies beyond the budget must be refused with 503"
        assert b"ServiceUnavailableException" in refused[0], refused[0]
        assert put_ms(client, stream) < 2000
    finally:
        for s in socks:
            s.close()


# --- item 4: HTTP/2 answers held for a client that never opens its window ----------------


def test_h2_zero_window_queues_are_bounded_and_stalled_connections_closed(server, watch, client):
    name = new_stream(client, "abuse-h2")
    for _ in range(4):
        client.put_record(StreamName=name, Data=os.urandom(1000 * 1024), PartitionKey="k")
    shard = client.list_shards(StreamName=name)["Shards"][0]["ShardId"]
    base = watch.rss_mib()
    h2c = ab.H2ZeroWindow(server.url)
    try:
        for _ in range(12):    # ~5.3 MiB of base64 each: 64 MiB asked for, over an 8 MiB queue
            it = client.get_shard_iterator(StreamName=name, ShardId=shard,
                                           ShardIteratorType="TRIM_HORIZON")["ShardIterator"]
            h2c.post("GetRecords", json.dumps({"ShardIterator": it}).encode())
        t0 = time.monotonic()
        closed = False
        peak = base
        while time.monotonic() - t0 < 10:
            try:
                h2c.pump(0.5)
            except (ConnectionError, OSError):
                closed = True
                break
            peak = max(peak, watch.rss_mib())
        print(f"\nabuse: h2 zero window: RSS {base:.0f} -> {peak:.0f} MiB, closed after "
              f"{time.monotonic() - t0:.1f}s: {closed}")
        assert peak - base < H2_QUEUE_MIB + RSS_SLACK_MIB, (base, peak)
        assert closed, "a connection that made no progress for the stall timeout must be closed"
    finally:
        h2c.close()


# --- item 5: stalled SubscribeToShard readers ---------------------------------------------


def test_stalled_subscribers_cost_no_cpu_and_bounded_memory(server, watch, client):
    name = new_stream(client, "abuse-sub")
    arn = client.describe_stream_summary(StreamName=name)["StreamDescriptionSummary"]["StreamARN"]
    consumers = []
    for i in range(4):
        c = client.register_stream_consumer(StreamARN=arn, ConsumerName=f"stalled{i}")["Consumer"]
        consumers.append(c["ConsumerARN"])
    for arn_c in consumers:
        deadline = time.monotonic() + 10
        while client.describe_stream_consumer(ConsumerARN=arn_c)["ConsumerDescription"]["ConsumerStatus"] != "ACTIVE":
            assert time.monotonic() < deadline
            time.sleep(0.1)
    for _ in range(8):
        client.put_record(StreamName=name, Data=os.urandom(500 * 1024), PartitionKey="k")
    shard = client.list_shards(StreamName=name)["Shards"][0]["ShardId"]
    base = watch.rss_mib()
    socks = [ab.stalled_subscription(server.url, arn_c, shard) for arn_c in consumers]
    try:
        time.sleep(1)
        share = watch.cpu_share(2.0)
        print(f"\nabuse: stalled subscribers: CPU {share:.1%} of a core, RSS {base:.0f} -> {watch.rss_mib():.0f} MiB")
        assert share < IDLE_CPU_SHARE, f"server used {share:.0%} of a core with only stalled readers"
        assert watch.rss_mib() - base < 16 + RSS_SLACK_MIB
        assert put_ms(client, name) < 2000
    finally:
        for s in socks:
            s.close()


# --- item 2: deleting a stream of many shards blocks no one else --------------------------


def test_deleting_many_shards_does_not_stall_other_streams(server, client, stream):
    big = new_stream(client, "abuse-big", shards=2000)
    worst = [0.0]
    stop = threading.Event()

    def producer():
        while not stop.is_set():
            worst[0] = max(worst[0], put_ms(client, stream))
            time.sleep(0.01)

    t = threading.Thread(target=producer)
    t.start()
    try:
        time.sleep(0.2)
        t0 = time.monotonic()
        client.delete_stream(StreamName=big)
        delete_ms = (time.monotonic() - t0) * 1000
        sup.wait_gone(client, big, timeout=30)
        time.sleep(0.2)
    finally:
        stop.set()
        t.join()
    print(f"\nabuse: DeleteStream of 2,000 shards: {delete_ms:.0f} ms, slowest put beside it {worst[0]:.0f} ms")
    assert delete_ms < 1000, delete_ms
    assert worst[0] < 1000, worst[0]


# --- item 7: file descriptors --------------------------------------------------------------


def test_many_idle_connections_under_a_low_fd_limit_keep_health_answering():
    data = tempfile.mkdtemp(prefix="runnel-e2e-fd-")
    port = sup.free_port()
    log_path = data + ".log"

    def low_fd_limit():
        resource.setrlimit(resource.RLIMIT_NOFILE, (256, 256))

    with open(log_path, "wb") as log:
        proc = subprocess.Popen([sup.runnel_bin(), "serve", "--port", str(port), "--data-dir", data,
                                 "--log-level", "warn"], stdout=log, stderr=subprocess.STDOUT,
                                preexec_fn=low_fd_limit)
    url = f"http://127.0.0.1:{port}"
    socks = []
    try:
        sup.wait_health(url, 20, proc)
        for _ in range(400):
            try:
                socks.append(socket.create_connection(("127.0.0.1", port), timeout=2))
            except OSError:
                break
        time.sleep(0.5)
        assert health_ms(url) < 2000
        share = ab.ProcWatch(proc.pid).cpu_share(1.0)
        print(f"\nabuse: {len(socks)} idle connections under ulimit -n 256: CPU {share:.1%}")
        assert share < IDLE_CPU_SHARE, f"{share:.0%} of a core with idle connections"
    finally:
        for s in socks:
            s.close()
        proc.terminate()
        assert proc.wait(timeout=20) == 0
    with open(log_path, "rb") as f:
        accept_errors = f.read().count(b"accept")
    assert accept_errors <= 3, f"{accept_errors} accept warnings: the listener must back off, not spin"
