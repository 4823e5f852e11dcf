"""Kinesis Data Analytics for SQL (the v1 API) with boto3's `kinesisanalytics`
client against the real binary.

Every one of the 20 operations, KDA's exception types with runnel's
messages and HTTP statuses, the statuses READY → STARTING → RUNNING →
STOPPING → READY, versions and ConcurrentModificationException, the merges
of UpdateApplication, ids, tags, DiscoverInputSchema from a Kinesis stream
and from an S3 object, and applications that survive a restart. Applications
that process records are in test_analytics_run.py.
"""
from __future__ import annotations

import datetime
import json

import pytest
from botocore.exceptions import ClientError, ParamValidationError

import analytics_support as kas
import e2e_support as sup
from analytics_support import ROLE, error, kinesis_input, kinesis_output


@pytest.fixture(scope="module")
def kda():
    return kas.client()


@pytest.fixture(scope="module")
def kda_raw():
    return kas.client(validate=False)


@pytest.fixture(scope="module")
def kinesis():
    return sup.make_client()


@pytest.fixture(scope="module")
def streams(kinesis):
    """An input and an output stream for the module's applications."""
    src = kas.create_stream(kinesis, sup.unique_name("kda-in"))
    dst = kas.create_stream(kinesis, sup.unique_name("kda-out"))
    return src, dst


@pytest.fixture
def app(kda, streams):
    """An application with the module's input stream; deleted afterwards."""
    name = kas.app_name()
    kda.create_application(ApplicationName=name, Inputs=[kinesis_input(streams[0])])
    yield name
    try:
        d = kda.describe_application(ApplicationName=name)["ApplicationDetail"]
        kda.delete_application(ApplicationName=name, CreateTimestamp=d["CreateTimestamp"])
    except ClientError:
        pass


def test_create_describe_list_delete(kda, streams):
    name = kas.app_name("life")
    before = datetime.datetime.now(datetime.timezone.utc).replace(microsecond=0)
    out = kda.create_application(ApplicationName=name, ApplicationDescription="first", ApplicationCode="-- sql",
                                 Inputs=[kinesis_input(streams[0], parallelism=2)],
                                 Outputs=[kinesis_output(streams[1])],
                                 CloudWatchLoggingOptions=[{"LogStreamARN": "arn:aws:logs:us-east-1:000000000000:"
                                                                            "log-group:g:log-stream:s",
                                                            "RoleARN": ROLE}],
                                 Tags=[{"Key": "team", "Value": "a"}])
    assert out["ApplicationSummary"] == {"ApplicationName": name, "ApplicationARN": kas.app_arn(name),
                                         "ApplicationStatus": "READY"}
    d = kda.describe_application(ApplicationName=name)["ApplicationDetail"]
    assert d["ApplicationVersionId"] == 1
    assert d["ApplicationDescription"] == "first"
    assert d["ApplicationCode"] == "-- sql"
    assert before - datetime.timedelta(seconds=1) <= d["CreateTimestamp"] <= before + datetime.timedelta(seconds=30)
    [inp] = d["InputDescriptions"]
    assert inp["InputId"] == "1.1"
    assert inp["InAppStreamNames"] == ["SOURCE_SQL_STREAM_001", "SOURCE_SQL_STREAM_002"]
    assert inp["InputParallelism"] == {"Count": 2}
    assert inp["KinesisStreamsInputDescription"] == {"ResourceARN": sup.stream_arn(streams[0]), "RoleARN": ROLE}
    assert inp["InputSchema"]["RecordColumns"][0] == {"Name": "TICKER", "Mapping": "$.ticker", "SqlType": "VARCHAR(4)"}
    assert d["OutputDescriptions"][0]["OutputId"] == "1.1"
    assert d["CloudWatchLoggingOptionDescriptions"][0]["CloudWatchLoggingOptionId"] == "1.1"
    assert d["ReferenceDataSourceDescriptions"] == []

    names = [s["ApplicationName"] for s in kda.list_applications(Limit=50)["ApplicationSummaries"]]
    assert name in names and names == sorted(names)

    with pytest.raises(ClientError) as e:
        kda.create_application(ApplicationName=name)
    assert error(e) == ("ResourceInUseException", f"Application {name} already exists.", 400)

    with pytest.raises(ClientError) as e:
        kda.delete_application(ApplicationName=name, CreateTimestamp=datetime.datetime(2001, 1, 1))
    assert error(e)[0] == "ResourceNotFoundException"
    kda.delete_application(ApplicationName=name, CreateTimestamp=d["CreateTimestamp"])
    sup.wait_for("the application gone", lambda: name not in [
        s["ApplicationName"] for s in kda.list_applications()["ApplicationSummaries"]])
    with pytest.raises(ClientError) as e:
        kda.describe_application(ApplicationName=name)
    assert error(e) == ("ResourceNotFoundException", f"Application {name} is not found.", 400)


