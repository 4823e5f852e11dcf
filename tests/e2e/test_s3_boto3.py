"""The embedded S3 store with boto3's `s3` client (path-style addressing)
against the shared server: buckets, objects (metadata, Content-MD5, ranges,
conditions), copies, listings (v2 with delimiters, pages and
encoding-type=url; v1 with markers), DeleteObjects, multipart uploads (by
hand and through boto3's transfer manager, with its flexible checksums), and
S3's error codes. Expected values come from S3's API reference (ETag is the
MD5 in hex, a multipart ETag the MD5 of the parts' MD5s with "-N", ...), never
from what runnel answers.
"""
from __future__ import annotations

import base64
import datetime
import hashlib
import os
import uuid

import boto3
import pytest
from boto3.s3.transfer import TransferConfig
from botocore.config import Config
from botocore.exceptions import ClientError

import e2e_support as sup

MiB = 1024 * 1024


def s3_client(url: str | None = None, **config):
    return boto3.client(
        "s3", endpoint_url=url or sup.endpoint(), region_name="us-east-1",
        aws_access_key_id="AKIDEXAMPLE", aws_secret_access_key="dummy-secret",
        config=Config(s3={"addressing_style": "path"}, retries={"max_attempts": 1}, **config))


@pytest.fixture(scope="module")
def s3():
    return s3_client()


@pytest.fixture()
def bucket(s3):
    name = f"e2e-{uuid.uuid4().hex[:16]}"
    s3.create_bucket(Bucket=name)
    yield name
    # Empty it and remove it (also proves DeleteBucket after cleanup).
    for page in s3.get_paginator("list_objects_v2").paginate(Bucket=name):
        for o in page.get("Contents", []):
            s3.delete_object(Bucket=name, Key=o["Key"])
    for u in s3.list_multipart_uploads(Bucket=name).get("Uploads", []):
        s3.abort_multipart_upload(Bucket=name, Key=u["Key"], UploadId=u["UploadId"])
    s3.delete_bucket(Bucket=name)


def code(excinfo) -> str:
    return excinfo.value.response["Error"]["Code"]


def md5_hex(b: bytes) -> str:
    return hashlib.md5(b).hexdigest()


def test_buckets_create_head_list_delete(s3):
    name = f"e2e-{uuid.uuid4().hex[:16]}"
    s3.create_bucket(Bucket=name)
    s3.head_bucket(Bucket=name)
    assert name in [b["Name"] for b in s3.list_buckets()["Buckets"]]
    with pytest.raises(ClientError) as e:
        s3.create_bucket(Bucket=name)
    assert code(e) == "BucketAlreadyOwnedByYou"
    assert e.value.response["ResponseMetadata"]["HTTPStatusCode"] == 409
    s3.put_object(Bucket=name, Key="x", Body=b"1")
    with pytest.raises(ClientError) as e:
        s3.delete_bucket(Bucket=name)
    assert code(e) == "BucketNotEmpty"
    s3.delete_object(Bucket=name, Key="x")
    s3.delete_bucket(Bucket=name)
    with pytest.raises(ClientError) as e:
        s3.head_bucket(Bucket=name)
    assert e.value.response["Error"]["Code"] == "404"
    with pytest.raises(ClientError) as e:
        s3.list_objects_v2(Bucket=name)
    assert code(e) == "NoSuchBucket"
    assert e.value.response["Error"]["Message"] == "The specified bucket does not exist"


def test_bad_bucket_name_reaches_boto3_as_s3s_error(s3):
    # Uppercase passes botocore's own checks in path style; S3 refuses it.
    with pytest.raises(ClientError) as e:
        s3.create_bucket(Bucket="Upper-Case-Bucket")
    assert code(e) == "InvalidBucketName"


