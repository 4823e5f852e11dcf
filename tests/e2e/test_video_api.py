"""Kinesis Video Streams' control plane through boto3's `kinesisvideo` client
and the AWS CLI: streams (create, describe by name and ARN, list with a name
condition and paging, update, data retention, delete with versions), tags
both ways, GetDataEndpoint for every APIName, signaling channels, the stored
image-generation and notification configurations, the operations runnel does
not serve, and streams surviving kill -9 and SIGTERM.
"""
from __future__ import annotations

import re
import time

import pytest
from botocore.exceptions import ClientError

import e2e_support as sup
import video_support as vs

ARN_RE = re.compile(r"^arn:aws:kinesisvideo:us-east-1:000000000000:stream/([a-zA-Z0-9_.-]+)/(\d{13})$")
NOT_FOUND = "The requested stream is not found or not active."
API_NAMES = ["PUT_MEDIA", "GET_MEDIA", "LIST_FRAGMENTS", "GET_MEDIA_FOR_FRAGMENT_LIST",
             "GET_HLS_STREAMING_SESSION_URL", "GET_DASH_STREAMING_SESSION_URL", "GET_CLIP", "GET_IMAGES"]


@pytest.fixture(scope="module")
def kv():
    return vs.client()


@pytest.fixture(scope="module")
def kv_raw():
    return vs.client(validate=False)


def new_stream(kv, prefix="cam", **kwargs) -> tuple[str, dict]:
    name = sup.unique_name(prefix)
    kv.create_stream(StreamName=name, **kwargs)
    return name, vs.wait_active(kv, name)


def test_create_and_describe_by_name_and_arn(kv):
    name = sup.unique_name("cam")
    before = time.time()
    arn = kv.create_stream(StreamName=name, DeviceName="door-cam", MediaType="video/h264",
                           DataRetentionInHours=24, Tags={"site": "lab"})["StreamARN"]
    m = ARN_RE.match(arn)
    assert m and m.group(1) == name
    info = vs.wait_active(kv, name)
    assert info["StreamARN"] == arn
    assert info["StreamName"] == name
    assert info["DeviceName"] == "door-cam"
    assert info["MediaType"] == "video/h264"
    assert info["DataRetentionInHours"] == 24
    assert info["KmsKeyId"] == "arn:aws:kms:us-east-1:000000000000:alias/aws/kinesisvideo"
    assert re.fullmatch(r"[a-zA-Z0-9]{20}", info["Version"])
    created = info["CreationTime"].timestamp()
    assert before - 2 <= created <= time.time() + 2
    # The ARN's epoch is the creation time in milliseconds.
    assert abs(int(m.group(2)) / 1000 - created) < 1.0
    assert kv.describe_stream(StreamARN=arn)["StreamInfo"] == info
    assert kv.describe_stream(StreamName=name, StreamARN=arn)["StreamInfo"] == info
    assert kv.list_tags_for_stream(StreamARN=arn)["Tags"] == {"site": "lab"}


def test_create_defaults_and_kms_key(kv):
    name, info = new_stream(kv, KmsKeyId="arn:aws:kms:us-east-1:000000000000:key/abc")
    assert info["DataRetentionInHours"] == 0
    assert "DeviceName" not in info and "MediaType" not in info
    assert info["KmsKeyId"] == "arn:aws:kms:us-east-1:000000000000:key/abc"


def test_duplicate_name_is_resource_in_use(kv):
    name, _ = new_stream(kv)
    with pytest.raises(ClientError) as e:
        kv.create_stream(StreamName=name)
    code, msg, status = vs.error(e)
    assert (code, status) == ("ResourceInUseException", 400)
    assert name in msg


def test_missing_stream_is_404_with_aws_message(kv):
    name = sup.unique_name("nope")
    for call in (lambda: kv.describe_stream(StreamName=name),
                 lambda: kv.get_data_endpoint(StreamName=name, APIName="GET_MEDIA"),
                 lambda: kv.list_tags_for_stream(StreamName=name)):
        with pytest.raises(ClientError) as e:
            call()
        assert vs.error(e) == ("ResourceNotFoundException", NOT_FOUND, 404)
    # An ARN with the right name but another creation time is another stream.
    real, info = new_stream(kv)
    stale = info["StreamARN"].rsplit("/", 1)[0] + "/1000000000000"
    with pytest.raises(ClientError) as e:
        kv.describe_stream(StreamARN=stale)
    assert vs.error(e)[0] == "ResourceNotFoundException"


