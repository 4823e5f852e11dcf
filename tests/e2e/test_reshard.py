"""boto3 against runnel: SplitShard, MergeShards, closed shards and ChildShards.

The main test reshards a stream while a producer writes to it, then reads the
stream the way the KCL does: a shard only after its parents are finished,
children discovered from GetRecords' ChildShards, and each page checked
against the KCL's rule (an iterator and no ChildShards before a shard's end;
no iterator and non-empty ChildShards at it).
"""
from __future__ import annotations

import os
import threading
import time
from collections import defaultdict

import pytest
from botocore.exceptions import ClientError

import e2e_support as sup
from e2e_support import ACCOUNT, SEQ_RE, error_of


def shard_map(kinesis, name, **filters) -> dict[str, dict]:
    out, token = {}, None
    while True:
        args = {"NextToken": token} if token else {"StreamName": name, **filters}
        page = kinesis.list_shards(**args)
        for shard in page["Shards"]:
            out[shard["ShardId"]] = shard
        token = page.get("NextToken")
        if not token:
            return out


def hash_range(shard) -> tuple[int, int]:
    rng = shard["HashKeyRange"]
    return int(rng["StartingHashKey"]), int(rng["EndingHashKey"])


def is_closed(shard) -> bool:
    return "EndingSequenceNumber" in shard["SequenceNumberRange"]


def split_in_half(kinesis, name, shard) -> int:
    lo, hi = hash_range(shard)
    mid = (lo + hi + 1) // 2
    kinesis.split_shard(StreamName=name, ShardToSplit=shard["ShardId"], NewStartingHashKey=str(mid))
    sup.wait_active(kinesis, name)
    return mid


def check_page(out: dict, shard_id: str) -> None:
    """The KCL's rule for one GetRecords result."""
    children = out.get("ChildShards") or []
    if out.get("NextShardIterator"):
        assert not children, f"{shard_id}: ChildShards before the shard's end: {children}"
    else:
        assert children, f"{shard_id}: no NextShardIterator and no ChildShards"
        for child in children:
            assert shard_id in child["ParentShards"], (shard_id, child)
            assert set(child["HashKeyRange"]) == {"StartingHashKey", "EndingHashKey"}
        assert out["MillisBehindLatest"] == 0


def read_like_kcl(kinesis, name) -> tuple[list[dict], list[str]]:
    """Every record of the stream, shard by shard, parents before children.

    Starts from the shards open at the trim horizon and finds the rest only
    through ChildShards. Returns the records in processing order (each tagged
    with its ShardId) and the order in which shards were finished.
    """
    roots = shard_map(kinesis, name, ShardFilter={"Type": "AT_TRIM_HORIZON"})
    pending = {sid: set() for sid in roots}  # shard -> parents not yet finished
    finished: list[str] = []
    records: list[dict] = []
    while pending:
        ready = sorted(sid for sid, parents in pending.items() if not parents)
        assert ready, f"no shard is ready: {pending}"
        sid = ready[0]
        del pending[sid]
        it = kinesis.get_shard_iterator(StreamName=name, ShardId=sid,
                                        ShardIteratorType="TRIM_HORIZON")["ShardIterator"]
        children = []
        for _ in range(10000):
            # Pages of an odd size end anywhere, shard ends included; throttled
            # calls (5 a second per shard) wait and try again, as the KCL does.
            out = sup.get_records_paced(kinesis, ShardIterator=it, Limit=137)
            check_page(out, sid)
            for r in out["Records"]:
                records.append({**r, "ShardId": sid})
            it = out.get("NextShardIterator")
            if not it:
                children = out["ChildShards"]
                break
            if not out["Records"] and out["MillisBehindLatest"] == 0:
                break  # an open shard, caught up
        else:
            raise AssertionError(f"{sid} never ended")
        finished.append(sid)
        for parents in pending.values():
            parents.discard(sid)
        for child in children:
            cid = child["ShardId"]
            if cid in finished:
                raise AssertionError(f"child {cid} of {sid} was read before its parent")
            waiting = pending.setdefault(cid, set(child["ParentShards"]))
            waiting.difference_update(finished)
    return records, finished


