"""Firehose delivery, end to end: records put with boto3 and the AWS CLI land
as objects in runnel's embedded S3 store (read back with boto3's s3 client),
named, compressed and prefixed as AWS does; an HTTP endpoint written from
AWS's specification receives them; `kill -9` loses nothing acknowledged.
"""
from __future__ import annotations

import base64
import gzip
import io
import json
import os
import re
import subprocess
import threading
import time
import zipfile

import boto3
import pytest
from botocore.config import Config

import e2e_support as sup
import snappy_reader
from firehose_receiver import LambdaFunctions, Receiver

ROLE = "arn:aws:iam::000000000000:role/firehose"
UUID = r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}"


def client(service: str, url: str | None = None):
    config = Config(region_name=sup.REGION, retries={"total_max_attempts": 1, "mode": "standard"},
                    s3={"addressing_style": "path"}, connect_timeout=5, read_timeout=30)
    return boto3.client(service, endpoint_url=url or sup.endpoint(), aws_access_key_id="AKIDEXAMPLE",
                        aws_secret_access_key="dummy-secret", config=config)


@pytest.fixture(scope="module")
def firehose():
    return client("firehose")


@pytest.fixture(scope="module")
def s3():
    return client("s3")


def make_bucket(s3) -> str:
    name = "fh-" + sup.unique_name("b").lower().replace("_", "-")[:40]
    s3.create_bucket(Bucket=name)
    return name


def wait_active(firehose, name: str, timeout: float = 15.0) -> dict:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        d = firehose.describe_delivery_stream(DeliveryStreamName=name)["DeliveryStreamDescription"]
        if d["DeliveryStreamStatus"] == "ACTIVE":
            return d
        assert d["DeliveryStreamStatus"] == "CREATING", d
        time.sleep(0.1)
    raise AssertionError(f"{name} not ACTIVE within {timeout}s")


def create_s3_stream(firehose, bucket: str, interval: int = 0, size: int = 1, **extra) -> str:
    name = sup.unique_name("fh")
    config = {"RoleARN": ROLE, "BucketARN": f"arn:aws:s3:::{bucket}",
              "BufferingHints": {"SizeInMBs": size, "IntervalInSeconds": interval}, **extra}
    firehose.create_delivery_stream(DeliveryStreamName=name, DeliveryStreamType="DirectPut",
                                    ExtendedS3DestinationConfiguration=config)
    wait_active(firehose, name)
    return name


def objects(s3, bucket: str, prefix: str = "") -> dict[str, bytes]:
    out = {}
    for page in s3.get_paginator("list_objects_v2").paginate(Bucket=bucket, Prefix=prefix):
        for o in page.get("Contents", []):
            out[o["Key"]] = s3.get_object(Bucket=bucket, Key=o["Key"])["Body"].read()
    return out


def wait_objects(s3, bucket: str, count: int = 1, prefix: str = "", timeout: float = 20.0) -> dict[str, bytes]:
    deadline = time.monotonic() + timeout
    found = {}
    while time.monotonic() < deadline:
        found = objects(s3, bucket, prefix)
        if len(found) >= count:
            return found
        time.sleep(0.2)
    raise AssertionError(f"{count} objects under s3://{bucket}/{prefix} expected, found {sorted(found)}")


def hour_prefix(t: float) -> str:
    return time.strftime("%Y/%m/%d/%H/", time.gmtime(t))


def test_put_record_batch_lands_as_one_object_named_as_aws_names_it(firehose, s3):
    bucket = make_bucket(s3)
    name = create_s3_stream(firehose, bucket)
    before = time.time()
    records = [f'{{"n":{i}}}\n'.encode() for i in range(50)]
    out = firehose.put_record_batch(DeliveryStreamName=name, Records=[{"Data": r} for r in records])
    assert out["FailedPutCount"] == 0
    found = wait_objects(s3, bucket)
    assert len(found) == 1
    key, body = next(iter(found.items()))
    assert body == b"".join(records)
    # <YYYY/MM/dd/HH/><stream>-<version>-<yyyy-MM-dd-HH-mm-ss>-<uuid>
    m = re.fullmatch(r"(\d{4}/\d{2}/\d{2}/\d{2}/)" + re.escape(name) +
                     r"-1-(\d{4})-(\d{2})-(\d{2})-(\d{2})-(\d{2})-(\d{2})-" + UUID, key)
    assert m, key
    assert m.group(1) in (hour_prefix(before), hour_prefix(time.time()))
    stamp = time.mktime(time.strptime("-".join(m.groups()[1:]), "%Y-%m-%d-%H-%M-%S")) - time.timezone
    assert before - 2 <= stamp <= time.time() + 1


