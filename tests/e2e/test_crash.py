"""Durability: kill -9 under load, and clean restarts.

test_kill9_under_load starts its own server with --fsync always (and 4 MiB
segments, so that restarts open sealed segments from their summaries), runs several
producer threads (PutRecord and PutRecords, many partition keys, random binary
payloads up to ~900 KiB) that remember every ACKNOWLEDGED record, kills the
server with SIGKILL at random moments five times (restarting it on the same
data dir and port each time), then reads every shard from TRIM_HORIZON and
checks: every acknowledged record is there exactly once, byte for byte, at the
acknowledged sequence number and shard; sequence numbers strictly increase per
shard, also across restarts; anything else that is there is an unacknowledged
attempt, whole and at most once (never garbage).

Set RUNNEL_CRASH_SEED to replay a run's random choices.
"""
from __future__ import annotations

import os
import random
import threading
import time
import uuid
from collections import defaultdict
from dataclasses import dataclass, field

import pytest

import e2e_support as sup

KILLS = 5
PRODUCERS = 4
STREAM_SHARDS = 4
ID_LEN = 16


@dataclass
class Ack:
    shard: str
    seq: int
    epoch: int | None  # server incarnation that served the request, if unambiguous


@dataclass
class ProducerLog:
    attempts: dict[bytes, bytes] = field(default_factory=dict)  # id -> payload
    acks: dict[bytes, Ack] = field(default_factory=dict)         # id -> where it landed
    ok_calls: int = 0
    failed_calls: int = 0


class Epoch:
    """Counts server incarnations; bumped just before each kill."""

    def __init__(self):
        self.value = 0
        self.lock = threading.Lock()

    def get(self) -> int:
        with self.lock:
            return self.value

    def bump(self) -> None:
        with self.lock:
            self.value += 1


def make_payload(rng: random.Random) -> tuple[bytes, bytes]:
    rid = uuid.UUID(int=rng.getrandbits(128)).bytes
    roll = rng.random()
    if roll < 0.05:
        size = rng.randint(256 * 1024, 900 * 1024)
    elif roll < 0.25:
        size = rng.randint(1024, 64 * 1024)
    else:
        size = rng.randint(0, 600)
    return rid, rid + rng.randbytes(size)


def producer(url: str, stream: str, seed: int, stop: threading.Event, epoch: Epoch,
             log: ProducerLog) -> None:
    rng = random.Random(seed)
    client = sup.make_client(url, read_timeout=15)
    while not stop.is_set():
        batch = []
        if rng.random() < 0.5:
            rid, data = make_payload(rng)
            batch.append((rid, data, f"pk-{rng.randrange(10_000)}"))
        else:
            budget = 4 * 1024 * 1024
            for _ in range(rng.randint(1, 40)):
                rid, data = make_payload(rng)
                if len(data) > budget:
                    break
                budget -= len(data)
                batch.append((rid, data, f"pk-{rng.randrange(10_000)}"))
            if not batch:
                continue
        for rid, data, _ in batch:
            log.attempts[rid] = data
        e0 = epoch.get()
        try:
            if len(batch) == 1 and rng.random() < 0.7:
                rid, data, key = batch[0]
                out = client.put_record(StreamName=stream, Data=data, PartitionKey=key)
                results = [(rid, out)]
            else:
                out = client.put_records(StreamName=stream, Records=[
                    {"Data": data, "PartitionKey": key} for _, data, key in batch])
                assert len(out["Records"]) == len(batch)
                results = list(zip([b[0] for b in batch], out["Records"]))
        except Exception:
            log.failed_calls += 1
            time.sleep(0.05)
            continue
        e1 = epoch.get()
        log.ok_calls += 1
        for rid, result in results:
            if "SequenceNumber" in result:
                log.acks[rid] = Ack(result["ShardId"], int(result["SequenceNumber"]),
                                    e0 if e0 == e1 else None)


def read_all(client, stream: str) -> dict[str, list[dict]]:
    shards = client.list_shards(StreamName=stream)["Shards"]
    return {s["ShardId"]: sup.read_shard(client, stream, s["ShardId"]) for s in shards}


