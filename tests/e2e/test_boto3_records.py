"""boto3 against runnel: PutRecord(s), GetShardIterator, GetRecords, sequence numbers."""
from __future__ import annotations

import datetime as dt
import os
import random
import time

import pytest
from botocore.exceptions import ClientError

import e2e_support as sup
from e2e_support import SEQ_RE, error_of, not_found_message


def shards_of(kinesis, name):
    return kinesis.list_shards(StreamName=name)["Shards"]


def iterator(kinesis, name, shard_id, kind, **kw):
    return kinesis.get_shard_iterator(StreamName=name, ShardId=shard_id,
                                      ShardIteratorType=kind, **kw)["ShardIterator"]


def drain(kinesis, it, limit=10000, max_calls=50):
    """Follows NextShardIterator until a call returns no records; returns (records, last output)."""
    records, out = [], None
    for _ in range(max_calls):
        out = kinesis.get_records(ShardIterator=it, Limit=limit)
        records.extend(out["Records"])
        it = out.get("NextShardIterator")
        if not out["Records"] or not it:
            break
    return records, out


# --- PutRecord ----------------------------------------------------------------


def test_put_record_routes_by_md5_of_partition_key(kinesis, make_stream):
    name = make_stream(4)
    shards = shards_of(kinesis, name)
    rng = random.Random(7)
    hit = set()
    for i in range(60):
        key = f"key-{i}-{rng.random()}"
        out = kinesis.put_record(StreamName=name, Data=key.encode(), PartitionKey=key)
        assert out["ShardId"] == sup.shard_for_hash(shards, sup.partition_hash(key)), key
        assert SEQ_RE.match(out["SequenceNumber"]), out["SequenceNumber"]
        hit.add(out["ShardId"])
    assert len(hit) == 4


def test_put_record_unicode_partition_key_hashes_utf8(kinesis, make_stream):
    name = make_stream(8)
    shards = shards_of(kinesis, name)
    for key in ["ключ", "键-𝄞", "é"]:
        out = kinesis.put_record(StreamName=name, Data=b"x", PartitionKey=key)
        assert out["ShardId"] == sup.shard_for_hash(shards, sup.partition_hash(key)), key


def test_put_record_explicit_hash_key_overrides(kinesis, make_stream):
    name = make_stream(4)
    ranges = sup.even_hash_ranges(4)
    cases = [(0, "shardId-000000000000"), (ranges[2][0], "shardId-000000000002"),
             (ranges[1][1], "shardId-000000000001"), (2 ** 128 - 1, "shardId-000000000003")]
    for hash_key, shard in cases:
        # The partition key alone would route elsewhere for at least some of these.
        out = kinesis.put_record(StreamName=name, Data=b"x", PartitionKey="same-key",
                                 ExplicitHashKey=str(hash_key))
        assert out["ShardId"] == shard, hash_key


def test_put_record_explicit_hash_key_out_of_range(kinesis, stream):
    too_big = str(2 ** 128)
    with pytest.raises(ClientError) as e:
        kinesis.put_record(StreamName=stream, Data=b"x", PartitionKey="k", ExplicitHashKey=too_big)
    assert error_of(e) == (
        "InvalidArgumentException",
        "Invalid ExplicitHashKey. ExplicitHashKey must be in the range: [0, 2^128-1]. "
        f"Specified value was {too_big}")


def test_put_record_overlong_explicit_hash_key_is_validation_error(kinesis_raw, stream):
    # HashKey has a pattern and no max length in the model: 2,049 digits fail the pattern.
    key = "1" + "0" * 2048
    with pytest.raises(ClientError) as e:
        kinesis_raw.put_record(StreamName=stream, Data=b"x", PartitionKey="k", ExplicitHashKey=key)
    assert error_of(e) == (
        "ValidationException",
        f"1 validation error detected: Value '{key}' at 'explicitHashKey' failed to satisfy "
        "constraint: Member must satisfy regular expression pattern: 0|([1-9]\\d{0,38})")


def test_put_record_sequence_number_for_ordering(kinesis, make_stream):
    name = make_stream(1)
    first = kinesis.put_record(StreamName=name, Data=b"1", PartitionKey="k")
    second = kinesis.put_record(StreamName=name, Data=b"2", PartitionKey="k",
                                SequenceNumberForOrdering=first["SequenceNumber"])
    third = kinesis.put_record(StreamName=name, Data=b"3", PartitionKey="k",
                               SequenceNumberForOrdering=second["SequenceNumber"])
    assert int(first["SequenceNumber"]) < int(second["SequenceNumber"]) < int(third["SequenceNumber"])