def test_put_get_head_with_metadata(s3, bucket):
    body = os.urandom(1000)
    r = s3.put_object(Bucket=bucket, Key="dir/obj one+two.bin", Body=body, ContentType="application/x-test",
                      ContentEncoding="identity", Metadata={"Owner": "me", "n": "42"})
    assert r["ETag"] == f'"{md5_hex(body)}"'
    g = s3.get_object(Bucket=bucket, Key="dir/obj one+two.bin")
    assert g["Body"].read() == body
    assert g["ContentType"] == "application/x-test"
    assert g["ContentEncoding"] == "identity"
    assert g["Metadata"] == {"owner": "me", "n": "42"}
    assert g["ContentLength"] == 1000
    assert g["ETag"] == r["ETag"]
    h = s3.head_object(Bucket=bucket, Key="dir/obj one+two.bin")
    assert h["ContentLength"] == 1000
    assert h["ETag"] == r["ETag"]
    assert abs((h["LastModified"] - datetime.datetime.now(datetime.timezone.utc)).total_seconds()) < 60
    with pytest.raises(ClientError) as e:
        s3.get_object(Bucket=bucket, Key="missing")
    assert code(e) == "NoSuchKey"
    assert e.value.response["Error"]["Message"] == "The specified key does not exist."
    with pytest.raises(ClientError) as e:
        s3.head_object(Bucket=bucket, Key="missing")
    assert e.value.response["ResponseMetadata"]["HTTPStatusCode"] == 404


def test_content_md5_is_checked(s3, bucket):
    good = base64.b64encode(hashlib.md5(b"payload").digest()).decode()
    s3.put_object(Bucket=bucket, Key="k", Body=b"payload", ContentMD5=good)
    with pytest.raises(ClientError) as e:
        s3.put_object(Bucket=bucket, Key="k2", Body=b"payloaD", ContentMD5=good)
    assert code(e) == "BadDigest"
    with pytest.raises(ClientError) as e:
        s3.head_object(Bucket=bucket, Key="k2")


def test_ranges_and_conditions(s3, bucket):
    body = bytes(range(256)) * 4
    etag = s3.put_object(Bucket=bucket, Key="r", Body=body)["ETag"]
    for rng, want, cr in [("bytes=0-9", body[:10], "bytes 0-9/1024"), ("bytes=1000-", body[1000:], "bytes 1000-1023/1024"),
                          ("bytes=-24", body[-24:], "bytes 1000-1023/1024"), ("bytes=1020-5000", body[1020:], "bytes 1020-1023/1024")]:
        g = s3.get_object(Bucket=bucket, Key="r", Range=rng)
        assert g["ResponseMetadata"]["HTTPStatusCode"] == 206
        assert g["ContentRange"] == cr
        assert g["Body"].read() == want
    with pytest.raises(ClientError) as e:
        s3.get_object(Bucket=bucket, Key="r", Range="bytes=1024-")
    assert code(e) == "InvalidRange"
    assert e.value.response["ResponseMetadata"]["HTTPStatusCode"] == 416
    with pytest.raises(ClientError) as e:
        s3.get_object(Bucket=bucket, Key="r", IfNoneMatch=etag)
    assert e.value.response["ResponseMetadata"]["HTTPStatusCode"] == 304
    assert s3.get_object(Bucket=bucket, Key="r", IfMatch=etag)["Body"].read() == body
    with pytest.raises(ClientError) as e:
        s3.get_object(Bucket=bucket, Key="r", IfMatch='"0123"')
    assert code(e) == "PreconditionFailed"
    future = datetime.datetime.now(datetime.timezone.utc) + datetime.timedelta(hours=1)
    with pytest.raises(ClientError) as e:
        s3.get_object(Bucket=bucket, Key="r", IfModifiedSince=future)
    assert e.value.response["ResponseMetadata"]["HTTPStatusCode"] == 304


def test_copy_object_metadata_directive(s3, bucket):
    s3.put_object(Bucket=bucket, Key="src", Body=b"copy me", ContentType="text/plain", Metadata={"a": "1"})
    r = s3.copy_object(Bucket=bucket, Key="dst", CopySource={"Bucket": bucket, "Key": "src"})
    assert r["CopyObjectResult"]["ETag"] == f'"{md5_hex(b"copy me")}"'
    g = s3.get_object(Bucket=bucket, Key="dst")
    assert (g["Body"].read(), g["Metadata"], g["ContentType"]) == (b"copy me", {"a": "1"}, "text/plain")
    s3.copy_object(Bucket=bucket, Key="dst2", CopySource=f"{bucket}/src", MetadataDirective="REPLACE",
                   Metadata={"b": "2"}, ContentType="application/json")
    g = s3.get_object(Bucket=bucket, Key="dst2")
    assert (g["Metadata"], g["ContentType"]) == ({"b": "2"}, "application/json")
    with pytest.raises(ClientError) as e:
        s3.copy_object(Bucket=bucket, Key="x", CopySource={"Bucket": bucket, "Key": "nope"})
    assert code(e) == "NoSuchKey"


