"""Helpers for the Kinesis Video Streams suite (test_video_api.py)."""
from __future__ import annotations

import boto3
from botocore.config import Config

import e2e_support as sup


def client(url: str | None = None, validate: bool = True):
    """A boto3 `kinesisvideo` client bound to the server under test (one attempt per call)."""
    config = Config(region_name=sup.REGION, retries={"total_max_attempts": 1, "mode": "standard"},
                    parameter_validation=validate, connect_timeout=5, read_timeout=30)
    return boto3.client("kinesisvideo", endpoint_url=url or sup.endpoint(), aws_access_key_id="AKIDEXAMPLE",
                        aws_secret_access_key="dummy-secret", config=config)


def error(excinfo) -> tuple[str, str, int]:
    """(code, message, HTTP status) of a ClientError."""
    resp = excinfo.value.response
    return resp["Error"]["Code"], resp["Error"].get("Message", ""), resp["ResponseMetadata"]["HTTPStatusCode"]


def wait_active(kv, name: str, timeout: float = 15.0) -> dict:
    """DescribeStream until the stream is ACTIVE; its StreamInfo."""
    return sup.wait_for(f"video stream {name} ACTIVE",
                        lambda: (lambda i: i if i["Status"] == "ACTIVE" else None)(
                            kv.describe_stream(StreamName=name)["StreamInfo"]),
                        timeout=timeout, pause=0.05)
