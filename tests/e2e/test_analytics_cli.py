"""`aws kinesisanalytics ...` as a user types it (the AWS CLI on PATH, v1 or
v2): create-application with --inputs from a file, describe, list, update,
add/delete an output, start/stop, tags, discover-input-schema, delete with
the CreateTimestamp describe gave, and refusals with KDA's error codes on
stderr.
"""
from __future__ import annotations

import json
import time

import pytest

import analytics_support as kas
import e2e_support as sup
from analytics_support import ROLE, kinesis_input, kinesis_output

CLI = sup.find_aws_cli()
pytestmark = pytest.mark.skipif(CLI is None, reason="no aws CLI installed")
aws, out = sup.aws_service_cli(CLI, "kinesisanalytics")


def describe(name: str) -> dict:
    return out("describe-application", "--application-name", name)["ApplicationDetail"]


def wait_status(name: str, status: str, timeout: float = 15.0) -> dict:
    deadline = time.monotonic() + timeout
    while True:
        d = describe(name)
        if d["ApplicationStatus"] == status:
            return d
        assert time.monotonic() < deadline, f"{name} is {d['ApplicationStatus']}, not {status}"
        time.sleep(0.2)


def test_cli_application_round_trip(tmp_path):
    kinesis = sup.make_client()
    src = kas.create_stream(kinesis, sup.unique_name("cli-in"))
    dst = kas.create_stream(kinesis, sup.unique_name("cli-out"))
    name = kas.app_name("cli")
    inputs = tmp_path / "inputs.json"
    inputs.write_text(json.dumps([kinesis_input(src)]))
    created = out("create-application", "--application-name", name, "--application-code", "-- sql",
                  "--inputs", f"file://{inputs}", "--tags", "Key=team,Value=a")
    assert created["ApplicationSummary"] == {"ApplicationName": name, "ApplicationARN": kas.app_arn(name),
                                             "ApplicationStatus": "READY"}
    d = describe(name)
    assert d["ApplicationVersionId"] == 1
    assert d["InputDescriptions"][0]["InAppStreamNames"] == ["SOURCE_SQL_STREAM_001"]
    assert name in [s["ApplicationName"] for s in out("list-applications")["ApplicationSummaries"]]

    aws("add-application-output", "--application-name", name, "--current-application-version-id", "1",
        "--application-output", json.dumps(kinesis_output(dst)))
    aws("update-application", "--application-name", name, "--current-application-version-id", "2",
        "--application-update", json.dumps({"ApplicationCodeUpdate": "-- v3"}))
    d = describe(name)
    assert d["ApplicationVersionId"] == 3 and d["ApplicationCode"] == "-- v3"
    assert d["OutputDescriptions"][0]["OutputId"] == "1.1"
    aws("delete-application-output", "--application-name", name, "--current-application-version-id", "3",
        "--output-id", "1.1")
    assert describe(name)["OutputDescriptions"] == []

    aws("start-application", "--application-name", name, "--input-configurations",
        json.dumps([{"Id": "1.1", "InputStartingPositionConfiguration": {"InputStartingPosition": "NOW"}}]))
    wait_status(name, "RUNNING")
    aws("stop-application", "--application-name", name)
    wait_status(name, "READY")

    arn = kas.app_arn(name)
    aws("tag-resource", "--resource-arn", arn, "--tags", "Key=env,Value=dev")
    assert out("list-tags-for-resource", "--resource-arn", arn)["Tags"] == [
        {"Key": "team", "Value": "a"}, {"Key": "env", "Value": "dev"}]
    aws("untag-resource", "--resource-arn", arn, "--tag-keys", "team")
    assert out("list-tags-for-resource", "--resource-arn", arn)["Tags"] == [{"Key": "env", "Value": "dev"}]

    kinesis.put_record(StreamName=src, Data=json.dumps({"ticker": "AMZN", "price": 10.5}).encode(),
                       PartitionKey="p")
    disc = out("discover-input-schema", "--resource-arn", sup.stream_arn(src), "--role-arn", ROLE,
               "--input-starting-position-configuration", "InputStartingPosition=TRIM_HORIZON")
    assert [c["Name"] for c in disc["InputSchema"]["RecordColumns"]] == ["ticker", "price"]

    # The CLI prints CreateTimestamp as it parsed it; it goes back as given.
    created_at = describe(name)["CreateTimestamp"]
    aws("delete-application", "--application-name", name, "--create-timestamp", str(created_at))
    sup.wait_for("the application gone",
                 lambda: aws("describe-application", "--application-name", name, check=False).returncode != 0)


def test_cli_errors():
    name = kas.app_name("cli-err")
    proc = aws("describe-application", "--application-name", name, check=False)
    assert proc.returncode != 0
    assert "ResourceNotFoundException" in proc.stderr and f"Application {name} is not found." in proc.stderr
    aws("create-application", "--application-name", name)
    proc = aws("create-application", "--application-name", name, check=False)
    assert "ResourceInUseException" in proc.stderr
    proc = aws("update-application", "--application-name", name, "--current-application-version-id", "7",
               "--application-update", json.dumps({"ApplicationCodeUpdate": "-- x"}), check=False)
    assert "ConcurrentModificationException" in proc.stderr
    proc = aws("stop-application", "--application-name", name, check=False)
    assert "ResourceInUseException" in proc.stderr
