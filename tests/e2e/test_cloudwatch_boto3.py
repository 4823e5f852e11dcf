"""CloudWatch (PutMetricData, GetMetricStatistics, GetMetricData, ListMetrics)
with boto3, three times: as botocore speaks it by default (AWS JSON 1.0), and
forced to Smithy RPC v2 CBOR and to AWS Query through copies of botocore's
model whose `protocols` is ["smithy-rpc-v2-cbor"] or ["query"]. Every request
of a test is checked on the wire (botocore's before-send event): JSON goes to
`/` with `X-Amz-Target: GraniteServiceVersion20100801.<Op>`, CBOR to
`/service/GraniteServiceVersion20100801/operation/<Op>` with
`smithy-protocol: rpc-v2-cbor`, Query to `/` as a form without X-Amz-Target.

The tests run against a server of this module's own with
`--metrics-flush-ms 100` (put data becomes queryable within 0.1 s instead of
the default 1 s, which keeps the suite fast); the shared server's default
flush is exercised by test_cloudwatch_cli.py, test_cloudwatch_kinesis.py and
node/cloudwatch.test.mjs.

Expected values come from CloudWatch's API reference (statistics, metric math,
ListMetrics filters and its 500-metric pages) and from botocore's model
(error codes: awsQueryCompatible `error.code`, reported by botocore from the
`x-amzn-query-error` header), never from what runnel answers.
"""
from __future__ import annotations

import math

import pytest
from botocore.exceptions import ClientError

import cloudwatch_support as cw_sup
import e2e_support as sup
from cloudwatch_support import dims, utc

PROTOCOLS = ["json", "smithy-rpc-v2-cbor", "query"]
TARGET = "GraniteServiceVersion20100801"
ALL_STATS = ("SampleCount", "Sum", "Average", "Minimum", "Maximum")


FLUSH_MS = 100


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("cw-boto3")
    srv = sup.RunnelServer(data_dir=str(tmp / "data"), log_path=str(tmp / "server.log"),
                           extra_args=["--metrics-flush-ms", str(FLUSH_MS)])
    srv.start()
    yield srv
    code = srv.terminate()
    assert code == 0, f"server exited {code}:\n{srv.log_tail()}"


@pytest.fixture(scope="module")
def clients(server, tmp_path_factory):
    """(protocol, validate) -> (client, WireLog), made once per module."""
    made = {}
    data_dir = str(tmp_path_factory.mktemp("botocore-data"))

    def get(protocol: str, validate: bool = True):
        if (protocol, validate) not in made:
            if protocol == "json":
                c = cw_sup.client(server.url, validate=validate)
            else:
                c = cw_sup.client_with_protocol(data_dir, protocol, url=server.url, validate=validate)
            made[(protocol, validate)] = (c, cw_sup.WireLog(c))
        c, log = made[(protocol, validate)]
        log.clear()
        return c, log
    return get


def check_wire(protocol: str, log: cw_sup.WireLog, url: str) -> None:
    assert log.requests, "no request was sent"
    for r in log.requests:
        op = r["headers"].get("x-amz-target", "")
        if protocol == "json":
            assert r["url"].rstrip("/") == url, r["url"]
            assert op.startswith(TARGET + "."), r["headers"]
            assert r["headers"]["content-type"] == "application/x-amz-json-1.0", r["headers"]
        elif protocol == "query":
            assert r["url"].rstrip("/") == url, r["url"]
            assert r["headers"]["content-type"].startswith("application/x-www-form-urlencoded"), r["headers"]
            assert "x-amz-target" not in r["headers"], r["headers"]
        else:
            assert r["url"].startswith(url + f"/service/{TARGET}/operation/"), r["url"]
            assert r["headers"]["smithy-protocol"] == "rpc-v2-cbor", r["headers"]
            assert r["headers"]["content-type"] == "application/cbor", r["headers"]
            assert "x-amz-target" not in r["headers"], r["headers"]
    # The answers in the same protocol.
    assert len(log.responses) == len(log.requests), (log.responses, log.requests)
    for r in log.responses:
        if protocol == "json":
            assert r["headers"]["content-type"] == "application/x-amz-json-1.0", r
        elif protocol == "query":
            assert r["headers"]["content-type"].startswith("text/xml"), r
        else:
            assert r["headers"]["smithy-protocol"] == "rpc-v2-cbor", r
            # An operation without output (PutMetricData) answers 200 with no body.
            assert r["status"] == 200 or r["headers"].get("content-type") == "application/cbor", r


@pytest.fixture(params=PROTOCOLS)
def cw(request, clients, server):
    c, log = clients(request.param)
    yield c
    check_wire(request.param, log, server.url)


@pytest.fixture(params=PROTOCOLS)
def cw_raw(request, clients, server):
    """No client-side validation: reaches the server's own checks."""
    c, log = clients(request.param, validate=False)
    yield c
    check_wire(request.param, log, server.url)


def namespace(prefix: str = "E2E") -> str:
    return sup.unique_name(prefix)


# ---------------------------------------------------------------------------
# PutMetricData + GetMetricStatistics