def test_put_record_missing_stream(kinesis):
    name = sup.unique_name("missing")
    with pytest.raises(ClientError) as e:
        kinesis.put_record(StreamName=name, Data=b"x", PartitionKey="k")
    assert error_of(e) == ("ResourceNotFoundException", not_found_message(name))


def test_put_record_empty_partition_key_is_validation_error(kinesis_raw, stream):
    with pytest.raises(ClientError) as e:
        kinesis_raw.put_record(StreamName=stream, Data=b"x", PartitionKey="")
    assert error_of(e) == (
        "ValidationException",
        "1 validation error detected: Value '' at 'partitionKey' failed to satisfy "
        "constraint: Member must have length greater than or equal to 1")


# --- PutRecords ---------------------------------------------------------------


def test_put_records_500_per_record_results_in_order(kinesis, make_stream):
    name = make_stream(3)
    shards = shards_of(kinesis, name)
    entries = [{"Data": f"record-{i}".encode() + os.urandom(i % 17), "PartitionKey": f"pk-{i}"}
               for i in range(500)]
    out = kinesis.put_records(StreamName=name, Records=entries)
    assert out["FailedRecordCount"] == 0
    assert len(out["Records"]) == 500
    by_seq = {}
    last_seq_per_shard: dict[str, int] = {}
    for entry, result in zip(entries, out["Records"]):
        assert "ErrorCode" not in result, result
        assert result["ShardId"] == sup.shard_for_hash(shards, sup.partition_hash(entry["PartitionKey"]))
        seq = int(result["SequenceNumber"])
        # Records of one request that land on the same shard keep the request's order.
        assert seq > last_seq_per_shard.get(result["ShardId"], -1)
        last_seq_per_shard[result["ShardId"]] = seq
        by_seq[result["SequenceNumber"]] = entry
    read = []
    for shard in shards:
        recs = sup.read_shard(kinesis, name, shard["ShardId"])
        assert [int(r["SequenceNumber"]) for r in recs] == sorted(int(r["SequenceNumber"]) for r in recs)
        read.extend(recs)
    assert len(read) == 500
    for rec in read:
        entry = by_seq[rec["SequenceNumber"]]
        assert rec["Data"] == entry["Data"]
        assert rec["PartitionKey"] == entry["PartitionKey"]


def test_put_records_501_is_validation_error(kinesis_raw, stream):
    entries = [{"Data": b"x", "PartitionKey": "k"}] * 501
    with pytest.raises(ClientError) as e:
        kinesis_raw.put_records(StreamName=stream, Records=entries)
    code, message = error_of(e)
    assert code == "ValidationException"
    assert message.startswith("1 validation error detected: Value ")
    assert message.endswith(
        "at 'records' failed to satisfy constraint: "
        "Member must have length less than or equal to 500")


def test_put_records_empty_list_is_validation_error(kinesis_raw, stream):
    with pytest.raises(ClientError) as e:
        kinesis_raw.put_records(StreamName=stream, Records=[])
    code, message = error_of(e)
    assert code == "ValidationException"
    assert "at 'records' failed to satisfy constraint: " \
           "Member must have length greater than or equal to 1" in message


def test_put_records_explicit_hash_key(kinesis, make_stream):
    name = make_stream(2)
    out = kinesis.put_records(StreamName=name, Records=[
        {"Data": b"a", "PartitionKey": "k", "ExplicitHashKey": "0"},
        {"Data": b"b", "PartitionKey": "k", "ExplicitHashKey": str(2 ** 128 - 1)},
    ])
    assert [r["ShardId"] for r in out["Records"]] == ["shardId-000000000000", "shardId-000000000001"]


def test_put_records_missing_stream(kinesis):
    name = sup.unique_name("missing")
    with pytest.raises(ClientError) as e:
        kinesis.put_records(StreamName=name, Records=[{"Data": b"x", "PartitionKey": "k"}])
    assert error_of(e) == ("ResourceNotFoundException", not_found_message(name))


# --- GetShardIterator / GetRecords -------------------------------------------


