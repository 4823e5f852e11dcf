"""StartStreamEncryption / StopStreamEncryption with boto3 (docs/encryption.md).

The control-plane tests use the shared server. test_encrypted_at_rest starts
its own server so it can look at the bytes under its data dir: a distinctive
payload and partition key written while encryption is on must not be there in
clear, one written before must be; and every record stays readable through
GetRecords, also after a restart.
"""
from __future__ import annotations

import os
import stat
import uuid

import pytest
from botocore.exceptions import ClientError

import e2e_support as sup

ALIAS = "alias/aws/kinesis"
KEY_ARN = "arn:aws:kms:us-east-1:123456789012:key/12345678-1234-1234-1234-123456789012"


@pytest.fixture(scope="module")
def client():
    return sup.make_client()


def new_stream(client, shards: int = 1) -> str:
    name = sup.unique_name("enc")
    client.create_stream(StreamName=name, ShardCount=shards)
    sup.wait_active(client, name)
    return name


def summary(client, name: str) -> dict:
    return client.describe_stream_summary(StreamName=name)["StreamDescriptionSummary"]


def read_shard(client, name: str, shard_id: str = "shardId-000000000000") -> list[dict]:
    it = client.get_shard_iterator(StreamName=name, ShardId=shard_id,
                                   ShardIteratorType="TRIM_HORIZON")["ShardIterator"]
    out = client.get_records(ShardIterator=it, Limit=10000)
    return out["Records"]


def test_start_and_stop_are_reported_by_describe(client):
    name = new_stream(client)
    assert summary(client, name)["EncryptionType"] == "NONE"
    assert "KeyId" not in summary(client, name)

    client.start_stream_encryption(StreamName=name, EncryptionType="KMS", KeyId=ALIAS)
    s = sup.wait_active(client, name)
    assert s["EncryptionType"] == "KMS"
    assert s["KeyId"] == ALIAS
    desc = client.describe_stream(StreamName=name)["StreamDescription"]
    assert desc["EncryptionType"] == "KMS"
    assert desc["KeyId"] == ALIAS
    put = client.put_record(StreamName=name, PartitionKey="p", Data=b"x")
    assert put["EncryptionType"] == "KMS"
    batch = client.put_records(StreamName=name, Records=[{"PartitionKey": "p", "Data": b"y"}])
    assert batch["EncryptionType"] == "KMS"

    # A second Start changes the key; by ARN works like by name.
    client.start_stream_encryption(StreamARN=sup.stream_arn(name), EncryptionType="KMS", KeyId=KEY_ARN)
    assert sup.wait_active(client, name)["KeyId"] == KEY_ARN

    client.stop_stream_encryption(StreamName=name, EncryptionType="KMS", KeyId=KEY_ARN)
    s = sup.wait_active(client, name)
    assert s["EncryptionType"] == "NONE"
    assert "KeyId" not in s
    put = client.put_record(StreamName=name, PartitionKey="p", Data=b"z")
    assert "EncryptionType" not in put
    client.delete_stream(StreamName=name)


@pytest.mark.parametrize("key_id", [
    ALIAS,
    "alias/MyAliasName",
    "12345678-1234-1234-1234-123456789012",
    "mrk-1234abcd12ab34cd56ef1234567890ab",
    KEY_ARN,
    "arn:aws:kms:us-east-1:123456789012:alias/MyAliasName",
])
def test_every_documented_key_id_form_is_accepted(client, key_id):
    name = new_stream(client)
    client.start_stream_encryption(StreamName=name, EncryptionType="KMS", KeyId=key_id)
    assert sup.wait_active(client, name)["KeyId"] == key_id
    client.delete_stream(StreamName=name)


@pytest.mark.parametrize("key_id,message", [
    ("my-key", "Received KeyId is not a properly formatted Alias or GUID"),
    ("aws/kinesis", "Received KeyId is not a properly formatted Alias or GUID"),
    ("arn:aws:kms:us-east-1:123456789012:key/not-a-uuid", "Received KeyId ARN is not a properly formatted ARN"),
])
def test_malformed_key_id_is_rejected(client, key_id, message):
    name = new_stream(client)
    with pytest.raises(ClientError) as e:
        client.start_stream_encryption(StreamName=name, EncryptionType="KMS", KeyId=key_id)
    assert sup.error_of(e) == ("InvalidArgumentException", message)
    assert summary(client, name)["EncryptionType"] == "NONE"
    client.delete_stream(StreamName=name)


