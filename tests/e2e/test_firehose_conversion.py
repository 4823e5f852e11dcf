"""Firehose record format conversion, end to end: a Glue table made with
boto3 (or the AWS CLI), a delivery stream converting JSON to Parquet against
it, records put with PutRecordBatch; the object that lands in the embedded
S3 store is read back by DuckDB (tests/e2e/node/duckdb_rows.mjs), a reader
nobody here wrote, and must hold exactly the rows put: every supported Hive
type, nulls and nested values. Records that do not convert land under
format-conversion-failed/ in AWS's error-record format, while the good rows
are delivered; a table that does not exist fails the stream at create time.
"""
from __future__ import annotations

import base64
import hashlib
import json
import os
import shutil
import subprocess
import tempfile
import threading
import time

import pytest

import e2e_support as sup
import glue_support as gs
from test_firehose_delivery import ROLE, client, make_bucket, objects
from test_firehose_delivery import firehose, s3  # noqa: F401 (the module fixtures)

HERE = os.path.dirname(os.path.abspath(__file__))

COLUMNS = [
    ("id", "int"), ("name", "string"), ("big", "bigint"), ("ratio", "double"), ("ok", "boolean"),
    ("price", "decimal(10,2)"), ("ts", "timestamp"), ("day", "date"), ("tags", "array<string>"),
    ("attrs", "map<string,int>"), ("point", "struct<x:int,y:string>"), ("code", "varchar(5)"),
    ("small", "smallint"), ("tiny", "tinyint"), ("f", "float"),
]


@pytest.fixture(scope="module")
def glue():
    return gs.client()


def duckdb_rows(*bodies: bytes) -> tuple[list, list[dict]]:
    """(columns with DuckDB's types, rows as DuckDB's to_json gives them) of
    one Parquet file, or of several in turn."""
    node = shutil.which("node")
    assert node, "node is needed to read Parquet with DuckDB"
    with tempfile.TemporaryDirectory() as tmp:
        paths = []
        for i, body in enumerate(bodies):
            paths.append(os.path.join(tmp, f"{i}.parquet"))
            with open(paths[-1], "wb") as f:
                f.write(body)
        proc = subprocess.run([node, os.path.join(HERE, "node", "duckdb_rows.mjs"), *paths], capture_output=True,
                              text=True, timeout=120, cwd=os.path.join(HERE, "node"))
    assert proc.returncode == 0, proc.stderr
    lines = proc.stdout.splitlines()
    return json.loads(lines[0])["columns"], [json.loads(line) for line in lines[1:]]


def orc_rows(body: bytes) -> tuple[list, list[dict]]:
    """(columns with ClickHouse's types, rows) of an ORC file, read by Apache
    ORC's C++ reader inside ClickHouse (tests/e2e/node/orc_rows.mjs)."""
    node = shutil.which("node")
    assert node, "node is needed to read ORC with chDB"
    with tempfile.TemporaryDirectory() as tmp:
        path = os.path.join(tmp, "object.orc")
        with open(path, "wb") as f:
            f.write(body)
        proc = subprocess.run([node, os.path.join(HERE, "node", "orc_rows.mjs"), path], capture_output=True,
                              text=True, timeout=120, cwd=os.path.join(HERE, "node"))
    assert proc.returncode == 0, proc.stderr
    lines = proc.stdout.splitlines()
    return json.loads(lines[0])["columns"], [json.loads(line) for line in lines[1:]]


def make_table(glue, columns=COLUMNS) -> tuple[str, str]:
    db = gs.db_name("fhconv")
    glue.create_database(DatabaseInput={"Name": db})
    glue.create_table(DatabaseName=db, TableInput=gs.table_input("events", columns))
    return db, "events"


def conversion(db: str, table: str, serde: dict | None = None, deserializer: dict | None = None) -> dict:
    return {"Enabled": True,
            "SchemaConfiguration": {"RoleARN": ROLE, "DatabaseName": db, "TableName": table},
            "InputFormatConfiguration": {"Deserializer": deserializer or {"OpenXJsonSerDe": {}}},
            "OutputFormatConfiguration": {"Serializer": {"ParquetSerDe": serde or {}}}}


