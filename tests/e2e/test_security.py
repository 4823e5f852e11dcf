"""Authentication that binds what a request does, and a safe default listener
(issue 14: "a safe default" and hostile-input item 1). Each test drives a real
`runnel serve` with --credentials-file, or checks how it refuses to start."""
from __future__ import annotations

import datetime
import hashlib
import hmac
import json
import os
import socket
import subprocess
import tempfile
import unittest.mock
import urllib.parse

import pytest
from botocore.auth import SigV4Auth
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials

import e2e_support as sup

KEY, SECRET = "AKIDSECURITYE2E", "security-secret"


@pytest.fixture(scope="module")
def server():
    tmp = tempfile.mkdtemp(prefix="runnel-e2e-security-")
    creds = os.path.join(tmp, "credentials")
    with open(creds, "w") as f:
        f.write(f"[default]\naws_access_key_id = {KEY}\naws_secret_access_key = {SECRET}\n")
    s = sup.RunnelServer(data_dir=os.path.join(tmp, "data"), extra_args=["--credentials-file", creds])
    s.start()
    yield s
    assert s.terminate() == 0, s.log_tail()


@pytest.fixture(scope="module")
def stream(server):
    client = sup.make_client(server.url, key=KEY, secret=SECRET)
    name = sup.unique_name("guarded")
    client.create_stream(StreamName=name, ShardCount=1)
    sup.wait_active(client, name)
    return name


def body_of(resp: sup.RawResponse) -> dict:
    return json.loads(resp.body) if resp.body else {}


def error_of(resp: sup.RawResponse) -> tuple[str, str]:
    b = body_of(resp)
    return b.get("__type", ""), b.get("message", b.get("Message", ""))


def send(url: str, head_lines: list[str], body: bytes, path: str = "/") -> sup.RawResponse:
    """One HTTP/1.1 request with exactly these header lines (duplicates kept)."""
    host, port = sup.host_port(url)
    if not any(h.lower().startswith("host:") for h in head_lines):
        head_lines = [f"Host: {host}:{port}"] + head_lines
    with socket.create_connection((host, port), timeout=10) as s:
        head = f"POST {path} HTTP/1.1\r\n" + "".join(h + "\r\n" for h in head_lines)
        head += f"Content-Length: {len(body)}\r\nConnection: close\r\n\r\n"
        s.sendall(head.encode() + body)
        data = b""
        while True:
            chunk = s.recv(65536)
            if not chunk:
                break
            data += chunk
    head, _, rest = data.partition(b"\r\n\r\n")
    lines = head.decode("latin-1").split("\r\n")
    status = int(lines[0].split()[1])
    headers = {}
    for line in lines[1:]:
        k, _, v = line.partition(":")
        headers[k.strip().lower()] = v.strip()
    return sup.RawResponse(status, headers, rest)


def signed(url: str, target: str, body: bytes, signed_extra: dict | None = None) -> dict:
    """botocore's SigV4 headers for a request to `target` (all headers given are signed)."""
    headers = {"Content-Type": sup.JSON_CT, "X-Amz-Target": sup.TARGET_PREFIX + target}
    headers.update(signed_extra or {})
    req = AWSRequest(method="POST", url=url + "/", data=body, headers=headers)
    SigV4Auth(Credentials(KEY, SECRET), "kinesis", sup.REGION).add_auth(req)
    return dict(req.headers.items())


def as_lines(headers: dict) -> list[str]:
    return [f"{k}: {v}" for k, v in headers.items()]


# --- Item 1: the signature binds the operation, the body and the lifetime ----------------


def test_target_changed_after_signing_is_refused(server, stream):
    """Signed for DescribeStreamSummary with SignedHeaders=host;x-amz-date, sent as DeleteStream."""
    body = json.dumps({"StreamName": stream}).encode()
    req = AWSRequest(method="POST", url=server.url + "/", data=body, headers={})
    SigV4Auth(Credentials(KEY, SECRET), "kinesis", sup.REGION).add_auth(req)
    headers = dict(req.headers.items())
    assert "x-amz-target" not in headers["Authorization"].lower()
    headers.update({"Content-Type": sup.JSON_CT, "X-Amz-Target": sup.TARGET_PREFIX + "DeleteStream"})
    resp = send(server.url, as_lines(headers), body)
    assert resp.status == 400, resp
    kind, message = error_of(resp)
    assert kind == "InvalidSignatureException"
    assert "not signed: x-amz-target" in message
    client = sup.make_client(server.url, key=KEY, secret=SECRET)
    assert client.describe_stream_summary(StreamName=stream)["StreamDescriptionSummary"]["StreamStatus"] == "ACTIVE"


def test_signed_target_still_works(server, stream):
    body = json.dumps({"StreamName": stream}).encode()
    resp = send(server.url, as_lines(signed(server.url, "DescribeStreamSummary", body)), body)
    assert resp.status == 200, resp
    assert body_of(resp)["StreamDescriptionSummary"]["StreamName"] == stream


