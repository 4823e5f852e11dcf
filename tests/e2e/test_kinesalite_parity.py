"""AWS's answers as kinesalite's test suite recorded them (mhart/kinesalite,
test/*.js), checked byte for byte against runnel: tags, unknown streams with
odd shard ids, sequence-number edge cases and MergeShards' adjacency.

Where today's AWS differs from what kinesalite recorded, these tests follow
today's AWS; docs/operations.md lists those cases. Each test names the
kinesalite test it mirrors.
"""
from __future__ import annotations

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
