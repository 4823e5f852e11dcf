"""boto3 against runnel: UpdateShardCount, UpdateStreamMode, UpdateMaxRecordSize,
UpdateStreamWarmThroughput, enhanced monitoring, the account shard limit and
updates on a stream that is not ACTIVE (docs/capacity.md).

Puts are few and small: the shared server may run with per-shard throughput
limits on.
"""
from __future__ import annotations

import pytest
from botocore.exceptions import ClientError

import e2e_support as sup
from e2e_support import ACCOUNT, error_of


def list_all_shards(kinesis, name):
    out, token = [], None
    while True:
        page = kinesis.list_shards(**({"NextToken": token} if token else {"StreamName": name}))
        out.extend(page["Shards"])
        token = page.get("NextToken")
        if not token:
            return out


def is_open(shard) -> bool:
    return "EndingSequenceNumber" not in shard["SequenceNumberRange"]


def open_ranges(kinesis, name):
    return sorted((int(s["HashKeyRange"]["StartingHashKey"]), int(s["HashKeyRange"]["EndingHashKey"]))
                  for s in list_all_shards(kinesis, name) if is_open(s))


def read_by_lineage(kinesis, name):
    """Reads every shard after its parents (as the KCL does); data per partition key, in read order."""
    shards = list_all_shards(kinesis, name)
    done, by_key = set(), {}
    while len(done) < len(shards):
        progressed = False
        for s in shards:
            sid = s["ShardId"]
            parents = [s[k] for k in ("ParentShardId", "AdjacentParentShardId") if k in s]
            if sid in done or any(p not in done for p in parents):
                continue
            for r in sup.read_shard(kinesis, name, sid):
                by_key.setdefault(r["PartitionKey"], []).append(r["Data"].decode())
            done.add(sid)
            progressed = True
        assert progressed, "a shard's parent is missing"
    return by_key


def put_retrying(kinesis, **kw):
    for _ in range(50):
        try:
            return kinesis.put_record(**kw)
        except ClientError as e:
            if e.response["Error"]["Code"] != "ProvisionedThroughputExceededException":
                raise
    raise AssertionError("put kept being throttled")


def test_update_shard_count_scales_uniformly_and_keeps_every_record_once(kinesis, make_stream):
    name = make_stream(3)
    for i in range(30):
        put_retrying(kinesis, StreamName=name, PartitionKey=f"k{i % 10}", Data=f"a{i}".encode())
    out = kinesis.update_shard_count(StreamName=name, TargetShardCount=5, ScalingType="UNIFORM_SCALING")
    assert out["StreamName"] == name
    assert out["StreamARN"] == sup.stream_arn(name)
    assert out["CurrentShardCount"] == 3
    assert out["TargetShardCount"] == 5
    sup.wait_active(kinesis, name)
    assert open_ranges(kinesis, name) == sup.even_hash_ranges(5)
    for i in range(30):
        put_retrying(kinesis, StreamName=name, PartitionKey=f"k{i % 10}", Data=f"b{i}".encode())
    kinesis.update_shard_count(StreamARN=sup.stream_arn(name), TargetShardCount=3, ScalingType="UNIFORM_SCALING")
    sup.wait_active(kinesis, name)
    assert open_ranges(kinesis, name) == sup.even_hash_ranges(3)
    assert kinesis.describe_stream_summary(StreamName=name)["StreamDescriptionSummary"]["OpenShardCount"] == 3
    by_key = read_by_lineage(kinesis, name)
    for k in range(10):
        want = [f"{r}{i}" for r in "ab" for i in range(k, 30, 10)]
        assert by_key[f"k{k}"] == want


def test_update_shard_count_bounds(kinesis, make_stream):
    name = make_stream(4)
    with pytest.raises(ClientError) as e:
        kinesis.update_shard_count(StreamName=name, TargetShardCount=9, ScalingType="UNIFORM_SCALING")
    assert error_of(e)[0] == "LimitExceededException"
    assert "cannot scale up over double your current open shard count" in error_of(e)[1]
    with pytest.raises(ClientError) as e:
        kinesis.update_shard_count(StreamName=name, TargetShardCount=1, ScalingType="UNIFORM_SCALING")
    assert error_of(e)[0] == "LimitExceededException"
    with pytest.raises(ClientError) as e:
        kinesis.update_shard_count(StreamName="no-such-stream-x", TargetShardCount=1, ScalingType="UNIFORM_SCALING")
    assert error_of(e) == ("ResourceNotFoundException", sup.not_found_message("no-such-stream-x"))