@pytest.mark.parametrize("fmt,ext", [("GZIP", ".gz"), ("ZIP", ".zip"), ("Snappy", ".snappy"),
                                     ("HADOOP_SNAPPY", ".snappy")])
def test_compressed_objects_decompress_with_standard_readers(firehose, s3, fmt, ext):
    bucket = make_bucket(s3)
    name = create_s3_stream(firehose, bucket, CompressionFormat=fmt)
    records = [os.urandom(100) + b"|" + (b"text %d " % i) * 40 for i in range(300)]
    firehose.put_record_batch(DeliveryStreamName=name, Records=[{"Data": r} for r in records])
    key, body = next(iter(wait_objects(s3, bucket).items()))
    assert key.endswith(ext), key
    if fmt == "GZIP":
        plain = gzip.decompress(body)
    elif fmt == "ZIP":
        with zipfile.ZipFile(io.BytesIO(body)) as z:
            assert len(z.namelist()) == 1
            plain = z.read(z.namelist()[0])
    elif fmt == "Snappy":
        plain = snappy_reader.uncompress_framed(body)
    else:
        plain = snappy_reader.uncompress_hadoop(body)
    assert plain == b"".join(records)


def test_custom_prefix_extension_and_delimiter(firehose, s3):
    bucket = make_bucket(s3)
    name = create_s3_stream(
        firehose, bucket, Prefix="logs/year=!{timestamp:yyyy}/", ErrorOutputPrefix="errors/!{firehose:error-output-type}/",
        FileExtension=".jsonl",
        ProcessingConfiguration={"Enabled": True, "Processors": [{"Type": "AppendDelimiterToRecord"}]})
    firehose.put_record(DeliveryStreamName=name, Record={"Data": b'{"a":1}'})
    firehose.put_record(DeliveryStreamName=name, Record={"Data": b'{"a":2}'})
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        found = objects(s3, bucket, "logs/")
        if sum(len(v) for v in found.values()) >= 16:
            break
        time.sleep(0.2)
    # Two puts may make one object or two.
    assert sorted(b"".join(found.values()).splitlines(keepends=True)) == [b'{"a":1}\n', b'{"a":2}\n']
    for key in found:
        assert re.fullmatch(r"logs/year=\d{4}/" + re.escape(name) + r"-1-[\d-]{19}-" + UUID + r"\.jsonl", key), key


def test_size_hint_cuts_objects_before_the_interval(firehose, s3):
    bucket = make_bucket(s3)
    name = create_s3_stream(firehose, bucket, interval=900, size=1)
    chunk = b"x" * 1000
    for _ in range(5):  # 5 × 500 KB = 2.5 MB, more than two 1 MiB buffers
        out = firehose.put_record_batch(DeliveryStreamName=name, Records=[{"Data": chunk}] * 500)
        assert out["FailedPutCount"] == 0, out["RequestResponses"][0]
    found = wait_objects(s3, bucket, count=2)
    assert all(len(b) >= 1 << 20 for b in found.values()), [len(b) for b in found.values()]


def test_update_destination_bumps_the_version_in_object_names(firehose, s3):
    bucket = make_bucket(s3)
    name = create_s3_stream(firehose, bucket)
    d = firehose.describe_delivery_stream(DeliveryStreamName=name)["DeliveryStreamDescription"]
    firehose.update_destination(DeliveryStreamName=name, CurrentDeliveryStreamVersionId=d["VersionId"],
                                DestinationId=d["Destinations"][0]["DestinationId"],
                                ExtendedS3DestinationUpdate={"Prefix": "v2/"})
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        firehose.put_record(DeliveryStreamName=name, Record={"Data": b"after"})
        found = objects(s3, bucket, "v2/")
        if found:
            break
        time.sleep(0.3)
    assert any(re.search(re.escape(name) + r"-2-", k) for k in found), sorted(found)


