"""The TLS listener end to end: boto3 over HTTPS (HTTP/1.1 over TLS, ALPN
http/1.1), including a SubscribeToShard event stream. run.sh gives the shared
server a throw-away certificate for 127.0.0.1 (RUNNEL_E2E_TLS_CERT) and its
address (RUNNEL_E2E_TLS_ENDPOINT); the client trusts exactly that certificate.
"""

import os
import threading
import time

import boto3
import pytest
from botocore.config import Config

from e2e_support import REGION, unique_name, wait_active

TLS_ENDPOINT = os.environ.get("RUNNEL_E2E_TLS_ENDPOINT")
TLS_CERT = os.environ.get("RUNNEL_E2E_TLS_CERT")

pytestmark = pytest.mark.skipif(not TLS_ENDPOINT or not TLS_CERT,
                                reason="run.sh provides RUNNEL_E2E_TLS_ENDPOINT and RUNNEL_E2E_TLS_CERT")


def tls_client(verify):
    return boto3.client(
        "kinesis", endpoint_url=TLS_ENDPOINT, region_name=REGION, verify=verify,
        aws_access_key_id="AKIDEXAMPLE", aws_secret_access_key="dummy-secret",
        config=Config(retries={"total_max_attempts": 1}, connect_timeout=5, read_timeout=30))


def test_untrusted_certificate_is_refused_by_the_client():
    # The listener really speaks TLS with our certificate: a client that
    # trusts only the system CAs must fail the handshake.
    client = tls_client(verify=True)
    with pytest.raises(Exception) as excinfo:
        client.list_streams()
    assert "SSL" in repr(excinfo.value) or "certificate" in repr(excinfo.value).lower()


def test_records_and_subscription_over_tls():
    client = tls_client(verify=TLS_CERT)
    name = unique_name("tls")
    client.create_stream(StreamName=name, ShardCount=1)
    summary = wait_active(client, name)
    arn = summary["StreamARN"] if "StreamARN" in summary else \
        client.describe_stream_summary(StreamName=name)["StreamDescriptionSummary"]["StreamARN"]
    put = client.put_record(StreamName=name, Data=b"over-tls-1", PartitionKey="k")
    it = client.get_shard_iterator(StreamName=name, ShardId=put["ShardId"],
                                   ShardIteratorType="TRIM_HORIZON")["ShardIterator"]
    assert [r["Data"] for r in client.get_records(ShardIterator=it)["Records"]] == [b"over-tls-1"]

    consumer = client.register_stream_consumer(StreamARN=arn, ConsumerName="tls-reader")["Consumer"]
    deadline = time.time() + 10
    while client.describe_stream_consumer(ConsumerARN=consumer["ConsumerARN"])[
            "ConsumerDescription"]["ConsumerStatus"] != "ACTIVE":
        assert time.time() < deadline, "consumer never became ACTIVE"
        time.sleep(0.1)
    sub = client.subscribe_to_shard(ConsumerARN=consumer["ConsumerARN"], ShardId=put["ShardId"],
                                    StartingPosition={"Type": "TRIM_HORIZON"})
    threading.Timer(0.3, lambda: client.put_record(StreamName=name, Data=b"over-tls-2",
                                                   PartitionKey="k")).start()
    seen = []
    for event in sub["EventStream"]:
        seen += [r["Data"] for r in event["SubscribeToShardEvent"]["Records"]]
        if len(seen) >= 2:
            break
    sub["EventStream"].close()
    assert seen == [b"over-tls-1", b"over-tls-2"]
    client.delete_stream(StreamName=name, EnforceConsumerDeletion=True)
