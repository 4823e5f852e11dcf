#!/usr/bin/env python3
"""Turn a botocore service model into C++ tables (see src/protocol/model.h).

Usage: gen_model.py SERVICE API_VERSION OUTPUT.cc [NAMESPACE] [--drop-pattern=SHAPE...]
                    [--operations=OP,OP...]
  e.g. gen_model.py kinesis 2013-12-02 build/gen/kinesis_model.cc runnel::streams

--operations keeps every operation of the model (so the dispatcher still
knows each name and the service can answer that it does not serve it) but
only the listed ones keep their input, output and errors, and only the shapes
those reach are generated: a large model (Glue: 265 operations, 1,680 shapes)
costs only what is served. An unlisted operation has no input shape, so its
body is not validated (protocol/validator.h) and goes to the service's
otherwise() handler as {}.

The model is read from botocore's data/SERVICE/API_VERSION/service-2.json(.gz).
botocore is found by `import botocore`, then through `python3` on PATH, then
in common install locations; RUNNEL_BOTOCORE_DATA=<botocore>/data overrides
all of these. The output defines `const runnel::protocol::ServiceModel&
NAMESPACE::SERVICE_model()` (non-identifier characters become '_'; NAMESPACE
defaults to runnel::protocol) over constexpr arrays, so the tables cost
nothing at startup. The output is written atomically.
"""

import glob
import gzip
import hashlib
import json
import os
import re
import subprocess
import sys

# The order in which AWS lists validation errors for a structure's members,
# where it differs from the model's member order. AWS's order comes from its
# internal (Coral) model, not botocore's; these were observed against AWS by
# kinesalite's test suite (exact-message assertions). Members not listed keep
# the model's order after the listed ones.
VALIDATION_ORDER = {
    "kinesis": {
        "AddTagsToStreamInput": ["Tags", "StreamName"],
        "CreateStreamInput": ["ShardCount", "StreamName"],
        "DecreaseStreamRetentionPeriodInput": ["RetentionPeriodHours", "StreamName"],
        "DescribeStreamInput": ["Limit", "ExclusiveStartShardId", "StreamName"],
        "GetRecordsInput": ["Limit", "ShardIterator"],
        "GetShardIteratorInput": ["ShardId", "ShardIteratorType", "StartingSequenceNumber", "StreamName"],
        "IncreaseStreamRetentionPeriodInput": ["RetentionPeriodHours", "StreamName"],
        "ListShardsInput": ["ExclusiveStartShardId", "MaxResults", "NextToken", "StreamCreationTimestamp",
                            "StreamName"],
        "ListStreamsInput": ["Limit", "ExclusiveStartStreamName"],
        "ListTagsForStreamInput": ["Limit", "ExclusiveStartTagKey", "StreamName"],
        "MergeShardsInput": ["ShardToMerge", "AdjacentShardToMerge", "StreamName"],
        "PutRecordInput": ["SequenceNumberForOrdering", "PartitionKey", "ExplicitHashKey", "Data", "StreamName"],
        "PutRecordsInput": ["Records", "StreamName"],
        "PutRecordsRequestEntry": ["PartitionKey", "Data", "ExplicitHashKey"],
        "RemoveTagsFromStreamInput": ["TagKeys", "StreamName"],
        "SplitShardInput": ["NewStartingHashKey", "StreamName", "ShardToSplit"],
        "UpdateShardCountInput": ["ScalingType", "StreamName", "TargetShardCount"],
    },
}

# Enum value sets in the order AWS prints them ("Member must satisfy enum value
# set: [...]"), where it differs from botocore's order (kinesalite's tests).
ENUM_ORDER = {
    "kinesis": {
        "ShardIteratorType": ["AFTER_SEQUENCE_NUMBER", "LATEST", "AT_TIMESTAMP", "AT_SEQUENCE_NUMBER",
                              "TRIM_HORIZON"],
    },
}