def test_every_kind_of_datum_counts_in_all_five_statistics(cw):
    ns, base = namespace(), cw_sup.minute_base(10)
    at = utc(base + 5)
    cw.put_metric_data(Namespace=ns, MetricData=[
        {"MetricName": "Latency", "Dimensions": dims(Host="h1", Az="a"), "Timestamp": at, "Value": 10.0},
        # Dimensions in another order name the same metric.
        {"MetricName": "Latency", "Dimensions": dims(Az="a", Host="h1"), "Timestamp": at,
         "Values": [1.0, 2.0, 3.0], "Counts": [1.0, 2.0, 3.0]},
        {"MetricName": "Latency", "Dimensions": dims(Host="h1", Az="a"), "Timestamp": utc(base + 50),
         "StatisticValues": {"SampleCount": 4, "Sum": 100.0, "Minimum": 5.0, "Maximum": 40.0}},
        # Another minute and other dimensions: not in the answer below.
        {"MetricName": "Latency", "Dimensions": dims(Host="h1", Az="a"), "Timestamp": utc(base + 65), "Value": 1e6},
        {"MetricName": "Latency", "Dimensions": dims(Host="h1"), "Timestamp": at, "Value": 1e6},
    ])
    expected = {"SampleCount": 11.0, "Sum": 124.0, "Minimum": 1.0, "Maximum": 40.0}
    points = cw_sup.wait_statistics(cw, ns, "Latency", base, base + 60, dims=dims(Az="a", Host="h1"),
                                    ok=lambda p: len(p) == 1 and p[0]["SampleCount"] == 11)
    p = points[0]
    assert cw_sup.epoch(p["Timestamp"]) == base
    for stat, value in expected.items():
        assert p[stat] == value, (stat, p)
    assert p["Average"] == pytest.approx(124.0 / 11)
    assert p["Unit"] == "None"

    # Two periods; a period of 120 s from the same start merges them.
    two = cw_sup.statistics(cw, ns, "Latency", base, base + 120, dims=dims(Host="h1", Az="a"))
    assert [cw_sup.epoch(d["Timestamp"]) for d in two] == [base, base + 60]
    assert two[1]["Sum"] == 1e6 and two[1]["SampleCount"] == 1
    merged = cw_sup.statistics(cw, ns, "Latency", base, base + 120, period=120, dims=dims(Host="h1", Az="a"))
    assert len(merged) == 1 and merged[0]["SampleCount"] == 12 and merged[0]["Sum"] == 124.0 + 1e6
    # Without dimensions: the metric with no dimensions, which has no data.
    assert cw_sup.statistics(cw, ns, "Latency", base, base + 120) == []
    # Only the asked statistics come back.
    only = cw_sup.statistics(cw, ns, "Latency", base, base + 60, dims=dims(Host="h1", Az="a"), stats=["Maximum"])
    assert set(only[0]) == {"Timestamp", "Maximum", "Unit"}, only


def test_units_filter_the_answer(cw):
    ns, base = namespace(), cw_sup.minute_base(10)
    at = utc(base + 1)
    cw.put_metric_data(Namespace=ns, MetricData=[
        {"MetricName": "Size", "Timestamp": at, "Value": 100.0, "Unit": "Bytes"},
        {"MetricName": "Size", "Timestamp": at, "Value": 300.0, "Unit": "Bytes"},
        {"MetricName": "Size", "Timestamp": at, "Value": 2.0, "Unit": "Kilobytes"},
    ])
    by_bytes = cw_sup.wait_statistics(cw, ns, "Size", base, base + 60, Unit="Bytes",
                                      ok=lambda p: len(p) == 1 and p[0]["SampleCount"] == 2)
    assert by_bytes[0]["Sum"] == 400.0 and by_bytes[0]["Unit"] == "Bytes"
    kb = cw_sup.statistics(cw, ns, "Size", base, base + 60, Unit="Kilobytes")
    assert [(d["Sum"], d["Unit"]) for d in kb] == [(2.0, "Kilobytes")]
    assert cw_sup.statistics(cw, ns, "Size", base, base + 60, Unit="Seconds") == []
    # No Unit: "all data that was collected with any unit is returned, along
    # with the corresponding units" (GetMetricStatistics' Unit documentation).
    every = cw_sup.statistics(cw, ns, "Size", base, base + 60)
    assert sorted((d["Unit"], d["Sum"]) for d in every) == [("Bytes", 400.0), ("Kilobytes", 2.0)]


def test_high_resolution_metrics_answer_one_second_periods(cw):
    ns, base = namespace(), cw_sup.minute_base(5)
    cw.put_metric_data(Namespace=ns, MetricData=[
        {"MetricName": "Hi", "Timestamp": utc(base + s), "Value": float(s + 1), "StorageResolution": 1}
        for s in range(5)
    ] + [{"MetricName": "Hi", "Timestamp": utc(base + 2), "Value": 10.0, "StorageResolution": 1}])
    per_second = cw_sup.wait_statistics(cw, ns, "Hi", base, base + 5, period=1,
                                        ok=lambda p: sum(d["SampleCount"] for d in p) == 6)
    assert [(cw_sup.epoch(d["Timestamp"]) - base, d["Sum"]) for d in per_second] == \
        [(0, 1.0), (1, 2.0), (2, 13.0), (3, 4.0), (4, 5.0)]
    tens = cw_sup.statistics(cw, ns, "Hi", base, base + 10, period=10)
    assert [(cw_sup.epoch(d["Timestamp"]) - base, d["Sum"], d["SampleCount"]) for d in tens] == [(0, 25.0, 6.0)]
    minute = cw_sup.statistics(cw, ns, "Hi", base, base + 60)
    assert [(d["Sum"], d["Maximum"], d["Minimum"]) for d in minute] == [(25.0, 10.0, 1.0)]