def create_stream(firehose, bucket: str, config: dict, prefix: str | None = None) -> str:
    name = sup.unique_name("fhconv")
    s3 = {"RoleARN": ROLE, "BucketARN": f"arn:aws:s3:::{bucket}",
          "BufferingHints": {"SizeInMBs": 64, "IntervalInSeconds": 0},
          "DataFormatConversionConfiguration": config}
    if prefix is not None:
        s3["Prefix"] = prefix
        s3["ErrorOutputPrefix"] = "errors/!{firehose:error-output-type}/"
    firehose.create_delivery_stream(DeliveryStreamName=name, DeliveryStreamType="DirectPut",
                                    ExtendedS3DestinationConfiguration=s3)
    return name


def wait_status(firehose, name: str, timeout: float = 15.0) -> dict:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        d = firehose.describe_delivery_stream(DeliveryStreamName=name)["DeliveryStreamDescription"]
        if d["DeliveryStreamStatus"] != "CREATING":
            return d
        time.sleep(0.1)
    raise AssertionError(f"{name} still CREATING after {timeout}s")


def wait_objects(s3, bucket: str, count: int, timeout: float = 20.0) -> dict[str, bytes]:
    deadline = time.monotonic() + timeout
    got = {}
    while time.monotonic() < deadline:
        got = objects(s3, bucket)
        if len(got) >= count:
            return got
        time.sleep(0.2)
    raise AssertionError(f"expected {count} objects in {bucket}, have {sorted(got)}")


GOOD = [
    {"id": 1, "name": "alpha", "big": 9007199254740993, "ratio": 1.5, "ok": True, "price": 12.34,
     "ts": "2024-01-02 03:04:05.123", "day": "2024-01-02", "tags": ["x", "y"], "attrs": {"k": 1, "m": 2},
     "point": {"x": 7, "y": "p"}, "code": "abc", "small": -300, "tiny": -3, "f": 0.5},
    {"id": 2},  # every other column null
    {"ID": 3, "Name": "case", "TAGS": [], "Attrs": {}, "Point": {"X": 1}},  # OpenX: keys in any case
    {"id": 4, "unknown": "ignored", "tags": ["a", None], "point": None},
]
BAD = [b'{"id": "not a number"}', b"not json at all"]


