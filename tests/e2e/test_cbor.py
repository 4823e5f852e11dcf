"""Hand-built CBOR requests, as the AWS SDK for Java (and so the KCL) sends them.

Content-Type application/x-amz-cbor-1.1; blobs are CBOR byte strings;
timestamps are tag 1 + integer epoch MILLISECONDS (not seconds, not floats).
Responses must come back in CBOR with the same conventions.
"""
from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
import time

import pytest

import e2e_support as sup
from cbor_codec import Tagged, decode, encode


def cbor_call(op: str, payload: dict, indefinite: bool = False, **kw) -> sup.RawResponse:
    return sup.raw_request(encode(payload, indefinite=indefinite), target=op,
                           content_type=sup.CBOR_CT, **kw)


def ok(resp: sup.RawResponse):
    assert resp.status == 200, (resp.status, resp.body[:500])
    assert resp.headers.get("content-type", "").startswith(sup.CBOR_CT), resp.headers
    return decode(resp.body) if resp.body else {}


def now_ms() -> int:
    return int(time.time() * 1000)


def assert_millis_timestamp(value, around_ms: int, slack_ms: int = 300_000) -> None:
    assert isinstance(value, Tagged) and value.tag == 1, f"want tag 1, got {value!r}"
    assert isinstance(value.value, int) and not isinstance(value.value, bool), \
        f"tag 1 must wrap an integer of milliseconds, got {value.value!r}"
    assert abs(value.value - around_ms) < slack_ms, \
        f"{value.value} is not epoch millis near {around_ms}"


@pytest.fixture
def cbor_stream(kinesis):
    name = sup.unique_name("cbor")
    resp = cbor_call("CreateStream", {"StreamName": name, "ShardCount": 2})
    assert resp.status == 200, resp
    try:
        sup.wait_active(kinesis, name)
        yield name
    finally:
        try:
            kinesis.delete_stream(StreamName=name)
        except Exception:
            pass


def test_describe_stream_summary_timestamp_is_tagged_integer_millis(cbor_stream):
    before = now_ms()
    out = ok(cbor_call("DescribeStreamSummary", {"StreamName": cbor_stream}))
    summary = out["StreamDescriptionSummary"]
    assert summary["StreamName"] == cbor_stream
    assert summary["StreamStatus"] == "ACTIVE"
    assert summary["OpenShardCount"] == 2
    assert summary["RetentionPeriodHours"] == 24
    assert_millis_timestamp(summary["StreamCreationTimestamp"], before)


def test_describe_stream_in_cbor(cbor_stream):
    out = ok(cbor_call("DescribeStream", {"StreamName": cbor_stream}))
    desc = out["StreamDescription"]
    assert [s["ShardId"] for s in desc["Shards"]] == ["shardId-000000000000", "shardId-000000000001"]
    assert desc["HasMoreShards"] is False
    assert_millis_timestamp(desc["StreamCreationTimestamp"], now_ms())


def test_put_get_records_round_trip(cbor_stream):
    payloads = [bytes(range(256)), b"", os.urandom(70_000), "text as bytes".encode()]
    results = []
    for i, data in enumerate(payloads):
        out = ok(cbor_call("PutRecord", {"StreamName": cbor_stream, "Data": data,
                                         "PartitionKey": f"pk-{i}", "ExplicitHashKey": "0"}))
        assert out["ShardId"] == "shardId-000000000000"
        assert sup.SEQ_RE.match(out["SequenceNumber"])
        results.append(out["SequenceNumber"])
    batch = ok(cbor_call("PutRecords", {"StreamName": cbor_stream, "Records": [
        {"Data": b"\x00batch-one", "PartitionKey": "b1", "ExplicitHashKey": "0"},
        {"Data": b"\xffbatch-two", "PartitionKey": "b2", "ExplicitHashKey": "0"},
    ]}))
    assert batch["FailedRecordCount"] == 0
    assert [r["ShardId"] for r in batch["Records"]] == ["shardId-000000000000"] * 2
    results.extend(r["SequenceNumber"] for r in batch["Records"])
    payloads += [b"\x00batch-one", b"\xffbatch-two"]

    it = ok(cbor_call("GetShardIterator", {"StreamName": cbor_stream, "ShardId": "shardId-000000000000",
                                           "ShardIteratorType": "TRIM_HORIZON"}))["ShardIterator"]
    got = ok(cbor_call("GetRecords", {"ShardIterator": it, "Limit": 100}))
    records = got["Records"]
    assert [r["SequenceNumber"] for r in records] == results
    for rec, data in zip(records, payloads):
        assert isinstance(rec["Data"], bytes), "Data must be a CBOR byte string"
        assert rec["Data"] == data
        assert_millis_timestamp(rec["ApproximateArrivalTimestamp"], now_ms())
    assert isinstance(got["MillisBehindLatest"], int)
    assert isinstance(got["NextShardIterator"], str)


def test_indefinite_length_maps_like_jackson(cbor_stream):
    out = ok(cbor_call("PutRecords", {"StreamName": cbor_stream, "Records": [
        {"Data": b"jackson", "PartitionKey": "j", "ExplicitHashKey": "0"}]}, indefinite=True))
    assert out["FailedRecordCount"] == 0
    seq = out["Records"][0]["SequenceNumber"]
    it = ok(cbor_call("GetShardIterator", {"StreamName": cbor_stream, "ShardId": "shardId-000000000000",
                                           "ShardIteratorType": "AT_SEQUENCE_NUMBER",
                                           "StartingSequenceNumber": seq}, indefinite=True))["ShardIterator"]
    got = ok(cbor_call("GetRecords", {"ShardIterator": it}, indefinite=True))
    assert got["Records"][0]["Data"] == b"jackson"


