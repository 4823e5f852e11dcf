"""Helpers for the CloudWatch end-to-end tests (test_cloudwatch_*.py).

boto3 CloudWatch clients (AWS JSON 1.0 as botocore picks it, or forced to
Smithy RPC v2 CBOR through a model copy), minute-aligned timestamps so a test's
data falls into known periods, and polling: the server makes put metrics
durable and queryable at its next flush (`--metrics-flush-ms`, 1 s by default,
docs/metrics-store.md), so a test asks until the exact expected answer comes
back, and fails with the last answer if it never does.
"""
from __future__ import annotations

import datetime as _dt
import gzip
import json
import os
import time

import boto3
import botocore
import botocore.session
from botocore.config import Config

import e2e_support as sup

# How long a test waits for put data to become queryable. Flushes happen every
# second on the shared server; this covers a slow, loaded 2-core machine.
VISIBLE_WITHIN = 10.0


def config(validate: bool = True, **extra) -> Config:
    return Config(region_name=sup.REGION, retries={"total_max_attempts": 1, "mode": "standard"},
                  connect_timeout=5, read_timeout=30, parameter_validation=validate, **extra)


def client(url: str | None = None, validate: bool = True, session=None, **extra):
    """A CloudWatch client for the server under test. botocore 1.43 resolves
    CloudWatch's protocols ["smithy-rpc-v2-cbor", "json", "query"] by its own
    priority to AWS JSON 1.0 (X-Amz-Target: GraniteServiceVersion20100801.*)."""
    make = (session or boto3.session.Session()).client
    return make("cloudwatch", endpoint_url=url or sup.endpoint(), region_name=sup.REGION,
                aws_access_key_id="AKIDEXAMPLE", aws_secret_access_key="dummy-secret",
                config=config(validate, **extra))


def botocore_cloudwatch_model() -> dict:
    path = os.path.join(os.path.dirname(botocore.__file__), "data", "cloudwatch", "2010-08-01",
                        "service-2.json.gz")
    with gzip.open(path) as f:
        return json.load(f)


def write_model_with_protocol(data_dir: str, protocol: str) -> str:
    """Writes botocore's CloudWatch model with only `protocol` into
    data_dir/cloudwatch/2010-08-01/ (a botocore data path, as AWS_DATA_PATH
    names one) and returns data_dir."""
    model = botocore_cloudwatch_model()
    model["metadata"]["protocol"] = protocol
    model["metadata"]["protocols"] = [protocol]
    target = os.path.join(data_dir, "cloudwatch", "2010-08-01")
    os.makedirs(target, exist_ok=True)
    with open(os.path.join(target, "service-2.json"), "w") as f:
        json.dump(model, f)
    return data_dir


def client_with_protocol(data_dir: str, protocol: str, url: str | None = None, validate: bool = True):
    """A client whose botocore session loads the model from data_dir first
    (what AWS_DATA_PATH does), with `protocols` reduced to [protocol]."""
    write_model_with_protocol(data_dir, protocol)
    core = botocore.session.Session()
    core.get_component("data_loader").search_paths.insert(0, data_dir)
    session = boto3.session.Session(botocore_session=core)
    c = client(url, validate, session=session)
    assert c.meta.service_model.resolved_protocol == protocol, c.meta.service_model.resolved_protocol
    return c


class WireLog:
    """Records what botocore puts on the wire (its before-send event: the
    final, signed request: url, headers, body) and the headers of each answer
    (its needs-retry event, which sees every HTTP response)."""

    def __init__(self, c):
        self.requests: list[dict] = []
        self.responses: list[dict] = []
        c.meta.events.register("before-send.cloudwatch.*", self._record)
        c.meta.events.register("needs-retry.cloudwatch.*", self._record_response)

    def clear(self) -> None:
        self.requests.clear()
        self.responses.clear()

    def _record_response(self, response=None, **kwargs):
        if response is not None:
            http = response[0]
            self.responses.append({"status": http.status_code,
                                   "headers": {k.lower(): v for k, v in http.headers.items()}})
        return None

    def _record(self, request, **kwargs):
        body = request.body
        if hasattr(body, "read"):
            body = None
        headers = {k.lower(): (v.decode() if isinstance(v, bytes) else v) for k, v in request.headers.items()}
        self.requests.append({"url": request.url, "headers": headers,
                              "body": body})


# ---------------------------------------------------------------------------
# Time


def now_s() -> int:
    return int(time.time())


def minute_base(minutes_ago: int = 10) -> int:
    """Unix seconds of a whole minute `minutes_ago` minutes back: data put
    there falls into one known 60-second period."""
    return (now_s() // 60 - minutes_ago) * 60


def utc(seconds: float) -> _dt.datetime:
    return _dt.datetime.fromtimestamp(seconds, tz=_dt.timezone.utc)


def epoch(ts) -> int:
    return int(ts.timestamp()) if isinstance(ts, _dt.datetime) else int(ts)


# ---------------------------------------------------------------------------
# Polling


def wait_for(fetch, ok, timeout: float = VISIBLE_WITHIN, interval: float = 0.1, what: str = "answer"):
    """Calls fetch() until ok(value) holds; returns that value. Fails with the
    last value after timeout seconds."""
    deadline = time.monotonic() + timeout
    while True:
        value = fetch()
        if ok(value):
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"{what} not as expected after {timeout}s; last: {value!r}")
        time.sleep(interval)


