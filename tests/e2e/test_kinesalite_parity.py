"""AWS's answers as kinesalite's test suite recorded them (mhart/kinesalite,
test/*.js), checked byte for byte against runnel: tags, unknown streams with
odd shard ids, sequence-number edge cases and MergeShards' adjacency.

Where today's AWS differs from what kinesalite recorded, these tests follow
today's AWS; docs/operations.md lists those cases. Each test names the
kinesalite test it mirrors.
"""
from __future__ import annotations

import re
import time
import uuid

import pytest
from botocore.exceptions import ClientError

import e2e_support as sup

ACCOUNT = sup.ACCOUNT

INVALID_CHARACTERS = ("Some tags contain invalid characters. Valid characters: "
                      "Unicode letters, digits, white space, _ . / = + - % @ :.")


def percent_message(verb: str, stream: str) -> str:
    return (f"Failed to {verb} stream {stream} under account {ACCOUNT} because some tags contained "
            "illegal characters. The allowed characters are Unicode letters, white-spaces, "
            "'_',',','/','=','+','-','@',':'.")


def expect_error(call, code: str, message: str | None = None) -> None:
    with pytest.raises(ClientError) as excinfo:
        call()
    got_code, got_message = sup.error_of(excinfo)
    assert got_code == code, (got_code, got_message)
    if message is not None:
        assert got_message == message


# --- Tags (addTagsToStream.js, removeTagsFromStream.js, listTagsForStream.js) ------


@pytest.mark.parametrize("text", ["abc;def", "abc\tdef", "abc\ndef", "abc,def", "a$b", "\U0001F600"])
def test_add_tags_with_invalid_characters_in_key_or_value(kinesis, stream, text):
    # "should return InvalidArgumentException if ; / tab / newline / comma in tag key / value"
    expect_error(lambda: kinesis.add_tags_to_stream(StreamName=stream, Tags={text: "1"}),
                 "InvalidArgumentException", INVALID_CHARACTERS)
    expect_error(lambda: kinesis.add_tags_to_stream(StreamName=stream, Tags={"a": text}),
                 "InvalidArgumentException", INVALID_CHARACTERS)
    assert kinesis.list_tags_for_stream(StreamName=stream)["Tags"] == []


def test_add_tags_with_percent_in_key_or_value(kinesis, stream):
    # "should return InvalidArgumentException if % in tag key / value"
    for tags in ({"abc%def": "1"}, {"a": "abc%def"}):
        expect_error(lambda: kinesis.add_tags_to_stream(StreamName=stream, Tags=tags),
                     "InvalidArgumentException", percent_message("add tags to", stream))


@pytest.mark.parametrize("key", ["abc;def", "abc\tdef", "abc\ndef", "abc,def"])
def test_remove_tags_with_invalid_characters(kinesis, stream, key):
    # "should return InvalidArgumentException if ; / tab / newline / comma in TagKeys"
    expect_error(lambda: kinesis.remove_tags_from_stream(StreamName=stream, TagKeys=[key]),
                 "InvalidArgumentException", INVALID_CHARACTERS)


def test_remove_tags_with_percent(kinesis, stream):
    # "should return InvalidArgumentException if % in TagKeys"
    expect_error(lambda: kinesis.remove_tags_from_stream(StreamName=stream, TagKeys=["abc%def"]),
                 "InvalidArgumentException", percent_message("remove tags from", stream))


def test_unknown_stream_wins_over_bad_tag_characters(kinesis):
    # "should return ResourceNotFoundException if stream does not exist" (TagKeys [';'])
    name = sup.unique_name("parity-missing")
    expect_error(lambda: kinesis.remove_tags_from_stream(StreamName=name, TagKeys=[";"]),
                 "ResourceNotFoundException", sup.not_found_message(name))
    expect_error(lambda: kinesis.add_tags_to_stream(StreamName=name, Tags={"a;b": "%"}),
                 "ResourceNotFoundException", sup.not_found_message(name))


def test_valid_tag_characters_round_trip(kinesis, stream):
    # "should add and remove tags keys", "should succeed if valid characters in tag keys"
    tags = {"a": "a", "ü0 _.": "a", "/=+-@:": "a", "b": "ü0 _./=+-@:", "c": ""}
    kinesis.add_tags_to_stream(StreamName=stream, Tags=tags)
    listed = kinesis.list_tags_for_stream(StreamName=stream)["Tags"]
    assert {t["Key"]: t["Value"] for t in listed} == tags
    kinesis.remove_tags_from_stream(StreamName=stream, TagKeys=["ü0 _.", "/=+-@:", "b", "c", "x"])
    assert kinesis.list_tags_for_stream(StreamName=stream)["Tags"] == [{"Key": "a", "Value": "a"}]


def test_list_tags_in_java_string_order_with_start_key_and_limit(kinesis, stream):
    # "should list in alphabetical order"
    keys = ["a", " ", "ÿ", "_", "/", "=", "+", "Zb", "0", "@"]
    kinesis.add_tags_to_stream(StreamName=stream, Tags={k: ("b" if k == "a" else "z" if k == "Zb" else "a")
                                                       for k in keys})
    out = kinesis.list_tags_for_stream(StreamName=stream)
    assert [t["Key"] for t in out["Tags"]] == [" ", "+", "/", "0", "=", "@", "Zb", "_", "a", "ÿ"]
    assert out["HasMoreTags"] is False
    out = kinesis.list_tags_for_stream(StreamName=stream, ExclusiveStartTagKey="@", Limit=2)
    assert out["Tags"] == [{"Key": "Zb", "Value": "z"}, {"Key": "_", "Value": "a"}]
    assert out["HasMoreTags"] is True
    out = kinesis.list_tags_for_stream(StreamName=stream, ExclusiveStartTagKey="$Z%*(*&@,,.,,ZAC")
    assert [t["Key"] for t in out["Tags"]] == ["+", "/", "0", "=", "@", "Zb", "_", "a", "ÿ"]
    assert out["HasMoreTags"] is False
    out = kinesis.list_tags_for_stream(StreamName=stream, ExclusiveStartTagKey="Za$Z%*(*&@,,.,,")
    assert [t["Key"] for t in out["Tags"]] == ["Zb", "_", "a", "ÿ"]


def test_list_tags_empty_with_limit_and_start_key(kinesis, stream):
    # "should return empty list with limit and start key"
    out = kinesis.list_tags_for_stream(StreamName=stream, ExclusiveStartTagKey="a", Limit=1)
    assert out["Tags"] == [] and out["HasMoreTags"] is False