def test_extended_statistics_p50_p90_p99(cw):
    ns, base = namespace(), cw_sup.minute_base(10)
    at = utc(base + 7)
    values = [float(v) for v in range(1, 1001)]
    cw.put_metric_data(Namespace=ns, MetricData=[
        {"MetricName": "Dist", "Timestamp": at, "Values": values[i:i + 150]} for i in range(0, 1000, 150)
    ] + [
        # Weighted: 99 samples of 7 and one of 1000.
        {"MetricName": "Weighted", "Timestamp": at, "Values": [7.0, 1000.0], "Counts": [99.0, 1.0]},
        # A statistic set with SampleCount > 1 and Minimum != Maximum has no
        # raw values: CloudWatch has no percentiles for that period.
        {"MetricName": "Mixed", "Timestamp": at, "Value": 3.0},
        {"MetricName": "Mixed", "Timestamp": at,
         "StatisticValues": {"SampleCount": 3, "Sum": 30.0, "Minimum": 5.0, "Maximum": 15.0}},
    ])
    ext = ["p50", "p90", "p99"]
    dist = cw_sup.wait_statistics(cw, ns, "Dist", base, base + 60, ExtendedStatistics=ext,
                                  ok=lambda p: len(p) == 1 and "p99" in p[0].get("ExtendedStatistics", {}))
    got = dist[0]["ExtendedStatistics"]
    for name, p in (("p50", 50), ("p90", 90), ("p99", 99)):
        assert cw_sup.close_to(got[name], cw_sup.nearest_rank(values, p)), (name, got)
    weighted = cw_sup.wait_statistics(cw, ns, "Weighted", base, base + 60, ExtendedStatistics=["p50", "p99", "p100"],
                                      ok=lambda p: len(p) == 1)
    got = weighted[0]["ExtendedStatistics"]
    assert cw_sup.close_to(got["p50"], 7.0) and cw_sup.close_to(got["p99"], 7.0), got
    assert got["p100"] == 1000.0, got
    mixed = cw_sup.wait_statistics(cw, ns, "Mixed", base, base + 60, ExtendedStatistics=["p50"],
                                   ok=lambda p: len(p) == 1)
    assert "p50" not in mixed[0].get("ExtendedStatistics", {}), mixed


# ---------------------------------------------------------------------------
# GetMetricData


def metric_stat(qid, ns, name, stat="Sum", label=None, return_data=True, period=60):
    q = {"Id": qid, "MetricStat": {"Metric": {"Namespace": ns, "MetricName": name}, "Period": period, "Stat": stat},
         "ReturnData": return_data}
    if label:
        q["Label"] = label
    return q


def test_get_metric_data_metric_stats_and_math(cw):
    ns, base = namespace(), cw_sup.minute_base(10)
    data = []
    for k in range(5):
        data.append({"MetricName": "A", "Timestamp": utc(base + 60 * k + 1), "Value": float(k + 1)})
        data.append({"MetricName": "B", "Timestamp": utc(base + 60 * k + 1), "Value": 10.0 * (k + 1)})
        if k % 2 == 0:
            data.append({"MetricName": "C", "Timestamp": utc(base + 60 * k + 1), "Value": 100.0})
    cw.put_metric_data(Namespace=ns, MetricData=data)
    queries = [
        metric_stat("m1", ns, "A", label="first"),
        metric_stat("m2", ns, "B", return_data=False),
        metric_stat("m3", ns, "C"),
        {"Id": "e1", "Expression": "m1 + m2", "Label": "total"},
        {"Id": "e2", "Expression": "m1 * 2"},
        {"Id": "e3", "Expression": "SUM(METRICS())"},
        {"Id": "e4", "Expression": "RATE(m1)"},
        {"Id": "e5", "Expression": "FILL(m3, 0)"},
        {"Id": "e6", "Expression": "METRICS()", "Label": "all"},
    ]
    ts = [base + 60 * k for k in range(5)]

    def fetch(scan_by):
        out = cw.get_metric_data(MetricDataQueries=queries, StartTime=utc(base), EndTime=utc(base + 300),
                                 ScanBy=scan_by)
        return out["MetricDataResults"]

    def complete(results):
        m1 = [r for r in results if r["Id"] == "m1"]
        return m1 and len(m1[0]["Values"]) == 5 and [r for r in results if r["Id"] == "m3"][0]["Values"] != []

    cw_sup.wait_for(lambda: fetch("TimestampAscending"), complete, what="GetMetricData")
    for scan_by in ("TimestampAscending", "TimestampDescending"):
        results = fetch(scan_by)
        order = ts if scan_by == "TimestampAscending" else ts[::-1]
        got = {}
        for r in results:
            assert r["StatusCode"] == "Complete", r
            stamps = [cw_sup.epoch(t) for t in r["Timestamps"]]
            assert stamps == sorted(stamps, reverse=scan_by == "TimestampDescending"), (scan_by, r)
            got.setdefault(r["Id"], []).append((r["Label"], dict(zip(stamps, r["Values"]))))
        # ReturnData false: m2 is used but not returned.
        assert sorted(got) == ["e1", "e2", "e3", "e4", "e5", "e6", "m1", "m3"], got
        assert got["m1"] == [("first", {t: float(k + 1) for k, t in enumerate(ts)})]
        # A MetricStat query without Label is labelled with the metric's name.
        assert got["m3"] == [("C", {ts[0]: 100.0, ts[2]: 100.0, ts[4]: 100.0})]
        assert got["e1"] == [("total", {t: 11.0 * (k + 1) for k, t in enumerate(ts)})]
        assert got["e2"][0][1] == {t: 2.0 * (k + 1) for k, t in enumerate(ts)}
        # SUM of the array per timestamp; a missing value counts as 0.
        assert got["e3"][0][1] == {t: 11.0 * (k + 1) + (100.0 if k % 2 == 0 else 0.0) for k, t in enumerate(ts)}
        # RATE: change per second; the first point has none.
        assert got["e4"][0][1] == pytest.approx({t: 1.0 / 60 for t in ts[1:]})
        assert got["e5"][0][1] == {t: (100.0 if k % 2 == 0 else 0.0) for k, t in enumerate(ts)}
        # An array result: one result per series, "<expression label> <metric label>".
        assert sorted(label for label, _ in got["e6"]) == ["all B", "all C", "all first"], got["e6"]
        # The order of points inside each result follows ScanBy.
        m1 = [r for r in results if r["Id"] == "m1"][0]
        assert [cw_sup.epoch(t) for t in m1["Timestamps"]] == order