def test_list_pages_alphabetically(kda):
    prefix = kas.app_name("page")
    names = [f"{prefix}-{c}" for c in "dbeac"]
    for n in names:
        kda.create_application(ApplicationName=n)
    seen, start = [], None
    while True:
        kwargs = {"Limit": 2}
        if start:
            kwargs["ExclusiveStartApplicationName"] = start
        page = kda.list_applications(**kwargs)
        batch = [s["ApplicationName"] for s in page["ApplicationSummaries"]]
        seen += batch
        if not page["HasMoreApplications"]:
            break
        assert len(batch) == 2
        start = batch[-1]
    assert [n for n in seen if n.startswith(prefix)] == sorted(names)
    for n in names:
        d = kda.describe_application(ApplicationName=n)["ApplicationDetail"]
        kda.delete_application(ApplicationName=n, CreateTimestamp=d["CreateTimestamp"])


def test_create_refusals(kda, kda_raw, streams):
    name = kas.app_name("bad")
    with pytest.raises(ClientError) as e:
        kda.create_application(ApplicationName=name, Inputs=[kinesis_input("no-such-stream")])
    assert error(e) == ("InvalidArgumentException",
                        f"Kinesis stream {sup.stream_arn('no-such-stream')} does not exist or is not accessible.", 400)
    with pytest.raises(ClientError) as e:
        kda.create_application(ApplicationName=name, Inputs=[kinesis_input(streams[0]), kinesis_input(streams[0])])
    assert error(e) == ("InvalidArgumentException", "An application has at most one input (streaming source).", 400)
    with pytest.raises(ClientError) as e:
        kda.create_application(ApplicationName=name,
                               Outputs=[kinesis_output(streams[1], f"O{i}") for i in range(4)])
    assert error(e) == ("InvalidArgumentException", "An application has at most 3 outputs.", 400)
    with pytest.raises(ClientError) as e:
        kda.create_application(ApplicationName=name, Tags=[{"Key": f"k{i}", "Value": "v"} for i in range(51)])
    assert error(e)[0] == "TooManyTagsException"
    bad = kinesis_input(streams[0])
    bad["InputSchema"]["RecordColumns"][0].pop("Mapping")
    with pytest.raises(ClientError) as e:
        kda.create_application(ApplicationName=name, Inputs=[bad])
    assert error(e) == ("InvalidArgumentException",
                        "InputSchema: column TICKER needs a Mapping (a JSONPath) because the record format is JSON.",
                        400)
    # The model's own constraints answer ValidationException.
    with pytest.raises(ClientError) as e:
        kda_raw.create_application(ApplicationName="bad name!")
    assert error(e)[0] == "ValidationException"
    with pytest.raises(ClientError) as e:
        kda_raw.create_application(ApplicationName=name, Inputs=[kinesis_input(streams[0], parallelism=65)])
    assert error(e)[0] == "ValidationException"
    with pytest.raises(ParamValidationError):
        kda.create_application(ApplicationName=name, Inputs=[kinesis_input(streams[0], parallelism=0)])
    with pytest.raises(ClientError):
        kda.describe_application(ApplicationName=name)


