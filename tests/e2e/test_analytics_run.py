"""Kinesis Data Analytics applications that run: created and started with
boto3's `kinesisanalytics` client, fed through the Data Streams API, their
output streams read back with GetRecords and compared row by row.

The programs are the shapes of AWS's SQL developer guide examples (the
stock-ticker demo stream: TICKER_SYMBOL, SECTOR, CHANGE, PRICE) with
windows of a second instead of a minute, so a test waits seconds.
"""
from __future__ import annotations

import json
import time

import pytest
from botocore.exceptions import ClientError

import analytics_support as kas
import e2e_support as sup
from analytics_support import ROLE

TICKER_COLUMNS = (("TICKER_SYMBOL", "$.TICKER_SYMBOL", "VARCHAR(4)"), ("SECTOR", "$.SECTOR", "VARCHAR(16)"),
                  ("CHANGE", "$.CHANGE", "REAL"), ("PRICE", "$.PRICE", "REAL"))


@pytest.fixture(scope="module")
def kda():
    return kas.client()


@pytest.fixture(scope="module")
def kinesis():
    return sup.make_client()


def ticker_input(stream: str, columns=TICKER_COLUMNS) -> dict:
    i = kas.kinesis_input(stream)
    i["InputSchema"] = kas.json_schema(columns)
    return i


def run_app(kda, kinesis, code: str, *, outputs=(("DESTINATION_SQL_STREAM", "JSON"),), columns=TICKER_COLUMNS,
            schema=None, position="NOW"):
    """Creates the input and output streams and a started application; returns (name, input, {output: stream})."""
    src = kas.create_stream(kinesis, sup.unique_name("run-in"))
    dests = {}
    outs = []
    for name, fmt in outputs:
        dests[name] = kas.create_stream(kinesis, sup.unique_name("run-out"))
        outs.append(kas.kinesis_output(dests[name], name, fmt))
    app = kas.app_name("run")
    inp = ticker_input(src, columns)
    if schema is not None:
        inp["InputSchema"] = schema
    kda.create_application(ApplicationName=app, ApplicationCode=code, Inputs=[inp], Outputs=outs)
    kda.start_application(ApplicationName=app, InputConfigurations=[
        {"Id": "1.1", "InputStartingPositionConfiguration": {"InputStartingPosition": position}}])
    kas.wait_status(kda, app, "RUNNING")
    time.sleep(0.3)  # NOW: the runtime has started reading
    return app, src, dests


def put(kinesis, stream: str, rows: list) -> None:
    records = [{"Data": (json.dumps(r) if not isinstance(r, (bytes, str)) else r), "PartitionKey": str(i)}
               for i, r in enumerate(rows)]
    out = kinesis.put_records(StreamName=stream, Records=records)
    assert out["FailedRecordCount"] == 0


def read_output(kinesis, stream: str, want: int, timeout: float = 20.0) -> list[bytes]:
    """The records of a one-shard output stream, once there are `want` of them (and a moment for more)."""
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


def rows(records: list[bytes]) -> list[dict]:
    return [json.loads(r) for r in records]


def test_filter_and_project_pump(kda, kinesis):
    code = """
        CREATE OR REPLACE STREAM "DESTINATION_SQL_STREAM" (ticker_symbol VARCHAR(4), sector VARCHAR(16), change REAL, price REAL);
        CREATE OR REPLACE PUMP "STREAM_PUMP" AS INSERT INTO "DESTINATION_SQL_STREAM"
          SELECT STREAM ticker_symbol, sector, change, price
          FROM "SOURCE_SQL_STREAM_001"
          WHERE sector SIMILAR TO '%TECH%';
    """
    app, src, dests = run_app(kda, kinesis, code)
    put(kinesis, src, [{"TICKER_SYMBOL": "AMZN", "SECTOR": "TECHNOLOGY", "CHANGE": 1.5, "PRICE": 100.25},
                       {"TICKER_SYMBOL": "XOM", "SECTOR": "ENERGY", "CHANGE": -0.5, "PRICE": 80},
                       {"TICKER_SYMBOL": "MSFT", "SECTOR": "FINTECH", "CHANGE": 0, "PRICE": 300}])
    got = rows(read_output(kinesis, dests["DESTINATION_SQL_STREAM"], 2))
    assert sorted(got, key=lambda r: r["TICKER_SYMBOL"]) == [
        {"TICKER_SYMBOL": "AMZN", "SECTOR": "TECHNOLOGY", "CHANGE": 1.5, "PRICE": 100.25},
        {"TICKER_SYMBOL": "MSFT", "SECTOR": "FINTECH", "CHANGE": 0, "PRICE": 300},
    ]