def hand_presigned_path(port: int, signed: dict[str, str], payload_hash: str, expires: str = "604800") -> str:
    """A query-string (presigned) SigV4 path signing `signed` (lower-case names) over `payload_hash`,
    computed from the SigV4 definition with hashlib/hmac."""
    now = datetime.datetime.now(datetime.timezone.utc)
    amz_date, day = now.strftime("%Y%m%dT%H%M%SZ"), now.strftime("%Y%m%d")
    scope = f"{day}/{sup.REGION}/kinesis/aws4_request"
    headers = {"host": f"127.0.0.1:{port}", **signed}
    names = sorted(headers)
    params = {"X-Amz-Algorithm": "AWS4-HMAC-SHA256", "X-Amz-Credential": f"{KEY}/{scope}",
              "X-Amz-Date": amz_date, "X-Amz-Expires": expires, "X-Amz-SignedHeaders": ";".join(names)}
    query = "&".join(f"{urllib.parse.quote(k, safe='')}={urllib.parse.quote(v, safe='')}"
                     for k, v in sorted(params.items()))
    canonical_headers = "".join(f"{n}:{headers[n]}\n" for n in names)
    canonical = f"POST\n/\n{query}\n{canonical_headers}\n{';'.join(names)}\n{payload_hash}"
    to_sign = f"AWS4-HMAC-SHA256\n{amz_date}\n{scope}\n{hashlib.sha256(canonical.encode()).hexdigest()}"
    k = ("AWS4" + SECRET).encode()
    for part in (day, sup.REGION, "kinesis", "aws4_request"):
        k = hmac.new(k, part.encode(), hashlib.sha256).digest()
    return f"/?{query}&X-Amz-Signature={hmac.new(k, to_sign.encode(), hashlib.sha256).hexdigest()}"


def test_presigned_unsigned_payload_is_not_a_bearer_token(server, stream):
    """A presigned URL signing only `host` over UNSIGNED-PAYLOAD was accepted for any operation and body."""
    path = hand_presigned_path(server.port, {}, "UNSIGNED-PAYLOAD")
    body = json.dumps({"StreamName": stream}).encode()
    resp = send(server.url, [f"Content-Type: {sup.JSON_CT}", f"X-Amz-Target: {sup.TARGET_PREFIX}DeleteStream"],
                body, path=path)
    assert resp.status == 400, resp
    assert error_of(resp)[0] == "InvalidSignatureException"
    # With the target signed, a body under UNSIGNED-PAYLOAD is still refused.
    target = sup.TARGET_PREFIX + "DescribeStreamSummary"
    path = hand_presigned_path(server.port, {"x-amz-target": target}, "UNSIGNED-PAYLOAD")
    resp = send(server.url, [f"Content-Type: {sup.JSON_CT}", f"X-Amz-Target: {target}"], body, path=path)
    assert resp.status == 400, resp
    assert error_of(resp)[0] == "InvalidSignatureException"
    client = sup.make_client(server.url, key=KEY, secret=SECRET)
    assert client.describe_stream_summary(StreamName=stream)["StreamDescriptionSummary"]["StreamStatus"] == "ACTIVE"


def test_presigned_request_bound_to_target_and_body_works(server, stream):
    target = sup.TARGET_PREFIX + "DescribeStreamSummary"
    body = json.dumps({"StreamName": stream}).encode()
    path = hand_presigned_path(server.port, {"x-amz-target": target}, hashlib.sha256(body).hexdigest(),
                               expires="60")
    resp = send(server.url, [f"Content-Type: {sup.JSON_CT}", f"X-Amz-Target: {target}"], body, path=path)
    assert resp.status == 200, resp
    # The same URL with another body is refused.
    other = json.dumps({"StreamName": stream + "x"}).encode()
    resp = send(server.url, [f"Content-Type: {sup.JSON_CT}", f"X-Amz-Target: {target}"], other, path=path)
    assert resp.status == 400, resp


@pytest.mark.parametrize("expires,message", [
    ("-1", "X-Amz-Expires must be non-negative"),
    ("abc", "X-Amz-Expires should be a number"),
    ("604801", "X-Amz-Expires must be less than a week (in seconds) that is 604800"),
])
def test_bad_expiry_is_refused(server, expires, message):
    path = ("/?X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential=" + KEY + "%2F20240101%2Fus-east-1%2Fkinesis"
            "%2Faws4_request&X-Amz-Date=20240101T000000Z&X-Amz-SignedHeaders=host&X-Amz-Signature=00"
            "&X-Amz-Expires=" + expires)
    resp = send(server.url, ["Host: x", f"Content-Type: {sup.JSON_CT}",
                             f"X-Amz-Target: {sup.TARGET_PREFIX}ListStreams"], b"{}", path=path)
    assert resp.status == 400, resp
    assert error_of(resp) == ("IncompleteSignatureException", message)