@pytest.mark.timeout_seconds(120)
def test_split_and_merge_while_writing_lose_nothing_and_keep_key_order(kinesis, make_stream):
    name = make_stream(2)
    keys = [f"pk-{i}" for i in range(64)]
    acked: list[tuple[str, int, str, str]] = []   # (key, n, shard, sequence number)
    counters = defaultdict(int)
    stop = threading.Event()
    errors: list[BaseException] = []

    def produce():
        # Faster than the shards' write limits: throttled entries are sent
        # again before the next batch. A batch holds each key at most once,
        # so resending keeps every key's records in order.
        client = sup.make_client()
        try:
            batch = 0
            while not stop.is_set() or batch < 3:
                entries = []
                for j in range(40):
                    key = keys[(batch * 7 + j) % len(keys)]
                    n = counters[key]
                    counters[key] += 1
                    entries.append((key, n))
                assert len({k for k, _ in entries}) == len(entries)
                results, _ = sup.put_records_resending(
                    client, name, [{"PartitionKey": k, "Data": f"{k}#{n}".encode()} for k, n in entries],
                    pause=0.02)
                for (k, n), res in zip(entries, results):
                    acked.append((k, n, res["ShardId"], res["SequenceNumber"]))
                batch += 1
                if batch > 2000:
                    break
        except BaseException as e:  # reported by the main thread
            errors.append(e)

    producer = threading.Thread(target=produce)
    producer.start()
    try:
        time.sleep(0.3)
        shards = shard_map(kinesis, name)
        split_in_half(kinesis, name, shards["shardId-000000000000"])     # -> 2, 3
        time.sleep(0.3)
        # The upper child of shard 0 and shard 1 touch: merge them -> 4.
        kinesis.merge_shards(StreamName=name, ShardToMerge="shardId-000000000003",
                             AdjacentShardToMerge="shardId-000000000001")
        sup.wait_active(kinesis, name)
        time.sleep(0.3)
        split_in_half(kinesis, name, shard_map(kinesis, name)["shardId-000000000004"])  # -> 5, 6
        time.sleep(0.3)
    finally:
        stop.set()
        producer.join(timeout=60)
    assert not errors, errors
    assert len(acked) > 500

    # Acknowledged shards: after the reshards, writes reached the children.
    used = {shard for _, _, shard, _ in acked}
    assert {"shardId-000000000002", "shardId-000000000005", "shardId-000000000006"} <= used, used

    records, finished = read_like_kcl(kinesis, name)
    assert finished.index("shardId-000000000000") < finished.index("shardId-000000000002")
    assert finished.index("shardId-000000000003") < finished.index("shardId-000000000004")
    assert finished.index("shardId-000000000001") < finished.index("shardId-000000000004")
    assert finished.index("shardId-000000000004") < finished.index("shardId-000000000006")
    assert sorted(finished) == [f"shardId-{i:012d}" for i in range(7)]

    # Every acknowledged record exactly once, where it was acknowledged, and
    # each partition key's records in the order they were written.
    seen = [(r["PartitionKey"], int(r["Data"].decode().split("#")[1]), r["ShardId"], r["SequenceNumber"])
            for r in records]
    assert len(seen) == len(set(seen)), "a record was read twice"
    assert sorted(seen) == sorted(acked)
    by_key = defaultdict(list)
    for key, n, _, _ in seen:
        by_key[key].append(n)
    for key, ns in by_key.items():
        assert ns == list(range(counters[key])), f"{key}: {ns[:20]}..."