def test_aws_cli_puts_and_lists(firehose, s3):
    bucket = make_bucket(s3)
    name = create_s3_stream(firehose, bucket)
    env = dict(os.environ)
    base = ["aws", "--endpoint-url", sup.endpoint(), "--region", sup.REGION, "--output", "json"]
    out = subprocess.run(base + ["firehose", "put-record", "--delivery-stream-name", name, "--record",
                                 '{"Data":"aGVsbG8gZnJvbSB0aGUgY2xp"}'],  # v2 CLI: blobs are base64
                         capture_output=True, text=True, env=env, timeout=60)
    assert out.returncode == 0, out.stderr
    assert json.loads(out.stdout)["RecordId"]
    wait_objects(s3, bucket)
    ls = subprocess.run(base + ["s3", "ls", f"s3://{bucket}/", "--recursive"], capture_output=True, text=True,
                        env=env, timeout=60)
    assert ls.returncode == 0, ls.stderr
    assert name + "-1-" in ls.stdout


def test_aws_firehose_metrics_count_what_arrived_and_was_delivered(firehose, s3):
    bucket = make_bucket(s3)
    name = create_s3_stream(firehose, bucket)
    firehose.put_record_batch(DeliveryStreamName=name, Records=[{"Data": b"m" * 100}] * 7)
    firehose.put_record(DeliveryStreamName=name, Record={"Data": b"n" * 50})
    wait_objects(s3, bucket)
    cw = client("cloudwatch")
    start = time.time() - 600

    def total(metric: str) -> float:
        out = cw.get_metric_statistics(Namespace="AWS/Firehose", MetricName=metric,
                                       Dimensions=[{"Name": "DeliveryStreamName", "Value": name}],
                                       StartTime=start, EndTime=time.time() + 600, Period=60,
                                       Statistics=["Sum"])
        return sum(p["Sum"] for p in out["Datapoints"])

    want = {"IncomingRecords": 8, "IncomingBytes": 750, "IncomingPutRequests": 2,
            "DeliveryToS3.Records": 8, "DeliveryToS3.Bytes": 750}
    deadline = time.monotonic() + 20
    got = {}
    while time.monotonic() < deadline:
        got = {m: total(m) for m in want}
        if got == want:
            break
        time.sleep(0.5)  # metrics are flushed about every second
    assert got == want
    assert total("DeliveryToS3.Success") >= 1


# ---- dynamic partitioning and a Kinesis source


def test_dynamic_partitioning_names_objects_by_partition_keys(firehose, s3):
    bucket = make_bucket(s3)
    name = create_s3_stream(
        firehose, bucket, interval=60, size=64,
        Prefix="customer=!{partitionKeyFromQuery:customer}/",
        ErrorOutputPrefix="errors/!{firehose:error-output-type}/",
        DynamicPartitioningConfiguration={"Enabled": True},
        ProcessingConfiguration={"Enabled": True, "Processors": [
            {"Type": "MetadataExtraction", "Parameters": [
                {"ParameterName": "MetadataExtractionQuery", "ParameterValue": "{customer:.customer}"},
                {"ParameterName": "JsonParsingEngine", "ParameterValue": "JQ-1.6"}]},
            {"Type": "AppendDelimiterToRecord"}]})
    records = [{"customer": c, "n": i} for i, c in enumerate(["acme", "zeta", "acme"])]
    firehose.put_record_batch(DeliveryStreamName=name,
                              Records=[{"Data": json.dumps(r).encode()} for r in records] + [{"Data": b"oops"}])
    # The unparseable record goes out at once; the partitions after their 60 s.
    errors = wait_objects(s3, bucket, prefix="errors/")
    (key, body), = errors.items()
    assert key.startswith("errors/processing-failed/"), key
    found = wait_objects(s3, bucket, count=2, prefix="customer=", timeout=90)
    by_customer = {k.split("/")[0]: v for k, v in found.items()}
    assert by_customer["customer=acme"] == b'{"customer": "acme", "n": 0}\n{"customer": "acme", "n": 2}\n'
    assert by_customer["customer=zeta"] == b'{"customer": "zeta", "n": 1}\n'


