"""boto3 against runnel: stream lifecycle, DescribeStream(Summary), ListStreams, ListShards.

Expected values come from AWS's service model and documentation, not from
what runnel happens to return.
"""
from __future__ import annotations

import datetime as dt

import pytest
from botocore.exceptions import ClientError

import e2e_support as sup
from e2e_support import SEQ_RE, SHARD_ID_RE, error_of, not_found_message, wait_gone

# --- CreateStream -----------------------------------------------------------


def test_create_provisioned_with_shard_count(kinesis, make_stream):
    name = make_stream(3, StreamModeDetails={"StreamMode": "PROVISIONED"})
    summary = kinesis.describe_stream_summary(StreamName=name)["StreamDescriptionSummary"]
    assert summary["StreamName"] == name
    assert summary["StreamARN"] == sup.stream_arn(name)
    assert summary["StreamStatus"] == "ACTIVE"
    assert summary["StreamModeDetails"] == {"StreamMode": "PROVISIONED"}
    assert summary["OpenShardCount"] == 3
    assert summary["RetentionPeriodHours"] == 24
    assert summary["EncryptionType"] == "NONE"
    assert isinstance(summary["EnhancedMonitoring"], list)
    assert summary.get("ConsumerCount", 0) == 0
    created = summary["StreamCreationTimestamp"]
    assert isinstance(created, dt.datetime)
    now = dt.datetime.now(dt.timezone.utc)
    assert abs((now - created).total_seconds()) < 300


def test_create_on_demand(kinesis, make_stream):
    name = make_stream(None, StreamModeDetails={"StreamMode": "ON_DEMAND"})
    summary = kinesis.describe_stream_summary(StreamName=name)["StreamDescriptionSummary"]
    assert summary["StreamModeDetails"] == {"StreamMode": "ON_DEMAND"}
    # AWS opens an on-demand stream with 4 shards (4 MiB/s write capacity).
    assert summary["OpenShardCount"] == 4
    shards = kinesis.list_shards(StreamName=name)["Shards"]
    assert len(shards) == 4


def test_create_defaults_to_four_shards(kinesis, make_stream):
    name = make_stream(None)
    summary = kinesis.describe_stream_summary(StreamName=name)["StreamDescriptionSummary"]
    assert summary["OpenShardCount"] == 4
    assert summary["RetentionPeriodHours"] == 24
    assert summary["StreamModeDetails"]["StreamMode"] in ("PROVISIONED", "ON_DEMAND")


def test_create_with_tags(kinesis, make_stream):
    name = make_stream(1, Tags={"team": "data", "env": "test"})
    tags = kinesis.list_tags_for_stream(StreamName=name)["Tags"]
    assert {t["Key"]: t["Value"] for t in tags} == {"team": "data", "env": "test"}


def test_create_existing_stream_is_resource_in_use(kinesis, stream):
    with pytest.raises(ClientError) as e:
        kinesis.create_stream(StreamName=stream, ShardCount=1)
    assert error_of(e) == ("ResourceInUseException",
                           f"Stream {stream} under account {sup.ACCOUNT} already exists.")
    assert e.value.response["ResponseMetadata"]["HTTPStatusCode"] == 400


def test_create_bad_stream_name_pattern(kinesis_raw):
    with pytest.raises(ClientError) as e:
        kinesis_raw.create_stream(StreamName="bad name!", ShardCount=1)
    assert error_of(e) == (
        "ValidationException",
        "1 validation error detected: Value 'bad name!' at 'streamName' failed to satisfy "
        "constraint: Member must satisfy regular expression pattern: [a-zA-Z0-9_.-]+")


def test_create_stream_name_too_long(kinesis_raw):
    name = "a" * 129
    with pytest.raises(ClientError) as e:
        kinesis_raw.create_stream(StreamName=name, ShardCount=1)
    code, message = error_of(e)
    assert code == "ValidationException"
    assert message == (
        f"1 validation error detected: Value '{name}' at 'streamName' failed to satisfy "
        "constraint: Member must have length less than or equal to 128")


def test_create_zero_shards_is_validation_error(kinesis_raw):
    name = sup.unique_name()
    with pytest.raises(ClientError) as e:
        kinesis_raw.create_stream(StreamName=name, ShardCount=0)
    assert error_of(e) == (
        "ValidationException",
        "1 validation error detected: Value '0' at 'shardCount' failed to satisfy "
        "constraint: Member must have value greater than or equal to 1")