def test_start_and_stop(kda, app):
    with pytest.raises(ClientError) as e:
        kda.stop_application(ApplicationName=app)
    assert error(e) == ("ResourceInUseException", f"Application {app} is in READY status: an application can be "
                                                  "stopped in RUNNING status only.", 400)
    with pytest.raises(ClientError) as e:
        kda.start_application(ApplicationName=app, InputConfigurations=[
            {"Id": "9.9", "InputStartingPositionConfiguration": {"InputStartingPosition": "NOW"}}])
    assert error(e) == ("InvalidArgumentException", f"Application {app} has no input with id 9.9.", 400)
    kda.start_application(ApplicationName=app, InputConfigurations=[
        {"Id": "1.1", "InputStartingPositionConfiguration": {"InputStartingPosition": "TRIM_HORIZON"}}])
    assert kda.describe_application(ApplicationName=app)["ApplicationDetail"]["ApplicationStatus"] in (
        "STARTING", "RUNNING")
    d = kas.wait_status(kda, app, "RUNNING")
    assert d["InputDescriptions"][0]["InputStartingPositionConfiguration"] == {"InputStartingPosition": "TRIM_HORIZON"}
    with pytest.raises(ClientError) as e:
        kda.start_application(ApplicationName=app, InputConfigurations=[
            {"Id": "1.1", "InputStartingPositionConfiguration": {"InputStartingPosition": "NOW"}}])
    assert error(e) == ("ResourceInUseException", f"Application {app} is in RUNNING status: an application can be "
                                                  "started in READY status only.", 400)
    kda.stop_application(ApplicationName=app)
    kas.wait_status(kda, app, "READY")
    kda.start_application(ApplicationName=app, InputConfigurations=[
        {"Id": "1.1", "InputStartingPositionConfiguration": {"InputStartingPosition": "LAST_STOPPED_POINT"}}])
    d = kas.wait_status(kda, app, "RUNNING")
    assert d["InputDescriptions"][0]["InputStartingPositionConfiguration"] == {
        "InputStartingPosition": "LAST_STOPPED_POINT"}
    # A running application may be changed (through UPDATING) and deleted.
    kda.update_application(ApplicationName=app, CurrentApplicationVersionId=d["ApplicationVersionId"],
                           ApplicationUpdate={"ApplicationCodeUpdate": "-- v2"})
    d = kas.wait_status(kda, app, "RUNNING")
    assert d["ApplicationCode"] == "-- v2"


def test_start_without_input(kda):
    name = kas.app_name("noinput")
    kda.create_application(ApplicationName=name)
    with pytest.raises(ClientError) as e:
        kda.start_application(ApplicationName=name, InputConfigurations=[])
    assert error(e) == ("InvalidApplicationConfigurationException",
                        f"Application {name} has no input; add one with AddApplicationInput before starting it.", 400)


def test_versions_and_concurrent_modification(kda, app, streams):
    assert kas.version(kda, app) == 1
    kda.add_application_output(ApplicationName=app, CurrentApplicationVersionId=1, Output=kinesis_output(streams[1]))
    assert kas.version(kda, app) == 2
    with pytest.raises(ClientError) as e:
        kda.add_application_output(ApplicationName=app, CurrentApplicationVersionId=1,
                                   Output=kinesis_output(streams[1], "OTHER"))
    assert error(e) == ("ConcurrentModificationException",
                        f"Application {app}: the provided CurrentApplicationVersionId 1 does not match the current "
                        "version 2. Call DescribeApplication for the current version.", 400)
    with pytest.raises(ClientError) as e:
        kda.add_application_output(ApplicationName="nope-" + app, CurrentApplicationVersionId=1,
                                   Output=kinesis_output(streams[1]))
    assert error(e) == ("ResourceNotFoundException", f"Application nope-{app} is not found.", 400)