# REST-XML knowledge botocore's JSON lacks (the Smithy model has it: S3's
# @xmlName on outputs, its default xmlns, @restXml(noErrorWrapping)).
# The root element of an output structure sent as a whole body, where it is
# not the shape's own name; what S3 sends.
XML_ROOT_NAMES = {
    "s3": {
        "ListObjectsOutput": "ListBucketResult",
        "ListObjectsV2Output": "ListBucketResult",
        "ListBucketsOutput": "ListAllMyBucketsResult",
        "ListObjectVersionsOutput": "ListVersionsResult",
        "ListMultipartUploadsOutput": "ListMultipartUploadsResult",
        "ListPartsOutput": "ListPartsResult",
        "CreateMultipartUploadOutput": "InitiateMultipartUploadResult",
        "CompleteMultipartUploadOutput": "CompleteMultipartUploadResult",
        "DeleteObjectsOutput": "DeleteResult",
        "GetBucketTaggingOutput": "Tagging",
        "GetObjectTaggingOutput": "Tagging",
        "GetBucketVersioningOutput": "VersioningConfiguration",
        "GetBucketLocationOutput": "LocationConstraint",
        "GetBucketAclOutput": "AccessControlPolicy",
        "GetObjectAclOutput": "AccessControlPolicy",
        "GetBucketCorsOutput": "CORSConfiguration",
        "GetBucketLifecycleConfigurationOutput": "LifecycleConfiguration",
    },
}
# The xmlns of a service's XML answers when its metadata names none.
XML_NAMESPACES = {"s3": "http://s3.amazonaws.com/doc/2006-03-01/"}
# Services whose errors are a bare <Error> (a model of ours may also set
# metadata "noErrorWrapping": true).
NO_ERROR_WRAPPING = {"s3", "s3control"}

SHAPE_TYPES = {
    "structure": "kStructure", "list": "kList", "map": "kMap", "string": "kString", "blob": "kBlob",
    "boolean": "kBoolean", "integer": "kInteger", "long": "kLong", "float": "kFloat", "double": "kDouble",
    "timestamp": "kTimestamp",
}


def fail(msg):
    sys.stderr.write("gen_model.py: error: %s\n" % msg)
    sys.exit(1)


def candidate_data_dirs():
    env = os.environ.get("RUNNEL_BOTOCORE_DATA")
    if env:
        yield env
        return
    try:
        import botocore  # noqa: F401
        yield os.path.join(os.path.dirname(botocore.__file__), "data")
    except ImportError:
        pass
    try:
        out = subprocess.run(
            ["python3", "-c", "import botocore, os; print(os.path.dirname(botocore.__file__))"],
            capture_output=True, text=True, timeout=60)
        if out.returncode == 0 and out.stdout.strip():
            yield os.path.join(out.stdout.strip(), "data")
    except (OSError, subprocess.SubprocessError):
        pass
    home = os.path.expanduser("~")
    patterns = [
        "/usr/lib/python3/dist-packages/botocore/data",
        "/usr/lib/python3*/site-packages/botocore/data",
        "/usr/local/lib/python3*/dist-packages/botocore/data",
        "/usr/local/lib/python3*/site-packages/botocore/data",
        home + "/.local/lib/python3*/site-packages/botocore/data",
        home + "/.pyenv/versions/*/lib/python3*/site-packages/botocore/data",
        "/root/.pyenv/versions/*/lib/python3*/site-packages/botocore/data",
        "/usr/local/aws-cli/v2/current/dist/awscli/botocore/data",
        "/usr/share/awscli/botocore/data",
    ]
    for p in patterns:
        for d in sorted(glob.glob(p), reverse=True):
            yield d


def load_model(service, version):
    tried = []
    for data_dir in candidate_data_dirs():
        base = os.path.join(data_dir, service, version, "service-2.json")
        for path, opener in ((base + ".gz", gzip.open), (base, open)):
            tried.append(path)
            if os.path.exists(path):
                with opener(path, "rb") as f:
                    raw = f.read()
                return json.loads(raw), path, hashlib.sha256(raw).hexdigest()
    fail("botocore's model for %s %s was not found. Install botocore (pip install botocore, or the "
         "python3-botocore package) or set RUNNEL_BOTOCORE_DATA to its data directory. Looked in:\n  %s"
         % (service, version, "\n  ".join(tried) if tried else "(no botocore installation found)"))


def cxx_str(s):
    out = []
    for ch in s:
        o = ord(ch)
        if ch == "\\":
            out.append("\\\\")
        elif ch == '"':
            out.append('\\"')
        elif ch == "?":
            out.append("\\?")  # no trigraph surprises
        elif 0x20 <= o < 0x7F:
            out.append(ch)
        else:
            for b in ch.encode("utf-8"):
                out.append('\\%03o' % b)
    return '"' + "".join(out) + '"'


def ident(service):
    return re.sub(r"[^A-Za-z0-9_]", "_", service)


