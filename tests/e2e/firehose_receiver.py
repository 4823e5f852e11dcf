"""An HTTP endpoint for Firehose's HTTP endpoint delivery, written from AWS's
published specification ("HTTP Endpoint Delivery Request and Response
Specifications", protocol version 1.0), for the e2e suites.

It checks every request against the specification (method, headers, JSON
body, base64 records, gzip content encoding) and keeps what it received;
a test can make it answer failures first (a status, a wrong requestId) to
see runnel retry with the same requestId and then give up.
"""
from __future__ import annotations

import base64
import gzip
import json
import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


def send_json(handler: BaseHTTPRequestHandler, status: int, doc: dict, headers: dict | None = None) -> None:
    """Answers `doc` as JSON with `status` (and `headers`)."""
    out = json.dumps(doc).encode()
    handler.send_response(status)
    for k, v in (headers or {}).items():
        handler.send_header(k, v)
    handler.send_header("Content-Type", "application/json")
    handler.send_header("Content-Length", str(len(out)))
    handler.end_headers()
    handler.wfile.write(out)


class _Served:
    """A ThreadingHTTPServer on a free loopback port, in a thread of its own."""
    server: ThreadingHTTPServer | None = None

    def _serve(self, handler) -> None:
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def stop(self) -> None:
        if self.server:
            self.server.shutdown()
            self.server.server_close()


@dataclass
class Received:
    request_id: str
    headers: dict[str, str]
    records: list[bytes]
    timestamp: int
    gzip: bool


@dataclass
class Receiver(_Served):
    access_key: str | None = None
    # Answers to give before accepting: each an HTTP status, or "wrong-id".
    failures: list = field(default_factory=list)
    requests: list[Received] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)
    server: ThreadingHTTPServer | None = None
    lock: threading.Lock = field(default_factory=threading.Lock)

    @property
    def url(self) -> str:
        host, port = self.server.server_address[:2]
        return f"http://{host}:{port}/ingest"

    def accepted(self) -> list[Received]:
        with self.lock:
            return [r for r in self.requests if r.headers.get("x-runnel-test-answer") == "200"]

    def records(self) -> list[bytes]:
        return [rec for r in self.accepted() for rec in r.records]

    def start(self) -> "Receiver":
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args):  # quiet
                pass

            def do_POST(self):
                length = int(self.headers.get("Content-Length", "0"))
                raw = self.rfile.read(length)
                headers = {k.lower(): v for k, v in self.headers.items()}
                problems = []
                if headers.get("x-amz-firehose-protocol-version") != "1.0":
                    problems.append("protocol version header")
                if headers.get("content-type") != "application/json":
                    problems.append("content type " + str(headers.get("content-type")))
                is_gzip = headers.get("content-encoding") == "gzip"
                body = gzip.decompress(raw) if is_gzip else raw
                doc = json.loads(body)
                rid = headers.get("x-amz-firehose-request-id", "")
                if doc.get("requestId") != rid:
                    problems.append("requestId differs from the header")
                if receiver.access_key is not None and headers.get("x-amz-firehose-access-key") != receiver.access_key:
                    self._answer(401, {"requestId": rid, "timestamp": int(time.time() * 1000),
                                       "errorMessage": "bad access key"})
                    return
                records = [base64.b64decode(r["data"], validate=True) for r in doc["records"]]
                with receiver.lock:
                    answer = receiver.failures.pop(0) if receiver.failures else 200
                    headers["x-runnel-test-answer"] = str(answer)
                    receiver.requests.append(Received(rid, headers, records, doc["timestamp"], is_gzip))
                    receiver.problems.extend(problems)
                if answer == "wrong-id":
                    self._answer(200, {"requestId": "not-" + rid, "timestamp": int(time.time() * 1000)})
                elif answer == 200:
                    self._answer(200, {"requestId": rid, "timestamp": int(time.time() * 1000)})
                else:
                    self._answer(int(answer), {"requestId": rid, "timestamp": int(time.time() * 1000),
                                               "errorMessage": f"told to answer {answer}"})

            def _answer(self, status: int, doc: dict):
                send_json(self, status, doc)

        self._serve(Handler)
        return self


class LambdaFunctions(_Served):
    """A stand-in for the AWS Lambda Invoke API
    (POST /2015-03-31/functions/<name>/invocations), written from Firehose's
    documented transformation contract: it upper-cases each record, drops
    records that contain b"drop", marks those that contain b"fail" as
    ProcessingFailed, and gives each Ok record the partition key
    {"first": <its first letter>}. A function named "broken" answers with a
    function error, as a crashing Lambda does."""

    def __init__(self):
        self.events: list[dict] = []
        self.lock = threading.Lock()

    @property
    def url(self) -> str:
        host, port = self.server.server_address[:2]
        return f"http://{host}:{port}"

    def start(self) -> "LambdaFunctions":
        functions = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args):
                pass

            def do_POST(self):
                body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
                event = json.loads(body)
                name = self.path.split("/functions/")[1].split("/")[0]
                with functions.lock:
                    functions.events.append({"function": name, **event})
                if name.endswith("broken"):
                    send_json(self, 200, {"errorMessage": "boom", "errorType": "Error"},
                              {"X-Amz-Function-Error": "Unhandled"})
                else:
                    records = []
                    for r in event["records"]:
                        data = base64.b64decode(r["data"])
                        if b"drop" in data:
                            records.append({"recordId": r["recordId"], "result": "Dropped"})
                        elif b"fail" in data:
                            records.append({"recordId": r["recordId"], "result": "ProcessingFailed",
                                            "data": r["data"]})
                        else:
                            records.append({"recordId": r["recordId"], "result": "Ok",
                                            "data": base64.b64encode(data.upper()).decode(),
                                            "metadata": {"partitionKeys": {"first": data[:1].decode()}}})
                    send_json(self, 200, {"records": records})

        self._serve(Handler)
        return self