@pytest.fixture
def one_shard_with_records(kinesis, make_stream):
    """A 1-shard stream holding 5 records, then (after >1 s) 3 more; returns details."""
    name = make_stream(1)
    first = [kinesis.put_record(StreamName=name, Data=f"a{i}".encode(), PartitionKey=f"k{i}")
             for i in range(5)]
    time.sleep(1.2)
    boundary = dt.datetime.now(dt.timezone.utc)
    time.sleep(0.3)
    second = [kinesis.put_record(StreamName=name, Data=f"b{i}".encode(), PartitionKey=f"k{i}")
              for i in range(3)]
    seqs = [r["SequenceNumber"] for r in first + second]
    return name, seqs, boundary


def data_of(records):
    return [r["Data"] for r in records]


def test_iterator_trim_horizon(kinesis, one_shard_with_records):
    name, seqs, _ = one_shard_with_records
    recs, _ = drain(kinesis, iterator(kinesis, name, "shardId-000000000000", "TRIM_HORIZON"))
    assert [r["SequenceNumber"] for r in recs] == seqs
    assert data_of(recs) == [b"a0", b"a1", b"a2", b"a3", b"a4", b"b0", b"b1", b"b2"]


def test_iterator_at_and_after_sequence_number(kinesis, one_shard_with_records):
    name, seqs, _ = one_shard_with_records
    at, _ = drain(kinesis, iterator(kinesis, name, "shardId-000000000000", "AT_SEQUENCE_NUMBER",
                                    StartingSequenceNumber=seqs[2]))
    assert [r["SequenceNumber"] for r in at] == seqs[2:]
    after, _ = drain(kinesis, iterator(kinesis, name, "shardId-000000000000", "AFTER_SEQUENCE_NUMBER",
                                       StartingSequenceNumber=seqs[2]))
    assert [r["SequenceNumber"] for r in after] == seqs[3:]
    last, _ = drain(kinesis, iterator(kinesis, name, "shardId-000000000000", "AFTER_SEQUENCE_NUMBER",
                                      StartingSequenceNumber=seqs[-1]))
    assert last == []


def test_iterator_latest_sees_only_new_records(kinesis, one_shard_with_records):
    name, _, _ = one_shard_with_records
    it = iterator(kinesis, name, "shardId-000000000000", "LATEST")
    out = kinesis.get_records(ShardIterator=it)
    assert out["Records"] == []
    assert out["MillisBehindLatest"] == 0
    put = kinesis.put_record(StreamName=name, Data=b"new", PartitionKey="k")
    out = kinesis.get_records(ShardIterator=out["NextShardIterator"])
    assert [r["SequenceNumber"] for r in out["Records"]] == [put["SequenceNumber"]]
    assert out["Records"][0]["Data"] == b"new"


def test_iterator_at_timestamp(kinesis, one_shard_with_records):
    name, seqs, boundary = one_shard_with_records
    recs, _ = drain(kinesis, iterator(kinesis, name, "shardId-000000000000", "AT_TIMESTAMP",
                                      Timestamp=boundary))
    assert [r["SequenceNumber"] for r in recs] == seqs[5:]
    old = dt.datetime(2000, 1, 1, tzinfo=dt.timezone.utc)
    recs, _ = drain(kinesis, iterator(kinesis, name, "shardId-000000000000", "AT_TIMESTAMP",
                                      Timestamp=old))
    assert [r["SequenceNumber"] for r in recs] == seqs


def test_iterator_at_timestamp_requires_timestamp(kinesis, stream):
    with pytest.raises(ClientError) as e:
        iterator(kinesis, stream, "shardId-000000000000", "AT_TIMESTAMP")
    assert error_of(e)[0] == "InvalidArgumentException"


def test_iterator_at_sequence_number_requires_number(kinesis, stream):
    with pytest.raises(ClientError) as e:
        iterator(kinesis, stream, "shardId-000000000000", "AT_SEQUENCE_NUMBER")
    assert error_of(e)[0] == "InvalidArgumentException"


def test_iterator_unknown_shard(kinesis, stream):
    with pytest.raises(ClientError) as e:
        iterator(kinesis, stream, "shardId-000000000009", "TRIM_HORIZON")
    code, message = error_of(e)
    assert code == "ResourceNotFoundException"
    assert message == (f"Shard shardId-000000000009 in stream {stream} under account "
                       f"{sup.ACCOUNT} does not exist")