@pytest.mark.timeout_seconds(300)
def test_kill9_under_load():
    seed = int(os.environ.get("RUNNEL_CRASH_SEED", time.time_ns() % 1_000_000_007))
    print(f"RUNNEL_CRASH_SEED={seed}")
    rng = random.Random(seed)
    # The most load the clients can make, not the shard limits' worth. Small
    # segments and a small page cache window, so that segments are sealed and
    # summarised, restarts index them from their summaries, and synced pages
    # are dropped from the page cache while readers read.
    server = sup.RunnelServer(extra_args=["--fsync", "always", "--throughput-limits", "off",
                                          "--segment-mib", "4", "--page-cache-window-mib", "8"])
    server.start()
    stream = sup.unique_name("crash")
    try:
        admin = sup.make_client(server.url, read_timeout=60)
        admin.create_stream(StreamName=stream, ShardCount=STREAM_SHARDS)
        sup.wait_active(admin, stream)

        stop, epoch = threading.Event(), Epoch()
        logs = [ProducerLog() for _ in range(PRODUCERS)]
        threads = [threading.Thread(target=producer, daemon=True,
                                    args=(server.url, stream, seed * 31 + i, stop, epoch, logs[i]))
                   for i in range(PRODUCERS)]
        for t in threads:
            t.start()
        for _ in range(KILLS):
            time.sleep(rng.uniform(0.4, 2.0))
            epoch.bump()
            server.kill9()
            time.sleep(rng.uniform(0.0, 0.3))
            try:
                server.start(timeout=30)
            except AssertionError as e:
                raise AssertionError(f"restart after kill -9 failed: {e}\n{server.log_tail()}")
        time.sleep(1.0)
        stop.set()
        for t in threads:
            t.join(timeout=60)
            assert not t.is_alive(), "a producer hung"

        attempts: dict[bytes, bytes] = {}
        acks: dict[bytes, Ack] = {}
        for log in logs:
            attempts.update(log.attempts)
            acks.update(log.acks)
        ok_calls = sum(log.ok_calls for log in logs)
        assert ok_calls > 20 and len(acks) > 100, \
            f"too little was acknowledged to mean anything ({ok_calls} calls, {len(acks)} records)"
        print(f"acknowledged {len(acks)} records in {ok_calls} calls; "
              f"{sum(log.failed_calls for log in logs)} calls failed; {len(attempts)} attempted")

        reader = sup.make_client(server.url, read_timeout=60)
        by_shard = read_all(reader, stream)
        problems = verify(by_shard, attempts, acks)
        assert not problems, "\n".join(problems[:30]) + f"\n({len(problems)} problems)"

        # Writes still work after recovery, and continue the sequence.
        out = reader.put_record(StreamName=stream, Data=b"after-crash", PartitionKey="k")
        last = max((int(r["SequenceNumber"]) for r in by_shard[out["ShardId"]]), default=-1)
        assert int(out["SequenceNumber"]) > last
    finally:
        code = server.terminate()
    assert code == 0, f"runnel exited {code} on SIGTERM:\n{server.log_tail()}"


def verify(by_shard: dict[str, list[dict]], attempts: dict[bytes, bytes],
           acks: dict[bytes, Ack]) -> list[str]:
    problems: list[str] = []
    seen: dict[bytes, tuple[str, int]] = {}
    for shard, records in by_shard.items():
        previous = -1
        for rec in records:
            seq = int(rec["SequenceNumber"])
            if seq <= previous:
                problems.append(f"{shard}: sequence {seq} does not follow {previous}")
            previous = seq
            data = rec["Data"]
            rid = data[:ID_LEN]
            if rid not in attempts:
                problems.append(f"{shard}/{seq}: record was never sent ({len(data)} bytes, corrupt?)")
                continue
            if data != attempts[rid]:
                problems.append(f"{shard}/{seq}: data differs from what was sent "
                                f"({len(data)} vs {len(attempts[rid])} bytes)")
            if rid in seen:
                ack = acks.get(rid)
                status = f"acknowledged as {ack.shard}/{ack.seq}" if ack else "unacknowledged"
                problems.append(f"{shard}/{seq}: duplicate of record at {seen[rid][0]}/{seen[rid][1]} "
                                f"({status}, {len(data)} bytes)")
            seen[rid] = (shard, seq)
    for rid, ack in acks.items():
        where = seen.get(rid)
        if where is None:
            problems.append(f"acknowledged record {rid.hex()} at {ack.shard}/{ack.seq} is missing")
        elif where != (ack.shard, ack.seq):
            problems.append(f"acknowledged record {rid.hex()} at {ack.shard}/{ack.seq} "
                            f"found at {where[0]}/{where[1]}")
    # Across restarts: everything acknowledged by incarnation k sorts before incarnation k+1.
    per_epoch: dict[str, dict[int, list[int]]] = defaultdict(lambda: defaultdict(list))
    for ack in acks.values():
        if ack.epoch is not None:
            per_epoch[ack.shard][ack.epoch].append(ack.seq)
    for shard, epochs in per_epoch.items():
        order = sorted(epochs)
        for a, b in zip(order, order[1:]):
            if max(epochs[a]) >= min(epochs[b]):
                problems.append(f"{shard}: incarnation {b} issued {min(epochs[b])}, not above "
                                f"incarnation {a}'s {max(epochs[a])}")
    return problems