def test_tumbling_window_count_per_ticker(kda, kinesis):
    code = """
        CREATE OR REPLACE STREAM "DESTINATION_SQL_STREAM" (ticker_symbol VARCHAR(4), ticker_count INTEGER, avg_price DOUBLE);
        CREATE OR REPLACE PUMP "STREAM_PUMP" AS INSERT INTO "DESTINATION_SQL_STREAM"
          SELECT STREAM ticker_symbol, COUNT(*) AS ticker_count, AVG(CAST(price AS DOUBLE)) AS avg_price
          FROM "SOURCE_SQL_STREAM_001"
          GROUP BY ticker_symbol, STEP("SOURCE_SQL_STREAM_001".ROWTIME BY INTERVAL '2' SECOND)
          ORDER BY STEP("SOURCE_SQL_STREAM_001".ROWTIME BY INTERVAL '2' SECOND), ticker_symbol;
    """
    app, src, dests = run_app(kda, kinesis, code, outputs=(("DESTINATION_SQL_STREAM", "CSV"),))
    # Put right after a window boundary so that all rows fall into one window.
    while int(time.time() * 1000) % 2000 > 500:
        time.sleep(0.05)
    put(kinesis, src, [{"TICKER_SYMBOL": t, "SECTOR": "S", "CHANGE": 0, "PRICE": p}
                       for t, p in (("B", 10), ("A", 1), ("B", 20), ("A", 3), ("C", 7))])
    got = read_output(kinesis, dests["DESTINATION_SQL_STREAM"], 3)
    assert got == [b"A,2,2.0\n", b"B,2,15.0\n", b"C,1,7.0\n"]


def test_sliding_window_and_error_stream_output(kda, kinesis):
    code = """
        CREATE OR REPLACE STREAM "DESTINATION_SQL_STREAM" (ticker_symbol VARCHAR(4), max_price REAL, n BIGINT);
        CREATE OR REPLACE PUMP "STREAM_PUMP" AS INSERT INTO "DESTINATION_SQL_STREAM"
          SELECT STREAM ticker_symbol, MAX(price) OVER w, COUNT(*) OVER w
          FROM "SOURCE_SQL_STREAM_001"
          WINDOW w AS (PARTITION BY ticker_symbol ROWS 2 PRECEDING);
    """
    app, src, dests = run_app(kda, kinesis, code,
                              outputs=(("DESTINATION_SQL_STREAM", "JSON"), ("error_stream", "JSON")))
    for p in (5, 9, 1, 2):
        put(kinesis, src, [{"TICKER_SYMBOL": "A", "SECTOR": "S", "CHANGE": 0, "PRICE": p}])
    put(kinesis, src, ['{"TICKER_SYMBOL": "A", "PRICE": "not a number"}'])
    got = rows(read_output(kinesis, dests["DESTINATION_SQL_STREAM"], 4))
    assert [(r["MAX_PRICE"], r["N"]) for r in got] == [(5, 1), (9, 2), (9, 3), (9, 3)]
    errors = rows(read_output(kinesis, dests["error_stream"], 1))
    assert len(errors) == 1
    e = errors[0]
    assert set(e) == {"ERROR_TIME", "ERROR_LEVEL", "ERROR_NAME", "MESSAGE", "DATA_ROWTIME", "DATA_ROW", "PUMP_NAME"}
    assert e["ERROR_LEVEL"] == "ERROR"
    assert "not a number" in bytes.fromhex(e["DATA_ROW"]).decode()