def test_json_to_parquet_read_back_by_duckdb(firehose, s3, glue):
    db, table = make_table(glue)
    bucket = make_bucket(s3)
    name = create_stream(firehose, bucket, conversion(db, table), prefix="data/")
    d = wait_status(firehose, name)
    assert d["DeliveryStreamStatus"] == "ACTIVE", d
    described = d["Destinations"][0]["ExtendedS3DestinationDescription"]["DataFormatConversionConfiguration"]
    assert described["SchemaConfiguration"]["DatabaseName"] == db

    records = [{"Data": json.dumps(r).encode()} for r in GOOD[:2]]
    records += [{"Data": BAD[0]}]
    # Two rows in one record: concatenated JSON objects, as AWS accepts them.
    records += [{"Data": (json.dumps(GOOD[2]) + json.dumps(GOOD[3])).encode()}]
    records += [{"Data": BAD[1]}]
    out = firehose.put_record_batch(DeliveryStreamName=name, Records=records)
    assert out["FailedPutCount"] == 0

    got = wait_objects(s3, bucket, 2)
    data = {k: v for k, v in got.items() if k.startswith("data/")}
    errors = {k: v for k, v in got.items() if k.startswith("errors/")}
    assert len(data) == 1 and len(errors) == 1, sorted(got)
    key, body = next(iter(data.items()))
    assert key.endswith(".parquet"), key
    assert body[:4] == b"PAR1" and body[-4:] == b"PAR1"

    columns, rows = duckdb_rows(body)
    assert columns == [
        ["id", "INTEGER"], ["name", "VARCHAR"], ["big", "BIGINT"], ["ratio", "DOUBLE"], ["ok", "BOOLEAN"],
        ["price", "DECIMAL(10,2)"], ["ts", "TIMESTAMP"], ["day", "DATE"], ["tags", "VARCHAR[]"],
        ["attrs", "MAP(VARCHAR, INTEGER)"], ["point", "STRUCT(x INTEGER, y VARCHAR)"], ["code", "VARCHAR"],
        ["small", "SMALLINT"], ["tiny", "TINYINT"], ["f", "FLOAT"]]
    nulls = {c: None for c, _ in COLUMNS}
    assert rows == [
        {"id": 1, "name": "alpha", "big": 9007199254740993, "ratio": 1.5, "ok": True, "price": 12.34,
         "ts": "2024-01-02 03:04:05.123", "day": "2024-01-02", "tags": ["x", "y"], "attrs": {"k": 1, "m": 2},
         "point": {"x": 7, "y": "p"}, "code": "abc", "small": -300, "tiny": -3, "f": 0.5},
        {**nulls, "id": 2},
        {**nulls, "id": 3, "name": "case", "tags": [], "attrs": {}, "point": {"x": 1, "y": None}},
        {**nulls, "id": 4, "tags": ["a", None]},
    ]

    # The two records that did not convert, in AWS's error-record format.
    ekey, ebody = next(iter(errors.items()))
    assert ekey.startswith("errors/format-conversion-failed/"), ekey
    lines = [json.loads(line) for line in ebody.decode().splitlines()]
    assert [base64.b64decode(e["rawData"]) for e in lines] == BAD
    assert [e["lastErrorCode"] for e in lines] == ["DataFormatConversion.MalformedData",
                                                   "DataFormatConversion.ParseError"]
    for e in lines:
        assert list(e) == ["attemptsMade", "arrivalTimestamp", "lastErrorCode", "lastErrorMessage",
                           "attemptEndingTimestamp", "rawData", "sequenceNumber", "subSequenceNumber",
                           "dataCatalogTable"]
        assert e["lastErrorMessage"]
        assert e["dataCatalogTable"]["databaseName"] == db
        assert e["dataCatalogTable"]["tableName"] == table
        assert e["dataCatalogTable"]["versionId"] == "LATEST"
    assert "id" in lines[0]["lastErrorMessage"], lines[0]["lastErrorMessage"]


@pytest.mark.parametrize("serde", [{"Compression": "GZIP", "WriterVersion": "V2"},
                                   {"Compression": "UNCOMPRESSED", "EnableDictionaryCompression": False}])
def test_parquet_serde_settings_read_back(firehose, s3, glue, serde):
    db, table = make_table(glue, [("id", "bigint"), ("word", "string")])
    bucket = make_bucket(s3)
    name = create_stream(firehose, bucket, conversion(db, table, serde=serde))
    assert wait_status(firehose, name)["DeliveryStreamStatus"] == "ACTIVE"
    words = ["red", "green", "red", "blue"] * 50
    firehose.put_record_batch(DeliveryStreamName=name,
                              Records=[{"Data": json.dumps({"id": i, "word": w}).encode()}
                                       for i, w in enumerate(words)])
    got = wait_objects(s3, bucket, 1)
    ((key, body),) = got.items()
    assert key.endswith(".parquet")
    _, rows = duckdb_rows(body)
    assert rows == [{"id": i, "word": w} for i, w in enumerate(words)]