def test_describe_needs_name_or_arn(kv):
    with pytest.raises(ClientError) as e:
        kv.describe_stream()
    code, msg, status = vs.error(e)
    assert (code, status) == ("InvalidArgumentException", 400)
    assert "StreamName" in msg and "StreamARN" in msg


def test_invalid_names_and_ranges_are_refused(kv_raw):
    for bad in ({"StreamName": "has space"}, {"StreamName": "x" * 257},
                {"StreamName": "ok-name", "DataRetentionInHours": -1},
                {"StreamName": "ok-name", "MediaType": "not-a-media-type"},
                {"StreamName": "ok-name", "DeviceName": "bad device"}):
        with pytest.raises(ClientError) as e:
            kv_raw.create_stream(**bad)
        code, msg, status = vs.error(e)
        # Model constraints are checked before the operation, in the
        # wording of AWS's request validation.
        assert (code, status) == ("ValidationException", 400), (bad, code)
        assert msg.startswith("1 validation error detected: Value "), msg
    with pytest.raises(ClientError) as e:
        kv_raw.create_stream(StreamName=sup.unique_name("cam"), DataRetentionInHours=87601)
    code, msg, status = vs.error(e)
    assert (code, status) == ("InvalidArgumentException", 400)
    assert "87600" in msg


def test_list_streams_condition_and_paging(kv):
    prefix = sup.unique_name("lst")
    names = sorted(f"{prefix}-{i:02d}" for i in range(7))
    for n in names:
        kv.create_stream(StreamName=n)
    cond = {"ComparisonOperator": "BEGINS_WITH", "ComparisonValue": prefix}
    whole = kv.list_streams(StreamNameCondition=cond)
    assert [s["StreamName"] for s in whole["StreamInfoList"]] == names
    assert "NextToken" not in whole
    seen, token, pages = [], None, 0
    while True:
        args = {"StreamNameCondition": cond, "MaxResults": 3}
        if token:
            args["NextToken"] = token
        page = kv.list_streams(**args)
        pages += 1
        seen += [s["StreamName"] for s in page["StreamInfoList"]]
        token = page.get("NextToken")
        if not token:
            break
    assert seen == names and pages == 3
    # botocore's paginator follows the same tokens.
    paged = [s["StreamName"] for p in kv.get_paginator("list_streams").paginate(
        StreamNameCondition=cond, PaginationConfig={"PageSize": 2}) for s in p["StreamInfoList"]]
    assert paged == names
    with pytest.raises(ClientError) as e:
        kv.list_streams(NextToken="bm90LWEtdG9rZW4=")
    assert vs.error(e)[0] == "InvalidArgumentException"


def test_update_stream_and_versions(kv):
    name, info = new_stream(kv, MediaType="video/h264")
    v1 = info["Version"]
    kv.update_stream(StreamName=name, CurrentVersion=v1, DeviceName="cam-2", MediaType="video/h265")
    after = kv.describe_stream(StreamName=name)["StreamInfo"]
    assert after["DeviceName"] == "cam-2" and after["MediaType"] == "video/h265"
    assert after["Version"] != v1
    with pytest.raises(ClientError) as e:
        kv.update_stream(StreamName=name, CurrentVersion=v1, DeviceName="cam-3")
    code, _, status = vs.error(e)
    assert (code, status) == ("VersionMismatchException", 400)
    assert kv.describe_stream(StreamName=name)["StreamInfo"]["DeviceName"] == "cam-2"


def test_update_data_retention(kv):
    name, info = new_stream(kv, DataRetentionInHours=2)
    kv.update_data_retention(StreamName=name, CurrentVersion=info["Version"],
                             Operation="INCREASE_DATA_RETENTION", DataRetentionChangeInHours=10)
    info = kv.describe_stream(StreamName=name)["StreamInfo"]
    assert info["DataRetentionInHours"] == 12
    kv.update_data_retention(StreamARN=info["StreamARN"], CurrentVersion=info["Version"],
                             Operation="DECREASE_DATA_RETENTION", DataRetentionChangeInHours=5)
    info = kv.describe_stream(StreamName=name)["StreamInfo"]
    assert info["DataRetentionInHours"] == 7
    with pytest.raises(ClientError) as e:
        kv.update_data_retention(StreamName=name, CurrentVersion=info["Version"],
                                 Operation="DECREASE_DATA_RETENTION", DataRetentionChangeInHours=8)
    assert vs.error(e)[0] == "InvalidArgumentException"
    with pytest.raises(ClientError) as e:
        kv.update_data_retention(StreamName=name, CurrentVersion=info["Version"],
                                 Operation="INCREASE_DATA_RETENTION", DataRetentionChangeInHours=87600)
    assert vs.error(e)[0] == "InvalidArgumentException"
    with pytest.raises(ClientError) as e:
        kv.update_data_retention(StreamName=name, CurrentVersion="stale0version",
                                 Operation="INCREASE_DATA_RETENTION", DataRetentionChangeInHours=1)
    assert vs.error(e)[0] == "VersionMismatchException"
    assert kv.describe_stream(StreamName=name)["StreamInfo"]["DataRetentionInHours"] == 7