def test_csv_input_and_a_join_with_nothing_but_the_stream(kda, kinesis):
    schema = {"RecordFormat": {"RecordFormatType": "CSV",
                               "MappingParameters": {"CSVMappingParameters": {"RecordRowDelimiter": "\n",
                                                                              "RecordColumnDelimiter": ","}}},
              "RecordEncoding": "UTF-8",
              "RecordColumns": [{"Name": "ID", "SqlType": "INTEGER"}, {"Name": "NAME", "SqlType": "VARCHAR(8)"}]}
    code = """
        CREATE STREAM "DESTINATION_SQL_STREAM" (id INTEGER, shout VARCHAR(16));
        CREATE PUMP "P" AS INSERT INTO "DESTINATION_SQL_STREAM"
          SELECT STREAM id * 10, UPPER(name) || '!' FROM "SOURCE_SQL_STREAM_001" WHERE id > 1;
    """
    app, src, dests = run_app(kda, kinesis, code, schema=schema)
    put(kinesis, src, ["1,one\n2,two\n3,three"])
    assert rows(read_output(kinesis, dests["DESTINATION_SQL_STREAM"], 2)) == [
        {"ID": 20, "SHOUT": "TWO!"}, {"ID": 30, "SHOUT": "THREE!"}]


def test_trim_horizon_reads_what_the_stream_already_holds(kda, kinesis):
    src = kas.create_stream(kinesis, sup.unique_name("run-in"))
    dst = kas.create_stream(kinesis, sup.unique_name("run-out"))
    put(kinesis, src, [{"TICKER_SYMBOL": "OLD", "SECTOR": "S", "CHANGE": 0, "PRICE": 1}])
    app = kas.app_name("run")
    code = """CREATE STREAM "DESTINATION_SQL_STREAM" (t VARCHAR(4));
              CREATE PUMP "P" AS INSERT INTO "DESTINATION_SQL_STREAM" SELECT STREAM ticker_symbol FROM "SOURCE_SQL_STREAM_001";"""
    kda.create_application(ApplicationName=app, ApplicationCode=code, Inputs=[ticker_input(src)],
                           Outputs=[kas.kinesis_output(dst)])
    kda.start_application(ApplicationName=app, InputConfigurations=[
        {"Id": "1.1", "InputStartingPositionConfiguration": {"InputStartingPosition": "TRIM_HORIZON"}}])
    assert rows(read_output(kinesis, dst, 1)) == [{"T": "OLD"}]


def test_code_errors_point_at_line_and_column(kda, kinesis):
    src = kas.create_stream(kinesis, sup.unique_name("run-in"))
    bad = 'CREATE STREAM "D" (a INTEGER);\nCREATE PUMP "P" AS INSERT INTO "D"\n  SELECT STREAM nope FROM "SOURCE_SQL_STREAM_001";'
    with pytest.raises(ClientError) as e:
        kda.create_application(ApplicationName=kas.app_name("bad"), ApplicationCode=bad, Inputs=[ticker_input(src)])
    code, message, status = kas.error(e)
    assert (code, status) == ("CodeValidationException", 400)
    assert message.startswith("SQL error at line 3, column 17: column NOPE not found"), message
    with pytest.raises(ClientError) as e:
        kda.create_application(ApplicationName=kas.app_name("bad"), ApplicationCode="CREATE STREAM (",
                               Inputs=[ticker_input(src)])
    code, message, _ = kas.error(e)
    assert code == "CodeValidationException" and message.startswith("SQL error at line 1, column 15"), message
    # An output that names a stream the code does not create: StartApplication refuses.
    dst = kas.create_stream(kinesis, sup.unique_name("run-out"))
    app = kas.app_name("bad")
    kda.create_application(ApplicationName=app, ApplicationCode='CREATE STREAM "D" (a INTEGER);',
                           Inputs=[ticker_input(src)], Outputs=[kas.kinesis_output(dst, "NOT_THERE")])
    with pytest.raises(ClientError) as e:
        kda.start_application(ApplicationName=app, InputConfigurations=[
            {"Id": "1.1", "InputStartingPositionConfiguration": {"InputStartingPosition": "NOW"}}])
    code, message, _ = kas.error(e)
    assert code == "InvalidApplicationConfigurationException" and "NOT_THERE" in message, message