def test_too_many_tags(kinesis, stream):
    # "should return ValidationException for too many tags" and the stream's limit in
    # "should add and remove tags keys". Today's model allows 200 tags in one call and
    # 50 on a stream (kinesalite: 10 and 10).
    expect_error(lambda: kinesis.add_tags_to_stream(StreamName=stream, Tags={f"k{i}": "" for i in range(51)}),
                 "InvalidArgumentException",
                 f"Failed to add tags to stream {stream} under account {ACCOUNT} because a given stream "
                 "cannot have more than 50 tags associated with it.")
    kinesis.add_tags_to_stream(StreamName=stream, Tags={f"k{i}": "" for i in range(50)})
    with pytest.raises(ClientError) as excinfo:
        sup.make_client(validate=False).add_tags_to_stream(
            StreamName=stream, Tags={f"k{i}": "" for i in range(201)})
    code, message = sup.error_of(excinfo)
    assert code == "ValidationException"
    assert message.endswith("at 'tags' failed to satisfy constraint: Member must have length less than or "
                            "equal to 200"), message


# --- Shard ids before streams (getShardIterator.js, splitShard.js, mergeShards.js) --

# Shard ids that name index 2147483647, the largest there is, and ids that name none.
NAMING_MAX_INDEX = ["2147483647", "x9f3-2147483647", "a-00002147483647", "-00002147483647"]
NAMING_NONE = ["2147483648", "shardId-002147483648", "ABKLFD8", "2.14E4"]


def random_prefix() -> str:
    """A random shard-id prefix without '-' (only the text after the first '-' counts)."""
    return "x" + uuid.uuid4().hex[:10]


def could_not_find(shard: str, stream: str) -> str:
    return f"Could not find shard {shard} in stream {stream} under account {ACCOUNT}."


def shard_missing(shard: str, stream: str) -> str:
    return f"Shard {shard} in stream {stream} under account {ACCOUNT} does not exist"


@pytest.mark.parametrize("shard_id", NAMING_MAX_INDEX)
def test_get_shard_iterator_unknown_stream_is_a_missing_shard(kinesis, shard_id):
    # "should return ResourceNotFoundException if unknown stream and shard ID just small
    # enough / random shard name / short prefix / no prefix"
    name = sup.unique_name("parity-missing")
    expect_error(lambda: kinesis.get_shard_iterator(StreamName=name, ShardId=shard_id, ShardIteratorType="LATEST"),
                 "ResourceNotFoundException", shard_missing("shardId-002147483647", name))


@pytest.mark.parametrize("shard_id", NAMING_NONE)
def test_get_shard_iterator_unknown_stream_and_unparsable_shard(kinesis, stream, shard_id):
    # "should return ResourceNotFoundException if unknown stream and shard ID too big / raw
    # shard ID too big / string shard ID / exponent shard ID"; the id is read first, so a
    # known stream gets the same answer.
    for name in (sup.unique_name("parity-missing"), stream):
        expect_error(lambda: kinesis.get_shard_iterator(StreamName=name, ShardId=shard_id,
                                                        ShardIteratorType="LATEST"),
                     "ResourceNotFoundException", could_not_find(shard_id, name))


def test_get_shard_iterator_known_stream_missing_shard_is_normalised(kinesis, stream):
    # "should return ResourceNotFoundException if known stream and raw shard ID does not exist"
    expect_error(lambda: kinesis.get_shard_iterator(StreamName=stream, ShardId="shardId-5",
                                                    ShardIteratorType="AT_SEQUENCE_NUMBER",
                                                    StartingSequenceNumber="5"),
                 "ResourceNotFoundException", shard_missing("shardId-000000000005", stream))


def test_get_shard_iterator_with_any_prefix(kinesis, stream):
    # "should work with random shard ID with hyphen"
    for kind in ("LATEST", "TRIM_HORIZON"):
        it = kinesis.get_shard_iterator(StreamName=stream, ShardId=random_prefix() + "-0",
                                        ShardIteratorType=kind)["ShardIterator"]
        assert kinesis.get_records(ShardIterator=it)["Records"] == []


def assert_internal_failure(resp: sup.RawResponse) -> None:
    # kinesalite's assertInternalFailure: HTTP 500 and exactly this body, no message.
    assert resp.status == 500, resp
    assert resp.json() == {"__type": "InternalFailure"}, resp


def invalid_start(seq: str, stream: str) -> str:
    return (f"StartingSequenceNumber {seq} used in GetShardIterator on shard shardId-000000000000 in stream "
            f"{stream} under account {ACCOUNT} is invalid.")


def from_hex(h: str) -> str:
    return str(int(h, 16))


def test_get_shard_iterator_sequence_number_edge_cases(kinesis, stream):
    def start_at(seq):
        return lambda: kinesis.get_shard_iterator(StreamName=stream, ShardId="shardId-0",
                                                  ShardIteratorType="AT_SEQUENCE_NUMBER",
                                                  StartingSequenceNumber=seq)
    # "should return InvalidArgumentException if shard mismatches simple sequence"
    expect_error(start_at("5"), "InvalidArgumentException",
                 "Invalid StartingSequenceNumber. It encodes shardId-000000000005, while it was used in a call "
                 "to a shard with shardId-000000000000")
    # "should return InternalFailure if using small (old?) sequence number"
    assert_internal_failure(sup.call_json("GetShardIterator", {
        "StreamName": stream, "ShardId": "shardId-0", "ShardIteratorType": "AT_SEQUENCE_NUMBER",
        "StartingSequenceNumber": "0"}))
    # "should return InvalidArgumentException if using sequence number with large date"
    seq = from_hex("13bb2cc3d80000000000000000000000")
    expect_error(start_at(seq), "InvalidArgumentException", invalid_start(seq, stream))
    # "should return InvalidArgumentException for 8 in index in StartingSequenceNumber"
    seq = from_hex("20000000000800000000000000000000000000000000002")
    expect_error(start_at(seq), "InvalidArgumentException", invalid_start(seq, stream))
    # "should return InvalidArgumentException for 8 near end of StartingSequenceNumber"
    expect_error(start_at(from_hex("20000000000000000000000000000000000000800000002")), "InvalidArgumentException",
                 "Invalid StartingSequenceNumber. It encodes shardId--02147483648, while it was used in a call "
                 "to a shard with shardId-000000000000")


