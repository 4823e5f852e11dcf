#!/usr/bin/env python3
"""A stand-in for an OpenSearch/Elasticsearch cluster's Bulk API, for
Firehose's OpenSearch, Elasticsearch and OpenSearch Serverless destinations
(neither server can be installed here). Python 3 standard library only.

Written from the published API references:
  - OpenSearch "Bulk" (https://opensearch.org/docs/latest/api-reference/document-apis/bulk/):
    POST /_bulk or /<index>/_bulk, a newline-delimited body of action lines
    (index, create, update, delete) each followed by a source line (but for
    delete), the body ending with a newline; the answer
    {"took":N,"errors":bool,"items":[{"<action>":{"_index","_id","_version",
    "result","_shards","_seq_no","_primary_term","status"}}...]} with one item
    per action in order, a failed item carrying "status" and "error":{"type",
    "reason",...} instead of the result.
  - Elasticsearch "Bulk API" (the same format; "_type" in action lines up to 7.x).
  - Malformed requests answer 400 with the whole-request error body
    {"error":{"root_cause":[...],"type":"illegal_argument_exception","reason":...},"status":400}.

What it implements: the four actions, explicit or generated ids, re-indexing
an id ("updated", 200), a source that is not a JSON object failing its item
with mapper_parsing_exception (400), Basic authentication when asked for
(401 otherwise). What it does not: mappings, refresh, routing, pipelines,
partial updates (update stores the "doc" as the document).

Controls, for tests (POST /_control with a JSON object; every key optional;
also as command-line flags at start):
  "reset": true                   forget documents, requests and controls
  "fail_pattern": "<regex>"       documents whose source line matches fail with
  "fail_status": 400, "fail_type": "mapper_parsing_exception"
  "next_statuses": [503, 500]     the next requests answer these statuses, in turn
  "malformed_next": N             the next N answers are 200 with a body that is not JSON
  "delay_seconds": S              every answer waits S seconds first
  "basic_auth": "user:password"   require these credentials (null: none)
GET /_dump answers {"documents":[{"index","type","id","action","source"}],
"requests":[{"path","authorization","content_type","actions","status"}]}.

It prints its port on stdout (one line, the number) once it listens.
Usage: bulk_receiver.py [--port N] [--fail-pattern RE] [--next-status S]...
                        [--malformed-next N] [--delay S] [--basic-auth U:P]
"""
from __future__ import annotations

import argparse
import base64
import json
import re
import secrets
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import urlsplit

LOCK = threading.Lock()
STATE: dict = {}


EPOCH = [0]


def reset_state() -> None:
    STATE.clear()
    EPOCH[0] += 1
    STATE.update(epoch=EPOCH[0], documents={}, requests=[], fail_pattern=None, fail_status=400,
                 fail_type="mapper_parsing_exception", next_statuses=[], malformed_next=0,
                 delay_seconds=0.0, basic_auth=None, seq_no=0)


def apply_controls(c: dict) -> None:
    if c.get("reset"):
        reset_state()
    for key in ("fail_pattern", "fail_status", "fail_type", "next_statuses", "malformed_next",
                "delay_seconds", "basic_auth"):
        if key in c:
            STATE[key] = c[key]