@pytest.mark.timeout_seconds(120)
def test_a_running_application_resumes_after_a_restart(tmp_path):
    server = sup.RunnelServer(data_dir=str(tmp_path / "data"), log_path=str(tmp_path / "server.log")).start()
    try:
        kda, kinesis = kas.client(server.url), sup.make_client(server.url)
        src = kas.create_stream(kinesis, "resume-in")
        dst = kas.create_stream(kinesis, "resume-out")
        code = """CREATE STREAM "DESTINATION_SQL_STREAM" (t VARCHAR(4));
                  CREATE PUMP "P" AS INSERT INTO "DESTINATION_SQL_STREAM" SELECT STREAM ticker_symbol FROM "SOURCE_SQL_STREAM_001";"""
        kda.create_application(ApplicationName="resume", ApplicationCode=code, Inputs=[ticker_input(src)],
                               Outputs=[kas.kinesis_output(dst)])
        kda.start_application(ApplicationName="resume", InputConfigurations=[
            {"Id": "1.1", "InputStartingPositionConfiguration": {"InputStartingPosition": "NOW"}}])
        kas.wait_status(kda, "resume", "RUNNING")
        time.sleep(0.3)
        put(kinesis, src, [{"TICKER_SYMBOL": "ONE"}])
        assert rows(read_output(kinesis, dst, 1)) == [{"T": "ONE"}]
        assert server.terminate() == 0
        server.start()
        kinesis = sup.make_client(server.url)
        put(kinesis, src, [{"TICKER_SYMBOL": "TWO"}])  # put while the application was down: not lost
        assert rows(read_output(kinesis, dst, 2)) == [{"T": "ONE"}, {"T": "TWO"}]
    finally:
        server.kill9()


def test_join_with_reference_data_from_s3(kda, kinesis):
    s3 = kas.client(service="s3")
    bucket = sup.unique_name("kda-ref")
    s3.create_bucket(Bucket=bucket)
    s3.put_object(Bucket=bucket, Key="companies.csv", Body=b"AMZN,Amazon\nMSFT,Microsoft\n")
    src = kas.create_stream(kinesis, sup.unique_name("run-in"))
    dst = kas.create_stream(kinesis, sup.unique_name("run-out"))
    app = kas.app_name("ref")
    code = """
        CREATE OR REPLACE STREAM "DESTINATION_SQL_STREAM" (ticker_symbol VARCHAR(4), "Company" VARCHAR(20), price REAL);
        CREATE OR REPLACE PUMP "STREAM_PUMP" AS INSERT INTO "DESTINATION_SQL_STREAM"
          SELECT STREAM ticker_symbol, "c"."Company", price
          FROM "SOURCE_SQL_STREAM_001" LEFT JOIN "CompanyName" AS "c"
          ON "SOURCE_SQL_STREAM_001".ticker_symbol = "c"."Ticker";
    """
    kda.create_application(ApplicationName=app, Inputs=[ticker_input(src)], Outputs=[kas.kinesis_output(dst)])
    kda.add_application_reference_data_source(
        ApplicationName=app, CurrentApplicationVersionId=1,
        ReferenceDataSource={
            "TableName": "CompanyName",
            "S3ReferenceDataSource": {"BucketARN": f"arn:aws:s3:::{bucket}", "FileKey": "companies.csv",
                                      "ReferenceRoleARN": ROLE},
            "ReferenceSchema": {
                "RecordFormat": {"RecordFormatType": "CSV", "MappingParameters": {
                    "CSVMappingParameters": {"RecordRowDelimiter": "\n", "RecordColumnDelimiter": ","}}},
                "RecordEncoding": "UTF-8",
                "RecordColumns": [{"Name": "Ticker", "SqlType": "VARCHAR(4)"},
                                  {"Name": "Company", "SqlType": "VARCHAR(20)"}]}})
    kda.update_application(ApplicationName=app, CurrentApplicationVersionId=2,
                           ApplicationUpdate={"ApplicationCodeUpdate": code})
    kda.start_application(ApplicationName=app, InputConfigurations=[
        {"Id": "1.1", "InputStartingPositionConfiguration": {"InputStartingPosition": "NOW"}}])
    kas.wait_status(kda, app, "RUNNING")
    time.sleep(0.3)
    put(kinesis, src, [{"TICKER_SYMBOL": "MSFT", "PRICE": 1}, {"TICKER_SYMBOL": "XOM", "PRICE": 2}])
    got = sorted(rows(read_output(kinesis, dst, 2)), key=lambda r: r["TICKER_SYMBOL"])
    assert got == [{"TICKER_SYMBOL": "MSFT", "Company": "Microsoft", "PRICE": 1},
                   {"TICKER_SYMBOL": "XOM", "Company": None, "PRICE": 2}]


