"""Hostile clients for the abuse pass (test_abuse.py): each opens sockets the
way an attacker would and keeps them open, so the server's CPU and memory can
be watched while they hold on. Only standard sockets, botocore's signer and
Debian's python3-h2 (HTTP/2 framing)."""
from __future__ import annotations

import json
import os
import socket
import time

import e2e_support as sup


class ProcWatch:
    """CPU time and resident memory of a process, from /proc."""

    def __init__(self, pid: int):
        self.pid = pid
        self.ticks = os.sysconf("SC_CLK_TCK")

    def cpu_seconds(self) -> float:
        with open(f"/proc/{self.pid}/stat") as f:
            fields = f.read().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / self.ticks   # utime + stime

    def rss_mib(self) -> float:
        with open(f"/proc/{self.pid}/status") as f:
            for line in f:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1]) / 1024
        return 0.0

    def cpu_share(self, seconds: float) -> float:
        """The share of one core the process used over the next `seconds`."""
        c0, t0 = self.cpu_seconds(), time.monotonic()
        time.sleep(seconds)
        return (self.cpu_seconds() - c0) / (time.monotonic() - t0)


def connect(url: str, rcvbuf: int | None = None) -> socket.socket:
    host, port = sup.host_port(url)
    s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    if rcvbuf:
        s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, rcvbuf)
    s.settimeout(10)
    s.connect((host, port))
    return s


def signed_request_bytes(url: str, target: str, body: bytes, cbor: bool = False) -> bytes:
    """One signed HTTP/1.1 POST of `target`, ready to send."""
    host, port = sup.host_port(url)
    headers = sup.sign_headers(body, {"Content-Type": sup.CBOR_CT if cbor else sup.JSON_CT,
                                      "X-Amz-Target": sup.TARGET_PREFIX + target}, url=url)
    head = f"POST / HTTP/1.1\r\nHost: {host}:{port}\r\nContent-Length: {len(body)}\r\n"
    head += "".join(f"{k}: {v}\r\n" for k, v in headers.items())
    return head.encode() + b"\r\n" + body


def stalled_subscription(url: str, consumer_arn: str, shard_id: str) -> socket.socket:
    """Opens SubscribeToShard from TRIM_HORIZON over HTTP/1.1 with a tiny receive
    buffer, reads the response head, and never reads again."""
    s = connect(url, rcvbuf=4096)
    body = json.dumps({"ConsumerARN": consumer_arn, "ShardId": shard_id,
                       "StartingPosition": {"Type": "TRIM_HORIZON"}}).encode()
    s.sendall(signed_request_bytes(url, "SubscribeToShard", body))
    head = b""
    while b"\r\n\r\n" not in head:
        chunk = s.recv(1)
        if not chunk:
            raise AssertionError("SubscribeToShard closed before its head")
        head += chunk
    assert head.startswith(b"HTTP/1.1 200"), head
    return s


def slowloris(url: str) -> socket.socket:
    """A request head that never ends: one header line now, more only when drip() is called."""
    s = connect(url)
    s.sendall(b"POST / HTTP/1.1\r\nHost: x\r\nContent-Type: application/x-amz-json-1.1\r\n")
    return s


def drip(s: socket.socket, n: int) -> bool:
    """Sends one more header line; False once the server has closed the connection."""
    try:
        s.sendall(f"X-Slow-{n}: {n}\r\n".encode())
        return True
    except OSError:
        return False


def closed_by_server(s: socket.socket, timeout: float) -> bytes | None:
    """Waits up to `timeout` for the server to answer and close; returns what it
    sent (possibly b"") if it closed, None if the connection is still open."""
    s.settimeout(timeout)
    data = b""
    deadline = time.monotonic() + timeout
    try:
        while time.monotonic() < deadline:
            chunk = s.recv(65536)
            if not chunk:
                return data
            data += chunk
    except socket.timeout:
        return None
    except OSError:
        return data
    return None


class H2ZeroWindow:
    """An HTTP/2 client that announces SETTINGS_INITIAL_WINDOW_SIZE=0 and never
    opens any window: the server may queue its answers but cannot send them."""

    def __init__(self, url: str):
        import sys
        if sup.DEBIAN_DIST not in sys.path:
            sys.path.append(sup.DEBIAN_DIST)
        import h2.config
        import h2.connection
        import h2.settings
        self.sock = connect(url)
        self.conn = h2.connection.H2Connection(h2.config.H2Configuration(client_side=True))
        self.conn.local_settings = h2.settings.Settings(client=True, initial_values={
            h2.settings.SettingCodes.INITIAL_WINDOW_SIZE: 0})
        self.conn.initiate_connection()
        self.conn.update_settings({h2.settings.SettingCodes.INITIAL_WINDOW_SIZE: 0})
        self.sock.sendall(self.conn.data_to_send())
        self.url = url

    def post(self, target: str, body: bytes) -> int:
        host, port = sup.host_port(self.url)
        signed = sup.sign_headers(body, {"Content-Type": sup.JSON_CT,
                                         "X-Amz-Target": sup.TARGET_PREFIX + target}, url=self.url)
        headers = [(":method", "POST"), (":scheme", "http"), (":authority", f"{host}:{port}"), (":path", "/")]
        headers += [(k.lower(), v) for k, v in signed.items()]
        headers.append(("content-length", str(len(body))))
        sid = self.conn.get_next_available_stream_id()
        self.conn.send_headers(sid, headers)
        self.conn.send_data(sid, body, end_stream=True)
        self.sock.sendall(self.conn.data_to_send())
        return sid

    def pump(self, seconds: float) -> list:
        """Reads frames for `seconds` (acknowledging settings and pings, never
        opening a window); returns h2 events, or raises once the server closed."""
        events = []
        deadline = time.monotonic() + seconds
        self.sock.settimeout(0.2)
        while time.monotonic() < deadline:
            try:
                data = self.sock.recv(65536)
            except socket.timeout:
                continue
            if not data:
                raise ConnectionError("server closed the connection")
            events += self.conn.receive_data(data)
            out = self.conn.data_to_send()
            if out:
                self.sock.sendall(out)
        return events

    def close(self) -> None:
        try:
            self.sock.close()
        except OSError:
            pass
