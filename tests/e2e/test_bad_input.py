"""Malformed, hostile and unauthenticated input: every case must get an AWS-shaped
answer (or a plain HTTP 4xx for broken HTTP), and the server must keep serving."""
from __future__ import annotations

import json
import os
import select
import socket
import tempfile
import time

import pytest
from botocore.exceptions import ClientError

import e2e_support as sup
from cbor_codec import decode, encode


def error_type(resp: sup.RawResponse) -> str:
    body = decode(resp.body) if resp.headers.get("content-type", "").startswith(sup.CBOR_CT) \
        else json.loads(resp.body)
    return body["__type"].split("#")[-1]


def error_message(resp: sup.RawResponse) -> str:
    body = json.loads(resp.body)
    return body.get("message", body.get("Message", ""))


def assert_still_serving(kinesis) -> None:
    out = kinesis.list_streams(Limit=1)
    assert out["ResponseMetadata"]["HTTPStatusCode"] == 200


# --- Bodies -----------------------------------------------------------------------


@pytest.mark.parametrize("body", [
    b'{"StreamName": ',
    b"not json at all",
    b'{"StreamName": "x"',
    b"[1,2,3]",
    b'"just a string"',
    b"\xff\xfe\x00garbage",
])
def test_malformed_json_is_serialization_exception(kinesis, body):
    resp = sup.raw_request(body, target="DescribeStreamSummary")
    assert resp.status == 400, resp
    assert error_type(resp) == "SerializationException"
    assert resp.headers.get("x-amzn-requestid")
    assert_still_serving(kinesis)


def test_empty_body_is_serialization_exception():
    resp = sup.raw_request(b"", target="ListStreams")
    assert resp.status == 400, resp
    assert error_type(resp) == "SerializationException"


@pytest.mark.parametrize("body", [
    b"\xbf\x6aStreamName",            # truncated map
    b"\xa1\x6aStreamName\x1c",        # reserved additional info
    b"\x1b\x00\x00",                  # truncated integer
    b"\xa1\x7b\xff\xff\xff\xff\xff\xff\xff\xffa",  # absurd string length
    b"\xa1\x61a\x61b\x00extra",       # trailing bytes
])
def test_malformed_cbor_is_serialization_exception(kinesis, body):
    resp = sup.raw_request(body, target="DescribeStreamSummary", content_type=sup.CBOR_CT)
    assert resp.status == 400, resp
    assert resp.headers.get("content-type", "").startswith(sup.CBOR_CT)
    assert error_type(resp) == "SerializationException"
    assert_still_serving(kinesis)


@pytest.mark.parametrize("op,payload", [
    ("CreateStream", {"StreamName": "typed", "ShardCount": "two"}),
    ("CreateStream", {"StreamName": {"nested": 1}, "ShardCount": 1}),
    ("CreateStream", {"StreamName": ["a"], "ShardCount": 1}),
    ("ListStreams", {"Limit": True}),
    ("PutRecord", {"StreamName": "typed", "PartitionKey": "k", "Data": "23456"}),
    ("PutRecord", {"StreamName": "typed", "PartitionKey": "k", "Data": 5}),
    ("PutRecords", {"StreamName": "typed", "Records": {"not": "a list"}}),
    ("GetShardIterator", {"StreamName": "typed", "ShardId": "shardId-000000000000",
                          "ShardIteratorType": "AT_TIMESTAMP", "Timestamp": "yesterday"}),
])
def test_wrong_types_are_serialization_exception(op, payload):
    resp = sup.call_json(op, payload)
    assert resp.status == 400, resp
    assert error_type(resp) == "SerializationException", resp.body


def test_wrong_type_in_cbor_is_serialization_exception():
    resp = sup.raw_request(encode({"StreamName": "typed", "ShardCount": "two"}),
                           target="CreateStream", content_type=sup.CBOR_CT)
    assert resp.status == 400, resp
    assert error_type(resp) == "SerializationException"


def test_string_integer_message():
    resp = sup.call_json("CreateStream", {"StreamName": "typed", "ShardCount": "two"})
    assert error_message(resp) == "class java.lang.String can not be converted to an Integer"