def test_orc_serde_writes_orc_objects(firehose, s3, glue):
    """OrcSerDe with bloom filters: the object is named .orc, framed as ORC,
    and Apache ORC's C++ reader (inside ClickHouse, tests/e2e/node/orc_rows.mjs)
    reads back the rows with the table's types; char(n) comes back padded to
    n, as ORC's writers store it."""
    db, table = make_table(glue, [("id", "int"), ("word", "string"), ("code", "char(4)"),
                                  ("tags", "array<string>"), ("amount", "decimal(10,2)")])
    bucket = make_bucket(s3)
    name = create_stream(firehose, bucket, conversion(db, table) | {
        "OutputFormatConfiguration": {"Serializer": {"OrcSerDe": {
            "Compression": "ZLIB", "BloomFilterColumns": ["id", "word"]}}}}, prefix="orc/")
    assert wait_status(firehose, name)["DeliveryStreamStatus"] == "ACTIVE"
    firehose.put_record_batch(DeliveryStreamName=name, Records=[
        {"Data": b'{"id": 1, "word": "a", "code": "xy", "tags": ["p", "q"], "amount": 12.5}'},
        {"Data": b'{"id": 2, "word": "caf\xc3\xa9", "code": "toolong", "tags": [], "amount": "-0.07"}'},
        {"Data": b"not json"}])
    got = wait_objects(s3, bucket, 2)
    data = [(k, v) for k, v in got.items() if k.startswith("orc/")]
    errors = [k for k in got if k.startswith("errors/format-conversion-failed/")]
    assert len(data) == 1 and len(errors) == 1, sorted(got)
    key, body = data[0]
    assert key.endswith(".orc"), key
    assert not errors[0].endswith(".orc"), errors[0]  # JSON error records
    assert body[:3] == b"ORC"
    ps_len = body[-1]
    assert body[-1 - 3:-1] == b"ORC", body[-20:]  # the PostScript's magic field ends it
    assert 0 < ps_len < len(body)
    columns, rows = orc_rows(body)
    assert [c for c, _ in columns] == ["id", "word", "code", "tags", "amount"]
    assert "Int32" in dict(columns)["id"] and "Decimal(10, 2)" in dict(columns)["amount"], columns
    assert rows == [
        {"id": 1, "word": "a", "code": "xy  ", "tags": ["p", "q"], "amount": "12.5"},
        {"id": 2, "word": "café", "code": "tool", "tags": [], "amount": "-0.07"},
    ]


def test_hive_json_serde_timestamp_formats(firehose, s3, glue):
    db, table = make_table(glue, [("id", "int"), ("at", "timestamp")])
    bucket = make_bucket(s3)
    hive = {"HiveJsonSerDe": {"TimestampFormats": ["millis", "yyyy/MM/dd HH:mm"]}}
    name = create_stream(firehose, bucket, conversion(db, table, deserializer=hive))
    assert wait_status(firehose, name)["DeliveryStreamStatus"] == "ACTIVE"
    firehose.put_record_batch(DeliveryStreamName=name, Records=[
        {"Data": b'{"id": 1, "at": 1704164645123}'},
        {"Data": b'{"id": 2, "at": "2024/01/02 03:04"}'},
    ])
    got = wait_objects(s3, bucket, 1)
    ((_, body),) = got.items()
    _, rows = duckdb_rows(body)
    assert rows == [{"id": 1, "at": "2024-01-02 03:04:05.123"}, {"id": 2, "at": "2024-01-02 03:04:00"}]


def kpl_aggregate(records: list[bytes]) -> bytes:
    """A Kinesis record as the KPL aggregates user records (its
    aggregation-format.md): magic, the AggregatedRecord protobuf, its MD5."""
    def varint(v: int) -> bytes:
        out = bytearray()
        while v >= 0x80:
            out.append((v & 0x7F) | 0x80)
            v >>= 7
        out.append(v)
        return bytes(out)

    def field(number: int, payload: bytes) -> bytes:
        return varint(number << 3 | 2) + varint(len(payload)) + payload

    message = field(1, b"agg")  # partition_key_table
    for data in records:
        message += field(3, varint(1 << 3) + varint(0) + field(3, data))  # Record{partition_key_index, data}
    return b"\xf3\x89\x9a\xc2" + message + hashlib.md5(message).digest()


