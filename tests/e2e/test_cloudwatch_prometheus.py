"""GET /metrics with a real Prometheus scraping it, and who may read the page.

Debian's `prometheus` (scripts/install-deps.sh installs it) is started with a
config of our own: scrape interval 1 s, TSDB in the temp dir, the web API on a
free loopback port. It scrapes the shared server's /metrics; after a Kinesis
workload, its HTTP API (/api/v1/query) must answer
runnel_kinesis_incoming_records_total{stream="<stream>"} equal to the
workload's record count, and runnel's own request counters
(runnel_requests_total, runnel_request_errors_total) must have grown by
exactly the workload's operations. With a --credentials-file, /metrics answers 403 to an
unsigned GET unless --open-metrics is given.
"""
from __future__ import annotations

import http.client
import json
import os
import shutil
import subprocess
import re
import time
import urllib.parse
import urllib.request

import pytest

import cloudwatch_support as cw_sup
import e2e_support as sup

PROMETHEUS = shutil.which("prometheus") or "/usr/bin/prometheus"


def get(url: str, timeout: float = 5) -> tuple[int, dict, bytes]:
    p = urllib.parse.urlparse(url)
    conn = http.client.HTTPConnection(p.hostname, p.port, timeout=timeout)
    try:
        conn.request("GET", p.path + (f"?{p.query}" if p.query else ""))
        resp = conn.getresponse()
        return resp.status, {k.lower(): v for k, v in resp.getheaders()}, resp.read()
    finally:
        conn.close()


class Prometheus:
    def __init__(self, workdir: str, target: str):
        self.port = sup.free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        cfg = os.path.join(workdir, "prometheus.yml")
        with open(cfg, "w") as f:
            f.write("global:\n  scrape_interval: 1s\n  scrape_timeout: 1s\n"
                    "scrape_configs:\n  - job_name: runnel\n    metrics_path: /metrics\n"
                    f"    static_configs:\n      - targets: ['{target}']\n")
        self.log = open(os.path.join(workdir, "prometheus.log"), "wb")
        self.proc = subprocess.Popen(
            [PROMETHEUS, f"--config.file={cfg}", f"--storage.tsdb.path={os.path.join(workdir, 'tsdb')}",
             f"--web.listen-address=127.0.0.1:{self.port}", "--log.level=warn"],
            stdout=self.log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
            preexec_fn=sup._die_with_parent)
        cw_sup.wait_for(self._ready, bool, timeout=30, what="prometheus /-/ready")

    def _ready(self) -> bool:
        if self.proc.poll() is not None:
            raise AssertionError(f"prometheus exited with {self.proc.returncode}")
        try:
            return get(self.url + "/-/ready")[0] == 200
        except OSError:
            return False

    def query(self, promql: str) -> list[dict]:
        status, _, body = get(self.url + "/api/v1/query?" + urllib.parse.urlencode({"query": promql}))
        answer = json.loads(body)
        assert status == 200 and answer["status"] == "success", (status, answer)
        return answer["data"]["result"]

    def value(self, promql: str) -> float | None:
        result = self.query(promql)
        return float(result[0]["value"][1]) if len(result) == 1 else None

    def stop(self) -> None:
        self.proc.terminate()
        try:
            self.proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
        self.log.close()


@pytest.fixture(scope="module")
def prometheus(tmp_path_factory):
    if not os.access(PROMETHEUS, os.X_OK):
        pytest.skip("prometheus is not installed: run scripts/install-deps.sh")
    prom = Prometheus(str(tmp_path_factory.mktemp("prometheus")), "%s:%d" % sup.host_port())
    yield prom
    prom.stop()


def test_prometheus_scrapes_the_metrics_page(prometheus):
    status, headers, _ = get(sup.endpoint() + "/metrics")
    assert status == 200
    assert headers["content-type"].startswith("text/plain; version=0.0.4"), headers
    # up is 1 only when a scrape succeeded and the page parsed.
    assert cw_sup.wait_for(lambda: prometheus.value('up{job="runnel"}'), lambda v: v == 1.0,
                           timeout=20, what="up{job=runnel}") == 1.0


def test_prometheus_sees_the_workloads_record_count(prometheus, make_stream, kinesis):
    name = make_stream(1)
    work = cw_sup.KinesisWorkload()
    work.run(kinesis, name)
    promql = f'runnel_kinesis_incoming_records_total{{stream="{name}"}}'
    assert cw_sup.wait_for(lambda: prometheus.value(promql), lambda v: v == work.records,
                           timeout=15, what=promql) == work.records
    # The page itself, with this stream's families on it, parses for promtool.
    # Its style lint (exit 3) is not asserted: it asks for seconds where the
    # latency and age families keep CloudWatch's milliseconds (as
    # metrics/prometheus_test.cc, only parse errors fail).
    promtool = shutil.which("promtool")
    if promtool:
        _, _, page = get(sup.endpoint() + "/metrics")
        assert f'stream="{name}"'.encode() in page
        lint = subprocess.run([promtool, "check", "metrics"], input=page, capture_output=True, timeout=30)
        assert lint.returncode in (0, 3) and b"error while linting" not in lint.stderr, lint.stdout + lint.stderr
    promql = f'runnel_kinesis_incoming_bytes_total{{stream="{name}"}}'
    assert cw_sup.wait_for(lambda: prometheus.value(promql), lambda v: v == work.incoming_bytes,
                           timeout=10, what=promql) == work.incoming_bytes


