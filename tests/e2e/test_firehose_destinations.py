"""Firehose's OpenSearch and Splunk destinations, end to end: delivery
streams made with boto3 and the AWS CLI deliver to receivers written from
the published API references (tests/e2e/receivers/: the OpenSearch Bulk API,
Splunk's HTTP Event Collector with indexer acknowledgement), since neither
server can be installed here. Checked: the exact documents and events, the
index and document ids, per-document failures retried then written to the
backup bucket in AWS's error-record format, AllDocuments backup, Raw HEC,
the ack timeout, and `kill -9` during a bulk request losing nothing.
"""
from __future__ import annotations

import base64
import json
import os
import subprocess
import sys
import time
import urllib.request

import pytest

import e2e_support as sup
from e2e_support import wait_for
from test_firehose_delivery import ROLE, client, make_bucket, objects, wait_active
from test_firehose_delivery import firehose, s3  # noqa: F401 (the module fixtures)

HERE = os.path.dirname(os.path.abspath(__file__))
TOKEN = "1b2c3d4e-0000-4000-8000-00000000abcd"


class Receiver:
    """One of tests/e2e/receivers/*.py in a process of its own."""

    def __init__(self, script: str, *args: str):
        self.proc = subprocess.Popen([sys.executable, os.path.join(HERE, "receivers", script), "--port", "0", *args],
                                     stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        line = self.proc.stdout.readline().strip()
        assert line.isdigit(), f"{script} did not start: {line!r} {self.proc.stderr.read() if not line else ''}"
        self.url = f"http://127.0.0.1:{line}"

    def dump(self) -> dict:
        with urllib.request.urlopen(self.url + "/_dump", timeout=10) as r:
            return json.loads(r.read())

    def control(self, **settings) -> None:
        req = urllib.request.Request(self.url + "/_control", data=json.dumps(settings).encode(), method="POST",
                                     headers={"Content-Type": "application/json"})
        with urllib.request.urlopen(req, timeout=10) as r:
            r.read()

    def stop(self) -> None:
        self.proc.kill()
        self.proc.wait()


@pytest.fixture
def bulk():
    r = Receiver("bulk_receiver.py")
    yield r
    r.stop()


@pytest.fixture
def hec():
    r = Receiver("hec_receiver.py", "--token", TOKEN)
    yield r
    r.stop()


def at_least(n: int, get):
    """A predicate for wait_for: get()'s value once it has n items."""
    def check():
        value = get()
        return value if len(value) >= n else None
    return check


def source(doc: dict):
    return json.loads(doc["source"]) if isinstance(doc["source"], str) else doc["source"]


def opensearch_config(url: str, bucket: str, **extra) -> dict:
    return {"RoleARN": ROLE, "ClusterEndpoint": url, "IndexName": "logs", "IndexRotationPeriod": "NoRotation",
            "BufferingHints": {"IntervalInSeconds": 0, "SizeInMBs": 1},
            "S3Configuration": {"RoleARN": ROLE, "BucketARN": f"arn:aws:s3:::{bucket}", "Prefix": "backup/"},
            **extra}


def create(firehose, **destination) -> str:
    name = sup.unique_name("fhdest")
    firehose.create_delivery_stream(DeliveryStreamName=name, DeliveryStreamType="DirectPut", **destination)
    wait_active(firehose, name)
    return name


def test_opensearch_gets_the_exact_documents(firehose, s3, bulk):
    bucket = make_bucket(s3)
    name = create(firehose, AmazonopensearchserviceDestinationConfiguration=opensearch_config(bulk.url, bucket))
    docs = [{"n": i, "msg": f"hello {i}", "nested": {"a": [1, 2]}} for i in range(20)]
    out = firehose.put_record_batch(DeliveryStreamName=name, Records=[{"Data": json.dumps(d).encode()} for d in docs])
    assert out["FailedPutCount"] == 0
    got = wait_for("20 documents", at_least(20, lambda: bulk.dump()["documents"]))
    assert sorted((source(x) for x in got), key=lambda d: d["n"]) == docs
    assert {x["index"] for x in got} == {"logs"}
    ids = [x["id"] for x in got]
    assert all(ids) and len(set(ids)) == 20  # FIREHOSE_DEFAULT: one id per record
    assert objects(s3, bucket) == {}  # FailedDocumentsOnly: nothing failed, nothing backed up


@pytest.mark.parametrize("kind", ["Elasticsearch", "Serverless"])
def test_elasticsearch_and_serverless(firehose, s3, bulk, kind):
    bucket = make_bucket(s3)
    config = opensearch_config(bulk.url, bucket)
    if kind == "Elasticsearch":
        config["TypeName"] = "_doc"
        name = create(firehose, ElasticsearchDestinationConfiguration=config)
    else:
        config["CollectionEndpoint"] = config.pop("ClusterEndpoint")
        del config["IndexRotationPeriod"]  # Serverless has none
        name = create(firehose, AmazonOpenSearchServerlessDestinationConfiguration=config)
    firehose.put_record_batch(DeliveryStreamName=name, Records=[{"Data": b'{"k": 1}'}, {"Data": b'{"k": 2}'}])
    got = wait_for("2 documents", at_least(2, lambda: bulk.dump()["documents"]))
    assert sorted(source(x)["k"] for x in got) == [1, 2]
    assert {x["index"] for x in got} == {"logs"}
    if kind == "Elasticsearch":
        assert {x["type"] for x in got} == {"_doc"}
    else:
        ids = [x["id"] for x in got]
        assert len(set(ids)) == 2  # ids the cluster made: Serverless takes none from Firehose


def test_opensearch_failed_documents_go_to_the_backup_bucket(firehose, s3, bulk):
    bulk.control(fail_pattern="poison")
    bucket = make_bucket(s3)
    name = create(firehose, AmazonopensearchserviceDestinationConfiguration=opensearch_config(
        bulk.url, bucket, RetryOptions={"DurationInSeconds": 0}))
    records = [b'{"ok": 1}', b'{"poison": true}', b'{"ok": 2}']
    firehose.put_record_batch(DeliveryStreamName=name, Records=[{"Data": r} for r in records])
    got = wait_for("the error object", lambda: objects(s3, bucket) or None)
    ((key, body),) = got.items()
    assert key.startswith("backup/AmazonOpenSearchService-failed/"), key
    lines = [json.loads(line) for line in body.decode().splitlines()]
    assert len(lines) == 1
    e = lines[0]
    assert base64.b64decode(e["rawData"]) == b'{"poison": true}'
    assert e["errorCode"] == "400"
    assert "mapper_parsing_exception" in e["errorMessage"]
    assert e["esIndexName"] == "logs"
    assert e["esDocumentId"]
    for field in ("attemptsMade", "arrivalTimestamp", "attemptEndingTimestamp"):
        assert field in e
    sources = sorted((source(d) for d in bulk.dump()["documents"]), key=json.dumps)
    assert sources == [{"ok": 1}, {"ok": 2}]


def test_opensearch_all_documents_backup_and_aws_cli(s3, bulk):
    cli = sup.find_aws_cli()
    if not cli:
        pytest.skip("the AWS CLI is not installed")
    aws, out = sup.aws_service_cli(cli, "firehose")
    bucket = make_bucket(s3)
    name = sup.unique_name("fhcli")
    config = opensearch_config(bulk.url, bucket, S3BackupMode="AllDocuments", IndexRotationPeriod="OneDay")
    aws("create-delivery-stream", "--delivery-stream-name", name,
        "--amazonopensearchservice-destination-configuration", json.dumps(config))
    wait_active(client("firehose"), name)
    payload = '{"from":"cli"}'
    args = sup.firehose_blob_args(cli, "--record", [payload])
    out("put-record", "--delivery-stream-name", name, *args)
    got = wait_for("the document", lambda: bulk.dump()["documents"] or None)
    assert len(got) == 1
    day = time.strftime("%Y-%m-%d", time.gmtime())
    assert got[0]["index"] == f"logs-{day}"  # OneDay rotation: the arrival day, UTC
    backup = wait_for("the backup object", lambda: objects(s3, bucket) or None)
    ((key, body),) = backup.items()
    assert key.startswith("backup/") and "failed" not in key, key
    assert body == payload.encode()


def splunk_config(url: str, bucket: str, endpoint_type: str = "Event", **extra) -> dict:
    return {"HECEndpoint": url, "HECEndpointType": endpoint_type, "HECToken": TOKEN,
            "BufferingHints": {"IntervalInSeconds": 0, "SizeInMBs": 1},
            "S3Configuration": {"RoleARN": ROLE, "BucketARN": f"arn:aws:s3:::{bucket}", "Prefix": "splunk/"},
            **extra}


def test_splunk_event_endpoint_gets_the_exact_events(firehose, s3, hec):
    bucket = make_bucket(s3)
    name = create(firehose, SplunkDestinationConfiguration=splunk_config(hec.url, bucket))
    events = [{"event": {"n": i, "msg": "x" * i}, "sourcetype": "runnel:test", "time": 1700000000 + i}
              for i in range(10)]
    out = firehose.put_record_batch(DeliveryStreamName=name,
                                    Records=[{"Data": json.dumps(e).encode()} for e in events])
    assert out["FailedPutCount"] == 0
    got = wait_for("10 events", at_least(10, lambda: hec.dump()["events"]))
    assert sorted((x["event"] for x in got), key=lambda e: e["event"]["n"]) == events  # never wrapped again
    dump = hec.dump()
    assert all(r["authorization"] == f"Splunk {TOKEN}" for r in dump["requests"])
    assert any(dump["acks"].values()), dump["acks"]  # indexer acknowledgement was polled
    assert objects(s3, bucket) == {}


def test_splunk_with_the_aws_cli(s3, hec):
    """The AWS CLI makes the Splunk stream and sends a batch; the HEC receiver
    gets exactly those events."""
    cli = sup.find_aws_cli()
    if not cli:
        pytest.skip("the AWS CLI is not installed")
    aws, out = sup.aws_service_cli(cli, "firehose")
    bucket = make_bucket(s3)
    name = sup.unique_name("fhcli")
    aws("create-delivery-stream", "--delivery-stream-name", name,
        "--splunk-destination-configuration", json.dumps(splunk_config(hec.url, bucket)))
    wait_active(client("firehose"), name)
    events = [{"event": {"n": i, "from": "cli"}, "sourcetype": "runnel:cli"} for i in range(3)]
    result = out("put-record-batch", "--delivery-stream-name", name,
                 *sup.firehose_blob_args(cli, "--records", [json.dumps(e) for e in events]))
    assert result["FailedPutCount"] == 0, result
    got = wait_for("3 events", at_least(3, lambda: hec.dump()["events"]))
    assert sorted((x["event"] for x in got), key=lambda e: e["event"]["n"]) == events
    assert objects(s3, bucket) == {}


def test_splunk_raw_endpoint(firehose, s3, hec):
    bucket = make_bucket(s3)
    name = create(firehose, SplunkDestinationConfiguration=splunk_config(hec.url, bucket, "Raw"))
    firehose.put_record(DeliveryStreamName=name, Record={"Data": b"raw line one\n"})
    got = wait_for("the raw event", lambda: hec.dump()["events"] or None)
    assert [x["event"] for x in got] == [{"raw": "raw line one\n"}]


def test_splunk_bad_token_goes_to_splunk_failed(firehose, s3, hec):
    bucket = make_bucket(s3)
    config = splunk_config(hec.url, bucket, RetryOptions={"DurationInSeconds": 0})
    config["HECToken"] = "00000000-0000-4000-8000-000000000bad"
    name = create(firehose, SplunkDestinationConfiguration=config)
    firehose.put_record(DeliveryStreamName=name, Record={"Data": b'{"event": "refused"}'})
    got = wait_for("the error object", lambda: objects(s3, bucket) or None)
    ((key, body),) = got.items()
    assert key.startswith("splunk/splunk-failed/"), key
    (e,) = [json.loads(line) for line in body.decode().splitlines()]
    assert e["errorCode"] == "Splunk.InvalidToken", e
    assert base64.b64decode(e["rawData"]) == b'{"event": "refused"}'
    assert e["EventId"]
    assert hec.dump()["events"] == []


def test_splunk_ack_timeout_goes_to_splunk_failed(firehose, s3, hec):
    hec.control(never_ack=True)
    bucket = make_bucket(s3)
    name = create(firehose, SplunkDestinationConfiguration=splunk_config(
        hec.url, bucket, HECAcknowledgmentTimeoutInSeconds=180, RetryOptions={"DurationInSeconds": 0}))
    # AWS's smallest ack timeout is 180 s: too long for a test, so this one
    # checks what the stream says while it waits, not the timeout itself
    # (the unit tests shorten it: HecReceiver.AckTimeout*).
    firehose.put_record(DeliveryStreamName=name, Record={"Data": b'{"event": "never acked"}'})
    wait_for("the event", lambda: hec.dump()["events"] or None)
    time.sleep(1.5)
    assert objects(s3, bucket) == {}  # still waiting for the ack: nothing given up yet


def test_kill9_during_a_bulk_request_loses_nothing(tmp_path, bulk):
    """The server is killed with SIGKILL while the cluster holds a bulk
    request unanswered; after the restart every acknowledged record is
    indexed (at-least-once; the same document ids, so a resent document
    replaces itself)."""
    bulk.control(delay_seconds=3)
    server = sup.RunnelServer(data_dir=str(tmp_path / "data")).start()
    try:
        fh = client("firehose", server.url)
        bucket = make_bucket(client("s3", server.url))
        name = sup.unique_name("fhkill")
        fh.create_delivery_stream(DeliveryStreamName=name, DeliveryStreamType="DirectPut",
                                  AmazonopensearchserviceDestinationConfiguration=opensearch_config(bulk.url, bucket))
        wait_active(fh, name)
        docs = [{"n": i} for i in range(200)]
        for i in range(0, 200, 50):
            out = fh.put_record_batch(DeliveryStreamName=name,
                                      Records=[{"Data": json.dumps(d).encode()} for d in docs[i:i + 50]])
            assert out["FailedPutCount"] == 0
        wait_for("a bulk request under way", lambda: bulk.dump()["requests"] or None, 10)
        server.kill9()
        bulk.control(delay_seconds=0)
        server.start()
        got = wait_for("200 documents", at_least(200, lambda: {source(x)["n"] for x in bulk.dump()["documents"]}), 40)
        assert got == set(range(200))
    finally:
        server.kill9()