def test_on_demand_streams_have_four_shards_and_refuse_manual_resharding(kinesis, make_stream):
    name = make_stream(None, StreamModeDetails={"StreamMode": "ON_DEMAND"})
    summary = kinesis.describe_stream_summary(StreamName=name)["StreamDescriptionSummary"]
    assert summary["StreamModeDetails"] == {"StreamMode": "ON_DEMAND"}
    assert summary["OpenShardCount"] == 4
    with pytest.raises(ClientError) as e:
        kinesis.update_shard_count(StreamName=name, TargetShardCount=5, ScalingType="UNIFORM_SCALING")
    assert error_of(e) == ("ValidationException",
                           f"Request is invalid. Stream {name} under account {ACCOUNT} is in On-Demand mode.")


def test_update_stream_mode_round_trip(kinesis, make_stream):
    name = make_stream(2)
    arn = sup.stream_arn(name)
    kinesis.update_stream_mode(StreamARN=arn, StreamModeDetails={"StreamMode": "ON_DEMAND"})
    sup.wait_active(kinesis, name)
    assert kinesis.describe_stream(StreamName=name)["StreamDescription"]["StreamModeDetails"] == {
        "StreamMode": "ON_DEMAND"}
    summaries = {s["StreamName"]: s for s in kinesis.list_streams(Limit=100)["StreamSummaries"]}
    if name in summaries:
        assert summaries[name]["StreamModeDetails"] == {"StreamMode": "ON_DEMAND"}
    assert kinesis.describe_limits()["OnDemandStreamCount"] >= 1
    with pytest.raises(ClientError) as e:
        kinesis.update_stream_mode(StreamARN=arn, StreamModeDetails={"StreamMode": "ON_DEMAND"})
    assert error_of(e)[0] == "InvalidArgumentException"
    kinesis.update_stream_mode(StreamARN=arn, StreamModeDetails={"StreamMode": "PROVISIONED"})
    sup.wait_active(kinesis, name)
    summary = kinesis.describe_stream_summary(StreamName=name)["StreamDescriptionSummary"]
    assert summary["StreamModeDetails"] == {"StreamMode": "PROVISIONED"}
    # AWS allows two switches per rolling 24 hours.
    with pytest.raises(ClientError) as e:
        kinesis.update_stream_mode(StreamARN=arn, StreamModeDetails={"StreamMode": "ON_DEMAND"})
    assert error_of(e)[0] == "LimitExceededException"


def test_update_max_record_size(kinesis, kinesis_raw, make_stream):
    name = make_stream(1)
    arn = sup.stream_arn(name)
    assert kinesis.describe_stream_summary(StreamName=name)["StreamDescriptionSummary"]["MaxRecordSizeInKiB"] == 1024
    kinesis.update_max_record_size(StreamARN=arn, MaxRecordSizeInKiB=2048)
    assert kinesis.describe_stream_summary(StreamName=name)["StreamDescriptionSummary"]["MaxRecordSizeInKiB"] == 2048
    with pytest.raises(ClientError) as e:
        kinesis_raw.update_max_record_size(StreamARN=arn, MaxRecordSizeInKiB=10241)
    assert error_of(e)[0] == "ValidationException"
    # A record of 1.5 MiB now fits.
    put_retrying(kinesis, StreamName=name, PartitionKey="big", Data=b"x" * (1536 * 1024))


def test_warm_throughput_is_only_for_on_demand_streams(kinesis, make_stream):
    name = make_stream(1)
    with pytest.raises(ClientError) as e:
        kinesis.update_stream_warm_throughput(StreamName=name, WarmThroughputMiBps=10)
    assert error_of(e)[0] == "ValidationException"


def test_enhanced_monitoring(kinesis, make_stream):
    name = make_stream(1)
    out = kinesis.enable_enhanced_monitoring(StreamName=name, ShardLevelMetrics=["IncomingBytes", "OutgoingBytes"])
    assert out["StreamName"] == name
    assert out["StreamARN"] == sup.stream_arn(name)
    assert out["CurrentShardLevelMetrics"] == []
    assert out["DesiredShardLevelMetrics"] == ["IncomingBytes", "OutgoingBytes"]
    out = kinesis.enable_enhanced_monitoring(StreamARN=sup.stream_arn(name), ShardLevelMetrics=["ALL"])
    assert len(out["DesiredShardLevelMetrics"]) == 7
    out = kinesis.disable_enhanced_monitoring(StreamName=name, ShardLevelMetrics=["IncomingBytes"])
    assert "IncomingBytes" not in out["DesiredShardLevelMetrics"]
    assert len(out["DesiredShardLevelMetrics"]) == 6
    desc = kinesis.describe_stream(StreamName=name)["StreamDescription"]
    assert desc["EnhancedMonitoring"] == [{"ShardLevelMetrics": out["DesiredShardLevelMetrics"]}]
    out = kinesis.disable_enhanced_monitoring(StreamName=name, ShardLevelMetrics=["ALL"])
    assert out["DesiredShardLevelMetrics"] == []


