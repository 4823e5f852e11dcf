"""Durability of the embedded S3 store with the real binary: clients upload
objects (single PUTs and multipart parts) while the server is killed with
SIGKILL; after a restart on the same data dir every upload that was
acknowledged is there, byte for byte, nothing partial is listed, and the
crash's leftovers (temp files, unnamed blobs) are gone.
"""
from __future__ import annotations

import hashlib
import os
import threading
import time

import boto3
import pytest
from botocore.config import Config

import e2e_support as sup


def client(url: str):
    return boto3.client("s3", endpoint_url=url, region_name="us-east-1", aws_access_key_id="AKIDEXAMPLE",
                        aws_secret_access_key="dummy-secret",
                        config=Config(s3={"addressing_style": "path"}, retries={"max_attempts": 1},
                                      connect_timeout=2, read_timeout=5))


def body_for(writer: int, i: int) -> bytes:
    seed = hashlib.sha256(f"{writer}-{i}".encode()).digest()
    return seed * (1 + (i * 977) % 4000)  # 32 B .. 128 KiB


@pytest.mark.timeout_seconds(120)
def test_acknowledged_objects_survive_sigkill(tmp_path):
    data_dir = str(tmp_path / "data")
    srv = sup.RunnelServer(data_dir=data_dir, log_path=str(tmp_path / "server.log")).start()
    s3 = client(srv.url)
    s3.create_bucket(Bucket="durable")
    upload = s3.create_multipart_upload(Bucket="durable", Key="in-progress")["UploadId"]
    part = os.urandom(64 * 1024)
    part_etag = s3.upload_part(Bucket="durable", Key="in-progress", UploadId=upload, PartNumber=1,
                               Body=part)["ETag"]

    acked: dict[str, bytes] = {}
    lock = threading.Lock()
    stop = threading.Event()

    def writer(w: int) -> None:
        c = client(srv.url)
        i = 0
        while not stop.is_set():
            key = f"w{w}/obj-{i:05d}"
            body = body_for(w, i)
            try:
                r = c.put_object(Bucket="durable", Key=key, Body=body)
            except Exception:
                return  # the server died under this request: not acknowledged
            assert r["ETag"] == f'"{hashlib.md5(body).hexdigest()}"'
            with lock:
                acked[key] = body
            i += 1

    threads = [threading.Thread(target=writer, args=(w,)) for w in range(4)]
    for t in threads:
        t.start()
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        with lock:
            if len(acked) >= 60:
                break
        time.sleep(0.02)
    srv.kill9()
    stop.set()
    for t in threads:
        t.join(timeout=10)
    assert len(acked) >= 60, srv.log_tail()

    srv2 = sup.RunnelServer(data_dir=data_dir, port=srv.port, log_path=str(tmp_path / "server2.log")).start()
    try:
        s3 = client(srv2.url)
        listed = {}
        for page in s3.get_paginator("list_objects_v2").paginate(Bucket="durable"):
            for o in page.get("Contents", []):
                listed[o["Key"]] = o
        missing = sorted(set(acked) - set(listed))
        assert not missing, f"acknowledged but lost: {missing[:5]}"
        for key, o in listed.items():  # acknowledged or not, what is listed is whole
            w, i = int(key[1:key.index("/")]), int(key.rsplit("-", 1)[1])
            want = body_for(w, i)
            got = s3.get_object(Bucket="durable", Key=key)["Body"].read()
            assert got == want, key
            assert o["Size"] == len(want)
        parts = s3.list_parts(Bucket="durable", Key="in-progress", UploadId=upload)["Parts"]
        assert [(p["PartNumber"], p["ETag"]) for p in parts] == [(1, part_etag)]
        store = os.path.join(data_dir, "s3")
        assert os.listdir(os.path.join(store, "tmp")) == []
        # One blob per object and per part: no orphan survived the reopen.
        assert len(os.listdir(os.path.join(store, "blobs"))) == len(listed) + 1
    finally:
        assert srv2.terminate() == 0, srv2.log_tail()