def test_every_add_and_delete(kda, streams):
    name = kas.app_name("items")
    kda.create_application(ApplicationName=name)
    v = lambda: kas.version(kda, name)  # noqa: E731
    kda.add_application_input(ApplicationName=name, CurrentApplicationVersionId=v(), Input=kinesis_input(streams[0]))
    with pytest.raises(ClientError) as e:
        kda.add_application_input(ApplicationName=name, CurrentApplicationVersionId=v(),
                                  Input=kinesis_input(streams[0]))
    assert error(e)[0] == "InvalidArgumentException"
    lam = {"InputLambdaProcessor": {"ResourceARN": "arn:aws:lambda:us-east-1:000000000000:function:f",
                                    "RoleARN": ROLE}}
    kda.add_application_input_processing_configuration(ApplicationName=name, CurrentApplicationVersionId=v(),
                                                       InputId="1.1", InputProcessingConfiguration=lam)
    d = kda.describe_application(ApplicationName=name)["ApplicationDetail"]
    assert d["InputDescriptions"][0]["InputProcessingConfigurationDescription"] == {
        "InputLambdaProcessorDescription": lam["InputLambdaProcessor"]}
    kda.delete_application_input_processing_configuration(ApplicationName=name, CurrentApplicationVersionId=v(),
                                                          InputId="1.1")
    with pytest.raises(ClientError) as e:
        kda.delete_application_input_processing_configuration(ApplicationName=name,
                                                              CurrentApplicationVersionId=v(), InputId="1.1")
    assert error(e) == ("InvalidArgumentException",
                        f"Input 1.1 of application {name} has no input processing configuration.", 400)

    for n in ("A", "B", "C"):
        kda.add_application_output(ApplicationName=name, CurrentApplicationVersionId=v(),
                                   Output=kinesis_output(streams[1], n))
    with pytest.raises(ClientError) as e:
        kda.add_application_output(ApplicationName=name, CurrentApplicationVersionId=v(),
                                   Output=kinesis_output(streams[1], "D"))
    assert error(e) == ("InvalidArgumentException",
                        f"Application {name} already has 3 outputs; an application has at most 3.", 400)
    kda.delete_application_output(ApplicationName=name, CurrentApplicationVersionId=v(), OutputId="1.2")
    with pytest.raises(ClientError) as e:
        kda.delete_application_output(ApplicationName=name, CurrentApplicationVersionId=v(), OutputId="1.2")
    assert error(e) == ("InvalidArgumentException", f"Application {name} has no output with id 1.2.", 400)
    with pytest.raises(ClientError) as e:
        kda.add_application_output(ApplicationName=name, CurrentApplicationVersionId=v(), Output={
            "Name": "F", "KinesisFirehoseOutput": {
                "ResourceARN": f"arn:aws:firehose:us-east-1:{sup.ACCOUNT}:deliverystream/nope", "RoleARN": ROLE},
            "DestinationSchema": {"RecordFormatType": "CSV"}})
    assert error(e) == ("InvalidArgumentException", f"Firehose delivery stream arn:aws:firehose:us-east-1:"
                                                    f"{sup.ACCOUNT}:deliverystream/nope does not exist or is not "
                                                    "accessible.", 400)
    kda.add_application_output(ApplicationName=name, CurrentApplicationVersionId=v(), Output={
        "Name": "L", "LambdaOutput": {"ResourceARN": "arn:aws:lambda:us-east-1:000000000000:function:o",
                                      "RoleARN": ROLE}, "DestinationSchema": {"RecordFormatType": "CSV"}})
    d = kda.describe_application(ApplicationName=name)["ApplicationDetail"]
    assert [(o["OutputId"], o["Name"]) for o in d["OutputDescriptions"]] == [("1.1", "A"), ("1.3", "C"), ("1.4", "L")]

    ref = {"TableName": "REF",
           "S3ReferenceDataSource": {"BucketARN": "arn:aws:s3:::ref-bucket", "FileKey": "tickers.csv",
                                     "ReferenceRoleARN": ROLE},
           "ReferenceSchema": {"RecordFormat": {"RecordFormatType": "CSV", "MappingParameters": {
               "CSVMappingParameters": {"RecordRowDelimiter": "\n", "RecordColumnDelimiter": ","}}},
               "RecordColumns": [{"Name": "TICKER", "SqlType": "VARCHAR(4)"},
                                 {"Name": "COMPANY", "SqlType": "VARCHAR(64)"}]}}
    kda.add_application_reference_data_source(ApplicationName=name, CurrentApplicationVersionId=v(),
                                              ReferenceDataSource=ref)
    d = kda.describe_application(ApplicationName=name)["ApplicationDetail"]
    [r] = d["ReferenceDataSourceDescriptions"]
    assert r["ReferenceId"] == "1.1" and r["TableName"] == "REF"
    assert r["S3ReferenceDataSourceDescription"] == ref["S3ReferenceDataSource"]
    kda.delete_application_reference_data_source(ApplicationName=name, CurrentApplicationVersionId=v(),
                                                 ReferenceId="1.1")
    log = {"LogStreamARN": "arn:aws:logs:us-east-1:000000000000:log-group:g:log-stream:s", "RoleARN": ROLE}
    kda.add_application_cloud_watch_logging_option(ApplicationName=name, CurrentApplicationVersionId=v(),
                                                   CloudWatchLoggingOption=log)
    d = kda.describe_application(ApplicationName=name)["ApplicationDetail"]
    assert d["CloudWatchLoggingOptionDescriptions"] == [{"CloudWatchLoggingOptionId": "1.1", **log}]
    kda.delete_application_cloud_watch_logging_option(ApplicationName=name, CurrentApplicationVersionId=v(),
                                                      CloudWatchLoggingOptionId="1.1")
    d = kda.describe_application(ApplicationName=name)["ApplicationDetail"]
    assert d["CloudWatchLoggingOptionDescriptions"] == [] and d["ReferenceDataSourceDescriptions"] == []
    assert d["ApplicationVersionId"] == 13


