#!/usr/bin/env python3
"""Checks the AWS Query fixtures of src/protocol/query_*_test.cc against botocore.

Usage: tools/query_botocore_check.py

1. The request fixtures of query_codec_test.cc (k<Op>Query, k<Op>Json) must be
   exactly what botocore's Query and JSON serializers write for PARAMS below.
2. The answer fixtures of query_xml_test.cc (k<Op>Xml) must parse, with
   botocore's QueryParser, to EXPECTED below.
Exits non-zero on the first difference. Needs only botocore (the build
already does: tools/gen_model.py reads its models).
"""

import codecs
import datetime
import os
import re
import sys

import botocore.session
from botocore.awsrequest import AWSRequest
from botocore.model import ServiceModel
from botocore.parsers import QueryParser
from botocore.serialize import create_serializer

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
UTC = datetime.timezone.utc
T = datetime.datetime(2026, 12, 6, 23, 59, 0, tzinfo=UTC)
T2 = datetime.datetime(2026, 12, 6, 23, 59, 1, tzinfo=UTC)

PARAMS = {
    "PutMetricData": {"Namespace": "App/Web", "MetricData": [
        {"MetricName": "Latency", "Dimensions": [{"Name": "Host", "Value": "a b&c"},
                                                 {"Name": "Région", "Value": "eu-west-1"}],
         "Timestamp": T, "Values": [1.5, 1e-05, 2.0], "Counts": [1.0, 3.0, 10.0], "Unit": "Milliseconds",
         "StorageResolution": 1},
        {"MetricName": "Requests", "Timestamp": T2,
         "StatisticValues": {"SampleCount": 4.0, "Sum": 10.0, "Minimum": 1.0, "Maximum": 4.0}, "Unit": "Count"},
        {"MetricName": "Empty", "Value": 0.1, "Dimensions": []}]},
    "GetMetricStatistics": {"Namespace": "AWS/EC2", "MetricName": "CPUUtilization",
                            "Dimensions": [{"Name": "InstanceId", "Value": "i-123"}], "StartTime": T, "EndTime": T2,
                            "Period": 60, "Statistics": ["Average", "Maximum"], "ExtendedStatistics": ["p99"],
                            "Unit": "Percent"},
    "GetMetricData": {"MetricDataQueries": [
        {"Id": "q1", "MetricStat": {"Metric": {"Namespace": "App/Web", "MetricName": "Latency",
                                               "Dimensions": [{"Name": "Host", "Value": "h"}]},
                                    "Period": 300, "Stat": "p90", "Unit": "Milliseconds"}, "ReturnData": False},
        {"Id": "e1", "Expression": "q1 * 2", "Label": "double", "ReturnData": True}],
        "StartTime": T, "EndTime": T2, "ScanBy": "TimestampDescending", "MaxDatapoints": 100,
        "LabelOptions": {"Timezone": "+0130"}},
    "ListMetrics": {"Namespace": "App/Web", "Dimensions": [{"Name": "Host"}], "RecentlyActive": "PT3H",
                    "IncludeLinkedAccounts": True, "NextToken": "abc+/="},
}

EXPECTED = {
    "GetMetricStatistics": {"Label": "CPU <&> \"q\" 'a'", "Datapoints": [
        {"Timestamp": T, "SampleCount": 3.0, "Average": 0.1, "Sum": 1e-05, "Minimum": -2.5, "Maximum": 1e7,
         "Unit": "Percent", "ExtendedStatistics": {"p99": 12345678.9, "p50": 100.0}},
        {"Timestamp": datetime.datetime(2026, 12, 6, 23, 59, 1, 250000, tzinfo=UTC), "SampleCount": 1.0}],
        "ResponseMetadata": {"RequestId": "req-1"}},
    "GetMetricData": {"MetricDataResults": [
        {"Id": "q1", "Label": "L", "Timestamps": [T, datetime.datetime(2026, 12, 6, 23, 58, tzinfo=UTC)],
         "Values": [1.0, 2.5], "StatusCode": "Complete", "Messages": []}],
        "NextToken": "n+/=", "Messages": [{"Code": "c", "Value": "v"}], "ResponseMetadata": {"RequestId": "req-2"}},
    "ListMetrics": {"Metrics": [{"Namespace": "App/Web", "MetricName": "Latency",
                                 "Dimensions": [{"Name": "Host", "Value": "a\r\nb\ufffd"}]}],
                    "OwningAccounts": ["123456789012"], "ResponseMetadata": {"RequestId": "req-3"}},
    "PutMetricData": {"ResponseMetadata": {"RequestId": "req-4"}},
    "Do": {"Name": "n", "Flags": ["a", "b"], "Items": ["x"], "Tags": {"k": "v", "k2": "v2"}, "Data": b"hi\xff",
           "On": False, "Big": -9007199254740993, "Ratio": 5.0, "Small": 0.1,
           "When": datetime.datetime(1969, 12, 31, 23, 59, 59, 999000, tzinfo=UTC),
           "Node": {"Label": "a", "Child": {"Label": "b"}}, "ResponseMetadata": {"RequestId": "req-5"}},
}

