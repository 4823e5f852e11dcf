"""The AWS CLI (`aws kinesis ...`) against runnel, as a user would type it.

Works with CLI v1 and v2: v1's `--data` takes raw text (the CLI base64-encodes
it); v2 takes base64 unless `--cli-binary-format raw-in-base64-out` is given.
"""
from __future__ import annotations

import base64
import json
import os
import re
import shutil
import subprocess

import pytest

import e2e_support as sup

pytestmark = pytest.mark.skipif(shutil.which("aws") is None, reason="aws CLI not installed")


def aws(*args: str, check: bool = True, timeout: int = 60) -> subprocess.CompletedProcess:
    env = dict(os.environ)
    env.setdefault("AWS_ACCESS_KEY_ID", "AKIDEXAMPLE")
    env.setdefault("AWS_SECRET_ACCESS_KEY", "dummy-secret")
    env["AWS_DEFAULT_REGION"] = sup.REGION
    env["AWS_PAGER"] = ""
    env["AWS_MAX_ATTEMPTS"] = "1"
    cmd = ["aws", "--endpoint-url", sup.endpoint(), "--output", "json", *args]
    proc = subprocess.run(cmd, capture_output=True, text=True, env=env, timeout=timeout,
                          stdin=subprocess.DEVNULL)
    if check and proc.returncode != 0:
        raise AssertionError(f"{' '.join(cmd)} exited {proc.returncode}\n"
                             f"stdout: {proc.stdout}\nstderr: {proc.stderr}")
    return proc


def aws_json(*args: str) -> dict:
    out = aws(*args).stdout
    return json.loads(out) if out.strip() else {}


def cli_major_version() -> int:
    proc = subprocess.run(["aws", "--version"], capture_output=True, text=True, timeout=30)
    match = re.search(r"aws-cli/(\d+)\.", proc.stdout + proc.stderr)
    assert match, proc
    return int(match.group(1))


def data_args(payload: bytes) -> list[str]:
    """--data arguments that make the CLI send exactly payload, for this CLI version."""
    if cli_major_version() == 1:
        return ["--data", payload.decode("utf-8")]
    return ["--cli-binary-format", "base64", "--data", base64.b64encode(payload).decode()]


def test_cli_full_round_trip():
    name = sup.unique_name("cli")
    aws("kinesis", "create-stream", "--stream-name", name, "--shard-count", "2")
    try:
        aws("kinesis", "wait", "stream-exists", "--stream-name", name)

        summary = aws_json("kinesis", "describe-stream-summary", "--stream-name", name)
        desc = summary["StreamDescriptionSummary"]
        assert desc["StreamName"] == name
        assert desc["StreamStatus"] == "ACTIVE"
        assert desc["OpenShardCount"] == 2
        assert desc["StreamARN"] == sup.stream_arn(name)

        listed = aws_json("kinesis", "list-streams")
        assert name in listed["StreamNames"]

        payload = "hello from the cli \u00e9".encode("utf-8")
        put = aws_json("kinesis", "put-record", "--stream-name", name,
                       "--partition-key", "user-42", *data_args(payload))
        shards = aws_json("kinesis", "list-shards", "--stream-name", name)["Shards"]
        assert put["ShardId"] == sup.shard_for_hash(shards, sup.partition_hash("user-42"))
        assert sup.SEQ_RE.match(put["SequenceNumber"])

        it = aws_json("kinesis", "get-shard-iterator", "--stream-name", name,
                      "--shard-id", put["ShardId"],
                      "--shard-iterator-type", "TRIM_HORIZON")["ShardIterator"]
        got = aws_json("kinesis", "get-records", "--shard-iterator", it)
        assert len(got["Records"]) == 1
        record = got["Records"][0]
        assert base64.b64decode(record["Data"]) == payload
        assert record["PartitionKey"] == "user-42"
        assert record["SequenceNumber"] == put["SequenceNumber"]
        assert "NextShardIterator" in got
        assert got["MillisBehindLatest"] == 0
    finally:
        aws("kinesis", "delete-stream", "--stream-name", name, check=False)
    gone = aws("kinesis", "describe-stream-summary", "--stream-name", name, check=False)
    assert gone.returncode != 0


def test_cli_at_sequence_number_with_quoted_iterator_query():
    """`--query ShardIterator --output text` is how shell scripts usually fetch iterators."""
    name = sup.unique_name("cli")
    aws("kinesis", "create-stream", "--stream-name", name, "--shard-count", "1")
    try:
        aws("kinesis", "wait", "stream-exists", "--stream-name", name)
        first = aws_json("kinesis", "put-record", "--stream-name", name, "--partition-key", "a",
                         *data_args(b"one"))
        aws_json("kinesis", "put-record", "--stream-name", name, "--partition-key", "a",
                 *data_args(b"two"))
        it = aws("kinesis", "get-shard-iterator", "--stream-name", name,
                 "--shard-id", "shardId-000000000000", "--shard-iterator-type", "AFTER_SEQUENCE_NUMBER",
                 "--starting-sequence-number", first["SequenceNumber"],
                 "--query", "ShardIterator", "--output", "text").stdout.strip()
        got = aws_json("kinesis", "get-records", "--shard-iterator", it, "--limit", "10")
        assert [base64.b64decode(r["Data"]) for r in got["Records"]] == [b"two"]
    finally:
        aws("kinesis", "delete-stream", "--stream-name", name, check=False)


def test_cli_error_exit_code_and_message():
    name = sup.unique_name("cli-missing")
    proc = aws("kinesis", "describe-stream-summary", "--stream-name", name, check=False)
    # CLI v1 exits 255 on a service error, v2 exits 254.
    assert proc.returncode in (254, 255), proc
    assert "ResourceNotFoundException" in proc.stderr
    assert f"Stream {name} under account {sup.ACCOUNT} not found." in proc.stderr


def test_cli_create_existing_stream_error():
    name = sup.unique_name("cli")
    aws("kinesis", "create-stream", "--stream-name", name, "--shard-count", "1")
    try:
        proc = aws("kinesis", "create-stream", "--stream-name", name, "--shard-count", "1", check=False)
        assert proc.returncode in (254, 255)
        assert "ResourceInUseException" in proc.stderr
        assert "already exists" in proc.stderr
    finally:
        aws("kinesis", "delete-stream", "--stream-name", name, check=False)
