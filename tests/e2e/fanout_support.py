"""Helpers for the enhanced fan-out suite (test_fanout.py).

A Subscription runs one boto3 SubscribeToShard call and reads its event stream
on a daemon thread, so a test can put records, wait for them with a deadline,
and see how the stream ended (cleanly, with an exception event, or not yet)
without ever blocking on a socket itself.

boto3 reads the event stream from a streamed HTTP/1.1 response; botocore has
already consumed the `initial-response` frame by the time subscribe_to_shard()
returns, and raises EventStreamError (a ClientError) while iterating when the
server sends an exception event.
"""
from __future__ import annotations

import contextlib
import datetime as dt
import os
import queue
import re
import socket
import subprocess
import threading
import time

import boto3
from botocore.config import Config
from botocore.exceptions import ClientError

import e2e_support as sup

CONSUMER_ARN_RE = re.compile(
    r"^arn:aws:kinesis:(?P<region>[a-z0-9-]+):(?P<account>\d{12}):stream/(?P<stream>[a-zA-Z0-9_.-]+)"
    r"/consumer/(?P<name>[a-zA-Z0-9_.-]+):(?P<epoch>\d+)$")


def make_client(url: str | None = None, validate: bool = True, pool: int = 64):
    """A boto3 Kinesis client for fan-out tests: one attempt per call, a read
    timeout well above the 5 s keep-alive interval, and a connection pool large
    enough for every subscription a test holds open at once (each one keeps its
    HTTP/1.1 connection for its whole life)."""
    config = Config(
        region_name=sup.REGION,
        retries={"total_max_attempts": 1, "mode": "standard"},
        connect_timeout=5,
        read_timeout=30,
        parameter_validation=validate,
        max_pool_connections=pool,
    )
    return boto3.client("kinesis", endpoint_url=url or sup.endpoint(),
                        aws_access_key_id="AKIDEXAMPLE", aws_secret_access_key="dummy-secret",
                        config=config)


# --- private servers ---------------------------------------------------------------


def _server_env_names() -> list[str]:
    """The environment variables `runnel serve` reads (its --help lists them as Env:NAME)."""
    out = subprocess.run([sup.runnel_bin(), "serve", "--help"], capture_output=True, text=True,
                         timeout=30, stdin=subprocess.DEVNULL)
    return sorted(set(re.findall(r"Env:(RUNNEL_[A-Z0-9_]+)", out.stdout + out.stderr)))


@contextlib.contextmanager
def _without(names: list[str]):
    saved = {n: os.environ.pop(n) for n in names if n in os.environ}
    try:
        yield
    finally:
        os.environ.update(saved)


def start_private_server(extra_args: list[str] | None = None) -> sup.RunnelServer:
    """A RunnelServer with its own data dir, configured by extra_args ONLY: any
    RUNNEL_* setting in this process's environment (run.sh exports
    RUNNEL_E2E_TLS_CERT for its shared server, for one) is withheld from it."""
    import tempfile
    server = sup.RunnelServer(data_dir=tempfile.mkdtemp(prefix="runnel-fo-"), extra_args=extra_args)
    with _without(_server_env_names()):
        server.start()
    return server


def restart(server: sup.RunnelServer) -> None:
    with _without(_server_env_names()):
        server.start()


# --- consumers -------------------------------------------------------------------


def describe_consumer(client, arn: str) -> dict:
    return client.describe_stream_consumer(ConsumerARN=arn)["ConsumerDescription"]


def wait_consumer_active(client, arn: str, timeout: float = 10.0) -> dict:
    """Polls DescribeStreamConsumer until ACTIVE; returns the description."""
    deadline = time.monotonic() + timeout
    while True:
        desc = describe_consumer(client, arn)
        if desc["ConsumerStatus"] == "ACTIVE":
            return desc
        if time.monotonic() > deadline:
            raise AssertionError(f"consumer {arn} still {desc['ConsumerStatus']} after {timeout}s")
        time.sleep(0.05)


def wait_consumer_gone(client, arn: str, timeout: float = 10.0) -> list[str]:
    """Polls DescribeStreamConsumer until ResourceNotFoundException; returns the
    statuses seen on the way (DELETING, normally)."""
    deadline = time.monotonic() + timeout
    seen: list[str] = []
    while True:
        try:
            status = describe_consumer(client, arn)["ConsumerStatus"]
        except ClientError as e:
            if e.response["Error"]["Code"] == "ResourceNotFoundException":
                return seen
            raise
        if not seen or seen[-1] != status:
            seen.append(status)
        if time.monotonic() > deadline:
            raise AssertionError(f"consumer {arn} still there ({seen}) {timeout}s after deregistering")
        time.sleep(0.05)