def test_request_id_header_on_success_and_error(kinesis):
    ok = kinesis.list_streams(Limit=1)
    meta = ok["ResponseMetadata"]
    assert meta["HTTPStatusCode"] == 200
    assert meta.get("RequestId"), meta
    assert meta["HTTPHeaders"].get("x-amzn-requestid") == meta["RequestId"]
    with pytest.raises(ClientError) as e:
        kinesis.describe_stream_summary(StreamName=sup.unique_name("missing"))
    err_meta = e.value.response["ResponseMetadata"]
    assert err_meta.get("RequestId")
    assert err_meta["RequestId"] != meta["RequestId"]


def test_waiter_stream_exists(kinesis):
    name = sup.unique_name("waiter")
    kinesis.create_stream(StreamName=name, ShardCount=1)
    try:
        kinesis.get_waiter("stream_exists").wait(
            StreamName=name, WaiterConfig={"Delay": 1, "MaxAttempts": 15})
        desc = kinesis.describe_stream(StreamName=name)["StreamDescription"]
        assert desc["StreamStatus"] == "ACTIVE"
    finally:
        kinesis.delete_stream(StreamName=name)


def test_waiter_stream_not_exists(kinesis):
    name = sup.unique_name("waiter")
    kinesis.create_stream(StreamName=name, ShardCount=1)
    sup.wait_active(kinesis, name)
    kinesis.delete_stream(StreamName=name)
    kinesis.get_waiter("stream_not_exists").wait(
        StreamName=name, WaiterConfig={"Delay": 1, "MaxAttempts": 15})


# --- DeleteStream -------------------------------------------------------------


def test_delete_stream_then_not_found(kinesis):
    name = sup.unique_name("del")
    kinesis.create_stream(StreamName=name, ShardCount=1)
    sup.wait_active(kinesis, name)
    out = kinesis.delete_stream(StreamName=name, EnforceConsumerDeletion=True)
    assert out["ResponseMetadata"]["HTTPStatusCode"] == 200
    wait_gone(kinesis, name)
    with pytest.raises(ClientError) as e:
        kinesis.describe_stream(StreamName=name)
    assert error_of(e) == ("ResourceNotFoundException", not_found_message(name))
    assert name not in kinesis.list_streams(ExclusiveStartStreamName=name[:-1], Limit=10)["StreamNames"]


def test_delete_missing_stream(kinesis):
    name = sup.unique_name("missing")
    with pytest.raises(ClientError) as e:
        kinesis.delete_stream(StreamName=name)
    assert error_of(e) == ("ResourceNotFoundException", not_found_message(name))


def test_name_reusable_after_delete(kinesis):
    name = sup.unique_name("reuse")
    kinesis.create_stream(StreamName=name, ShardCount=1)
    sup.wait_active(kinesis, name)
    kinesis.put_record(StreamName=name, Data=b"old", PartitionKey="k")
    kinesis.delete_stream(StreamName=name)
    wait_gone(kinesis, name)
    kinesis.create_stream(StreamName=name, ShardCount=2)
    try:
        sup.wait_active(kinesis, name)
        shards = kinesis.list_shards(StreamName=name)["Shards"]
        assert len(shards) == 2
        for shard in shards:
            assert sup.read_shard(kinesis, name, shard["ShardId"]) == [], \
                "a re-created stream must not show the deleted stream's records"
    finally:
        kinesis.delete_stream(StreamName=name)


# --- DescribeStream -----------------------------------------------------------


def test_describe_stream_shape_and_hash_ranges(kinesis, make_stream):
    name = make_stream(5)
    desc = kinesis.describe_stream(StreamName=name)["StreamDescription"]
    assert desc["StreamName"] == name
    assert desc["StreamARN"] == sup.stream_arn(name)
    assert desc["StreamStatus"] == "ACTIVE"
    assert desc["HasMoreShards"] is False
    assert desc["RetentionPeriodHours"] == 24
    assert desc["EncryptionType"] == "NONE"
    assert isinstance(desc["EnhancedMonitoring"], list)
    assert isinstance(desc["StreamCreationTimestamp"], dt.datetime)
    shards = desc["Shards"]
    assert [s["ShardId"] for s in shards] == [f"shardId-{i:012d}" for i in range(5)]
    ranges = [(int(s["HashKeyRange"]["StartingHashKey"]), int(s["HashKeyRange"]["EndingHashKey"]))
              for s in shards]
    assert ranges == sup.even_hash_ranges(5)
    assert ranges[0][0] == 0 and ranges[-1][1] == 2 ** 128 - 1
    for (_, end), (start, _) in zip(ranges, ranges[1:]):
        assert start == end + 1, "hash ranges must be contiguous"
    for s in shards:
        assert SHARD_ID_RE.match(s["ShardId"])
        rng = s["SequenceNumberRange"]
        assert SEQ_RE.match(rng["StartingSequenceNumber"]), rng
        assert "EndingSequenceNumber" not in rng
        assert "ParentShardId" not in s