def test_delete_stream_with_versions(kv):
    name, info = new_stream(kv)
    kv.update_stream(StreamName=name, CurrentVersion=info["Version"], DeviceName="d")
    with pytest.raises(ClientError) as e:
        kv.delete_stream(StreamARN=info["StreamARN"], CurrentVersion=info["Version"])
    code, _, status = vs.error(e)
    assert (code, status) == ("VersionMismatchException", 400)
    current = kv.describe_stream(StreamName=name)["StreamInfo"]["Version"]
    kv.delete_stream(StreamARN=info["StreamARN"], CurrentVersion=current)
    with pytest.raises(ClientError) as e:
        kv.describe_stream(StreamName=name)
    assert vs.error(e)[0] == "ResourceNotFoundException"
    assert name not in [s["StreamName"] for s in kv.list_streams()["StreamInfoList"]]
    with pytest.raises(ClientError) as e:
        kv.delete_stream(StreamARN=info["StreamARN"])
    assert vs.error(e)[0] == "ResourceNotFoundException"
    # The name can be used again, with a new ARN.
    arn2 = kv.create_stream(StreamName=name)["StreamARN"]
    assert ARN_RE.match(arn2).group(1) == name


def test_tag_stream_and_tag_resource(kv):
    name, info = new_stream(kv, Tags={"a": "1"})
    arn = info["StreamARN"]
    kv.tag_stream(StreamName=name, Tags={"b": "2", "a": "one"})
    assert kv.list_tags_for_stream(StreamName=name)["Tags"] == {"a": "one", "b": "2"}
    kv.untag_stream(StreamARN=arn, TagKeyList=["a", "missing"])
    assert kv.list_tags_for_stream(StreamARN=arn)["Tags"] == {"b": "2"}
    kv.tag_resource(ResourceARN=arn, Tags=[{"Key": "c", "Value": "3"}])
    assert kv.list_tags_for_resource(ResourceARN=arn)["Tags"] == {"b": "2", "c": "3"}
    kv.untag_resource(ResourceARN=arn, TagKeyList=["b"])
    assert kv.list_tags_for_stream(StreamName=name)["Tags"] == {"c": "3"}
    with pytest.raises(ClientError) as e:
        kv.tag_stream(StreamName=name, Tags={f"k{i}": "v" for i in range(50)})
    code, _, status = vs.error(e)
    assert (code, status) == ("TagsPerResourceExceededLimitException", 400)
    assert kv.list_tags_for_stream(StreamName=name)["Tags"] == {"c": "3"}
    with pytest.raises(ClientError) as e:
        kv.tag_resource(ResourceARN=arn.rsplit("/", 1)[0] + "/1", Tags=[{"Key": "x", "Value": "y"}])
    assert (vs.error(e)[0], vs.error(e)[2]) == ("ResourceNotFoundException", 404)
    with pytest.raises(ClientError) as e:
        kv.tag_stream(StreamName=name, Tags={"aws:reserved": "x"})
    assert vs.error(e)[0] == "InvalidArgumentException"


def test_get_data_endpoint_for_every_api_name(kv):
    name, info = new_stream(kv)
    for api in API_NAMES:
        ep = kv.get_data_endpoint(StreamName=name, APIName=api)["DataEndpoint"]
        assert ep == sup.endpoint().rstrip("/"), api
    assert kv.get_data_endpoint(StreamARN=info["StreamARN"], APIName="GET_MEDIA")["DataEndpoint"] == \
        sup.endpoint().rstrip("/")