def test_get_metric_data_max_datapoints_marks_partial(cw):
    ns, base = namespace(), cw_sup.minute_base(10)
    cw.put_metric_data(Namespace=ns, MetricData=[
        {"MetricName": "A", "Timestamp": utc(base + 60 * k), "Value": 1.0} for k in range(4)])
    q = [metric_stat("m1", ns, "A", stat="SampleCount")]
    full = cw_sup.wait_for(
        lambda: cw.get_metric_data(MetricDataQueries=q, StartTime=utc(base), EndTime=utc(base + 240))
        ["MetricDataResults"][0], lambda r: len(r["Values"]) == 4, what="GetMetricData")
    assert full["StatusCode"] == "Complete" and full["Values"] == [1.0] * 4
    # Default ScanBy is TimestampDescending.
    assert [cw_sup.epoch(t) for t in full["Timestamps"]] == [base + 180, base + 120, base + 60, base]
    cut = cw.get_metric_data(MetricDataQueries=q, StartTime=utc(base), EndTime=utc(base + 240),
                             MaxDatapoints=2)["MetricDataResults"][0]
    assert cut["StatusCode"] == "PartialData" and len(cut["Values"]) == 2, cut


def test_get_metric_data_pages_with_next_token(cw):
    """A result cut at MaxDatapoints comes with a NextToken; the same request
    with it continues, and boto3's paginator walks every page."""
    ns, base = namespace(), cw_sup.minute_base(10)
    cw.put_metric_data(Namespace=ns, MetricData=[
        {"MetricName": "A", "Timestamp": utc(base + 60 * k), "Value": float(k)} for k in range(5)]
        + [{"MetricName": "B", "Timestamp": utc(base + 60 * k), "Value": 10.0 + k} for k in range(3)])
    q = [metric_stat("a", ns, "A", stat="Sum"), metric_stat("b", ns, "B", stat="Sum")]
    window = dict(StartTime=utc(base), EndTime=utc(base + 300), ScanBy="TimestampAscending")
    cw_sup.wait_for(lambda: cw.get_metric_data(MetricDataQueries=q, **window)["MetricDataResults"],
                    lambda rs: sum(len(r["Values"]) for r in rs) == 8, what="GetMetricData")
    first = cw.get_metric_data(MetricDataQueries=q, MaxDatapoints=3, **window)
    assert [(r["Id"], r["Values"], r["StatusCode"]) for r in first["MetricDataResults"]] == \
        [("a", [0.0, 1.0, 2.0], "PartialData"), ("b", [], "PartialData")], first["MetricDataResults"]
    second = cw.get_metric_data(MetricDataQueries=q, MaxDatapoints=3, NextToken=first["NextToken"], **window)
    assert [(r["Id"], r["Values"], r["StatusCode"]) for r in second["MetricDataResults"]] == \
        [("a", [3.0, 4.0], "Complete"), ("b", [10.0], "PartialData")]
    pages = list(cw.get_paginator("get_metric_data").paginate(MetricDataQueries=q, MaxDatapoints=3, **window))
    assert len(pages) == 3 and "NextToken" not in pages[-1]
    values = {}
    for page in pages:
        for r in page["MetricDataResults"]:
            values.setdefault(r["Id"], []).extend(r["Values"])
    assert values == {"a": [0.0, 1.0, 2.0, 3.0, 4.0], "b": [10.0, 11.0, 12.0]}
    # A token is bound to its request.
    with pytest.raises(ClientError) as e:
        cw.get_metric_data(MetricDataQueries=q, MaxDatapoints=2, NextToken=first["NextToken"], **window)
    assert e.value.response["Error"]["Code"] == "InvalidNextToken"