def test_describe_stream_limit_and_exclusive_start(kinesis, make_stream):
    name = make_stream(5)
    page1 = kinesis.describe_stream(StreamName=name, Limit=2)["StreamDescription"]
    assert [s["ShardId"] for s in page1["Shards"]] == ["shardId-000000000000", "shardId-000000000001"]
    assert page1["HasMoreShards"] is True
    page2 = kinesis.describe_stream(StreamName=name, Limit=2,
                                    ExclusiveStartShardId="shardId-000000000001")["StreamDescription"]
    assert [s["ShardId"] for s in page2["Shards"]] == ["shardId-000000000002", "shardId-000000000003"]
    assert page2["HasMoreShards"] is True
    page3 = kinesis.describe_stream(StreamName=name, Limit=2,
                                    ExclusiveStartShardId="shardId-000000000003")["StreamDescription"]
    assert [s["ShardId"] for s in page3["Shards"]] == ["shardId-000000000004"]
    assert page3["HasMoreShards"] is False


def test_describe_stream_paginator(kinesis, make_stream):
    name = make_stream(5)
    pages = list(kinesis.get_paginator("describe_stream").paginate(
        StreamName=name, PaginationConfig={"PageSize": 2}))
    assert len(pages) == 3
    ids = [s["ShardId"] for p in pages for s in p["StreamDescription"]["Shards"]]
    assert ids == [f"shardId-{i:012d}" for i in range(5)]


def test_describe_missing_stream(kinesis):
    name = sup.unique_name("missing")
    with pytest.raises(ClientError) as e:
        kinesis.describe_stream(StreamName=name)
    assert error_of(e) == ("ResourceNotFoundException", not_found_message(name))
    with pytest.raises(ClientError) as e:
        kinesis.describe_stream_summary(StreamName=name)
    assert error_of(e) == ("ResourceNotFoundException", not_found_message(name))


def test_starting_sequence_numbers_are_56_digits_and_distinct(kinesis, make_stream):
    name = make_stream(3)
    shards = kinesis.list_shards(StreamName=name)["Shards"]
    starts = [s["SequenceNumberRange"]["StartingSequenceNumber"] for s in shards]
    assert all(SEQ_RE.match(x) for x in starts), starts
    assert len(set(starts)) == 3


# --- ListStreams --------------------------------------------------------------


@pytest.fixture
def three_streams(make_stream):
    prefix = sup.unique_name("ls")
    names = [make_stream(1, name=f"{prefix}-{suffix}") for suffix in ("a", "b", "c")]
    return prefix, names


def test_list_streams_limit_exclusive_start_and_next_token(kinesis, three_streams):
    prefix, names = three_streams
    page = kinesis.list_streams(Limit=2, ExclusiveStartStreamName=prefix)
    assert page["StreamNames"] == names[:2]
    assert page["HasMoreStreams"] is True
    summaries = page["StreamSummaries"]
    assert [s["StreamName"] for s in summaries] == names[:2]
    for s in summaries:
        assert s["StreamARN"] == sup.stream_arn(s["StreamName"])
        assert s["StreamStatus"] == "ACTIVE"
        assert s["StreamModeDetails"]["StreamMode"] == "PROVISIONED"
        assert isinstance(s["StreamCreationTimestamp"], dt.datetime)
    assert page.get("NextToken"), "HasMoreStreams=true must come with a NextToken"
    rest = kinesis.list_streams(NextToken=page["NextToken"], Limit=1)
    assert rest["StreamNames"] == [names[2]]

    after_b = kinesis.list_streams(ExclusiveStartStreamName=names[1], Limit=1)
    assert after_b["StreamNames"] == [names[2]]


def test_list_streams_sorted_and_default_limit(kinesis, three_streams):
    out = kinesis.list_streams()
    assert out["StreamNames"] == sorted(out["StreamNames"])
    assert len(out["StreamNames"]) <= 100
    assert len(out["StreamSummaries"]) == len(out["StreamNames"])


def test_list_streams_paginator(kinesis, three_streams):
    _, names = three_streams
    seen = []
    for page in kinesis.get_paginator("list_streams").paginate(PaginationConfig={"PageSize": 2}):
        assert len(page["StreamNames"]) <= 2
        seen.extend(page["StreamNames"])
    assert len(seen) == len(set(seen)), "pagination must not repeat a stream"
    assert set(names) <= set(seen)


# --- ListShards ---------------------------------------------------------------


