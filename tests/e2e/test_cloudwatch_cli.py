"""`aws cloudwatch ...` as a user types it, with both AWS CLIs:

- v1: the `aws` on PATH when it is CLI v1 (pip's awscli; its botocore 1.43
  speaks AWS JSON 1.0 to CloudWatch);
- v2: Debian's `/usr/bin/aws` (awscli 2.9.19, installed by
  scripts/install-deps.sh), which speaks AWS Query (form-encoded requests,
  XML answers) to CloudWatch.

Each runs put-metric-data (a value with dimensions and unit, a statistic set,
values with counts from --metric-data), get-metric-statistics,
get-metric-data and list-metrics, and a refused call (exit code 254 in v2,
255 in v1, AWS's error code on stderr). A CLI that is not installed is
skipped with the reason.
"""
from __future__ import annotations

import json
import os
import re
import shutil
import subprocess

import pytest

import cloudwatch_support as cw_sup
import e2e_support as sup

DEBIAN_AWS = "/usr/bin/aws"


def cli_version(path: str | None) -> int | None:
    if not path or not os.access(path, os.X_OK):
        return None
    proc = subprocess.run([path, "--version"], capture_output=True, text=True, timeout=60)
    m = re.search(r"aws-cli/(\d+)\.", proc.stdout + proc.stderr)
    return int(m.group(1)) if m else None


def find_cli(major: int) -> str:
    if major == 1:
        path = shutil.which("aws")
        if cli_version(path) != 1:
            pytest.skip(f"no AWS CLI v1 on PATH (aws is {path or 'missing'})")
        return path
    if cli_version(DEBIAN_AWS) != 2:
        pytest.skip(f"{DEBIAN_AWS} (Debian's awscli 2.x) is missing: run scripts/install-deps.sh")
    return DEBIAN_AWS


class Cli:
    def __init__(self, path: str, major: int):
        self.path, self.major = path, major

    def run(self, *args: str, check: bool = True, timeout: int = 60) -> subprocess.CompletedProcess:
        env = dict(os.environ)
        env.setdefault("AWS_ACCESS_KEY_ID", "AKIDEXAMPLE")
        env.setdefault("AWS_SECRET_ACCESS_KEY", "dummy-secret")
        env.update(AWS_DEFAULT_REGION=sup.REGION, AWS_PAGER="", AWS_MAX_ATTEMPTS="1")
        # pyenv's shims must not put their Python in front of Debian's CLI.
        cmd = [self.path, "--endpoint-url", sup.endpoint(), "--output", "json", *args]
        proc = subprocess.run(cmd, capture_output=True, text=True, env=env, timeout=timeout,
                              stdin=subprocess.DEVNULL)
        if check and proc.returncode != 0:
            raise AssertionError(f"{' '.join(cmd)} exited {proc.returncode}\n"
                                 f"stdout: {proc.stdout}\nstderr: {proc.stderr}")
        return proc

    def json(self, *args: str) -> dict:
        out = self.run(*args).stdout
        return json.loads(out) if out.strip() else {}


@pytest.fixture(params=[1, 2], ids=["cli-v1-json", "cli-v2-query"])
def cli(request):
    return Cli(find_cli(request.param), request.param)


def iso(seconds: int) -> str:
    return cw_sup.utc(seconds).strftime("%Y-%m-%dT%H:%M:%SZ")


