"""Kinesis Data Analytics applications with Lambda functions and a Firehose
delivery stream as input, end to end: a runnel of its own started with
--lambda-endpoint pointing at a stand-in for the Lambda Invoke API, written
from KDA's SQL developer guide ("Preprocessing Data Using a Lambda Function",
"Using a Lambda Function as Output"):

  a function whose name contains "pre" turns "TICKER,PRICE" records into
  JSON, answers Dropped for records containing "drop" and ProcessingFailed
  for those containing "fail";
  a function whose name contains "sink" takes every output record, except
  that the first record containing "MSFT" is answered DeliveryFailed once.
"""
from __future__ import annotations

import base64
import json
import tempfile
import threading
import time
from http.server import BaseHTTPRequestHandler

import pytest
from botocore.exceptions import ClientError

import analytics_support as kas
import e2e_support as sup
from analytics_support import ROLE
from firehose_receiver import _Served, send_json

LAMBDA = f"arn:aws:lambda:{sup.REGION}:{sup.ACCOUNT}:function:"
CODE = """
CREATE OR REPLACE STREAM "DESTINATION_SQL_STREAM" (ticker VARCHAR(4), price REAL);
CREATE OR REPLACE PUMP "STREAM_PUMP" AS INSERT INTO "DESTINATION_SQL_STREAM"
  SELECT STREAM ticker, price FROM "SOURCE_SQL_STREAM_001";
"""


class AnalyticsFunctions(_Served):
    def __init__(self):
        self.events: list[dict] = []
        self.lock = threading.Lock()
        self.refused: set[str] = set()

    @property
    def url(self) -> str:
        host, port = self.server.server_address[:2]
        return f"http://{host}:{port}"

    def calls(self, fragment: str) -> list[dict]:
        with self.lock:
            return [e for e in self.events if fragment in e["function"]]

    def start(self) -> "AnalyticsFunctions":
        functions = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args):
                pass

            def do_POST(self):
                body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
                event = json.loads(body)
                name = self.path.split("/functions/")[1].split("/")[0]
                with functions.lock:
                    functions.events.append({"function": name, **event})
                records = []
                for r in event["records"]:
                    data = base64.b64decode(r["data"])
                    if "sink" in name:
                        with functions.lock:
                            refuse = b"MSFT" in data and name not in functions.refused
                            if refuse:
                                functions.refused.add(name)
                        records.append({"recordId": r["recordId"], "result": "DeliveryFailed" if refuse else "Ok"})
                    elif b"drop" in data:
                        records.append({"recordId": r["recordId"], "result": "Dropped"})
                    elif b"fail" in data:
                        records.append({"recordId": r["recordId"], "result": "ProcessingFailed"})
                    else:
                        ticker, price = data.decode().split(",")
                        out = json.dumps({"ticker": ticker, "price": float(price)}).encode()
                        records.append({"recordId": r["recordId"], "result": "Ok",
                                        "data": base64.b64encode(out).decode()})
                send_json(self, 200, {"records": records})

        self._serve(Handler)
        return self


@pytest.fixture(scope="module")
def lambda_runnel():
    functions = AnalyticsFunctions().start()
    server = sup.RunnelServer(data_dir=tempfile.mkdtemp(prefix="lambda-e2e-"),
                              extra_args=["--lambda-endpoint", functions.url]).start()
    try:
        yield functions, server
    finally:
        server.kill9()
        functions.stop()


@pytest.fixture(scope="module")
def functions(lambda_runnel):
    return lambda_runnel[0]


@pytest.fixture(scope="module")
def kda(lambda_runnel):
    return kas.client(lambda_runnel[1].url)


@pytest.fixture(scope="module")
def kinesis(lambda_runnel):
    return sup.make_client(lambda_runnel[1].url)


def start(kda, app: str) -> None:
    kda.start_application(ApplicationName=app, InputConfigurations=[
        {"Id": "1.1", "InputStartingPositionConfiguration": {"InputStartingPosition": "NOW"}}])
    kas.wait_status(kda, app, "RUNNING")
    time.sleep(0.3)  # NOW: the runtime has started reading


def read_stream(kinesis, stream: str, want: int, timeout: float = 20.0) -> list[bytes]:
    shard = kinesis.list_shards(StreamName=stream)["Shards"][0]["ShardId"]
    deadline = time.monotonic() + timeout
    got: list[bytes] = []
    while time.monotonic() < deadline:
        got = [r["Data"] for r in sup.read_shard(kinesis, stream, shard)]
        if len(got) >= want:
            time.sleep(0.5)
            return [r["Data"] for r in sup.read_shard(kinesis, stream, shard)]
        time.sleep(0.2)
    raise AssertionError(f"{stream}: {len(got)} records after {timeout}s, wanted {want}: {got}")


