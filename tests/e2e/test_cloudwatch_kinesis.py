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


def test_runnels_request_metrics_are_in_cloudwatch(workload_stream):
    # runnel's own request counters are queryable under namespace "runnel"
    # (docs/prometheus.md). Other tests of the suite may call PutRecord in the
    # same minutes on the shared server: at least the workload's calls.
    _, work, start, end = workload_stream
    c = cw_sup.client()
    d = cw_sup.dims(Service="kinesis", Operation="PutRecord")
    points = cw_sup.wait_statistics(c, "runnel", "Requests", start, end,
                                    lambda p: cw_sup.total(p) >= work.n_put, dims=d)
    assert cw_sup.total(points) >= work.n_put
    assert all(p["Unit"] == "Count" for p in points)
    points = cw_sup.statistics(c, "runnel", "RequestLatency", start, end, dims=d)
    assert cw_sup.total(points, "SampleCount") >= work.n_put and all(p["Unit"] == "Milliseconds" for p in points)
    names = {m["MetricName"] for m in c.list_metrics(Namespace="runnel")["Metrics"]}
    assert {"Requests", "RequestLatency", "FdatasyncLatency", "GroupCommitRecords"} <= names, names


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


def wait_sums(c, stream, start, end, expected):
    return cw_sup.wait_for(lambda: cw_sup.kinesis_sums(c, stream, start, end, expected), lambda v: v == expected,
                           what=f"AWS/Kinesis sums of {stream}")


def test_throttled_entries_are_not_incoming(make_stream, kinesis):
    """Three PutRecords of 450 one-byte records at once into one shard (1,000
    records/s): the entries refused with ProvisionedThroughputExceededException
    count in PutRecords.TotalRecords and .ThrottledRecords, not in
    IncomingRecords or .SuccessfulRecords (AWS's metric definitions)."""
    name = make_stream(1)
    start = cw_sup.minute_base(1)
    put = throttled = 0
    for j in range(3):
        out = kinesis.put_records(StreamName=name, Records=[{"PartitionKey": "k", "Data": b"z"} for _ in range(450)])
        throttled += out["FailedRecordCount"]
        put += 450 - out["FailedRecordCount"]
        assert all(r.get("ErrorCode") in (None, sup.THROTTLED) for r in out["Records"]), out
    assert throttled > 0, "the write limit never refused an entry"
    c = cw_sup.client()
    got = wait_sums(c, name, start, cw_sup.minute_base(-2), {
        "IncomingRecords": float(put), "IncomingBytes": float(put * 2),
        "PutRecords.TotalRecords": 1350.0, "PutRecords.SuccessfulRecords": float(put),
        "PutRecords.ThrottledRecords": float(throttled), "WriteProvisionedThroughputExceeded": float(throttled)})
    assert got["IncomingRecords"] + got["PutRecords.ThrottledRecords"] == 1350


def test_enhanced_monitoring_adds_shard_level_metrics(make_stream, kinesis):
    name = make_stream(2)
    kinesis.enable_enhanced_monitoring(StreamName=name, ShardLevelMetrics=["IncomingRecords", "OutgoingRecords"])
    start = cw_sup.minute_base(1)
    per_shard = {}
    shards = kinesis.list_shards(StreamName=name)["Shards"]
    for i in range(40):
        out = kinesis.put_record(StreamName=name, PartitionKey=f"key-{i}", Data=b"d")
        per_shard[out["ShardId"]] = per_shard.get(out["ShardId"], 0) + 1
    assert len(per_shard) == 2, per_shard
    for shard in shards:
        sup.read_shard(kinesis, name, shard["ShardId"])
    c = cw_sup.client()
    end = cw_sup.minute_base(-2)
    for shard_id, count in per_shard.items():
        shard_dims = cw_sup.dims(StreamName=name, ShardId=shard_id)
        for metric in ("IncomingRecords", "OutgoingRecords"):
            points = cw_sup.wait_for(
                lambda: cw_sup.statistics(c, "AWS/Kinesis", metric, start, end, dims=shard_dims, stats=["Sum"]),
                lambda p: cw_sup.total(p) == count, what=f"{metric} of {shard_id}")
            assert cw_sup.total(points) == count
    # Not enabled: no shard-level IncomingBytes.
    assert cw_sup.statistics(c, "AWS/Kinesis", "IncomingBytes", start, end,
                             dims=cw_sup.dims(StreamName=name, ShardId=shards[0]["ShardId"])) == []
    listed = c.list_metrics(Namespace="AWS/Kinesis", MetricName="IncomingRecords",
                            Dimensions=[{"Name": "StreamName", "Value": name}, {"Name": "ShardId"}])["Metrics"]
    assert sorted(d["Value"] for m in listed for d in m["Dimensions"] if d["Name"] == "ShardId") == \
        sorted(per_shard)


def test_kinesis_metrics_survive_kill9(tmp_path):
    srv = sup.RunnelServer(data_dir=str(tmp_path / "data"), log_path=str(tmp_path / "server.log"),
                           extra_args=["--metrics-flush-ms", "100"])
    srv.start()
    try:
        kinesis = sup.make_client(srv.url)
        kinesis.create_stream(StreamName="durable", ShardCount=1)
        sup.wait_active(kinesis, "durable")
        start = cw_sup.minute_base(1)
        work = cw_sup.KinesisWorkload(n_put=3, m_puts=2, k=10)
        work.run(kinesis, "durable")
        c = cw_sup.client(srv.url)
        end = cw_sup.minute_base(-2)
        before = wait_sums(c, "durable", start, end, work.expected())
        srv.kill9()
        srv.start()
        c = cw_sup.client(srv.url)
        assert cw_sup.kinesis_sums(c, "durable", start, end, before) == before
        import time
        time.sleep(0.5)
        assert cw_sup.kinesis_sums(c, "durable", start, end, before) == before
    finally:
        srv.kill9()