def test_update_merges(kda, streams):
    name = kas.app_name("upd")
    kda.create_application(ApplicationName=name, ApplicationCode="-- old", Inputs=[kinesis_input(streams[0])],
                           Outputs=[kinesis_output(streams[1])])
    kda.update_application(ApplicationName=name, CurrentApplicationVersionId=1, ApplicationUpdate={
        "ApplicationCodeUpdate": "-- new",
        "InputUpdates": [{"InputId": "1.1", "NamePrefixUpdate": "IN", "InputParallelismUpdate": {"CountUpdate": 3},
                          "InputSchemaUpdate": {"RecordColumnUpdates": [
                              {"Name": "X", "Mapping": "$.x", "SqlType": "INTEGER"}]}}],
        "OutputUpdates": [{"OutputId": "1.1", "NameUpdate": "OUT2",
                           "DestinationSchemaUpdate": {"RecordFormatType": "CSV"}}]})
    d = kda.describe_application(ApplicationName=name)["ApplicationDetail"]
    assert d["ApplicationVersionId"] == 2 and d["ApplicationCode"] == "-- new"
    inp = d["InputDescriptions"][0]
    assert inp["InAppStreamNames"] == ["IN_001", "IN_002", "IN_003"]
    assert inp["InputSchema"]["RecordFormat"]["RecordFormatType"] == "JSON"  # kept
    assert inp["InputSchema"]["RecordColumns"] == [{"Name": "X", "Mapping": "$.x", "SqlType": "INTEGER"}]
    out = d["OutputDescriptions"][0]
    assert out["Name"] == "OUT2" and out["DestinationSchema"] == {"RecordFormatType": "CSV"}
    assert out["KinesisStreamsOutputDescription"]["ResourceARN"] == sup.stream_arn(streams[1])
    with pytest.raises(ClientError) as e:
        kda.update_application(ApplicationName=name, CurrentApplicationVersionId=2, ApplicationUpdate={})
    assert error(e) == ("InvalidArgumentException", "ApplicationUpdate must contain at least one update.", 400)
    with pytest.raises(ClientError) as e:
        kda.update_application(ApplicationName=name, CurrentApplicationVersionId=2, ApplicationUpdate={
            "InputUpdates": [{"InputId": "1.1", "KinesisStreamsInputUpdate": {
                "ResourceARNUpdate": sup.stream_arn("missing-stream")}}]})
    assert error(e) == ("InvalidArgumentException", f"Kinesis stream {sup.stream_arn('missing-stream')} does not "
                                                    "exist or is not accessible.", 400)
    assert kas.version(kda, name) == 2


