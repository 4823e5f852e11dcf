"""A stream's status transitions with non-zero --create-stream-ms,
--update-stream-ms and --delete-stream-ms: every state AWS passes through
(CREATING, UPDATING, DELETING) is visible, and the boto3 waiters see them."""
from __future__ import annotations

import time

import pytest
from botocore.exceptions import ClientError

import e2e_support as sup

WINDOW_MS = 1200


@pytest.fixture(scope="module")
def client():
    server = sup.RunnelServer(extra_args=["--create-stream-ms", str(WINDOW_MS), "--update-stream-ms",
                                          str(WINDOW_MS), "--delete-stream-ms", str(WINDOW_MS),
                                          "--control-plane-limits", "off"]).start()
    yield sup.make_client(server.url)
    assert server.terminate() == 0, server.log_tail()


def status(client, name: str) -> str:
    return client.describe_stream_summary(StreamName=name)["StreamDescriptionSummary"]["StreamStatus"]


def wait_status(client, name: str, want: str, timeout: float = 10) -> float:
    t0 = time.monotonic()
    while time.monotonic() - t0 < timeout:
        if status(client, name) == want:
            return time.monotonic() - t0
        time.sleep(0.05)
    raise AssertionError(f"{name} never became {want}")


def active_stream(client, shards: int = 2) -> str:
    name = sup.unique_name("transit")
    client.create_stream(StreamName=name, ShardCount=shards)
    client.get_waiter("stream_exists").wait(StreamName=name, WaiterConfig={"Delay": 0.2, "MaxAttempts": 100})
    return name


def test_create_passes_through_creating_and_the_waiter_sees_active(client):
    name = sup.unique_name("transit")
    t0 = time.monotonic()
    client.create_stream(StreamName=name, ShardCount=1)
    assert status(client, name) == "CREATING"
    summaries = {s["StreamName"]: s["StreamStatus"] for s in client.list_streams()["StreamSummaries"]}
    assert summaries[name] == "CREATING"
    client.get_waiter("stream_exists").wait(StreamName=name, WaiterConfig={"Delay": 0.2, "MaxAttempts": 100})
    assert time.monotonic() - t0 >= WINDOW_MS / 1000 * 0.9
    assert status(client, name) == "ACTIVE"


@pytest.mark.parametrize("change", [
    lambda c, n: c.split_shard(StreamName=n, ShardToSplit="shardId-000000000000",
                               NewStartingHashKey=str(2 ** 126)),
    lambda c, n: c.merge_shards(StreamName=n, ShardToMerge="shardId-000000000000",
                                AdjacentShardToMerge="shardId-000000000001"),
    lambda c, n: c.update_shard_count(StreamName=n, TargetShardCount=4, ScalingType="UNIFORM_SCALING"),
    lambda c, n: c.start_stream_encryption(StreamName=n, EncryptionType="KMS", KeyId="alias/aws/kinesis"),
    lambda c, n: c.update_stream_mode(StreamARN=sup.stream_arn(n),
                                      StreamModeDetails={"StreamMode": "ON_DEMAND"}),
], ids=["split", "merge", "update-shard-count", "start-encryption", "update-stream-mode"])
def test_changes_pass_through_updating(client, change):
    name = active_stream(client)
    change(client, name)
    assert status(client, name) == "UPDATING"
    # A second change while UPDATING is refused, as on AWS.
    with pytest.raises(ClientError) as e:
        client.start_stream_encryption(StreamName=name, EncryptionType="KMS", KeyId="alias/other")
    assert sup.error_of(e)[0] == "ResourceInUseException"
    waited = wait_status(client, name, "ACTIVE")
    assert waited <= WINDOW_MS / 1000 + 3


def test_delete_passes_through_deleting_and_the_waiter_sees_it_gone(client):
    name = active_stream(client, shards=1)
    client.delete_stream(StreamName=name)
    assert status(client, name) == "DELETING"
    with pytest.raises(ClientError) as e:
        client.create_stream(StreamName=name, ShardCount=1)
    assert sup.error_of(e)[0] == "ResourceInUseException"
    client.get_waiter("stream_not_exists").wait(StreamName=name, WaiterConfig={"Delay": 0.2, "MaxAttempts": 100})
    with pytest.raises(ClientError) as e:
        status(client, name)
    assert sup.error_of(e)[0] == "ResourceNotFoundException"
