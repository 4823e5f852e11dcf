"""Firehose's control plane with boto3's `firehose` client against the real binary.

Every one of the 12 operations of Firehose_20150804, AWS's defaults in
DescribeDeliveryStream, UpdateDestination's versions, merge and replacement,
encryption transitions, tag paging, a KinesisStreamAsSource stream over a
runnel Data Streams stream, and bad input getting AWS's exception types.
Delivery itself (objects, names, compression) is test_firehose_delivery.py's;
here records are checked by their RecordIds, and the destination bucket
exists (the engine checks it before CREATING becomes ACTIVE).
"""
from __future__ import annotations

import time

import boto3
import pytest
from botocore.config import Config
from botocore.exceptions import ClientError

import e2e_support as sup

ROLE = f"arn:aws:iam::{sup.ACCOUNT}:role/firehose"
BUCKET = "arn:aws:s3:::firehose-e2e"


def make_firehose(validate: bool = True):
    config = Config(region_name=sup.REGION, retries={"total_max_attempts": 1, "mode": "standard"},
                    parameter_validation=validate, connect_timeout=5, read_timeout=30)
    return boto3.client("firehose", endpoint_url=sup.endpoint(), aws_access_key_id="AKIDEXAMPLE",
                        aws_secret_access_key="dummy-secret", config=config)


@pytest.fixture(scope="module", autouse=True)
def destination_bucket():
    """The bucket BUCKET names, in runnel's embedded S3 store."""
    s3 = boto3.client("s3", endpoint_url=sup.endpoint(), region_name=sup.REGION, aws_access_key_id="AKIDEXAMPLE",
                      aws_secret_access_key="dummy-secret", config=Config(s3={"addressing_style": "path"}))
    try:
        s3.create_bucket(Bucket=BUCKET.split(":::")[1])
    except s3.exceptions.BucketAlreadyOwnedByYou:
        pass


@pytest.fixture(scope="module")
def fh():
    return make_firehose()


@pytest.fixture(scope="module")
def fh_raw():
    return make_firehose(validate=False)


def s3_config(**extra):
    return {"RoleARN": ROLE, "BucketARN": BUCKET, **extra}


def wait_status(fh, name: str, status: str = "ACTIVE", timeout: float = 15.0) -> dict:
    deadline = time.monotonic() + timeout
    while True:
        d = fh.describe_delivery_stream(DeliveryStreamName=name)["DeliveryStreamDescription"]
        if d["DeliveryStreamStatus"] == status:
            return d
        if time.monotonic() > deadline:
            raise AssertionError(f"{name} still {d['DeliveryStreamStatus']} after {timeout}s")
        time.sleep(0.05)


