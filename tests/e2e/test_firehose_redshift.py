"""Firehose's Redshift destination, end to end, with a real PostgreSQL
standing in for Redshift (scripts/pg-cluster.sh: Debian's PostgreSQL 15,
scram-sha-256 logins, TLS negotiated by libpq's default): delivery streams
made with boto3 and the AWS CLI write the intermediate object to the
embedded S3 store, then COPY it; the exact rows land in the table. A load
that keeps failing is listed in a manifest under errors/manifests/; `kill -9`
while loading loses nothing acknowledged.
"""
from __future__ import annotations

import json
import os
import subprocess

import pytest

import e2e_support as sup
from e2e_support import wait_for
from test_firehose_delivery import ROLE, client, make_bucket, objects, wait_active
from test_firehose_delivery import firehose, s3  # noqa: F401 (the module fixtures)

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))


@pytest.fixture(scope="module")
def pg():
    """A throwaway cluster: its settings (RUNNEL_PG_*), stopped at the end."""
    proc = subprocess.run(["bash", os.path.join(ROOT, "scripts", "pg-cluster.sh"), "start"], capture_output=True,
                          text=True, timeout=120)
    assert proc.returncode == 0, f"pg-cluster.sh start failed: {proc.stderr}"
    env = {}
    for line in proc.stdout.splitlines():
        if line.startswith("export ") and "=" in line:
            key, value = line[len("export "):].split("=", 1)
            env[key] = value.strip("'\"")
    assert "RUNNEL_PG_PORT" in env, proc.stdout
    yield env
    subprocess.run(["bash", os.path.join(ROOT, "scripts", "pg-cluster.sh"), "stop", env["RUNNEL_PG_DIR"]],
                   capture_output=True, timeout=120)


def psql(pg: dict, sql: str) -> list[list[str]]:
    """Rows of `sql` as psql prints them unaligned (fields split on '|')."""
    env = {**os.environ, "PGPASSWORD": pg["RUNNEL_PG_PASSWORD"]}
    proc = subprocess.run(["psql", "-h", pg["RUNNEL_PG_HOST"], "-p", pg["RUNNEL_PG_PORT"], "-U",
                           pg["RUNNEL_PG_USER"], "-d", pg["RUNNEL_PG_DATABASE"], "-v", "ON_ERROR_STOP=1",
                           "-X", "-A", "-t", "-c", sql], capture_output=True, text=True, env=env, timeout=60)
    assert proc.returncode == 0, proc.stderr
    return [line.split("|") for line in proc.stdout.splitlines() if line]


def table(pg: dict, columns: str) -> str:
    name = sup.unique_name("t").replace("-", "_")
    psql(pg, f"CREATE TABLE {name} ({columns})")
    return name


def redshift_config(pg: dict, bucket: str, table_name: str, columns: str, options: str, **extra) -> dict:
    return {"RoleARN": ROLE,
            "ClusterJDBCURL": f"jdbc:postgresql://{pg['RUNNEL_PG_HOST']}:{pg['RUNNEL_PG_PORT']}/"
                              f"{pg['RUNNEL_PG_DATABASE']}",
            "CopyCommand": {"DataTableName": table_name, "DataTableColumns": columns, "CopyOptions": options},
            "Username": pg["RUNNEL_PG_USER"], "Password": pg["RUNNEL_PG_PASSWORD"],
            "S3Configuration": {"RoleARN": ROLE, "BucketARN": f"arn:aws:s3:::{bucket}", "Prefix": "stage/",
                                "BufferingHints": {"IntervalInSeconds": 0, "SizeInMBs": 1}},
            **extra}


