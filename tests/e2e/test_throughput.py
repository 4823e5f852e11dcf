"""Per-shard throughput limits (on by default; docs/throughput.md) with boto3.

The limits hold: a PutRecords over one shard's 1 MiB/s gets entries failed one
by one with AWS's ErrorCode and ErrorMessage while the rest are stored in
order; GetRecords past 5 calls a second fails whole. And clients get through
them: botocore's standard and adaptive retry modes retry a throttled PutRecord
until it succeeds, and a loop that resends the failed entries of PutRecords
(boto3 does not) stores every record exactly once.
"""
from __future__ import annotations

import time

import pytest
from botocore.exceptions import ClientError

import e2e_support as sup
from e2e_support import ACCOUNT, SEQ_RE, THROTTLED, error_of

MIB = 1024 * 1024


def write_message(shard_id: str, stream: str) -> str:
    return f"Rate exceeded for shard {shard_id} in stream {stream} under account {ACCOUNT}."


def test_put_records_over_the_byte_limit_fails_entries_individually(kinesis, make_stream):
    name = make_stream(1)
    # 500 records of 2,500 + 8 bytes: 1.25 MB, more than one shard's 1 MiB
    # budget in a single request, however fast or slow this machine is.
    size = 2500 + len("key-0000")
    fits = MIB // size
    records = [{"PartitionKey": f"key-{i:04d}", "Data": f"{i:04d}".encode() * 625} for i in range(500)]
    out = kinesis.put_records(StreamName=name, Records=records)
    entries = out["Records"]
    assert len(entries) == 500
    ok = [i for i, e in enumerate(entries) if "SequenceNumber" in e]
    failed = [i for i, e in enumerate(entries) if "ErrorCode" in e]
    # A fresh shard's budget is full: the first `fits` entries are stored and
    # every later one (same size) is throttled.
    assert ok == list(range(fits))
    assert failed == list(range(fits, 500))
    assert out["FailedRecordCount"] == len(failed)
    for i in failed:
        assert entries[i] == {"ErrorCode": THROTTLED,
                              "ErrorMessage": write_message("shardId-000000000000", name)}, entries[i]
    seqs = [int(entries[i]["SequenceNumber"]) for i in ok]
    assert all(SEQ_RE.match(entries[i]["SequenceNumber"]) for i in ok)
    assert seqs == sorted(seqs) and len(set(seqs)) == len(seqs)

    # The throttled entries were not stored: the shard holds exactly the others.
    stored = sup.read_shard(kinesis, name, "shardId-000000000000")
    assert [r["PartitionKey"] for r in stored] == [f"key-{i:04d}" for i in ok]


def test_three_quick_put_records_of_500_exceed_the_record_limit(kinesis, make_stream):
    name = make_stream(1)
    total_failed = 0
    for batch in range(3):
        out = kinesis.put_records(StreamName=name, Records=[
            {"PartitionKey": f"b{batch}-{i}", "Data": b"x"} for i in range(500)])
        failed = [e for e in out["Records"] if "ErrorCode" in e]
        assert out["FailedRecordCount"] == len(failed)
        for e in failed:
            assert e["ErrorCode"] == THROTTLED
            assert e["ErrorMessage"] == write_message("shardId-000000000000", name)
        total_failed += len(failed)
    # 1,500 records on one shard take at least half a second to be allowed;
    # three local calls take far less.
    assert total_failed > 0


def test_other_shards_are_not_throttled(kinesis, make_stream):
    name = make_stream(2)
    hot = sup.even_hash_ranges(2)[0][0]
    cold = sup.even_hash_ranges(2)[1][0]
    records = []
    for i in range(500):
        records.append({"PartitionKey": "p", "Data": b"h" * 5000, "ExplicitHashKey": str(hot)})
        records.append({"PartitionKey": "p", "Data": b"c", "ExplicitHashKey": str(cold)})
    out = kinesis.put_records(StreamName=name, Records=records[:500])
    cold_results = out["Records"][1::2]
    assert all(e.get("ShardId") == "shardId-000000000001" for e in cold_results), cold_results[:3]
    hot_failed = [e for e in out["Records"][0::2] if "ErrorCode" in e]
    assert hot_failed and out["FailedRecordCount"] == len(hot_failed)
    assert {e["ErrorMessage"] for e in hot_failed} == {write_message("shardId-000000000000", name)}


