"""KDA's machine-learning table functions in running applications:
RANDOM_CUT_FOREST and HOTSPOTS, in the shapes of the SQL developer guide's
examples ("Detecting Data Anomalies on a Stream", "Detecting Hotspots on a
Stream"), fed through the Data Streams API and read back with GetRecords.
"""
from __future__ import annotations

import json
import random
import time

import pytest

import analytics_support as kas
import e2e_support as sup


@pytest.fixture(scope="module")
def kda():
    return kas.client()


@pytest.fixture(scope="module")
def kinesis():
    return sup.make_client()


def run_app(kda, kinesis, code: str, columns) -> tuple[str, str]:
    """A started application reading a new stream with `columns`; returns (input stream, output stream)."""
    src = kas.create_stream(kinesis, sup.unique_name("ml-in"))
    dest = kas.create_stream(kinesis, sup.unique_name("ml-out"))
    app = kas.app_name("ml")
    inp = kas.kinesis_input(src)
    inp["InputSchema"] = kas.json_schema(columns)
    kda.create_application(ApplicationName=app, ApplicationCode=code, Inputs=[inp],
                           Outputs=[kas.kinesis_output(dest)])
    kda.start_application(ApplicationName=app, InputConfigurations=[
        {"Id": "1.1", "InputStartingPositionConfiguration": {"InputStartingPosition": "NOW"}}])
    kas.wait_status(kda, app, "RUNNING")
    time.sleep(0.3)  # NOW: the runtime has started reading
    return src, dest


def put(kinesis, stream: str, rows: list[dict]) -> None:
    """In order, into a one-shard stream, under its 1000 records/s: 250 a call
    and a pause; a throttled call fails a suffix of its records, which is sent
    again after a second (so the order is kept)."""
    i = 0
    while i < len(rows):
        batch = rows[i:i + 250]
        out = kinesis.put_records(StreamName=stream, Records=[
            {"Data": json.dumps(r), "PartitionKey": str(i + j)} for j, r in enumerate(batch)])
        failed = [j for j, r in enumerate(out["Records"]) if "ErrorCode" in r]
        if failed:
            assert failed == list(range(failed[0], len(batch))), out["Records"]
            i += failed[0]
            time.sleep(1.0)
        else:
            i += len(batch)
            time.sleep(0.3)


def read_rows(kinesis, stream: str, want: int, timeout: float = 30.0) -> list[dict]:
    shard = kinesis.list_shards(StreamName=stream)["Shards"][0]["ShardId"]
    deadline = time.monotonic() + timeout
    got: list[dict] = []
    while time.monotonic() < deadline:
        got = [json.loads(r["Data"]) for r in sup.read_shard(kinesis, stream, shard)]
        if len(got) >= want:
            return got
        time.sleep(0.3)
    raise AssertionError(f"{stream}: {len(got)} records after {timeout}s, wanted {want}")


def test_random_cut_forest_scores_the_planted_anomaly_highest(kda, kinesis):
    code = """
        CREATE OR REPLACE STREAM "DESTINATION_SQL_STREAM" (
            "heartRate" INTEGER, "rateType" VARCHAR(20), "ANOMALY_SCORE" DOUBLE);
        CREATE OR REPLACE PUMP "STREAM_PUMP" AS INSERT INTO "DESTINATION_SQL_STREAM"
            SELECT STREAM "heartRate", "rateType", ANOMALY_SCORE
            FROM TABLE(RANDOM_CUT_FOREST(CURSOR(SELECT STREAM * FROM "SOURCE_SQL_STREAM_001")));
    """
    src, dest = run_app(kda, kinesis, code, (("heartRate", "$.heartRate", "INTEGER"),
                                             ("rateType", "$.rateType", "VARCHAR(20)")))
    rng = random.Random(17)
    rows = [{"heartRate": rng.randint(60, 80), "rateType": "NORMAL"} for _ in range(900)]
    rows[700] = {"heartRate": 195, "rateType": "HIGH"}
    put(kinesis, src, rows)
    got = read_rows(kinesis, dest, len(rows))
    assert len(got) == len(rows)
    assert [r["heartRate"] for r in got] == [r["heartRate"] for r in rows]
    assert set(got[0]) == {"heartRate", "rateType", "ANOMALY_SCORE"}
    assert got[0]["ANOMALY_SCORE"] == 0  # the forest is still learning
    scores = [r["ANOMALY_SCORE"] for r in got]
    top = max(range(len(scores)), key=scores.__getitem__)
    assert top == 700, (top, got[top], got[700])
    assert got[top]["rateType"] == "HIGH"
    typical = sorted(scores[200:])[len(scores[200:]) // 2]
    assert scores[700] > 2 * typical, (scores[700], typical)


def test_hotspots_reports_the_planted_hotspot(kda, kinesis):
    # The guide's example, as it is written (a plain SELECT over the table function).
    code = """
        CREATE OR REPLACE STREAM "DESTINATION_SQL_STREAM" (
            "x" DOUBLE, "y" DOUBLE, "is_hot" VARCHAR(4), HOTSPOTS_RESULT VARCHAR(10000));
        CREATE OR REPLACE PUMP "STREAM_PUMP" AS INSERT INTO "DESTINATION_SQL_STREAM"
            SELECT "x", "y", "is_hot", "HOTSPOTS_RESULT"
            FROM TABLE (HOTSPOTS(
                CURSOR(SELECT STREAM "x", "y", "is_hot" FROM "SOURCE_SQL_STREAM_001"),
                1000, 0.2, 17));
    """
    src, dest = run_app(kda, kinesis, code, (("x", "$.x", "DOUBLE"), ("y", "$.y", "DOUBLE"),
                                             ("is_hot", "$.is_hot", "VARCHAR(4)")))
    rng = random.Random(23)
    rows = [{"x": rng.uniform(0, 10), "y": rng.uniform(0, 10), "is_hot": "N"} for _ in range(1000)]
    rows += [{"x": 7 + rng.uniform(-0.1, 0.1), "y": 2 + rng.uniform(-0.1, 0.1), "is_hot": "Y"} for _ in range(50)]
    put(kinesis, src, rows)
    got = read_rows(kinesis, dest, len(rows))
    assert len(got) == len(rows)
    assert json.loads(got[999]["HOTSPOTS_RESULT"]) == {"hotspots": []}  # uniform noise: none
    last = json.loads(got[-1]["HOTSPOTS_RESULT"])
    assert len(last["hotspots"]) == 1, last
    h = last["hotspots"][0]
    assert set(h) == {"density", "minValues", "maxValues"}
    assert h["density"] > 10
    assert 6.7 < h["minValues"][0] <= 6.9 + 0.05 and 7.05 < h["maxValues"][0] < 7.3, h
    assert 1.7 < h["minValues"][1] <= 1.9 + 0.05 and 2.05 < h["maxValues"][1] < 2.3, h