def test_data_endpoint_flag_is_advertised():
    server = sup.RunnelServer(extra_args=["--video-data-endpoint", "http://cams.example:8443"]).start()
    try:
        kv = vs.client(server.url)
        kv.create_stream(StreamName="adv")
        assert kv.get_data_endpoint(StreamName="adv", APIName="PUT_MEDIA")["DataEndpoint"] == \
            "http://cams.example:8443"
    finally:
        server.terminate()


def test_signaling_channels(kv):
    name = sup.unique_name("chan")
    arn = kv.create_signaling_channel(ChannelName=name, Tags=[{"Key": "k", "Value": "v"}])["ChannelARN"]
    assert re.fullmatch(rf"arn:aws:kinesisvideo:us-east-1:000000000000:channel/{name}/\d{{13}}", arn)
    info = sup.wait_for("channel ACTIVE", lambda: (lambda i: i if i["ChannelStatus"] == "ACTIVE" else None)(
        kv.describe_signaling_channel(ChannelName=name)["ChannelInfo"]))
    assert info["ChannelType"] == "SINGLE_MASTER"
    assert info["SingleMasterConfiguration"] == {"MessageTtlSeconds": 60}
    assert kv.describe_signaling_channel(ChannelARN=arn)["ChannelInfo"] == info
    listed = kv.list_signaling_channels(ChannelNameCondition={"ComparisonOperator": "BEGINS_WITH",
                                                              "ComparisonValue": name})["ChannelInfoList"]
    assert [c["ChannelName"] for c in listed] == [name]
    assert kv.list_tags_for_resource(ResourceARN=arn)["Tags"] == {"k": "v"}
    kv.update_signaling_channel(ChannelARN=arn, CurrentVersion=info["Version"],
                                SingleMasterConfiguration={"MessageTtlSeconds": 30})
    after = kv.describe_signaling_channel(ChannelARN=arn)["ChannelInfo"]
    assert after["SingleMasterConfiguration"] == {"MessageTtlSeconds": 30}
    with pytest.raises(ClientError) as e:
        kv.create_signaling_channel(ChannelName=name)
    assert vs.error(e)[0] == "ResourceInUseException"
    with pytest.raises(ClientError) as e:
        kv.get_signaling_channel_endpoint(ChannelARN=arn)
    code, msg, _ = vs.error(e)
    assert code == "InvalidArgumentException" and "GetSignalingChannelEndpoint" in msg and "WebRTC" in msg
    with pytest.raises(ClientError) as e:
        kv.delete_signaling_channel(ChannelARN=arn, CurrentVersion=info["Version"])
    assert vs.error(e)[0] == "VersionMismatchException"
    kv.delete_signaling_channel(ChannelARN=arn)
    with pytest.raises(ClientError) as e:
        kv.describe_signaling_channel(ChannelName=name)
    assert (vs.error(e)[0], vs.error(e)[2]) == ("ResourceNotFoundException", 404)


def test_image_generation_and_notification_configuration(kv):
    name, _ = new_stream(kv)
    assert "ImageGenerationConfiguration" not in kv.describe_image_generation_configuration(StreamName=name)
    assert "NotificationConfiguration" not in kv.describe_notification_configuration(StreamName=name)
    image = {"Status": "ENABLED", "ImageSelectorType": "SERVER_TIMESTAMP",
             "DestinationConfig": {"Uri": "s3://bucket/images", "DestinationRegion": "us-east-1"},
             "SamplingInterval": 3000, "Format": "JPEG", "FormatConfig": {"JPEGQuality": "80"},
             "WidthPixels": 640, "HeightPixels": 480}
    notify = {"Status": "ENABLED", "DestinationConfig": {"Uri": "arn:aws:sns:us-east-1:000000000000:topic"}}
    # Retention 0: nothing to make images of, as AWS answers.
    with pytest.raises(ClientError) as e:
        kv.update_image_generation_configuration(StreamName=name, ImageGenerationConfiguration=image)
    assert vs.error(e)[0] == "NoDataRetentionException"
    with pytest.raises(ClientError) as e:
        kv.update_notification_configuration(StreamName=name, NotificationConfiguration=notify)
    assert vs.error(e)[0] == "NoDataRetentionException"
    info = kv.describe_stream(StreamName=name)["StreamInfo"]
    kv.update_data_retention(StreamName=name, CurrentVersion=info["Version"],
                             Operation="INCREASE_DATA_RETENTION", DataRetentionChangeInHours=1)
    kv.update_image_generation_configuration(StreamName=name, ImageGenerationConfiguration=image)
    kv.update_notification_configuration(StreamARN=info["StreamARN"], NotificationConfiguration=notify)
    assert kv.describe_image_generation_configuration(StreamName=name)["ImageGenerationConfiguration"] == image
    assert kv.describe_notification_configuration(StreamName=name)["NotificationConfiguration"] == notify


