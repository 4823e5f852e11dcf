"""Shared helpers for runnel's end-to-end suites.

Everything here talks to a real `runnel serve` process over the loopback
interface: boto3 clients, hand-signed raw HTTP requests (for wire-level
checks the SDKs hide), and a small process wrapper used by the suites that
start servers of their own (crash test, signature checks).

Environment (set by tests/e2e/run.sh):
  RUNNEL_ENDPOINT  http://127.0.0.1:PORT of the shared server
  RUNNEL_BIN       path of the runnel binary (for suites that start their own)
"""
from __future__ import annotations

import base64
import hashlib
import http.client
import json
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.parse
import uuid

import boto3
from botocore.auth import SigV4Auth
from botocore.awsrequest import AWSRequest
from botocore.config import Config
from botocore.credentials import Credentials
from botocore.exceptions import ClientError

ACCOUNT = "000000000000"
REGION = "us-east-1"
TARGET_PREFIX = "Kinesis_20131202."
JSON_CT = "application/x-amz-json-1.1"
CBOR_CT = "application/x-amz-cbor-1.1"
HASH_SPACE = 2 ** 128

# Debian's python3-pytest and python3-cbor2 live here; appended (never
# prepended) so the interpreter's own boto3/urllib3 keep precedence.
DEBIAN_DIST = "/usr/lib/python3/dist-packages"
if os.path.isdir(DEBIAN_DIST) and DEBIAN_DIST not in sys.path:
    sys.path.append(DEBIAN_DIST)


def endpoint() -> str:
    return os.environ.get("RUNNEL_ENDPOINT", "http://127.0.0.1:4567")


def find_aws_cli() -> str | None:
    """The AWS CLI (v1 or v2) on PATH, or Debian's /usr/bin/aws; None if neither runs."""
    for path in (shutil.which("aws"), "/usr/bin/aws"):
        if path and os.access(path, os.X_OK):
            return path
    return None


def aws_service_cli(cli: str | None, service: str):
    """`aws <service> ...` against the server under test, as JSON: returns
    (aws, out), where aws(*args, check=True) runs the command and out(*args)
    parses its stdout ({} when empty)."""
    def aws(*args: str, check: bool = True) -> subprocess.CompletedProcess:
        proc = subprocess.run([cli, "--endpoint-url", endpoint(), "--output", "json", service, *args],
                              capture_output=True, text=True, timeout=60)
        if check and proc.returncode != 0:
            raise AssertionError(f"aws {service} {' '.join(args)} failed: {proc.stderr}")
        return proc

    def out(*args: str) -> dict:
        text = aws(*args).stdout
        return json.loads(text) if text.strip() else {}

    return aws, out


def firehose_blob_args(cli: str, option: str, payloads: list[str]) -> list[str]:
    """The CLI arguments that send `payloads` as Firehose records: `--record`
    (one payload) or `--records`. The AWS CLI v1 sends a blob's text as it is;
    v2 wants base64 and --cli-binary-format to say so."""
    version = subprocess.run([cli, "--version"], capture_output=True, text=True, timeout=30)
    v1 = "aws-cli/1." in version.stdout + version.stderr
    records = [{"Data": p if v1 else base64.b64encode(p.encode()).decode()} for p in payloads]
    value = json.dumps(records[0] if option == "--record" else records)
    return [option, value] if v1 else ["--cli-binary-format", "base64", option, value]


def runnel_bin() -> str:
    return os.environ.get("RUNNEL_BIN", "build/release/runnel")


def host_port(url: str | None = None) -> tuple[str, int]:
    parsed = urllib.parse.urlparse(url or endpoint())
    return parsed.hostname, parsed.port


SEQ_RE = re.compile(r"^\d{56}$")
SHARD_ID_RE = re.compile(r"^shardId-\d{12}$")


def error_of(excinfo) -> tuple[str, str]:
    err = excinfo.value.response["Error"]
    return err["Code"], err.get("Message", "")


