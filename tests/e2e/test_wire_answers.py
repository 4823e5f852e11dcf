"""AWS's answers before an operation runs: wrong method, content type, target,
body and authentication, in AWS's order, with AWS's headers. The expectations
are the answers of AWS that kinesalite's test suite (test/connection.js)
records; where today's runnel differs on purpose, docs/operations.md says why."""
from __future__ import annotations

import base64
import json
import re

import pytest

import e2e_support as sup

UUID_RE = re.compile(r"^[a-f0-9]{8}-[a-f0-9]{4}-[a-f0-9]{4}-[a-f0-9]{4}-[a-f0-9]{12}$")
MISSING_XML = (b"<MissingAuthenticationTokenException>\n"
               b"  <Message>Missing Authentication Token</Message>\n"
               b"</MissingAuthenticationTokenException>\n")
DENIED_XML = (b"<AccessDeniedException>\n"
              b"  <Message>Unable to determine service/operation name to be authorized</Message>\n"
              b"</AccessDeniedException>\n")


def request(method="POST", body=b"", headers=None, sign=True, path="/"):
    return sup.raw_request(body, target=None, content_type=None, sign=sign, method=method, path=path,
                           extra_headers=headers or {})


def assert_answer(resp, status, content_type, body):
    assert resp.status == status, resp
    if isinstance(body, bytes):
        assert resp.body == body
    else:
        assert json.loads(resp.body) == body
        # AWS's bodies are compact JSON, byte for byte.
        assert resp.body == json.dumps(body, separators=(",", ":")).encode()
    if content_type is None:
        assert "content-type" not in resp.headers, resp.headers
    else:
        assert resp.headers["content-type"] == content_type
    assert resp.headers["content-length"] == str(len(resp.body))
    assert UUID_RE.match(resp.headers["x-amzn-requestid"])
    assert 72 <= len(base64.b64decode(resp.headers["x-amz-id-2"])) <= 80


# --- Not a POST of a served content type: 403 in XML -------------------------------------


@pytest.mark.parametrize("method", ["GET", "PUT", "POST", "OPTIONS"])
def test_no_auth_is_missing_token_xml(method):
    assert_answer(request(method, sign=False), 403, None, MISSING_XML)


@pytest.mark.parametrize("method", ["GET", "PUT"])
def test_signed_non_post_is_access_denied_xml(method):
    assert_answer(request(method), 403, None, DENIED_XML)


@pytest.mark.parametrize("headers,body", [
    ({}, b""),                                                       # POST, no body
    ({}, b"{}"),                                                     # body, no Content-Type
    ({"Content-Type": "application/x-amz-json-1.0"}, b""),           # a content type Kinesis does not serve
    ({"X-Amz-Target": "Kinesis_20131202.ListStream"}, b""),          # invalid target, no Content-Type
    ({"X-Amz-Target": "Kinesis_20131202.ListStreams"}, b""),         # valid target, no Content-Type
])
def test_signed_post_without_served_content_type_is_access_denied_xml(headers, body):
    assert_answer(request("POST", body, headers), 403, None, DENIED_XML)


def test_origin_gets_cors_headers_on_any_answer():
    resp = request("POST", headers={"Origin": "whatever"})
    assert_answer(resp, 403, None, DENIED_XML)
    assert resp.headers["access-control-allow-origin"] == "*"
    exposed = [h.strip().lower() for h in resp.headers["access-control-expose-headers"].split(",")]
    for h in ("x-amz-request-id", "x-amz-id-2", "x-amzn-errormessage", "x-amzn-requestid"):
        assert h in exposed, exposed


# --- CORS preflight -------------------------------------------------------------------------


def assert_preflight(resp, headers):
    assert resp.status == 200, resp
    assert UUID_RE.match(resp.headers["x-amzn-requestid"])
    assert resp.headers["access-control-allow-origin"] == "*"
    assert resp.headers["access-control-max-age"] == "172800"
    assert resp.headers["content-length"] == "0"
    assert "x-amz-id-2" not in resp.headers
    assert resp.body == b""
    for k, v in headers.items():
        assert resp.headers[k] == v


def test_preflight_with_origin():
    assert_preflight(request("OPTIONS", headers={"Origin": "whatever"}, sign=False), {})


def test_preflight_reflects_requested_headers():
    assert_preflight(request("OPTIONS", sign=False, headers={
        "Origin": "whatever", "Access-Control-Request-Headers": "a, b, c"}),
        {"access-control-allow-headers": "a, b, c"})


def test_preflight_reflects_requested_headers_and_method():
    assert_preflight(request("OPTIONS", sign=False, headers={
        "Origin": "whatever", "Access-Control-Request-Headers": "a, b, c",
        "Access-Control-Request-Method": "d"}),
        {"access-control-allow-headers": "a, b, c", "access-control-allow-methods": "d"})


# --- JSON: target, then body, then authentication ----------------------------------------


JSON11 = {"Content-Type": "application/x-amz-json-1.1"}
LIST = {"X-Amz-Target": "Kinesis_20131202.ListStreams"}
UNKNOWN = {"__type": "UnknownOperationException"}
SERIALIZATION = {"__type": "SerializationException"}
DEPRECATED_UNKNOWN = {"Output": {"__type": "com.amazon.coral.service#UnknownOperationException", "message": None},
                      "Version": "1.0"}