def test_oversized_body_rejected_then_server_serves(kinesis):
    """A 64 MiB body is far over any Kinesis request limit: the server must refuse it
    (413, or a 4xx AWS error) without reading it all into memory or dying."""
    host, port = sup.host_port()
    size = 64 * 1024 * 1024
    head = (f"POST / HTTP/1.1\r\nHost: {host}:{port}\r\n"
            f"Content-Type: {sup.JSON_CT}\r\nX-Amz-Target: Kinesis_20131202.PutRecord\r\n"
            "Authorization: AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20240101/us-east-1/kinesis/"
            "aws4_request, SignedHeaders=host, Signature=00\r\n"
            f"X-Amz-Date: 20240101T000000Z\r\nContent-Length: {size}\r\n\r\n").encode()
    reply = b""
    with socket.create_connection((host, port), timeout=30) as sock:
        sock.sendall(head)
        chunk = b'{"Data":"' + b"A" * (64 * 1024)
        sent = 0
        sock.setblocking(False)
        deadline = time.monotonic() + 30
        while sent < size and time.monotonic() < deadline:
            readable, writable, _ = select.select([sock], [sock], [], 1)
            if readable:
                break  # the server answered early, as it should
            if writable:
                try:
                    sent += sock.send(chunk[: size - sent])
                except BlockingIOError:
                    pass
                except (BrokenPipeError, ConnectionResetError):
                    break
        sock.setblocking(True)
        sock.settimeout(10)
        try:
            while True:
                data = sock.recv(65536)
                if not data:
                    break
                reply += data
                if b"\r\n\r\n" in reply:
                    break
        except (ConnectionResetError, socket.timeout):
            pass
    assert reply, "the server closed the connection without any HTTP response"
    status = int(reply.split(b" ", 2)[1])
    assert status in (400, 413), reply[:300]
    assert_still_serving(kinesis)


def _head_only(path: str, headers: dict[str, str], length: int) -> sup.RawResponse:
    """Sends only a request's head announcing `length` body bytes; the server
    answers from the head and closes."""
    host, port = sup.host_port()
    head = f"POST {path} HTTP/1.1\r\nHost: {host}:{port}\r\n"
    for k, v in headers.items():
        head += f"{k}: {v}\r\n"
    head += f"Content-Length: {length}\r\n\r\n"
    reply = b""
    with socket.create_connection((host, port), timeout=10) as sock:
        sock.sendall(head.encode())
        try:
            while True:
                data = sock.recv(65536)
                if not data:
                    break
                reply += data
        except (ConnectionResetError, socket.timeout):
            pass
    raw_head, _, body = reply.partition(b"\r\n\r\n")
    lines = raw_head.decode("latin-1").split("\r\n")
    status = int(lines[0].split(" ", 2)[1])
    hdrs = {k.strip().lower(): v.strip() for k, _, v in (line.partition(":") for line in lines[1:])}
    return sup.RawResponse(status, hdrs, body[: int(hdrs.get("content-length", len(body)))])


TOO_LARGE = 64 * 1024 * 1024


def test_oversized_kinesis_request_gets_json_1_1(kinesis):
    """net/ no longer writes this itself (issue 15); the bytes Kinesis clients saw stay."""
    resp = _head_only("/", {"Content-Type": sup.JSON_CT, "X-Amz-Target": "Kinesis_20131202.PutRecords"}, TOO_LARGE)
    assert resp.status == 413
    assert resp.headers["content-type"] == "application/x-amz-json-1.1"
    assert resp.headers["x-amzn-errortype"] == "SerializationException"
    assert json.loads(resp.body)["__type"] == "SerializationException"
    assert json.loads(resp.body)["Message"].startswith(f"Request body of {TOO_LARGE} bytes exceeds the limit of ")
    assert_still_serving(kinesis)


def test_oversized_cloudwatch_json_1_0_request_gets_json_1_0(kinesis):
    """net/ answered every protocol in Kinesis's JSON 1.1 (issue 15)."""
    resp = _head_only("/", {"Content-Type": "application/x-amz-json-1.0",
                            "X-Amz-Target": "GraniteServiceVersion20100801.PutMetricData"}, TOO_LARGE)
    assert resp.status == 413
    assert resp.headers["content-type"] == "application/x-amz-json-1.0"
    assert resp.headers["x-amzn-query-error"] == "MalformedInput;Sender"  # query_codec.h: SerializationException is MalformedInput
    assert json.loads(resp.body)["__type"] == "SerializationException"


def test_oversized_rpc_v2_request_gets_cbor(kinesis):
    resp = _head_only("/service/GraniteServiceVersion20100801/operation/PutMetricData",
                      {"Content-Type": "application/cbor", "smithy-protocol": "rpc-v2-cbor"}, TOO_LARGE)
    assert resp.status == 413
    assert resp.headers["smithy-protocol"] == "rpc-v2-cbor"
    assert resp.headers["content-type"] == "application/cbor"
    assert decode(resp.body)["__type"] == "SerializationException"
    assert_still_serving(kinesis)