def bound(shape_name, shape, key):
    v = shape.get(key)
    if v is None:
        return None
    if float(v) != int(v):
        fail("shape %s has a non-integral %s (%r); model.h stores integral bounds only" % (shape_name, key, v))
    return int(v)


def ordered_members(service, name, shape):
    members = list(shape.get("members", {}).items())
    order = VALIDATION_ORDER.get(service, {}).get(name)
    if not order:
        return members
    by_name = dict(members)
    missing = [m for m in order if m not in by_name]
    if missing:
        fail("VALIDATION_ORDER for %s names unknown members %s" % (name, missing))
    return [(m, by_name[m]) for m in order] + [(m, s) for m, s in members if m not in order]


def ordered_enum(service, name, values):
    order = ENUM_ORDER.get(service, {}).get(name)
    if not order:
        return values
    if sorted(order) != sorted(values):
        fail("ENUM_ORDER for %s does not match the model's values %s" % (name, values))
    return order


MEMBER_LOCATIONS = {
    None: "MemberLocation::kBody", "header": "MemberLocation::kHeader", "headers": "MemberLocation::kHeaders",
    "querystring": "MemberLocation::kQueryString", "uri": "MemberLocation::kUri",
    "statusCode": "MemberLocation::kStatusCode",
}


def cxx_bool(v):
    return "true" if v else "false"


def xml_namespace(traits):
    """(uri, prefix) of an xmlNamespace trait (a dict or a bare uri)."""
    ns = traits.get("xmlNamespace")
    if isinstance(ns, dict):
        return ns.get("uri", ""), ns.get("prefix", "")
    return (ns or ""), ""


def restrict_to_operations(model, served):
    """Keeps only `served` operations' inputs, outputs and errors, and the
    shapes they reach; every other operation stays, without shapes."""
    ops = model.get("operations", {})
    unknown = [o for o in served if o not in ops]
    if unknown:
        fail("--operations names operations the model lacks: %s" % ", ".join(unknown))
    shapes = model.get("shapes", {})
    keep = set()
    todo = []
    for oname, o in ops.items():
        if oname in served:
            for key in ("input", "output"):
                if key in o:
                    todo.append(o[key]["shape"])
            todo.extend(e["shape"] for e in o.get("errors", []))
        else:
            o.pop("input", None)
            o.pop("output", None)
            o.pop("errors", None)
    while todo:
        name = todo.pop()
        if name in keep:
            continue
        keep.add(name)
        s = shapes[name]
        for m in s.get("members", {}).values():
            todo.append(m["shape"])
        for key in ("member", "key", "value"):
            if key in s:
                todo.append(s[key]["shape"])
    model["shapes"] = {n: s for n, s in shapes.items() if n in keep}