def test_json_auto_rows_land_in_postgresql(firehose, s3, pg):
    t = table(pg, "id int, name varchar(20), score double precision, at timestamp")
    bucket = make_bucket(s3)
    name = sup.unique_name("fhrs")
    firehose.create_delivery_stream(
        DeliveryStreamName=name, DeliveryStreamType="DirectPut",
        RedshiftDestinationConfiguration=redshift_config(pg, bucket, t, "id,name,score,at",
                                                         "JSON 'auto' TIMEFORMAT 'auto'"))
    d = wait_active(firehose, name)["Destinations"][0]["RedshiftDestinationDescription"]
    assert "Password" not in d  # never described back
    records = [{"id": i, "name": f"n{i}", "score": i / 4, "at": f"2024-01-02 03:04:{i:02d}"} for i in range(10)]
    out = firehose.put_record_batch(DeliveryStreamName=name,
                                    Records=[{"Data": json.dumps(r).encode()} for r in records])
    assert out["FailedPutCount"] == 0
    rows = wait_for("10 rows", lambda: (r := psql(pg, f"SELECT id, name, score, at FROM {t} ORDER BY id")) and
                    len(r) >= 10 and r)
    assert rows == [[str(i), f"n{i}", str(i / 4).rstrip("0").rstrip(".") if i % 4 else str(i // 4),
                     f"2024-01-02 03:04:{i:02d}"] for i in range(10)]
    # The intermediate object stays in the bucket, as AWS leaves it.
    staged = objects(s3, bucket, "stage/")
    assert staged and b"".join(staged.values()).count(b'"id"') == 10


def test_source_record_backup(firehose, s3, pg):
    """S3BackupMode Enabled: the records as put also go to the backup bucket."""
    t = table(pg, "id int")
    bucket, backup = make_bucket(s3), make_bucket(s3)
    name = sup.unique_name("fhrsbk")
    config = redshift_config(pg, bucket, t, "id", "JSON 'auto'", S3BackupMode="Enabled",
                             S3BackupConfiguration={"RoleARN": ROLE, "BucketARN": f"arn:aws:s3:::{backup}",
                                                    "Prefix": "source/",
                                                    "BufferingHints": {"IntervalInSeconds": 0, "SizeInMBs": 1}})
    firehose.create_delivery_stream(DeliveryStreamName=name, DeliveryStreamType="DirectPut",
                                    RedshiftDestinationConfiguration=config)
    wait_active(firehose, name)
    records = [json.dumps({"id": i}).encode() for i in range(5)]
    firehose.put_record_batch(DeliveryStreamName=name, Records=[{"Data": r} for r in records])
    wait_for("5 rows", lambda: len(psql(pg, f"SELECT id FROM {t}")) >= 5)
    got = wait_for("the backup", lambda: (o := objects(s3, backup, "source/")) and
                   len(b"".join(o.values())) >= len(b"".join(records)) and o)
    assert sorted(b"".join(got.values()).replace(b"}{", b"}\n{").split(b"\n")) == sorted(records)
    d = firehose.describe_delivery_stream(DeliveryStreamName=name)["DeliveryStreamDescription"]
    described = d["Destinations"][0]["RedshiftDestinationDescription"]
    assert described["S3BackupMode"] == "Enabled"
    assert described["S3BackupDescription"]["BucketARN"] == f"arn:aws:s3:::{backup}"


def test_failed_load_writes_a_manifest(firehose, s3, pg):
    bucket = make_bucket(s3)
    name = sup.unique_name("fhrs")
    firehose.create_delivery_stream(
        DeliveryStreamName=name, DeliveryStreamType="DirectPut",
        RedshiftDestinationConfiguration=redshift_config(pg, bucket, "no_such_table", "a", "JSON 'auto'",
                                                         RetryOptions={"DurationInSeconds": 0}))
    wait_active(firehose, name)
    firehose.put_record(DeliveryStreamName=name, Record={"Data": b'{"a": 1}'})
    manifests = wait_for("a manifest", lambda: objects(s3, bucket, "stage/errors/manifests/") or None)
    ((key, body),) = manifests.items()
    entries = json.loads(body)["entries"]
    assert len(entries) == 1 and entries[0]["mandatory"] is True
    url = entries[0]["url"]
    assert url.startswith(f"s3://{bucket}/stage/"), url
    staged_key = url[len(f"s3://{bucket}/"):]
    assert objects(s3, bucket, staged_key)[staged_key] == b'{"a": 1}'


def test_csv_gzip_with_the_aws_cli(s3, pg):
    cli = sup.find_aws_cli()
    if not cli:
        pytest.skip("the AWS CLI is not installed")
    aws, out = sup.aws_service_cli(cli, "firehose")
    t = table(pg, "id int, city text, note text")
    bucket = make_bucket(s3)
    name = sup.unique_name("fhrscli")
    config = redshift_config(pg, bucket, t, "id,city,note", "CSV GZIP EMPTYASNULL")
    config["S3Configuration"]["CompressionFormat"] = "GZIP"
    aws("create-delivery-stream", "--delivery-stream-name", name, "--delivery-stream-type", "DirectPut",
        "--redshift-destination-configuration", json.dumps(config))
    wait_active(client("firehose"), name)
    lines = ['1,"Paris, France",hello\n', "2,Oslo,\n", '3,"Quote ""here""",x\n']
    args = sup.firehose_blob_args(cli, "--records", lines)
    assert out("put-record-batch", "--delivery-stream-name", name, *args)["FailedPutCount"] == 0
    rows = wait_for("3 rows", lambda: (r := psql(pg, f"SELECT id, city, coalesce(note, '<null>') FROM {t} "
                                                      "ORDER BY id")) and len(r) >= 3 and r)
    assert rows == [["1", "Paris, France", "hello"], ["2", "Oslo", "<null>"], ["3", 'Quote "here"', "x"]]


def test_kill9_while_loading_loses_nothing(tmp_path, pg):
    """SIGKILL while batches are being loaded, twice; after the restart
    every acknowledged record is a row (at-least-once: a load whose commit
    was not checkpointed may be loaded again, so ids are counted distinct)."""
    t = table(pg, "id int, pad text")
    server = sup.RunnelServer(data_dir=str(tmp_path / "data")).start()
    try:
        bucket = make_bucket(client("s3", server.url))
        fh = client("firehose", server.url)
        name = sup.unique_name("fhrskill")
        fh.create_delivery_stream(DeliveryStreamName=name, DeliveryStreamType="DirectPut",
                                  RedshiftDestinationConfiguration=redshift_config(pg, bucket, t, "id,pad",
                                                                                   "JSON 'auto'"))
        wait_active(fh, name)
        acked = set()
        n = 0
        for _ in range(2):
            for _ in range(10):
                batch = list(range(n, n + 200))
                out = client("firehose", server.url).put_record_batch(
                    DeliveryStreamName=name,
                    Records=[{"Data": json.dumps({"id": i, "pad": "p" * 500}).encode()} for i in batch])
                acked.update(i for i, r in zip(batch, out["RequestResponses"]) if "RecordId" in r)
                n += 200
            server.kill9()
            server.start()
        got = wait_for("every acknowledged id", lambda: (
            ids := {int(r[0]) for r in psql(pg, f"SELECT DISTINCT id FROM {t}")}) >= acked and ids, 60)
        assert acked <= got
    finally:
        server.kill9()