# query_test_model.h's model, as botocore describes it.
EXAMPLE_MODEL = {
    "metadata": {"apiVersion": "2020-01-01", "protocol": "query", "endpointPrefix": "example",
                 "xmlNamespace": "https://example.com/doc/2020-01-01/", "serviceId": "Example",
                 "signatureVersion": "v4"},
    "operations": {"Do": {"name": "Do", "input": {"shape": "Input"},
                          "output": {"shape": "Input", "resultWrapper": "DoResult"}}},
    "shapes": {
        "Input": {"type": "structure", "required": ["Name"], "members": {
            "Name": {"shape": "String"}, "Flags": {"shape": "FlatList"}, "Items": {"shape": "NamedList"},
            "Tags": {"shape": "Map"}, "Data": {"shape": "Blob"}, "On": {"shape": "Bool"}, "Big": {"shape": "Long"},
            "Ratio": {"shape": "Double"}, "Small": {"shape": "Float"}, "When": {"shape": "Timestamp"},
            "Node": {"shape": "Node"}}},
        "Node": {"type": "structure", "members": {"Label": {"shape": "String"}, "Child": {"shape": "Node"}}},
        "FlatList": {"type": "list", "member": {"shape": "String", "locationName": "Flag"}, "flattened": True},
        "NamedList": {"type": "list", "member": {"shape": "String", "locationName": "Item"}},
        "Map": {"type": "map", "key": {"shape": "String"}, "value": {"shape": "String"}},
        "String": {"type": "string"}, "Blob": {"type": "blob"}, "Bool": {"type": "boolean"},
        "Long": {"type": "long"}, "Double": {"type": "double"}, "Float": {"type": "float"},
        "Timestamp": {"type": "timestamp"}}}
EXAMPLE_PARAMS = {k: v for k, v in EXPECTED["Do"].items() if k != "ResponseMetadata"}


def literals(path):
    """{name: bytes} of the `constexpr std::string_view kName = "..." "...";` in a C++ file."""
    text = open(path, encoding="utf-8").read()
    out = {}
    for m in re.finditer(r"constexpr std::string_view (k\w+) =\s*((?:\s*(?:R\"xml\(.*?\)xml\"|\"(?:[^\"\\]|\\.)*\"))+);",
                         text, re.S):
        data = b""
        for piece in re.finditer(r"R\"xml\((.*?)\)xml\"|\"((?:[^\"\\]|\\.)*)\"", m.group(2), re.S):
            if piece.group(1) is not None:
                data += piece.group(1).encode("utf-8")
            else:
                data += codecs.escape_decode(piece.group(2).encode("utf-8"))[0]
        out[m.group(1)] = data
    return out


def fail(msg):
    sys.stderr.write("query_botocore_check: %s\n" % msg)
    sys.exit(1)


def normalise(v):
    if isinstance(v, dict):
        return {k: normalise(x) for k, x in v.items() if k not in ("HTTPHeaders", "HTTPStatusCode")}
    if isinstance(v, list):
        return [normalise(x) for x in v]
    if isinstance(v, datetime.datetime):
        return v.astimezone(UTC)
    return v


def main():
    cw = botocore.session.get_session().get_service_model("cloudwatch")
    requests = literals(os.path.join(ROOT, "src/protocol/query_codec_test.cc"))
    for op, params in PARAMS.items():
        model = cw.operation_model(op)
        query = create_serializer("query").serialize_to_request(params, model)["body"]
        query = AWSRequest(method="POST", url="https://monitoring.us-east-1.amazonaws.com/", data=query).prepare().body
        if requests.get("k%sQuery" % op) != query.encode():
            fail("k%sQuery differs from botocore's:\n%s" % (op, query))
        body = create_serializer("json").serialize_to_request(params, model)["body"]
        if requests.get("k%sJson" % op) != body:
            fail("k%sJson differs from botocore's:\n%s" % (op, body.decode()))
    answers = literals(os.path.join(ROOT, "src/protocol/query_xml_test.cc"))
    example = ServiceModel(EXAMPLE_MODEL, "example")
    query = create_serializer("query").serialize_to_request(EXAMPLE_PARAMS, example.operation_model("Do"))["body"]
    query = AWSRequest(method="POST", url="https://example.com/", data=query).prepare().body
    if answers.get("kDoQuery") != query.encode():
        fail("kDoQuery differs from botocore's:\n%s" % query)
    for op, expected in EXPECTED.items():
        model = example.operation_model(op) if op == "Do" else cw.operation_model(op)
        xml = answers.get("k%sXml" % op)
        if xml is None:
            fail("no k%sXml in query_xml_test.cc" % op)
        parsed = QueryParser().parse({"body": xml, "headers": {}, "status_code": 200}, model.output_shape)
        if normalise(parsed) != normalise(expected):
            fail("k%sXml parses to\n%r\nnot\n%r" % (op, normalise(parsed), normalise(expected)))
    print("query_botocore_check: %d request and %d answer fixtures agree with botocore %s"
          % (2 * len(PARAMS) + 1, len(EXPECTED), botocore.__version__))


if __name__ == "__main__":
    main()