def generate(service, version, model, source, digest, namespace="runnel::protocol"):
    meta = model.get("metadata", {})
    shapes = model.get("shapes", {})
    names = sorted(shapes)
    index = {n: i for i, n in enumerate(names)}
    if len(names) >= 0xFFFF:
        fail("too many shapes (%d)" % len(names))

    def ref(shape_name, ctx):
        if shape_name not in index:
            fail("%s refers to unknown shape %s" % (ctx, shape_name))
        return index[shape_name]

    out = []
    w = out.append
    fn = ident(service) + "_model"
    w("// Generated by tools/gen_model.py from botocore's %s/%s/%s. Do not edit." % (
        service, version, os.path.basename(source)))
    w("// Source sha256: %s" % digest)
    w('#include "protocol/model.h"')
    w("")
    w("namespace {")
    w("")
    w("using namespace runnel::protocol;")
    w("using enum ShapeType;")
    w("")

    shape_inits = []
    for i, name in enumerate(names):
        s = shapes[name]
        t = s.get("type")
        if t not in SHAPE_TYPES:
            fail("shape %s has unsupported type %r" % (name, t))
        # Every field is spelled out: g++ warns (-Wmissing-field-initializers)
        # about designated initialisers that leave some out.
        lo, hi = bound(name, s, "min"), bound(name, s, "max")
        enum_ref = members_ref = "{}"
        if "enum" in s:
            values = ordered_enum(service, name, s["enum"])
            w("constexpr std::string_view kEnum%d[] = {%s};" % (i, ", ".join(cxx_str(v) for v in values)))
            enum_ref = "kEnum%d" % i
        if t == "structure" and s.get("members"):
            required = set(s.get("required", []))
            w("constexpr MemberModel kMembers%d[] = {" % i)
            for mname, m in ordered_members(service, name, s):
                loc = m.get("location")
                if loc not in MEMBER_LOCATIONS:
                    fail("%s.%s has unsupported location %r" % (name, mname, loc))
                # jsonName names the body key; locationName names the body
                # key only for body members (else the header/query/label).
                wire = m.get("jsonName") or (m.get("locationName") if loc is None else None) or mname
                target = shapes.get(m["shape"], {})
                # Member traits over the shape's, as botocore merges them.
                merged = dict(target)
                merged.update(m)
                ns_uri, ns_prefix = xml_namespace(merged)
                w("    {.name = %s, .wire_name = %s, .shape = %d, .required = %s, .location = %s, "
                  ".location_name = %s, .query_name = %s, .payload = %s, .streaming = %s, .xml_attribute = %s, "
                  ".timestamp_format = %s, .xml_namespace = %s, .xml_namespace_prefix = %s, .flattened = %s},"
                  % (cxx_str(mname), cxx_str(wire), ref(m["shape"], name + "." + mname),
                     cxx_bool(mname in required), MEMBER_LOCATIONS[loc],
                     cxx_str(m.get("locationName", "") if loc is not None else ""),
                     cxx_str(m.get("queryName", "")), cxx_bool(s.get("payload") == mname),
                     cxx_bool(target.get("streaming") or m.get("streaming")), cxx_bool(m.get("xmlAttribute")),
                     cxx_str(merged.get("timestampFormat", "")), cxx_str(ns_uri), cxx_str(ns_prefix),
                     cxx_bool(merged.get("flattened"))))
            w("};")
            members_ref = "kMembers%d" % i
        fields = [
            ".name = %s" % cxx_str(name),
            ".type = %s" % SHAPE_TYPES[t],
            ".has_min = %s" % ("true" if lo is not None else "false"),
            ".has_max = %s" % ("true" if hi is not None else "false"),
            ".min = %dLL" % (lo or 0),
            ".max = %dLL" % (hi or 0),
            ".pattern = %s" % cxx_str(s.get("pattern", "")),
            ".enum_values = %s" % enum_ref,
            ".members = %s" % members_ref,
            ".member = %s" % (ref(s["member"]["shape"], name) if t == "list" else "kNoShape"),
            ".key = %s" % (ref(s["key"]["shape"], name) if t == "map" else "kNoShape"),
            ".value = %s" % (ref(s["value"]["shape"], name) if t == "map" else "kNoShape"),
            ".exception = %s" % ("true" if s.get("exception") else "false"),
            ".event_stream = %s" % ("true" if s.get("eventstream") else "false"),
            ".flattened = %s" % cxx_bool(s.get("flattened")),
            ".list_member_name = %s" % cxx_str(s["member"].get("locationName", "member") if t == "list" else ""),
            ".error_code = %s" % cxx_str(s.get("error", {}).get("code", "")),
            ".error_status = %d" % int(s.get("error", {}).get("httpStatusCode", 0)),
            ".sender_fault = %s" % cxx_bool(s.get("error", {}).get("senderFault", True)),
            ".xml_name = %s" % cxx_str(s.get("locationName") or XML_ROOT_NAMES.get(service, {}).get(name, "")),
            ".xml_namespace = %s" % cxx_str(xml_namespace(s)[0]),
            ".xml_namespace_prefix = %s" % cxx_str(xml_namespace(s)[1]),
            ".timestamp_format = %s" % cxx_str(s.get("timestampFormat", "")),
            ".map_key_name = %s" % cxx_str(s["key"].get("locationName", "key") if t == "map" else ""),
            ".map_value_name = %s" % cxx_str(s["value"].get("locationName", "value") if t == "map" else ""),
        ]
        shape_inits.append("    {%s},  // %d" % (", ".join(fields), i))

    w("")
    w("constexpr Shape kShapes[] = {")
    out.extend(shape_inits)
    w("};")
    w("")

    ops = model.get("operations", {})
    op_inits = []
    for j, oname in enumerate(sorted(ops)):
        o = ops[oname]
        errs = [e["shape"] for e in o.get("errors", [])]
        errors_ref = "{}"
        if errs:
            w("constexpr std::string_view kErrors%d[] = {%s};" % (j, ", ".join(cxx_str(e) for e in errs)))
            errors_ref = "kErrors%d" % j
        fields = [
            ".name = %s" % cxx_str(oname),
            ".input = %s" % (ref(o["input"]["shape"], oname) if "input" in o else "kNoShape"),
            ".output = %s" % (ref(o["output"]["shape"], oname) if "output" in o else "kNoShape"),
            ".errors = %s" % errors_ref,
            ".http_method = %s" % cxx_str(o.get("http", {}).get("method", "POST")),
            ".request_uri = %s" % cxx_str(o.get("http", {}).get("requestUri", "/")),
            ".success_status = %d" % int(o.get("http", {}).get("responseCode", 200)),
            ".result_wrapper = %s" % cxx_str(o.get("output", {}).get("resultWrapper", "")),
            ".deprecated = %s" % cxx_bool(o.get("deprecated")),
        ]
        op_inits.append("    {%s}," % ", ".join(fields))
    w("")
    w("constexpr OperationModel kOperations[] = {")
    out.extend(op_inits)
    w("};")
    w("")

    endpoint = meta.get("endpointPrefix", service)
    java_package = "com.amazonaws.%s.v%s" % (re.sub(r"[^a-z0-9]", "", endpoint.lower()), version.replace("-", ""))
    protocols = meta.get("protocols") or [meta.get("protocol", "")]
    w("constexpr std::string_view kProtocols[] = {%s};" % ", ".join(cxx_str(p) for p in protocols))
    w("")
    w("constexpr ServiceModel kModel{")
    w("    .service = %s," % cxx_str(service))
    w("    .api_version = %s," % cxx_str(meta.get("apiVersion", version)))
    w("    .target_prefix = %s," % cxx_str(meta.get("targetPrefix", "")))
    w("    .signing_name = %s," % cxx_str(meta.get("signingName", endpoint)))
    w("    .protocol = %s," % cxx_str(meta.get("protocol", "")))
    w("    .protocols = kProtocols,")
    w("    .json_version = %s," % cxx_str(meta.get("jsonVersion", "")))
    w("    .endpoint_prefix = %s," % cxx_str(endpoint))
    w("    .xml_namespace = %s," % cxx_str(meta.get("xmlNamespace", "") or XML_NAMESPACES.get(service, "")))
    w("    .aws_query_compatible = %s," % cxx_bool("awsQueryCompatible" in meta))
    w("    .xml_no_error_wrapping = %s," % cxx_bool(meta.get("noErrorWrapping") or service in NO_ERROR_WRAPPING))
    w("    .java_package = %s," % cxx_str(java_package))
    w("    .shapes = kShapes,")
    w("    .operations = kOperations,")
    w("};")
    w("")
    w("}  // namespace")
    w("")
    w("namespace %s {" % namespace)
    w("")
    w("const runnel::protocol::ServiceModel& %s() { return kModel; }" % fn)
    w("")
    w("}  // namespace %s" % namespace)
    return "\n".join(out) + "\n"