def test_errors_of_start_and_stop(client):
    name = new_stream(client)
    for op in (client.start_stream_encryption, client.stop_stream_encryption):
        with pytest.raises(ClientError) as e:
            op(StreamName=name, EncryptionType="NONE", KeyId=ALIAS)
        assert sup.error_of(e) == ("InvalidArgumentException", "KMS is the only valid EncryptionType for this request")
        with pytest.raises(ClientError) as e:
            op(StreamName=name + "-missing", EncryptionType="KMS", KeyId=ALIAS)
        assert sup.error_of(e) == ("ResourceNotFoundException", sup.not_found_message(name + "-missing"))

    # Stop on a stream that is not encrypted changes nothing.
    client.stop_stream_encryption(StreamName=name, EncryptionType="KMS", KeyId=ALIAS)
    assert summary(client, name)["EncryptionType"] == "NONE"

    client.start_stream_encryption(StreamName=name, EncryptionType="KMS", KeyId=ALIAS)
    sup.wait_active(client, name)
    with pytest.raises(ClientError) as e:
        client.stop_stream_encryption(StreamName=name, EncryptionType="KMS", KeyId=KEY_ARN)
    assert sup.error_of(e) == (
        "InvalidArgumentException",
        f"KeyId {KEY_ARN} does not match the KeyId {ALIAS} that stream {name} under account "
        f"{sup.ACCOUNT} is encrypted with.")
    assert summary(client, name)["EncryptionType"] == "KMS"
    client.delete_stream(StreamName=name)


def test_stream_must_be_active():
    server = sup.RunnelServer(extra_args=["--update-stream-ms", "3000"]).start()
    try:
        client = sup.make_client(server.url)
        name = new_stream(client)
        client.start_stream_encryption(StreamName=name, EncryptionType="KMS", KeyId=ALIAS)
        assert summary(client, name)["StreamStatus"] == "UPDATING"
        for op in (client.start_stream_encryption, client.stop_stream_encryption):
            with pytest.raises(ClientError) as e:
                op(StreamName=name, EncryptionType="KMS", KeyId=ALIAS)
            assert sup.error_of(e) == (
                "ResourceInUseException",
                f"Stream {name} under account {sup.ACCOUNT} not ACTIVE, instead in state UPDATING")
        # Writes go on while UPDATING.
        assert client.put_record(StreamName=name, PartitionKey="p", Data=b"x")["EncryptionType"] == "KMS"
        assert sup.wait_active(client, name)["EncryptionType"] == "KMS"
    finally:
        assert server.terminate() == 0, server.log_tail()


def data_dir_bytes(root: str) -> bytes:
    chunks = []
    for dirpath, _, files in os.walk(root):
        for f in files:
            with open(os.path.join(dirpath, f), "rb") as fh:
                chunks.append(fh.read())
    return b"".join(chunks)


def test_encrypted_at_rest_and_readable_before_during_after():
    server = sup.RunnelServer(extra_args=["--fsync", "always"]).start()
    try:
        client = sup.make_client(server.url)
        name = new_stream(client, shards=2)
        tag = uuid.uuid4().hex
        before = ("clear-key-" + tag, b"PLAINTEXT-BEFORE-" + tag.encode())
        during = [("secret-key-" + tag, b"SECRET-DURING-" + tag.encode()),
                  ("secret-key2-" + tag, b"SECRET-DURING-ARN-" + tag.encode())]
        after = ("after-key-" + tag, b"PLAINTEXT-AFTER-" + tag.encode())

        client.put_record(StreamName=name, PartitionKey=before[0], Data=before[1])
        client.start_stream_encryption(StreamName=name, EncryptionType="KMS", KeyId=ALIAS)
        sup.wait_active(client, name)
        client.put_record(StreamName=name, PartitionKey=during[0][0], Data=during[0][1])
        client.start_stream_encryption(StreamName=name, EncryptionType="KMS", KeyId=KEY_ARN)
        sup.wait_active(client, name)
        out = client.put_records(StreamName=name, Records=[{"PartitionKey": during[1][0], "Data": during[1][1]}])
        assert out["FailedRecordCount"] == 0
        client.stop_stream_encryption(StreamName=name, EncryptionType="KMS", KeyId=KEY_ARN)
        sup.wait_active(client, name)
        client.put_record(StreamName=name, PartitionKey=after[0], Data=after[1])

        def check_readable():
            got = {}
            for shard in client.list_shards(StreamName=name)["Shards"]:
                for r in read_shard(client, name, shard["ShardId"]):
                    got[r["PartitionKey"]] = (r["Data"], r.get("EncryptionType"))
            assert got[before[0]] == (before[1], None)
            assert got[during[0][0]] == (during[0][1], "KMS")
            assert got[during[1][0]] == (during[1][1], "KMS")
            assert got[after[0]] == (after[1], None)

        check_readable()

        key_file = os.path.join(server.data_dir, "kms.key")
        st = os.stat(key_file)
        assert stat.S_IMODE(st.st_mode) == 0o600
        assert st.st_size == 32

        raw = data_dir_bytes(server.data_dir)
        assert before[1] in raw and before[0].encode() in raw, "the plaintext record should be stored as is"
        assert after[1] in raw
        for key, data in during:
            assert data not in raw, "a record written while encryption was on is stored in clear"
            assert key.encode() not in raw, "its partition key is stored in clear"

        assert server.terminate() == 0, server.log_tail()
        server.start()
        client = sup.make_client(server.url)
        check_readable()
        assert summary(client, name)["EncryptionType"] == "NONE"
    finally:
        server.terminate()