def register_active(client, stream_arn: str, name: str | None = None, **kw) -> dict:
    """Registers a consumer and waits until it is ACTIVE; returns the description."""
    consumer = client.register_stream_consumer(
        StreamARN=stream_arn, ConsumerName=name or sup.unique_name("c"), **kw)["Consumer"]
    return wait_consumer_active(client, consumer["ConsumerARN"])


def stream_arn_of(client, name: str) -> str:
    return client.describe_stream_summary(StreamName=name)["StreamDescriptionSummary"]["StreamARN"]


def shard_ids(client, name: str) -> list[str]:
    return [s["ShardId"] for s in client.list_shards(StreamName=name)["Shards"]]


def hash_key_for_shard(index: int, shard_count: int) -> str:
    """An ExplicitHashKey inside shard `index` of a fresh stream of shard_count shards."""
    return str(sup.even_hash_ranges(shard_count)[index][0])


def put_to_shard(client, stream: str, index: int, shard_count: int, data: bytes,
                 partition_key: str = "pk") -> dict:
    """PutRecord routed to one shard with ExplicitHashKey; returns {ShardId, SequenceNumber, Data}."""
    out = client.put_record(StreamName=stream, Data=data, PartitionKey=partition_key,
                            ExplicitHashKey=hash_key_for_shard(index, shard_count))
    return {"ShardId": out["ShardId"], "SequenceNumber": out["SequenceNumber"], "Data": data,
            "PartitionKey": partition_key}


# --- subscriptions ---------------------------------------------------------------


class Subscription:
    """One SubscribeToShard call, read on a background thread.

    start() makes the call on the caller's thread, so an HTTP-level error (for
    example ResourceInUseException within 5 s of another subscription) raises
    ClientError right there. After that every SubscribeToShardEvent is queued
    with its arrival time; the stream's end is recorded in `end`:
      None                 still open
      "eof"                the server ended the stream cleanly
      EventStreamError     an exception event (code in .response["Error"]["Code"])
      other Exception      transport failure, or "closed" after close()
    """

    def __init__(self, client, consumer_arn: str, shard_id: str, position: dict):
        self.client = client
        self.consumer_arn = consumer_arn
        self.shard_id = shard_id
        self.position = position
        self.events: queue.Queue = queue.Queue()
        self.all_events: list[tuple[float, dict]] = []   # (monotonic arrival, event)
        self.records: list[dict] = []                     # every record, in arrival order
        self.record_times: list[float] = []
        self.end = None
        self.ended = threading.Event()
        self.started_at = 0.0
        self._stream = None
        self._closing = False
        self._lock = threading.Lock()
        self._thread: threading.Thread | None = None

    def start(self) -> "Subscription":
        self.started_at = time.monotonic()
        out = self.client.subscribe_to_shard(ConsumerARN=self.consumer_arn, ShardId=self.shard_id,
                                             StartingPosition=self.position)
        self._stream = out["EventStream"]
        self._thread = threading.Thread(target=self._run, daemon=True,
                                        name=f"sub-{self.shard_id}")
        self._thread.start()
        return self

    def _run(self) -> None:
        try:
            for event in self._stream:
                now = time.monotonic()
                body = event.get("SubscribeToShardEvent")
                if body is None:
                    raise AssertionError(f"unexpected event {event!r}")
                with self._lock:
                    self.all_events.append((now, body))
                    for rec in body.get("Records", []):
                        self.records.append(rec)
                        self.record_times.append(now)
                self.events.put((now, body))
            result = "eof"
        except Exception as e:  # noqa: BLE001 - recorded for the test to judge
            result = "closed" if self._closing else e
        self.end = result
        self.ended.set()

    # -- waiting --

    def wait_records(self, count: int, timeout: float = 10.0) -> list[dict]:
        """Waits until at least `count` records arrived (or the stream ended);
        returns a copy of all records so far. Fails on timeout."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            with self._lock:
                if len(self.records) >= count:
                    return list(self.records)
            if self.ended.is_set():
                break
            time.sleep(0.01)
        with self._lock:
            got = list(self.records)
        raise AssertionError(
            f"{self.shard_id}: {len(got)} of {count} records after {timeout}s (end={self.end!r})")

    def wait_record_with_data(self, data: bytes, timeout: float = 5.0) -> float:
        """Monotonic arrival time of the first record whose Data == data."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            with self._lock:
                for rec, at in zip(self.records, self.record_times):
                    if rec["Data"] == data:
                        return at
            if self.ended.is_set():
                break
            time.sleep(0.005)
        raise AssertionError(f"record {data!r} not delivered within {timeout}s (end={self.end!r})")

    def next_event(self, timeout: float) -> tuple[float, dict] | None:
        try:
            return self.events.get(timeout=timeout)
        except queue.Empty:
            return None

    def wait_end(self, timeout: float = 10.0):
        if not self.ended.wait(timeout):
            raise AssertionError(f"{self.shard_id}: stream still open {timeout}s later")
        return self.end

    def snapshot(self) -> tuple[list[dict], list[tuple[float, dict]]]:
        with self._lock:
            return list(self.records), list(self.all_events)

    def last_continuation(self) -> str | None:
        with self._lock:
            return self.all_events[-1][1].get("ContinuationSequenceNumber") if self.all_events else None

    # -- closing --

    def close(self) -> None:
        """Client-side close: shuts the socket down (which wakes the blocked
        reader) and closes the body. Safe to call more than once."""
        self._closing = True
        stream = self._stream
        if stream is None:
            return
        raw = getattr(stream, "_raw_stream", None)
        sock = None
        conn = getattr(raw, "_connection", None)
        if conn is not None:
            sock = getattr(conn, "sock", None)
        if sock is None:
            fp = getattr(getattr(raw, "_fp", None), "fp", None)
            sock = getattr(getattr(fp, "raw", None), "_sock", None)
        if sock is not None:
            try:
                sock.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass
        try:
            stream.close()
        except Exception:  # noqa: BLE001
            pass
        if self._thread is not None:
            self._thread.join(timeout=3)