def direct_put_delivery_stream(url: str, prefix: str):
    """A new ACTIVE DirectPut delivery stream to a new bucket: (firehose client, its name)."""
    s3 = kas.client(url, service="s3")
    firehose = kas.client(url, service="firehose")
    bucket = "kda-" + sup.unique_name("b").lower().replace("_", "-")[:40]
    s3.create_bucket(Bucket=bucket)
    ds = sup.unique_name(prefix)
    firehose.create_delivery_stream(DeliveryStreamName=ds, DeliveryStreamType="DirectPut",
                                    ExtendedS3DestinationConfiguration={"RoleARN": ROLE,
                                                                        "BucketARN": f"arn:aws:s3:::{bucket}"})
    deadline = time.monotonic() + 15
    while firehose.describe_delivery_stream(DeliveryStreamName=ds)["DeliveryStreamDescription"][
            "DeliveryStreamStatus"] != "ACTIVE":
        assert time.monotonic() < deadline, "delivery stream not ACTIVE"
        time.sleep(0.1)
    return firehose, ds


def put(kinesis, stream: str, data: list[str]) -> None:
    out = kinesis.put_records(StreamName=stream,
                              Records=[{"Data": d.encode(), "PartitionKey": f"pk-{i}"} for i, d in enumerate(data)])
    assert out["FailedRecordCount"] == 0


def test_preprocessing_transforms_drops_and_fails_records_before_the_sql(kda, kinesis, functions):
    src = kas.create_stream(kinesis, sup.unique_name("pre-in"))
    dest = kas.create_stream(kinesis, sup.unique_name("pre-out"))
    errors = kas.create_stream(kinesis, sup.unique_name("pre-err"))
    app = kas.app_name("pre")
    inp = kas.kinesis_input(src)
    inp["InputSchema"] = kas.json_schema()
    fn = LAMBDA + "pre-" + app
    inp["InputProcessingConfiguration"] = {"InputLambdaProcessor": {"ResourceARN": fn, "RoleARN": ROLE}}
    kda.create_application(ApplicationName=app, ApplicationCode=CODE, Inputs=[inp],
                           Outputs=[kas.kinesis_output(dest), kas.kinesis_output(errors, "error_stream")])
    start(kda, app)
    put(kinesis, src, ["AMZN,100", "please drop", "please fail", "MSFT,20.5"])
    rows = [json.loads(r) for r in read_stream(kinesis, dest, 2)]
    assert rows == [{"TICKER": "AMZN", "PRICE": 100.0}, {"TICKER": "MSFT", "PRICE": 20.5}]
    err = [json.loads(r) for r in read_stream(kinesis, errors, 1)]
    assert len(err) == 1 and err[0]["ERROR_NAME"] == "Lambda_ProcessingFailed", err
    # KDA's preprocessing event, for the function's ARN.
    calls = functions.calls("pre-" + app)
    assert calls, "the preprocessor was not invoked"
    e = calls[0]
    assert e["applicationArn"] == kas.app_arn(app)
    assert e["streamArn"] == sup.stream_arn(src)
    assert e["invocationId"]
    r0 = e["records"][0]
    assert base64.b64decode(r0["data"]) == b"AMZN,100"
    meta = r0["kinesisStreamRecordMetadata"]
    assert meta["partitionKey"] == "pk-0" and meta["shardId"].startswith("shardId-")
    assert meta["sequenceNumber"] and isinstance(meta["approximateArrivalTimestamp"], int)
    kda.stop_application(ApplicationName=app)


def test_lambda_output_receives_the_rows_and_delivery_failures_are_retried(kda, kinesis, functions):
    src = kas.create_stream(kinesis, sup.unique_name("lo-in"))
    app = kas.app_name("lo")
    inp = kas.kinesis_input(src)
    inp["InputSchema"] = kas.json_schema()
    fn = LAMBDA + "sink-" + app
    kda.create_application(ApplicationName=app, ApplicationCode=CODE, Inputs=[inp], Outputs=[
        {"Name": "DESTINATION_SQL_STREAM", "LambdaOutput": {"ResourceARN": fn, "RoleARN": ROLE},
         "DestinationSchema": {"RecordFormatType": "JSON"}}])
    start(kda, app)
    put(kinesis, src, [json.dumps({"ticker": "AMZN", "price": 100}), json.dumps({"ticker": "MSFT", "price": 20.5})])
    deadline = time.monotonic() + 20
    sent = []
    while time.monotonic() < deadline:
        sent = [(json.loads(base64.b64decode(r["data"])), r["lambdaDeliveryRecordMetadata"]["retryHint"])
                for e in functions.calls("sink-" + app) for r in e["records"]]
        if len(sent) >= 3:
            break
        time.sleep(0.2)
    assert sent == [({"TICKER": "AMZN", "PRICE": 100.0}, 0), ({"TICKER": "MSFT", "PRICE": 20.5}, 0),
                    ({"TICKER": "MSFT", "PRICE": 20.5}, 1)]
    for e in functions.calls("sink-" + app):
        assert e["applicationArn"] == kas.app_arn(app) and e["invocationId"]
        assert set(e) == {"function", "invocationId", "applicationArn", "records"}
        for r in e["records"]:
            assert set(r) == {"recordId", "lambdaDeliveryRecordMetadata", "data"}
    kda.stop_application(ApplicationName=app)