def test_kinesis_stream_as_source_delivers_what_the_stream_gets(firehose, s3):
    kinesis = client("kinesis")
    stream = sup.unique_name("src")
    kinesis.create_stream(StreamName=stream, ShardCount=2)
    sup.wait_active(kinesis, stream)
    bucket = make_bucket(s3)
    name = sup.unique_name("fhk")
    firehose.create_delivery_stream(
        DeliveryStreamName=name, DeliveryStreamType="KinesisStreamAsSource",
        KinesisStreamSourceConfiguration={"KinesisStreamARN": sup.stream_arn(stream), "RoleARN": ROLE},
        ExtendedS3DestinationConfiguration={"RoleARN": ROLE, "BucketARN": f"arn:aws:s3:::{bucket}",
                                            "BufferingHints": {"SizeInMBs": 1, "IntervalInSeconds": 0}})
    d = wait_active(firehose, name)
    assert d["Source"]["KinesisStreamSourceDescription"]["KinesisStreamARN"] == sup.stream_arn(stream)
    # PutRecord on a Kinesis-sourced delivery stream is refused.
    with pytest.raises(firehose.exceptions.InvalidArgumentException):
        firehose.put_record(DeliveryStreamName=name, Record={"Data": b"x"})
    sent = [f"rec-{i};".encode() for i in range(40)]
    kinesis.put_records(StreamName=stream, Records=[{"Data": r, "PartitionKey": str(i)} for i, r in enumerate(sent)])
    deadline = time.monotonic() + 30
    got = b""
    while time.monotonic() < deadline:
        got = b"".join(objects(s3, bucket).values())
        if len(got) >= sum(map(len, sent)):
            break
        time.sleep(0.3)
    assert sorted(x for x in got.split(b";") if x) == sorted(r[:-1] for r in sent)


# ---- HTTP endpoint


def create_http_stream(firehose, receiver: Receiver, bucket: str, retry_s: int = 60, mode: str = "FailedDataOnly",
                       encoding: str = "NONE", access_key: str | None = None) -> str:
    name = sup.unique_name("fhh")
    endpoint = {"Url": receiver.url, "Name": "test receiver"}
    if access_key:
        endpoint["AccessKey"] = access_key
    firehose.create_delivery_stream(
        DeliveryStreamName=name, DeliveryStreamType="DirectPut",
        HttpEndpointDestinationConfiguration={
            "EndpointConfiguration": endpoint,
            "BufferingHints": {"SizeInMBs": 1, "IntervalInSeconds": 0},
            "RequestConfiguration": {"ContentEncoding": encoding,
                                     "CommonAttributes": [{"AttributeName": "team", "AttributeValue": "streams"}]},
            "RetryOptions": {"DurationInSeconds": retry_s},
            "RoleARN": ROLE, "S3BackupMode": mode,
            "S3Configuration": {"RoleARN": ROLE, "BucketARN": f"arn:aws:s3:::{bucket}",
                                "BufferingHints": {"SizeInMBs": 1, "IntervalInSeconds": 0}}})
    wait_active(firehose, name)
    return name


@pytest.fixture
def receiver():
    r = Receiver(access_key="secret-key").start()
    yield r
    r.stop()


def wait_until(pred, timeout: float = 20.0):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if pred():
            return
        time.sleep(0.1)
    raise AssertionError("condition not met in time")


def test_http_endpoint_gets_the_specified_request(firehose, s3, receiver):
    bucket = make_bucket(s3)
    name = create_http_stream(firehose, receiver, bucket, encoding="GZIP", access_key="secret-key")
    records = [b"alpha", b"\x00\xffbinary", b'{"json":true}']
    firehose.put_record_batch(DeliveryStreamName=name, Records=[{"Data": r} for r in records])
    wait_until(lambda: len(receiver.records()) == 3)
    assert receiver.problems == []
    req = receiver.accepted()[0]
    assert req.records == records
    assert req.gzip
    assert req.headers["x-amz-firehose-source-arn"].endswith(":deliverystream/" + name)
    assert json.loads(req.headers["x-amz-firehose-common-attributes"]) == {"commonAttributes": {"team": "streams"}}
    assert re.fullmatch(UUID, req.request_id)
    assert abs(req.timestamp / 1000 - time.time()) < 60


