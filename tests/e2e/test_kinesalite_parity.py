"""AWS's answers as kinesalite's test suite recorded them (mhart/kinesalite,
test/*.js), checked byte for byte against runnel: tags, unknown streams with
odd shard ids, sequence-number edge cases and MergeShards' adjacency.

Where today's AWS differs from what kinesalite recorded, these tests follow
today's AWS; docs/operations.md lists those cases. Each test names the
kinesalite test it mirrors.
"""
from __future__ import annotations


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