def test_describe_and_list_shards_after_resharding(kinesis, make_stream):
    name = make_stream(3)
    original = shard_map(kinesis, name)
    ranges = [hash_range(original[f"shardId-00000000000{i}"]) for i in range(3)]
    mid = split_in_half(kinesis, name, original["shardId-000000000001"])    # -> 3, 4
    kinesis.merge_shards(StreamName=name, ShardToMerge="shardId-000000000004",
                         AdjacentShardToMerge="shardId-000000000002")       # -> 5
    sup.wait_active(kinesis, name)

    desc = kinesis.describe_stream(StreamName=name)["StreamDescription"]
    assert desc["StreamStatus"] == "ACTIVE"
    shards = {s["ShardId"]: s for s in desc["Shards"]}
    assert sorted(shards) == [f"shardId-{i:012d}" for i in range(6)]
    assert [sid for sid, s in sorted(shards.items()) if is_closed(s)] == [
        "shardId-000000000001", "shardId-000000000002", "shardId-000000000004"]
    for s in shards.values():
        rng = s["SequenceNumberRange"]
        assert SEQ_RE.match(rng["StartingSequenceNumber"])
        if is_closed(s):
            assert SEQ_RE.match(rng["EndingSequenceNumber"])
            assert int(rng["EndingSequenceNumber"]) > int(rng["StartingSequenceNumber"])
    assert "ParentShardId" not in shards["shardId-000000000000"]
    assert shards["shardId-000000000003"]["ParentShardId"] == "shardId-000000000001"
    assert shards["shardId-000000000004"]["ParentShardId"] == "shardId-000000000001"
    assert "AdjacentParentShardId" not in shards["shardId-000000000003"]
    assert hash_range(shards["shardId-000000000003"]) == (ranges[1][0], mid - 1)
    assert hash_range(shards["shardId-000000000004"]) == (mid, ranges[1][1])
    assert shards["shardId-000000000005"]["ParentShardId"] == "shardId-000000000004"
    assert shards["shardId-000000000005"]["AdjacentParentShardId"] == "shardId-000000000002"
    assert hash_range(shards["shardId-000000000005"]) == (mid, ranges[2][1])

    summary = kinesis.describe_stream_summary(StreamName=name)["StreamDescriptionSummary"]
    assert summary["OpenShardCount"] == 3

    assert list(shard_map(kinesis, name)) == list(shards)
    assert shard_map(kinesis, name) == shards
    assert sorted(shard_map(kinesis, name, ShardFilter={"Type": "AT_LATEST"})) == [
        "shardId-000000000000", "shardId-000000000003", "shardId-000000000005"]
    assert sorted(shard_map(kinesis, name, ShardFilter={"Type": "AT_TRIM_HORIZON"})) == [
        "shardId-000000000000", "shardId-000000000001", "shardId-000000000002"]
    assert sorted(shard_map(kinesis, name, ShardFilter={"Type": "AFTER_SHARD_ID",
                                                        "ShardId": "shardId-000000000003"})) == [
        "shardId-000000000004", "shardId-000000000005"]
    # Paging over closed and open shards alike.
    page = kinesis.list_shards(StreamName=name, MaxResults=4)
    assert len(page["Shards"]) == 4 and page.get("NextToken")
    rest = kinesis.list_shards(NextToken=page["NextToken"])
    assert [s["ShardId"] for s in rest["Shards"]] == ["shardId-000000000004", "shardId-000000000005"]

    # Writes go to open shards only.
    for i in range(60):
        key = f"k{i}"
        out = kinesis.put_record(StreamName=name, PartitionKey=key, Data=b"x")
        assert out["ShardId"] == sup.shard_for_hash(desc["Shards"], sup.partition_hash(key))
        assert out["ShardId"] in {"shardId-000000000000", "shardId-000000000003", "shardId-000000000005"}