def test_firehose_delivery_stream_as_input(kda, kinesis, lambda_runnel):
    firehose, ds = direct_put_delivery_stream(lambda_runnel[1].url, "kda-fh")
    dest = kas.create_stream(kinesis, sup.unique_name("fh-out"))
    app = kas.app_name("fh")
    ds_arn = f"arn:aws:firehose:{sup.REGION}:{sup.ACCOUNT}:deliverystream/{ds}"
    kda.create_application(ApplicationName=app, ApplicationCode=CODE, Inputs=[{
        "NamePrefix": "SOURCE_SQL_STREAM", "KinesisFirehoseInput": {"ResourceARN": ds_arn, "RoleARN": ROLE},
        "InputSchema": kas.json_schema()}], Outputs=[kas.kinesis_output(dest)])
    start(kda, app)
    firehose.put_record(DeliveryStreamName=ds, Record={"Data": json.dumps({"ticker": "AMZN", "price": 100}).encode()})
    firehose.put_record_batch(DeliveryStreamName=ds, Records=[
        {"Data": json.dumps({"ticker": "XOM", "price": 5}).encode()},
        {"Data": json.dumps({"ticker": "MSFT", "price": 20.5}).encode()}])
    rows = [json.loads(r) for r in read_stream(kinesis, dest, 3)]
    assert rows == [{"TICKER": "AMZN", "PRICE": 100.0}, {"TICKER": "XOM", "PRICE": 5.0},
                    {"TICKER": "MSFT", "PRICE": 20.5}]
    kda.stop_application(ApplicationName=app)


def test_kinesis_sourced_delivery_stream_as_input_reads_its_kinesis_stream(kda, kinesis, lambda_runnel, functions):
    url = lambda_runnel[1].url
    s3 = kas.client(url, service="s3")
    firehose = kas.client(url, service="firehose")
    bucket = "kda-" + sup.unique_name("k").lower().replace("_", "-")[:40]
    s3.create_bucket(Bucket=bucket)
    src = kas.create_stream(kinesis, sup.unique_name("fhk-src"))
    ds = sup.unique_name("kda-fhk")
    firehose.create_delivery_stream(
        DeliveryStreamName=ds, DeliveryStreamType="KinesisStreamAsSource",
        KinesisStreamSourceConfiguration={"KinesisStreamARN": sup.stream_arn(src), "RoleARN": ROLE},
        ExtendedS3DestinationConfiguration={"RoleARN": ROLE, "BucketARN": f"arn:aws:s3:::{bucket}"})
    deadline = time.monotonic() + 15
    while firehose.describe_delivery_stream(DeliveryStreamName=ds)["DeliveryStreamDescription"][
            "DeliveryStreamStatus"] != "ACTIVE":
        assert time.monotonic() < deadline, "delivery stream not ACTIVE"
        time.sleep(0.1)
    dest = kas.create_stream(kinesis, sup.unique_name("fhk-out"))
    app = kas.app_name("fhk")
    ds_arn = f"arn:aws:firehose:{sup.REGION}:{sup.ACCOUNT}:deliverystream/{ds}"
    fn = LAMBDA + "pre-" + app
    kda.create_application(ApplicationName=app, ApplicationCode=CODE, Inputs=[{
        "NamePrefix": "SOURCE_SQL_STREAM", "KinesisFirehoseInput": {"ResourceARN": ds_arn, "RoleARN": ROLE},
        "InputProcessingConfiguration": {"InputLambdaProcessor": {"ResourceARN": fn, "RoleARN": ROLE}},
        "InputSchema": kas.json_schema()}], Outputs=[kas.kinesis_output(dest)])
    start(kda, app)
    put(kinesis, src, ["AMZN,100", "MSFT,20.5"])
    rows = [json.loads(r) for r in read_stream(kinesis, dest, 2)]
    assert rows == [{"TICKER": "AMZN", "PRICE": 100.0}, {"TICKER": "MSFT", "PRICE": 20.5}]
    # The preprocessor saw the delivery stream's ARN and Firehose record metadata.
    e = functions.calls("pre-" + app)[0]
    assert e["streamArn"] == ds_arn
    r0 = e["records"][0]
    assert set(r0) == {"recordId", "kinesisFirehoseRecordMetadata", "data"}
    assert isinstance(r0["kinesisFirehoseRecordMetadata"]["approximateArrivalTimestamp"], int)
    kda.stop_application(ApplicationName=app)