def test_tags(kda, app):
    arn = kas.app_arn(app)
    kda.tag_resource(ResourceARN=arn, Tags=[{"Key": "a", "Value": "1"}, {"Key": "b", "Value": "2"}])
    kda.tag_resource(ResourceARN=arn, Tags=[{"Key": "a", "Value": "3"}])
    assert kda.list_tags_for_resource(ResourceARN=arn)["Tags"] == [{"Key": "a", "Value": "3"},
                                                                   {"Key": "b", "Value": "2"}]
    kda.untag_resource(ResourceARN=arn, TagKeys=["a"])
    assert kda.list_tags_for_resource(ResourceARN=arn)["Tags"] == [{"Key": "b", "Value": "2"}]
    with pytest.raises(ClientError) as e:
        kda.tag_resource(ResourceARN=arn, Tags=[{"Key": f"k{i}", "Value": "v"} for i in range(50)])
    assert error(e) == ("TooManyTagsException", f"Application {app} would have 51 tags; an application has at most 50.",
                        400)
    missing = kas.app_arn("nope-" + app)
    with pytest.raises(ClientError) as e:
        kda.list_tags_for_resource(ResourceARN=missing)
    assert error(e) == ("ResourceNotFoundException", f"Resource {missing} is not found.", 400)
    assert kas.version(kda, app) == 1  # tags are not configuration


def test_firehose_input(kda):
    s3 = kas.client(service="s3")
    firehose = kas.client(service="firehose")
    bucket = sup.unique_name("kda-fh")
    s3.create_bucket(Bucket=bucket)
    fh = sup.unique_name("kda-fh")
    firehose.create_delivery_stream(DeliveryStreamName=fh, ExtendedS3DestinationConfiguration={
        "RoleARN": ROLE, "BucketARN": f"arn:aws:s3:::{bucket}"})
    name = kas.app_name("fh")
    inp = {"NamePrefix": "SRC", "KinesisFirehoseInput": {
        "ResourceARN": f"arn:aws:firehose:us-east-1:{sup.ACCOUNT}:deliverystream/{fh}", "RoleARN": ROLE},
        "InputSchema": kas.json_schema()}
    kda.create_application(ApplicationName=name, Inputs=[inp])
    d = kda.describe_application(ApplicationName=name)["ApplicationDetail"]
    assert d["InputDescriptions"][0]["KinesisFirehoseInputDescription"]["ResourceARN"].endswith(fh)
    assert d["InputDescriptions"][0]["InAppStreamNames"] == ["SRC_001"]