def page_value(family: str, labels: str) -> float:
    """The value of `family{labels}` on the shared server's /metrics page now (0 when absent)."""
    _, _, page = get(sup.endpoint() + "/metrics")
    m = re.search(rf"^{re.escape(family)}\{{{re.escape(labels)}\}} (\S+)$", page.decode(), re.M)
    return float(m.group(1)) if m else 0.0


def test_prometheus_sees_requests_by_operation_and_error(prometheus, make_stream, kinesis):
    # The suite's tests run one after the other on the shared server, so the
    # counters move only by what this test sends between the two readings.
    name = make_stream(1)
    watched = {
        ("runnel_requests_total", 'service="kinesis",operation="PutRecord"'): 0,
        ("runnel_requests_total", 'service="kinesis",operation="PutRecords"'): 0,
        ("runnel_requests_total", 'service="kinesis",operation="ListShards"'): 0,
        ("runnel_requests_total", 'service="kinesis",operation="DeleteStream"'): 0,
        ("runnel_request_errors_total",
         'service="kinesis",operation="DeleteStream",error="ResourceNotFoundException"'): 0,
    }
    before = {k: page_value(*k) for k in watched}
    work = cw_sup.KinesisWorkload()
    work.run(kinesis, name)
    for _ in range(2):
        with pytest.raises(kinesis.exceptions.ResourceNotFoundException):
            kinesis.delete_stream(StreamName=sup.unique_name("missing"))
    grew = {
        ("runnel_requests_total", 'service="kinesis",operation="PutRecord"'): work.n_put,
        ("runnel_requests_total", 'service="kinesis",operation="PutRecords"'): work.m_puts,
        ("runnel_requests_total", 'service="kinesis",operation="ListShards"'): 1,
        ("runnel_requests_total", 'service="kinesis",operation="DeleteStream"'): 2,
        ("runnel_request_errors_total",
         'service="kinesis",operation="DeleteStream",error="ResourceNotFoundException"'): 2,
    }
    for (family, labels), n in grew.items():
        want = before[(family, labels)] + n
        assert page_value(family, labels) == want, (family, labels)
        promql = f"{family}{{{labels}}}"
        assert cw_sup.wait_for(lambda: prometheus.value(promql), lambda v: v == want,
                               timeout=15, what=promql) == want
    # runnel's other internals are on the page too (docs/prometheus.md).
    _, _, page = get(sup.endpoint() + "/metrics")
    text = page.decode()
    for line in ("runnel_log_fdatasync_milliseconds_count ", "runnel_log_group_commit_records_count ",
                 "runnel_log_segments ", "runnel_log_bytes ", "runnel_process_resident_memory_bytes ",
                 "runnel_heap_in_use_bytes ", 'runnel_open_connections{protocol="http/1.1",tls="false"} '):
        assert f"\n{line}" in text, line
    promql = 'runnel_request_latency_milliseconds_count{service="kinesis",operation="PutRecord"}'
    assert cw_sup.wait_for(lambda: prometheus.value(promql), lambda v: v is not None and v >= work.n_put,
                           timeout=15, what=promql) >= work.n_put


@pytest.mark.parametrize("open_metrics", [False, True], ids=["closed", "open-metrics"])
def test_metrics_page_needs_a_signature_with_credentials(tmp_path, open_metrics):
    creds = tmp_path / "credentials"
    creds.write_text("[default]\naws_access_key_id = AKIDRUNNELE2E\naws_secret_access_key = right-secret\n")
    srv = sup.RunnelServer(data_dir=str(tmp_path / "data"), log_path=str(tmp_path / "server.log"),
                           extra_args=["--credentials-file", str(creds)] + (["--open-metrics"] if open_metrics else []))
    srv.start()
    try:
        status, headers, body = get(srv.url + "/metrics")
        if open_metrics:
            assert status == 200 and headers["content-type"].startswith("text/plain; version=0.0.4"), (status, body)
        else:
            assert status == 403, (status, body)
        # CloudWatch itself still needs a signature either way.
        unsigned = sup.raw_request("{}", target="GraniteServiceVersion20100801.ListMetrics",
                                   content_type="application/x-amz-json-1.0", sign=False, url=srv.url)
        assert unsigned.status in (400, 403), unsigned
        assert srv.terminate() == 0
    finally:
        srv.kill9()
