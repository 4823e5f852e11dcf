#!/usr/bin/env python3
"""A stand-in for Splunk's HTTP Event Collector (HEC) with indexer
acknowledgement, for Firehose's Splunk destination (Splunk cannot be
installed here). Python 3 standard library only.

Written from Splunk's published references:
  - "HTTP Event Collector REST API endpoints" (Splunk REST API reference,
    services/collector/event, services/collector/raw, services/collector/ack,
    services/collector/health): POST with "Authorization: Splunk <token>";
    event: one or more concatenated JSON objects, each with a non-empty
    "event"; raw: any bytes; a channel (X-Splunk-Request-Channel header or
    ?channel=) is required when acknowledgement is on.
  - "About HTTP Event Collector Indexer Acknowledgment": a data request's
    answer {"text":"Success","code":0,"ackId":N}, ids counting from 0 per
    channel; POST services/collector/ack?channel=<GUID> {"acks":[N,...]}
    answers {"acks":{"N":true|false,...}}.
  - "Troubleshoot HTTP Event Collector", the status codes: 0 Success (200),
    1 Token disabled (403), 2 Token is required (401), 3 Invalid
    authorization (401), 4 Invalid token (403), 5 No data (400), 6 Invalid
    data format (400), 7 Incorrect index (400), 8 Internal server error
    (500), 9 Server is busy (503), 10 Data channel is missing (400),
    11 Invalid data channel (400), 12 Event field is required (400),
    13 Event field cannot be blank (400), 14 ACK is disabled (400),
    17 HEC is healthy (200).

Controls, for tests (POST /_control with a JSON object; every key optional;
also as command-line flags at start):
  "reset": true              forget events, requests, acks and controls (the token stays)
  "token": "<token>"         the token it accepts ("disabled_token" one it answers code 1 for)
  "ack_after_polls": N       an ack id is true from the Nth poll asking for it on (default 1)
  "never_ack": true          acks stay false forever
  "ack_disabled": true       answers without ackId; the ack endpoint answers code 14
  "next_statuses": [503]     the next data requests answer these (9 busy for 503, 8 for 500, else 8)
  "delay_seconds": S         every data answer waits S seconds first
GET /_dump answers {"events":[{"endpoint","channel","ack_id","event"}],
"requests":[{"path","channel","authorization","status","code"}],
"acks":{"<channel>":{"<id>":polls}}}; an event endpoint's events are the
parsed JSON objects, a raw request's is {"raw": "<body>"}.

It prints its port on stdout (one line, the number) once it listens.
Usage: hec_receiver.py [--port N] [--token T] [--ack-after-polls N] [--never-ack]
                       [--ack-disabled] [--next-status S]... [--delay S]
"""
from __future__ import annotations

import argparse
import json
import re
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit

LOCK = threading.Lock()
STATE: dict = {}
GUID = re.compile(r"^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$")
TEXT = {0: "Success", 1: "Token disabled", 2: "Token is required", 3: "Invalid authorization", 4: "Invalid token",
        5: "No data", 6: "Invalid data format", 7: "Incorrect index", 8: "Internal server error",
        9: "Server is busy", 10: "Data channel is missing", 11: "Invalid data channel",
        12: "Event field is required", 13: "Event field cannot be blank", 14: "ACK is disabled",
        17: "HEC is healthy"}
STATUS = {0: 200, 1: 403, 2: 401, 3: 401, 4: 403, 5: 400, 6: 400, 7: 400, 8: 500, 9: 503, 10: 400, 11: 400,
          12: 400, 13: 400, 14: 400, 17: 200}


EPOCH = [0]


def reset_state(token: str) -> None:
    STATE.clear()
    EPOCH[0] += 1
    STATE.update(epoch=EPOCH[0], token=token, events=[], requests=[], acks={}, next_ack={}, ack_after_polls=1, never_ack=False,
                 ack_disabled=False, next_statuses=[], delay_seconds=0.0)


def apply_controls(c: dict) -> None:
    if c.get("reset"):
        reset_state(c.get("token", STATE.get("token", "")))
    for key in ("token", "ack_after_polls", "never_ack", "ack_disabled", "next_statuses", "delay_seconds"):
        if key in c:
            STATE[key] = c[key]