def test_cli_put_get_list(cli, tmp_path):
    ns, base = sup.unique_name("CLI"), cw_sup.minute_base(10)
    cli.run("cloudwatch", "put-metric-data", "--namespace", ns, "--metric-name", "Latency",
            "--dimensions", "Host=h1,Az=a", "--unit", "Milliseconds", "--value", "10",
            "--timestamp", iso(base + 3))
    cli.run("cloudwatch", "put-metric-data", "--namespace", ns, "--metric-name", "Latency",
            "--dimensions", "Az=a,Host=h1", "--unit", "Milliseconds", "--timestamp", iso(base + 4),
            "--statistic-values", "SampleCount=4,Sum=100,Minimum=5,Maximum=40")
    data = tmp_path / "data.json"
    data.write_text(json.dumps([
        {"MetricName": "Latency", "Dimensions": [{"Name": "Host", "Value": "h1"}, {"Name": "Az", "Value": "a"}],
         "Timestamp": iso(base + 5), "Values": [1, 2, 3], "Counts": [1, 2, 3], "Unit": "Milliseconds"},
        {"MetricName": "Other", "Timestamp": iso(base + 5), "Value": 7, "StorageResolution": 1},
    ]))
    cli.run("cloudwatch", "put-metric-data", "--namespace", ns, "--metric-data", f"file://{data}")

    stats_args = ["cloudwatch", "get-metric-statistics", "--namespace", ns, "--metric-name", "Latency",
                  "--dimensions", "Name=Host,Value=h1", "Name=Az,Value=a",
                  "--start-time", iso(base), "--end-time", iso(base + 60), "--period", "60",
                  "--statistics", "SampleCount", "Sum", "Average", "Minimum", "Maximum"]
    out = cw_sup.wait_for(lambda: cli.json(*stats_args),
                          lambda o: len(o["Datapoints"]) == 1 and o["Datapoints"][0]["SampleCount"] == 11,
                          what="get-metric-statistics")
    assert out["Label"] == "Latency"
    p = out["Datapoints"][0]
    assert (p["SampleCount"], p["Sum"], p["Minimum"], p["Maximum"], p["Unit"]) == \
        (11.0, 124.0, 1.0, 40.0, "Milliseconds"), p
    assert p["Average"] == pytest.approx(124.0 / 11)

    queries = tmp_path / "queries.json"
    queries.write_text(json.dumps([
        {"Id": "m1", "MetricStat": {"Metric": {"Namespace": ns, "MetricName": "Latency",
                                               "Dimensions": [{"Name": "Host", "Value": "h1"},
                                                              {"Name": "Az", "Value": "a"}]},
                                    "Period": 60, "Stat": "Sum"}, "Label": "lat"},
        {"Id": "e1", "Expression": "m1 * 2", "Label": "double"},
    ]))
    gmd = cli.json("cloudwatch", "get-metric-data", "--metric-data-queries", f"file://{queries}",
                   "--start-time", iso(base), "--end-time", iso(base + 60))
    results = {r["Id"]: r for r in gmd["MetricDataResults"]}
    assert results["m1"]["Label"] == "lat" and results["m1"]["Values"] == [124.0], results
    assert results["e1"]["Label"] == "double" and results["e1"]["Values"] == [248.0], results
    assert results["m1"]["StatusCode"] == "Complete"

    listed = cw_sup.wait_for(lambda: cli.json("cloudwatch", "list-metrics", "--namespace", ns)["Metrics"],
                             lambda m: len(m) == 2, what="list-metrics")
    got = sorted((m["MetricName"], sorted((d["Name"], d["Value"]) for d in m.get("Dimensions", [])))
                 for m in listed)
    assert got == [("Latency", [("Az", "a"), ("Host", "h1")]), ("Other", [])]
    only = cli.json("cloudwatch", "list-metrics", "--namespace", ns, "--dimensions", "Name=Host")["Metrics"]
    assert [m["MetricName"] for m in only] == ["Latency"]


def test_cli_refused_call_exits_non_zero_with_aws_error(cli):
    proc = cli.run("cloudwatch", "put-metric-data", "--namespace", "AWS/EC2", "--metric-name", "X",
                   "--value", "1", check=False)
    assert proc.returncode == (254 if cli.major == 2 else 255), proc
    assert "InvalidParameterValue" in proc.stderr, proc.stderr
    proc = cli.run("cloudwatch", "get-metric-statistics", "--namespace", "E2E", "--metric-name", "X",
                   "--start-time", iso(cw_sup.minute_base(60)), "--end-time", iso(cw_sup.minute_base(0)),
                   "--period", "61", "--statistics", "Sum", check=False)
    assert proc.returncode != 0 and "InvalidParameterValue" in proc.stderr, proc.stderr