def test_kinesis_stream_source_to_parquet(firehose, s3, glue):
    """Kinesis Data Streams → Firehose → Parquet, the usual pipeline; a
    failed record's sequenceNumber is its Kinesis sequence number."""
    kinesis = client("kinesis")
    stream = sup.unique_name("convsrc")
    kinesis.create_stream(StreamName=stream, ShardCount=2)
    sup.wait_active(kinesis, stream)
    db, table = make_table(glue, [("id", "int"), ("shard", "string")])
    bucket = make_bucket(s3)
    name = sup.unique_name("fhconvk")
    firehose.create_delivery_stream(
        DeliveryStreamName=name, DeliveryStreamType="KinesisStreamAsSource",
        KinesisStreamSourceConfiguration={"KinesisStreamARN": sup.stream_arn(stream), "RoleARN": ROLE},
        ExtendedS3DestinationConfiguration={
            "RoleARN": ROLE, "BucketARN": f"arn:aws:s3:::{bucket}", "Prefix": "data/",
            "ErrorOutputPrefix": "errors/!{firehose:error-output-type}/",
            "BufferingHints": {"SizeInMBs": 64, "IntervalInSeconds": 0},
            "DataFormatConversionConfiguration": conversion(db, table)})
    assert wait_status(firehose, name)["DeliveryStreamStatus"] == "ACTIVE"
    out = kinesis.put_records(StreamName=stream, Records=[
        {"Data": json.dumps({"id": i, "shard": "s"}).encode(), "PartitionKey": str(i)} for i in range(30)])
    bad = kinesis.put_record(StreamName=stream, Data=b"{broken", PartitionKey="x")
    # Three user records the KPL aggregated into one Kinesis record, the
    # second broken: its error record names the Kinesis record and, as
    # subSequenceNumber, its place in the aggregate.
    aggregated = kinesis.put_record(StreamName=stream, PartitionKey="agg", Data=kpl_aggregate(
        [json.dumps({"id": 100, "shard": "k"}).encode(), b"{also broken",
         json.dumps({"id": 102, "shard": "k"}).encode()]))
    assert out["FailedRecordCount"] == 0

    def all_rows():
        got = objects(s3, bucket)
        bodies = [v for k, v in got.items() if k.startswith("data/")]
        errors = [json.loads(line) for k, v in got.items() if k.startswith("errors/format-conversion-failed/")
                  for line in v.decode().splitlines()]
        if len(errors) < 2 or not bodies:
            return None
        rows = duckdb_rows(*bodies)[1]
        return (rows, errors) if len(rows) >= 32 else None

    rows, errors = sup.wait_for("32 rows and two error records", all_rows, 30, pause=0.5)
    assert sorted(r["id"] for r in rows) == list(range(30)) + [100, 102]
    assert len(errors) == 2, errors
    (e,) = [e for e in errors if base64.b64decode(e["rawData"]) == b"{broken"]
    assert e["sequenceNumber"] == bad["SequenceNumber"]
    assert e["subSequenceNumber"] == 0
    assert e["lastErrorCode"] == "DataFormatConversion.ParseError"
    (a,) = [e for e in errors if base64.b64decode(e["rawData"]) == b"{also broken"]
    assert a["sequenceNumber"] == aggregated["SequenceNumber"]
    assert a["subSequenceNumber"] == 1


def test_missing_table_fails_the_stream(firehose, s3, glue):
    db = gs.db_name("fhconv")
    glue.create_database(DatabaseInput={"Name": db})
    bucket = make_bucket(s3)
    name = create_stream(firehose, bucket, conversion(db, "nosuchtable"))
    d = wait_status(firehose, name)
    assert d["DeliveryStreamStatus"] == "CREATING_FAILED", d
    assert "nosuchtable" in d["FailureDescription"]["Details"], d["FailureDescription"]
    assert "not found" in d["FailureDescription"]["Details"], d["FailureDescription"]