def test_get_metric_data_dynamic_labels(cw):
    """CloudWatch's "Use dynamic labels": ${PROP('Dim.<name>')} is the
    dimension's value, ${PROP('MetricName')} the metric's name."""
    ns, base = namespace(), cw_sup.minute_base(10)
    cw.put_metric_data(Namespace=ns, MetricData=[
        {"MetricName": "A", "Dimensions": dims(Host="h1"), "Timestamp": utc(base + 1), "Value": 1.0}])
    q = [{"Id": "m1", "Label": "${PROP('MetricName')} on ${PROP('Dim.Host')}",
          "MetricStat": {"Metric": {"Namespace": ns, "MetricName": "A", "Dimensions": dims(Host="h1")},
                         "Period": 60, "Stat": "Sum"}}]
    r = cw_sup.wait_for(lambda: cw.get_metric_data(MetricDataQueries=q, StartTime=utc(base), EndTime=utc(base + 60))
                        ["MetricDataResults"][0], lambda r: r["Values"] == [1.0], what="GetMetricData")
    assert r["Label"] == "A on h1"


def test_get_metric_data_answers_more_than_1440_points(cw):
    """GetMetricData's limit is 100,800 datapoints a call (its API reference);
    the 1,440 limit is GetMetricStatistics'. Two days at 60 s: 2,880 periods."""
    ns, end = namespace(), cw_sup.minute_base(0)
    start = end - 2 * 86400
    cw.put_metric_data(Namespace=ns, MetricData=[
        {"MetricName": "A", "Timestamp": utc(end - 60 * k - 30), "Value": 1.0} for k in (1, 2000)])
    q = [metric_stat("m1", ns, "A")]
    r = cw_sup.wait_for(lambda: cw.get_metric_data(MetricDataQueries=q, StartTime=utc(start), EndTime=utc(end))
                        ["MetricDataResults"][0], lambda r: len(r["Values"]) == 2, what="GetMetricData")
    assert r["StatusCode"] == "Complete"


# ---------------------------------------------------------------------------
# ListMetrics


def listed(c, **kw) -> list[tuple]:
    """Every metric ListMetrics answers (all pages), as comparable tuples."""
    out, token = [], None
    while True:
        page = c.list_metrics(**kw, **({"NextToken": token} if token else {}))
        out += [(m["Namespace"], m["MetricName"], tuple(sorted((d["Name"], d["Value"]) for d in m["Dimensions"])))
                for m in page["Metrics"]]
        token = page.get("NextToken")
        if not token:
            return sorted(out)


def test_list_metrics_filters(cw):
    ns, other = namespace(), namespace()
    cw.put_metric_data(Namespace=ns, MetricData=[
        {"MetricName": "A", "Dimensions": dims(Host="h1"), "Value": 1.0},
        {"MetricName": "A", "Dimensions": dims(Host="h2"), "Value": 1.0},
        {"MetricName": "A", "Dimensions": dims(Host="h1", Az="x"), "Value": 1.0},
        {"MetricName": "A", "Dimensions": dims(Az="x", Host="h1"), "Value": 2.0, "Unit": "Count"},  # same metric
        {"MetricName": "B", "Dimensions": dims(Host="h1"), "Value": 1.0},
        {"MetricName": "C", "Value": 1.0},
    ])
    cw.put_metric_data(Namespace=other, MetricData=[{"MetricName": "A", "Dimensions": dims(Host="h1"), "Value": 1.0}])
    everything = cw_sup.wait_for(lambda: listed(cw, Namespace=ns), lambda v: len(v) == 5, what="ListMetrics")
    assert everything == sorted([
        (ns, "A", (("Host", "h1"),)), (ns, "A", (("Host", "h2"),)), (ns, "A", (("Az", "x"), ("Host", "h1"))),
        (ns, "B", (("Host", "h1"),)), (ns, "C", ())])
    assert [m[2] for m in listed(cw, Namespace=ns, MetricName="A")] == \
        sorted([(("Host", "h1"),), (("Host", "h2"),), (("Az", "x"), ("Host", "h1"))])
    # A dimension filter without Value: every metric that has the dimension.
    assert len(listed(cw, Namespace=ns, Dimensions=[{"Name": "Host"}])) == 4
    assert len(listed(cw, Namespace=ns, Dimensions=[{"Name": "Host", "Value": "h1"}])) == 3
    assert listed(cw, Namespace=ns, Dimensions=[{"Name": "Az"}]) == [(ns, "A", (("Az", "x"), ("Host", "h1")))]
    assert len(listed(cw, Namespace=ns, Dimensions=[{"Name": "Host", "Value": "h1"}, {"Name": "Az"}])) == 1
    assert listed(cw, Namespace=ns, Dimensions=[{"Name": "Nope"}]) == []
    assert listed(cw, Namespace=ns, MetricName="Nope") == []
    assert len(listed(cw, Namespace=ns, RecentlyActive="PT3H")) == 5
    # Without a namespace: this test's metrics in both namespaces are among them (the other
    # namespace's put is waited for too: ListMetrics sees a put a moment after it is answered).
    mine = cw_sup.wait_for(
        lambda: [m for m in listed(cw, MetricName="A", Dimensions=[{"Name": "Host", "Value": "h1"}])
                 if m[0] in (ns, other)],
        lambda v: len(v) == 3, what="ListMetrics without a namespace")
    assert mine == sorted([(ns, "A", (("Host", "h1"),)), (ns, "A", (("Az", "x"), ("Host", "h1"))),
                           (other, "A", (("Host", "h1"),))]), mine