@pytest.mark.timeout_seconds(120)
def test_clean_restart_keeps_everything():
    server = sup.RunnelServer()
    server.start()
    try:
        client = sup.make_client(server.url)
        prov, ondemand = sup.unique_name("keep"), sup.unique_name("keep-od")
        client.create_stream(StreamName=prov, ShardCount=3, Tags={"team": "durable"})
        client.create_stream(StreamName=ondemand, StreamModeDetails={"StreamMode": "ON_DEMAND"})
        sup.wait_active(client, prov)
        sup.wait_active(client, ondemand)
        client.add_tags_to_stream(StreamName=prov, Tags={"extra": "tag", "empty": ""})
        client.increase_stream_retention_period(StreamName=prov, RetentionPeriodHours=72)
        rng = random.Random(11)
        sent = []
        for i in range(40):
            data = rng.randbytes(rng.randint(0, 3000))
            out = client.put_record(StreamName=prov, Data=data, PartitionKey=f"k{i}")
            sent.append((out["ShardId"], out["SequenceNumber"], data))
        client.put_records(StreamName=ondemand, Records=[
            {"Data": b"od-%d" % i, "PartitionKey": f"o{i}"} for i in range(10)])

        before = {
            "streams": client.list_streams()["StreamNames"],
            "desc": client.describe_stream(StreamName=prov)["StreamDescription"],
            "summary_od": client.describe_stream_summary(StreamName=ondemand)["StreamDescriptionSummary"],
            "tags": client.list_tags_for_stream(StreamName=prov)["Tags"],
            "records": read_all(client, prov),
            "records_od": read_all(client, ondemand),
        }
        code = server.terminate()
        assert code == 0, f"runnel exited {code} on SIGTERM:\n{server.log_tail()}"

        server.start()
        client = sup.make_client(server.url)
        assert client.list_streams()["StreamNames"] == before["streams"]
        desc = client.describe_stream(StreamName=prov)["StreamDescription"]
        assert desc == before["desc"]
        assert desc["RetentionPeriodHours"] == 72
        summary_od = client.describe_stream_summary(StreamName=ondemand)["StreamDescriptionSummary"]
        assert summary_od == before["summary_od"]
        assert summary_od["StreamModeDetails"] == {"StreamMode": "ON_DEMAND"}
        tags = client.list_tags_for_stream(StreamName=prov)["Tags"]
        assert tags == before["tags"]
        assert {t["Key"]: t.get("Value", "") for t in tags} == {"team": "durable", "extra": "tag",
                                                                 "empty": ""}
        after = read_all(client, prov)
        assert after == before["records"]
        assert read_all(client, ondemand) == before["records_od"]
        got = {(shard, r["SequenceNumber"]): r["Data"] for shard, recs in after.items() for r in recs}
        for shard, seq, data in sent:
            assert got[(shard, seq)] == data
        new = client.put_record(StreamName=prov, Data=b"after", PartitionKey="k0")
        old_max = max(int(s) for shard, s, _ in sent if shard == new["ShardId"])
        assert int(new["SequenceNumber"]) > old_max
    finally:
        code = server.terminate()
    assert code == 0, f"runnel exited {code} on SIGTERM:\n{server.log_tail()}"
