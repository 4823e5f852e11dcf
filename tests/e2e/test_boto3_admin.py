"""boto3 against runnel: retention, tags, limits, account settings, StreamARN addressing,
and operations outside the current scope."""
from __future__ import annotations

import pytest
from botocore.exceptions import ClientError

import e2e_support as sup
from e2e_support import error_of, not_found_message, wait_gone


def retention(kinesis, name):
    return kinesis.describe_stream_summary(StreamName=name)["StreamDescriptionSummary"]["RetentionPeriodHours"]


# --- Retention ------------------------------------------------------------------


def test_increase_and_decrease_retention(kinesis, stream):
    kinesis.increase_stream_retention_period(StreamName=stream, RetentionPeriodHours=48)
    assert retention(kinesis, stream) == 48
    kinesis.increase_stream_retention_period(StreamName=stream, RetentionPeriodHours=8760)
    assert retention(kinesis, stream) == 8760
    kinesis.decrease_stream_retention_period(StreamName=stream, RetentionPeriodHours=24)
    assert retention(kinesis, stream) == 24
    desc = kinesis.describe_stream(StreamName=stream)["StreamDescription"]
    assert desc["RetentionPeriodHours"] == 24


def test_retention_too_short(kinesis, stream):
    with pytest.raises(ClientError) as e:
        kinesis.decrease_stream_retention_period(StreamName=stream, RetentionPeriodHours=12)
    assert error_of(e) == (
        "InvalidArgumentException",
        "Minimum allowed retention period is 24 hours. "
        "Requested retention period (12 hours) is too short.")


def test_retention_too_long(kinesis, stream):
    with pytest.raises(ClientError) as e:
        kinesis.increase_stream_retention_period(StreamName=stream, RetentionPeriodHours=9000)
    assert error_of(e) == (
        "InvalidArgumentException",
        "Maximum allowed retention period is 8760 hours. "
        "Requested retention period (9000 hours) is too long.")


def test_increase_retention_below_current(kinesis, stream):
    kinesis.increase_stream_retention_period(StreamName=stream, RetentionPeriodHours=48)
    with pytest.raises(ClientError) as e:
        kinesis.increase_stream_retention_period(StreamName=stream, RetentionPeriodHours=30)
    assert error_of(e) == (
        "InvalidArgumentException",
        f"Requested retention period (30 hours) for stream {stream} can not be shorter than "
        "existing retention period (48 hours). Use DecreaseRetentionPeriod API.")
    assert retention(kinesis, stream) == 48


def test_decrease_retention_above_current(kinesis, stream):
    with pytest.raises(ClientError) as e:
        kinesis.decrease_stream_retention_period(StreamName=stream, RetentionPeriodHours=36)
    assert error_of(e) == (
        "InvalidArgumentException",
        f"Requested retention period (36 hours) for stream {stream} can not be longer than "
        "existing retention period (24 hours). Use IncreaseRetentionPeriod API.")


def test_retention_missing_stream(kinesis):
    name = sup.unique_name("missing")
    with pytest.raises(ClientError) as e:
        kinesis.increase_stream_retention_period(StreamName=name, RetentionPeriodHours=48)
    assert error_of(e) == ("ResourceNotFoundException", not_found_message(name))


# --- Tags -------------------------------------------------------------------------


def test_add_list_remove_tags(kinesis, stream):
    tags = {"k1": "v1", "k2": "v2", "k3": "v3", "k4": "", "k5": "v5"}
    kinesis.add_tags_to_stream(StreamName=stream, Tags=tags)
    out = kinesis.list_tags_for_stream(StreamName=stream)
    assert out["HasMoreTags"] is False
    assert {t["Key"]: t.get("Value", "") for t in out["Tags"]} == tags

    kinesis.add_tags_to_stream(StreamName=stream, Tags={"k1": "changed"})
    out = kinesis.list_tags_for_stream(StreamName=stream)
    assert {t["Key"]: t.get("Value", "") for t in out["Tags"]}["k1"] == "changed"

    kinesis.remove_tags_from_stream(StreamName=stream, TagKeys=["k2", "k4", "not-there"])
    out = kinesis.list_tags_for_stream(StreamName=stream)
    assert sorted(t["Key"] for t in out["Tags"]) == ["k1", "k3", "k5"]


def test_list_tags_paging(kinesis, stream):
    keys = [f"key{i:02d}" for i in range(7)]
    kinesis.add_tags_to_stream(StreamName=stream, Tags={k: k.upper() for k in keys})
    page = kinesis.list_tags_for_stream(StreamName=stream, Limit=3)
    assert len(page["Tags"]) == 3
    assert page["HasMoreTags"] is True
    seen = [t["Key"] for t in page["Tags"]]
    while page["HasMoreTags"]:
        page = kinesis.list_tags_for_stream(StreamName=stream, Limit=3,
                                            ExclusiveStartTagKey=seen[-1])
        assert page["Tags"], "HasMoreTags=true promised more tags"
        seen.extend(t["Key"] for t in page["Tags"])
    assert sorted(seen) == keys
    assert len(seen) == len(set(seen))
    after = kinesis.list_tags_for_stream(StreamName=stream, ExclusiveStartTagKey="key04")
    assert [t["Key"] for t in after["Tags"]] == ["key05", "key06"]
    assert after["HasMoreTags"] is False


