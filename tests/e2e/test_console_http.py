"""The web console's HTTP surface on the real server (docs/console.md),
as a browser meets it before any script runs: the redirect from /, the
app's files compiled into the binary with their types and caching, its
settings, the CORS answers the browser SDK needs when a page on another
origin calls runnel, and what a credentials file changes (the console
loads, the APIs stay guarded). The pages themselves are driven in a real
Chromium by console/e2e/ (the `console` suite of run.sh)."""
from __future__ import annotations

import http.client
import json
import os
import re
import tempfile

import boto3
import pytest

import e2e_support as sup

BROWSER_ACCEPT = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"
# What the AWS SDK for JavaScript v3 sends from a browser to a JSON 1.1
# service, as its preflight lists them (lower case, sorted by the browser).
SDK_HEADERS = ("amz-sdk-invocation-id,amz-sdk-request,authorization,content-type,"
               "x-amz-content-sha256,x-amz-date,x-amz-target,x-amz-user-agent")


def request(url: str, method: str, path: str, headers: dict | None = None,
            body: bytes | None = None) -> tuple[int, dict, bytes]:
    host, port = sup.host_port(url)
    conn = http.client.HTTPConnection(host, port, timeout=10)
    try:
        conn.request(method, path, body=body, headers=headers or {})
        resp = conn.getresponse()
        return resp.status, {k.lower(): v for k, v in resp.getheaders()}, resp.read()
    finally:
        conn.close()


def test_a_browser_at_the_root_is_sent_to_the_console():
    status, headers, _ = request(sup.endpoint(), "GET", "/", {"Accept": BROWSER_ACCEPT})
    assert status == 302 and headers["location"] == "/console/"
    status, headers, _ = request(sup.endpoint(), "GET", "/console")
    assert status == 301 and headers["location"] == "/console/"
    # Not a browser: the AWS protocols keep GET / (unsigned: AWS's 403).
    status, _, _ = request(sup.endpoint(), "GET", "/")
    assert status == 403
    # Signed, it is S3's ListBuckets, whatever the Accept header says.
    s3 = boto3.client("s3", endpoint_url=sup.endpoint(), region_name="us-east-1",
                      aws_access_key_id="k", aws_secret_access_key="s")
    s3.meta.events.register("before-sign.s3.ListBuckets",
                            lambda request, **_: request.headers.__setitem__("Accept", BROWSER_ACCEPT))
    assert "Buckets" in s3.list_buckets()


def test_the_app_and_every_file_it_loads_are_served():
    status, headers, body = request(sup.endpoint(), "GET", "/console/")
    assert status == 200
    page = body.decode()
    assert "was not built" not in page, "this binary was built without the console (scripts/build-console.sh)"
    assert headers["content-type"] == "text/html; charset=utf-8"
    assert headers["cache-control"] == "no-cache"
    assert "default-src 'self'" in headers["content-security-policy"]
    assert headers["x-content-type-options"] == "nosniff"
    refs = re.findall(r'(?:src|href)="(/console/[^"]+)"', page)
    scripts = [r for r in refs if r.endswith(".js")]
    assert scripts, page
    for ref in refs:
        status, headers, body = request(sup.endpoint(), "GET", ref)
        assert status == 200, ref
        assert body, ref
        if ref.endswith(".js"):
            assert headers["content-type"] == "text/javascript; charset=utf-8"
        if ref.endswith(".css"):
            assert headers["content-type"] == "text/css; charset=utf-8"
        if "/assets/" in ref:
            assert headers["cache-control"] == "public, max-age=31536000, immutable"


@pytest.mark.parametrize("path", ["/console/nope.js", "/console/../health", "/console/assets/%2e%2e/index.html",
                                  "/console//index.html", "/console/assets/"])
def test_paths_outside_the_app_are_not_found(path):
    status, headers, _ = request(sup.endpoint(), "GET", path)
    assert status == 404
    assert headers["content-type"].startswith("text/plain")


def test_config_tells_the_page_how_to_sign():
    status, headers, body = request(sup.endpoint(), "GET", "/console/config.json")
    assert status == 200 and headers["content-type"] == "application/json"
    config = json.loads(body)
    assert config["auth"] is False
    assert config["region"] == "us-east-1"
    assert config["accountId"] == "000000000000"
    assert re.fullmatch(r"\d+\.\d+\.\d+", config["version"])
    assert {"kinesis", "firehose", "monitoring", "s3"} <= set(config["services"])
    status, _, metrics = request(sup.endpoint(), "GET", "/metrics")
    assert status == 200
    assert f'runnel_build_info{{version="{config["version"]}"}} 1' in metrics.decode()
    started = re.search(r"^runnel_process_start_time_seconds (\S+)$", metrics.decode(), re.M)
    assert started and abs(float(started.group(1)) * 1000 - config["startedAt"]) < 1000
    assert re.search(r"^runnel_data_dir_bytes \d+", metrics.decode(), re.M)


def test_cors_preflight_as_the_browser_sdk_sends_it():
    status, headers, _ = request(sup.endpoint(), "OPTIONS", "/", {
        "Origin": "http://localhost:5173",
        "Access-Control-Request-Method": "POST",
        "Access-Control-Request-Headers": SDK_HEADERS,
    })
    assert status == 200
    assert headers["access-control-allow-origin"] == "*"
    assert "POST" in headers["access-control-allow-methods"]
    allowed = {h.strip().lower() for h in headers["access-control-allow-headers"].split(",")}
    assert set(SDK_HEADERS.split(",")) <= allowed
    # The answer to the real request lets the page read the request id and
    # the error type the SDK parses.
    r = sup.raw_request(json.dumps({"StreamName": "no-such-console-stream"}), target="Kinesis_20131202.DescribeStream",
                        extra_headers={"Origin": "http://localhost:5173"})
    assert r.status == 400
    assert r.headers["access-control-allow-origin"] == "*"
    exposed = {h.strip().lower() for h in r.headers["access-control-expose-headers"].split(",")}
    assert {"x-amzn-requestid", "x-amzn-errortype"} <= exposed


@pytest.fixture(scope="module")
def guarded():
    tmp = tempfile.mkdtemp(prefix="runnel-e2e-console-")
    creds = os.path.join(tmp, "credentials")
    with open(creds, "w") as f:
        f.write("[default]\naws_access_key_id = AKIDCONSOLE\naws_secret_access_key = console-secret\n")
    s = sup.RunnelServer(data_dir=os.path.join(tmp, "data"), extra_args=["--credentials-file", creds])
    s.start()
    yield s
    assert s.terminate() == 0, s.log_tail()


def test_with_credentials_the_console_loads_and_the_apis_stay_guarded(guarded):
    status, _, body = request(guarded.url, "GET", "/console/")
    assert status == 200
    for ref in re.findall(r'(?:src|href)="(/console/[^"]+)"', body.decode()):
        assert request(guarded.url, "GET", ref)[0] == 200, ref
    status, _, body = request(guarded.url, "GET", "/console/config.json")
    config = json.loads(body)
    assert status == 200 and config["auth"] is True and "accountId" not in config
    assert request(guarded.url, "GET", "/metrics")[0] == 403
    bad = sup.make_client(guarded.url, key="AKIDCONSOLE", secret="wrong")
    with pytest.raises(Exception) as e:
        bad.list_streams()
    assert sup.error_of(e)[0] in ("UnrecognizedClientException", "InvalidSignatureException")
    good = sup.make_client(guarded.url, key="AKIDCONSOLE", secret="console-secret")
    assert "StreamNames" in good.list_streams()