def subscribe(client, consumer_arn: str, shard_id: str, kind: str = "TRIM_HORIZON",
              sequence_number: str | None = None, timestamp: dt.datetime | float | None = None
              ) -> Subscription:
    position: dict = {"Type": kind}
    if sequence_number is not None:
        position["SequenceNumber"] = sequence_number
    if timestamp is not None:
        position["Timestamp"] = timestamp
    return Subscription(client, consumer_arn, shard_id, position).start()


def check_event_shape(body: dict) -> None:
    """What every SubscribeToShardEvent of an OPEN shard must look like (the
    model's required members; the KCL rule that ChildShards is empty or absent
    before the shard's end)."""
    assert isinstance(body.get("Records"), list), body
    cont = body.get("ContinuationSequenceNumber")
    assert cont is not None and sup.SEQ_RE.match(cont), body
    assert isinstance(body.get("MillisBehindLatest"), int) and body["MillisBehindLatest"] >= 0, body
    assert not body.get("ChildShards"), body
    if body["Records"]:
        last = int(body["Records"][-1]["SequenceNumber"])
        # The continuation point never lies before what this event delivered,
        # or resuming AFTER it would deliver duplicates.
        assert int(cont) >= last, (cont, last)


def error_code(exc) -> str:
    return exc.response["Error"]["Code"] if isinstance(exc, ClientError) else repr(exc)


# --- raw wire access ---------------------------------------------------------------


class RawEventStream:
    """SubscribeToShard sent by hand over one HTTP/1.1 connection, its body
    split into event-stream messages with botocore's decoder (which checks both
    CRCs). For wire-level checks boto3 hides: status, headers, the frames'
    own headers and raw payloads."""

    def __init__(self, payload: dict, cbor: bool = False, url: str | None = None, timeout: float = 15):
        import http.client
        import json

        from botocore.eventstream import EventStreamBuffer

        if cbor:
            import cbor2
            body = cbor2.dumps(payload)
            content_type = sup.CBOR_CT
        else:
            body = json.dumps(payload).encode()
            content_type = sup.JSON_CT
        headers = sup.sign_headers(body, {"Content-Type": content_type,
                                          "X-Amz-Target": sup.TARGET_PREFIX + "SubscribeToShard"}, url=url)
        host, port = sup.host_port(url)
        self.conn = http.client.HTTPConnection(host, port, timeout=timeout)
        self.conn.request("POST", "/", body=body, headers=headers)
        self.resp = self.conn.getresponse()
        self.status = self.resp.status
        self.headers = {k.lower(): v for k, v in self.resp.getheaders()}
        self._buffer = EventStreamBuffer()
        self._pending: list = []

    def next_message(self, timeout: float = 10.0):
        """The next decoded message (botocore EventStreamMessage), or None at EOF."""
        deadline = time.monotonic() + timeout
        while not self._pending:
            if time.monotonic() > deadline:
                raise AssertionError(f"no event-stream message within {timeout}s")
            chunk = self.resp.read1(65536)
            if not chunk:
                return None
            self._buffer.add_data(chunk)
            self._pending.extend(self._buffer)
        return self._pending.pop(0)

    def body(self) -> bytes:
        return self.resp.read()

    def close(self) -> None:
        try:
            if self.conn.sock is not None:
                self.conn.sock.shutdown(socket.SHUT_RDWR)
        except OSError:
            pass
        self.conn.close()


