"""Helpers for the Glue Data Catalog suites (test_glue.py, test_glue_cli.py)."""
from __future__ import annotations

import boto3
from botocore.config import Config

import e2e_support as sup


def client(url: str | None = None, validate: bool = True):
    """A boto3 `glue` client bound to the server under test (one attempt per call)."""
    config = Config(region_name=sup.REGION, retries={"total_max_attempts": 1, "mode": "standard"},
                    parameter_validation=validate, connect_timeout=5, read_timeout=30)
    return boto3.client("glue", endpoint_url=url or sup.endpoint(), aws_access_key_id="AKIDEXAMPLE",
                        aws_secret_access_key="dummy-secret", config=config)


def error(excinfo) -> tuple[str, str, int]:
    """(code, message, HTTP status) of a ClientError."""
    resp = excinfo.value.response
    return resp["Error"]["Code"], resp["Error"].get("Message", ""), resp["ResponseMetadata"]["HTTPStatusCode"]


def db_name(prefix: str = "e2e") -> str:
    return sup.unique_name(prefix).replace("-", "_")


def table_input(name: str, columns=(("id", "int"),), description: str | None = None, **extra) -> dict:
    ti = {"Name": name,
          "StorageDescriptor": {"Columns": [{"Name": n, "Type": t} for n, t in columns],
                                "Location": f"s3://bucket/{name}/"},
          **extra}
    if description is not None:
        ti["Description"] = description
    return ti