def test_tags_missing_stream(kinesis):
    name = sup.unique_name("missing")
    with pytest.raises(ClientError) as e:
        kinesis.add_tags_to_stream(StreamName=name, Tags={"a": "b"})
    assert error_of(e) == ("ResourceNotFoundException", not_found_message(name))
    with pytest.raises(ClientError) as e:
        kinesis.list_tags_for_stream(StreamName=name)
    assert error_of(e) == ("ResourceNotFoundException", not_found_message(name))


def test_tag_resource_with_stream_arn(kinesis, stream):
    arn = sup.stream_arn(stream)
    kinesis.tag_resource(ResourceARN=arn, Tags={"owner": "e2e", "tier": "gold"})
    tags = kinesis.list_tags_for_resource(ResourceARN=arn)["Tags"]
    assert {t["Key"]: t["Value"] for t in tags} == {"owner": "e2e", "tier": "gold"}
    # Both tag APIs see the same tags.
    via_stream = kinesis.list_tags_for_stream(StreamName=stream)["Tags"]
    assert {t["Key"]: t["Value"] for t in via_stream} == {"owner": "e2e", "tier": "gold"}
    kinesis.untag_resource(ResourceARN=arn, TagKeys=["tier"])
    tags = kinesis.list_tags_for_resource(ResourceARN=arn)["Tags"]
    assert {t["Key"]: t["Value"] for t in tags} == {"owner": "e2e"}


def test_tag_resource_missing_stream(kinesis):
    arn = sup.stream_arn(sup.unique_name("missing"))
    with pytest.raises(ClientError) as e:
        kinesis.list_tags_for_resource(ResourceARN=arn)
    assert error_of(e)[0] == "ResourceNotFoundException"


# --- Limits and account settings ----------------------------------------------------


def test_describe_limits_counts_open_shards(kinesis, make_stream):
    before = kinesis.describe_limits()
    for key in ("ShardLimit", "OpenShardCount", "OnDemandStreamCount", "OnDemandStreamCountLimit"):
        assert isinstance(before[key], int), key
    assert before["ShardLimit"] >= before["OpenShardCount"]
    make_stream(3)
    after = kinesis.describe_limits()
    assert after["OpenShardCount"] == before["OpenShardCount"] + 3
    make_stream(None, StreamModeDetails={"StreamMode": "ON_DEMAND"})
    after2 = kinesis.describe_limits()
    assert after2["OnDemandStreamCount"] == after["OnDemandStreamCount"] + 1


def test_account_settings(kinesis):
    out = kinesis.describe_account_settings()
    assert out["ResponseMetadata"]["HTTPStatusCode"] == 200
    updated = kinesis.update_account_settings(
        MinimumThroughputBillingCommitment={"Status": "ENABLED"})
    assert updated["MinimumThroughputBillingCommitment"]["Status"] == "ENABLED"
    described = kinesis.describe_account_settings()
    assert described["MinimumThroughputBillingCommitment"]["Status"] == "ENABLED"
    # AWS holds a commitment for at least 24 h: disabling right away either ends it at
    # the earliest allowed time or is refused with a client error; both are AWS-like.
    try:
        off = kinesis.update_account_settings(
            MinimumThroughputBillingCommitment={"Status": "DISABLED"})
        assert off["MinimumThroughputBillingCommitment"]["Status"] in (
            "DISABLED", "ENABLED_UNTIL_EARLIEST_ALLOWED_END")
    except ClientError as e:
        assert e.response["ResponseMetadata"]["HTTPStatusCode"] == 400


def test_update_account_settings_bad_status(kinesis_raw):
    with pytest.raises(ClientError) as e:
        kinesis_raw.update_account_settings(MinimumThroughputBillingCommitment={"Status": "MAYBE"})
    assert error_of(e)[0] == "ValidationException"


# --- StreamARN instead of StreamName ------------------------------------------------