# --- subscribers that stop reading ---------------------------------------------------


def _subscribe_request_body(consumer_arn: str, shard_id: str) -> bytes:
    import json
    return json.dumps({"ConsumerARN": consumer_arn, "ShardId": shard_id,
                       "StartingPosition": {"Type": "TRIM_HORIZON"}}).encode()


def _h2_frame(kind: int, flags: int, stream_id: int, payload: bytes) -> bytes:
    return len(payload).to_bytes(3, "big") + bytes([kind, flags]) + stream_id.to_bytes(4, "big") + payload


def _hpack_int(value: int, prefix_bits: int) -> bytes:
    limit = (1 << prefix_bits) - 1
    if value < limit:
        return bytes([value])
    out = bytearray([limit])
    value -= limit
    while value >= 128:
        out.append((value & 0x7F) | 0x80)
        value >>= 7
    out.append(value)
    return bytes(out)


def _hpack_literal(name: str, value: str) -> bytes:
    """A literal header field without indexing, new name, no Huffman (RFC 7541 6.2.2)."""
    n, v = name.lower().encode(), value.encode()
    return b"\x00" + _hpack_int(len(n), 7) + n + _hpack_int(len(v), 7) + v


class StalledSubscriber:
    """A SubscribeToShard (TRIM_HORIZON) whose client never reads its events.

    http1: one HTTP/1.1 connection with a tiny receive buffer; after sending
      the request the socket is never read, so the server's writes stall
      once the kernel's buffers are full.
    http2: h2c with prior knowledge and SETTINGS_INITIAL_WINDOW_SIZE = 0: the
      server may send the response head but not one byte of DATA, so every
      event stays in the server process.
    Nothing is read after the request (for h2, only up to the server's
    SETTINGS, which must be acknowledged)."""

    def __init__(self, url: str, consumer_arn: str, shard_id: str, http2: bool = False):
        host, port = sup.host_port(url)
        body = _subscribe_request_body(consumer_arn, shard_id)
        headers = sup.sign_headers(body, {"Content-Type": sup.JSON_CT,
                                          "X-Amz-Target": sup.TARGET_PREFIX + "SubscribeToShard"}, url=url)
        self.sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self.sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
        self.sock.settimeout(10)
        self.sock.connect((host, port))
        if http2:
            self._start_h2(host, port, headers, body)
        else:
            head = [f"POST / HTTP/1.1", f"Host: {host}:{port}", f"Content-Length: {len(body)}"]
            head += [f"{k}: {v}" for k, v in headers.items() if k.lower() not in ("host", "content-length")]
            self.sock.sendall(("\r\n".join(head) + "\r\n\r\n").encode() + body)

    def _start_h2(self, host: str, port: int, headers: dict[str, str], body: bytes) -> None:
        settings = (4).to_bytes(2, "big") + (0).to_bytes(4, "big")   # INITIAL_WINDOW_SIZE = 0
        self.sock.sendall(b"PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n" + _h2_frame(4, 0, 0, settings))
        buf = b""
        while True:   # up to the server's SETTINGS (not an ACK), which we acknowledge
            while len(buf) < 9:
                chunk = self.sock.recv(4096)
                if not chunk:
                    raise AssertionError("h2: connection closed before the server's SETTINGS")
                buf += chunk
            length, kind, flags = int.from_bytes(buf[:3], "big"), buf[3], buf[4]
            while len(buf) < 9 + length:
                buf += self.sock.recv(4096)
            buf = buf[9 + length:]
            if kind == 4 and not flags & 1:
                break
        block = b"".join(_hpack_literal(k, v) for k, v in
                         [(":method", "POST"), (":scheme", "http"), (":path", "/"),
                          (":authority", f"{host}:{port}")])
        block += b"".join(_hpack_literal(k, v) for k, v in headers.items()
                          if k.lower() not in ("host", "content-length"))
        self.sock.sendall(_h2_frame(4, 1, 0, b"") + _h2_frame(1, 4, 1, block) + _h2_frame(0, 1, 1, body))

    def close(self) -> None:
        try:
            self.sock.close()
        except OSError:
            pass


def process_cpu_seconds(pid: int) -> float:
    """utime + stime of a process, from /proc/<pid>/stat."""
    with open(f"/proc/{pid}/stat") as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def process_rss_bytes(pid: int) -> int:
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) * 1024
    raise AssertionError(f"no VmRSS for {pid}")