def test_http_endpoint_retries_with_the_same_request_id(firehose, s3, receiver):
    bucket = make_bucket(s3)
    receiver.failures = [500, "wrong-id"]
    name = create_http_stream(firehose, receiver, bucket, access_key="secret-key")
    firehose.put_record(DeliveryStreamName=name, Record={"Data": b"again"})
    wait_until(lambda: receiver.records() == [b"again"], timeout=30)
    ids = {r.request_id for r in receiver.requests}
    assert len(receiver.requests) == 3 and len(ids) == 1
    assert objects(s3, bucket) == {}


def test_http_endpoint_failures_go_to_the_backup_bucket_as_error_records(firehose, s3, receiver):
    bucket = make_bucket(s3)
    receiver.failures = [413]
    name = create_http_stream(firehose, receiver, bucket, access_key="secret-key")
    firehose.put_record(DeliveryStreamName=name, Record={"Data": b"too big"})
    found = wait_objects(s3, bucket)
    (key, body), = found.items()
    assert key.startswith("http-endpoint-failed/"), key
    rec = json.loads(body.decode().splitlines()[0])
    assert rec["rawData"] == "dG9vIGJpZw=="
    assert rec["attemptsMade"] == 1
    for field in ("arrivalTimestamp", "errorCode", "errorMessage", "attemptEndingTimestamp"):
        assert field in rec
    assert len(receiver.requests) == 1  # 413 is not retried


def test_http_endpoint_all_data_backup(firehose, s3, receiver):
    bucket = make_bucket(s3)
    name = create_http_stream(firehose, receiver, bucket, mode="AllData", access_key="secret-key")
    firehose.put_record(DeliveryStreamName=name, Record={"Data": b"both places"})
    wait_until(lambda: receiver.records() == [b"both places"])
    found = wait_objects(s3, bucket)
    assert list(found.values()) == [b"both places"]


# ---- Lambda transformation


@pytest.fixture
def lambda_runnel(tmp_path):
    """A runnel of its own whose --lambda-endpoint is a LambdaFunctions."""
    functions = LambdaFunctions().start()
    server = sup.RunnelServer(data_dir=str(tmp_path / "data"), extra_args=["--lambda-endpoint", functions.url]).start()
    try:
        yield functions, server
    finally:
        server.kill9()
        functions.stop()


def test_lambda_transforms_drops_and_fails_records(lambda_runnel):
    functions, server = lambda_runnel
    fh = client("firehose", server.url)
    s3c = client("s3", server.url)
    bucket = make_bucket(s3c)
    lambda_arn = "arn:aws:lambda:us-east-1:000000000000:function:upper"
    name = create_s3_stream(
        fh, bucket, ErrorOutputPrefix="errors/!{firehose:error-output-type}/",
        ProcessingConfiguration={"Enabled": True, "Processors": [
            {"Type": "Lambda", "Parameters": [
                {"ParameterName": "LambdaArn", "ParameterValue": lambda_arn},
                {"ParameterName": "BufferSizeInMBs", "ParameterValue": "0.2"},
                {"ParameterName": "NumberOfRetries", "ParameterValue": "1"}]}]})
    # More than the 0.2 MB Lambda buffer, so the function is invoked at
    # once rather than after BufferIntervalInSeconds (60 s at least).
    filler = b"f" * 220_000
    fh.put_record_batch(DeliveryStreamName=name, Records=[
        {"Data": b"alpha "}, {"Data": b"please drop me"}, {"Data": b"this will fail"}, {"Data": b"beta"},
        {"Data": filler}])
    found = wait_objects(s3c, bucket, count=3)
    # One invocation takes at most the 0.2 MB buffer: the small records,
    # then the filler; each result is delivered as its own object.
    delivered = sorted(v for k, v in found.items() if not k.startswith("errors/"))
    if len(delivered) == 1:
        assert delivered[0] in (b"ALPHA BETA" + filler.upper(), filler.upper() + b"ALPHA BETA")
    else:
        assert delivered == sorted([b"ALPHA BETA", filler.upper()])
    (err_key, err_body), = [(k, v) for k, v in found.items() if k.startswith("errors/")]
    assert err_key.startswith("errors/processing-failed/"), err_key
    rec = json.loads(err_body.decode().splitlines()[0])
    assert rec["errorCode"] == "Lambda.ProcessingFailedStatus"
    assert rec["lambdaArn"] == lambda_arn
    assert base64.b64decode(rec["rawData"]) == b"this will fail"
    event = functions.events[0]
    assert event["function"] in (lambda_arn.replace(":", "%3A"), lambda_arn)
    assert event["deliveryStreamArn"].endswith(":deliverystream/" + name)
    assert [base64.b64decode(r["data"]) for r in event["records"]][:2] == [b"alpha ", b"please drop me"]