def test_list_metrics_pages_of_500(cw):
    ns = namespace()
    n = 523
    for start in range(0, n, 250):
        cw.put_metric_data(Namespace=ns, MetricData=[
            {"MetricName": f"M{i:04d}", "Dimensions": dims(Shard=str(i % 7)), "Value": 1.0}
            for i in range(start, min(n, start + 250))])

    def pages():
        out, token, sizes = [], None, []
        while True:
            page = cw.list_metrics(Namespace=ns, **({"NextToken": token} if token else {}))
            sizes.append(len(page["Metrics"]))
            out += [m["MetricName"] for m in page["Metrics"]]
            token = page.get("NextToken")
            if not token:
                return out, sizes

    names, sizes = cw_sup.wait_for(pages, lambda v: len(v[0]) == n, what="ListMetrics pages")
    # AWS: "Up to 500 results are returned for any one call."
    assert sizes == [500, n - 500], sizes
    assert sorted(names) == [f"M{i:04d}" for i in range(n)]
    # botocore's paginator (NextToken in, NextToken out) sees the same.
    paged = [m["MetricName"] for page in cw.get_paginator("list_metrics").paginate(Namespace=ns)
             for m in page["Metrics"]]
    assert sorted(paged) == sorted(names)


# ---------------------------------------------------------------------------
# A body botocore compresses


def test_large_put_metric_data_is_gzipped_and_counted_exactly(clients, server):
    for protocol in PROTOCOLS:
        c, log = clients(protocol)
        ns, base = namespace(), cw_sup.minute_base(10)
        assert c.meta.config.request_min_compression_size_bytes == 10240
        data = [{"MetricName": "Big", "Dimensions": dims(Part=str(i % 3)), "Timestamp": utc(base + 2),
                 "Values": [float(v) for v in range(1, 151)]} for i in range(30)]
        c.put_metric_data(Namespace=ns, MetricData=data)
        put = log.requests[-1]
        assert put["headers"].get("content-encoding") == "gzip", (protocol, put["headers"])
        assert put["body"][:2] == b"\x1f\x8b", protocol
        check_wire(protocol, log, server.url)
        for part in range(3):
            points = cw_sup.wait_statistics(c, ns, "Big", base, base + 60, dims=dims(Part=str(part)),
                                            ok=lambda p: len(p) == 1 and p[0]["SampleCount"] == 1500)
            assert points[0]["Sum"] == 10 * sum(range(1, 151)), (protocol, points)
            assert points[0]["Minimum"] == 1.0 and points[0]["Maximum"] == 150.0


# ---------------------------------------------------------------------------
# Errors, as botocore reports them


def error(excinfo) -> tuple[str, int, str]:
    resp = excinfo.value.response
    return resp["Error"]["Code"], resp["ResponseMetadata"]["HTTPStatusCode"], resp["Error"].get("Message", "")


def datum(**kw):
    return {"MetricName": "X", **kw}


PUT_ERRORS = [
    ("aws-namespace", {"Namespace": "AWS/EC2", "MetricData": [datum(Value=1.0)]}, "InvalidParameterValue"),
    ("value-and-statistics", {"MetricData": [datum(Value=1.0, StatisticValues={
        "SampleCount": 1, "Sum": 1.0, "Minimum": 1.0, "Maximum": 1.0})]}, "InvalidParameterCombination"),
    ("values-and-value", {"MetricData": [datum(Value=1.0, Values=[1.0])]}, "InvalidParameterCombination"),
    ("no-value", {"MetricData": [datum()]}, "MissingParameter"),
    ("counts-without-values", {"MetricData": [datum(Value=1.0, Counts=[1.0])]}, "InvalidParameterCombination"),
    ("counts-size", {"MetricData": [datum(Values=[1.0, 2.0], Counts=[1.0])]}, "InvalidParameterValue"),
    ("151-values", {"MetricData": [datum(Values=[1.0] * 151)]}, "InvalidParameterValue"),
    ("sample-count-0", {"MetricData": [datum(StatisticValues={
        "SampleCount": 0, "Sum": 0.0, "Minimum": 0.0, "Maximum": 0.0})]}, "InvalidParameterValue"),
    ("storage-resolution-5", {"MetricData": [datum(Value=1.0, StorageResolution=5)]}, "InvalidParameterValue"),
    ("three-weeks-ago", {"MetricData": [datum(Value=1.0, Timestamp="PAST")]}, "InvalidParameterValue"),
    ("three-hours-ahead", {"MetricData": [datum(Value=1.0, Timestamp="FUTURE")]}, "InvalidParameterValue"),
    ("duplicate-dimension", {"MetricData": [datum(Value=1.0, Dimensions=[
        {"Name": "A", "Value": "1"}, {"Name": "A", "Value": "2"}])]}, "InvalidParameterValue"),
    ("empty-metric-data", {"MetricData": []}, "MissingParameter"),
    # PutMetricData's documentation: "Values must be in the range of -2^360 to
    # 2^360"; "no more than 1000 different metrics" a request.
    ("value-2^361", {"MetricData": [datum(Value=2.0 ** 361)]}, "InvalidParameterValue"),
    ("values-minus-2^361", {"MetricData": [datum(Values=[1.0, -(2.0 ** 361)])]}, "InvalidParameterValue"),
    ("statistic-sum-2^361", {"MetricData": [datum(StatisticValues={
        "SampleCount": 2, "Sum": 2.0 ** 361, "Minimum": 1.0, "Maximum": 2.0})]}, "InvalidParameterValue"),
    ("1001-metrics", {"MetricData": [{"MetricName": f"M{i}", "Value": 1.0} for i in range(1000)]},
     "InvalidParameterValue"),
]