@pytest.mark.timeout_seconds(60)
def test_shard_limit_and_not_active_on_a_server_of_our_own():
    server = sup.RunnelServer(extra_args=["--shard-limit", "10", "--update-stream-ms", "1500"]).start()
    try:
        k = sup.make_client(server.url)
        assert k.describe_limits()["ShardLimit"] == 10
        k.create_stream(StreamName="a", ShardCount=6)
        with pytest.raises(ClientError) as e:
            k.create_stream(StreamName="b", ShardCount=5)
        assert error_of(e) == (
            "LimitExceededException",
            f"This request would exceed the shard limit for the account {ACCOUNT} in us-east-1. Current shard "
            "count for the account: 6. Limit: 10. Number of additional shards that would have resulted from this "
            "request: 5. Refer to the AWS Service Limits page (http://docs.aws.amazon.com/general/latest/gr/"
            "aws_service_limits.html) for current limits and how to request higher limits.")
        with pytest.raises(ClientError) as e:
            k.update_shard_count(StreamName="a", TargetShardCount=12, ScalingType="UNIFORM_SCALING")
        assert error_of(e)[0] == "LimitExceededException"
        k.update_shard_count(StreamName="a", TargetShardCount=3, ScalingType="UNIFORM_SCALING")
        assert k.describe_stream_summary(StreamName="a")["StreamDescriptionSummary"]["StreamStatus"] == "UPDATING"
        not_active = f"Stream a under account {ACCOUNT} not ACTIVE, instead in state UPDATING"
        for call in (
            lambda: k.update_shard_count(StreamName="a", TargetShardCount=6, ScalingType="UNIFORM_SCALING"),
            lambda: k.update_stream_mode(StreamARN=sup.stream_arn("a"), StreamModeDetails={"StreamMode": "ON_DEMAND"}),
            lambda: k.enable_enhanced_monitoring(StreamName="a", ShardLevelMetrics=["ALL"]),
            lambda: k.update_max_record_size(StreamARN=sup.stream_arn("a"), MaxRecordSizeInKiB=2048),
        ):
            with pytest.raises(ClientError) as e:
                call()
            assert error_of(e) == ("ResourceInUseException", not_active)
        sup.wait_active(k, "a")
        assert k.describe_limits()["OpenShardCount"] == 3
        # Everything set survives a restart.
        k.enable_enhanced_monitoring(StreamName="a", ShardLevelMetrics=["IncomingRecords"])
        k.update_max_record_size(StreamARN=sup.stream_arn("a"), MaxRecordSizeInKiB=4096)
        assert server.terminate() == 0
        server.start()
        summary = k.describe_stream_summary(StreamName="a")["StreamDescriptionSummary"]
        assert summary["MaxRecordSizeInKiB"] == 4096
        assert summary["EnhancedMonitoring"] == [{"ShardLevelMetrics": ["IncomingRecords"]}]
        assert summary["OpenShardCount"] == 3
    finally:
        if server.proc and server.proc.poll() is None:
            server.terminate()


def test_control_plane_call_rate_on_a_server_of_our_own():
    """AWS allows CreateStream 5 times a second per account; the sixth call
    within the second is LimitExceededException, and botocore's standard
    retry mode (which treats it as throttling) gets every call through."""
    server = sup.RunnelServer(extra_args=["--control-plane-limits", "on"]).start()
    try:
        k = sup.make_client(server.url)
        errors = []
        for i in range(12):
            try:
                k.create_stream(StreamName=f"burst-{i}", ShardCount=1)
            except ClientError as e:
                errors.append((e.response["Error"]["Code"], e.response["Error"]["Message"]))
        assert errors, "12 CreateStream calls in a burst were all accepted"
        assert all(code == "LimitExceededException" for code, _ in errors), errors
        assert all(message.startswith("Rate exceeded for ") for _, message in errors), errors
        created = {s for s in k.list_streams()["StreamNames"] if s.startswith("burst-")}
        assert len(created) == 12 - len(errors)
        retrying = sup.make_client(server.url, retries=10)
        for i in range(12):
            if f"burst-{i}" not in created:
                retrying.create_stream(StreamName=f"burst-{i}", ShardCount=1)
        names = {s for s in k.list_streams()["StreamNames"] if s.startswith("burst-")}
        assert names == {f"burst-{i}" for i in range(12)}
    finally:
        if server.proc and server.proc.poll() is None:
            server.terminate()