@pytest.mark.parametrize("shard_id", NAMING_MAX_INDEX)
def test_split_shard_unknown_stream_with_a_parsable_shard_id(kinesis, shard_id):
    # splitShard.js: "...unknown stream and shard ID just small enough / random shard name / ..."
    name = sup.unique_name("parity-missing")
    expect_error(lambda: kinesis.split_shard(StreamName=name, ShardToSplit=shard_id, NewStartingHashKey="0"),
                 "ResourceNotFoundException", sup.not_found_message(name))


@pytest.mark.parametrize("shard_id", NAMING_NONE)
def test_split_shard_unparsable_shard_id_wins_over_unknown_stream(kinesis, shard_id):
    # splitShard.js: "...unknown stream and shard ID too big / raw shard ID too big / string /
    # exponent shard ID"
    name = sup.unique_name("parity-missing")
    expect_error(lambda: kinesis.split_shard(StreamName=name, ShardToSplit=shard_id, NewStartingHashKey="0"),
                 "ResourceNotFoundException", could_not_find(shard_id, name))


def test_split_shard_known_stream_missing_shard(kinesis, stream):
    # splitShard.js: "...known stream and raw shard ID does not exist"
    expect_error(lambda: kinesis.split_shard(StreamName=stream, ShardToSplit="shardId-5", NewStartingHashKey="0"),
                 "ResourceNotFoundException", could_not_find("shardId-000000000005", stream))


@pytest.mark.parametrize("adjacent", [False, True])
def test_merge_shards_unknown_stream_and_odd_shard_ids(kinesis, stream, adjacent):
    # mergeShards.js: the "unknown stream and ..." cases, with the odd id in either place ("ADJ")
    def merge(name, shard_id):
        other = random_prefix() + "-0"
        pair = (other, shard_id) if adjacent else (shard_id, other)
        return lambda: kinesis.merge_shards(StreamName=name, ShardToMerge=pair[0], AdjacentShardToMerge=pair[1])
    name = sup.unique_name("parity-missing")
    for shard_id in NAMING_MAX_INDEX:
        expect_error(merge(name, shard_id), "ResourceNotFoundException", sup.not_found_message(name))
    for shard_id in NAMING_NONE:
        expect_error(merge(name, shard_id), "ResourceNotFoundException", could_not_find(shard_id, name))
    # "...known stream and raw shard ID does not exist"
    expect_error(merge(stream, "shardId-5"), "ResourceNotFoundException",
                 could_not_find("shardId-000000000005", stream))


def test_merge_shards_adjacency(kinesis, make_stream):
    # mergeShards.js: "should return InvalidArgumentException if shards not adjacent" and
    # "...if adjacency is inverted"
    name = make_stream(3)

    def not_adjacent(a, b):
        return (f"Shards shardId-00000000000{a} and shardId-00000000000{b} in stream {name} under account "
                f"{ACCOUNT} are not an adjacent pair of shards eligible for merging")
    expect_error(lambda: kinesis.merge_shards(StreamName=name, ShardToMerge="x-0", AdjacentShardToMerge="y-2"),
                 "InvalidArgumentException", not_adjacent(0, 2))
    expect_error(lambda: kinesis.merge_shards(StreamName=name, ShardToMerge="x-1", AdjacentShardToMerge="y-0"),
                 "InvalidArgumentException", not_adjacent(1, 0))
    kinesis.merge_shards(StreamName=name, ShardToMerge="x-0", AdjacentShardToMerge="y-1")
    sup.wait_active(kinesis, name)
    child = [s for s in kinesis.list_shards(StreamName=name)["Shards"] if s["ShardId"] == "shardId-000000000003"]
    assert child[0]["ParentShardId"] == "shardId-000000000000"
    assert child[0]["AdjacentParentShardId"] == "shardId-000000000001"


# --- PutRecord's SequenceNumberForOrdering (putRecord.js) ---------------------------


def now_hex(offset: int) -> str:
    return format(int(time.time()) + offset, "08x")


@pytest.mark.parametrize("hex_seq", [
    "2ffffffffff7fffffffffffffff000000000007fffffff2",   # "all f"
    "20000000000000000000000000000000000000000000002",   # "all 0"
    "20000000000000000000000000000000000000000000001",   # "all 0 with version 1"
    "20000000000000000000000000000000000000800000002",   # "if 8 near end"
    "time is now",
])
def test_sequence_number_for_ordering_accepted(kinesis, stream, hex_seq):
    if hex_seq == "time is now":
        hex_seq = "2ffffffffff7fffffff7fffffff000" + now_hex(-2) + "7fffffff2"
    out = kinesis.put_record(StreamName=stream, PartitionKey="a", Data=b"",
                             SequenceNumberForOrdering=from_hex(hex_seq))
    assert sup.SEQ_RE.match(out["SequenceNumber"])


@pytest.mark.parametrize("hex_seq", [
    "20000000000000000000000000000000000000000000000",   # "version 0"
    "20000000000000000000000000000000000000000000004",   # "version 4"
    "30000000000000000000000000000000000000000000001",   # "initial 3"
    "1ffffffffff7fffffffffffffff000000000007fffffff2",   # "initial 1"
    "20000000000800000000000000000000000000000000002",   # "8 in index"
    "13bb2cc3d80000000000000000000000",                  # "sequence number with large date"
    "future time",
])
def test_sequence_number_for_ordering_refused(kinesis, stream, hex_seq):
    if hex_seq == "future time":
        hex_seq = "200000000000000000000000000000" + now_hex(+2) + "000000002"
    seq = from_hex(hex_seq)
    expect_error(lambda: kinesis.put_record(StreamName=stream, PartitionKey="a", Data=b"",
                                            SequenceNumberForOrdering=seq),
                 "InvalidArgumentException",
                 f"ExclusiveMinimumSequenceNumber {seq} used in PutRecord on stream {stream} under account "
                 f"{ACCOUNT} is invalid.")


def test_sequence_number_for_ordering_version_3_is_an_internal_failure(stream):
    # "should return InternalFailure for version 3 in SequenceNumberForOrdering"
    assert_internal_failure(sup.call_json("PutRecord", {
        "StreamName": stream, "PartitionKey": "a", "Data": "",
        "SequenceNumberForOrdering": from_hex("20000000000000000000000000000000000000000000003")}))


# --- Shared by the stream-lifecycle, retention, limits and records sections ------

def null(field: str) -> str:
    return f"Value null at '{field}' failed to satisfy constraint: Member must not be null"