# --- Routing ------------------------------------------------------------------------


def test_missing_target_is_unknown_operation():
    resp = sup.raw_request(b"{}", target=None)
    assert resp.status == 400, resp
    assert error_type(resp) == "UnknownOperationException"


@pytest.mark.parametrize("target", ["Kinesis_20131202.NoSuchOperation", "Kinesis_20131202.",
                                    "SomethingElse.ListStreams", "garbage"])
def test_unknown_target_is_unknown_operation(target):
    resp = sup.raw_request(b"{}", extra_headers={"X-Amz-Target": target})
    assert resp.status == 400, resp
    assert error_type(resp) == "UnknownOperationException"


def test_get_root_is_403_access_denied_xml():
    resp = sup.raw_request(b"", method="GET", content_type=None, sign=True)
    assert resp.status == 403, resp
    text = resp.body.decode("utf-8", "replace")
    assert "<AccessDeniedException>" in text
    assert "Unable to determine service/operation name to be authorized" in text


# --- Authentication ---------------------------------------------------------------


def test_no_authorization_is_missing_token():
    resp = sup.raw_request(b"{}", target="ListStreams", sign=False)
    assert resp.status == 400, resp
    assert error_type(resp) == "MissingAuthenticationTokenException"
    assert error_message(resp) == "Missing Authentication Token"


@pytest.mark.parametrize("auth,expected", [
    # AWS's texts for a token without '=' and for missing components.
    ("AWS4-HMAC-SHA256 garbage",
     "'garbage' not a valid key=value pair (missing equal-sign) in Authorization header: "
     "'AWS4-HMAC-SHA256 garbage'."),
    ("AWS4-HMAC-SHA256 Credential=AKID/20240101/us-east-1/kinesis/aws4_request",
     "Authorization header requires 'Signature' parameter."),
    ("AWS4-HMAC-SHA256 SignedHeaders=host, Signature=abc",
     "Authorization header requires 'Credential' parameter."),
])
def test_malformed_authorization_is_incomplete_signature(auth, expected):
    resp = sup.raw_request(b"{}", target="ListStreams", sign=False,
                           extra_headers={"Authorization": auth, "X-Amz-Date": "20240101T000000Z"})
    assert resp.status == 400, resp
    assert error_type(resp) == "IncompleteSignatureException"
    assert expected in error_message(resp)


# --- Broken HTTP ------------------------------------------------------------------------


@pytest.mark.parametrize("garbage", [
    b"\x16\x03\x01\x02\x00\x01\x00\x01\xfc\x03\x03" + os.urandom(64),  # a TLS ClientHello
    b"HELLO THERE\r\n\r\n",
    b"POST / HTTP/1.1\r\nContent-Length: -5\r\n\r\n",
    b"POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 10\r\nContent-Length: 20\r\n\r\n",
    b"GET /" + b"a" * 100_000 + b" HTTP/1.1\r\n\r\n",
    b"POST / HTTP/1.1\r\n" + b"X-Big: " + b"b" * 200_000 + b"\r\n\r\n",
])
def test_garbage_bytes_get_400_and_server_keeps_serving(kinesis, garbage):
    host, port = sup.host_port()
    with socket.create_connection((host, port), timeout=10) as sock:
        try:
            sock.sendall(garbage)
        except (BrokenPipeError, ConnectionResetError):
            pass
        reply = b""
        try:
            while b"\r\n" not in reply:
                data = sock.recv(4096)
                if not data:
                    break
                reply += data
        except (ConnectionResetError, socket.timeout):
            pass
    if reply:
        assert reply.startswith(b"HTTP/1.1 4") or reply.startswith(b"HTTP/1.0 4"), reply[:200]
        status = int(reply.split(b" ", 2)[1])
        assert status in (400, 413, 414, 431), reply[:200]
    else:
        # Only a non-HTTP byte stream (the TLS hello) may be closed without a reply.
        assert garbage.startswith(b"\x16\x03"), "broken HTTP must be answered with 400"
    assert_still_serving(kinesis)


def test_cors_preflight():
    resp = sup.raw_request(b"", method="OPTIONS", content_type=None, sign=False, extra_headers={
        "Origin": "http://localhost:3000",
        "Access-Control-Request-Method": "POST",
        "Access-Control-Request-Headers": "content-type,x-amz-target,x-amz-date,authorization",
    })
    assert resp.status in (200, 204), resp
    assert resp.headers.get("access-control-allow-origin") in ("*", "http://localhost:3000")
    methods = resp.headers.get("access-control-allow-methods", "")
    assert "POST" in methods.upper() or methods == "*", resp.headers
    allowed = resp.headers.get("access-control-allow-headers", "").lower()
    for h in ("content-type", "x-amz-target", "x-amz-date", "authorization"):
        assert h in allowed or allowed == "*", resp.headers