def main(argv):
    # --drop-pattern=SHAPE (repeatable): validate SHAPE without the model's
    # pattern, where runnel deliberately accepts more than AWS (Firehose's
    # HttpEndpointUrl: http:// as well as https://); the service checks what
    # it accepts itself, and docs/ say so.
    drop = [a.split("=", 1)[1] for a in argv[1:] if a.startswith("--drop-pattern=")]
    served = [o for a in argv[1:] if a.startswith("--operations=") for o in a.split("=", 1)[1].split(",") if o]
    argv = [a for a in argv if not a.startswith("--drop-pattern=") and not a.startswith("--operations=")]
    if len(argv) not in (4, 5):
        fail("usage: gen_model.py SERVICE API_VERSION OUTPUT.cc [NAMESPACE] [--drop-pattern=SHAPE...] "
             "[--operations=OP,OP...]")
    service, version, output = argv[1], argv[2], argv[3]
    namespace = argv[4] if len(argv) == 5 else "runnel::protocol"
    if not re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]*(::[A-Za-z_][A-Za-z0-9_]*)*", namespace):
        fail("bad namespace %r" % namespace)
    model, source, digest = load_model(service, version)
    for shape in drop:
        if shape not in model["shapes"] or "pattern" not in model["shapes"][shape]:
            fail("--drop-pattern=%s: the model has no such shape with a pattern" % shape)
        del model["shapes"][shape]["pattern"]
    if served:
        restrict_to_operations(model, set(served))
    text = generate(service, version, model, source, digest, namespace)
    os.makedirs(os.path.dirname(os.path.abspath(output)), exist_ok=True)
    tmp = output + ".tmp"
    with open(tmp, "w") as f:
        f.write(text)
    os.replace(tmp, output)


if __name__ == "__main__":
    main(sys.argv)