def test_discover_from_a_kinesis_stream(kda, kinesis):
    stream = kas.create_stream(kinesis, sup.unique_name("kda-disc"), shards=2)
    with pytest.raises(ClientError) as e:
        kda.discover_input_schema(ResourceARN=sup.stream_arn(stream), RoleARN=ROLE,
                                  InputStartingPositionConfiguration={"InputStartingPosition": "TRIM_HORIZON"})
    code, message, status = error(e)
    assert (code, status) == ("UnableToDetectSchemaException", 400)
    assert "no records" in message
    assert e.value.response.get("RawInputRecords", []) == []
    records = [{"TICKER_SYMBOL": t, "SECTOR": s, "CHANGE": c, "PRICE": p} for t, s, c, p in [
        ("QXZ", "HEALTHCARE", -0.05, 84.51), ("AMZN", "TECHNOLOGY", 1.25, 1801.01),
        ("WAS", "RETAIL", -0.8, 23.2)]]
    kinesis.put_records(StreamName=stream, Records=[
        {"Data": json.dumps(r).encode(), "PartitionKey": r["TICKER_SYMBOL"]} for r in records])
    out = kda.discover_input_schema(ResourceARN=sup.stream_arn(stream), RoleARN=ROLE,
                                    InputStartingPositionConfiguration={"InputStartingPosition": "TRIM_HORIZON"})
    schema = out["InputSchema"]
    assert schema["RecordFormat"] == {"RecordFormatType": "JSON",
                                      "MappingParameters": {"JSONMappingParameters": {"RecordRowPath": "$"}}}
    assert schema["RecordEncoding"] == "UTF-8"
    assert schema["RecordColumns"] == [
        {"Name": "TICKER_SYMBOL", "Mapping": "$.TICKER_SYMBOL", "SqlType": "VARCHAR(4)"},
        {"Name": "SECTOR", "Mapping": "$.SECTOR", "SqlType": "VARCHAR(16)"},
        {"Name": "CHANGE", "Mapping": "$.CHANGE", "SqlType": "REAL"},
        {"Name": "PRICE", "Mapping": "$.PRICE", "SqlType": "REAL"}]
    assert sorted(out["RawInputRecords"]) == sorted(json.dumps(r) for r in records)
    assert sorted(out["ParsedInputRecords"]) == sorted(
        [r["TICKER_SYMBOL"], r["SECTOR"], str(r["CHANGE"]), str(r["PRICE"])] for r in records)
    # The discovered schema is one CreateApplication takes as it is.
    name = kas.app_name("disc")
    kda.create_application(ApplicationName=name, Inputs=[{
        "NamePrefix": "SOURCE_SQL_STREAM", "InputSchema": schema,
        "KinesisStreamsInput": {"ResourceARN": sup.stream_arn(stream), "RoleARN": ROLE}}])
    with pytest.raises(ClientError) as e:
        kda.discover_input_schema(ResourceARN=sup.stream_arn("no-such-stream"), RoleARN=ROLE,
                                  InputStartingPositionConfiguration={"InputStartingPosition": "NOW"})
    assert error(e) == ("InvalidArgumentException",
                        f"Kinesis stream {sup.stream_arn('no-such-stream')} does not exist or is not accessible.", 400)


def test_discover_from_an_s3_object(kda):
    s3 = kas.client(service="s3")
    bucket = sup.unique_name("kda-ref")
    s3.create_bucket(Bucket=bucket)
    s3.put_object(Bucket=bucket, Key="tickers.csv", Body=b"AMZN,Amazon,1801.01\nMSFT,Microsoft,101.5\n")
    out = kda.discover_input_schema(S3Configuration={"RoleARN": ROLE, "BucketARN": f"arn:aws:s3:::{bucket}",
                                                     "FileKey": "tickers.csv"})
    schema = out["InputSchema"]
    assert schema["RecordFormat"] == {"RecordFormatType": "CSV", "MappingParameters": {
        "CSVMappingParameters": {"RecordRowDelimiter": "\n", "RecordColumnDelimiter": ","}}}
    assert schema["RecordColumns"] == [{"Name": "COL_1", "SqlType": "VARCHAR(4)"},
                                       {"Name": "COL_2", "SqlType": "VARCHAR(16)"},
                                       {"Name": "COL_3", "SqlType": "REAL"}]
    assert out["ParsedInputRecords"] == [["AMZN", "Amazon", "1801.01"], ["MSFT", "Microsoft", "101.5"]]
    assert out["RawInputRecords"] == ["AMZN,Amazon,1801.01", "MSFT,Microsoft,101.5"]
    s3.put_object(Bucket=bucket, Key="words.txt", Body=b"no schema here\n")
    with pytest.raises(ClientError) as e:
        kda.discover_input_schema(S3Configuration={"RoleARN": ROLE, "BucketARN": f"arn:aws:s3:::{bucket}",
                                                   "FileKey": "words.txt"})
    assert error(e)[0] == "UnableToDetectSchemaException"
    assert e.value.response.get("RawInputRecords") == ["no schema here"]
    with pytest.raises(ClientError) as e:
        kda.discover_input_schema(S3Configuration={"RoleARN": ROLE, "BucketARN": f"arn:aws:s3:::{bucket}",
                                                   "FileKey": "missing"})
    assert error(e)[0] == "InvalidArgumentException"


