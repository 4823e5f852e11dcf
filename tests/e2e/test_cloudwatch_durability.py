"""CloudWatch metrics survive kill -9, and are never counted twice.

A server of our own with `--metrics-flush-ms 100` (docs/metrics-store.md §6:
one flush is one SQLite transaction; what a flush committed survives a process
crash, what was recorded after the last commit is lost, nothing is counted
twice). Statistics are compared whole (all five, percentiles, 1-second
periods, ListMetrics) before the kill and after the restart on the same data
dir, again after several more flush intervals, and after more puts.
"""
from __future__ import annotations

import os
import threading
import time

import pytest
from botocore.exceptions import BotoCoreError, ClientError

import cloudwatch_support as cw_sup
import e2e_support as sup
from cloudwatch_support import dims, utc

FLUSH_MS = 100


@pytest.fixture
def server(tmp_path):
    srv = sup.RunnelServer(data_dir=str(tmp_path / "data"), log_path=str(tmp_path / "server.log"),
                           extra_args=["--metrics-flush-ms", str(FLUSH_MS)])
    srv.start()
    yield srv
    srv.kill9()


def snapshot(c, ns: str, base: int) -> dict:
    out = {}
    for name, d in (("Lat", dims(Host="h1")), ("Lat", dims(Host="h2"))):
        out[(name, d[0]["Value"])] = cw_sup.statistics(c, ns, name, base, base + 120, dims=d)
    out["ext"] = cw_sup.statistics(c, ns, "Lat", base, base + 120, dims=dims(Host="h2"),
                                   ExtendedStatistics=["p50", "p90", "p99"])
    out["hi"] = cw_sup.statistics(c, ns, "Hi", base + 600, base + 610, period=1)
    out["list"] = sorted((m["MetricName"], tuple((x["Name"], x["Value"]) for x in m["Dimensions"]))
                         for m in c.list_metrics(Namespace=ns)["Metrics"])
    return out


@pytest.mark.timeout_seconds(60)
def test_statistics_survive_kill9_exactly(server):
    c = cw_sup.client(server.url)
    ns, base = sup.unique_name("Durable"), cw_sup.minute_base(15)
    # 20 requests into two minutes of Host=h1, Values with Counts into Host=h2,
    # and high-resolution values into 1-second periods.
    for i in range(20):
        c.put_metric_data(Namespace=ns, MetricData=[
            {"MetricName": "Lat", "Dimensions": dims(Host="h1"), "Timestamp": utc(base + 60 * (i % 2) + i),
             "Value": float(i)},
            {"MetricName": "Lat", "Dimensions": dims(Host="h2"), "Timestamp": utc(base + 30),
             "Values": [float(i * 10 + k) for k in range(10)], "Counts": [2.0] * 10},
            {"MetricName": "Hi", "Timestamp": utc(base + 600 + i % 5), "Value": 1.0, "StorageResolution": 1},
        ])
    expected_h1 = [(base, 10.0, float(sum(range(0, 20, 2)))), (base + 60, 10.0, float(sum(range(1, 20, 2))))]
    before = cw_sup.wait_for(
        lambda: snapshot(c, ns, base),
        lambda s: [(cw_sup.epoch(p["Timestamp"]), p["SampleCount"], p["Sum"]) for p in s[("Lat", "h1")]]
        == expected_h1 and s[("Lat", "h2")] and s[("Lat", "h2")][0]["SampleCount"] == 400
        and sum(p["SampleCount"] for p in s["hi"]) == 20 and len(s["list"]) == 3,
        what="statistics before the kill")
    assert before[("Lat", "h2")][0]["Sum"] == 2.0 * sum(range(200))
    assert [p["SampleCount"] for p in before["hi"]] == [4.0] * 5
    assert before["ext"][0]["ExtendedStatistics"]["p50"] == pytest.approx(99.0, rel=0.01)

    server.kill9()
    server.start()
    c = cw_sup.client(server.url)
    assert snapshot(c, ns, base) == before
    # Several flush intervals later: still the same (nothing flushed again).
    time.sleep(5 * FLUSH_MS / 1000)
    assert snapshot(c, ns, base) == before

    # New data adds to the old exactly once.
    c.put_metric_data(Namespace=ns, MetricData=[
        {"MetricName": "Lat", "Dimensions": dims(Host="h1"), "Timestamp": utc(base + 1), "Value": 1000.0}])
    after = cw_sup.wait_statistics(c, ns, "Lat", base, base + 60, dims=dims(Host="h1"),
                                   ok=lambda p: len(p) == 1 and p[0]["SampleCount"] == 11)
    assert after[0]["Sum"] == expected_h1[0][2] + 1000.0 and after[0]["Maximum"] == 1000.0
    time.sleep(5 * FLUSH_MS / 1000)
    assert cw_sup.statistics(c, ns, "Lat", base, base + 60, dims=dims(Host="h1")) == after


@pytest.mark.timeout_seconds(60)
def test_kill9_while_putting_counts_nothing_twice(server):
    """A producer puts Value=1 in a loop; kill -9 at a random moment. After the
    restart the count is at most the attempts (nothing twice) and at least what
    was seen flushed before the kill (nothing committed lost)."""
    c = cw_sup.client(server.url)
    ns, base = sup.unique_name("Crash"), cw_sup.minute_base(15)
    attempts = acked = 0
    stop = threading.Event()

    def produce():
        nonlocal attempts, acked
        pc = cw_sup.client(server.url)
        while not stop.is_set():
            attempts += 1
            try:
                pc.put_metric_data(Namespace=ns, MetricData=[
                    {"MetricName": "N", "Timestamp": utc(base + 1), "Value": 1.0}])
                acked += 1
            except (ClientError, BotoCoreError):
                return

    t = threading.Thread(target=produce, daemon=True)
    t.start()
    seen = cw_sup.wait_for(lambda: cw_sup.statistics(c, ns, "N", base, base + 60),
                           lambda p: p and p[0]["SampleCount"] >= 50, what="flushed puts")
    flushed_before_kill = seen[0]["SampleCount"]
    time.sleep(0.05 + (int.from_bytes(os.urandom(1), "big") / 255) * 0.3)
    server.kill9()
    stop.set()
    t.join(timeout=30)
    server.start()
    c = cw_sup.client(server.url)
    points = cw_sup.statistics(c, ns, "N", base, base + 60)
    count = points[0]["SampleCount"]
    assert flushed_before_kill <= count <= attempts, (flushed_before_kill, count, acked, attempts)
    assert points[0]["Sum"] == count and points[0]["Minimum"] == points[0]["Maximum"] == 1.0
    # Lost at most about one flush interval of acknowledged puts.
    time.sleep(5 * FLUSH_MS / 1000)
    assert cw_sup.statistics(c, ns, "N", base, base + 60) == points
