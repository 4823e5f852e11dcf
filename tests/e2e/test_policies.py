"""boto3 against runnel: PutResourcePolicy / GetResourcePolicy / DeleteResourcePolicy
on stream and consumer ARNs (ops_policy.cc)."""
from __future__ import annotations

import json

import pytest
from botocore.exceptions import ClientError

import e2e_support as sup
from e2e_support import ACCOUNT, error_of


def policy_for(arn: str) -> str:
    # Deliberately unusual spacing: it must come back byte for byte.
    return ('{"Version":"2012-10-17",  "Statement":[{"Sid":"x","Effect":"Allow",'
            '"Principal":{"AWS":"arn:aws:iam::111122223333:root"},'
            '"Action":["kinesis:GetRecords"],"Resource":"' + arn + '"}]}')


def test_stream_policy_round_trip(kinesis, make_stream):
    name = make_stream(1)
    arn = sup.stream_arn(name)
    assert kinesis.get_resource_policy(ResourceARN=arn)["Policy"] == "{}"
    policy = policy_for(arn)
    kinesis.put_resource_policy(ResourceARN=arn, Policy=policy)
    assert kinesis.get_resource_policy(ResourceARN=arn)["Policy"] == policy
    replacement = json.dumps({"Statement": {"Effect": "Deny", "Principal": "*", "Action": "kinesis:*"}})
    kinesis.put_resource_policy(ResourceARN=arn, Policy=replacement)
    assert kinesis.get_resource_policy(ResourceARN=arn)["Policy"] == replacement
    kinesis.delete_resource_policy(ResourceARN=arn)
    assert kinesis.get_resource_policy(ResourceARN=arn)["Policy"] == "{}"
    kinesis.delete_resource_policy(ResourceARN=arn)   # nothing attached: still fine


def test_consumer_policy_is_separate_from_the_streams(kinesis, make_stream):
    name = make_stream(1)
    arn = sup.stream_arn(name)
    consumer = kinesis.register_stream_consumer(StreamARN=arn, ConsumerName="c1")["Consumer"]["ConsumerARN"]
    for _ in range(200):
        d = kinesis.describe_stream_consumer(ConsumerARN=consumer)["ConsumerDescription"]
        if d["ConsumerStatus"] == "ACTIVE":
            break
    policy = policy_for(consumer)
    kinesis.put_resource_policy(ResourceARN=consumer, Policy=policy)
    assert kinesis.get_resource_policy(ResourceARN=consumer)["Policy"] == policy
    assert kinesis.get_resource_policy(ResourceARN=arn)["Policy"] == "{}"
    kinesis.delete_resource_policy(ResourceARN=consumer)
    assert kinesis.get_resource_policy(ResourceARN=consumer)["Policy"] == "{}"


@pytest.mark.parametrize("bad", ["not json", "[]", "{}", '{"Version":"2012-10-17"}',
                                 '{"Statement":[{"Effect":"Allow","Action":"kinesis:*"}]}',
                                 '{"Version":"1999-01-01","Statement":[]}'])
def test_malformed_policies_are_refused(kinesis, make_stream, bad):
    name = make_stream(1)
    with pytest.raises(ClientError) as e:
        kinesis.put_resource_policy(ResourceARN=sup.stream_arn(name), Policy=bad)
    code, message = error_of(e)
    assert code == "InvalidArgumentException"
    assert message.startswith("Invalid policy document: ")


def test_policy_on_a_missing_stream(kinesis):
    arn = sup.stream_arn("no-such-stream-p")
    for call in (lambda: kinesis.get_resource_policy(ResourceARN=arn),
                 lambda: kinesis.put_resource_policy(ResourceARN=arn, Policy=policy_for(arn)),
                 lambda: kinesis.delete_resource_policy(ResourceARN=arn)):
        with pytest.raises(ClientError) as e:
            call()
        assert error_of(e) == ("ResourceNotFoundException", sup.not_found_message("no-such-stream-p"))


@pytest.mark.timeout_seconds(60)
def test_policies_survive_a_restart():
    server = sup.RunnelServer().start()
    try:
        k = sup.make_client(server.url)
        k.create_stream(StreamName="p", ShardCount=1)
        sup.wait_active(k, "p")
        arn = sup.stream_arn("p")
        policy = policy_for(arn)
        k.put_resource_policy(ResourceARN=arn, Policy=policy)
        assert server.terminate() == 0
        server.start()
        assert k.get_resource_policy(ResourceARN=arn)["Policy"] == policy
    finally:
        if server.proc and server.proc.poll() is None:
            server.terminate()
