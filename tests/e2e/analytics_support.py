"""Helpers for the Kinesis Data Analytics suites (test_analytics_api.py, test_analytics_cli.py)."""
from __future__ import annotations

import time

import boto3
from botocore.config import Config

import e2e_support as sup

ROLE = f"arn:aws:iam::{sup.ACCOUNT}:role/kda"


def client(url: str | None = None, validate: bool = True, service: str = "kinesisanalytics"):
    """A boto3 client bound to the server under test (one attempt per call)."""
    config = Config(region_name=sup.REGION, retries={"total_max_attempts": 1, "mode": "standard"},
                    parameter_validation=validate, connect_timeout=5, read_timeout=30,
                    s3={"addressing_style": "path"})
    return boto3.client(service, endpoint_url=url or sup.endpoint(), aws_access_key_id="AKIDEXAMPLE",
                        aws_secret_access_key="dummy-secret", config=config)


def error(excinfo) -> tuple[str, str, int]:
    """(code, message, HTTP status) of a ClientError."""
    resp = excinfo.value.response
    return resp["Error"]["Code"], resp["Error"].get("Message", ""), resp["ResponseMetadata"]["HTTPStatusCode"]


def app_name(prefix: str = "kda") -> str:
    return sup.unique_name(prefix)


def app_arn(name: str) -> str:
    return f"arn:aws:kinesisanalytics:{sup.REGION}:{sup.ACCOUNT}:application/{name}"


def json_schema(columns=(("TICKER", "$.ticker", "VARCHAR(4)"), ("PRICE", "$.price", "REAL"))) -> dict:
    return {"RecordFormat": {"RecordFormatType": "JSON",
                             "MappingParameters": {"JSONMappingParameters": {"RecordRowPath": "$"}}},
            "RecordEncoding": "UTF-8",
            "RecordColumns": [{"Name": n, "Mapping": m, "SqlType": t} for n, m, t in columns]}


def kinesis_input(stream: str, prefix: str = "SOURCE_SQL_STREAM", parallelism: int = 1) -> dict:
    return {"NamePrefix": prefix,
            "KinesisStreamsInput": {"ResourceARN": sup.stream_arn(stream), "RoleARN": ROLE},
            "InputParallelism": {"Count": parallelism},
            "InputSchema": json_schema()}


def kinesis_output(stream: str, name: str = "DESTINATION_SQL_STREAM", fmt: str = "JSON") -> dict:
    return {"Name": name, "KinesisStreamsOutput": {"ResourceARN": sup.stream_arn(stream), "RoleARN": ROLE},
            "DestinationSchema": {"RecordFormatType": fmt}}


def create_stream(kinesis, name: str, shards: int = 1) -> str:
    kinesis.create_stream(StreamName=name, ShardCount=shards)
    sup.wait_active(kinesis, name)
    return name


def wait_status(kda, name: str, status: str, timeout: float = 15.0) -> dict:
    """Polls DescribeApplication until ApplicationStatus is `status`; returns the detail."""
    deadline = time.monotonic() + timeout
    while True:
        d = kda.describe_application(ApplicationName=name)["ApplicationDetail"]
        if d["ApplicationStatus"] == status:
            return d
        if time.monotonic() > deadline:
            raise AssertionError(f"{name} is {d['ApplicationStatus']}, not {status}, after {timeout}s")
        time.sleep(0.1)


def version(kda, name: str) -> int:
    return kda.describe_application(ApplicationName=name)["ApplicationDetail"]["ApplicationVersionId"]