def test_list_objects_v2_delimiter_pages_and_url_encoding(s3, bucket):
    keys = ["a/1", "a/2", "b/c/d", "e f", "g+h", "z"]
    for k in keys:
        s3.put_object(Bucket=bucket, Key=k, Body=k.encode())
    r = s3.list_objects_v2(Bucket=bucket, Delimiter="/")
    assert [p["Prefix"] for p in r["CommonPrefixes"]] == ["a/", "b/"]
    assert [o["Key"] for o in r["Contents"]] == ["e f", "g+h", "z"]  # boto3 asks for url encoding and decodes
    assert r["KeyCount"] == 5
    got = []
    for page in s3.get_paginator("list_objects_v2").paginate(Bucket=bucket, PaginationConfig={"PageSize": 2}):
        assert page["KeyCount"] <= 2
        got += [o["Key"] for o in page.get("Contents", [])]
    assert got == sorted(keys)
    r = s3.list_objects_v2(Bucket=bucket, Prefix="a/", StartAfter="a/1")
    assert [o["Key"] for o in r["Contents"]] == ["a/2"]
    r = s3.list_objects_v2(Bucket=bucket, MaxKeys=0)
    assert r["KeyCount"] == 0
    o = s3.list_objects_v2(Bucket=bucket, Prefix="z")["Contents"][0]
    assert (o["Size"], o["ETag"], o["StorageClass"]) == (1, f'"{md5_hex(b"z")}"', "STANDARD")


def test_list_objects_v1_markers(s3, bucket):
    for k in ["k1", "k2", "k3"]:
        s3.put_object(Bucket=bucket, Key=k, Body=b"")
    r = s3.list_objects(Bucket=bucket, MaxKeys=2)
    assert [o["Key"] for o in r["Contents"]] == ["k1", "k2"] and r["IsTruncated"]
    assert all(o["Owner"]["ID"] for o in r["Contents"])  # v1 always names the owner
    r = s3.list_objects(Bucket=bucket, Marker="k2")
    assert [o["Key"] for o in r["Contents"]] == ["k3"] and not r["IsTruncated"]
    assert "Owner" not in s3.list_objects_v2(Bucket=bucket)["Contents"][0]
    assert s3.list_objects_v2(Bucket=bucket, FetchOwner=True)["Contents"][0]["Owner"]["ID"]


def test_delete_objects_quiet_and_verbose(s3, bucket):
    for k in ["d1", "d2", "d3"]:
        s3.put_object(Bucket=bucket, Key=k, Body=b"x")
    r = s3.delete_objects(Bucket=bucket, Delete={"Objects": [{"Key": "d1"}, {"Key": "never"}]})
    assert sorted(d["Key"] for d in r["Deleted"]) == ["d1", "never"]
    r = s3.delete_objects(Bucket=bucket, Delete={"Objects": [{"Key": "d2"}], "Quiet": True})
    assert "Deleted" not in r and "Errors" not in r
    assert [o["Key"] for o in s3.list_objects_v2(Bucket=bucket)["Contents"]] == ["d3"]