def test_closed_shard_iterators_reach_the_end(kinesis, make_stream):
    name = make_stream(1)
    sent = [kinesis.put_record(StreamName=name, PartitionKey=f"k{i}", Data=b"%d" % i)["SequenceNumber"]
            for i in range(5)]
    split_in_half(kinesis, name, shard_map(kinesis, name)["shardId-000000000000"])
    parent = shard_map(kinesis, name)["shardId-000000000000"]
    ending = parent["SequenceNumberRange"]["EndingSequenceNumber"]

    def first_page(kind, **kw):
        it = kinesis.get_shard_iterator(StreamName=name, ShardId="shardId-000000000000",
                                        ShardIteratorType=kind, **kw)["ShardIterator"]
        out = kinesis.get_records(ShardIterator=it)
        check_page(out, "shardId-000000000000")
        return out

    for kind, kw in [("LATEST", {}), ("AFTER_SEQUENCE_NUMBER", {"StartingSequenceNumber": sent[-1]}),
                     ("AT_SEQUENCE_NUMBER", {"StartingSequenceNumber": ending})]:
        out = first_page(kind, **kw)
        assert out["Records"] == [], kind
        assert "NextShardIterator" not in out or out["NextShardIterator"] is None, kind
        assert [c["ShardId"] for c in out["ChildShards"]] == ["shardId-000000000001", "shardId-000000000002"]
        assert all(c["ParentShards"] == ["shardId-000000000000"] for c in out["ChildShards"])
    out = first_page("TRIM_HORIZON")
    assert [r["SequenceNumber"] for r in out["Records"]] == sent
    assert not out.get("NextShardIterator")
    out = first_page("AT_TIMESTAMP", Timestamp=time.time() - 60)
    assert [r["SequenceNumber"] for r in out["Records"]] == sent


def test_reshard_errors_use_aws_types_and_messages(kinesis, make_stream):
    name = make_stream(2)
    where = f"in stream {name} under account {ACCOUNT}"
    shards = shard_map(kinesis, name)
    lo, hi = hash_range(shards["shardId-000000000001"])

    def err(call, **kw):
        with pytest.raises(ClientError) as e:
            call(StreamName=name, **kw)
        return error_of(e)

    for bad in (lo, lo + 1, hi, hi + 1):
        assert err(kinesis.split_shard, ShardToSplit="shardId-000000000001", NewStartingHashKey=str(bad)) == (
            "InvalidArgumentException",
            f"NewStartingHashKey {bad} used in SplitShard() on shard shardId-000000000001 {where} is not both "
            f"greater than one plus the shard's StartingHashKey {lo} and less than the shard's EndingHashKey {hi}.")
    assert err(kinesis.split_shard, ShardToSplit="shardId-000000000007", NewStartingHashKey="100") == (
        "ResourceNotFoundException", f"Could not find shard shardId-000000000007 {where}.")
    assert err(kinesis.merge_shards, ShardToMerge="shardId-000000000000",
               AdjacentShardToMerge="shardId-000000000009") == (
        "ResourceNotFoundException", f"Could not find shard shardId-000000000009 {where}.")
    with pytest.raises(ClientError) as e:
        kinesis.split_shard(StreamName=name + "-missing", ShardToSplit="shardId-000000000000",
                            NewStartingHashKey="100")
    assert error_of(e) == ("ResourceNotFoundException", sup.not_found_message(name + "-missing"))

    split_in_half(kinesis, name, shards["shardId-000000000001"])  # -> 2, 3
    closed = (f"Shard shardId-000000000001 {where} has already been merged or split, and thus is not "
              "eligible for merging or splitting.")
    assert err(kinesis.split_shard, ShardToSplit="shardId-000000000001",
               NewStartingHashKey=str(lo + 10)) == ("InvalidArgumentException", closed)
    assert err(kinesis.merge_shards, ShardToMerge="shardId-000000000000",
               AdjacentShardToMerge="shardId-000000000001") == ("InvalidArgumentException", closed)
    assert err(kinesis.merge_shards, ShardToMerge="shardId-000000000000",
               AdjacentShardToMerge="shardId-000000000003") == (
        "InvalidArgumentException",
        f"Shards shardId-000000000000 and shardId-000000000003 {where} are not an adjacent pair of "
        "shards eligible for merging")
    # Shard 0 and shard 2 (lower child of 1) touch, shard 0 below: in the reverse
    # order they are not an adjacent pair (as kinesalite recorded of AWS).
    assert err(kinesis.merge_shards, ShardToMerge="shardId-000000000002",
               AdjacentShardToMerge="shardId-000000000000") == (
        "InvalidArgumentException",
        f"Shards shardId-000000000002 and shardId-000000000000 {where} are not an adjacent pair of "
        "shards eligible for merging")
    kinesis.merge_shards(StreamARN=sup.stream_arn(name), ShardToMerge="shardId-000000000000",
                         AdjacentShardToMerge="shardId-000000000002")
    sup.wait_active(kinesis, name)
    assert kinesis.describe_stream_summary(StreamName=name)["StreamDescriptionSummary"]["OpenShardCount"] == 2