def test_cors_header_on_normal_response():
    resp = sup.call_json("ListStreams", {"Limit": 1}, extra_headers={"Origin": "http://localhost:3000"})
    assert resp.status == 200
    assert resp.headers.get("access-control-allow-origin") in ("*", "http://localhost:3000")


def test_slow_partial_requests_do_not_block_others(kinesis):
    host, port = sup.host_port()
    slow = []
    try:
        for i in range(20):
            s = socket.create_connection((host, port), timeout=5)
            if i % 2:
                s.sendall(b"POST / HTTP/1.1\r\nHost: x\r\nContent-Len")  # headers never finish
            else:
                s.sendall(b"POST / HTTP/1.1\r\nHost: x\r\nContent-Type: application/x-amz-json-1.1\r\n"
                          b"X-Amz-Target: Kinesis_20131202.ListStreams\r\nContent-Length: 1000\r\n\r\n{")
            slow.append(s)
        h2 = socket.create_connection((host, port), timeout=5)
        h2.sendall(b"PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n")  # h2c preface, then silence
        slow.append(h2)
        for _ in range(5):
            started = time.monotonic()
            assert_still_serving(kinesis)
            assert time.monotonic() - started < 3, "a stalled client slowed down others"
    finally:
        for s in slow:
            s.close()
    assert_still_serving(kinesis)


# --- Signature verification (a second server with --credentials-file) ------------------


@pytest.fixture(scope="module")
def verifying_server():
    tmp = tempfile.mkdtemp(prefix="runnel-e2e-creds-")
    creds = os.path.join(tmp, "credentials")
    with open(creds, "w") as f:
        f.write("[default]\naws_access_key_id = AKIDRUNNELE2E\n"
                "aws_secret_access_key = right-secret\n\n"
                "[other]\naws_access_key_id = AKIDSECONDUSER\naws_secret_access_key = second/secret+key\n")
    server = sup.RunnelServer(data_dir=os.path.join(tmp, "data"),
                              extra_args=["--credentials-file", creds])
    server.start()
    yield server
    code = server.terminate()
    assert code == 0, f"verifying server exited {code}:\n{server.log_tail()}"


def test_signature_correct_is_accepted(verifying_server):
    for key, secret in (("AKIDRUNNELE2E", "right-secret"), ("AKIDSECONDUSER", "second/secret+key")):
        client = sup.make_client(verifying_server.url, key=key, secret=secret)
        name = sup.unique_name("signed")
        client.create_stream(StreamName=name, ShardCount=1)
        sup.wait_active(client, name)
        client.put_record(StreamName=name, Data=b"signed", PartitionKey="k")
        assert name in client.list_streams()["StreamNames"]
        client.delete_stream(StreamName=name)


def test_signature_wrong_secret(verifying_server):
    client = sup.make_client(verifying_server.url, key="AKIDRUNNELE2E", secret="wrong-secret")
    with pytest.raises(ClientError) as e:
        client.list_streams()
    code, message = sup.error_of(e)
    assert code == "InvalidSignatureException"
    assert message.startswith("The request signature we calculated does not match the signature "
                              "you provided.")


def test_signature_unknown_key(verifying_server):
    client = sup.make_client(verifying_server.url, key="AKIDNOBODYKNOWS", secret="right-secret")
    with pytest.raises(ClientError) as e:
        client.list_streams()
    code, message = sup.error_of(e)
    assert code == "UnrecognizedClientException"
    assert message == "The security token included in the request is invalid."


def test_signature_tampered_body(verifying_server):
    body = json.dumps({"Limit": 1}).encode()
    headers = sup.sign_headers(body, {"Content-Type": sup.JSON_CT,
                                      "X-Amz-Target": "Kinesis_20131202.ListStreams"},
                               url=verifying_server.url, key="AKIDRUNNELE2E", secret="right-secret")
    resp = sup.raw_request(json.dumps({"Limit": 2}).encode(), target=None, sign=False,
                           content_type=None, extra_headers=headers, url=verifying_server.url)
    assert resp.status == 400, resp
    assert error_type(resp) == "InvalidSignatureException"


def test_signature_missing_auth_on_verifying_server(verifying_server):
    resp = sup.call_json("ListStreams", {}, sign=False, url=verifying_server.url)
    assert resp.status == 400
    assert error_type(resp) == "MissingAuthenticationTokenException"