def test_lambda_function_errors_become_processing_failures(lambda_runnel):
    functions, server = lambda_runnel
    fh = client("firehose", server.url)
    s3c = client("s3", server.url)
    bucket = make_bucket(s3c)
    name = create_s3_stream(
        fh, bucket, ErrorOutputPrefix="errors/!{firehose:error-output-type}/",
        ProcessingConfiguration={"Enabled": True, "Processors": [
            {"Type": "Lambda", "Parameters": [
                {"ParameterName": "LambdaArn",
                 "ParameterValue": "arn:aws:lambda:us-east-1:000000000000:function:broken"},
                {"ParameterName": "BufferSizeInMBs", "ParameterValue": "0.2"},
                {"ParameterName": "NumberOfRetries", "ParameterValue": "1"}]}]})
    fh.put_record(DeliveryStreamName=name, Record={"Data": b"x" * 220_000})
    (key, body), = wait_objects(s3c, bucket, timeout=30).items()
    assert key.startswith("errors/processing-failed/")
    rec = json.loads(body.decode().splitlines()[0])
    assert rec["errorCode"] == "Lambda.FunctionError"
    assert rec["attemptsMade"] >= 1
    assert len(functions.events) == 2  # the first try and NumberOfRetries=1


# ---- durability


def test_kill9_loses_no_acknowledged_record(tmp_path):
    """Producers put while the server is killed with SIGKILL three times, in
    the middle of buffering and of writing objects; after the last restart
    every acknowledged record is in some delivered object (at-least-once)."""
    server = sup.RunnelServer(data_dir=str(tmp_path / "data")).start()
    try:
        fh = client("firehose", server.url)
        s3c = client("s3", server.url)
        bucket = make_bucket(s3c)
        name = create_s3_stream(fh, bucket, interval=1, size=1)
        acked: list[bytes] = []
        stop = threading.Event()

        def produce(worker: int):
            n = 0
            while not stop.is_set():
                batch = [b"%d:%d:" % (worker, n + i) + b"p" * 2000 for i in range(100)]
                try:
                    out = client("firehose", server.url).put_record_batch(
                        DeliveryStreamName=name, Records=[{"Data": r} for r in batch])
                except Exception:
                    time.sleep(0.05)
                    continue
                for r, resp in zip(batch, out["RequestResponses"]):
                    if "RecordId" in resp:
                        acked.append(r)
                n += 100

        for _ in range(3):
            threads = [threading.Thread(target=produce, args=(w,)) for w in range(2)]
            for t in threads:
                t.start()
            time.sleep(1.5)
            server.kill9()
            stop.set()
            for t in threads:
                t.join()
            stop.clear()
            server.start()
        assert acked
        fh = client("firehose", server.url)
        s3c = client("s3", server.url)
        want = set(acked)
        deadline = time.monotonic() + 30
        got: set[bytes] = set()
        while time.monotonic() < deadline:
            got = set()
            for body in objects(s3c, bucket).values():
                for piece in body.split(b"p" * 2000):
                    if piece:
                        got.add(piece + b"p" * 2000)
            if want <= got:
                break
            time.sleep(0.5)
        missing = want - got
        assert not missing, f"{len(missing)} of {len(want)} acknowledged records never delivered"
    finally:
        server.kill9()