def test_get_records_past_five_calls_a_second_is_throttled(kinesis, make_stream):
    name = make_stream(1)
    kinesis.put_record(StreamName=name, PartitionKey="p", Data=b"one")
    it = kinesis.get_shard_iterator(StreamName=name, ShardId="shardId-000000000000",
                                    ShardIteratorType="TRIM_HORIZON")["ShardIterator"]
    errors = []
    for _ in range(20):
        try:
            kinesis.get_records(ShardIterator=it)
        except ClientError as e:
            errors.append(e.response)
    # 20 calls need more than 3 s to stay under 5 a second.
    assert errors, "no GetRecords call was throttled"
    for response in errors:
        assert response["Error"]["Code"] == THROTTLED
        assert response["Error"]["Message"] == f"Rate exceeded for Shard - {ACCOUNT}/{name}/shardId-000000000000"
        assert response["ResponseMetadata"]["HTTPStatusCode"] == 400
    # A second later the shard reads again.
    time.sleep(1.1)
    assert kinesis.get_records(ShardIterator=it)["Records"][0]["Data"] == b"one"


def test_throttled_put_record_fails_whole(kinesis, make_stream):
    name = make_stream(1)
    # Use up the write budget with one request, then PutRecord at once.
    kinesis.put_records(StreamName=name, Records=[
        {"PartitionKey": "p", "Data": b"x" * 4000} for _ in range(300)])
    with pytest.raises(ClientError) as e:
        kinesis.put_record(StreamName=name, PartitionKey="p", Data=b"y" * 300_000)
    assert error_of(e) == (THROTTLED, write_message("shardId-000000000000", name))
    assert e.value.response["ResponseMetadata"]["HTTPStatusCode"] == 400


@pytest.mark.parametrize("mode", ["standard", "adaptive"])
@pytest.mark.timeout_seconds(120)
def test_botocore_retries_get_put_record_through(make_stream, mode):
    """PutRecord in a loop, 3 MiB into a 1 MiB/s shard: botocore's retry
    mode (with room for attempts) gets every one through."""
    from botocore.config import Config
    import boto3
    name = make_stream(1)
    client = boto3.client(
        "kinesis", endpoint_url=sup.endpoint(), region_name=sup.REGION,
        aws_access_key_id="AKIDEXAMPLE", aws_secret_access_key="dummy-secret",
        config=Config(retries={"mode": mode, "total_max_attempts": 12}, read_timeout=30))
    retried = 0
    seqs = []
    for i in range(30):
        out = client.put_record(StreamName=name, PartitionKey=f"k{i}", Data=bytes([i]) * 100_000)
        retried += out["ResponseMetadata"]["RetryAttempts"]
        seqs.append(int(out["SequenceNumber"]))
    assert retried > 0, "the limit never throttled a call"
    assert seqs == sorted(seqs)
    stored = sup.read_shard(client, name, "shardId-000000000000")
    assert [r["Data"][0] for r in stored] == list(range(30))


@pytest.mark.timeout_seconds(120)
def test_resending_failed_entries_stores_every_record_once(kinesis, make_stream):
    name = make_stream(2)
    rounds_total = 0
    sent = []
    for batch in range(8):
        records = [{"PartitionKey": f"b{batch}-{i}", "Data": f"{batch}:{i}".encode()} for i in range(500)]
        results, rounds = sup.put_records_resending(kinesis, name, records, pause=0.2)
        rounds_total += rounds
        assert all(SEQ_RE.match(r["SequenceNumber"]) for r in results)
        sent.extend(r["Data"] for r in records)
    # 4,000 records over two shards in a few quick calls go past 1,000 a
    # second on at least one of them.
    assert rounds_total > 0
    stored = []
    for shard in ("shardId-000000000000", "shardId-000000000001"):
        stored.extend(r["Data"] for r in sup.read_shard(kinesis, name, shard))
    assert len(stored) == len(set(stored)) == 4000
    assert sorted(stored) == sorted(sent)