def test_on_demand_streams_cannot_be_resharded(kinesis, make_stream):
    name = make_stream(None, StreamModeDetails={"StreamMode": "ON_DEMAND"})
    with pytest.raises(ClientError) as e:
        kinesis.split_shard(StreamName=name, ShardToSplit="shardId-000000000000", NewStartingHashKey="1000")
    assert error_of(e) == ("ValidationException",
                           f"Request is invalid. Stream {name} under account {ACCOUNT} is in On-Demand mode.")


@pytest.mark.timeout_seconds(90)
def test_updating_state_blocks_reshards_and_survives_restart(monkeypatch):
    """A server of its own with --update-stream-ms: the stream is UPDATING for a
    while after a split, rejects further reshards meanwhile, and its closed
    shard and children survive a restart."""
    # The shared server's TLS settings reach child processes through the
    # environment (RUNNEL_TLS_*); this server is plain HTTP only.
    for var in [v for v in list(os.environ) if v.startswith("RUNNEL_TLS")]:
        monkeypatch.delenv(var)
    server = sup.RunnelServer(extra_args=["--update-stream-ms", "1500"]).start()
    try:
        client = sup.make_client(server.url)
        name = sup.unique_name("upd")
        client.create_stream(StreamName=name, ShardCount=2)
        sup.wait_active(client, name)
        for i in range(10):
            client.put_record(StreamName=name, PartitionKey=f"k{i}", Data=b"before")
        client.split_shard(StreamName=name, ShardToSplit="shardId-000000000000",
                           NewStartingHashKey=str(2 ** 126))
        status = client.describe_stream_summary(StreamName=name)["StreamDescriptionSummary"]["StreamStatus"]
        assert status == "UPDATING"
        with pytest.raises(ClientError) as e:
            client.merge_shards(StreamName=name, ShardToMerge="shardId-000000000003",
                                AdjacentShardToMerge="shardId-000000000001")
        assert error_of(e) == ("ResourceInUseException",
                               f"Stream {name} under account {ACCOUNT} not ACTIVE, instead in state UPDATING")
        # Puts and reads keep working while UPDATING.
        client.put_record(StreamName=name, PartitionKey="during", Data=b"during")
        sup.wait_active(client, name, timeout=10)
        before = client.describe_stream(StreamName=name)["StreamDescription"]
        parent_before = sup.read_shard(client, name, "shardId-000000000000")

        assert server.terminate() == 0, server.log_tail()
        server.start()
        client = sup.make_client(server.url)
        after = client.describe_stream(StreamName=name)["StreamDescription"]
        assert after == before
        records, finished = read_like_kcl(client, name)
        assert [r for r in records if r["ShardId"] == "shardId-000000000000"] == [
            {**r, "ShardId": "shardId-000000000000"} for r in parent_before]
        assert finished.index("shardId-000000000000") < finished.index("shardId-000000000003")
        assert len(records) == 11
        # The upper child (up to 2^127-1) and shard 1 (from 2^127) touch.
        client.merge_shards(StreamName=name, ShardToMerge="shardId-000000000003",
                            AdjacentShardToMerge="shardId-000000000001")
        sup.wait_active(client, name, timeout=10)
    finally:
        server.kill9()