def test_with_the_aws_cli(s3, firehose):
    cli = sup.find_aws_cli()
    if not cli:
        pytest.skip("the AWS CLI is not installed")
    glue_aws, _ = sup.aws_service_cli(cli, "glue")
    fh_aws, fh_out = sup.aws_service_cli(cli, "firehose")
    db = gs.db_name("fhcli")
    glue_aws("create-database", "--database-input", json.dumps({"Name": db}))
    glue_aws("create-table", "--database-name", db, "--table-input",
             json.dumps(gs.table_input("t", [("id", "int"), ("tags", "array<string>")])))
    bucket = make_bucket(s3)
    name = sup.unique_name("fhcli")
    s3conf = {"RoleARN": ROLE, "BucketARN": f"arn:aws:s3:::{bucket}",
              "BufferingHints": {"SizeInMBs": 64, "IntervalInSeconds": 0},
              "DataFormatConversionConfiguration": conversion(db, "t")}
    fh_aws("create-delivery-stream", "--delivery-stream-name", name, "--delivery-stream-type", "DirectPut",
           "--extended-s3-destination-configuration", json.dumps(s3conf))
    assert wait_status(firehose, name)["DeliveryStreamStatus"] == "ACTIVE"
    payloads = [json.dumps({"id": i, "tags": ["t"] * i}) for i in range(3)]
    args = sup.firehose_blob_args(cli, "--records", payloads)
    out = fh_out("put-record-batch", "--delivery-stream-name", name, *args)
    assert out["FailedPutCount"] == 0
    got = wait_objects(s3, bucket, 1)
    ((_, body),) = got.items()
    _, rows = duckdb_rows(body)
    assert rows == [{"id": i, "tags": ["t"] * i} for i in range(3)]


def test_kill9_during_conversion_loses_no_acknowledged_record(tmp_path):
    """Producers put while the server is killed with SIGKILL three times, in
    the middle of converting and writing Parquet objects; after the last
    restart every acknowledged record is a row of some delivered Parquet file
    (at-least-once), as DuckDB reads them."""
    server = sup.RunnelServer(data_dir=str(tmp_path / "data")).start()
    try:
        g = gs.client(server.url)
        db, table = make_table(g, [("w", "int"), ("n", "bigint"), ("pad", "string")])
        bucket = make_bucket(client("s3", server.url))
        fh = client("firehose", server.url)
        name = sup.unique_name("fhconv")
        fh.create_delivery_stream(
            DeliveryStreamName=name, DeliveryStreamType="DirectPut",
            ExtendedS3DestinationConfiguration={
                "RoleARN": ROLE, "BucketARN": f"arn:aws:s3:::{bucket}",
                "BufferingHints": {"SizeInMBs": 64, "IntervalInSeconds": 1},
                "DataFormatConversionConfiguration": conversion(db, table)})
        assert wait_status(fh, name)["DeliveryStreamStatus"] == "ACTIVE"
        acked: set[tuple[int, int]] = set()
        lock = threading.Lock()
        stop = threading.Event()

        def produce(worker: int, start: int):
            n = start
            while not stop.is_set():
                batch = [(worker, n + i) for i in range(100)]
                try:
                    out = client("firehose", server.url).put_record_batch(
                        DeliveryStreamName=name,
                        Records=[{"Data": json.dumps({"w": w, "n": k, "pad": "p" * 1000}).encode()}
                                 for w, k in batch])
                except Exception:
                    time.sleep(0.05)
                    continue
                with lock:
                    acked.update(r for r, resp in zip(batch, out["RequestResponses"]) if "RecordId" in resp)
                n += 100

        for round_ in range(3):
            threads = [threading.Thread(target=produce, args=(w, round_ * 10_000_000)) for w in range(2)]
            for t in threads:
                t.start()
            time.sleep(1.5)
            server.kill9()
            stop.set()
            for t in threads:
                t.join()
            stop.clear()
            server.start()
        assert acked
        s3c = client("s3", server.url)
        deadline = time.monotonic() + 40
        got: set[tuple[int, int]] = set()
        while time.monotonic() < deadline:
            bodies = list(objects(s3c, bucket).values())
            if bodies:
                _, rows = duckdb_rows(*bodies)
                got = {(r["w"], r["n"]) for r in rows}
                assert all(r["pad"] == "p" * 1000 for r in rows)
            if acked <= got:
                break
            time.sleep(1)
        missing = acked - got
        assert not missing, f"{len(missing)} of {len(acked)} acknowledged records never delivered"
    finally:
        server.kill9()
