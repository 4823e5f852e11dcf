"""Bad input to the embedded S3 store, sent as raw HTTP so no client library
second-guesses it: bad bucket names, missing buckets, unsatisfiable ranges,
wrong or malformed Content-MD5, malformed XML bodies for DeleteObjects and
CompleteMultipartUpload. Every answer is S3's bare <Error> document with the
code and status S3's error reference gives, and the request id in it.
"""
from __future__ import annotations

import base64
import hashlib
import http.client
import re
import uuid

import pytest

import e2e_support as sup

AUTH = ("AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20261207/us-east-1/s3/aws4_request, "
        "SignedHeaders=host;x-amz-date, Signature=" + "0" * 64)


def call(method: str, path: str, body: bytes = b"", headers: dict[str, str] | None = None):
    host, port = sup.host_port()
    conn = http.client.HTTPConnection(host, port, timeout=10)
    h = {"Authorization": AUTH, "X-Amz-Date": "20261207T001530Z", "x-amz-content-sha256": "UNSIGNED-PAYLOAD"}
    h.update(headers or {})
    conn.request(method, path, body=body, headers=h)
    r = conn.getresponse()
    data = r.read()
    conn.close()
    return r.status, {k.lower(): v for k, v in r.getheaders()}, data.decode("utf-8", "replace")


def error_code(body: str) -> str:
    m = re.search(r"<Code>([^<]*)</Code>", body)
    return m.group(1) if m else ""


def assert_s3_error(answer, status: int, code: str) -> None:
    got_status, headers, body = answer
    assert (got_status, error_code(body)) == (status, code), body
    assert body.startswith('<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>') or \
        body.startswith('<?xml version="1.0" encoding="UTF-8"?><Error><Code>'), body
    assert f"<RequestId>{headers['x-amz-request-id']}</RequestId>" in body
    assert headers["content-type"] == "application/xml"


@pytest.fixture(scope="module")
def bucket():
    name = f"bad-{uuid.uuid4().hex[:12]}"
    assert call("PUT", f"/{name}")[0] == 200
    return name


@pytest.mark.parametrize("name", ["ab", "Upper", "under_score", "-dash", "dash-", "a..b", "10.0.0.1",
                                  "xn--bucket", "sthree-bucket", "bucket-s3alias", "x" * 64])
def test_bad_bucket_names(name):
    assert_s3_error(call("PUT", f"/{name}"), 400, "InvalidBucketName")


def test_missing_bucket_everywhere():
    name = f"none-{uuid.uuid4().hex[:12]}"
    for method, path, body in [("GET", f"/{name}?list-type=2", b""), ("GET", f"/{name}", b""),
                               ("PUT", f"/{name}/k", b"data"), ("GET", f"/{name}/k", b""),
                               ("DELETE", f"/{name}", b""), ("POST", f"/{name}/k?uploads", b""),
                               ("POST", f"/{name}?delete", b"<Delete><Object><Key>k</Key></Object></Delete>")]:
        answer = call(method, path, body)
        assert_s3_error(answer, 404, "NoSuchBucket")
        assert f"<Resource>{path.split('?')[0]}</Resource>" in answer[2]


def test_unsatisfiable_ranges(bucket):
    assert call("PUT", f"/{bucket}/ten", b"0123456789")[0] == 200
    for rng in ["bytes=10-", "bytes=100-200", "bytes=-0"]:
        assert_s3_error(call("GET", f"/{bucket}/ten", headers={"Range": rng}), 416, "InvalidRange")
    # Malformed ranges are ignored, as S3 does: the whole object.
    for rng in ["bytes=abc", "items=0-1", "bytes=5-2", "bytes=0-1,3-4"]:
        status, _, body = call("GET", f"/{bucket}/ten", headers={"Range": rng})
        assert (status, body) == (200, "0123456789"), rng


def test_content_md5(bucket):
    wrong = base64.b64encode(hashlib.md5(b"other").digest()).decode()
    assert_s3_error(call("PUT", f"/{bucket}/md5", b"payload", {"Content-MD5": wrong}), 400, "BadDigest")
    assert_s3_error(call("PUT", f"/{bucket}/md5", b"payload", {"Content-MD5": "!!"}), 400, "InvalidDigest")
    assert_s3_error(call("PUT", f"/{bucket}/md5", b"payload", {"Content-MD5": base64.b64encode(b"short").decode()}),
                    400, "InvalidDigest")
    assert_s3_error(call("GET", f"/{bucket}/md5"), 404, "NoSuchKey")  # nothing was stored


@pytest.mark.parametrize("body", [b"<Delete><Object><Key>a</Key>", b"not xml", b"<Delete><Quiet>yes</Quiet>"
                                  b"<Object><Key>a</Key></Object></Delete>",
                                  b"<!DOCTYPE d [<!ENTITY e \"x\">]><Delete><Object><Key>&e;</Key></Object></Delete>"])
def test_malformed_delete_objects(bucket, body):
    assert_s3_error(call("POST", f"/{bucket}?delete", body), 400, "MalformedXML")


def test_malformed_complete_multipart(bucket):
    status, _, body = call("POST", f"/{bucket}/mp?uploads")
    assert status == 200
    upload = re.search(r"<UploadId>([^<]+)</UploadId>", body).group(1)
    for bad in [b"<CompleteMultipartUpload><Part>", b"<CompleteMultipartUpload></CompleteMultipartUpload>",
                b"<CompleteMultipartUpload><Part><PartNumber>x</PartNumber></Part></CompleteMultipartUpload>", b""]:
        assert_s3_error(call("POST", f"/{bucket}/mp?uploadId={upload}", bad), 400, "MalformedXML")
    assert_s3_error(call("POST", f"/{bucket}/mp?uploadId=nope",
                         b"<CompleteMultipartUpload><Part><PartNumber>1</PartNumber><ETag>x</ETag></Part>"
                         b"</CompleteMultipartUpload>"), 404, "NoSuchUpload")
    assert_s3_error(call("PUT", f"/{bucket}/mp?partNumber=10001&uploadId={upload}", b"x"), 400, "InvalidArgument")


def test_key_too_long(bucket):
    assert_s3_error(call("PUT", f"/{bucket}/" + "k" * 1025, b"x"), 400, "KeyTooLongError")


def test_head_object_reports_the_objects_length(bucket):
    assert call("PUT", f"/{bucket}/sized", b"x" * 12345)[0] == 200
    host, port = sup.host_port()
    conn = http.client.HTTPConnection(host, port, timeout=10)
    conn.request("HEAD", f"/{bucket}/sized", headers={"Authorization": AUTH, "X-Amz-Date": "20261207T001530Z"})
    r = conn.getresponse()
    assert r.status == 200
    assert r.getheader("Content-Length") == "12345"
    assert r.read() == b""
    conn.close()