DEPRECATED_SERIALIZATION = {"Output": {"__type": "com.amazon.coral.service#SerializationException",
                                       "Message": None}, "Version": "1.0"}


@pytest.mark.parametrize("sign", [True, False])
def test_no_target_is_unknown_operation_even_unsigned(sign):
    assert_answer(request(headers=JSON11, sign=sign), 400, sup.JSON_CT, UNKNOWN)


def test_plain_json_content_type_gets_the_old_envelope():
    assert_answer(request(headers={"Content-Type": "application/json"}), 200, "application/json",
                  DEPRECATED_UNKNOWN)
    assert_answer(request(headers={"Content-Type": "application/json", **LIST}), 200, "application/json",
                  DEPRECATED_UNKNOWN)
    assert_answer(request(body=b"{}", sign=False, headers={"Content-Type": "application/json", **LIST}), 200,
                  "application/json", DEPRECATED_UNKNOWN)
    assert_answer(request(body=b"hello", sign=False, headers={"Content-Type": "application/json", **LIST}), 200,
                  "application/json", DEPRECATED_SERIALIZATION)


@pytest.mark.parametrize("sign", [True, False])
def test_no_body_is_serialization_even_unsigned(sign):
    assert_answer(request(headers={**JSON11, **LIST}, sign=sign), 400, sup.JSON_CT, SERIALIZATION)


def test_non_json_body_is_serialization_before_auth():
    resp = request(body=b"hello", sign=False, headers={**JSON11, **LIST})
    assert resp.status == 400, resp
    assert json.loads(resp.body)["__type"] == "SerializationException"


def test_no_auth_with_a_body_is_missing_token():
    assert_answer(request(body=b"{}", sign=False, headers={**JSON11, **LIST}), 400, sup.JSON_CT,
                  {"__type": "MissingAuthenticationTokenException", "message": "Missing Authentication Token"})


ALL_PARTS = ("Authorization header requires 'Credential' parameter. "
             "Authorization header requires 'Signature' parameter. "
             "Authorization header requires 'SignedHeaders' parameter. "
             "Authorization header requires existence of either a 'X-Amz-Date' or a 'Date' header. ")


@pytest.mark.parametrize("path,headers,kind,message", [
    ("/", {"Authorization": "X"}, "IncompleteSignatureException", ALL_PARTS + "Authorization=X"),
    ("/?X-Amz-Algorith", {"Authorization": "X"}, "IncompleteSignatureException", ALL_PARTS + "Authorization=X"),
    ("/?X-Amz-Credential=a&X-Amz-Signature=b&X-Amz-SignedHeaders=c&X-Amz-Date=d", {},
     "MissingAuthenticationTokenException", "Missing Authentication Token"),
    ("/?X-Amz-Algorithm", {"Authorization": "X"}, "InvalidSignatureException",
     "Found both 'X-Amz-Algorithm' as a query-string param and 'Authorization' as HTTP header."),
    ("/", {"Authorization": "AWS4- Signature=b Credential=a", "Date": "a"}, "IncompleteSignatureException",
     "Authorization header requires 'SignedHeaders' parameter. Authorization=AWS4- Signature=b Credential=a"),
    ("/", {"Authorization": "AWS4- Signature=b,Credential=a", "Date": "a"}, "IncompleteSignatureException",
     "Authorization header requires 'SignedHeaders' parameter. Authorization=AWS4- Signature=b,Credential=a"),
    ("/?X-Amz-Algorithm", {}, "IncompleteSignatureException",
     "AWS query-string parameters must include 'X-Amz-Algorithm'. "
     "AWS query-string parameters must include 'X-Amz-Credential'. "
     "AWS query-string parameters must include 'X-Amz-Signature'. "
     "AWS query-string parameters must include 'X-Amz-SignedHeaders'. "
     "AWS query-string parameters must include 'X-Amz-Date'. Re-examine the query-string parameters."),
    ("/?X-Amz-Algorithm=a&X-Amz-Credential=b&X-Amz-Signature=c&X-Amz-Date=d", {}, "IncompleteSignatureException",
     "AWS query-string parameters must include 'X-Amz-SignedHeaders'. Re-examine the query-string parameters."),
])
def test_malformed_auth_texts(path, headers, kind, message):
    resp = request(body=b"{}", sign=False, path=path, headers={**JSON11, **LIST, **headers})
    assert_answer(resp, 400, sup.JSON_CT, {"__type": kind, "message": message})


# --- CBOR: the same checks, answered in CBOR -----------------------------------------------


def test_cbor_unknown_target_and_empty_body_answer_in_cbor():
    from cbor_codec import decode
    resp = request(headers={"Content-Type": sup.CBOR_CT}, sign=False)
    assert resp.status == 400, resp
    assert resp.headers["content-type"] == sup.CBOR_CT
    assert decode(resp.body)["__type"] == "UnknownOperationException"
    resp = request(headers={"Content-Type": sup.CBOR_CT, **LIST}, sign=False)
    assert resp.status == 400, resp
    assert resp.headers["content-type"] == sup.CBOR_CT
    assert decode(resp.body)["__type"] == "SerializationException"