def test_without_lambda_endpoint_start_is_refused(tmp_path):
    server = sup.RunnelServer(data_dir=tempfile.mkdtemp(prefix="lambda-e2e-none-")).start()
    try:
        kda = kas.client(server.url)
        kinesis = sup.make_client(server.url)
        src = kas.create_stream(kinesis, sup.unique_name("nl-in"))
        app = kas.app_name("nl")
        inp = kas.kinesis_input(src)
        inp["InputSchema"] = kas.json_schema()
        inp["InputProcessingConfiguration"] = {"InputLambdaProcessor": {"ResourceARN": LAMBDA + "pre",
                                                                        "RoleARN": ROLE}}
        kda.create_application(ApplicationName=app, ApplicationCode=CODE, Inputs=[inp])
        with pytest.raises(ClientError) as e:
            kda.start_application(ApplicationName=app, InputConfigurations=[
                {"Id": "1.1", "InputStartingPositionConfiguration": {"InputStartingPosition": "NOW"}}])
        code, message, status = kas.error(e)
        assert (code, status) == ("InvalidApplicationConfigurationException", 400)
        assert "--lambda-endpoint" in message
    finally:
        server.kill9()


def test_discover_input_schema_runs_the_preprocessor(kda, kinesis, functions):
    """DiscoverInputSchema with InputProcessingConfiguration: the schema is the preprocessed records'."""
    stream = kas.create_stream(kinesis, sup.unique_name("disc-pre"))
    put(kinesis, stream, ["AMZN,100", "please drop", "XOM,5.5"])
    before = len(functions.calls("pre-disc"))
    out = kda.discover_input_schema(
        ResourceARN=f"arn:aws:kinesis:{sup.REGION}:{sup.ACCOUNT}:stream/{stream}", RoleARN=ROLE,
        InputStartingPositionConfiguration={"InputStartingPosition": "TRIM_HORIZON"},
        InputProcessingConfiguration={"InputLambdaProcessor": {"ResourceARN": LAMBDA + "pre-disc", "RoleARN": ROLE}})
    assert out["RawInputRecords"] == ["AMZN,100", "please drop", "XOM,5.5"]
    assert [json.loads(r) for r in out["ProcessedInputRecords"]] == [{"ticker": "AMZN", "price": 100.0},
                                                                      {"ticker": "XOM", "price": 5.5}]
    assert out["InputSchema"]["RecordFormat"]["RecordFormatType"] == "JSON"
    assert [c["Name"] for c in out["InputSchema"]["RecordColumns"]] == ["ticker", "price"]
    assert out["ParsedInputRecords"] == [["AMZN", "100"], ["XOM", "5.5"]]
    calls = functions.calls("pre-disc")[before:]
    assert len(calls) == 1 and len(calls[0]["records"]) == 3
    assert "kinesisStreamRecordMetadata" in calls[0]["records"][0]


def test_discover_input_schema_from_a_delivery_stream(kda, lambda_runnel):
    firehose, ds = direct_put_delivery_stream(lambda_runnel[1].url, "kda-disc")
    records = [json.dumps({"sensor": "s1", "temp": 20.5}), json.dumps({"sensor": "s2", "temp": 21})]
    firehose.put_record_batch(DeliveryStreamName=ds, Records=[{"Data": r.encode()} for r in records])
    arn = f"arn:aws:firehose:{sup.REGION}:{sup.ACCOUNT}:deliverystream/{ds}"
    out = kda.discover_input_schema(ResourceARN=arn, RoleARN=ROLE,
                                    InputStartingPositionConfiguration={"InputStartingPosition": "TRIM_HORIZON"})
    assert out["RawInputRecords"] == records
    assert [c["Name"] for c in out["InputSchema"]["RecordColumns"]] == ["sensor", "temp"]
    with pytest.raises(ClientError) as e:
        kda.discover_input_schema(ResourceARN=arn + "-missing", RoleARN=ROLE,
                                  InputStartingPositionConfiguration={"InputStartingPosition": "NOW"})
    assert e.value.response["Error"]["Code"] == "InvalidArgumentException"