def test_at_timestamp_with_tag1_integer_millis(cbor_stream):
    for i in range(3):
        ok(cbor_call("PutRecord", {"StreamName": cbor_stream, "Data": b"early%d" % i,
                                   "PartitionKey": "k", "ExplicitHashKey": "0"}))
    time.sleep(1.2)
    boundary = now_ms()
    time.sleep(0.3)
    late = ok(cbor_call("PutRecord", {"StreamName": cbor_stream, "Data": b"late",
                                      "PartitionKey": "k", "ExplicitHashKey": "0"}))
    it = ok(cbor_call("GetShardIterator", {
        "StreamName": cbor_stream, "ShardId": "shardId-000000000000",
        "ShardIteratorType": "AT_TIMESTAMP", "Timestamp": Tagged(1, boundary)}))["ShardIterator"]
    got = ok(cbor_call("GetRecords", {"ShardIterator": it}))
    assert [r["SequenceNumber"] for r in got["Records"]] == [late["SequenceNumber"]]


def test_list_streams_summaries_timestamps(cbor_stream):
    out = ok(cbor_call("ListStreams", {"ExclusiveStartStreamName": cbor_stream[:-1], "Limit": 5}))
    assert cbor_stream in out["StreamNames"]
    summary = next(s for s in out["StreamSummaries"] if s["StreamName"] == cbor_stream)
    assert_millis_timestamp(summary["StreamCreationTimestamp"], now_ms())


def test_error_body_is_cbor():
    name = sup.unique_name("missing")
    resp = cbor_call("DescribeStreamSummary", {"StreamName": name})
    assert resp.status == 400
    assert resp.headers.get("content-type", "").startswith(sup.CBOR_CT)
    err = decode(resp.body)
    assert err["__type"].split("#")[-1] == "ResourceNotFoundException"
    assert err["message"] == f"Stream {name} under account {sup.ACCOUNT} not found."
    assert resp.headers.get("x-amzn-requestid")


def test_validation_error_in_cbor():
    resp = cbor_call("CreateStream", {"StreamName": "bad name!", "ShardCount": 1})
    assert resp.status == 400
    err = decode(resp.body)
    assert err["__type"].split("#")[-1] == "ValidationException"
    assert "Member must satisfy regular expression pattern: [a-zA-Z0-9_.-]+" in err["message"]


# --- HTTP/2 prior knowledge, as the Java SDK v2 async client speaks ----------------


def curl_has_http2() -> bool:
    if not shutil.which("curl"):
        return False
    out = subprocess.run(["curl", "--version"], capture_output=True, text=True).stdout
    return "HTTP2" in out


@pytest.mark.skipif(not curl_has_http2(), reason="curl without HTTP/2 support")
def test_cbor_over_h2c(cbor_stream):
    def h2c(op: str, payload: dict) -> tuple[str, int, dict, bytes]:
        body = encode(payload, indefinite=True)
        headers = sup.sign_headers(body, {"Content-Type": sup.CBOR_CT,
                                          "X-Amz-Target": sup.TARGET_PREFIX + op})
        with tempfile.TemporaryDirectory() as tmp:
            body_file = os.path.join(tmp, "body")
            out_file = os.path.join(tmp, "out")
            hdr_file = os.path.join(tmp, "headers")
            with open(body_file, "wb") as f:
                f.write(body)
            cmd = ["curl", "-sS", "--http2-prior-knowledge", "--max-time", "20",
                   "-o", out_file, "-D", hdr_file, "-w", "%{http_version} %{http_code}",
                   "--data-binary", "@" + body_file]
            for k, v in headers.items():
                if k.lower() == "host":
                    continue  # curl sends it as :authority, which is what was signed
                cmd += ["-H", f"{k}: {v}"]
            cmd.append(sup.endpoint() + "/")
            proc = subprocess.run(cmd, capture_output=True, text=True, timeout=30)
            assert proc.returncode == 0, proc.stderr
            version, code = proc.stdout.split()
            with open(out_file, "rb") as f:
                data = f.read()
            with open(hdr_file) as f:
                resp_headers = {}
                for line in f.read().splitlines()[1:]:
                    if ":" in line:
                        k, v = line.split(":", 1)
                        resp_headers[k.strip().lower()] = v.strip()
            return version, int(code), resp_headers, data

    version, code, headers, data = h2c("PutRecord", {
        "StreamName": cbor_stream, "Data": b"\x01h2c\x02", "PartitionKey": "h2", "ExplicitHashKey": "0"})
    assert version == "2", "the request must have been served over HTTP/2"
    assert code == 200, data
    assert headers.get("content-type", "").startswith(sup.CBOR_CT)
    put = decode(data)
    version, code, _, data = h2c("GetShardIterator", {
        "StreamName": cbor_stream, "ShardId": "shardId-000000000000",
        "ShardIteratorType": "AT_SEQUENCE_NUMBER", "StartingSequenceNumber": put["SequenceNumber"]})
    assert (version, code) == ("2", 200), data
    version, code, _, data = h2c("GetRecords", {"ShardIterator": decode(data)["ShardIterator"]})
    assert (version, code) == ("2", 200), data
    rec = decode(data)["Records"][0]
    assert rec["Data"] == b"\x01h2c\x02"
    assert_millis_timestamp(rec["ApproximateArrivalTimestamp"], now_ms())
    version, code, _, data = h2c("DescribeStreamSummary", {"StreamName": sup.unique_name("missing")})
    assert (version, code) == ("2", 400)
    assert decode(data)["__type"].split("#")[-1] == "ResourceNotFoundException"