def empty_name(field: str) -> list[str]:
    return [f"Value '' at '{field}' failed to satisfy constraint: Member must satisfy regular expression pattern: "
            "[a-zA-Z0-9_.-]+",
            f"Value '' at '{field}' failed to satisfy constraint: Member must have length greater than or equal to 1"]


def too_long(value: str, field: str, limit: int = 128) -> str:
    return (f"Value '{value}' at '{field}' failed to satisfy constraint: Member must have length less than or "
            f"equal to {limit}")


def at_least(value, field: str, bound: int = 1) -> str:
    return (f"Value '{value}' at '{field}' failed to satisfy constraint: Member must have value greater than or "
            f"equal to {bound}")


def at_most(value, field: str, bound: int = 10000) -> str:
    return (f"Value '{value}' at '{field}' failed to satisfy constraint: Member must have value less than or "
            f"equal to {bound}")


def validation(errors: list[str]) -> str:
    n = len(errors)
    return f"{n} validation error{'s' if n > 1 else ''} detected: " + "; ".join(errors)


def assert_raw_error(resp: sup.RawResponse, code: str, message: str) -> None:
    # kinesalite's assertValidation / assertInvalidArgument / assertLimitExceeded: 400 and the body.
    assert resp.status == 400, resp
    assert resp.json() == {"__type": code, "message": message}, resp


def assert_validation(op: str, payload: dict, errors: list[str]) -> None:
    assert_raw_error(sup.call_json(op, payload), "ValidationException", validation(errors))


LONG = "a" * 129
HASH_RANGES_OF_3 = [("0", "113427455640312821154458202477256070484"),
                    ("113427455640312821154458202477256070485", "226854911280625642308916404954512140969"),
                    ("226854911280625642308916404954512140970", "340282366920938463463374607431768211455")]


@pytest.fixture(scope="module")
def limited():
    """A server of our own with kinesalite's account shard limit of 10 and the CREATING,
    UPDATING and DELETING states lasting long enough to be seen: (url, boto3 client)."""
    server = sup.RunnelServer(extra_args=["--shard-limit", "10", "--control-plane-limits", "off",
                                          "--create-stream-ms", "300", "--update-stream-ms", "300",
                                          "--delete-stream-ms", "300"]).start()
    try:
        yield server.url, sup.make_client(url=server.url)
    finally:
        server.terminate()


def create_and_wait(client, shards: int) -> str:
    name = sup.unique_name("parity")
    client.create_stream(StreamName=name, ShardCount=shards)
    sup.wait_active(client, name)
    return name


def delete_now(client, name: str) -> None:
    client.delete_stream(StreamName=name)
    sup.wait_gone(client, name)


# --- CreateStream (createStream.js) --------------------------------------------------


def test_create_stream_validations():
    # "should return ValidationException for no StreamName" (ShardCount is optional today),
    # "... for empty StreamName", "... for long StreamName"
    assert_validation("CreateStream", {}, [null("streamName")])
    assert_validation("CreateStream", {"StreamName": "", "ShardCount": 0},
                      [at_least(0, "shardCount"), *empty_name("streamName")])
    assert_validation("CreateStream", {"StreamName": LONG, "ShardCount": 100000000000},
                      [too_long(LONG, "streamName")])


def test_create_stream_limit_and_a_basic_3_shard_stream(limited):
    # "should return LimitExceededException for large ShardCount" (with the 3-shard test stream)
    # and "should create a basic 3-shard stream"
    url, client = limited
    name = sup.unique_name("parity")
    assert sup.call_json("CreateStream", {"StreamName": name, "ShardCount": 3}, url=url).body == b""
    d = client.describe_stream(StreamName=name)["StreamDescription"]
    assert (d["StreamStatus"], d["Shards"], d["HasMoreShards"]) == ("CREATING", [], False)
    assert d["StreamARN"] == sup.stream_arn(name)
    assert_raw_error(sup.call_json("CreateStream", {"StreamName": sup.unique_name("parity"), "ShardCount": 1000},
                                   url=url),
                     "LimitExceededException",
                     f"This request would exceed the shard limit for the account {ACCOUNT} in us-east-1. Current "
                     "shard count for the account: 3. Limit: 10. Number of additional shards that would have "
                     "resulted from this request: 1000. Refer to the AWS Service Limits page "
                     "(http://docs.aws.amazon.com/general/latest/gr/aws_service_limits.html) for current limits and "
                     "how to request higher limits.")
    sup.wait_active(client, name)
    shards = client.describe_stream(StreamName=name)["StreamDescription"]["Shards"]
    assert [s["ShardId"] for s in shards] == [f"shardId-00000000000{i}" for i in range(3)]
    assert [(s["HashKeyRange"]["StartingHashKey"], s["HashKeyRange"]["EndingHashKey"]) for s in shards] == \
        HASH_RANGES_OF_3
    starts = [s["SequenceNumberRange"]["StartingSequenceNumber"] for s in shards]
    assert all(sup.SEQ_RE.match(s) for s in starts)
    assert int(starts[1]) - int(starts[0]) == 22300745198530623141535718272648361505980432
    assert int(starts[2]) - int(starts[1]) == 22300745198530623141535718272648361505980432
    # describeLimits.js: "should return current account limits"
    limits = client.describe_limits()
    assert (limits["OpenShardCount"], limits["ShardLimit"]) == (3, 10)
    delete_now(client, name)


def test_create_stream_checks_tags_like_add_tags_to_stream(kinesis):
    # CreateStream used to store any Tags; it refuses what AddTagsToStream refuses, with
    # AddTagsToStream's answers, and creates nothing then.
    name = sup.unique_name("parity-tags")
    for tags in ({"a;b": "1"}, {"a": "b\tc"}, {"\U0001F600": "1"}):
        expect_error(lambda: kinesis.create_stream(StreamName=name, ShardCount=1, Tags=tags),
                     "InvalidArgumentException", INVALID_CHARACTERS)
    expect_error(lambda: kinesis.create_stream(StreamName=name, ShardCount=1, Tags={"a%b": "1"}),
                 "InvalidArgumentException", percent_message("add tags to", name))
    expect_error(lambda: kinesis.create_stream(StreamName=name, ShardCount=1, Tags={"aws:x": "1"}),
                 "InvalidArgumentException", "Tag keys starting with 'aws:' are reserved for AWS use.")
    expect_error(lambda: kinesis.create_stream(StreamName=name, ShardCount=1,
                                               Tags={f"k{i}": "" for i in range(51)}),
                 "InvalidArgumentException",
                 f"Failed to add tags to stream {name} under account {ACCOUNT} because a given stream "
                 "cannot have more than 50 tags associated with it.")
    expect_error(lambda: kinesis.describe_stream_summary(StreamName=name), "ResourceNotFoundException",
                 sup.not_found_message(name))
    kinesis.create_stream(StreamName=name, ShardCount=1, Tags={"ü0 _./=+-@:": "v"})
    try:
        assert kinesis.list_tags_for_stream(StreamName=name)["Tags"] == [{"Key": "ü0 _./=+-@:", "Value": "v"}]
    finally:
        kinesis.delete_stream(StreamName=name)