def test_firehose_output_lands_in_s3(kda, kinesis):
    """An output to a Firehose delivery stream: the rows arrive as an S3 object (zero buffering)."""
    firehose, s3 = kas.client(service="firehose"), kas.client(service="s3")
    bucket = "kda-" + sup.unique_name("out").lower().replace("_", "-")[:40]
    s3.create_bucket(Bucket=bucket)
    fh = sup.unique_name("kda-fh")
    firehose.create_delivery_stream(
        DeliveryStreamName=fh, DeliveryStreamType="DirectPut",
        ExtendedS3DestinationConfiguration={"RoleARN": ROLE, "BucketARN": f"arn:aws:s3:::{bucket}",
                                            "BufferingHints": {"SizeInMBs": 1, "IntervalInSeconds": 0}})
    sup.wait_for("the delivery stream to be ACTIVE", lambda: firehose.describe_delivery_stream(
        DeliveryStreamName=fh)["DeliveryStreamDescription"]["DeliveryStreamStatus"] == "ACTIVE")
    src = kas.create_stream(kinesis, sup.unique_name("run-in"))
    app = kas.app_name("fh")
    code = """CREATE STREAM "DESTINATION_SQL_STREAM" (ticker_symbol VARCHAR(4), price REAL);
              CREATE PUMP "P" AS INSERT INTO "DESTINATION_SQL_STREAM"
                SELECT STREAM ticker_symbol, price FROM "SOURCE_SQL_STREAM_001";"""
    output = {"Name": "DESTINATION_SQL_STREAM",
              "KinesisFirehoseOutput": {"ResourceARN": f"arn:aws:firehose:{sup.REGION}:{sup.ACCOUNT}:deliverystream/{fh}",
                                        "RoleARN": ROLE},
              "DestinationSchema": {"RecordFormatType": "CSV"}}
    kda.create_application(ApplicationName=app, ApplicationCode=code, Inputs=[ticker_input(src)], Outputs=[output])
    kda.start_application(ApplicationName=app, InputConfigurations=[
        {"Id": "1.1", "InputStartingPositionConfiguration": {"InputStartingPosition": "NOW"}}])
    kas.wait_status(kda, app, "RUNNING")
    time.sleep(0.3)
    put(kinesis, src, [{"TICKER_SYMBOL": "AMZN", "PRICE": 1.5}, {"TICKER_SYMBOL": "MSFT", "PRICE": 2}])

    def delivered() -> bytes:
        body = b""
        for page in s3.get_paginator("list_objects_v2").paginate(Bucket=bucket):
            for o in page.get("Contents", []):
                body += s3.get_object(Bucket=bucket, Key=o["Key"])["Body"].read()
        return body

    sup.wait_for("the rows in S3", lambda: delivered().count(b"\n") >= 2, timeout=30)
    assert sorted(delivered().splitlines()) == [b"AMZN,1.5", b"MSFT,2.0"]