def wait_gone(fh, name: str, timeout: float = 15.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            fh.describe_delivery_stream(DeliveryStreamName=name)
        except ClientError as e:
            if e.response["Error"]["Code"] == "ResourceNotFoundException":
                return
            raise
        time.sleep(0.05)
    raise AssertionError(f"{name} still exists")


@pytest.fixture
def make_delivery_stream(fh):
    created: list[str] = []

    def factory(**kwargs) -> str:
        name = kwargs.pop("name", None) or sup.unique_name("fh")
        if not any(k.endswith("DestinationConfiguration") for k in kwargs):
            kwargs["ExtendedS3DestinationConfiguration"] = s3_config()
        fh.create_delivery_stream(DeliveryStreamName=name, **kwargs)
        created.append(name)
        wait_status(fh, name)
        return name

    yield factory
    for name in created:
        try:
            fh.delete_delivery_stream(DeliveryStreamName=name)
        except ClientError:
            pass


def code_of(excinfo) -> str:
    return excinfo.value.response["Error"]["Code"]


def test_create_describe_defaults(fh, make_delivery_stream):
    name = make_delivery_stream()
    d = fh.describe_delivery_stream(DeliveryStreamName=name)["DeliveryStreamDescription"]
    assert d["DeliveryStreamARN"] == f"arn:aws:firehose:{sup.REGION}:{sup.ACCOUNT}:deliverystream/{name}"
    assert d["DeliveryStreamType"] == "DirectPut"
    assert d["VersionId"] == "1"
    assert d["DeliveryStreamEncryptionConfiguration"]["Status"] == "DISABLED"
    assert d["HasMoreDestinations"] is False
    dest = d["Destinations"][0]
    assert dest["DestinationId"] == "destinationId-000000000001"
    ext = dest["ExtendedS3DestinationDescription"]
    assert ext["BufferingHints"] == {"SizeInMBs": 5, "IntervalInSeconds": 300}
    assert ext["CompressionFormat"] == "UNCOMPRESSED"
    assert ext["EncryptionConfiguration"] == {"NoEncryptionConfig": "NoEncryption"}
    assert ext["CloudWatchLoggingOptions"] == {"Enabled": False}
    assert ext["S3BackupMode"] == "Disabled"


def test_legacy_s3_is_described_both_ways(fh, make_delivery_stream):
    name = make_delivery_stream(S3DestinationConfiguration=s3_config())
    dest = fh.describe_delivery_stream(DeliveryStreamName=name)["DeliveryStreamDescription"]["Destinations"][0]
    assert "S3DestinationDescription" in dest and "ExtendedS3DestinationDescription" in dest


def test_describe_paging_of_destinations(fh, make_delivery_stream):
    name = make_delivery_stream()
    d = fh.describe_delivery_stream(DeliveryStreamName=name, Limit=1,
                                    ExclusiveStartDestinationId="destinationId-000000000001")
    assert d["DeliveryStreamDescription"]["Destinations"] == []


def test_list_delivery_streams(fh, make_delivery_stream):
    names = sorted(make_delivery_stream(name=f"fhlist-{i}-{sup.unique_name('x')}") for i in range(3))
    listed = []
    start = None
    while True:
        kw = {"Limit": 2}
        if start:
            kw["ExclusiveStartDeliveryStreamName"] = start
        page = fh.list_delivery_streams(**kw)
        listed += page["DeliveryStreamNames"]
        if not page["HasMoreDeliveryStreams"]:
            break
        start = page["DeliveryStreamNames"][-1]
    assert listed == sorted(listed)
    assert set(names) <= set(listed)
    ks = fh.list_delivery_streams(DeliveryStreamType="KinesisStreamAsSource", Limit=100)["DeliveryStreamNames"]
    assert not set(names) & set(ks)


def test_put_record_and_batch(fh, make_delivery_stream):
    name = make_delivery_stream()
    r = fh.put_record(DeliveryStreamName=name, Record={"Data": b"hello\n"})
    assert len(r["RecordId"]) == 48 and r["Encrypted"] is False
    b = fh.put_record_batch(DeliveryStreamName=name, Records=[{"Data": b"a"}, {"Data": b"b"}])
    assert b["FailedPutCount"] == 0
    ids = [e["RecordId"] for e in b["RequestResponses"]]
    assert len(set(ids + [r["RecordId"]])) == 3


def test_put_errors(fh, fh_raw, make_delivery_stream):
    with pytest.raises(ClientError) as e:
        fh.put_record(DeliveryStreamName="fh-missing", Record={"Data": b"x"})
    assert code_of(e) == "ResourceNotFoundException"
    assert e.value.response["Error"]["Message"] == f"Firehose fh-missing under account {sup.ACCOUNT} not found."
    name = make_delivery_stream()
    with pytest.raises(ClientError) as e:
        fh_raw.put_record(DeliveryStreamName=name, Record={"Data": b"x" * 1_024_001})
    assert code_of(e) in ("ValidationException", "InvalidArgumentException")
    with pytest.raises(ClientError) as e:
        fh_raw.put_record_batch(DeliveryStreamName=name, Records=[{"Data": b"x" * 1_000_000}] * 5)
    assert code_of(e) == "InvalidArgumentException"


def test_kinesis_source(fh, make_delivery_stream, make_stream):
    source = make_stream(1)
    name = make_delivery_stream(
        DeliveryStreamType="KinesisStreamAsSource",
        KinesisStreamSourceConfiguration={"KinesisStreamARN": sup.stream_arn(source), "RoleARN": ROLE})
    d = fh.describe_delivery_stream(DeliveryStreamName=name)["DeliveryStreamDescription"]
    assert d["Source"]["KinesisStreamSourceDescription"]["KinesisStreamARN"] == sup.stream_arn(source)
    with pytest.raises(ClientError) as e:
        fh.put_record(DeliveryStreamName=name, Record={"Data": b"x"})
    assert code_of(e) == "InvalidArgumentException"
    assert "KinesisStreamAsSource" in e.value.response["Error"]["Message"]
    with pytest.raises(ClientError) as e:
        fh.create_delivery_stream(
            DeliveryStreamName=sup.unique_name("fh"), DeliveryStreamType="KinesisStreamAsSource",
            KinesisStreamSourceConfiguration={"KinesisStreamARN": sup.stream_arn("no-such-stream"), "RoleARN": ROLE},
            ExtendedS3DestinationConfiguration=s3_config())
    assert code_of(e) == "InvalidArgumentException"


def test_update_destination(fh, make_delivery_stream):
    name = make_delivery_stream()
    with pytest.raises(ClientError) as e:
        fh.update_destination(DeliveryStreamName=name, CurrentDeliveryStreamVersionId="9",
                              DestinationId="destinationId-000000000001",
                              ExtendedS3DestinationUpdate={"Prefix": "p/"})
    assert code_of(e) == "ConcurrentModificationException"
    fh.update_destination(DeliveryStreamName=name, CurrentDeliveryStreamVersionId="1",
                          DestinationId="destinationId-000000000001",
                          ExtendedS3DestinationUpdate={"Prefix": "p/", "BufferingHints": {"IntervalInSeconds": 60}})
    d = fh.describe_delivery_stream(DeliveryStreamName=name)["DeliveryStreamDescription"]
    assert d["VersionId"] == "2" and "LastUpdateTimestamp" in d
    ext = d["Destinations"][0]["ExtendedS3DestinationDescription"]
    assert ext["Prefix"] == "p/" and ext["BufferingHints"] == {"SizeInMBs": 5, "IntervalInSeconds": 60}
    fh.update_destination(DeliveryStreamName=name, CurrentDeliveryStreamVersionId="2",
                          DestinationId="destinationId-000000000001",
                          HttpEndpointDestinationUpdate={
                              "EndpointConfiguration": {"Url": "https://example.com/ingest", "AccessKey": "k"},
                              "S3Update": s3_config()})
    d = fh.describe_delivery_stream(DeliveryStreamName=name)["DeliveryStreamDescription"]
    dest = d["Destinations"][0]
    assert "ExtendedS3DestinationDescription" not in dest
    assert dest["HttpEndpointDestinationDescription"]["EndpointConfiguration"] == {"Url": "https://example.com/ingest"}
    assert d["VersionId"] == "3"


def test_validation_errors(fh, fh_raw):
    def create(**kw):
        with pytest.raises(ClientError) as e:
            fh_raw.create_delivery_stream(DeliveryStreamName=sup.unique_name("fh"), **kw)
        return code_of(e)

    assert create() == "InvalidArgumentException"  # no destination
    assert create(ExtendedS3DestinationConfiguration=s3_config(Prefix="!{timestamp:yyyy}/")) == \
        "InvalidArgumentException"  # expressions need ErrorOutputPrefix
    assert create(ExtendedS3DestinationConfiguration=s3_config(CustomTimeZone="Mars/Base")) == \
        "InvalidArgumentException"
    assert create(ExtendedS3DestinationConfiguration=s3_config(FileExtension="gz")) in \
        ("InvalidArgumentException", "ValidationException")
    assert create(ExtendedS3DestinationConfiguration=s3_config(
        CompressionFormat="GZIP",
        DataFormatConversionConfiguration={
            "SchemaConfiguration": {"DatabaseName": "d", "TableName": "t", "RoleARN": ROLE},
            "InputFormatConfiguration": {"Deserializer": {"OpenXJsonSerDe": {}}},
            "OutputFormatConfiguration": {"Serializer": {"ParquetSerDe": {}}}})) == "InvalidArgumentException"
    assert create(ExtendedS3DestinationConfiguration=s3_config(
        DynamicPartitioningConfiguration={"Enabled": True})) == "InvalidArgumentException"
    assert create(DeliveryStreamType="MSKAsSource", ExtendedS3DestinationConfiguration=s3_config()) == \
        "InvalidArgumentException"
    assert create(RedshiftDestinationConfiguration={
        "RoleARN": ROLE, "ClusterJDBCURL": "jdbc:redshift://c1.abc.us-east-1.redshift.amazonaws.com:5439/db",
        "CopyCommand": {"DataTableName": "t"}, "Username": "u", "Password": "secret1", "S3Configuration": s3_config(CompressionFormat="ZIP")}) == \
        "InvalidArgumentException"
    assert create(ExtendedS3DestinationConfiguration=s3_config(ProcessingConfiguration={
        "Enabled": True, "Processors": [{"Type": "Lambda", "Parameters": [
            {"ParameterName": "LambdaArn", "ParameterValue": f"arn:aws:lambda:us-east-1:{sup.ACCOUNT}:function:f"},
            {"ParameterName": "NumberOfRetries", "ParameterValue": "99"}]}]})) == "InvalidArgumentException"
    assert create(ExtendedS3DestinationConfiguration=s3_config(),
                  DeliveryStreamEncryptionConfigurationInput={"KeyType": "CUSTOMER_MANAGED_CMK"}) == \
        "InvalidArgumentException"


def test_create_conflicts_and_delete(fh, make_delivery_stream):
    name = make_delivery_stream()
    with pytest.raises(ClientError) as e:
        fh.create_delivery_stream(DeliveryStreamName=name, ExtendedS3DestinationConfiguration=s3_config())
    assert code_of(e) == "ResourceInUseException"
    fh.delete_delivery_stream(DeliveryStreamName=name, AllowForceDelete=True)
    wait_gone(fh, name)
    with pytest.raises(ClientError) as e:
        fh.delete_delivery_stream(DeliveryStreamName=name)
    assert code_of(e) == "ResourceNotFoundException"


def test_encryption(fh, make_delivery_stream):
    name = make_delivery_stream()
    fh.start_delivery_stream_encryption(
        DeliveryStreamName=name,
        DeliveryStreamEncryptionConfigurationInput={
            "KeyType": "CUSTOMER_MANAGED_CMK", "KeyARN": f"arn:aws:kms:us-east-1:{sup.ACCOUNT}:key/1234abcd"})
    enc = fh.describe_delivery_stream(DeliveryStreamName=name)["DeliveryStreamDescription"][
        "DeliveryStreamEncryptionConfiguration"]
    assert enc["Status"] in ("ENABLING", "ENABLED")
    deadline = time.monotonic() + 10
    while enc["Status"] != "ENABLED" and time.monotonic() < deadline:
        time.sleep(0.1)
        enc = fh.describe_delivery_stream(DeliveryStreamName=name)["DeliveryStreamDescription"][
            "DeliveryStreamEncryptionConfiguration"]
    assert enc == {"KeyARN": f"arn:aws:kms:us-east-1:{sup.ACCOUNT}:key/1234abcd", "KeyType": "CUSTOMER_MANAGED_CMK",
                   "Status": "ENABLED"}
    assert fh.put_record(DeliveryStreamName=name, Record={"Data": b"s"})["Encrypted"] is True
    fh.stop_delivery_stream_encryption(DeliveryStreamName=name)
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        enc = fh.describe_delivery_stream(DeliveryStreamName=name)["DeliveryStreamDescription"][
            "DeliveryStreamEncryptionConfiguration"]
        if enc["Status"] == "DISABLED":
            break
        time.sleep(0.1)
    assert enc["Status"] == "DISABLED"
    assert fh.put_record(DeliveryStreamName=name, Record={"Data": b"s"})["Encrypted"] is False


def test_tags(fh, fh_raw, make_delivery_stream):
    name = make_delivery_stream(Tags=[{"Key": "team", "Value": "data"}])
    fh.tag_delivery_stream(DeliveryStreamName=name, Tags=[{"Key": f"k{i:02d}", "Value": str(i)} for i in range(10)])
    page = fh.list_tags_for_delivery_stream(DeliveryStreamName=name, Limit=4)
    assert [t["Key"] for t in page["Tags"]] == ["k00", "k01", "k02", "k03"] and page["HasMoreTags"]
    page = fh.list_tags_for_delivery_stream(DeliveryStreamName=name, ExclusiveStartTagKey="k09")
    assert page["Tags"] == [{"Key": "team", "Value": "data"}] and not page["HasMoreTags"]
    fh.untag_delivery_stream(DeliveryStreamName=name, TagKeys=["team"])
    assert len(fh.list_tags_for_delivery_stream(DeliveryStreamName=name)["Tags"]) == 10
    with pytest.raises(ClientError) as e:
        fh.tag_delivery_stream(DeliveryStreamName=name, Tags=[{"Key": f"m{i}"} for i in range(41)])
    assert code_of(e) == "LimitExceededException"
    with pytest.raises(ClientError) as e:
        fh_raw.tag_delivery_stream(DeliveryStreamName=name, Tags=[{"Key": "aws:reserved", "Value": "v"}])
    assert code_of(e) in ("InvalidArgumentException", "ValidationException")
    with pytest.raises(ClientError) as e:
        fh.list_tags_for_delivery_stream(DeliveryStreamName="fh-missing")
    assert code_of(e) == "ResourceNotFoundException"


def firehose_at(url: str):
    config = Config(region_name=sup.REGION, retries={"total_max_attempts": 1, "mode": "standard"})
    return boto3.client("firehose", endpoint_url=url, aws_access_key_id="AKIDEXAMPLE",
                        aws_secret_access_key="dummy-secret", config=config)


@pytest.mark.parametrize("stop", ["sigterm", "kill9"])
def test_streams_survive_restart(stop):
    """Descriptions, versions, tags, encryption and RecordIds' counters after a restart."""
    server = sup.RunnelServer(extra_args=["--control-plane-limits", "off"])
    server.start()
    try:
        fh = firehose_at(server.url)
        boto3.client("s3", endpoint_url=server.url, region_name=sup.REGION, aws_access_key_id="AKIDEXAMPLE",
                     aws_secret_access_key="dummy-secret",
                     config=Config(s3={"addressing_style": "path"})).create_bucket(Bucket=BUCKET.split(":::")[1])
        name = sup.unique_name("fhkeep")
        fh.create_delivery_stream(DeliveryStreamName=name, Tags=[{"Key": "k", "Value": "v"}],
                                  HttpEndpointDestinationConfiguration={
                                      "EndpointConfiguration": {"Url": "https://example.com/", "AccessKey": "a"},
                                      "S3Configuration": s3_config()})
        wait_status(fh, name)
        fh.update_destination(DeliveryStreamName=name, CurrentDeliveryStreamVersionId="1",
                              DestinationId="destinationId-000000000001",
                              HttpEndpointDestinationUpdate={"BufferingHints": {"IntervalInSeconds": 10}})
        fh.start_delivery_stream_encryption(DeliveryStreamName=name,
                                            DeliveryStreamEncryptionConfigurationInput={"KeyType": "AWS_OWNED_CMK"})
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            d = fh.describe_delivery_stream(DeliveryStreamName=name)["DeliveryStreamDescription"]
            if d["DeliveryStreamEncryptionConfiguration"]["Status"] == "ENABLED":
                break
            time.sleep(0.1)
        first = fh.put_record(DeliveryStreamName=name, Record={"Data": b"x"})["RecordId"]
        before = fh.describe_delivery_stream(DeliveryStreamName=name)["DeliveryStreamDescription"]
        if stop == "kill9":
            server.kill9()
        else:
            assert server.terminate() == 0, server.log_tail()
        server.start()
        fh = firehose_at(server.url)
        after = fh.describe_delivery_stream(DeliveryStreamName=name)["DeliveryStreamDescription"]
        assert after == before
        assert after["VersionId"] == "2"
        assert fh.list_tags_for_delivery_stream(DeliveryStreamName=name)["Tags"] == [{"Key": "k", "Value": "v"}]
        second = fh.put_record(DeliveryStreamName=name, Record={"Data": b"y"})
        assert second["Encrypted"] is True
        assert second["RecordId"][:16] == first[:16]  # same log shard
        assert int(second["RecordId"][16:32], 16) > int(first[16:32], 16)
    finally:
        server.terminate()