# --- DeleteStream, DescribeStream, DescribeStreamSummary (deleteStream.js, ...) --------


def test_delete_stream_while_creating(limited):
    # deleteStream.js "should allow stream to be deleted while it is being created": the
    # DELETING stream shows no shards (runnel showed the shards it was about to activate).
    url, client = limited
    name = sup.unique_name("parity")
    client.create_stream(StreamName=name, ShardCount=1)
    assert client.describe_stream(StreamName=name)["StreamDescription"]["StreamStatus"] == "CREATING"
    assert sup.call_json("DeleteStream", {"StreamName": name}, url=url).body == b""
    d = sup.call_json("DescribeStream", {"StreamName": name}, url=url).json()["StreamDescription"]
    assert {k: d[k] for k in ("StreamStatus", "StreamName", "StreamARN", "RetentionPeriodHours", "EncryptionType",
                              "EnhancedMonitoring", "HasMoreShards", "Shards")} == {
        "StreamStatus": "DELETING", "StreamName": name, "StreamARN": sup.stream_arn(name), "RetentionPeriodHours": 24,
        "EncryptionType": "NONE", "EnhancedMonitoring": [{"ShardLevelMetrics": []}], "HasMoreShards": False,
        "Shards": []}
    assert abs(d["StreamCreationTimestamp"] - time.time()) < 10
    sup.wait_gone(client, name)


@pytest.mark.parametrize("op", ["DeleteStream", "DescribeStreamSummary"])
def test_stream_name_validations_and_missing_stream(op):
    # "should return ValidationException for empty / long StreamName", "should return
    # ResourceNotFoundException if stream does not exist"
    assert_validation(op, {"StreamName": ""}, empty_name("streamName"))
    assert_validation(op, {"StreamName": LONG}, [too_long(LONG, "streamName")])
    name = sup.unique_name("parity-missing")
    assert_raw_error(sup.call_json(op, {"StreamName": name}), "ResourceNotFoundException",
                     sup.not_found_message(name))


def test_describe_stream_validations():
    assert_validation("DescribeStream", {"StreamName": "", "Limit": 0, "ExclusiveStartShardId": ""},
                      [at_least(0, "limit"), *empty_name("exclusiveStartShardId"), *empty_name("streamName")])
    assert_validation("DescribeStream", {"StreamName": LONG, "Limit": 100000, "ExclusiveStartShardId": LONG},
                      [at_most(100000, "limit"), too_long(LONG, "exclusiveStartShardId"),
                       too_long(LONG, "streamName")])


def test_describe_stream_list_shards_and_summary_of_3_shards(kinesis, make_stream):
    # describeStream.js "should return stream description", listShards.js "should return list
    # of shards", describeStreamSummary.js "should return stream description summary"
    before = time.time()
    name = make_stream(3)
    d = kinesis.describe_stream(StreamName=name)["StreamDescription"]
    listed = kinesis.list_shards(StreamName=name)["Shards"]
    for shards in (d["Shards"], listed):
        assert all(sup.SEQ_RE.match(s["SequenceNumberRange"].pop("StartingSequenceNumber")) for s in shards)
        assert shards == [{"ShardId": f"shardId-00000000000{i}", "SequenceNumberRange": {},
                           "HashKeyRange": {"StartingHashKey": lo, "EndingHashKey": hi}}
                          for i, (lo, hi) in enumerate(HASH_RANGES_OF_3)]
    assert (d["StreamStatus"], d["StreamName"], d["StreamARN"], d["HasMoreShards"]) == \
        ("ACTIVE", name, sup.stream_arn(name), False)
    s = kinesis.describe_stream_summary(StreamName=name)["StreamDescriptionSummary"]
    assert before - 10 < s["StreamCreationTimestamp"].timestamp() < time.time() + 10
    assert {k: s[k] for k in ("StreamStatus", "StreamName", "StreamARN", "RetentionPeriodHours", "EncryptionType",
                              "EnhancedMonitoring", "OpenShardCount")} == {
        "StreamStatus": "ACTIVE", "StreamName": name, "StreamARN": sup.stream_arn(name), "RetentionPeriodHours": 24,
        "EncryptionType": "NONE", "EnhancedMonitoring": [{"ShardLevelMetrics": []}], "OpenShardCount": 3}


# --- ListStreams, ListShards (listStreams.js, listShards.js) --------------------------


def test_list_streams_validations_and_single_stream(kinesis, stream, make_stream):
    assert_validation("ListStreams", {"ExclusiveStartStreamName": "", "Limit": 0},
                      [at_least(0, "limit"), *empty_name("exclusiveStartStreamName")])
    assert_validation("ListStreams", {"ExclusiveStartStreamName": LONG, "Limit": 1000000},
                      [at_most(1000000, "limit"), too_long(LONG, "exclusiveStartStreamName")])
    # "should return single stream"
    out = kinesis.list_streams(ExclusiveStartStreamName=stream[:-1], Limit=1)
    assert out["StreamNames"] == [stream]
    # createStream.js "should create a basic 3-shard stream": ListStreams with Limit 1 of two
    make_stream(1)
    out = kinesis.list_streams(Limit=1)
    assert len(out["StreamNames"]) == 1 and out["HasMoreStreams"] is True


def test_list_shards_validations_and_missing_stream():
    # kinesalite's older tests sent Limit, no member of ListShards today (ignored); its newer
    # ones send MaxResults and NextToken. (AWS's order of these errors varies; kinesalite
    # compares them as a set, this test in runnel's order.)
    assert_validation("ListShards", {"StreamName": "", "Limit": 0, "ExclusiveStartShardId": ""},
                      [*empty_name("exclusiveStartShardId"), *empty_name("streamName")])
    assert_validation("ListShards", {"StreamName": "", "NextToken": "", "MaxResults": 0, "ExclusiveStartShardId": ""},
                      [*empty_name("exclusiveStartShardId"), at_least(0, "maxResults"),
                       "Value '' at 'nextToken' failed to satisfy constraint: Member must have length greater than "
                       "or equal to 1", *empty_name("streamName")])
    assert_validation("ListShards", {"StreamName": LONG, "MaxResults": 100000, "ExclusiveStartShardId": LONG},
                      [too_long(LONG, "exclusiveStartShardId"), at_most(100000, "maxResults"),
                       too_long(LONG, "streamName")])
    # "should return InvalidArgumentException if both StreamName and NextToken"
    assert_raw_error(sup.call_json("ListShards", {"StreamName": "abc", "NextToken": "abc"}),
                     "InvalidArgumentException", "NextToken and StreamName cannot be provided together.")
    name = sup.unique_name("parity-missing")
    assert_raw_error(sup.call_json("ListShards", {"StreamName": name}), "ResourceNotFoundException",
                     sup.not_found_message(name))