def test_unserved_operations_say_what_is_not_supported(kv):
    name, _ = new_stream(kv)
    with pytest.raises(ClientError) as e:
        kv.describe_edge_configuration(StreamName=name)
    code, msg, status = vs.error(e)
    assert (code, status) == ("InvalidArgumentException", 400)
    assert "DescribeEdgeConfiguration" in msg and "runnel does not serve" in msg


def test_stream_storage_configuration(kv):
    name, info = new_stream(kv)
    got = kv.describe_stream_storage_configuration(StreamName=name)
    assert got["StreamStorageConfiguration"] == {"DefaultStorageTier": "HOT"}
    kv.update_stream_storage_configuration(StreamName=name, CurrentVersion=info["Version"],
                                           StreamStorageConfiguration={"DefaultStorageTier": "WARM"})
    got = kv.describe_stream_storage_configuration(StreamARN=info["StreamARN"])
    assert got["StreamStorageConfiguration"] == {"DefaultStorageTier": "WARM"}


def test_creating_then_active_with_a_create_delay():
    server = sup.RunnelServer(extra_args=["--video-create-stream-ms", "1500"]).start()
    try:
        kv = vs.client(server.url)
        kv.create_stream(StreamName="slow")
        assert kv.describe_stream(StreamName="slow")["StreamInfo"]["Status"] == "CREATING"
        with pytest.raises(ClientError) as e:
            kv.update_stream(StreamName="slow", CurrentVersion="x", DeviceName="d")
        assert vs.error(e)[0] == "ResourceInUseException"
        assert vs.wait_active(kv, "slow")["Status"] == "ACTIVE"
    finally:
        server.terminate()


@pytest.mark.timeout_seconds(120)
@pytest.mark.parametrize("stop", ["kill9", "sigterm"])
def test_streams_survive_restart(stop):
    server = sup.RunnelServer().start()
    try:
        kv = vs.client(server.url)
        arn = kv.create_stream(StreamName="kept", MediaType="video/h264", DataRetentionInHours=48,
                               Tags={"t": "1"})["StreamARN"]
        info = vs.wait_active(kv, "kept")
        kv.tag_resource(ResourceARN=arn, Tags=[{"Key": "u", "Value": "2"}])
        kv.create_stream(StreamName="gone")
        gone = vs.wait_active(kv, "gone")
        kv.delete_stream(StreamARN=gone["StreamARN"])
        channel = kv.create_signaling_channel(ChannelName="door")["ChannelARN"]
        kv.update_notification_configuration(
            StreamName="kept", NotificationConfiguration={"Status": "DISABLED",
                                                          "DestinationConfig": {"Uri": "arn:aws:sns:x:1:t"}})
        if stop == "kill9":
            server.kill9()
        else:
            assert server.terminate() == 0
        server.start()
        kv = vs.client(server.url)
        assert kv.describe_stream(StreamName="kept")["StreamInfo"] == info
        assert kv.list_tags_for_stream(StreamARN=arn)["Tags"] == {"t": "1", "u": "2"}
        assert [s["StreamName"] for s in kv.list_streams()["StreamInfoList"]] == ["kept"]
        assert kv.describe_signaling_channel(ChannelARN=channel)["ChannelInfo"]["ChannelName"] == "door"
        assert kv.describe_notification_configuration(StreamName="kept")["NotificationConfiguration"][
            "Status"] == "DISABLED"
    finally:
        server.kill9()


CLI = sup.find_aws_cli()