def test_multipart_by_hand(s3, bucket):
    part1, part2 = os.urandom(5 * MiB), os.urandom(1234)
    up = s3.create_multipart_upload(Bucket=bucket, Key="mp", ContentType="video/mp4", Metadata={"m": "v"})
    uid = up["UploadId"]
    assert [u["UploadId"] for u in s3.list_multipart_uploads(Bucket=bucket)["Uploads"]] == [uid]
    e1 = s3.upload_part(Bucket=bucket, Key="mp", UploadId=uid, PartNumber=1, Body=part1)["ETag"]
    e2 = s3.upload_part(Bucket=bucket, Key="mp", UploadId=uid, PartNumber=2, Body=part2)["ETag"]
    assert e1 == f'"{md5_hex(part1)}"'
    parts = s3.list_parts(Bucket=bucket, Key="mp", UploadId=uid)["Parts"]
    assert [(p["PartNumber"], p["Size"], p["ETag"]) for p in parts] == [(1, 5 * MiB, e1), (2, 1234, e2)]
    with pytest.raises(ClientError) as e:
        s3.complete_multipart_upload(Bucket=bucket, Key="mp", UploadId=uid, MultipartUpload={
            "Parts": [{"PartNumber": 2, "ETag": e2}, {"PartNumber": 1, "ETag": e1}]})
    assert code(e) == "InvalidPartOrder"
    with pytest.raises(ClientError) as e:
        s3.complete_multipart_upload(Bucket=bucket, Key="mp", UploadId=uid, MultipartUpload={
            "Parts": [{"PartNumber": 1, "ETag": e2}]})
    assert code(e) == "InvalidPart"
    with pytest.raises(ClientError) as e:  # a part that is not the last below 5 MiB
        s3.complete_multipart_upload(Bucket=bucket, Key="mp", UploadId=uid, MultipartUpload={
            "Parts": [{"PartNumber": 2, "ETag": e2}, {"PartNumber": 3, "ETag": e2}]})
    assert code(e) in ("InvalidPart", "EntityTooSmall")
    r = s3.complete_multipart_upload(Bucket=bucket, Key="mp", UploadId=uid, MultipartUpload={
        "Parts": [{"PartNumber": 1, "ETag": e1}, {"PartNumber": 2, "ETag": e2}]})
    want = hashlib.md5(hashlib.md5(part1).digest() + hashlib.md5(part2).digest()).hexdigest() + "-2"
    assert r["ETag"] == f'"{want}"'
    g = s3.get_object(Bucket=bucket, Key="mp")
    assert g["Body"].read() == part1 + part2
    assert (g["ContentType"], g["Metadata"]) == ("video/mp4", {"m": "v"})
    with pytest.raises(ClientError) as e:
        s3.list_parts(Bucket=bucket, Key="mp", UploadId=uid)
    assert code(e) == "NoSuchUpload"


def test_entity_too_small(s3, bucket):
    uid = s3.create_multipart_upload(Bucket=bucket, Key="small")["UploadId"]
    e1 = s3.upload_part(Bucket=bucket, Key="small", UploadId=uid, PartNumber=1, Body=b"tiny")["ETag"]
    e2 = s3.upload_part(Bucket=bucket, Key="small", UploadId=uid, PartNumber=2, Body=b"tail")["ETag"]
    with pytest.raises(ClientError) as e:
        s3.complete_multipart_upload(Bucket=bucket, Key="small", UploadId=uid, MultipartUpload={
            "Parts": [{"PartNumber": 1, "ETag": e1}, {"PartNumber": 2, "ETag": e2}]})
    assert code(e) == "EntityTooSmall"
    s3.abort_multipart_upload(Bucket=bucket, Key="small", UploadId=uid)
    with pytest.raises(ClientError) as e:
        s3.abort_multipart_upload(Bucket=bucket, Key="small", UploadId=uid)
    assert code(e) == "NoSuchUpload"


@pytest.mark.timeout_seconds(180)
@pytest.mark.parametrize("checksum", ["CRC32", "SHA256"])
def test_transfer_manager_multipart_with_flexible_checksums(s3, bucket, tmp_path, checksum):
    src = tmp_path / "big.bin"
    data = os.urandom(18 * MiB + 17)
    src.write_bytes(data)
    cfg = TransferConfig(multipart_threshold=8 * MiB, multipart_chunksize=8 * MiB)
    s3.upload_file(str(src), bucket, "big.bin", Config=cfg, ExtraArgs={"ChecksumAlgorithm": checksum})
    h = s3.head_object(Bucket=bucket, Key="big.bin")
    assert h["ContentLength"] == len(data)
    assert h["ETag"].endswith('-3"')
    dst = tmp_path / "back.bin"
    s3.download_file(bucket, "big.bin", str(dst), Config=cfg)  # ranged GETs
    assert dst.read_bytes() == data


def test_not_implemented_operations_say_so(s3, bucket):
    with pytest.raises(ClientError) as e:
        s3.get_bucket_tagging(Bucket=bucket)
    assert code(e) == "NotImplemented"
    assert e.value.response["ResponseMetadata"]["HTTPStatusCode"] == 501
    assert "GetBucketTagging" in e.value.response["Error"]["Message"]