def test_two_authorization_headers_are_refused(server):
    body = b"{}"
    good = signed(server.url, "ListStreams", body)
    lines = as_lines(good) + [f"Authorization: {good['Authorization']}"]
    resp = send(server.url, lines, body)
    assert resp.status == 400, resp
    assert error_of(resp) == ("IncompleteSignatureException",
                              "Found more than one 'Authorization' header. Send exactly one.")


def test_content_sha256_must_match_the_body(server):
    body = b"{}"
    headers = signed(server.url, "ListStreams", body, {"X-Amz-Content-SHA256": "0" * 64})
    resp = send(server.url, as_lines(headers), body)
    assert resp.status == 400, resp
    assert error_of(resp) == ("InvalidSignatureException",
                              "The provided 'x-amz-content-sha256' header does not match what was computed.")


def test_request_signed_long_ago_is_refused(server):
    body = b"{}"
    old = datetime.datetime.now(datetime.timezone.utc) - datetime.timedelta(minutes=16)
    req = AWSRequest(method="POST", url=server.url + "/", data=body,
                     headers={"Content-Type": sup.JSON_CT, "X-Amz-Target": sup.TARGET_PREFIX + "ListStreams"})
    with unittest.mock.patch("botocore.auth.get_current_datetime", return_value=old.replace(tzinfo=None)):
        SigV4Auth(Credentials(KEY, SECRET), "kinesis", sup.REGION).add_auth(req)
    resp = send(server.url, as_lines(dict(req.headers.items())), body)
    assert resp.status == 400, resp
    kind, message = error_of(resp)
    assert kind == "InvalidSignatureException"
    assert message.startswith("Signature expired: ")


def test_unsigned_large_body_is_refused_before_it_is_read(server):
    """With credentials, an unauthenticated request is answered from its head: the
    client gets the error while it has sent only part of a 16 MiB body."""
    host, port = sup.host_port(server.url)
    with socket.create_connection((host, port), timeout=10) as s:
        s.sendall((f"POST / HTTP/1.1\r\nHost: x\r\nContent-Type: {sup.JSON_CT}\r\n"
                   f"X-Amz-Target: {sup.TARGET_PREFIX}PutRecords\r\nContent-Length: {16 << 20}\r\n\r\n").encode()
                  + b"{" * 65536)
        s.settimeout(10)
        data = s.recv(65536)
    assert data.startswith(b"HTTP/1.1 400"), data[:200]
    assert b"MissingAuthenticationTokenException" in data


@pytest.mark.parametrize("head,answer", [
    ("Content-Type: text/plain\r\n", b"<MissingAuthenticationTokenException>"),
    (f"Content-Type: {sup.JSON_CT}\r\nX-Amz-Target: Nope.Nope\r\n", b"UnknownOperationException"),
    ("Content-Type: application/json\r\n", b"UnknownOperationException"),
], ids=["other-content-type", "unknown-target", "plain-json"])
def test_heads_that_decide_their_answer_reserve_no_body(server, head, answer):
    """A head whose answer needs no body is answered before the body comes, so
    unauthenticated clients cannot hold the server's body memory."""
    host, port = sup.host_port(server.url)
    with socket.create_connection((host, port), timeout=10) as s:
        s.sendall((f"POST / HTTP/1.1\r\nHost: x\r\n{head}Content-Length: {2 << 20}\r\n\r\n").encode())
        s.settimeout(10)
        data = s.recv(65536)
    assert answer in data, data[:300]


# --- A safe default ------------------------------------------------------------------------


def run_serve(*args: str, timeout: float = 10) -> subprocess.CompletedProcess:
    data = tempfile.mkdtemp(prefix="runnel-e2e-exposure-")
    return subprocess.run([sup.runnel_bin(), "serve", "--port", str(sup.free_port()), "--data-dir", data, *args],
                          capture_output=True, text=True, timeout=timeout)


def test_non_loopback_without_credentials_refuses_to_start():
    r = run_serve("--host", "0.0.0.0")
    assert r.returncode == 2, r
    out = r.stdout + r.stderr
    assert "refusing to listen on 0.0.0.0 without credentials" in out
    assert "--allow-anonymous" in out and "--credentials-file" in out


def test_allow_anonymous_starts_on_every_address():
    port = sup.free_port()
    data = tempfile.mkdtemp(prefix="runnel-e2e-exposure-")
    proc = subprocess.Popen([sup.runnel_bin(), "serve", "--port", str(port), "--data-dir", data,
                             "--host", "0.0.0.0", "--allow-anonymous", "--log-level", "warn"],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        url = f"http://127.0.0.1:{port}"
        sup.wait_health(url, 20, proc)
        assert sup.make_client(url).list_streams()["ResponseMetadata"]["HTTPStatusCode"] == 200
    finally:
        proc.terminate()
        assert proc.wait(timeout=20) == 0


def test_default_host_is_loopback():
    r = subprocess.run([sup.runnel_bin(), "serve", "--help"], capture_output=True, text=True, timeout=10)
    assert "127.0.0.1" in r.stdout