def put_error_args(ns: str, case: str, args: dict) -> dict:
    """The case's request, with a good datum first (unless the case is about
    the namespace or an empty list): a refused request must store none of it."""
    import copy
    args = {"Namespace": ns, **copy.deepcopy(args)}
    for d in args["MetricData"]:
        if d.get("Timestamp") == "PAST":
            d["Timestamp"] = utc(cw_sup.now_s() - 21 * 86400)
        elif d.get("Timestamp") == "FUTURE":
            d["Timestamp"] = utc(cw_sup.now_s() + 3 * 3600)
    if case not in ("aws-namespace", "empty-metric-data"):
        args["MetricData"] = [{"MetricName": "Good", "Value": 5.0}] + args["MetricData"]
    return args


@pytest.mark.parametrize("case,args,code", PUT_ERRORS, ids=[c[0] for c in PUT_ERRORS])
def test_put_metric_data_errors(cw_raw, case, args, code):
    with pytest.raises(ClientError) as e:
        cw_raw.put_metric_data(**put_error_args(namespace(), case, args))
    got_code, status, message = error(e)
    assert (got_code, status) == (code, 400), (got_code, status, message)
    assert message


@pytest.mark.parametrize("protocol", ["smithy-rpc-v2-cbor", "query"])
def test_non_finite_values_are_refused(clients, server, protocol):
    """NaN and ±Infinity (which CBOR and Query's text, unlike JSON, can carry):
    PutMetricData's documentation says "special values (for example, NaN,
    +Infinity, -Infinity) are not supported"."""
    c, log = clients(protocol, validate=False)
    ns = namespace()
    for bad in (float("nan"), float("inf"), float("-inf")):
        for d in (datum(Value=bad), datum(Values=[1.0, bad]), datum(Values=[1.0], Counts=[bad]),
                  datum(StatisticValues={"SampleCount": 1, "Sum": bad, "Minimum": 1.0, "Maximum": 1.0})):
            with pytest.raises(ClientError) as e:
                c.put_metric_data(Namespace=ns, MetricData=[{"MetricName": "Good", "Value": 1.0}, d])
            assert error(e)[:2] == ("InvalidParameterValue", 400), (d, error(e))
    c.put_metric_data(Namespace=ns, MetricData=[{"MetricName": "Marker", "Value": 1.0}])
    assert cw_sup.wait_for(lambda: listed(c, Namespace=ns), lambda v: len(v) >= 1,
                           what="ListMetrics") == [(ns, "Marker", ())]
    check_wire(protocol, log, server.url)


def test_the_largest_allowed_request_is_taken(cw):
    ns, base = namespace(), cw_sup.minute_base(10)
    cw.put_metric_data(Namespace=ns, MetricData=[
        {"MetricName": f"M{i % 10}", "Timestamp": utc(base + 1), "Value": 2.0 ** 360 if i == 0 else 1.0}
        for i in range(1000)])
    points = cw_sup.wait_statistics(cw, ns, "M1", base, base + 60, ok=lambda p: len(p) == 1)
    assert points[0]["SampleCount"] == 100
    points = cw_sup.wait_statistics(cw, ns, "M0", base, base + 60, ok=lambda p: len(p) == 1)
    assert points[0]["Maximum"] == 2.0 ** 360 and points[0]["SampleCount"] == 100


def test_a_refused_put_stores_none_of_its_data(cw_raw):
    ns = namespace()
    for case, args, _ in PUT_ERRORS[1:]:
        with pytest.raises(ClientError):
            cw_raw.put_metric_data(**put_error_args(ns, case, args))
    # A put after them: once it is visible, a flush after the refused ones has happened.
    cw_raw.put_metric_data(Namespace=ns, MetricData=[{"MetricName": "Marker", "Value": 1.0}])
    assert cw_sup.wait_for(lambda: listed(cw_raw, Namespace=ns), lambda v: len(v) >= 1,
                           what="ListMetrics") == [(ns, "Marker", ())]


STAT_ERRORS = [
    ("no-statistics", {}, "InvalidParameterCombination"),
    ("both-statistics", {"Statistics": ["Sum"], "ExtendedStatistics": ["p50"]}, "InvalidParameterCombination"),
    ("bad-extended", {"ExtendedStatistics": ["Sum"]}, "InvalidParameterValue"),
    ("p101", {"ExtendedStatistics": ["p101"]}, "InvalidParameterValue"),
    ("period-61", {"Statistics": ["Sum"], "Period": 61}, "InvalidParameterValue"),
    ("start-after-end", {"Statistics": ["Sum"], "Swap": True}, "InvalidParameterValue"),
    ("over-1440-points", {"Statistics": ["Sum"], "Span": 2 * 86400}, "InvalidParameterCombination"),
]