@pytest.mark.skipif(CLI is None, reason="no aws CLI installed")
def test_cli_create_describe_list_endpoint():
    aws, out = sup.aws_service_cli(CLI, "kinesisvideo")
    name = sup.unique_name("cli")
    arn = out("create-stream", "--stream-name", name, "--data-retention-in-hours", "3",
              "--media-type", "video/h264")["StreamARN"]
    assert ARN_RE.match(arn)
    info = out("describe-stream", "--stream-name", name)["StreamInfo"]
    assert info["StreamARN"] == arn and info["DataRetentionInHours"] == 3
    listed = out("list-streams", "--stream-name-condition",
                 f"ComparisonOperator=BEGINS_WITH,ComparisonValue={name}")["StreamInfoList"]
    assert [s["StreamName"] for s in listed] == [name]
    ep = out("get-data-endpoint", "--stream-name", name, "--api-name", "GET_HLS_STREAMING_SESSION_URL")
    assert ep["DataEndpoint"] == sup.endpoint().rstrip("/")
    proc = aws("describe-stream", "--stream-name", sup.unique_name("none"), check=False)
    assert proc.returncode != 0 and "ResourceNotFoundException" in proc.stderr
    aws("delete-stream", "--stream-arn", arn, "--current-version", info["Version"])
    proc = aws("describe-stream", "--stream-name", name, check=False)
    assert "ResourceNotFoundException" in proc.stderr


def test_media_apis_say_they_are_not_built_yet(kv):
    """PutMedia, GetMedia and the archived-media APIs are not built yet: a
    request signed for kinesisvideo gets a clear REST-JSON error naming the
    operation, not the generic 403 of a request no service claims."""
    import boto3
    from botocore.config import Config
    name, _ = new_stream(kv)
    config = Config(region_name=sup.REGION, retries={"total_max_attempts": 1, "mode": "standard"})
    archived = boto3.client("kinesis-video-archived-media", endpoint_url=sup.endpoint(),
                            aws_access_key_id="AKIDEXAMPLE", aws_secret_access_key="dummy-secret", config=config)
    with pytest.raises(ClientError) as e:
        archived.get_hls_streaming_session_url(StreamName=name, PlaybackMode="LIVE")
    code, msg, status = vs.error(e)
    assert (code, status) == ("InvalidArgumentException", 400)
    assert "GetHLSStreamingSessionURL" in msg and "not built yet" in msg
    media = boto3.client("kinesis-video-media", endpoint_url=sup.endpoint(), aws_access_key_id="AKIDEXAMPLE",
                         aws_secret_access_key="dummy-secret", config=config)
    with pytest.raises(ClientError) as e:
        media.get_media(StreamName=name, StartSelector={"StartSelectorType": "NOW"})
    assert vs.error(e)[0] == "InvalidArgumentException" and "GetMedia" in vs.error(e)[1]
    # PutMedia as a producer sends it (signed for kinesisvideo, no model).
    body = b"\x1a\x45\xdf\xa3"
    headers = {"x-amzn-stream-name": name, "x-amzn-fragment-timecode-type": "ABSOLUTE",
               "x-amzn-producer-start-timestamp": "1700000000.000"}
    from botocore.auth import SigV4Auth
    from botocore.awsrequest import AWSRequest
    from botocore.credentials import Credentials
    import urllib.request
    req = AWSRequest(method="POST", url=sup.endpoint() + "/putMedia", data=body, headers=headers)
    SigV4Auth(Credentials("AKIDEXAMPLE", "dummy-secret"), "kinesisvideo", sup.REGION).add_auth(req)
    prepared = req.prepare()
    http_req = urllib.request.Request(prepared.url, data=body, headers=dict(prepared.headers), method="POST")
    with pytest.raises(urllib.error.HTTPError) as e:
        urllib.request.urlopen(http_req, timeout=10)
    assert e.value.code == 400
    assert e.value.headers["x-amzn-ErrorType"] == "InvalidArgumentException"
    assert "PutMedia" in e.value.read().decode()


def test_unsigned_requests_find_their_rest_service():
    """With two REST services (S3 and Video), an unsigned request goes to the
    one with an operation for its method and path: Video's POST
    /describeStream answers in JSON, S3's PUT /<bucket> in XML, as before."""
    import http.client
    host, port = sup.host_port()
    conn = http.client.HTTPConnection(host, port, timeout=10)
    conn.request("POST", "/describeStream", body=b'{"StreamName":"x"}',
                 headers={"Content-Type": "application/json"})
    resp = conn.getresponse()
    body = resp.read().decode()
    assert resp.getheader("x-amzn-ErrorType") == "MissingAuthenticationTokenException", body
    assert resp.getheader("Content-Type") == "application/json"
    conn.request("PUT", "/" + sup.unique_name("bucket"))
    resp = conn.getresponse()
    body = resp.read().decode()
    assert resp.status == 403 and "<Code>AccessDenied</Code>" in body, body
    conn.close()
