"""The embedded S3 store with the AWS CLI (Debian's v2 `aws`): the high-level
`aws s3` commands (mb, cp up and down, with a file large enough for a
multipart upload and its flexible checksums, ls, rm --recursive, rb) and a
few `aws s3api` calls, against the shared server with --endpoint-url.
"""
from __future__ import annotations

import hashlib
import json
import os
import subprocess
import uuid

import pytest

import e2e_support as sup

MiB = 1024 * 1024


def aws(*args: str, check: bool = True) -> subprocess.CompletedProcess:
    p = subprocess.run(["aws", "--endpoint-url", sup.endpoint(), *args],
                       capture_output=True, text=True, timeout=120)
    if check:
        assert p.returncode == 0, f"aws {' '.join(args)} -> {p.returncode}\n{p.stdout}\n{p.stderr}"
    return p


def s3api(*args: str) -> dict:
    out = aws("s3api", *args, "--output", "json").stdout
    return json.loads(out) if out.strip() else {}


@pytest.fixture()
def bucket():
    name = f"cli-{uuid.uuid4().hex[:12]}"
    aws("s3", "mb", f"s3://{name}")
    yield name
    aws("s3", "rb", f"s3://{name}", "--force", check=False)


@pytest.mark.timeout_seconds(240)
def test_cp_large_file_up_and_down_uses_multipart(bucket, tmp_path):
    src = tmp_path / "large.bin"
    data = os.urandom(20 * MiB + 3)
    src.write_bytes(data)
    aws("s3", "cp", str(src), f"s3://{bucket}/data/large.bin")
    head = s3api("head-object", "--bucket", bucket, "--key", "data/large.bin")
    assert head["ContentLength"] == len(data)
    assert head["ETag"].endswith('-3"')  # 8 MiB chunks: a multipart upload of 3 parts
    dst = tmp_path / "back.bin"
    aws("s3", "cp", f"s3://{bucket}/data/large.bin", str(dst))
    assert hashlib.sha256(dst.read_bytes()).digest() == hashlib.sha256(data).digest()


def test_cp_ls_rm_small_files(bucket, tmp_path):
    for name in ["a.txt", "b.txt"]:
        (tmp_path / name).write_text(f"contents of {name}\n")
    aws("s3", "cp", str(tmp_path / "a.txt"), f"s3://{bucket}/dir/a.txt")
    aws("s3", "cp", str(tmp_path / "b.txt"), f"s3://{bucket}/dir/sub/b.txt", "--content-type", "text/plain")
    top = aws("s3", "ls", f"s3://{bucket}/").stdout
    assert "PRE dir/" in top
    listing = aws("s3", "ls", f"s3://{bucket}/", "--recursive").stdout
    assert "dir/a.txt" in listing and "dir/sub/b.txt" in listing
    assert bucket in aws("s3", "ls").stdout
    head = s3api("head-object", "--bucket", bucket, "--key", "dir/sub/b.txt")
    assert head["ContentType"] == "text/plain"
    assert head["ETag"] == '"' + hashlib.md5(b"contents of b.txt\n").hexdigest() + '"'
    aws("s3", "rm", f"s3://{bucket}/dir", "--recursive")
    assert aws("s3", "ls", f"s3://{bucket}/", "--recursive").stdout.strip() == ""


def test_s3api_objects_and_errors(bucket, tmp_path):
    body = tmp_path / "body"
    body.write_bytes(b"via s3api")
    put = s3api("put-object", "--bucket", bucket, "--key", "k", "--body", str(body), "--metadata", "team=blue")
    assert put["ETag"] == '"' + hashlib.md5(b"via s3api").hexdigest() + '"'
    out = tmp_path / "out"
    got = s3api("get-object", "--bucket", bucket, "--key", "k", "--range", "bytes=4-", str(out))
    assert out.read_bytes() == b"s3api"
    assert got["ContentRange"] == "bytes 4-8/9"
    assert got["Metadata"] == {"team": "blue"}
    listed = s3api("list-objects-v2", "--bucket", bucket)
    assert [o["Key"] for o in listed["Contents"]] == ["k"]
    p = aws("s3api", "get-object", "--bucket", bucket, "--key", "missing", str(out), check=False)
    assert p.returncode != 0 and "NoSuchKey" in p.stderr
    p = aws("s3", "rb", f"s3://{bucket}", check=False)
    assert p.returncode != 0 and "BucketNotEmpty" in p.stderr
    p = aws("s3", "mb", "s3://Bad_Name", check=False)
    assert p.returncode != 0
