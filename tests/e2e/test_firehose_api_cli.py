"""`aws firehose ...` as a user types it (the AWS CLI on PATH, v1 or v2):
create (with a JSON destination file), describe, list, put-record,
put-record-batch, update-destination, tags, encryption, delete, and a
refused call with AWS's error code on stderr.
"""
from __future__ import annotations

import base64
import json
import subprocess
import time

import pytest

import e2e_support as sup

ROLE = f"arn:aws:iam::{sup.ACCOUNT}:role/firehose"


CLI = sup.find_aws_cli()
pytestmark = pytest.mark.skipif(CLI is None, reason="no aws CLI installed")
aws, out = sup.aws_service_cli(CLI, "firehose")


def wait_active(name: str) -> dict:
    deadline = time.monotonic() + 15
    while True:
        d = out("describe-delivery-stream", "--delivery-stream-name", name)["DeliveryStreamDescription"]
        if d["DeliveryStreamStatus"] == "ACTIVE" or time.monotonic() > deadline:
            return d
        time.sleep(0.1)


def make_bucket(name: str) -> None:
    """The destination bucket, in runnel's embedded store, through the same CLI."""
    proc = subprocess.run([CLI, "--endpoint-url", sup.endpoint(), "s3", "mb", f"s3://{name}"],
                          capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0 or "BucketAlreadyOwnedByYou" in proc.stderr, proc.stderr


def test_cli_lifecycle(tmp_path):
    make_bucket("cli-bucket")
    name = sup.unique_name("fhcli")
    dest = tmp_path / "dest.json"
    dest.write_text(json.dumps({"RoleARN": ROLE, "BucketARN": "arn:aws:s3:::cli-bucket", "Prefix": "cli/"}))
    created = out("create-delivery-stream", "--delivery-stream-name", name,
                  "--extended-s3-destination-configuration", f"file://{dest}",
                  "--tags", "Key=origin,Value=cli")
    assert created["DeliveryStreamARN"].endswith(f":deliverystream/{name}")
    d = wait_active(name)
    assert d["DeliveryStreamStatus"] == "ACTIVE"
    assert d["Destinations"][0]["ExtendedS3DestinationDescription"]["Prefix"] == "cli/"
    assert name in out("list-delivery-streams", "--limit", "10000")["DeliveryStreamNames"]

    data = base64.b64encode(b"from the cli\n").decode()
    rec = out("put-record", "--delivery-stream-name", name, "--record", json.dumps({"Data": data}))
    assert len(rec["RecordId"]) == 48
    batch = out("put-record-batch", "--delivery-stream-name", name,
                "--records", json.dumps([{"Data": data}, {"Data": data}]))
    assert batch["FailedPutCount"] == 0 and len(batch["RequestResponses"]) == 2

    aws("update-destination", "--delivery-stream-name", name, "--current-delivery-stream-version-id", "1",
        "--destination-id", "destinationId-000000000001",
        "--extended-s3-destination-update", json.dumps({"CompressionFormat": "GZIP"}))
    d = out("describe-delivery-stream", "--delivery-stream-name", name)["DeliveryStreamDescription"]
    assert d["VersionId"] == "2"
    assert d["Destinations"][0]["ExtendedS3DestinationDescription"]["CompressionFormat"] == "GZIP"

    aws("tag-delivery-stream", "--delivery-stream-name", name, "--tags", "Key=env,Value=test")
    tags = out("list-tags-for-delivery-stream", "--delivery-stream-name", name)["Tags"]
    assert tags == [{"Key": "env", "Value": "test"}, {"Key": "origin", "Value": "cli"}]
    aws("untag-delivery-stream", "--delivery-stream-name", name, "--tag-keys", "env")

    aws("start-delivery-stream-encryption", "--delivery-stream-name", name,
        "--delivery-stream-encryption-configuration-input", "KeyType=AWS_OWNED_CMK")
    aws("stop-delivery-stream-encryption", "--delivery-stream-name", name, check=False)  # may still be ENABLING

    aws("delete-delivery-stream", "--delivery-stream-name", name)


def test_cli_errors():
    proc = aws("describe-delivery-stream", "--delivery-stream-name", "fh-cli-missing", check=False)
    assert proc.returncode != 0
    assert "ResourceNotFoundException" in proc.stderr
    proc = aws("update-destination", "--delivery-stream-name", "fh-cli-missing",
               "--current-delivery-stream-version-id", "1", "--destination-id", "destinationId-000000000001",
               "--extended-s3-destination-update", json.dumps({"Prefix": "x/"}), check=False)
    assert "ResourceNotFoundException" in proc.stderr
    proc = aws("create-delivery-stream", "--delivery-stream-name", sup.unique_name("fhcli"), check=False)
    assert proc.returncode != 0 and "InvalidArgumentException" in proc.stderr