# --- Retention (increaseStreamRetentionPeriod.js, decreaseStreamRetentionPeriod.js) ----


@pytest.mark.parametrize("op", ["IncreaseStreamRetentionPeriod", "DecreaseStreamRetentionPeriod"])
def test_retention_validations_and_bounds(op, stream):
    assert_validation(op, {}, [null("retentionPeriodHours")])
    # kinesalite also had "Value '-1' ... greater than or equal to 1": today's model has no minimum.
    assert_validation(op, {"StreamName": "", "RetentionPeriodHours": -1}, empty_name("streamName"))
    assert_validation(op, {"StreamName": LONG, "RetentionPeriodHours": 24}, [too_long(LONG, "streamName")])
    assert_raw_error(sup.call_json(op, {"StreamName": stream, "RetentionPeriodHours": 23}),
                     "InvalidArgumentException",
                     "Minimum allowed retention period is 24 hours. Requested retention period (23 hours) is too "
                     "short.")
    assert_raw_error(sup.call_json(op, {"StreamName": stream, "RetentionPeriodHours": 8761}),
                     "InvalidArgumentException",
                     "Maximum allowed retention period is 8760 hours. Requested retention period (8761 hours) is too "
                     "long.")
    name = sup.unique_name("parity-missing")
    assert_raw_error(sup.call_json(op, {"StreamName": name, "RetentionPeriodHours": 25}),
                     "ResourceNotFoundException", sup.not_found_message(name))


def test_retention_shorter_or_longer_than_current(kinesis, stream):
    # "should return InvalidArgumentException for retention period less than / greater than current"
    assert_raw_error(sup.call_json("DecreaseStreamRetentionPeriod", {"StreamName": stream, "RetentionPeriodHours": 25}),
                     "InvalidArgumentException",
                     f"Requested retention period (25 hours) for stream {stream} can not be longer than existing "
                     "retention period (24 hours). Use IncreaseRetentionPeriod API.")
    assert sup.call_json("IncreaseStreamRetentionPeriod", {"StreamName": stream, "RetentionPeriodHours": 25}).body == b""
    assert_raw_error(sup.call_json("IncreaseStreamRetentionPeriod", {"StreamName": stream, "RetentionPeriodHours": 24}),
                     "InvalidArgumentException",
                     f"Requested retention period (24 hours) for stream {stream} can not be shorter than existing "
                     "retention period (25 hours). Use DecreaseRetentionPeriod API.")
    assert kinesis.describe_stream(StreamName=stream)["StreamDescription"]["RetentionPeriodHours"] == 25
    kinesis.decrease_stream_retention_period(StreamName=stream, RetentionPeriodHours=24)
    assert kinesis.describe_stream(StreamName=stream)["StreamDescription"]["RetentionPeriodHours"] == 24


# --- UpdateShardCount (updateShardCount.js) -----------------------------------------


def test_update_shard_count_validations():
    assert_validation("UpdateShardCount", {}, [null("scalingType"), null("targetShardCount")])
    assert_validation("UpdateShardCount", {"StreamName": "", "ScalingType": "", "TargetShardCount": 0},
                      ["Value '' at 'scalingType' failed to satisfy constraint: Member must satisfy enum value set: "
                       "[UNIFORM_SCALING]", *empty_name("streamName"), at_least(0, "targetShardCount")])
    assert_validation("UpdateShardCount", {"StreamName": LONG, "ScalingType": "UNIFORM_SCALING",
                                           "TargetShardCount": 1}, [too_long(LONG, "streamName")])
    # kinesalite's "... for large TargetShardCount" (100001): today's model has no maximum.
    name = sup.unique_name("parity-missing")
    assert_raw_error(sup.call_json("UpdateShardCount", {"StreamName": name, "ScalingType": "UNIFORM_SCALING",
                                                        "TargetShardCount": 100001}),
                     "ResourceNotFoundException", sup.not_found_message(name))


def test_update_shard_count_limits(limited):
    # "should return LimitExceededException if increasing over shards limit / if scaling above
    # double open shards / if scaling down below half open shards". runnel answered
    # InvalidArgumentException with texts of its own for the last two and CreateStream's
    # account-limit text for the first.
    url, client = limited

    def update(name, target):
        return sup.call_json("UpdateShardCount", {"StreamName": name, "TargetShardCount": target,
                                                  "ScalingType": "UNIFORM_SCALING"}, url=url)
    name = create_and_wait(client, 2)
    assert_raw_error(update(name, 12), "LimitExceededException",
                     "Target shard count or number of open shards cannot be greater than 10. Current open shard "
                     "count: 2, Target shard count: 12")
    assert_raw_error(update(name, 6), "LimitExceededException",
                     "UpdateShardCount cannot scale up over double your current open shard count. Current open "
                     "shard count: 2, Target shard count: 6")
    delete_now(client, name)
    name = create_and_wait(client, 6)
    assert_raw_error(update(name, 2), "LimitExceededException",
                     "UpdateShardCount cannot scale down below half your current open shard count. Current open "
                     "shard count: 6, Target shard count: 2")
    delete_now(client, name)


@pytest.mark.parametrize("start,target,closed", [(2, 4, 2), (4, 2, 4)])
def test_update_shard_count_up_and_down(limited, start, target, closed):
    # "should increase open stream shards to 4", "should decrease open stream shards to 2"
    url, client = limited
    name = create_and_wait(client, start)
    resp = sup.call_json("UpdateShardCount", {"StreamName": name, "TargetShardCount": target,
                                              "ScalingType": "UNIFORM_SCALING"}, url=url)
    assert resp.status == 200, resp
    body = resp.json()
    assert (body["StreamName"], body["CurrentShardCount"], body["TargetShardCount"]) == (name, start, target)
    assert client.describe_stream(StreamName=name)["StreamDescription"]["StreamStatus"] == "UPDATING"
    sup.wait_active(client, name)
    shards = client.describe_stream(StreamName=name)["StreamDescription"]["Shards"]
    assert len(shards) == 6
    assert sum("EndingSequenceNumber" in s["SequenceNumberRange"] for s in shards) == closed
    delete_now(client, name)