def test_wire_answer():
    """The error as bytes: AWS JSON 1.1, __type, message, 400; and the
    UnableToDetectSchemaException members beside them."""
    resp = sup.raw_request(json.dumps({"ApplicationName": "nope-wire"}),
                           target="KinesisAnalytics_20150814.DescribeApplication")
    assert resp.status == 400
    assert resp.headers["content-type"].startswith("application/x-amz-json-1.1")
    assert resp.json() == {"__type": "ResourceNotFoundException", "message": "Application nope-wire is not found."}
    s3 = kas.client(service="s3")
    bucket = sup.unique_name("kda-wire")
    s3.create_bucket(Bucket=bucket)
    s3.put_object(Bucket=bucket, Key="x", Body=b"plain words\n")
    resp = sup.raw_request(json.dumps({"S3Configuration": {"RoleARN": ROLE, "BucketARN": f"arn:aws:s3:::{bucket}",
                                                           "FileKey": "x"}}),
                           target="KinesisAnalytics_20150814.DiscoverInputSchema")
    body = resp.json()
    assert resp.status == 400 and body["__type"] == "UnableToDetectSchemaException"
    assert body["RawInputRecords"] == ["plain words"] and body["ProcessedInputRecords"] == ["plain words"]
    unknown = sup.raw_request("{}", target="KinesisAnalytics_20150814.NoSuchOperation")
    assert unknown.status == 400 and unknown.json()["__type"] == "UnknownOperationException"


@pytest.mark.timeout_seconds(120)
@pytest.mark.parametrize("stop", ["sigterm", "kill9"])
def test_applications_survive_restart(tmp_path, stop):
    server = sup.RunnelServer(data_dir=str(tmp_path / "data"), log_path=str(tmp_path / "server.log")).start()
    try:
        kda = kas.client(server.url)
        kinesis = sup.make_client(server.url)
        stream = kas.create_stream(kinesis, sup.unique_name("durable"))
        kda.create_application(ApplicationName="running", Inputs=[kinesis_input(stream)],
                               Tags=[{"Key": "k", "Value": "v"}])
        kda.create_application(ApplicationName="ready", ApplicationCode="-- kept")
        kda.add_application_output(ApplicationName="ready", CurrentApplicationVersionId=1,
                                   Output=kinesis_output(stream))
        kda.start_application(ApplicationName="running", InputConfigurations=[
            {"Id": "1.1", "InputStartingPositionConfiguration": {"InputStartingPosition": "NOW"}}])
        kas.wait_status(kda, "running", "RUNNING")
        before = {n: kda.describe_application(ApplicationName=n)["ApplicationDetail"] for n in ("running", "ready")}
        if stop == "sigterm":
            assert server.terminate() == 0
        else:
            server.kill9()
        server.start()
        kda = kas.client(server.url)
        after = {n: kda.describe_application(ApplicationName=n)["ApplicationDetail"] for n in ("running", "ready")}
        assert after == before
        assert after["running"]["ApplicationStatus"] == "RUNNING"
        assert kda.list_tags_for_resource(ResourceARN=kas.app_arn("running"))["Tags"] == [{"Key": "k", "Value": "v"}]
        kda.add_application_output(ApplicationName="ready", CurrentApplicationVersionId=2,
                                   Output=kinesis_output(stream, "SECOND"))
        d = kda.describe_application(ApplicationName="ready")["ApplicationDetail"]
        assert [o["OutputId"] for o in d["OutputDescriptions"]] == ["1.1", "1.2"]
    finally:
        server.kill9()