def test_list_shards_max_results_and_next_token(kinesis, make_stream):
    name = make_stream(5)
    page = kinesis.list_shards(StreamName=name, MaxResults=2)
    ids = [s["ShardId"] for s in page["Shards"]]
    assert ids == ["shardId-000000000000", "shardId-000000000001"]
    token = page["NextToken"]
    while token:
        page = kinesis.list_shards(NextToken=token, MaxResults=2)
        assert len(page["Shards"]) <= 2
        ids.extend(s["ShardId"] for s in page["Shards"])
        token = page.get("NextToken")
    assert ids == [f"shardId-{i:012d}" for i in range(5)]


def test_list_shards_next_token_with_stream_name_is_invalid(kinesis, make_stream):
    name = make_stream(3)
    token = kinesis.list_shards(StreamName=name, MaxResults=1)["NextToken"]
    with pytest.raises(ClientError) as e:
        kinesis.list_shards(StreamName=name, NextToken=token)
    # AWS's own text; botocore's list_shards paginator trips over it too (boto/botocore#2009).
    assert error_of(e) == ("InvalidArgumentException",
                           "NextToken and StreamName cannot be provided together.")


def test_list_shards_next_token_with_creation_timestamp_is_invalid(kinesis, make_stream):
    name = make_stream(3)
    page = kinesis.list_shards(StreamName=name, MaxResults=1)
    created = kinesis.describe_stream_summary(
        StreamName=name)["StreamDescriptionSummary"]["StreamCreationTimestamp"]
    with pytest.raises(ClientError) as e:
        kinesis.list_shards(NextToken=page["NextToken"], StreamCreationTimestamp=created)
    assert error_of(e)[0] == "InvalidArgumentException"


def test_list_shards_garbage_next_token(kinesis):
    with pytest.raises(ClientError) as e:
        kinesis.list_shards(NextToken="this-is-not-a-token")
    assert error_of(e)[0] in ("InvalidArgumentException", "ExpiredNextTokenException")


def test_list_shards_exclusive_start_shard_id(kinesis, make_stream):
    name = make_stream(5)
    out = kinesis.list_shards(StreamName=name, ExclusiveStartShardId="shardId-000000000002")
    assert [s["ShardId"] for s in out["Shards"]] == ["shardId-000000000003", "shardId-000000000004"]


@pytest.mark.parametrize("filter_type", ["AT_TRIM_HORIZON", "FROM_TRIM_HORIZON", "AT_LATEST"])
def test_list_shards_filter_all_open(kinesis, make_stream, filter_type):
    name = make_stream(3)
    out = kinesis.list_shards(StreamName=name, ShardFilter={"Type": filter_type})
    assert [s["ShardId"] for s in out["Shards"]] == [f"shardId-{i:012d}" for i in range(3)]


@pytest.mark.parametrize("filter_type", ["AT_TIMESTAMP", "FROM_TIMESTAMP"])
def test_list_shards_filter_timestamp(kinesis, make_stream, filter_type):
    name = make_stream(3)
    out = kinesis.list_shards(StreamName=name, ShardFilter={
        "Type": filter_type, "Timestamp": dt.datetime.now(dt.timezone.utc)})
    assert [s["ShardId"] for s in out["Shards"]] == [f"shardId-{i:012d}" for i in range(3)]


def test_list_shards_filter_after_shard_id(kinesis, make_stream):
    name = make_stream(4)
    out = kinesis.list_shards(StreamName=name, ShardFilter={
        "Type": "AFTER_SHARD_ID", "ShardId": "shardId-000000000001"})
    assert [s["ShardId"] for s in out["Shards"]] == ["shardId-000000000002", "shardId-000000000003"]


def test_list_shards_stream_creation_timestamp(kinesis, make_stream):
    name = make_stream(2)
    created = kinesis.describe_stream_summary(
        StreamName=name)["StreamDescriptionSummary"]["StreamCreationTimestamp"]
    out = kinesis.list_shards(StreamName=name, StreamCreationTimestamp=created)
    assert len(out["Shards"]) == 2


def test_list_shards_missing_stream(kinesis):
    name = sup.unique_name("missing")
    with pytest.raises(ClientError) as e:
        kinesis.list_shards(StreamName=name)
    assert error_of(e) == ("ResourceNotFoundException", not_found_message(name))


def test_list_shards_matches_describe_stream(kinesis, make_stream):
    name = make_stream(3)
    listed = kinesis.list_shards(StreamName=name)["Shards"]
    described = kinesis.describe_stream(StreamName=name)["StreamDescription"]["Shards"]
    assert listed == described