@pytest.mark.parametrize("case,args,code", STAT_ERRORS, ids=[c[0] for c in STAT_ERRORS])
def test_get_metric_statistics_errors(cw_raw, case, args, code):
    args = dict(args)
    end = cw_sup.minute_base(0)
    start = end - args.pop("Span", 3600)
    if args.pop("Swap", False):
        start, end = end, start
    with pytest.raises(ClientError) as e:
        cw_raw.get_metric_statistics(Namespace="E2E", MetricName="X", StartTime=utc(start), EndTime=utc(end),
                                     **{"Period": 60, **args})
    got_code, status, message = error(e)
    assert (got_code, status) == (code, 400), (got_code, status, message)


def test_get_metric_data_errors(cw_raw):
    start, end = utc(cw_sup.minute_base(60)), utc(cw_sup.minute_base(0))
    stat = {"Metric": {"Namespace": "E2E", "MetricName": "X"}, "Period": 60, "Stat": "Sum"}
    cases = [
        ([{"Id": "m1", "MetricStat": stat, "Expression": "m1"}], "ValidationError"),
        ([{"Id": "m1"}], "ValidationError"),
        ([{"Id": "m1", "MetricStat": stat}, {"Id": "e1", "Expression": "m1 +"}], "ValidationError"),
        ([{"Id": "e1", "Expression": "m9 * 2"}], "ValidationError"),
        ([{"Id": "m1", "MetricStat": {**stat, "Stat": "Bogus"}}], "ValidationError"),
        ([{"Id": "m1", "MetricStat": stat}, {"Id": "m1", "Expression": "m1"}], "ValidationError"),
        ([{"Id": f"m{i}", "MetricStat": stat} for i in range(501)], "ValidationError"),
        ([], "MissingParameter"),
        ([{"Id": "m1", "MetricStat": {**stat, "Period": 61}}], "InvalidParameterValue"),
    ]
    for queries, code in cases:
        with pytest.raises(ClientError) as e:
            cw_raw.get_metric_data(MetricDataQueries=queries, StartTime=start, EndTime=end)
        got_code, status, message = error(e)
        assert (got_code, status) == (code, 400), (queries[:2], got_code, status, message)


def test_list_metrics_bad_token(cw_raw):
    with pytest.raises(ClientError) as e:
        cw_raw.list_metrics(Namespace="E2E", NextToken="not-a-token")
    assert error(e)[:2] == ("InvalidParameterValue", 400)


def test_unserved_operation_is_refused_not_crashed(cw_raw):
    with pytest.raises(ClientError) as e:
        cw_raw.describe_alarms()
    code, status, _ = error(e)
    assert status == 400 and code == "InvalidAction"


def test_names_and_values_with_reserved_and_unicode_characters_round_trip(cw):
    """Form encoding (Query), JSON escapes and CBOR text strings all carry
    these byte for byte."""
    ns = namespace("E2E/ünï côdé")
    name = "Lat ency&x=1+2%20/ü"
    odd = {"Host": "a&b=c+d e%41", "Пуск": "日本語 \"quoted\" <tag>", "Empty-ish": " "}
    base = cw_sup.minute_base(10)
    cw.put_metric_data(Namespace=ns, MetricData=[
        {"MetricName": name, "Dimensions": dims(**odd), "Timestamp": utc(base + 1), "Value": 3.0}])
    got = cw_sup.wait_for(lambda: listed(cw, Namespace=ns), lambda v: len(v) == 1, what="ListMetrics")
    assert got == [(ns, name, tuple(sorted(odd.items())))]
    points = cw_sup.statistics(cw, ns, name, base, base + 60, dims=dims(**odd))
    assert [(p["Sum"], p["SampleCount"]) for p in points] == [(3.0, 1.0)]
    assert listed(cw, Namespace=ns, Dimensions=[{"Name": "Пуск", "Value": odd["Пуск"]}]) == got


def test_concurrent_puts_are_each_counted_once(clients):
    """8 clients put into one metric at once (and flushes run meanwhile):
    every value is counted exactly once."""
    import threading
    ns, base = namespace(), cw_sup.minute_base(10)
    errors = []

    def produce(t):
        try:
            c = cw_sup.client(clients("json")[0].meta.endpoint_url)
            for i in range(40):
                c.put_metric_data(Namespace=ns, MetricData=[
                    {"MetricName": "N", "Timestamp": utc(base + 3), "Value": float(t * 1000 + i)},
                    {"MetricName": "N", "Timestamp": utc(base + 3), "Values": [1.0, 2.0], "Counts": [2.0, 1.0]}])
        except Exception as e:  # noqa: BLE001 - reported below
            errors.append(e)

    threads = [threading.Thread(target=produce, args=(t,)) for t in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors, errors
    expected_sum = sum(t * 1000 + i for t in range(8) for i in range(40)) + 8 * 40 * 4.0
    points = cw_sup.wait_statistics(clients("json")[0], ns, "N", base, base + 60,
                                    ok=lambda p: len(p) == 1 and p[0]["SampleCount"] >= 8 * 40 * 4)
    assert points[0]["SampleCount"] == 8 * 40 * 4 and points[0]["Sum"] == expected_sum, points
    assert points[0]["Minimum"] == 0.0 and points[0]["Maximum"] == 7039.0