def split_events(body: str):
    """The concatenated JSON objects of an event request, or the index of the bad one."""
    decoder = json.JSONDecoder()
    out, i, n = [], 0, len(body)
    while True:
        while i < n and body[i] in " \t\r\n":
            i += 1
        if i == n:
            return out, None
        try:
            obj, i = decoder.raw_decode(body, i)
        except ValueError:
            return out, (6, len(out))
        if not isinstance(obj, dict):
            return out, (6, len(out))
        if "event" not in obj:
            return out, (12, len(out))
        if obj["event"] in ("", None):
            return out, (13, len(out))
        out.append(obj)


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, *args) -> None:  # quiet
        pass

    def answer_doc(self, status: int, doc: dict) -> None:
        out = json.dumps(doc, separators=(",", ":")).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json; charset=UTF-8")
        self.send_header("Content-Length", str(len(out)))
        self.end_headers()
        self.wfile.write(out)

    def answer_code(self, code: int, extra: dict | None = None) -> int:
        self.answer_doc(STATUS[code], {"text": TEXT[code], "code": code, **(extra or {})})
        return code

    def body(self) -> bytes:
        n = int(self.headers.get("Content-Length") or 0)
        return self.rfile.read(n) if n else b""

    def channel(self) -> str | None:
        q = parse_qs(urlsplit(self.path).query)
        return self.headers.get("X-Splunk-Request-Channel") or (q.get("channel") or [None])[0]

    def auth_code(self) -> int | None:
        """The error code of the Authorization header, or None when it is good."""
        auth = self.headers.get("Authorization")
        if auth is None:
            return 2
        parts = auth.split(" ", 1)
        if len(parts) != 2 or parts[0] != "Splunk":
            return 3
        if parts[1] == "disabled_token":
            return 1
        return None if parts[1] == STATE["token"] else 4

    def do_GET(self) -> None:
        path = urlsplit(self.path).path
        if path == "/_dump":
            with LOCK:
                self.answer_doc(200, {"events": STATE["events"], "requests": STATE["requests"],
                                      "acks": STATE["acks"]})
        elif path.startswith("/services/collector/health"):
            self.answer_code(17)
        else:
            self.answer_doc(404, {"text": "The requested URL was not found on this server.", "code": 404})

    def do_POST(self) -> None:
        path = urlsplit(self.path).path
        data = self.body()
        if path == "/_dump":
            self.do_GET()
            return
        if path == "/_control":
            with LOCK:
                apply_controls(json.loads(data or b"{}"))
            self.answer_doc(200, {"acknowledged": True})
            return
        if path == "/services/collector/ack":
            with LOCK:
                self.ack(data)
            return
        endpoint = {"/services/collector": "event", "/services/collector/event": "event",
                    "/services/collector/event/1.0": "event", "/services/collector/raw": "raw",
                    "/services/collector/raw/1.0": "raw"}.get(path)
        if endpoint is None:
            self.answer_doc(404, {"text": "The requested URL was not found on this server.", "code": 404})
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
        with LOCK:
            self.data(endpoint, data)

    def data(self, endpoint: str, data: bytes) -> None:
        channel = self.channel()
        record = {"path": self.path, "endpoint": endpoint, "channel": channel,
                  "authorization": self.headers.get("Authorization")}
        STATE["requests"].append(record)

        def done(code: int, extra: dict | None = None) -> None:
            record["code"] = code
            record["status"] = STATUS[code]
            self.answer_code(code, extra)

        bad = self.auth_code()
        if bad is not None:
            return done(bad)
        if STATE["next_statuses"]:
            status = int(STATE["next_statuses"].pop(0))
            return done(9 if status == 503 else 8)
        ack = not STATE["ack_disabled"]
        if ack and channel is None:
            return done(10)
        if channel is not None and not GUID.match(channel):
            return done(11)
        if not data:
            return done(5)
        text = data.decode("utf-8", "replace")
        if endpoint == "event":
            events, error = split_events(text)
            if error is not None:
                code, number = error
                return done(code, {"invalid-event-number": number})
        else:
            events = [{"raw": text}]
        ack_id = None
        if ack:
            ack_id = STATE["next_ack"].get(channel, 0)
            STATE["next_ack"][channel] = ack_id + 1
            STATE["acks"].setdefault(channel, {})[str(ack_id)] = 0
        for e in events:
            STATE["events"].append({"endpoint": endpoint, "channel": channel, "ack_id": ack_id, "event": e})
        done(0, {"ackId": ack_id} if ack else None)

    def ack(self, data: bytes) -> None:
        bad = self.auth_code()
        if bad is not None:
            self.answer_code(bad)
            return
        if STATE["ack_disabled"]:
            self.answer_code(14)
            return
        channel = self.channel()
        if channel is None:
            self.answer_code(10)
            return
        try:
            wanted = json.loads(data)["acks"]
            ids = [int(i) for i in wanted]
        except (ValueError, KeyError, TypeError):
            self.answer_code(6)
            return
        known = STATE["acks"].get(channel, {})
        out = {}
        for i in ids:
            key = str(i)
            if key not in known:
                out[key] = False
                continue
            known[key] += 1
            out[key] = not STATE["never_ack"] and known[key] >= STATE["ack_after_polls"]
        self.answer_doc(200, {"acks": out})


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--port", type=int, default=0)
    p.add_argument("--token", default="00000000-0000-0000-0000-000000000000")
    p.add_argument("--ack-after-polls", type=int, default=1)
    p.add_argument("--never-ack", action="store_true")
    p.add_argument("--ack-disabled", action="store_true")
    p.add_argument("--next-status", type=int, action="append", default=[])
    p.add_argument("--delay", type=float, default=0.0)
    a = p.parse_args()
    reset_state(a.token)
    apply_controls({"ack_after_polls": a.ack_after_polls, "never_ack": a.never_ack, "ack_disabled": a.ack_disabled,
                    "next_statuses": a.next_status, "delay_seconds": a.delay})
    server = ThreadingHTTPServer(("127.0.0.1", a.port), Handler)
    server.daemon_threads = True
    print(server.server_address[1], flush=True)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass


if __name__ == "__main__":
    sys.exit(main())