def statistics(c, ns: str, name: str, start: int, end: int, period: int = 60, dims=None,
               stats=("SampleCount", "Sum", "Average", "Minimum", "Maximum"), **kw) -> list[dict]:
    """GetMetricStatistics' datapoints, sorted by timestamp (AWS answers them in
    no particular order)."""
    args = dict(Namespace=ns, MetricName=name, StartTime=utc(start), EndTime=utc(end), Period=period, **kw)
    if dims is not None:
        args["Dimensions"] = dims
    if "ExtendedStatistics" not in kw:
        args["Statistics"] = list(stats)
    out = c.get_metric_statistics(**args)
    return sorted(out["Datapoints"], key=lambda d: (d["Timestamp"], d.get("Unit", "")))


def wait_statistics(c, ns, name, start, end, ok, **kw) -> list[dict]:
    return wait_for(lambda: statistics(c, ns, name, start, end, **kw), ok,
                    what=f"GetMetricStatistics {ns}/{name}")


def total(points: list[dict], stat: str = "Sum") -> float:
    return sum(p[stat] for p in points)


def dims(**kv) -> list[dict]:
    return [{"Name": k, "Value": v} for k, v in kv.items()]


def nearest_rank(sorted_values: list[float], p: float) -> float:
    """CloudWatch's percentile: the value of rank ceil(p/100 * n)."""
    import math
    rank = max(1, math.ceil(p / 100 * len(sorted_values)))
    return sorted_values[rank - 1]


# CloudWatch approximates percentiles; runnel's histogram answers within 0.8 %
# of the exact nearest-rank value (docs/metrics-store.md §1). We allow 1 %.
PERCENTILE_TOLERANCE = 0.01


def close_to(actual: float, expected: float, rel: float = PERCENTILE_TOLERANCE) -> bool:
    return abs(actual - expected) <= rel * abs(expected)


# ---------------------------------------------------------------------------
# Kinesis's own metrics (AWS/Kinesis, StreamName): a workload of known counts


class KinesisWorkload:
    """n_put PutRecord calls and m_puts PutRecords calls of k records each into
    a one-shard stream, then every record read back with GetRecords. The
    expected AWS/Kinesis values (AWS's Kinesis Data Streams metrics page, and
    docs/kinesis-metrics.md for what one sample is): IncomingRecords and
    IncomingBytes count both operations' records and bytes (data + partition
    key, as the write limit counts them); PutRecords.TotalRecords and
    .SuccessfulRecords the entries of the PutRecords calls; GetRecords.Records
    the records GetRecords returned."""

    def __init__(self, n_put: int = 7, m_puts: int = 3, k: int = 25):
        self.n_put, self.m_puts, self.k = n_put, m_puts, k
        keys = [f"pk{i}" for i in range(n_put)] + [f"pk{j}-{r}" for j in range(m_puts) for r in range(k)]
        self.records_list = [(key, (i * 37) % 300 + 1) for i, key in enumerate(keys)]

    @property
    def records(self) -> int:
        return len(self.records_list)

    @property
    def incoming_bytes(self) -> int:
        return sum(len(key.encode()) + size for key, size in self.records_list)

    def expected(self) -> dict[str, float]:
        return {
            "IncomingRecords": float(self.records),
            "IncomingBytes": float(self.incoming_bytes),
            "PutRecords.TotalRecords": float(self.m_puts * self.k),
            "PutRecords.SuccessfulRecords": float(self.m_puts * self.k),
            "GetRecords.Records": float(self.records),
        }

    def run(self, kinesis, stream: str) -> None:
        for key, size in self.records_list[:self.n_put]:
            kinesis.put_record(StreamName=stream, PartitionKey=key, Data=b"x" * size)
        for j in range(self.m_puts):
            batch = self.records_list[self.n_put + j * self.k:self.n_put + (j + 1) * self.k]
            out = kinesis.put_records(StreamName=stream, Records=[{"PartitionKey": key, "Data": b"y" * size}
                                                                  for key, size in batch])
            # A throttled entry would change the expected counts: none may be.
            assert out.get("FailedRecordCount", 0) == 0, out
        shard = kinesis.list_shards(StreamName=stream)["Shards"][0]["ShardId"]
        got = sup.read_shard(kinesis, stream, shard)
        assert len(got) == self.records, len(got)


def kinesis_sums(c, stream: str, start: int, end: int, names) -> dict[str, float]:
    """Sum of each AWS/Kinesis metric over [start, end) for StreamName=stream."""
    out = {}
    for name in names:
        points = statistics(c, "AWS/Kinesis", name, start, end, dims=dims(StreamName=stream), stats=["Sum"])
        out[name] = total(points)
    return out