def test_stream_arn_accepted_everywhere(kinesis, make_stream):
    name = make_stream(2)
    arn = sup.stream_arn(name)
    assert kinesis.describe_stream(StreamARN=arn)["StreamDescription"]["StreamName"] == name
    summary = kinesis.describe_stream_summary(StreamARN=arn)["StreamDescriptionSummary"]
    assert summary["StreamName"] == name and summary["StreamARN"] == arn
    assert len(kinesis.list_shards(StreamARN=arn)["Shards"]) == 2

    put = kinesis.put_record(StreamARN=arn, Data=b"by-arn", PartitionKey="k",
                             ExplicitHashKey="0")
    assert put["ShardId"] == "shardId-000000000000"
    batch = kinesis.put_records(StreamARN=arn, Records=[
        {"Data": b"batch-by-arn", "PartitionKey": "k", "ExplicitHashKey": "1"}])
    assert batch["FailedRecordCount"] == 0
    it = kinesis.get_shard_iterator(StreamARN=arn, ShardId="shardId-000000000000",
                                    ShardIteratorType="TRIM_HORIZON")["ShardIterator"]
    out = kinesis.get_records(ShardIterator=it, StreamARN=arn)
    assert [r["Data"] for r in out["Records"]] == [b"by-arn", b"batch-by-arn"]

    kinesis.add_tags_to_stream(StreamARN=arn, Tags={"a": "1", "b": "2"})
    kinesis.remove_tags_from_stream(StreamARN=arn, TagKeys=["b"])
    tags = kinesis.list_tags_for_stream(StreamARN=arn)["Tags"]
    assert [(t["Key"], t["Value"]) for t in tags] == [("a", "1")]

    kinesis.increase_stream_retention_period(StreamARN=arn, RetentionPeriodHours=72)
    kinesis.decrease_stream_retention_period(StreamARN=arn, RetentionPeriodHours=48)
    assert retention(kinesis, name) == 48

    kinesis.delete_stream(StreamARN=arn, EnforceConsumerDeletion=True)
    wait_gone(kinesis, name)


def test_stream_arn_and_name_together(kinesis, stream):
    arn = sup.stream_arn(stream)
    out = kinesis.describe_stream_summary(StreamName=stream, StreamARN=arn)
    assert out["StreamDescriptionSummary"]["StreamName"] == stream


def test_stream_arn_missing_stream(kinesis):
    name = sup.unique_name("missing")
    with pytest.raises(ClientError) as e:
        kinesis.describe_stream_summary(StreamARN=sup.stream_arn(name))
    assert error_of(e)[0] == "ResourceNotFoundException"
    assert name in error_of(e)[1]


def test_no_stream_name_nor_arn(kinesis_raw):
    with pytest.raises(ClientError) as e:
        kinesis_raw.describe_stream_summary()
    assert error_of(e)[0] in ("InvalidArgumentException", "ValidationException")


# --- Operations outside this milestone ---------------------------------------------


OUT_OF_SCOPE_CALLS = [
    ("split_shard", lambda n, arn: dict(StreamName=n, ShardToSplit="shardId-000000000000",
                                       NewStartingHashKey=str(2 ** 126))),
    ("merge_shards", lambda n, arn: dict(StreamName=n, ShardToMerge="shardId-000000000000",
                                        AdjacentShardToMerge="shardId-000000000001")),
    ("update_shard_count", lambda n, arn: dict(StreamName=n, TargetShardCount=4,
                                              ScalingType="UNIFORM_SCALING")),
    ("register_stream_consumer", lambda n, arn: dict(StreamARN=arn, ConsumerName="c1")),
    ("list_stream_consumers", lambda n, arn: dict(StreamARN=arn)),
    ("enable_enhanced_monitoring", lambda n, arn: dict(StreamName=n, ShardLevelMetrics=["ALL"])),
    ("start_stream_encryption", lambda n, arn: dict(StreamName=n, EncryptionType="KMS",
                                                   KeyId="alias/aws/kinesis")),
    ("update_stream_mode", lambda n, arn: dict(StreamARN=arn,
                                              StreamModeDetails={"StreamMode": "ON_DEMAND"})),
    ("get_resource_policy", lambda n, arn: dict(ResourceARN=arn)),
]


@pytest.mark.parametrize("op,args", OUT_OF_SCOPE_CALLS, ids=[c[0] for c in OUT_OF_SCOPE_CALLS])
def test_out_of_scope_operation_answers_clearly(kinesis, make_stream, op, args):
    """Either the operation works, or it fails with a clear AWS-shaped error (a 4xx, or
    501 NotImplemented with a message): never a 500 InternalFailure, a dropped
    connection or a hang."""
    name = make_stream(2)
    try:
        out = getattr(kinesis, op)(**args(name, sup.stream_arn(name)))
        assert out["ResponseMetadata"]["HTTPStatusCode"] == 200
    except ClientError as e:
        status = e.response["ResponseMetadata"]["HTTPStatusCode"]
        assert 400 <= status < 500 or status == 501, e.response
        assert e.response["Error"]["Code"], e.response
        assert e.response["Error"].get("Message"), e.response
    # The server still answers normally afterwards.
    assert kinesis.describe_stream_summary(StreamName=name)["StreamDescriptionSummary"]["StreamName"] == name