def test_stagger_window_counts_per_key(kda, kinesis):
    code = """
        CREATE OR REPLACE STREAM "DESTINATION_SQL_STREAM" (ticker_symbol VARCHAR(4), ticker_count INTEGER);
        CREATE OR REPLACE PUMP "STREAM_PUMP" AS INSERT INTO "DESTINATION_SQL_STREAM"
          SELECT STREAM ticker_symbol, COUNT(*) AS ticker_count
          FROM "SOURCE_SQL_STREAM_001"
          WINDOWED BY STAGGER (PARTITION BY ticker_symbol RANGE INTERVAL '1' SECOND);
    """
    app, src, dests = run_app(kda, kinesis, code)
    put(kinesis, src, [{"TICKER_SYMBOL": t} for t in ("A", "B", "A", "A")])
    got = rows(read_output(kinesis, dests["DESTINATION_SQL_STREAM"], 2))
    assert sorted((r["TICKER_SYMBOL"], r["TICKER_COUNT"]) for r in got) == [("A", 3), ("B", 1)]


def test_stream_to_stream_join(kda, kinesis):
    code = """
        CREATE OR REPLACE STREAM "ORDERS" (ticker_symbol VARCHAR(4), qty INTEGER);
        CREATE OR REPLACE STREAM "QUOTES" (ticker_symbol VARCHAR(4), price REAL);
        CREATE OR REPLACE STREAM "DESTINATION_SQL_STREAM" (ticker_symbol VARCHAR(4), qty INTEGER, price REAL);
        CREATE OR REPLACE PUMP "ORDERS_PUMP" AS INSERT INTO "ORDERS"
          SELECT STREAM ticker_symbol, CAST(change AS INTEGER) FROM "SOURCE_SQL_STREAM_001" WHERE sector = 'ORDER';
        CREATE OR REPLACE PUMP "QUOTES_PUMP" AS INSERT INTO "QUOTES"
          SELECT STREAM ticker_symbol, price FROM "SOURCE_SQL_STREAM_001" WHERE sector = 'QUOTE';
        CREATE OR REPLACE PUMP "JOIN_PUMP" AS INSERT INTO "DESTINATION_SQL_STREAM"
          SELECT STREAM o.ticker_symbol, o.qty, q.price
          FROM "ORDERS" AS o JOIN "QUOTES" OVER (RANGE INTERVAL '1' MINUTE PRECEDING) AS q
          ON o.ticker_symbol = q.ticker_symbol;
    """
    app, src, dests = run_app(kda, kinesis, code)
    # One record at a time, so that the quote is in before the order (one shard, in order, anyway).
    put(kinesis, src, [{"TICKER_SYMBOL": "AMZN", "SECTOR": "QUOTE", "PRICE": 101}])
    put(kinesis, src, [{"TICKER_SYMBOL": "AMZN", "SECTOR": "ORDER", "CHANGE": 5},
                       {"TICKER_SYMBOL": "MSFT", "SECTOR": "ORDER", "CHANGE": 7}])
    assert rows(read_output(kinesis, dests["DESTINATION_SQL_STREAM"], 1)) == [
        {"TICKER_SYMBOL": "AMZN", "QTY": 5, "PRICE": 101}]


def test_top_k_items_tumbling(kda, kinesis):
    """The SQL reference's TOP_K_ITEMS_TUMBLING example, with a window of a second."""
    code = """
        CREATE OR REPLACE STREAM DESTINATION_SQL_STREAM ("TICKER_SYMBOL" VARCHAR(4), "MOST_FREQUENT_VALUES" BIGINT);
        CREATE OR REPLACE PUMP "STREAM_PUMP" AS INSERT INTO "DESTINATION_SQL_STREAM"
          SELECT STREAM * FROM TABLE(TOP_K_ITEMS_TUMBLING(
            CURSOR(SELECT STREAM * FROM "SOURCE_SQL_STREAM_001"), 'TICKER_SYMBOL', 2, 1));
    """
    app, src, dests = run_app(kda, kinesis, code)
    while int(time.time() * 1000) % 1000 > 300:  # all rows in one window
        time.sleep(0.02)
    put(kinesis, src, [{"TICKER_SYMBOL": t} for t in ("A", "B", "A", "C", "B", "A")])
    assert rows(read_output(kinesis, dests["DESTINATION_SQL_STREAM"], 2)) == [
        {"TICKER_SYMBOL": "A", "MOST_FREQUENT_VALUES": 3}, {"TICKER_SYMBOL": "B", "MOST_FREQUENT_VALUES": 2}]
