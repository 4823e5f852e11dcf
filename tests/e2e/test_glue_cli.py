"""`aws glue ...` as a user types it (the AWS CLI on PATH, v1 or v2):
create-database, create-table --table-input file://..., get-table(s),
update-table, table versions, deletes, and refusals with AWS's error codes on
stderr.
"""
from __future__ import annotations

import json

import pytest

import e2e_support as sup
import glue_support as gs


CLI = sup.find_aws_cli()
pytestmark = pytest.mark.skipif(CLI is None, reason="no aws CLI installed")
aws, out = sup.aws_service_cli(CLI, "glue")


def test_cli_catalog_round_trip(tmp_path):
    db = gs.db_name("cli")
    aws("create-database", "--database-input", json.dumps({"Name": db, "Description": "from the CLI"}))
    assert out("get-database", "--name", db)["Database"]["Description"] == "from the CLI"

    table = {
        "Name": "clicks",
        "TableType": "EXTERNAL_TABLE",
        "Parameters": {"classification": "parquet"},
        "StorageDescriptor": {
            "Columns": [{"Name": "user_id", "Type": "bigint", "Comment": "who"},
                        {"Name": "url", "Type": "string"},
                        {"Name": "props", "Type": "map<string,string>"}],
            "Location": "s3://bucket/clicks/",
            "InputFormat": "org.apache.hadoop.hive.ql.io.parquet.MapredParquetInputFormat",
            "OutputFormat": "org.apache.hadoop.hive.ql.io.parquet.MapredParquetOutputFormat",
            "SerdeInfo": {"SerializationLibrary":
                          "org.apache.hadoop.hive.ql.io.parquet.serde.ParquetHiveSerDe"},
        },
        "PartitionKeys": [{"Name": "dt", "Type": "string"}],
    }
    path = tmp_path / "table.json"
    path.write_text(json.dumps(table))
    aws("create-table", "--database-name", db, "--table-input", f"file://{path}")
    t = out("get-table", "--database-name", db, "--name", "clicks")["Table"]
    assert t["StorageDescriptor"]["Columns"] == table["StorageDescriptor"]["Columns"]
    assert t["PartitionKeys"] == table["PartitionKeys"]
    assert t["VersionId"] == "0"
    assert t["CreateTime"]  # ISO 8601 (CLI v2) or epoch seconds (v1)

    table["StorageDescriptor"]["Columns"].append({"Name": "ts", "Type": "timestamp"})
    path.write_text(json.dumps(table))
    aws("update-table", "--database-name", db, "--table-input", f"file://{path}")
    listed = out("get-tables", "--database-name", db, "--expression", "click*")["TableList"]
    assert [x["Name"] for x in listed] == ["clicks"]
    assert listed[0]["VersionId"] == "1"
    assert [v["VersionId"] for v in out("get-table-versions", "--database-name", db,
                                        "--table-name", "clicks")["TableVersions"]] == ["1", "0"]
    v0 = out("get-table-version", "--database-name", db, "--table-name", "clicks", "--version-id", "0")
    assert len(v0["TableVersion"]["Table"]["StorageDescriptor"]["Columns"]) == 3
    aws("delete-table-version", "--database-name", db, "--table-name", "clicks", "--version-id", "0")
    assert out("batch-delete-table-version", "--database-name", db, "--table-name", "clicks",
               "--version-ids", "5")["Errors"][0]["ErrorDetail"]["ErrorCode"] == "EntityNotFoundException"
    # The CLI pages get-databases for us (--page-size sets MaxResults).
    names = [d["Name"] for d in out("get-databases", "--page-size", "1")["DatabaseList"]]
    assert db in names

    refused = aws("create-table", "--database-name", db, "--table-input", f"file://{path}", check=False)
    assert refused.returncode != 0
    assert "AlreadyExistsException" in refused.stderr and "Table already exists." in refused.stderr
    assert out("batch-delete-table", "--database-name", db, "--tables-to-delete", "clicks")["Errors"] == []
    missing = aws("get-table", "--database-name", db, "--name", "clicks", check=False)
    assert missing.returncode != 0
    assert "EntityNotFoundException" in missing.stderr and "Table clicks not found." in missing.stderr

    aws("update-database", "--name", db, "--database-input", json.dumps({"Name": db, "Description": "changed"}))
    assert out("get-database", "--name", db)["Database"]["Description"] == "changed"
    aws("delete-database", "--name", db)
    gone = aws("get-database", "--name", db, check=False)
    assert gone.returncode != 0 and f"Database {db} not found." in gone.stderr


def test_cli_unserved_operation():
    proc = aws("get-partitions", "--database-name", "d", "--table-name", "t", check=False)
    assert proc.returncode != 0
    assert "InvalidInputException" in proc.stderr
    assert "runnel does not serve the Glue operation GetPartitions" in proc.stderr