# --- PutRecord, PutRecords (putRecord.js, putRecords.js) ------------------------------

BELOW_THIRD = str((2**128 // 3) * 2 - 1)   # the last hash key of shard 1 of 3
ABOVE_THIRD = str((2**128 // 3) * 2)       # the first of shard 2
TOP = str(2**128 - 1)
OUT_OF_RANGE = str(2**128)
EHK_PATTERN = "Member must satisfy regular expression pattern: 0|([1-9]\\d{0,38})"


def test_put_record_validations():
    # "should return ValidationException for empty StreamName" (no StreamName and long Data are
    # today's-AWS differences, see docs/operations.md)
    assert_validation("PutRecord", {"StreamName": "", "PartitionKey": "", "Data": "", "ExplicitHashKey": "",
                                    "SequenceNumberForOrdering": ""},
                      ["Value '' at 'sequenceNumberForOrdering' failed to satisfy constraint: Member must satisfy "
                       "regular expression pattern: 0|([1-9]\\d{0,128})",
                       "Value '' at 'partitionKey' failed to satisfy constraint: Member must have length greater "
                       "than or equal to 1",
                       f"Value '' at 'explicitHashKey' failed to satisfy constraint: {EHK_PATTERN}",
                       *empty_name("streamName")])
    long_key = "a" * 257
    assert_validation("PutRecord", {"StreamName": LONG, "PartitionKey": long_key, "Data": "", "ExplicitHashKey": ""},
                      [too_long(long_key, "partitionKey", 256),
                       f"Value '' at 'explicitHashKey' failed to satisfy constraint: {EHK_PATTERN}",
                       too_long(LONG, "streamName")])
    name = sup.unique_name("parity-missing")
    assert_raw_error(sup.call_json("PutRecord", {"StreamName": name, "PartitionKey": "x", "Data": ""}),
                     "ResourceNotFoundException", sup.not_found_message(name))


def test_put_record_hash_keys(make_stream):
    # "should return InvalidArgumentException for out of bounds ExplicitHashKey", "should work
    # with empty Data / final ExplicitHashKey / ExplicitHashKey just below / above range"
    name = make_stream(3)
    assert_raw_error(sup.call_json("PutRecord", {"StreamName": name, "PartitionKey": "a", "Data": "",
                                                 "ExplicitHashKey": OUT_OF_RANGE}),
                     "InvalidArgumentException",
                     "Invalid ExplicitHashKey. ExplicitHashKey must be in the range: [0, 2^128-1]. Specified value "
                     f"was {OUT_OF_RANGE}")
    for key, shard in ((None, 0), (TOP, 2), (BELOW_THIRD, 1), (ABOVE_THIRD, 2)):
        payload = {"StreamName": name, "PartitionKey": "a", "Data": ""}
        if key:
            payload["ExplicitHashKey"] = key
        body = sup.call_json("PutRecord", payload).json()
        assert sup.SEQ_RE.match(body.pop("SequenceNumber"))
        assert body == {"ShardId": f"shardId-00000000000{shard}"}


def test_put_records_validations():
    assert_validation("PutRecords", {}, [null("records")])
    assert_validation("PutRecords", {"StreamName": "", "Records": []},
                      ["Value '[]' at 'records' failed to satisfy constraint: Member must have length greater than "
                       "or equal to 1", *empty_name("streamName")])
    assert_validation("PutRecords", {"StreamName": "", "Records": [{"PartitionKey": "", "Data": "",
                                                                    "ExplicitHashKey": ""}]},
                      ["Value '' at 'records.1.member.partitionKey' failed to satisfy constraint: Member must have "
                       "length greater than or equal to 1",
                       f"Value '' at 'records.1.member.explicitHashKey' failed to satisfy constraint: {EHK_PATTERN}",
                       *empty_name("streamName")])
    # "should return ValidationException for too many records": the same ten errors, each
    # element printed as Java prints the entry (the hash after '@' is AWS's own).
    resp = sup.call_json("PutRecords", {"StreamName": "", "Records": [{"PartitionKey": "", "Data": ""}] * 501})
    assert resp.status == 400
    body = resp.json()
    assert body["__type"] == "ValidationException"
    message = re.sub(r"PutRecordsRequestEntry@[0-9a-f]+", "PutRecordsRequestEntry@H", body["message"])
    assert message == validation(
        ["Value '[" + ", ".join(["com.amazonaws.kinesis.v20131202.PutRecordsRequestEntry@H"] * 501) +
         "]' at 'records' failed to satisfy constraint: Member must have length less than or equal to 500"] +
        [f"Value '' at 'records.{i}.member.partitionKey' failed to satisfy constraint: Member must have length "
         "greater than or equal to 1" for i in range(1, 10)])
    name = sup.unique_name("parity-missing")
    assert_raw_error(sup.call_json("PutRecords", {"StreamName": name, "Records": [{"PartitionKey": "a", "Data": ""}]}),
                     "ResourceNotFoundException", sup.not_found_message(name))


def test_put_records_hash_keys(make_stream):
    # "should return InvalidArgumentException for out of bounds ExplicitHashKey", "should work
    # with mixed values"
    name = make_stream(3)
    assert_raw_error(sup.call_json("PutRecords", {"StreamName": name, "Records": [
        {"PartitionKey": "a", "Data": "", "ExplicitHashKey": OUT_OF_RANGE}, {"PartitionKey": "a", "Data": ""}]}),
        "InvalidArgumentException",
        f"Invalid ExplicitHashKey. ExplicitHashKey must be in the range: [0, 2^128-1]. Specified value was {OUT_OF_RANGE}")
    records = [{"PartitionKey": k, "Data": ""} for k in "abef"] + \
        [{"PartitionKey": "a", "Data": "", "ExplicitHashKey": k} for k in (TOP, BELOW_THIRD, ABOVE_THIRD)]
    body = sup.call_json("PutRecords", {"StreamName": name, "Records": records}).json()
    assert body["FailedRecordCount"] == 0
    assert [r["ShardId"][-1] for r in body["Records"]] == list("0121212")
    assert all(sup.SEQ_RE.match(r["SequenceNumber"]) for r in body["Records"])


# --- GetRecords (getRecords.js) -------------------------------------------------------


def test_get_records_validations_and_bad_iterator():
    assert_validation("GetRecords", {}, [null("shardIterator")])
    assert_validation("GetRecords", {"ShardIterator": "", "Limit": 0},
                      [at_least(0, "limit"), "Value '' at 'shardIterator' failed to satisfy constraint: Member must "
                       "have length greater than or equal to 1"])
    long_iterator = "a" * 513
    assert_validation("GetRecords", {"ShardIterator": long_iterator, "Limit": 100000},
                      [at_most(100000, "limit"), too_long(long_iterator, "shardIterator", 512)])
    # "should return InvalidArgumentException if ShardIterator is incorrect format"
    assert_raw_error(sup.call_json("GetRecords", {"ShardIterator": sup.unique_name("parity")}),
                     "InvalidArgumentException", "Invalid ShardIterator.")


def test_get_records_with_limit(kinesis, make_stream):
    # "should return correct records with Limit": an iterator can be read again, with any Limit
    name = make_stream(3)
    records = [{"PartitionKey": k, "Data": k.encode(), "ExplicitHashKey": "0"} for k in "abcde"]
    put = kinesis.put_records(StreamName=name, Records=records)["Records"]
    it = kinesis.get_shard_iterator(StreamName=name, ShardId="shardId-0", ShardIteratorType="AT_SEQUENCE_NUMBER",
                                    StartingSequenceNumber=put[1]["SequenceNumber"])["ShardIterator"]

    def read(iterator, limit=None):
        out = kinesis.get_records(ShardIterator=iterator, **({"Limit": limit} if limit else {}))
        return [(r["PartitionKey"], r["Data"], r["SequenceNumber"]) for r in out["Records"]], out["NextShardIterator"]

    def expect(*indexes):
        return [(records[i]["PartitionKey"], records[i]["Data"], put[i]["SequenceNumber"]) for i in indexes]
    got, nxt = read(it, 2)
    assert got == expect(1, 2)
    assert read(nxt, 3)[0] == expect(3, 4)
    assert read(nxt, 1)[0] == expect(3)
    assert read(nxt)[0] == expect(3, 4)


# --- Member types (the "serializations" tests of each file above) -------------------

_NUMBER = "class com.amazon.coral.value.json.numbers.TruncatingBigNumber can not be converted to"
_LIST_HERE = "Start of list found where not expected"
_MAP_HERE = "Start of structure or map found where not expected."
TYPE_ANSWERS = {
    "String": [(True, "class java.lang.Boolean can not be converted to an String"),
               *[(n, f"{_NUMBER} an String") for n in (23, -2147483648, 2147483648, 34.56)],
               ([], _LIST_HERE), ({}, _MAP_HERE)],
    "Integer": [("23", "class java.lang.String can not be converted to an Integer"),
                (True, "class java.lang.Boolean can not be converted to an Integer"), ([], _LIST_HERE), ({}, _MAP_HERE)],
    "Blob": [(True, "class java.lang.Boolean can not be converted to a Blob"),
             *[(n, f"{_NUMBER} a Blob") for n in (23, -2147483648, 2147483648, 34.56)],
             ([], _LIST_HERE), ({}, _MAP_HERE),
             ("23456", "'23456' can not be converted to a Blob: Base64 encoded length is expected a multiple of 4 "
                       "bytes but found: 5"),
             ("=+/=", "'=+/=' can not be converted to a Blob: Invalid Base64 character: '='"),
             ("+/+=", "'+/+=' can not be converted to a Blob: Invalid last non-pad Base64 character dectected")],
    "List": [*[(v, "Expected list or null") for v in ("23", True, 23, -2147483648, 2147483648, 34.56)],
             ({}, _MAP_HERE)],
    "Structure": [*[(v, "Expected null") for v in ("23", True, 23, -2147483648, 2147483648, 34.56)],
                  ([], _LIST_HERE)],
}
MEMBER_TYPES = [
    ("CreateStream", "StreamName", "String"), ("CreateStream", "ShardCount", "Integer"),
    ("DeleteStream", "StreamName", "String"),
    ("DescribeStream", "StreamName", "String"), ("DescribeStream", "Limit", "Integer"),
    ("DescribeStream", "ExclusiveStartShardId", "String"),
    ("DescribeStreamSummary", "StreamName", "String"),
    ("ListStreams", "Limit", "Integer"), ("ListStreams", "ExclusiveStartStreamName", "String"),
    ("ListShards", "StreamName", "String"), ("ListShards", "MaxResults", "Integer"),
    ("ListShards", "ExclusiveStartShardId", "String"), ("ListShards", "NextToken", "String"),
    ("UpdateShardCount", "StreamName", "String"), ("UpdateShardCount", "ScalingType", "String"),
    ("UpdateShardCount", "TargetShardCount", "Integer"),
    ("PutRecord", "Data", "Blob"), ("PutRecord", "ExplicitHashKey", "String"), ("PutRecord", "PartitionKey", "String"),
    ("PutRecord", "SequenceNumberForOrdering", "String"), ("PutRecord", "StreamName", "String"),
    ("PutRecords", "Records", "List"), ("PutRecords", "Records.0", "Structure"), ("PutRecords", "Records.0.Data", "Blob"),
    ("PutRecords", "Records.0.ExplicitHashKey", "String"), ("PutRecords", "Records.0.PartitionKey", "String"),
    ("PutRecords", "StreamName", "String"),
    ("GetRecords", "Limit", "Integer"), ("GetRecords", "ShardIterator", "String"),
]


def nested(path: str, value) -> dict:
    """{"Records": [{"Data": value}]} for "Records.0.Data", as kinesalite's assertType builds it."""
    pieces = path.split(".")
    root: dict = {}
    node = root
    for here, below in zip(pieces, pieces[1:]):
        child = [] if below == "0" else {}
        if isinstance(node, list):
            node.append(child)
        else:
            node[here] = child
        node = child
    if isinstance(node, list):
        node.append(value)
    else:
        node[pieces[-1]] = value
    return root


@pytest.mark.parametrize("op,member,kind", MEMBER_TYPES)
def test_member_of_the_wrong_type_is_a_serialization_exception(op, member, kind):
    for value, message in TYPE_ANSWERS[kind]:
        resp = sup.call_json(op, nested(member, value))
        assert resp.status == 400, (value, resp)
        assert resp.json() == {"__type": "SerializationException", "Message": message}, (value, resp)