def test_iterator_missing_stream(kinesis):
    # AWS reports an unknown stream as a missing shard here (kinesalite's recorded answer).
    name = sup.unique_name("missing")
    with pytest.raises(ClientError) as e:
        iterator(kinesis, name, "shardId-000000000000", "TRIM_HORIZON")
    assert error_of(e) == ("ResourceNotFoundException",
                           f"Shard shardId-000000000000 in stream {name} under account {sup.ACCOUNT} does not exist")


def test_iterator_shape(kinesis, stream):
    it = iterator(kinesis, stream, "shardId-000000000000", "TRIM_HORIZON")
    assert 1 <= len(it) <= 512


def test_get_records_limit_chaining_and_millis_behind(kinesis, one_shard_with_records):
    name, seqs, _ = one_shard_with_records
    it = iterator(kinesis, name, "shardId-000000000000", "TRIM_HORIZON")
    got = []
    for expected_len in (2, 2, 2, 2):
        out = kinesis.get_records(ShardIterator=it, Limit=2)
        assert len(out["Records"]) == expected_len
        assert isinstance(out["MillisBehindLatest"], int) and out["MillisBehindLatest"] >= 0
        got.extend(r["SequenceNumber"] for r in out["Records"])
        it = out["NextShardIterator"]
        assert it, "an open shard always gives a NextShardIterator"
    assert got == seqs
    out = kinesis.get_records(ShardIterator=it, Limit=2)
    assert out["Records"] == []
    assert out["MillisBehindLatest"] == 0
    assert out["NextShardIterator"]


def test_get_records_binary_data_byte_for_byte(kinesis, make_stream):
    name = make_stream(1)
    payloads = [bytes(range(256)), b"\x00", b"\xff" * 3, os.urandom(4096), b"\r\n\x00{}\"\\",
                os.urandom(1024 * 1024 - 256)]
    before = dt.datetime.now(dt.timezone.utc)
    for i, p in enumerate(payloads):
        kinesis.put_record(StreamName=name, Data=p, PartitionKey=f"bin-{i}")
    after = dt.datetime.now(dt.timezone.utc)
    recs = sup.read_shard(kinesis, name, "shardId-000000000000")
    assert len(recs) == len(payloads)
    for rec, p, i in zip(recs, payloads, range(len(payloads))):
        assert rec["Data"] == p, f"payload {i} differs ({len(rec['Data'])} vs {len(p)} bytes)"
        assert rec["PartitionKey"] == f"bin-{i}"
        ts = rec["ApproximateArrivalTimestamp"]
        assert isinstance(ts, dt.datetime)
        assert before - dt.timedelta(seconds=2) <= ts <= after + dt.timedelta(seconds=2)


def test_get_records_malformed_iterator(kinesis):
    for bad in ("not-an-iterator", "AAAAAAAAAAE" + "A" * 100):
        with pytest.raises(ClientError) as e:
            kinesis.get_records(ShardIterator=bad)
        assert error_of(e) == ("InvalidArgumentException", "Invalid ShardIterator.")


def test_get_records_bad_limit(kinesis_raw, stream):
    it = iterator(kinesis_raw, stream, "shardId-000000000000", "TRIM_HORIZON")
    with pytest.raises(ClientError) as e:
        kinesis_raw.get_records(ShardIterator=it, Limit=0)
    assert error_of(e) == (
        "ValidationException",
        "1 validation error detected: Value '0' at 'limit' failed to satisfy constraint: "
        "Member must have value greater than or equal to 1")


def test_sequence_numbers_strictly_increase_per_shard(kinesis, make_stream):
    name = make_stream(2)
    last: dict[str, int] = {}
    for i in range(100):
        if i % 3 == 0:
            out = kinesis.put_records(StreamName=name, Records=[
                {"Data": b"x", "PartitionKey": f"p{i}-{j}"} for j in range(7)])
            results = out["Records"]
        else:
            results = [kinesis.put_record(StreamName=name, Data=b"y", PartitionKey=f"q{i}")]
        for r in results:
            seq = int(r["SequenceNumber"])
            assert seq > last.get(r["ShardId"], -1), "sequence numbers must increase per shard"
            last[r["ShardId"]] = seq
    assert len(last) == 2
