"""Kinesis's own metrics in AWS/Kinesis, read back through CloudWatch.

A scripted workload on a one-shard stream (N PutRecord, M PutRecords of K
records of known sizes, every record read back with GetRecords), then
GetMetricStatistics on AWS/Kinesis with Dimensions StreamName=<stream> must
sum to exactly the workload's counts: IncomingRecords, IncomingBytes,
PutRecords.TotalRecords, PutRecords.SuccessfulRecords, GetRecords.Records
(AWS's "Kinesis Data Streams dimensions and metrics" page). Asked with boto3
and with both AWS CLIs; the JS SDK's part is in node/cloudwatch.test.mjs.
"""
from __future__ import annotations

import json

import pytest

import cloudwatch_support as cw_sup
import e2e_support as sup
from test_cloudwatch_cli import Cli, find_cli

@pytest.fixture(scope="module")
def workload_stream():
    """One stream with the workload done, shared by this module's tests."""
    kinesis = sup.make_client()
    name = sup.unique_name("cwk")
    kinesis.create_stream(StreamName=name, ShardCount=1)
    sup.wait_active(kinesis, name)
    start = cw_sup.minute_base(1)
    work = cw_sup.KinesisWorkload()
    work.run(kinesis, name)
    yield name, work, start, cw_sup.minute_base(-2)
    kinesis.delete_stream(StreamName=name, EnforceConsumerDeletion=True)


def test_boto3_statistics_equal_the_workload(workload_stream):
    name, work, start, end = workload_stream
    c = cw_sup.client()
    expected = work.expected()
    got = cw_sup.wait_for(lambda: cw_sup.kinesis_sums(c, name, start, end, expected), lambda v: v == expected,
                          what="AWS/Kinesis sums")
    assert got == expected
    # Per call: PutRecords.TotalRecords has one sample per PutRecords call.
    points = cw_sup.statistics(c, "AWS/Kinesis", "PutRecords.TotalRecords", start, end,
                               dims=cw_sup.dims(StreamName=name))
    assert cw_sup.total(points, "SampleCount") == work.m_puts
    assert max(p["Maximum"] for p in points) == work.k
    units = {p["Unit"] for p in cw_sup.statistics(c, "AWS/Kinesis", "IncomingBytes", start, end,
                                                  dims=cw_sup.dims(StreamName=name))}
    assert units == {"Bytes"}
    listed = c.list_metrics(Namespace="AWS/Kinesis", Dimensions=[{"Name": "StreamName", "Value": name}])["Metrics"]
    assert set(expected) <= {m["MetricName"] for m in listed}


@pytest.mark.parametrize("major", [1, 2], ids=["cli-v1-json", "cli-v2-query"])
def test_cli_statistics_equal_the_workload(workload_stream, major):
    name, work, start, end = workload_stream
    cli = Cli(find_cli(major), major)
    iso = lambda s: cw_sup.utc(s).strftime("%Y-%m-%dT%H:%M:%SZ")  # noqa: E731

    def sums():
        out = {}
        for metric in ("IncomingRecords", "IncomingBytes", "GetRecords.Records"):
            answer = cli.json("cloudwatch", "get-metric-statistics", "--namespace", "AWS/Kinesis",
                              "--metric-name", metric, "--dimensions", f"Name=StreamName,Value={name}",
                              "--start-time", iso(start), "--end-time", iso(end), "--period", "60",
                              "--statistics", "Sum")
            out[metric] = sum(p["Sum"] for p in answer["Datapoints"])
        return out

    expected = {k: v for k, v in work.expected().items()
                if k in ("IncomingRecords", "IncomingBytes", "GetRecords.Records")}
    assert cw_sup.wait_for(sums, lambda v: v == expected, what="CLI AWS/Kinesis sums") == expected
    listed = json.loads(cli.run("cloudwatch", "list-metrics", "--namespace", "AWS/Kinesis",
                                "--dimensions", f"Name=StreamName,Value={name}").stdout)["Metrics"]
    assert "IncomingRecords" in {m["MetricName"] for m in listed}