def not_found_message(name: str) -> str:
    return f"Stream {name} under account {ACCOUNT} not found."


def wait_gone(client, name: str, timeout: float = 15.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            client.describe_stream_summary(StreamName=name)
        except ClientError as e:
            if e.response["Error"]["Code"] == "ResourceNotFoundException":
                return
            raise
        time.sleep(0.05)
    raise AssertionError(f"stream {name} still exists {timeout}s after DeleteStream")



def wait_for(what: str, predicate, timeout: float = 30.0, pause: float = 0.1):
    """predicate()'s first truthy value within timeout seconds; AssertionError
    naming `what` (and the last value) otherwise."""
    deadline = time.monotonic() + timeout
    value = None
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(pause)
    raise AssertionError(f"timed out waiting for {what}; last: {value!r}")


def unique_name(prefix: str = "e2e") -> str:
    return f"{prefix}-{uuid.uuid4().hex[:12]}"


def stream_arn(name: str) -> str:
    return f"arn:aws:kinesis:{REGION}:{ACCOUNT}:stream/{name}"


def make_client(url: str | None = None, validate: bool = True, retries: int = 1,
                key: str = "AKIDEXAMPLE", secret: str = "dummy-secret", read_timeout: int = 30):
    """A boto3 Kinesis client bound to the server under test.

    retries=1 means a single attempt: the tests want to see each error the
    server gives, not botocore's retry of it. (botocore's `max_attempts` key
    counts retries, not attempts; `total_max_attempts` is the total.)
    """
    config = Config(
        region_name=REGION,
        retries={"total_max_attempts": retries, "mode": "standard"},
        connect_timeout=5,
        read_timeout=read_timeout,
        parameter_validation=validate,
    )
    return boto3.client(
        "kinesis",
        endpoint_url=url or endpoint(),
        aws_access_key_id=key,
        aws_secret_access_key=secret,
        config=config,
    )


def wait_active(client, name: str, timeout: float = 15.0) -> dict:
    """Polls DescribeStreamSummary until the stream is ACTIVE; returns the summary."""
    deadline = time.monotonic() + timeout
    while True:
        summary = client.describe_stream_summary(StreamName=name)["StreamDescriptionSummary"]
        if summary["StreamStatus"] == "ACTIVE":
            return summary
        if time.monotonic() > deadline:
            raise AssertionError(f"stream {name} still {summary['StreamStatus']} after {timeout}s")
        time.sleep(0.05)


def even_hash_ranges(shard_count: int) -> list[tuple[int, int]]:
    """The hash ranges AWS gives a new stream of shard_count shards."""
    step = HASH_SPACE // shard_count
    ranges = [(i * step, (i + 1) * step - 1) for i in range(shard_count)]
    ranges[-1] = (ranges[-1][0], HASH_SPACE - 1)
    return ranges


def partition_hash(partition_key: str) -> int:
    """MD5 of the UTF-8 partition key as an unsigned big-endian 128-bit integer."""
    return int.from_bytes(hashlib.md5(partition_key.encode("utf-8")).digest(), "big")


def shard_for_hash(shards: list[dict], hash_value: int) -> str:
    """The id of the open shard whose HashKeyRange contains hash_value."""
    for shard in shards:
        if "EndingSequenceNumber" in shard.get("SequenceNumberRange", {}):
            continue
        rng = shard["HashKeyRange"]
        if int(rng["StartingHashKey"]) <= hash_value <= int(rng["EndingHashKey"]):
            return shard["ShardId"]
    raise AssertionError(f"no open shard covers hash {hash_value}")


THROTTLED = "ProvisionedThroughputExceededException"


def get_records_paced(client, pause: float = 0.2, **kwargs) -> dict:
    """GetRecords that waits and tries again while the shard's read limit
    (5 calls/s, 2 MiB/s) throttles it, as a polling consumer (the KCL) does."""
    deadline = time.monotonic() + 60
    while True:
        try:
            return client.get_records(**kwargs)
        except ClientError as e:
            if e.response["Error"]["Code"] != THROTTLED or time.monotonic() > deadline:
                raise
            time.sleep(pause)


def put_records_resending(client, stream: str, records: list[dict], pause: float = 0.1,
                          timeout: float = 60.0) -> tuple[list[dict], int]:
    """PutRecords that sends the throttled entries again until every entry is
    stored (botocore does not retry failed entries of a successful call).
    Returns each entry's final result in request order, and how many resend
    rounds it took. Other entry errors fail the call."""
    results: list[dict | None] = [None] * len(records)
    pending = list(range(len(records)))
    rounds = 0
    deadline = time.monotonic() + timeout
    while pending:
        out = client.put_records(StreamName=stream, Records=[records[i] for i in pending])
        assert len(out["Records"]) == len(pending), out
        failed = []
        for i, res in zip(pending, out["Records"]):
            if "SequenceNumber" in res:
                results[i] = res
            else:
                assert res.get("ErrorCode") == THROTTLED, res
                failed.append(i)
        assert out["FailedRecordCount"] == len(failed), out
        pending = failed
        if pending:
            rounds += 1
            assert time.monotonic() < deadline, f"{len(pending)} entries still throttled after {timeout}s"
            time.sleep(pause)
    return results, rounds


def read_shard(client, stream: str, shard_id: str, iterator_type: str = "TRIM_HORIZON",
               limit: int = 10000, max_empty: int = 3) -> list[dict]:
    """Every record of one shard from iterator_type, following NextShardIterator
    until max_empty consecutive empty pages (the shard is caught up). Throttled
    reads wait and try again."""
    it = client.get_shard_iterator(StreamName=stream, ShardId=shard_id,
                                   ShardIteratorType=iterator_type)["ShardIterator"]
    records, empty = [], 0
    while it and empty < max_empty:
        out = get_records_paced(client, ShardIterator=it, Limit=limit)
        records.extend(out["Records"])
        it = out.get("NextShardIterator")
        if out["Records"]:
            empty = 0
        elif out.get("MillisBehindLatest", 0) == 0:
            break
        else:
            empty += 1
    return records


# ---------------------------------------------------------------------------
# Raw HTTP, for what the SDKs will not send or hide from us.


class RawResponse:
    def __init__(self, status: int, headers: dict[str, str], body: bytes):
        self.status = status
        self.headers = headers  # lower-cased names
        self.body = body

    def json(self) -> dict:
        return json.loads(self.body.decode("utf-8"))

    def cbor(self):
        import cbor2
        return cbor2.loads(self.body)

    def __repr__(self) -> str:
        return f"RawResponse({self.status}, {self.headers}, {self.body[:300]!r})"


def sign_headers(body: bytes, headers: dict[str, str], url: str | None = None,
                 key: str = "AKIDEXAMPLE", secret: str = "dummy-secret") -> dict[str, str]:
    """Adds X-Amz-Date and a SigV4 Authorization header (service kinesis)."""
    request = AWSRequest(method="POST", url=(url or endpoint()) + "/", data=body, headers=headers)
    SigV4Auth(Credentials(key, secret), "kinesis", REGION).add_auth(request)
    return dict(request.headers.items())


def raw_request(body: bytes | str, target: str | None = None, content_type: str | None = JSON_CT,
                sign: bool = True, extra_headers: dict[str, str] | None = None,
                method: str = "POST", path: str = "/", url: str | None = None,
                key: str = "AKIDEXAMPLE", secret: str = "dummy-secret",
                timeout: float = 30) -> RawResponse:
    """Sends one HTTP/1.1 request on a fresh connection and returns the reply."""
    if isinstance(body, str):
        body = body.encode("utf-8")
    headers: dict[str, str] = {}
    if content_type is not None:
        headers["Content-Type"] = content_type
    if target is not None:
        headers["X-Amz-Target"] = target if "." in target else TARGET_PREFIX + target
    if sign:
        headers = sign_headers(body, headers, url=url, key=key, secret=secret)
    if extra_headers:
        headers.update(extra_headers)
    host, port = host_port(url)
    conn = http.client.HTTPConnection(host, port, timeout=timeout)
    try:
        conn.request(method, path, body=body if method not in ("GET", "HEAD") else None,
                     headers=headers)
        resp = conn.getresponse()
        data = resp.read()
        return RawResponse(resp.status, {k.lower(): v for k, v in resp.getheaders()}, data)
    finally:
        conn.close()


def call_json(op: str, payload: dict, **kw) -> RawResponse:
    return raw_request(json.dumps(payload), target=op, **kw)


def call_cbor(op: str, payload: dict, **kw) -> RawResponse:
    import cbor2
    return raw_request(cbor2.dumps(payload), target=op, content_type=CBOR_CT, **kw)


# ---------------------------------------------------------------------------
# Server processes owned by a test (crash test, signature checks).


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _die_with_parent() -> None:
    """In the child before exec: SIGKILL it if the test process dies first, so a
    killed or timed-out test run never leaves servers behind (Linux prctl)."""
    try:
        import ctypes
        ctypes.CDLL("libc.so.6", use_errno=True).prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG
    except Exception:
        pass


class RunnelServer:
    """One `runnel serve` child process on its own port and data dir."""

    def __init__(self, data_dir: str | None = None, extra_args: list[str] | None = None,
                 port: int | None = None, log_path: str | None = None):
        self.data_dir = data_dir or tempfile.mkdtemp(prefix="runnel-e2e-")
        self.extra_args = extra_args or []
        self.port = port or free_port()
        self.log_path = log_path or os.path.join(self.data_dir + ".log")
        self.proc: subprocess.Popen | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self, timeout: float = 20.0) -> "RunnelServer":
        args = [runnel_bin(), "serve", "--port", str(self.port), "--data-dir", self.data_dir,
                "--host", "127.0.0.1", "--log-level", "warn", *self.extra_args]
        log = open(self.log_path, "ab")
        self.proc = subprocess.Popen(args, stdout=log, stderr=subprocess.STDOUT,
                                     stdin=subprocess.DEVNULL, preexec_fn=_die_with_parent)
        log.close()
        wait_health(self.url, timeout, self.proc)
        return self

    def kill9(self) -> None:
        if self.proc and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGKILL)
            self.proc.wait(timeout=10)

    def terminate(self, timeout: float = 20.0) -> int:
        """SIGTERM, then the exit code (SIGKILL and an AssertionError if it hangs)."""
        assert self.proc is not None
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                return self.proc.wait(timeout=timeout)
            except subprocess.TimeoutExpired:
                self.kill9()
                raise AssertionError(f"runnel did not exit within {timeout}s of SIGTERM")
        return self.proc.returncode

    def log_tail(self, n: int = 40) -> str:
        try:
            with open(self.log_path, "rb") as f:
                return b"\n".join(f.read().splitlines()[-n:]).decode("utf-8", "replace")
        except OSError:
            return ""


def wait_health(url: str, timeout: float, proc: subprocess.Popen | None = None) -> None:
    host, port = host_port(url)
    deadline = time.monotonic() + timeout
    last = None
    while time.monotonic() < deadline:
        if proc is not None and proc.poll() is not None:
            raise AssertionError(f"runnel exited with {proc.returncode} before /health answered")
        try:
            conn = http.client.HTTPConnection(host, port, timeout=2)
            conn.request("GET", "/health")
            # 403: up, with a credentials file and no --open-metrics.
            if conn.getresponse().status in (200, 403):
                conn.close()
                return
            conn.close()
        except OSError as e:
            last = e
        time.sleep(0.05)
    raise AssertionError(f"{url}/health not 200 within {timeout}s ({last})")