def whole_error(reason: str, status: int = 400, kind: str = "illegal_argument_exception") -> dict:
    cause = {"type": kind, "reason": reason}
    return {"error": {"root_cause": [cause], **cause}, "status": status}


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, *args) -> None:  # quiet
        pass

    def answer(self, status: int, doc, raw: bytes | None = None) -> None:
        out = raw if raw is not None else json.dumps(doc).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json; charset=UTF-8")
        self.send_header("Content-Length", str(len(out)))
        self.end_headers()
        self.wfile.write(out)

    def body(self) -> bytes:
        n = int(self.headers.get("Content-Length") or 0)
        return self.rfile.read(n) if n else b""

    def do_GET(self) -> None:
        path = urlsplit(self.path).path
        if path == "/_dump":
            with LOCK:
                docs = [dict(index=i, **d) for (i, _), d in STATE["documents"].items()]
                self.answer(200, {"documents": docs, "requests": list(STATE["requests"])})
        elif path == "/":
            self.answer(200, {"name": "bulk_receiver", "version": {"number": "2.11.0", "distribution": "opensearch"},
                              "tagline": "The OpenSearch Project: https://opensearch.org/"})
        else:
            self.answer(404, whole_error("no handler found for uri [%s]" % path, 404, "not_found"))

    def do_POST(self) -> None:
        path = urlsplit(self.path).path
        data = self.body()
        if path == "/_dump":
            self.do_GET()
            return
        if path == "/_control":
            with LOCK:
                apply_controls(json.loads(data or b"{}"))
            self.answer(200, {"acknowledged": True})
            return
        m = re.fullmatch(r"(?:/([^/_][^/]*))?/_bulk", path)
        if not m:
            self.answer(404, whole_error("no handler found for uri [%s] and method [POST]" % path, 404, "not_found"))
            return
        with LOCK:
            delay, epoch = STATE["delay_seconds"], STATE["epoch"]
        if delay:
            time.sleep(delay)
            with LOCK:
                stale = STATE["epoch"] != epoch
            if stale:  # a test reset the receiver meanwhile: keep its state clean
                self.send_response(503)
                self.send_header("Content-Length", "0")
                self.end_headers()
                return
        status, doc, raw = self.bulk(m.group(1), data)
        self.answer(status, doc, raw)

    def bulk(self, default_index: str | None, data: bytes):
        record = {"path": self.path, "authorization": self.headers.get("Authorization"),
                  "content_type": self.headers.get("Content-Type"), "actions": 0}
        with LOCK:
            STATE["requests"].append(record)
            wanted = STATE["basic_auth"]
            if wanted is not None:
                expect = "Basic " + base64.b64encode(wanted.encode()).decode()
                if self.headers.get("Authorization") != expect:
                    record["status"] = 401
                    return 401, whole_error("missing authentication credentials for REST request [/_bulk]", 401,
                                            "security_exception"), None
            if STATE["next_statuses"]:
                status = int(STATE["next_statuses"].pop(0))
                record["status"] = status
                return status, whole_error("injected failure", status, "cluster_block_exception"), None
            if STATE["malformed_next"] > 0:
                STATE["malformed_next"] -= 1
                record["status"] = 200
                return 200, None, b"<html>this is not a bulk answer"
            status, doc = self.apply(default_index, data, record)
            record["status"] = status
            return status, doc, None

    def apply(self, default_index: str | None, data: bytes, record: dict):
        if not data.endswith(b"\n"):
            return 400, whole_error("The bulk request must be terminated by a newline [\\n]")
        lines = data.split(b"\n")[:-1]
        items = []
        i = 0
        started = time.monotonic()
        while i < len(lines):
            try:
                action_line = json.loads(lines[i])
                if not isinstance(action_line, dict) or len(action_line) != 1:
                    raise ValueError("not one action")
            except ValueError:
                return 400, whole_error("Malformed action/metadata line [%d], expected START_OBJECT" % (i + 1))
            (action, meta), = action_line.items()
            if action not in ("index", "create", "update", "delete") or not isinstance(meta, dict):
                return 400, whole_error("Malformed action/metadata line [%d], expected field [create], [delete], "
                                        "[index] or [update] but found [%s]" % (i + 1, action))
            index = meta.get("_index", default_index)
            if index is None:
                return 400, whole_error("Validation Failed: 1: index is missing;", 400, "action_request_validation_exception")
            doc_id = meta.get("_id")
            source = None
            if action != "delete":
                if i + 1 >= len(lines):
                    return 400, whole_error("The bulk request must be terminated by a newline [\\n]")
                source = lines[i + 1].decode("utf-8", "replace")
                i += 2
            else:
                i += 1
            record["actions"] += 1
            items.append({action: self.item(action, index, meta.get("_type"), doc_id, source)})
        errors = any("error" in next(iter(it.values())) for it in items)
        took = int((time.monotonic() - started) * 1000)
        return 200, {"took": took, "errors": errors, "items": items}

    def item(self, action: str, index: str, type_name: str | None, doc_id: str | None, source: str | None) -> dict:
        docs = STATE["documents"]
        doc_id = doc_id if doc_id is not None else secrets.token_urlsafe(15)[:20]
        base = {"_index": index, "_id": doc_id}
        if type_name is not None:
            base["_type"] = type_name
        if source is not None:
            pattern = STATE["fail_pattern"]
            failure = None
            if pattern is not None and re.search(pattern, source):
                failure = (int(STATE["fail_status"]), STATE["fail_type"], "failed to parse (injected)")
            else:
                try:
                    parsed = json.loads(source)
                    if not isinstance(parsed, dict):
                        failure = (400, "mapper_parsing_exception", "failed to parse")
                except ValueError:
                    failure = (400, "mapper_parsing_exception", "failed to parse")
            if failure:
                status, kind, reason = failure
                error = {"type": kind, "reason": reason}
                if reason == "failed to parse":
                    error["caused_by"] = {"type": "not_x_content_exception",
                                          "reason": "Compressor detection can only be called on some xcontent "
                                                    "bytes or compressed xcontent bytes"}
                return {**base, "status": status, "error": error}
        key = (index, doc_id)
        exists = key in docs
        if action == "create" and exists:
            return {**base, "status": 409, "error": {
                "type": "version_conflict_engine_exception",
                "reason": "[%s]: version conflict, document already exists" % doc_id}}
        if action in ("update", "delete") and not exists:
            return {**base, "status": 404, "error": {"type": "document_missing_exception",
                                                      "reason": "[%s]: document missing" % doc_id}}
        STATE["seq_no"] += 1
        version = docs[key]["version"] + 1 if exists else 1
        if action == "delete":
            del docs[key]
            result, status = "deleted", 200
        else:
            if action == "update":
                update = json.loads(source)
                source = json.dumps(update.get("doc", update))
            docs[key] = {"type": type_name, "id": doc_id, "action": action, "source": source, "version": version}
            result, status = ("updated", 200) if exists else ("created", 201)
        return {**base, "_version": version, "result": result,
                "_shards": {"total": 2, "successful": 1, "failed": 0},
                "_seq_no": STATE["seq_no"], "_primary_term": 1, "status": status}


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--port", type=int, default=0)
    p.add_argument("--fail-pattern")
    p.add_argument("--next-status", type=int, action="append", default=[])
    p.add_argument("--malformed-next", type=int, default=0)
    p.add_argument("--delay", type=float, default=0.0)
    p.add_argument("--basic-auth")
    a = p.parse_args()
    reset_state()
    apply_controls({"fail_pattern": a.fail_pattern, "next_statuses": a.next_status,
                    "malformed_next": a.malformed_next, "delay_seconds": a.delay, "basic_auth": a.basic_auth})
    server = ThreadingHTTPServer(("127.0.0.1", a.port), Handler)
    server.daemon_threads = True
    print(server.server_address[1], flush=True)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass


if __name__ == "__main__":
    sys.exit(main())
