"""The example applications of AWS's "Amazon Kinesis Data Analytics for SQL
Applications Developer Guide" (its Examples section and its Streaming SQL
Concepts pages) and of the SQL reference's function pages, run end to end.

Each test creates the application with boto3's `kinesisanalytics` client and
the example's input schema, feeds the records the example describes through
the Data Streams API (put before the start, read from TRIM_HORIZON), reads the
output streams back with GetRecords and compares them row by row with what KDA
gives per the guide; the expected rows are worked out here from the documented
semantics.

The application code is the example's SQL. Where an example waits a minute
for a window, the window here is a second or two (`-- guide: ...` comments
mark each such change), so that the file runs in well under two minutes.
Examples that need what runnel does not run yet are marked
`xfail(strict=True)` with the missing feature named: when it lands, the test
passes, strict xfail fails the run, and the marker must go.

The machine-learning examples (RANDOM_CUT_FOREST, HOTSPOTS) are not here.
"""
from __future__ import annotations

import datetime
import json
import re
import struct
import time

import pytest

import analytics_support as kas
import e2e_support as sup
from analytics_support import ROLE

# The getting-started demo stream's schema (kinesis-analytics-demo-stream).
TICKER_COLUMNS = (("TICKER_SYMBOL", "$.TICKER_SYMBOL", "VARCHAR(4)"), ("SECTOR", "$.SECTOR", "VARCHAR(16)"),
                  ("CHANGE", "$.CHANGE", "REAL"), ("PRICE", "$.PRICE", "REAL"))


def missing(feature: str):
    """Marks an example that fails because runnel does not run `feature` yet."""
    return pytest.mark.xfail(strict=True, reason=f"not run by runnel yet: {feature}")


@pytest.fixture(scope="module")
def kda():
    return kas.client()


@pytest.fixture(scope="module")
def kinesis():
    return sup.make_client()


def put(kinesis, stream: str, records: list) -> None:
    """Puts the records in order (one shard, so they are read in this order)."""
    for i in range(0, len(records), 500):
        chunk = records[i:i + 500]
        out = kinesis.put_records(StreamName=stream, Records=[
            {"Data": r if isinstance(r, (bytes, str)) else json.dumps(r), "PartitionKey": "k"} for r in chunk])
        assert out["FailedRecordCount"] == 0


def arrival_times(kinesis, stream: str) -> list[datetime.datetime]:
    """ApproximateArrivalTimestamp of each record of a one-shard stream, in order (UTC, naive)."""
    shard = kinesis.list_shards(StreamName=stream)["Shards"][0]["ShardId"]
    return [r["ApproximateArrivalTimestamp"].astimezone(datetime.timezone.utc).replace(tzinfo=None)
            for r in sup.read_shard(kinesis, stream, shard)]


window_start: datetime.datetime | None = None  # with `align`: the start of the window the rows fall in


def start_app(kda, kinesis, code: str, records: list, *, columns=TICKER_COLUMNS, schema=None,
              outputs=(("DESTINATION_SQL_STREAM", "JSON"),), reference=None, align: float | None = None):
    """Input stream holding `records`, output streams, an application reading from TRIM_HORIZON.

    Returns (input stream, {output name: stream}). `reference` is (table name, S3 body, ReferenceSchema).
    `align`: start just after a multiple of this many seconds, so that rows read at once fall into
    one tumbling window of that size."""
    src = sup.unique_name("ex-in")
    dests = {name: sup.unique_name("ex-out") for name, _ in outputs}
    for stream in (src, *dests.values()):  # created together, then waited for
        kinesis.create_stream(StreamName=stream, ShardCount=1)
    for stream in (src, *dests.values()):
        sup.wait_active(kinesis, stream)
    if records:
        put(kinesis, src, records)
    outs = [kas.kinesis_output(dests[name], name, fmt) for name, fmt in outputs]
    inp = kas.kinesis_input(src)
    inp["InputSchema"] = schema if schema is not None else kas.json_schema(columns)
    app = kas.app_name("ex")
    if reference is None:
        kda.create_application(ApplicationName=app, ApplicationCode=code, Inputs=[inp], Outputs=outs)
    else:
        table, body, ref_schema = reference
        s3 = kas.client(service="s3")
        bucket = "ex-" + sup.unique_name("ref").lower().replace("_", "-")[:40]
        s3.create_bucket(Bucket=bucket)
        s3.put_object(Bucket=bucket, Key="ref.csv", Body=body)
        kda.create_application(ApplicationName=app, Inputs=[inp], Outputs=outs)
        kda.add_application_reference_data_source(
            ApplicationName=app, CurrentApplicationVersionId=1,
            ReferenceDataSource={"TableName": table, "ReferenceSchema": ref_schema,
                                 "S3ReferenceDataSource": {"BucketARN": f"arn:aws:s3:::{bucket}", "FileKey": "ref.csv",
                                                           "ReferenceRoleARN": ROLE}})
        kda.update_application(ApplicationName=app, CurrentApplicationVersionId=2,
                               ApplicationUpdate={"ApplicationCodeUpdate": code})
    global window_start
    if align is not None:
        period = int(align * 1000)
        while int(time.time() * 1000) % period > 150:
            time.sleep(0.01)
        window_start = datetime.datetime.fromtimestamp(int(time.time() * 1000) // period * period / 1000,
                                                       datetime.timezone.utc).replace(tzinfo=None)
    kda.start_application(ApplicationName=app, InputConfigurations=[
        {"Id": "1.1", "InputStartingPositionConfiguration": {"InputStartingPosition": "TRIM_HORIZON"}}])
    kas.wait_status(kda, app, "RUNNING")
    return src, dests


def read_rows(kinesis, stream: str, want: int, timeout: float = 12.0, fmt: str = "JSON") -> list:
    """All rows of a one-shard output stream once there are `want` (and half a second for more)."""
    shard = kinesis.list_shards(StreamName=stream)["Shards"][0]["ShardId"]
    it = kinesis.get_shard_iterator(StreamName=stream, ShardId=shard,
                                    ShardIteratorType="TRIM_HORIZON")["ShardIterator"]
    deadline = time.monotonic() + timeout
    got: list = []
    settled = None  # when `want` were there: read once more half a second later
    while True:
        out = sup.get_records_paced(kinesis, ShardIterator=it)
        got += [r["Data"] for r in out["Records"]]
        it = out["NextShardIterator"]
        if settled is not None and time.monotonic() >= settled and not out["Records"]:
            break
        if settled is None and len(got) >= want:
            settled = time.monotonic() + 0.5
        if settled is None and time.monotonic() > deadline:
            raise AssertionError(f"{stream}: {len(got)} records after {timeout}s, wanted {want}: {got}")
        time.sleep(0.2)  # GetRecords: 5 calls a second per shard
    return [json.loads(d) for d in got] if fmt == "JSON" else got


def ts(d: datetime.datetime) -> str:
    """A TIMESTAMP as the output prints it: java.sql.Timestamp.toString of milliseconds (.0, .5, .25, .125)."""
    ms = d.microsecond // 1000
    return d.strftime("%Y-%m-%d %H:%M:%S.") + (f"{ms:03d}".rstrip("0") if ms else "0")


def f32(x: float) -> float:
    """x as a REAL (a Java float): what AVG of a REAL column gives, widened to DOUBLE on output."""
    return struct.unpack("f", struct.pack("f", x))[0]


def by(*keys):
    return lambda r: tuple(r[k] for k in keys)


def tick(symbol, sector="TECHNOLOGY", change=0.0, price=0.0) -> dict:
    return {"TICKER_SYMBOL": symbol, "SECTOR": sector, "CHANGE": change, "PRICE": price}


# --- Getting started and Streaming SQL Concepts ---------------------------------------------------

GETTING_STARTED = """
    CREATE OR REPLACE STREAM "DESTINATION_SQL_STREAM" (ticker_symbol VARCHAR(4), sector VARCHAR(12), change DOUBLE, price DOUBLE);
    CREATE OR REPLACE PUMP "STREAM_PUMP" AS INSERT INTO "DESTINATION_SQL_STREAM"
      SELECT STREAM ticker_symbol, sector, change, price
      FROM "SOURCE_SQL_STREAM_001"
      WHERE sector SIMILAR TO '%TECH%';
"""


def test_getting_started_continuous_filter(kda, kinesis):
    rows = [tick("AMZN", "TECHNOLOGY", 1.5, 100.25), tick("XOM", "ENERGY", -0.5, 80.0),
            tick("NFLX", "BIOTECH", 0.0, 12.125), tick("WMT", "RETAIL", 2.0, 60.5)]
    _, dests = start_app(kda, kinesis, GETTING_STARTED, rows)
    want = [{"TICKER_SYMBOL": r["TICKER_SYMBOL"], "SECTOR": r["SECTOR"], "CHANGE": r["CHANGE"], "PRICE": r["PRICE"]}
            for r in rows if "TECH" in r["SECTOR"]]
    assert read_rows(kinesis, dests["DESTINATION_SQL_STREAM"], len(want)) == want


def test_concepts_application_code_pump(kda, kinesis):
    code = """
        CREATE OR REPLACE STREAM "DESTINATION_SQL_STREAM" (ticker_symbol VARCHAR(4), change DOUBLE, price DOUBLE);
        -- Create a pump and insert into output stream.
        CREATE OR REPLACE PUMP "STREAM_PUMP" AS
          INSERT INTO "DESTINATION_SQL_STREAM"
            SELECT STREAM ticker_symbol, change,price
            FROM   "SOURCE_SQL_STREAM_001";
    """
    rows = [tick("AMZN", change=1.5, price=100.25), tick("XOM", "ENERGY", -0.5, 80.0)]
    _, dests = start_app(kda, kinesis, code, rows)
    assert read_rows(kinesis, dests["DESTINATION_SQL_STREAM"], 2) == [
        {"TICKER_SYMBOL": r["TICKER_SYMBOL"], "CHANGE": r["CHANGE"], "PRICE": r["PRICE"]} for r in rows]


def test_concepts_continuous_query(kda, kinesis):
    code = """
        CREATE OR REPLACE STREAM "DESTINATION_SQL_STREAM" (ticker_symbol VARCHAR(4), price DOUBLE);
        -- CREATE OR REPLACE PUMP to insert into output
        CREATE OR REPLACE PUMP "STREAM_PUMP" AS
          INSERT INTO "DESTINATION_SQL_STREAM"
              SELECT STREAM TICKER_SYMBOL, PRICE
              FROM   "SOURCE_SQL_STREAM_001"
              WHERE  (ABS((CHANGE / (PRICE-CHANGE)) * 100)) > 1;
    """
    _, dests = start_app(kda, kinesis, code, ALERT_ROWS)
    want = [{"TICKER_SYMBOL": r["TICKER_SYMBOL"], "PRICE": r["PRICE"]} for r in alerting(ALERT_ROWS)]
    assert read_rows(kinesis, dests["DESTINATION_SQL_STREAM"], len(want)) == want


def test_concepts_stagger_window_by_event_minute(kda, kinesis):
    """The stagger-window page's query over its four AMZN events: the first three share an event minute."""
    code = """
        CREATE OR REPLACE STREAM "DESTINATION_SQL_STREAM" (
            ticker_symbol    VARCHAR(4),
            event_time       TIMESTAMP,
            ticker_count     DOUBLE);
        CREATE OR REPLACE PUMP "STREAM_PUMP" AS INSERT INTO "DESTINATION_SQL_STREAM"
            SELECT STREAM
                TICKER_SYMBOL,
                FLOOR(EVENT_TIME TO MINUTE),
                COUNT(TICKER_SYMBOL) AS ticker_count
            FROM "SOURCE_SQL_STREAM_001"
            WINDOWED BY STAGGER (
                    PARTITION BY FLOOR(EVENT_TIME TO MINUTE), TICKER_SYMBOL RANGE INTERVAL '2' SECOND); -- guide: '1' MINUTE
    """
    events = ["2018-08-01 11:00:10", "2018-08-01 11:00:20", "2018-08-01 11:00:55", "2018-08-01 11:01:05"]
    cols = (("EVENT_TIME", "$.EVENT_TIME", "TIMESTAMP"), ("TICKER_SYMBOL", "$.TICKER_SYMBOL", "VARCHAR(4)"))
    _, dests = start_app(kda, kinesis, code, [{"EVENT_TIME": e, "TICKER_SYMBOL": "AMZN"} for e in events],
                         columns=cols)
    got = read_rows(kinesis, dests["DESTINATION_SQL_STREAM"], 2)
    assert sorted(got, key=by("EVENT_TIME")) == [
        {"TICKER_SYMBOL": "AMZN", "EVENT_TIME": "2018-08-01 11:00:00.0", "TICKER_COUNT": 3},
        {"TICKER_SYMBOL": "AMZN", "EVENT_TIME": "2018-08-01 11:01:00.0", "TICKER_COUNT": 1}]


def test_concepts_sliding_window_timeline(kda, kinesis):
    """The sliding-window page's timeline: a row on entering emits the count of the window ending at
    it; rows older than the window no longer count. Here a window of 2 seconds instead of 5."""
    code = """
        CREATE OR REPLACE STREAM "DESTINATION_SQL_STREAM" (ticker_symbol VARCHAR(4), n INTEGER);
        CREATE OR REPLACE PUMP "STREAM_PUMP" AS INSERT INTO "DESTINATION_SQL_STREAM"
          SELECT STREAM ticker_symbol, COUNT(*) OVER W1
          FROM "SOURCE_SQL_STREAM_001"
          WINDOW W1 AS (RANGE INTERVAL '2' SECOND PRECEDING);
    """
    src, dests = start_app(kda, kinesis, code, [tick("T1")])
    time.sleep(0.6)
    put(kinesis, src, [tick("T2")])  # 0.6 s after T1: both in the window
    time.sleep(3.5)
    put(kinesis, src, [tick("T6")])  # T1 and T2 are out
    time.sleep(0.6)
    put(kinesis, src, [tick("T7")])  # T6 still in
    assert read_rows(kinesis, dests["DESTINATION_SQL_STREAM"], 4) == [
        {"TICKER_SYMBOL": "T1", "N": 1}, {"TICKER_SYMBOL": "T2", "N": 2},
        {"TICKER_SYMBOL": "T6", "N": 1}, {"TICKER_SYMBOL": "T7", "N": 2}]


def test_concepts_sliding_window_one_minute_min_max_avg(kda, kinesis):
    code = """
        CREATE OR REPLACE STREAM "DESTINATION_SQL_STREAM" (ticker_symbol VARCHAR(10), Min_Price double, Max_Price double, Avg_Price double);
        CREATE OR REPLACE PUMP "STREAM_PUMP" AS INSERT INTO "DESTINATION_SQL_STREAM"
          SELECT STREAM ticker_symbol,
                        MIN(Price) OVER W1 AS Min_Price,
                        MAX(Price) OVER W1 AS Max_Price,
                        AVG(Price) OVER W1 AS Avg_Price
          FROM   "SOURCE_SQL_STREAM_001"
          WINDOW W1 AS (PARTITION BY ticker_symbol RANGE INTERVAL '1' MINUTE PRECEDING);
    """
    prices = [("A", 10.0), ("A", 20.0), ("B", 5.0), ("A", 36.0), ("B", 7.0)]
    _, dests = start_app(kda, kinesis, code, [tick(t, price=p) for t, p in prices])
    want, seen = [], {}
    for t, p in prices:  # every row is within the minute: the window is the partition so far
        seen.setdefault(t, []).append(p)
        w = seen[t]
        want.append({"TICKER_SYMBOL": t, "MIN_PRICE": min(w), "MAX_PRICE": max(w), "AVG_PRICE": f32(sum(w) / len(w))})
    assert read_rows(kinesis, dests["DESTINATION_SQL_STREAM"], len(want)) == want


def test_concepts_sliding_window_average_percent_change(kda, kinesis):
    code = """
        CREATE OR REPLACE STREAM "DESTINATION_SQL_STREAM" (ticker_symbol VARCHAR(10), Avg_Percent_Change double);
        CREATE OR REPLACE PUMP "STREAM_PUMP" AS INSERT INTO "DESTINATION_SQL_STREAM"
          SELECT STREAM Ticker_Symbol,
                        AVG(Change / (Price - Change)) over W1 as Avg_Percent_Change
          FROM "SOURCE_SQL_STREAM_001"
          WINDOW W1 AS (PARTITION BY ticker_symbol RANGE INTERVAL '10' SECOND PRECEDING);
    """
    # change / (price - change) in binary fractions, so the quotients are exact; their AVG is a REAL
    rows = [("A", 1.0, 5.0), ("A", -1.0, 1.0), ("B", 2.0, 10.0), ("A", 3.0, 4.0)]
    _, dests = start_app(kda, kinesis, code, [tick(t, change=c, price=p) for t, c, p in rows])
    want, seen = [], {}
    for t, c, p in rows:
        seen.setdefault(t, []).append(c / (p - c))
        want.append({"TICKER_SYMBOL": t, "AVG_PERCENT_CHANGE": f32(sum(seen[t]) / len(seen[t]))})
    assert read_rows(kinesis, dests["DESTINATION_SQL_STREAM"], len(want)) == want


def test_concepts_two_row_and_ten_row_moving_averages(kda, kinesis):
    code = """
        CREATE OR REPLACE STREAM "DESTINATION_SQL_STREAM" (ticker_symbol VARCHAR(12), price double, average_last2rows double, average_last10rows double);
        CREATE OR REPLACE PUMP "myPump" AS INSERT INTO "DESTINATION_SQL_STREAM"
        SELECT STREAM ticker_symbol, price, avg(price) over last2rows, avg(price) over last10rows
        FROM SOURCE_SQL_STREAM_001
        WINDOW
            last2rows AS (PARTITION BY ticker_symbol ROWS 2 PRECEDING),
            last10rows AS (PARTITION BY ticker_symbol ROWS 10 PRECEDING);
    """
    prices = [("A", float(p)) for p in (1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13)] + [("B", 8.0)]
    _, dests = start_app(kda, kinesis, code, [tick(t, price=p) for t, p in prices])
    want, seen = [], {}
    for t, p in prices:
        seen.setdefault(t, []).append(p)
        w = seen[t]
        last3, last11 = w[-3:], w[-11:]  # ROWS n PRECEDING: the current row and n before it
        want.append({"TICKER_SYMBOL": t, "PRICE": p, "AVERAGE_LAST2ROWS": f32(sum(last3) / len(last3)),
                     "AVERAGE_LAST10ROWS": f32(sum(last11) / len(last11))})
    assert read_rows(kinesis, dests["DESTINATION_SQL_STREAM"], len(want)) == want


def test_concepts_tumbling_window_min_max_per_ticker(kda, kinesis):
    code = """
        CREATE OR REPLACE STREAM "DESTINATION_SQL_STREAM" (ticker_symbol VARCHAR(4), Min_Price DOUBLE, Max_Price DOUBLE);
        CREATE OR REPLACE PUMP "STREAM_PUMP" AS INSERT INTO "DESTINATION_SQL_STREAM"
          SELECT STREAM Ticker_Symbol, MIN(Price) AS Min_Price, MAX(Price) AS Max_Price
          FROM    "SOURCE_SQL_STREAM_001"
          GROUP BY Ticker_Symbol,
                   STEP("SOURCE_SQL_STREAM_001".ROWTIME BY INTERVAL '2' SECOND); -- guide: '60' SECOND
    """
    prices = [("B", 4.5), ("A", 3.0), ("B", 1.25), ("A", 9.0), ("C", 2.0), ("A", 0.5)]
    _, dests = start_app(kda, kinesis, code, [tick(t, price=p) for t, p in prices], align=2)
    want = {}
    for t, p in prices:
        lo, hi = want.get(t, (p, p))
        want[t] = (min(lo, p), max(hi, p))
    got = read_rows(kinesis, dests["DESTINATION_SQL_STREAM"], len(want))
    assert sorted(got, key=by("TICKER_SYMBOL")) == [
        {"TICKER_SYMBOL": t, "MIN_PRICE": lo, "MAX_PRICE": hi} for t, (lo, hi) in sorted(want.items())]


def test_concepts_tumbling_window_rowtime_is_the_window_end(kda, kinesis):
    """The tumbling-window page's first query, ROWTIME selected (and the alias Price twice). A
    GROUP BY result's ROWTIME is its window's end, as the stagger-window page's table of tumbling
    results shows (rows of 11:00:20 and 11:00:30 give ROWTIME 11:01:00)."""
    code = """
        CREATE OR REPLACE STREAM "DESTINATION_SQL_STREAM" (row_time TIMESTAMP, ticker_symbol VARCHAR(4), Min_Price DOUBLE, Max_Price DOUBLE);
        CREATE OR REPLACE PUMP "STREAM_PUMP" AS INSERT INTO "DESTINATION_SQL_STREAM"
          SELECT STREAM ROWTIME,
                        Ticker_Symbol,
                        MIN(Price) AS Price,
                        MAX(Price) AS Price
          FROM     "SOURCE_SQL_STREAM_001"
          GROUP BY Ticker_Symbol,
                   STEP("SOURCE_SQL_STREAM_001".ROWTIME BY INTERVAL '2' SECOND); -- guide: '60' SECOND
    """
    _, dests = start_app(kda, kinesis, code, [tick("A", price=2.0), tick("A", price=1.0)], align=2)
    end = ts(window_start + datetime.timedelta(seconds=2))
    assert read_rows(kinesis, dests["DESTINATION_SQL_STREAM"], 1) == [
        {"ROW_TIME": end, "TICKER_SYMBOL": "A", "MIN_PRICE": 1.0, "MAX_PRICE": 2.0}]


def test_concepts_rowtime_and_approximate_arrival_time_windows(kda, kinesis):
    code = """
        CREATE OR REPLACE STREAM "DESTINATION_SQL_STREAM"
            ("ingest_time" timestamp, "APPROXIMATE_ARRIVAL_TIME" timestamp, "ticker_symbol" VARCHAR(12), "symbol_count" integer);
        CREATE OR REPLACE PUMP "STREAM_PUMP" AS INSERT INTO "DESTINATION_SQL_STREAM"
            SELECT STREAM STEP("SOURCE_SQL_STREAM_001".ROWTIME BY INTERVAL '2' SECOND) AS "ingest_time", -- guide: '60'
                STEP("SOURCE_SQL_STREAM_001".APPROXIMATE_ARRIVAL_TIME BY INTERVAL '60' SECOND) AS "APPROXIMATE_ARRIVAL_TIME",
                "TICKER_SYMBOL",
                COUNT(*) AS "symbol_count"
            FROM "SOURCE_SQL_STREAM_001"
            GROUP BY "TICKER_SYMBOL",
                STEP("SOURCE_SQL_STREAM_001".ROWTIME BY INTERVAL '2' SECOND), -- guide: '60'
                STEP("SOURCE_SQL_STREAM_001".APPROXIMATE_ARRIVAL_TIME BY INTERVAL '60' SECOND);
    """
    symbols = ["ABC", "DEF", "ABC", "XYZ", "ABC", "DEF"]
    src, dests = start_app(kda, kinesis, code, [tick(s) for s in symbols], align=2)
    arrivals = arrival_times(kinesis, src)
    counts: dict = {}
    for s, a in zip(symbols, arrivals):
        minute = a.replace(second=0, microsecond=0)
        counts[(s, minute)] = counts.get((s, minute), 0) + 1
    got = read_rows(kinesis, dests["DESTINATION_SQL_STREAM"], len(counts))
    # ROWTIME is the time the application read the rows: in the 2-second step the start was aligned to.
    assert sorted(got, key=by("ticker_symbol", "APPROXIMATE_ARRIVAL_TIME")) == sorted(
        ({"ingest_time": ts(window_start), "APPROXIMATE_ARRIVAL_TIME": ts(m), "ticker_symbol": s, "symbol_count": n}
         for (s, m), n in counts.items()), key=by("ticker_symbol", "APPROXIMATE_ARRIVAL_TIME"))


JOIN_INLINE_WINDOW = """
          FROM OrderStream AS o
          JOIN TradeStream OVER (RANGE INTERVAL '1' MINUTE PRECEDING) AS t
          ON   o.orderId = t.orderId;
"""
JOIN_NAMED_WINDOW = """
          FROM OrderStream AS o
          JOIN TradeStream OVER t
          ON o.orderId = t.orderId
          WINDOW t AS
              (RANGE INTERVAL '1' MINUTE PRECEDING);
"""


@pytest.mark.parametrize("join", [
    pytest.param(JOIN_INLINE_WINDOW, id="inline-window"),
    pytest.param(JOIN_NAMED_WINDOW, id="window-clause")])
def test_concepts_stream_join_trades_within_a_minute_of_the_order(kda, kinesis, join):
    """The join page's first query, both ways it writes the window, over two in-application
    streams split from one source."""
    code = """
        CREATE OR REPLACE STREAM OrderStream (orderId INTEGER, ticker VARCHAR(4), amount INTEGER);
        CREATE OR REPLACE STREAM TradeStream (tradeId INTEGER, orderId INTEGER, ticker VARCHAR(4), amount INTEGER);
        CREATE OR REPLACE PUMP "ORDER_PUMP" AS INSERT INTO OrderStream
          SELECT STREAM CAST(price AS INTEGER), ticker_symbol, CAST(change AS INTEGER)
          FROM "SOURCE_SQL_STREAM_001" WHERE sector = 'ORDER';
        CREATE OR REPLACE PUMP "TRADE_PUMP" AS INSERT INTO TradeStream
          SELECT STREAM CAST(change AS INTEGER) * 100, CAST(price AS INTEGER), ticker_symbol, CAST(change AS INTEGER)
          FROM "SOURCE_SQL_STREAM_001" WHERE sector = 'TRADE';
        CREATE OR REPLACE STREAM "DESTINATION_SQL_STREAM" (orderId INTEGER, ticker VARCHAR(4), orderAmount INTEGER, tradeAmount INTEGER);
        CREATE OR REPLACE PUMP "JOIN_PUMP" AS INSERT INTO "DESTINATION_SQL_STREAM"
          SELECT STREAM
               o.orderId, o.ticker, o.amount AS orderAmount,
               t.amount AS tradeAmount
    """ + join
    # Trades (PRICE = order id, CHANGE = amount) first; the orders once the trades are in.
    trades = [tick("AMZN", "TRADE", 3.0, 1.0), tick("AMZN", "TRADE", 4.0, 1.0), tick("MSFT", "TRADE", 5.0, 9.0)]
    src, dests = start_app(kda, kinesis, code, trades)
    time.sleep(1.0)
    put(kinesis, src, [tick("AMZN", "ORDER", 7.0, 1.0), tick("INTC", "ORDER", 2.0, 2.0)])
    got = read_rows(kinesis, dests["DESTINATION_SQL_STREAM"], 2)
    assert sorted(got, key=by("TRADEAMOUNT")) == [
        {"ORDERID": 1, "TICKER": "AMZN", "ORDERAMOUNT": 7, "TRADEAMOUNT": 3},
        {"ORDERID": 1, "TICKER": "AMZN", "ORDERAMOUNT": 7, "TRADEAMOUNT": 4}]


def test_sqlref_join_with_a_window_on_both_streams(kda, kinesis):
    code = """
        CREATE OR REPLACE STREAM "ORDERS" (order_id INTEGER, ticker VARCHAR(4));
        CREATE OR REPLACE STREAM "TRADES" (order_id INTEGER, amount INTEGER);
        CREATE OR REPLACE PUMP "O" AS INSERT INTO "ORDERS"
          SELECT STREAM CAST(price AS INTEGER), ticker_symbol FROM "SOURCE_SQL_STREAM_001" WHERE sector = 'ORDER';
        CREATE OR REPLACE PUMP "T" AS INSERT INTO "TRADES"
          SELECT STREAM CAST(price AS INTEGER), CAST(change AS INTEGER) FROM "SOURCE_SQL_STREAM_001" WHERE sector = 'TRADE';
        CREATE OR REPLACE STREAM "DESTINATION_SQL_STREAM" (order_id INTEGER, ticker VARCHAR(4), amount INTEGER);
        CREATE OR REPLACE PUMP "J" AS INSERT INTO "DESTINATION_SQL_STREAM"
          SELECT STREAM o.order_id, o.ticker, t.amount
          FROM "ORDERS" OVER (RANGE INTERVAL '1' MINUTE PRECEDING) AS o
          JOIN "TRADES" OVER (RANGE INTERVAL '1' MINUTE PRECEDING) AS t
          ON o.order_id = t.order_id;
    """
    src, dests = start_app(kda, kinesis, code, [tick("AMZN", "ORDER", 0.0, 1.0)])
    time.sleep(1.0)
    put(kinesis, src, [tick("AMZN", "TRADE", 6.0, 1.0)])  # the trade after its order matches too
    assert read_rows(kinesis, dests["DESTINATION_SQL_STREAM"], 1) == [{"ORDER_ID": 1, "TICKER": "AMZN", "AMOUNT": 6}]


# --- Examples: transforming data ------------------------------------------------------------------

REFERRER_ROWS = [{"REFERRER": "http://www.amazon.com"}, {"REFERRER": "http://www.stackoverflow.com"}]


def test_example_substring_of_a_referrer(kda, kinesis):
    code = """
        CREATE OR REPLACE STREAM "DESTINATION_SQL_STREAM" ("ingest_time" TIMESTAMP, "referrer" VARCHAR(32));
        CREATE OR REPLACE PUMP "myPUMP" AS INSERT INTO "DESTINATION_SQL_STREAM"
          SELECT STREAM
             "APPROXIMATE_ARRIVAL_TIME",
             SUBSTRING("referrer", 12, (POSITION('.com' IN "referrer") - POSITION('www.' IN "referrer") - 4))
          FROM "SOURCE_SQL_STREAM_001";
    """
    src, dests = start_app(kda, kinesis, code, REFERRER_ROWS, columns=(("referrer", "$.REFERRER", "VARCHAR(32)"),))
    arrivals = arrival_times(kinesis, src)
    want = []
    for r, a in zip(REFERRER_ROWS, arrivals):
        s = r["REFERRER"]
        n = (s.find(".com") + 1) - (s.find("www.") + 1) - 4
        want.append({"ingest_time": ts(a), "referrer": s[11:11 + n]})
    assert [w["referrer"] for w in want] == ["amazon", "stackoverflow"]
    assert read_rows(kinesis, dests["DESTINATION_SQL_STREAM"], 2) == want


def test_example_regex_replace_http_with_https(kda, kinesis):
    code = """
        CREATE OR REPLACE STREAM "DESTINATION_SQL_STREAM" ("ingest_time" TIMESTAMP, "referrer" VARCHAR(32));
        CREATE OR REPLACE PUMP "myPUMP" AS INSERT INTO "DESTINATION_SQL_STREAM"
          SELECT STREAM
             "APPROXIMATE_ARRIVAL_TIME",
             REGEX_REPLACE("REFERRER", 'http://', 'https://', 1, 0)
          FROM "SOURCE_SQL_STREAM_001";
    """
    src, dests = start_app(kda, kinesis, code, REFERRER_ROWS, columns=(("REFERRER", "$.REFERRER", "VARCHAR(32)"),))
    arrivals = arrival_times(kinesis, src)
    want = [{"ingest_time": ts(a), "referrer": r["REFERRER"].replace("http://", "https://")}
            for r, a in zip(REFERRER_ROWS, arrivals)]
    assert read_rows(kinesis, dests["DESTINATION_SQL_STREAM"], 2) == want


APACHE_LINE = ('203.0.113.24 - - [25/Mar/2018:15:25:37 -0700] "GET /index.php HTTP/1.1" 200 125 "-" '
               '"Mozilla/5.0 [en] Gecko/20100101 Firefox/52.0"')


def test_example_regex_log_parse(kda, kinesis):
    code = r"""
        CREATE OR REPLACE STREAM "DESTINATION_SQL_STREAM" (logentry VARCHAR(24), match1 VARCHAR(24), match2 VARCHAR(24));
        CREATE OR REPLACE PUMP "STREAM_PUMP" AS INSERT INTO "DESTINATION_SQL_STREAM"
            SELECT STREAM T.LOGENTRY, T.REC.COLUMN1, T.REC.COLUMN2
            FROM
                 (SELECT STREAM LOGENTRY,
                     REGEX_LOG_PARSE(LOGENTRY, '(\w.+) (\d.+) (\w.+) (\w.+)') AS REC
                     FROM SOURCE_SQL_STREAM_001) AS T;
    """
    _, dests = start_app(kda, kinesis, code, [{"LOGENTRY": APACHE_LINE}],
                         columns=(("LOGENTRY", "$.LOGENTRY", "VARCHAR(256)"),))
    # Java's matches(): greedy groups, backtracking to the last places that let the rest match.
    m = re.fullmatch(r"(\w.+) (\d.+) (\w.+) (\w.+)", APACHE_LINE)
    assert read_rows(kinesis, dests["DESTINATION_SQL_STREAM"], 1) == [
        {"LOGENTRY": APACHE_LINE[:24], "MATCH1": m.group(1)[:24], "MATCH2": m.group(2)[:24]}]


W3C_LINES = ['192.168.254.30 - John [24/May/2004:22:01:02 -0700] "GET /icons/apache_pba.gif HTTP/1.1" 304 0',
             '192.168.254.30 - John [24/May/2004:22:01:03 -0700] "GET /icons/apache_pbb.gif HTTP/1.1" 304 0']


def test_example_w3c_log_parse_common(kda, kinesis):
    code = """
        CREATE OR REPLACE STREAM "DESTINATION_SQL_STREAM" (
            column1 VARCHAR(16), column2 VARCHAR(16), column3 VARCHAR(16), column4 VARCHAR(16),
            column5 VARCHAR(16), column6 VARCHAR(16), column7 VARCHAR(16));
        CREATE OR REPLACE PUMP "myPUMP" AS INSERT INTO "DESTINATION_SQL_STREAM"
            SELECT STREAM l.r.COLUMN1, l.r.COLUMN2, l.r.COLUMN3, l.r.COLUMN4, l.r.COLUMN5, l.r.COLUMN6, l.r.COLUMN7
            FROM (SELECT STREAM W3C_LOG_PARSE("log", 'COMMON') FROM "SOURCE_SQL_STREAM_001") AS l(r);
    """
    _, dests = start_app(kda, kinesis, code, [{"log": line} for line in W3C_LINES],
                         columns=(("log", "$.log", "VARCHAR(256)"),))
    want = []
    for line in W3C_LINES:  # host ident authuser [date] "request" status bytes; VARCHAR(16) cuts
        host, ident, user, rest = line.split(" ", 3)
        date, rest = rest[1:].split("] ", 1)
        request, rest = rest[1:].split('" ', 1)
        status, size = rest.split(" ")
        fields = [host, ident, user, date, request, status, size]
        want.append({f"COLUMN{i + 1}": v[:16] for i, v in enumerate(fields)})
    assert read_rows(kinesis, dests["DESTINATION_SQL_STREAM"], 2) == want


def test_example_split_strings_variable_column_log_parse(kda, kinesis):
    code = """
        CREATE OR REPLACE STREAM "DESTINATION_SQL_STREAM"(
            "column_A" VARCHAR(16), "column_B" VARCHAR(16), "column_C" VARCHAR(16),
            "COL_1" VARCHAR(16), "COL_2" VARCHAR(16), "COL_3" VARCHAR(16));
        CREATE OR REPLACE PUMP "SECOND_STREAM_PUMP" AS INSERT INTO "DESTINATION_SQL_STREAM"
           SELECT STREAM  t."Col_A", t."Col_B", t."Col_C", t.r."COL_1", t.r."COL_2", t.r."COL_3"
           FROM (SELECT STREAM "Col_A", "Col_B", "Col_C",
                   VARIABLE_COLUMN_LOG_PARSE ("Col_E_Unstructured",
                                             'COL_1 TYPE VARCHAR(16), COL_2 TYPE VARCHAR(16), COL_3 TYPE VARCHAR(16)',
                                             ',') AS r
                 FROM "SOURCE_SQL_STREAM_001") as t;
    """
    cols = tuple((c, f"$.{c}", "VARCHAR(32)") for c in ("Col_A", "Col_B", "Col_C", "Col_E_Unstructured"))
    rows = [{"Col_A": "a", "Col_B": "b", "Col_C": "c", "Col_E_Unstructured": "x,y,z"},
            {"Col_A": "d", "Col_B": "e", "Col_C": "f", "Col_E_Unstructured": "1,2"}]
    _, dests = start_app(kda, kinesis, code, rows, columns=cols)
    want = []
    for r in rows:
        parts = r["Col_E_Unstructured"].split(",") + [None, None, None]  # missing fields are NULL
        want.append({"column_A": r["Col_A"], "column_B": r["Col_B"], "column_C": r["Col_C"],
                     "COL_1": parts[0], "COL_2": parts[1], "COL_3": parts[2]})
    assert read_rows(kinesis, dests["DESTINATION_SQL_STREAM"], 2) == want


def test_example_transforming_datetime_values(kda, kinesis):
    code = """
        CREATE OR REPLACE STREAM "DESTINATION_SQL_STREAM" (
            TICKER VARCHAR(4),
            event_time TIMESTAMP,
            five_minutes_before TIMESTAMP,
            event_unix_timestamp BIGINT,
            event_timestamp_as_char VARCHAR(50),
            event_second INTEGER);
        CREATE OR REPLACE PUMP "STREAM_PUMP" AS INSERT INTO "DESTINATION_SQL_STREAM"
        SELECT STREAM
            TICKER,
            EVENT_TIME,
            EVENT_TIME - INTERVAL '5' MINUTE,
            UNIX_TIMESTAMP(EVENT_TIME),
            TIMESTAMP_TO_CHAR('yyyy-MM-dd hh:mm:ss', EVENT_TIME),
            EXTRACT(SECOND FROM EVENT_TIME)
        FROM "SOURCE_SQL_STREAM_001"
    """
    rows = [{"EVENT_TIME": "2018-05-09T12:50:41.337510", "TICKER": "AAPL", "PRICE": 10.5},
            {"EVENT_TIME": "2018-05-09T14:02:07.427227", "TICKER": "MSFT", "PRICE": 20.25}]
    cols = (("EVENT_TIME", "$.EVENT_TIME", "TIMESTAMP"), ("TICKER", "$.TICKER", "VARCHAR(4)"),
            ("PRICE", "$.PRICE", "REAL"))
    _, dests = start_app(kda, kinesis, code, rows, columns=cols)
    want = []
    for r in rows:
        t = datetime.datetime.fromisoformat(r["EVENT_TIME"])
        t = t.replace(microsecond=t.microsecond // 1000 * 1000)  # TIMESTAMP keeps milliseconds
        epoch_ms = int((t - datetime.datetime(1970, 1, 1)).total_seconds() * 1000)
        hh = t.hour % 12 or 12  # SimpleDateFormat's hh: the hour of the half day, 1-12
        want.append({"TICKER": r["TICKER"], "EVENT_TIME": ts(t),
                     "FIVE_MINUTES_BEFORE": ts(t - datetime.timedelta(minutes=5)),
                     "EVENT_UNIX_TIMESTAMP": epoch_ms,
                     "EVENT_TIMESTAMP_AS_CHAR": t.strftime("%Y-%m-%d ") + f"{hh:02d}" + t.strftime(":%M:%S"),
                     "EVENT_SECOND": t.second})
    assert read_rows(kinesis, dests["DESTINATION_SQL_STREAM"], 2) == want


def test_example_multiple_record_types(kda, kinesis):
    code = """
        CREATE OR REPLACE STREAM "Order_Stream" (
            order_id integer, order_type varchar(10), ticker varchar(4), order_price DOUBLE, record_type varchar(10));
        CREATE OR REPLACE PUMP "Order_Pump" AS INSERT INTO "Order_Stream"
            SELECT STREAM oid, otype, oticker, oprice, recordtype
            FROM   "SOURCE_SQL_STREAM_001"
            WHERE  recordtype = 'Order';
        CREATE OR REPLACE STREAM "Trade_Stream" (
            trade_id integer, order_id integer, trade_price DOUBLE, ticker varchar(4), record_type varchar(10));
        CREATE OR REPLACE PUMP "Trade_Pump" AS INSERT INTO "Trade_Stream"
            SELECT STREAM tid, toid, tprice, tticker, recordtype
            FROM   "SOURCE_SQL_STREAM_001"
            WHERE  recordtype = 'Trade';
        CREATE OR REPLACE STREAM "DESTINATION_SQL_STREAM" (ticker varchar(4), trade_count integer);
        CREATE OR REPLACE PUMP "Output_Pump" AS INSERT INTO "DESTINATION_SQL_STREAM"
            SELECT STREAM ticker, count(*) as trade_count
            FROM   "Trade_Stream"
            GROUP BY ticker, FLOOR("Trade_Stream".ROWTIME TO SECOND); -- guide: TO MINUTE
    """
    cols = (("RECORDTYPE", "$.RecordType", "VARCHAR(10)"), ("OPRICE", "$.Oprice", "DOUBLE"),
            ("OTYPE", "$.Otype", "VARCHAR(10)"), ("OID", "$.Oid", "INTEGER"), ("OTICKER", "$.Oticker", "VARCHAR(4)"),
            ("TID", "$.Tid", "INTEGER"), ("TOID", "$.Toid", "INTEGER"), ("TPRICE", "$.Tprice", "DOUBLE"),
            ("TTICKER", "$.Tticker", "VARCHAR(4)"))
    records = [{"RecordType": "Order", "Oprice": 9047, "Otype": "Sell", "Oid": 3811, "Oticker": "AAAA"},
               {"RecordType": "Trade", "Tid": 1, "Toid": 3811, "Tprice": 9046, "Tticker": "AAAA"},
               {"RecordType": "Order", "Oprice": 2090, "Otype": "Buy", "Oid": 3812, "Oticker": "BBBB"},
               {"RecordType": "Trade", "Tid": 2, "Toid": 3812, "Tprice": 2089, "Tticker": "BBBB"},
               {"RecordType": "Trade", "Tid": 3, "Toid": 3811, "Tprice": 9047, "Tticker": "AAAA"}]
    _, dests = start_app(kda, kinesis, code, records, columns=cols, align=1,
                         outputs=(("Order_Stream", "JSON"), ("Trade_Stream", "JSON"), ("DESTINATION_SQL_STREAM", "JSON")))
    orders = [{"ORDER_ID": r["Oid"], "ORDER_TYPE": r["Otype"], "TICKER": r["Oticker"], "ORDER_PRICE": r["Oprice"],
               "RECORD_TYPE": "Order"} for r in records if r["RecordType"] == "Order"]
    trades = [{"TRADE_ID": r["Tid"], "ORDER_ID": r["Toid"], "TRADE_PRICE": r["Tprice"], "TICKER": r["Tticker"],
               "RECORD_TYPE": "Trade"} for r in records if r["RecordType"] == "Trade"]
    assert read_rows(kinesis, dests["Order_Stream"], len(orders)) == orders
    assert read_rows(kinesis, dests["Trade_Stream"], len(trades)) == trades
    got = read_rows(kinesis, dests["DESTINATION_SQL_STREAM"], 2)
    assert sorted(got, key=by("TICKER")) == [{"TICKER": "AAAA", "TRADE_COUNT": 2}, {"TICKER": "BBBB", "TRADE_COUNT": 1}]


# --- Examples: windows and aggregation ------------------------------------------------------------

def test_example_stagger_window(kda, kinesis):
    code = """
        CREATE OR REPLACE STREAM "DESTINATION_SQL_STREAM" (
            event_time TIMESTAMP,
            ticker_symbol    VARCHAR(4),
            ticker_count     INTEGER);
        CREATE OR REPLACE PUMP "STREAM_PUMP" AS INSERT INTO "DESTINATION_SQL_STREAM"
            SELECT STREAM
                EVENT_TIME,
                TICKER,
                COUNT(TICKER) AS ticker_count
            FROM "SOURCE_SQL_STREAM_001"
            WINDOWED BY STAGGER (
                    PARTITION BY TICKER, EVENT_TIME RANGE INTERVAL '2' SECOND); -- guide: '1' MINUTE
    """
    amzn = {"EVENT_TIME": "2018-08-01T20:17:20.797945", "TICKER": "AMZN"}
    intc = {"EVENT_TIME": "2018-08-01T20:18:21.043084", "TICKER": "INTC"}
    amzn2 = {"EVENT_TIME": "2018-08-01T20:19:22.000000", "TICKER": "AMZN"}
    records = [amzn, amzn, intc, amzn, intc, amzn2, amzn]
    cols = (("EVENT_TIME", "$.EVENT_TIME", "TIMESTAMP"), ("TICKER", "$.TICKER", "VARCHAR(4)"))
    _, dests = start_app(kda, kinesis, code, records, columns=cols)
    counts: dict = {}
    for r in records:
        counts[(r["EVENT_TIME"], r["TICKER"])] = counts.get((r["EVENT_TIME"], r["TICKER"]), 0) + 1
    want = sorted(({"EVENT_TIME": ts(datetime.datetime.fromisoformat(e).replace(
        microsecond=datetime.datetime.fromisoformat(e).microsecond // 1000 * 1000)),
        "TICKER_SYMBOL": t, "TICKER_COUNT": n} for (e, t), n in counts.items()), key=by("EVENT_TIME"))
    got = read_rows(kinesis, dests["DESTINATION_SQL_STREAM"], len(want))
    assert sorted(got, key=by("EVENT_TIME")) == want


def test_example_stagger_window_opens_with_a_key_first_row(kda, kinesis):
    """The stagger example's timing: a key's window opens with its first row and closes RANGE later;
    a row after that opens the next window. Windows of 2 seconds instead of a minute."""
    code = """
        CREATE OR REPLACE STREAM "DESTINATION_SQL_STREAM" (
            event_time TIMESTAMP,
            ticker_symbol    VARCHAR(4),
            ticker_count     INTEGER);
        CREATE OR REPLACE PUMP "STREAM_PUMP" AS INSERT INTO "DESTINATION_SQL_STREAM"
            SELECT STREAM
                EVENT_TIME,
                TICKER,
                COUNT(TICKER) AS ticker_count
            FROM "SOURCE_SQL_STREAM_001"
            WINDOWED BY STAGGER (
                    PARTITION BY TICKER, EVENT_TIME RANGE INTERVAL '2' SECOND); -- guide: '1' MINUTE
    """
    cols = (("EVENT_TIME", "$.EVENT_TIME", "TIMESTAMP"), ("TICKER", "$.TICKER", "VARCHAR(4)"))
    amzn = {"EVENT_TIME": "2018-08-01T20:17:20.797945", "TICKER": "AMZN"}
    intc = {"EVENT_TIME": "2018-08-01T20:18:21.043084", "TICKER": "INTC"}
    src, dests = start_app(kda, kinesis, code, [amzn], columns=cols)
    time.sleep(0.8)
    put(kinesis, src, [amzn, intc])  # AMZN's window is open; INTC's opens
    time.sleep(3.0)
    put(kinesis, src, [amzn])  # both closed: a new AMZN window
    assert read_rows(kinesis, dests["DESTINATION_SQL_STREAM"], 3) == [
        {"EVENT_TIME": "2018-08-01 20:17:20.797", "TICKER_SYMBOL": "AMZN", "TICKER_COUNT": 2},
        {"EVENT_TIME": "2018-08-01 20:18:21.043", "TICKER_SYMBOL": "INTC", "TICKER_COUNT": 1},
        {"EVENT_TIME": "2018-08-01 20:17:20.797", "TICKER_SYMBOL": "AMZN", "TICKER_COUNT": 1}]


def test_example_tumbling_window_using_rowtime(kda, kinesis):
    code = """
        CREATE OR REPLACE STREAM "DESTINATION_SQL_STREAM" (TICKER VARCHAR(4), MIN_PRICE REAL, MAX_PRICE REAL);
        CREATE OR REPLACE PUMP "STREAM_PUMP" AS INSERT INTO "DESTINATION_SQL_STREAM"
            SELECT STREAM TICKER, MIN(PRICE), MAX(PRICE)
            FROM "SOURCE_SQL_STREAM_001"
            GROUP BY TICKER,
                     STEP("SOURCE_SQL_STREAM_001".ROWTIME BY INTERVAL '2' SECOND); -- guide: '60' SECOND
    """
    records = [{"TICKER": "TBV", "PRICE": 43.65}, {"TICKER": "AMZN", "PRICE": 35.61},
               {"TICKER": "MSFT", "PRICE": 73.48}, {"TICKER": "AMZN", "PRICE": 18.64}]
    cols = (("TICKER", "$.TICKER", "VARCHAR(4)"), ("PRICE", "$.PRICE", "REAL"))
    _, dests = start_app(kda, kinesis, code, records, columns=cols, align=2)
    got = read_rows(kinesis, dests["DESTINATION_SQL_STREAM"], 3)
    # REAL values print as Java's Float.toString: the shortest decimal that reads back as the float.
    assert sorted(got, key=by("TICKER")) == [{"TICKER": "AMZN", "MIN_PRICE": 18.64, "MAX_PRICE": 35.61},
                                             {"TICKER": "MSFT", "MIN_PRICE": 73.48, "MAX_PRICE": 73.48},
                                             {"TICKER": "TBV", "MIN_PRICE": 43.65, "MAX_PRICE": 43.65}]


def test_example_tumbling_window_using_an_event_timestamp(kda, kinesis):
    code = """
        CREATE OR REPLACE STREAM "DESTINATION_SQL_STREAM" (EVENT_TIME timestamp, TICKER VARCHAR(4), min_price REAL, max_price REAL);
        CREATE OR REPLACE PUMP "STREAM_PUMP" AS INSERT INTO "DESTINATION_SQL_STREAM"
            SELECT STREAM STEP("SOURCE_SQL_STREAM_001".EVENT_TIME BY INTERVAL '60' SECOND),
                TICKER,
                 MIN(PRICE) AS MIN_PRICE,
                 MAX(PRICE) AS MAX_PRICE
            FROM    "SOURCE_SQL_STREAM_001"
            GROUP BY TICKER,
                     STEP("SOURCE_SQL_STREAM_001".ROWTIME BY INTERVAL '2' SECOND), -- guide: '60' SECOND
                     STEP("SOURCE_SQL_STREAM_001".EVENT_TIME BY INTERVAL '60' SECOND);
    """
    records = [{"EVENT_TIME": "2018-06-13T14:11:05.766191", "TICKER": "TBV", "PRICE": 43.65},
               {"EVENT_TIME": "2018-06-13T14:11:05.848967", "TICKER": "AMZN", "PRICE": 35.61},
               {"EVENT_TIME": "2018-06-13T14:11:05.931871", "TICKER": "MSFT", "PRICE": 73.48},
               {"EVENT_TIME": "2018-06-13T14:11:06.014845", "TICKER": "AMZN", "PRICE": 18.64},
               {"EVENT_TIME": "2018-06-13T14:12:00.500000", "TICKER": "AMZN", "PRICE": 50.5}]
    cols = (("EVENT_TIME", "$.EVENT_TIME", "TIMESTAMP"), ("TICKER", "$.TICKER", "VARCHAR(4)"),
            ("PRICE", "$.PRICE", "REAL"))
    _, dests = start_app(kda, kinesis, code, records, columns=cols, align=2)
    got = read_rows(kinesis, dests["DESTINATION_SQL_STREAM"], 4)
    assert sorted(got, key=by("EVENT_TIME", "TICKER")) == [
        {"EVENT_TIME": "2018-06-13 14:11:00.0", "TICKER": "AMZN", "MIN_PRICE": 18.64, "MAX_PRICE": 35.61},
        {"EVENT_TIME": "2018-06-13 14:11:00.0", "TICKER": "MSFT", "MIN_PRICE": 73.48, "MAX_PRICE": 73.48},
        {"EVENT_TIME": "2018-06-13 14:11:00.0", "TICKER": "TBV", "MIN_PRICE": 43.65, "MAX_PRICE": 43.65},
        {"EVENT_TIME": "2018-06-13 14:12:00.0", "TICKER": "AMZN", "MIN_PRICE": 50.5, "MAX_PRICE": 50.5}]


def test_example_most_frequently_occurring_values_top_k(kda, kinesis):
    code = """
        CREATE OR REPLACE STREAM DESTINATION_SQL_STREAM ("TICKER" VARCHAR(4), "MOST_FREQUENT_VALUES" BIGINT);
        CREATE OR REPLACE PUMP "STREAM_PUMP" AS INSERT INTO "DESTINATION_SQL_STREAM"
            SELECT STREAM *
                FROM TABLE (TOP_K_ITEMS_TUMBLING(
                    CURSOR(SELECT STREAM * FROM "SOURCE_SQL_STREAM_001"),
                    'TICKER',         -- name of column in single quotes
                    5,                -- number of the most frequently occurring values
                    2                 -- tumbling window size in seconds; guide: 60
                    )
                );
    """
    counts = {"AAPL": 6, "AMZN": 5, "MSFT": 4, "INTC": 3, "TBV": 2, "XOM": 1}
    records = []
    for i in range(6):  # interleaved
        records += [{"TICKER": t, "PRICE": 1.0} for t, n in counts.items() if n > i]
    cols = (("TICKER", "$.TICKER", "VARCHAR(4)"), ("PRICE", "$.PRICE", "REAL"))
    _, dests = start_app(kda, kinesis, code, records, columns=cols, align=2)
    want = [{"TICKER": t, "MOST_FREQUENT_VALUES": n}
            for t, n in sorted(counts.items(), key=lambda kv: -kv[1])[:5]]
    assert read_rows(kinesis, dests["DESTINATION_SQL_STREAM"], 5) == want


def test_sqlref_count_distinct_items_tumbling(kda, kinesis):
    code = """
        CREATE OR REPLACE STREAM DESTINATION_SQL_STREAM (NUMBER_OF_DISTINCT_ITEMS BIGINT);
        CREATE OR REPLACE PUMP "STREAM_PUMP" AS INSERT INTO "DESTINATION_SQL_STREAM"
            SELECT STREAM *
            FROM TABLE(COUNT_DISTINCT_ITEMS_TUMBLING(
                CURSOR(SELECT STREAM * FROM "SOURCE_SQL_STREAM_001"),
                'TICKER_SYMBOL', -- name of column in single quotes
                2                -- tumbling window size in seconds; reference: 60
                )
            );
    """
    symbols = ["AMZN", "MSFT", "AMZN", "INTC", "TBV", "MSFT", "AAPL"]
    _, dests = start_app(kda, kinesis, code, [tick(t) for t in symbols], align=2)
    assert read_rows(kinesis, dests["DESTINATION_SQL_STREAM"], 1) == [{"NUMBER_OF_DISTINCT_ITEMS": len(set(symbols))}]


def test_example_aggregating_partial_results(kda, kinesis):
    code = """
        CREATE OR REPLACE STREAM "CALC_COUNT_SQL_STREAM" (TICKER VARCHAR(4), TRADETIME TIMESTAMP, TICKERCOUNT DOUBLE);
        CREATE OR REPLACE STREAM "DESTINATION_SQL_STREAM" (TICKER VARCHAR(4), TRADETIME TIMESTAMP, TICKERCOUNT DOUBLE);
        CREATE PUMP "CALC_COUNT_SQL_PUMP_001" AS
            INSERT INTO "CALC_COUNT_SQL_STREAM" ("TICKER","TRADETIME", "TICKERCOUNT")
            SELECT STREAM
                "TICKER_SYMBOL",
                STEP("SOURCE_SQL_STREAM_001"."ROWTIME" BY INTERVAL '2' SECOND) as "TradeTime", -- guide: '1' MINUTE
                COUNT(*) AS "TickerCount"
            FROM "SOURCE_SQL_STREAM_001"
            GROUP BY
                STEP("SOURCE_SQL_STREAM_001".ROWTIME BY INTERVAL '2' SECOND), -- guide: '1' MINUTE
                STEP("SOURCE_SQL_STREAM_001"."APPROXIMATE_ARRIVAL_TIME" BY INTERVAL '1' MINUTE),
                TICKER_SYMBOL;
        CREATE PUMP "AGGREGATED_SQL_PUMP" AS
            INSERT INTO "DESTINATION_SQL_STREAM" ("TICKER","TRADETIME", "TICKERCOUNT")
            SELECT STREAM
                "TICKER",
                "TRADETIME",
                SUM("TICKERCOUNT") OVER W1 AS "TICKERCOUNT"
            FROM "CALC_COUNT_SQL_STREAM"
            WINDOW W1 AS (PARTITION BY "TRADETIME" RANGE INTERVAL '10' MINUTE PRECEDING);
    """
    symbols = ["A", "B", "A", "A", "B"]
    src, dests = start_app(kda, kinesis, code, [tick(s) for s in symbols], align=2,
                           outputs=(("CALC_COUNT_SQL_STREAM", "JSON"), ("DESTINATION_SQL_STREAM", "JSON")))
    minutes = {a.replace(second=0, microsecond=0) for a in arrival_times(kinesis, src)}
    assert len(minutes) == 1, "the puts straddled a minute: the partial counts differ from the ones below"
    partial = read_rows(kinesis, dests["CALC_COUNT_SQL_STREAM"], 2)
    final = read_rows(kinesis, dests["DESTINATION_SQL_STREAM"], 2)
    t = ts(window_start)  # STEP(ROWTIME BY 2 s): the step the start was aligned to
    assert sorted(partial, key=by("TICKER")) == [{"TICKER": "A", "TRADETIME": t, "TICKERCOUNT": 3},
                                                 {"TICKER": "B", "TRADETIME": t, "TICKERCOUNT": 2}]
    # the running sum over one TRADETIME, in the order the partial results came
    running, want = 0, []
    for p in partial:
        running += p["TICKERCOUNT"]
        want.append({"TICKER": p["TICKER"], "TRADETIME": t, "TICKERCOUNT": running})
    assert final == want


# --- Examples: joins ------------------------------------------------------------------------------

def test_example_adding_reference_data(kda, kinesis):
    code = """
        CREATE OR REPLACE STREAM "DESTINATION_SQL_STREAM" (
            ticker_symbol VARCHAR(4), "Company" varchar(20), sector VARCHAR(12), change DOUBLE, price DOUBLE);
        CREATE OR REPLACE PUMP "STREAM_PUMP" AS INSERT INTO "DESTINATION_SQL_STREAM"
            SELECT STREAM ticker_symbol, "c"."Company", sector, change, price
            FROM "SOURCE_SQL_STREAM_001" LEFT JOIN "CompanyName" as "c"
            ON "SOURCE_SQL_STREAM_001".ticker_symbol = "c"."Ticker";
    """
    companies = {"AMZN": "Amazon", "XYZ": "SomeCompany", "ABC": "CompanyA", "INFY": "Infosys"}
    ref_schema = {"RecordFormat": {"RecordFormatType": "CSV", "MappingParameters": {
        "CSVMappingParameters": {"RecordRowDelimiter": "\n", "RecordColumnDelimiter": ","}}},
        "RecordEncoding": "UTF-8",
        "RecordColumns": [{"Name": "Ticker", "SqlType": "VARCHAR(4)"}, {"Name": "Company", "SqlType": "VARCHAR(20)"}]}
    body = "".join(f"{t},{c}\n" for t, c in companies.items()).encode()
    rows = [tick("AMZN", "TECHNOLOGY", 1.5, 100.25), tick("QXZ", "RETAIL", -2.0, 8.5), tick("INFY", "TECHNOLOGY", 0.25, 17.0)]
    _, dests = start_app(kda, kinesis, code, rows, reference=("CompanyName", body, ref_schema))
    want = [{"TICKER_SYMBOL": r["TICKER_SYMBOL"], "Company": companies.get(r["TICKER_SYMBOL"]),
             "SECTOR": r["SECTOR"], "CHANGE": r["CHANGE"], "PRICE": r["PRICE"]} for r in rows]
    assert read_rows(kinesis, dests["DESTINATION_SQL_STREAM"], 3) == want


# --- Examples: alerts and errors ------------------------------------------------------------------

ALERT_ROWS = [tick("A", change=2.0, price=102.0), tick("B", change=0.5, price=100.5),
              tick("A", change=3.0, price=103.0), tick("C", change=-3.0, price=97.0),
              tick("A", change=-4.0, price=96.0), tick("C", change=0.25, price=100.25)]


def alerting(rows):
    return [r for r in rows if abs(r["CHANGE"] / (r["PRICE"] - r["CHANGE"])) * 100 > 1]


def test_example_simple_alerts(kda, kinesis):
    code = """
        CREATE OR REPLACE STREAM "DESTINATION_SQL_STREAM"
                   (ticker_symbol VARCHAR(4), sector VARCHAR(12), change DOUBLE, price DOUBLE);
        CREATE OR REPLACE PUMP "STREAM_PUMP" AS INSERT INTO "DESTINATION_SQL_STREAM"
              SELECT STREAM ticker_symbol, sector, change, price
              FROM   "SOURCE_SQL_STREAM_001"
              WHERE  (ABS(Change / (Price - Change)) * 100) > 1;
    """
    _, dests = start_app(kda, kinesis, code, ALERT_ROWS)
    want = alerting(ALERT_ROWS)
    assert [r["TICKER_SYMBOL"] for r in want] == ["A", "A", "C", "A"]
    assert read_rows(kinesis, dests["DESTINATION_SQL_STREAM"], len(want)) == want


def test_example_throttled_alerts(kda, kinesis):
    code = """
        CREATE OR REPLACE STREAM "CHANGE_STREAM"
                   (ticker_symbol VARCHAR(4), sector VARCHAR(12), change DOUBLE, price DOUBLE);
        CREATE OR REPLACE PUMP "change_pump" AS INSERT INTO "CHANGE_STREAM"
              SELECT STREAM ticker_symbol, sector, change, price
              FROM   "SOURCE_SQL_STREAM_001"
              WHERE  (ABS(Change / (Price - Change)) * 100) > 1;
        -- ** Trigger Count and Limit **
        CREATE OR REPLACE STREAM TRIGGER_COUNT_STREAM (ticker_symbol VARCHAR(4), change REAL, trigger_count INTEGER);
        CREATE OR REPLACE PUMP trigger_count_pump AS INSERT INTO TRIGGER_COUNT_STREAM
        SELECT STREAM ticker_symbol, change, trigger_count
        FROM (
            SELECT STREAM ticker_symbol, change, COUNT(*) OVER W1 as trigger_count
            FROM "CHANGE_STREAM"
            --window to perform aggregations over last minute to keep track of triggers
            WINDOW W1 AS (PARTITION BY ticker_symbol RANGE INTERVAL '1' MINUTE PRECEDING)
        )
        WHERE trigger_count >= 1;
    """
    _, dests = start_app(kda, kinesis, code, ALERT_ROWS,
                         outputs=(("CHANGE_STREAM", "JSON"), ("TRIGGER_COUNT_STREAM", "JSON")))
    changes = alerting(ALERT_ROWS)
    assert read_rows(kinesis, dests["CHANGE_STREAM"], len(changes)) == changes
    want, seen = [], {}
    for r in changes:  # all within the minute
        seen[r["TICKER_SYMBOL"]] = seen.get(r["TICKER_SYMBOL"], 0) + 1
        want.append({"TICKER_SYMBOL": r["TICKER_SYMBOL"], "CHANGE": r["CHANGE"], "TRIGGER_COUNT": seen[r["TICKER_SYMBOL"]]})
    assert read_rows(kinesis, dests["TRIGGER_COUNT_STREAM"], len(want)) == want


def test_example_error_stream_parse_error(kda, kinesis):
    """TICKER_SYMBOL declared INTEGER: every demo record goes to error_stream, none to the application."""
    cols = (("TICKER_SYMBOL", "$.TICKER_SYMBOL", "INTEGER"),) + TICKER_COLUMNS[1:]
    rows = [tick("AMZN", "TECHNOLOGY", 1.5, 100.25), tick("XOM", "ENERGY", -0.5, 80.0)]
    # The getting-started code with the output's ticker_symbol INTEGER too (runnel, like standard SQL,
    # does not put an INTEGER into a VARCHAR column without a CAST).
    code = GETTING_STARTED.replace("ticker_symbol VARCHAR(4)", "ticker_symbol INTEGER")
    _, dests = start_app(kda, kinesis, code, rows, columns=cols,
                         outputs=(("DESTINATION_SQL_STREAM", "JSON"), ("error_stream", "JSON")))
    errors = read_rows(kinesis, dests["error_stream"], len(rows))
    assert [bytes.fromhex(e["DATA_ROW"]).decode() for e in errors] == [json.dumps(r) for r in rows]
    assert {e["ERROR_LEVEL"] for e in errors} == {"ERROR"}
    assert read_rows(kinesis, dests["DESTINATION_SQL_STREAM"], 0) == []


def test_example_error_stream_divide_by_zero(kda, kinesis):
    code = """
        CREATE OR REPLACE STREAM "DESTINATION_SQL_STREAM" (ticker_symbol VARCHAR(4), sector VARCHAR(12), change DOUBLE, price DOUBLE);
        CREATE OR REPLACE PUMP "STREAM_PUMP" AS INSERT INTO "DESTINATION_SQL_STREAM"
          SELECT STREAM ticker_symbol, sector, change, (price / 0) as ProblemColumn
          FROM "SOURCE_SQL_STREAM_001"
          WHERE sector SIMILAR TO '%TECH%';
    """
    rows = [tick("AMZN", "TECHNOLOGY", 1.5, 100.25), tick("XOM", "ENERGY", -0.5, 80.0),
            tick("NFLX", "BIOTECH", 0.0, 12.125)]
    _, dests = start_app(kda, kinesis, code, rows,
                         outputs=(("DESTINATION_SQL_STREAM", "JSON"), ("error_stream", "JSON")))
    errors = read_rows(kinesis, dests["error_stream"], 2)
    assert len(errors) == 2 and {e["ERROR_LEVEL"] for e in errors} == {"ERROR"}, errors
    assert all("STREAM_PUMP" in e["PUMP_NAME"] for e in errors), errors
    assert read_rows(kinesis, dests["DESTINATION_SQL_STREAM"], 0) == []


# --- SQL reference: function pages' examples ------------------------------------------------------

def run_select(kda, kinesis, select_list: str, out_columns: str, records: list, columns, *, window: str = "",
               where: str = "") -> list:
    """One pump, SELECT STREAM <select_list> FROM the source: the output rows (JSON)."""
    code = f"""
        CREATE OR REPLACE STREAM "DESTINATION_SQL_STREAM" ({out_columns});
        CREATE OR REPLACE PUMP "STREAM_PUMP" AS INSERT INTO "DESTINATION_SQL_STREAM"
          SELECT STREAM {select_list} FROM "SOURCE_SQL_STREAM_001" {where} {window};
    """
    _, dests = start_app(kda, kinesis, code, records, columns=columns)
    return read_rows(kinesis, dests["DESTINATION_SQL_STREAM"], len(records))


def test_sqlref_lag(kda, kinesis):
    rows = [tick("A", price=10.0), tick("A", price=20.0), tick("B", price=5.0), tick("A", price=30.0),
            tick("B", price=6.0)]
    got = run_select(kda, kinesis,
                     "ticker_symbol, price, LAG(price, 1, 0) OVER W1 AS previous_price, LAG(price, 2) OVER W1",
                     "ticker_symbol VARCHAR(4), price DOUBLE, previous_price DOUBLE, two_back DOUBLE", rows,
                     TICKER_COLUMNS, window="WINDOW W1 AS (PARTITION BY ticker_symbol ROWS 3 PRECEDING)")
    want, seen = [], {}
    for r in rows:
        w = seen.setdefault(r["TICKER_SYMBOL"], [])
        want.append({"TICKER_SYMBOL": r["TICKER_SYMBOL"], "PRICE": r["PRICE"],
                     "PREVIOUS_PRICE": w[-1] if w else 0, "TWO_BACK": w[-2] if len(w) >= 2 else None})
        w.append(r["PRICE"])
    assert got == want


def test_sqlref_first_value_and_last_value(kda, kinesis):
    rows = [tick("A", price=p) for p in (10.0, 20.0, 30.0, 40.0)] + [tick("B", price=1.0)]
    got = run_select(kda, kinesis,
                     "ticker_symbol, FIRST_VALUE(price) OVER W1, LAST_VALUE(price) OVER W1",
                     "ticker_symbol VARCHAR(4), first_price DOUBLE, last_price DOUBLE", rows, TICKER_COLUMNS,
                     window="WINDOW W1 AS (PARTITION BY ticker_symbol ROWS 2 PRECEDING)")
    want, seen = [], {}
    for r in rows:
        w = seen.setdefault(r["TICKER_SYMBOL"], [])
        w.append(r["PRICE"])
        want.append({"TICKER_SYMBOL": r["TICKER_SYMBOL"], "FIRST_PRICE": w[-3:][0], "LAST_PRICE": w[-1]})
    assert got == want


def test_sqlref_nth_value(kda, kinesis):
    rows = [tick("A", price=p) for p in (10.0, 20.0, 30.0)]
    got = run_select(kda, kinesis, "ticker_symbol, NTH_VALUE(price, 2) FROM FIRST OVER W1",
                     "ticker_symbol VARCHAR(4), second_price DOUBLE", rows, TICKER_COLUMNS,
                     window="WINDOW W1 AS (PARTITION BY ticker_symbol ROWS 2 PRECEDING)")
    assert got == [{"TICKER_SYMBOL": "A", "SECOND_PRICE": v} for v in (None, 20.0, 20.0)]


def test_sqlref_exp_avg(kda, kinesis):
    # EXP_AVG(x, half-life): weights halve every half-life of ROWTIME; rows read at once weigh alike
    rows = [tick("A", price=p) for p in (10.0, 20.0, 30.0)]
    got = run_select(kda, kinesis, "ticker_symbol, EXP_AVG(price, INTERVAL '10' SECOND) OVER W1",
                     "ticker_symbol VARCHAR(4), avg_price DOUBLE", rows, TICKER_COLUMNS,
                     window="WINDOW W1 AS (PARTITION BY ticker_symbol RANGE INTERVAL '1' MINUTE PRECEDING)")
    assert [r["TICKER_SYMBOL"] for r in got] == ["A", "A", "A"]
    assert got[0]["AVG_PRICE"] == 10.0


EVENT_COLUMNS = (("EVENT_TIME", "$.EVENT_TIME", "TIMESTAMP"), ("N", "$.N", "INTEGER"), ("X", "$.X", "DOUBLE"),
                 ("S", "$.S", "VARCHAR(64)"))


def test_sqlref_step(kda, kinesis):
    rows = [{"EVENT_TIME": "2018-06-13 14:17:33.250", "N": 17}, {"EVENT_TIME": "2018-06-13 14:20:00.000", "N": -3}]
    got = run_select(kda, kinesis,
                     "STEP(EVENT_TIME BY INTERVAL '10' MINUTE), STEP(EVENT_TIME BY INTERVAL '15' SECOND), STEP(N BY 5)",
                     "ten_minutes TIMESTAMP, fifteen_seconds TIMESTAMP, n5 INTEGER", rows, EVENT_COLUMNS)
    assert got == [
        {"TEN_MINUTES": "2018-06-13 14:10:00.0", "FIFTEEN_SECONDS": "2018-06-13 14:17:30.0", "N5": 15},
        {"TEN_MINUTES": "2018-06-13 14:20:00.0", "FIFTEEN_SECONDS": "2018-06-13 14:20:00.0", "N5": -5}]


def test_sqlref_floor_and_ceil(kda, kinesis):
    rows = [{"EVENT_TIME": "2018-06-13 14:17:33.250", "X": 2.5}, {"EVENT_TIME": "2018-12-31 23:59:59.999", "X": -2.5}]
    got = run_select(kda, kinesis,
                     "FLOOR(EVENT_TIME TO MINUTE), FLOOR(EVENT_TIME TO HOUR), FLOOR(EVENT_TIME TO DAY), "
                     "CEIL(EVENT_TIME TO HOUR), FLOOR(X), CEIL(X)",
                     "m TIMESTAMP, h TIMESTAMP, d TIMESTAMP, ch TIMESTAMP, fx DOUBLE, cx DOUBLE", rows, EVENT_COLUMNS)
    assert got == [
        {"M": "2018-06-13 14:17:00.0", "H": "2018-06-13 14:00:00.0", "D": "2018-06-13 00:00:00.0",
         "CH": "2018-06-13 15:00:00.0", "FX": 2.0, "CX": 3.0},
        {"M": "2018-12-31 23:59:00.0", "H": "2018-12-31 23:00:00.0", "D": "2018-12-31 00:00:00.0",
         "CH": "2019-01-01 00:00:00.0", "FX": -3.0, "CX": -2.0}]


def test_sqlref_char_to_timestamp_and_tsdiff(kda, kinesis):
    rows = [{"S": "2009-09-16 03:15:24", "EVENT_TIME": "2009-09-16 03:15:20.500"},
            {"S": "2009-09-16 03:15:24", "EVENT_TIME": None}]
    got = run_select(kda, kinesis,
                     "CHAR_TO_TIMESTAMP('yyyy-MM-dd hh:mm:ss', S), "
                     "TSDIFF(CHAR_TO_TIMESTAMP('yyyy-MM-dd hh:mm:ss', S), EVENT_TIME)",
                     "t TIMESTAMP, diff BIGINT", rows, EVENT_COLUMNS)
    assert got == [{"T": "2009-09-16 03:15:24.0", "DIFF": 3500}, {"T": "2009-09-16 03:15:24.0", "DIFF": None}]


def test_sqlref_substring(kda, kinesis):
    rows = [{"S": "123456789"}]
    got = run_select(kda, kinesis,
                     "SUBSTRING(S FROM 3 FOR 4), SUBSTRING(S FROM 17 FOR 4), SUBSTRING(S FROM -1 FOR 4), "
                     "SUBSTRING(S FROM 6 FOR 0), SUBSTRING(S FROM 8 FOR 4), SUBSTRING(S, 3), "
                     "SUBSTRING('TECHNOLOGY' FROM 'L[A-Z]*'), SUBSTRING('TECHNOLOGY' FROM 'FOO'), "
                     "SUBSTRING(S SIMILAR '%#\"456#\"%' ESCAPE '#')",
                     "a VARCHAR(9), b VARCHAR(9), c VARCHAR(9), d VARCHAR(9), e VARCHAR(9), f VARCHAR(9), "
                     "g VARCHAR(10), h VARCHAR(10), i VARCHAR(9)", rows, EVENT_COLUMNS)
    s = rows[0]["S"]
    assert got == [{"A": s[2:6], "B": "", "C": "12", "D": "", "E": "89", "F": s[2:], "G": "LOGY", "H": None,
                    "I": "456"}]


def test_sqlref_trim(kda, kinesis):
    rows = [{"S": "  Trim front and back  "}, {"S": "AATrim bothAA"}]
    got = run_select(kda, kinesis,
                     "TRIM(S), TRIM(LEADING ' ' FROM S), TRIM(TRAILING ' ' FROM S), TRIM(BOTH 'A' FROM S), "
                     "TRIM(LEADING 'A' FROM S), TRIM(TRAILING 'A' FROM S)",
                     "t VARCHAR(32), l VARCHAR(32), r VARCHAR(32), ba VARCHAR(32), la VARCHAR(32), ra VARCHAR(32)",
                     rows, EVENT_COLUMNS)
    assert got == [{"T": r["S"].strip(" "), "L": r["S"].lstrip(" "), "R": r["S"].rstrip(" "), "BA": r["S"].strip("A"),
                    "LA": r["S"].lstrip("A"), "RA": r["S"].rstrip("A")} for r in rows]


def test_sqlref_regex_replace(kda, kinesis):
    rows = [{"S": "abcabc"}, {"S": "John Smith"}]
    got = run_select(kda, kinesis,
                     "REGEX_REPLACE(S, 'b', 'X', 1, 0), REGEX_REPLACE(S, 'b', 'X', 1, 1), "
                     "REGEX_REPLACE(S, 'b', 'X', 1, 2), REGEX_REPLACE(S, 'b', 'X', 3, 0), "
                     "REGEX_REPLACE(S, '(\\w+) (\\w+)', '$2, $1', 1, 0)",
                     "a VARCHAR(32), b VARCHAR(32), c VARCHAR(32), d VARCHAR(32), e VARCHAR(32)", rows, EVENT_COLUMNS)
    assert got == [{"A": "aXcaXc", "B": "aXcabc", "C": "abcaXc", "D": "abcaXc", "E": "abcabc"},
                   {"A": "John Smith", "B": "John Smith", "C": "John Smith", "D": "John Smith", "E": "Smith, John"}]


def test_sqlref_string_functions(kda, kinesis):
    rows = [{"S": "Each FIRST lEtTeR is cAPITALIZED"}, {"S": "12345"}]
    got = run_select(kda, kinesis,
                     "INITCAP(S), LOWER(S), UPPER(S), CHAR_LENGTH(S), CHARACTER_LENGTH(S), POSITION('5' IN S), "
                     "OVERLAY(S PLACING 'foo' FROM 2), OVERLAY(S PLACING 'foo' FROM 2 FOR 0), S || '!'",
                     "i VARCHAR(40), lo VARCHAR(40), up VARCHAR(40), n INTEGER, n2 INTEGER, p INTEGER, "
                     "o VARCHAR(40), o0 VARCHAR(40), c VARCHAR(40)", rows, EVENT_COLUMNS)
    want = []
    for r in rows:
        s = r["S"]
        want.append({"I": " ".join(w[:1].upper() + w[1:].lower() for w in s.split(" ")), "LO": s.lower(),
                     "UP": s.upper(), "N": len(s), "N2": len(s), "P": s.find("5") + 1,
                     "O": s[:1] + "foo" + s[4:], "O0": s[:1] + "foo" + s[1:], "C": s + "!"})
    assert got == want


def test_sqlref_numeric_and_null_functions(kda, kinesis):
    rows = [{"N": 17, "X": -2.5}, {"N": -17, "X": 16.0}, {"N": None, "X": None}]
    got = run_select(kda, kinesis,
                     "MOD(N, 5), ABS(X), POWER(X, 2), CAST(N AS DOUBLE) / 4, N / 4, "
                     "COALESCE(CAST(N AS VARCHAR(8)), 'none'), NULLIF(N, 17)",
                     "m INTEGER, a DOUBLE, p DOUBLE, d DOUBLE, i INTEGER, c VARCHAR(8), nu INTEGER", rows,
                     EVENT_COLUMNS)
    want = []
    for r in rows:
        n, x = r["N"], r["X"]
        if n is None:
            want.append({"M": None, "A": None, "P": None, "D": None, "I": None, "C": "none", "NU": None})
            continue
        trunc = abs(n) // 4 * (1 if n >= 0 else -1)  # integer division truncates toward zero, as Java
        want.append({"M": abs(n) % 5 * (1 if n >= 0 else -1), "A": abs(x), "P": x * x, "D": n / 4, "I": trunc,
                     "C": str(n), "NU": None if n == 17 else n})
    assert got == want


def test_sqlref_having_on_a_tumbling_window(kda, kinesis):
    code = """
        CREATE OR REPLACE STREAM "DESTINATION_SQL_STREAM" (ticker_symbol VARCHAR(4), trades INTEGER, avg_price DOUBLE);
        CREATE OR REPLACE PUMP "STREAM_PUMP" AS INSERT INTO "DESTINATION_SQL_STREAM"
          SELECT STREAM ticker_symbol, COUNT(*), AVG(CAST(price AS DOUBLE))
          FROM "SOURCE_SQL_STREAM_001"
          GROUP BY ticker_symbol, FLOOR("SOURCE_SQL_STREAM_001".ROWTIME TO SECOND)
          HAVING COUNT(*) > 1;
    """
    prices = [("A", 1.0), ("B", 2.0), ("A", 4.0), ("C", 8.0), ("C", 16.0), ("A", 7.0)]
    _, dests = start_app(kda, kinesis, code, [tick(t, price=p) for t, p in prices], align=1)
    groups: dict = {}
    for t, p in prices:
        groups.setdefault(t, []).append(p)
    want = [{"TICKER_SYMBOL": t, "TRADES": len(v), "AVG_PRICE": sum(v) / len(v)}
            for t, v in sorted(groups.items()) if len(v) > 1]
    assert sorted(read_rows(kinesis, dests["DESTINATION_SQL_STREAM"], len(want)), key=by("TICKER_SYMBOL")) == want


def test_sqlref_union_all_of_two_streams(kda, kinesis):
    code = """
        CREATE OR REPLACE STREAM "TECH" (ticker_symbol VARCHAR(4), price REAL);
        CREATE OR REPLACE STREAM "ENERGY" (ticker_symbol VARCHAR(4), price REAL);
        CREATE OR REPLACE PUMP "T" AS INSERT INTO "TECH"
          SELECT STREAM ticker_symbol, price FROM "SOURCE_SQL_STREAM_001" WHERE sector = 'TECHNOLOGY';
        CREATE OR REPLACE PUMP "E" AS INSERT INTO "ENERGY"
          SELECT STREAM ticker_symbol, price FROM "SOURCE_SQL_STREAM_001" WHERE sector = 'ENERGY';
        CREATE OR REPLACE STREAM "DESTINATION_SQL_STREAM" (ticker_symbol VARCHAR(4), price REAL);
        CREATE OR REPLACE PUMP "STREAM_PUMP" AS INSERT INTO "DESTINATION_SQL_STREAM"
          SELECT STREAM ticker_symbol, price FROM "TECH"
          UNION ALL
          SELECT STREAM ticker_symbol, price FROM "ENERGY";
    """
    rows = [tick("AMZN", "TECHNOLOGY", price=1.5), tick("XOM", "ENERGY", price=2.5), tick("WMT", "RETAIL", price=3.5),
            tick("MSFT", "TECHNOLOGY", price=4.5)]
    _, dests = start_app(kda, kinesis, code, rows)
    got = read_rows(kinesis, dests["DESTINATION_SQL_STREAM"], 3)
    assert sorted(got, key=by("TICKER_SYMBOL")) == [{"TICKER_SYMBOL": "AMZN", "PRICE": 1.5},
                                                    {"TICKER_SYMBOL": "MSFT", "PRICE": 4.5},
                                                    {"TICKER_SYMBOL": "XOM", "PRICE": 2.5}]


def test_sqlref_statistical_aggregates_on_a_sliding_window(kda, kinesis):
    prices = [2.0, 4.0, 4.0, 4.0, 5.0, 5.0, 7.0, 9.0]
    got = run_select(kda, kinesis,
                     "ticker_symbol, STDDEV_POP(CAST(price AS DOUBLE)) OVER W1, VAR_POP(CAST(price AS DOUBLE)) OVER W1, "
                     "VAR_SAMP(CAST(price AS DOUBLE)) OVER W1",
                     "ticker_symbol VARCHAR(4), sd DOUBLE, vp DOUBLE, vs DOUBLE", [tick("A", price=p) for p in prices],
                     TICKER_COLUMNS, window="WINDOW W1 AS (PARTITION BY ticker_symbol ROWS 10 PRECEDING)")
    last = got[-1]
    n, mean = len(prices), sum(prices) / len(prices)
    ss = sum((p - mean) ** 2 for p in prices)
    assert (last["SD"], last["VP"], last["VS"]) == (2.0, ss / n, ss / (n - 1))  # the reference's 2, 4, 32/7
    assert got[0]["VP"] == 0.0 and got[0]["VS"] is None


def test_sqlref_create_function(kda, kinesis):
    code = """
        CREATE FUNCTION "get_fraction"(degrees DOUBLE) RETURNS DOUBLE CONTAINS SQL RETURN degrees - FLOOR(degrees);
        CREATE OR REPLACE STREAM "DESTINATION_SQL_STREAM" (ticker_symbol VARCHAR(4), fraction DOUBLE);
        CREATE OR REPLACE PUMP "STREAM_PUMP" AS INSERT INTO "DESTINATION_SQL_STREAM"
          SELECT STREAM ticker_symbol, "get_fraction"(CAST(price AS DOUBLE)) FROM "SOURCE_SQL_STREAM_001";
    """
    _, dests = start_app(kda, kinesis, code, [tick("A", price=12.25)])
    assert read_rows(kinesis, dests["DESTINATION_SQL_STREAM"], 1) == [{"TICKER_SYMBOL": "A", "FRACTION": 0.25}]


def test_sqlref_scalar_subquery(kda, kinesis):
    code = """
        CREATE OR REPLACE STREAM "DESTINATION_SQL_STREAM" (ticker_symbol VARCHAR(4), company VARCHAR(20));
        CREATE OR REPLACE PUMP "STREAM_PUMP" AS INSERT INTO "DESTINATION_SQL_STREAM"
          SELECT STREAM ticker_symbol,
                 (SELECT "Company" FROM "CompanyName" AS c WHERE c."Ticker" = "SOURCE_SQL_STREAM_001".ticker_symbol)
          FROM "SOURCE_SQL_STREAM_001";
    """
    ref_schema = {"RecordFormat": {"RecordFormatType": "CSV", "MappingParameters": {
        "CSVMappingParameters": {"RecordRowDelimiter": "\n", "RecordColumnDelimiter": ","}}},
        "RecordEncoding": "UTF-8",
        "RecordColumns": [{"Name": "Ticker", "SqlType": "VARCHAR(4)"}, {"Name": "Company", "SqlType": "VARCHAR(20)"}]}
    _, dests = start_app(kda, kinesis, code, [tick("AMZN"), tick("QXZ")],
                         reference=("CompanyName", b"AMZN,Amazon\n", ref_schema))
    assert read_rows(kinesis, dests["DESTINATION_SQL_STREAM"], 2) == [
        {"TICKER_SYMBOL": "AMZN", "COMPANY": "Amazon"}, {"TICKER_SYMBOL": "QXZ", "COMPANY": None}]


def test_sqlref_log_parsers_in_a_select_list(kda, kinesis):
    rows = [{"S": "a,b,c"}]
    got = run_select(kda, kinesis,
                     "VARIABLE_COLUMN_LOG_PARSE(S, 3, ',').COLUMN2, "
                     "FIXED_COLUMN_LOG_PARSE(S, 'X TYPE VARCHAR(3) START 2 FOR 3').X",
                     "second VARCHAR(8), fixed VARCHAR(8)", rows, EVENT_COLUMNS)
    assert got == [{"SECOND": "b", "FIXED": "b,c"}]


def test_sqlref_select_stream_distinct(kda, kinesis):
    code = """
        CREATE OR REPLACE STREAM "DESTINATION_SQL_STREAM" (ticker_symbol VARCHAR(4), tick TIMESTAMP);
        CREATE OR REPLACE PUMP "STREAM_PUMP" AS INSERT INTO "DESTINATION_SQL_STREAM"
          SELECT STREAM DISTINCT ticker_symbol, FLOOR(ROWTIME TO SECOND) FROM "SOURCE_SQL_STREAM_001";
    """
    # (The reference's minute, as a second so the test need not wait for a minute to end.) The three
    # rows are read together, normally in one second: A and B once each. Should they straddle a
    # second, each second still has each ticker once.
    _, dests = start_app(kda, kinesis, code, [tick("A"), tick("B"), tick("A")])
    got = read_rows(kinesis, dests["DESTINATION_SQL_STREAM"], 2)
    pairs = [(r["TICKER_SYMBOL"], r["TICK"]) for r in got]
    assert len(pairs) == len(set(pairs)) and {p[0] for p in pairs} == {"A", "B"} and len(pairs) <= 3, got


def test_sqlref_subquery_in_where(kda, kinesis):
    code = """
        CREATE OR REPLACE STREAM "DESTINATION_SQL_STREAM" (ticker_symbol VARCHAR(4));
        CREATE OR REPLACE PUMP "STREAM_PUMP" AS INSERT INTO "DESTINATION_SQL_STREAM"
          SELECT STREAM ticker_symbol FROM "SOURCE_SQL_STREAM_001"
          WHERE ticker_symbol IN (SELECT "Ticker" FROM "CompanyName");
    """
    ref_schema = {"RecordFormat": {"RecordFormatType": "CSV", "MappingParameters": {
        "CSVMappingParameters": {"RecordRowDelimiter": "\n", "RecordColumnDelimiter": ","}}},
        "RecordEncoding": "UTF-8",
        "RecordColumns": [{"Name": "Ticker", "SqlType": "VARCHAR(4)"}, {"Name": "Company", "SqlType": "VARCHAR(20)"}]}
    _, dests = start_app(kda, kinesis, code, [tick("AMZN"), tick("QXZ")],
                         reference=("CompanyName", b"AMZN,Amazon\n", ref_schema))
    assert read_rows(kinesis, dests["DESTINATION_SQL_STREAM"], 1) == [{"TICKER_SYMBOL": "AMZN"}]


def test_sqlref_monotonic_group_by(kda, kinesis):
    code = """
        CREATE OR REPLACE STREAM "DESTINATION_SQL_STREAM" (n INTEGER, c INTEGER);
        CREATE OR REPLACE PUMP "STREAM_PUMP" AS INSERT INTO "DESTINATION_SQL_STREAM"
          SELECT STREAM MONOTONIC(N), COUNT(*) FROM "SOURCE_SQL_STREAM_001" GROUP BY MONOTONIC(N);
    """
    _, dests = start_app(kda, kinesis, code, [{"N": 1}, {"N": 1}, {"N": 2}, {"N": 3}], columns=EVENT_COLUMNS)
    # a group closes when N moves past it: 1 and 2 are done once 3 arrives
    assert read_rows(kinesis, dests["DESTINATION_SQL_STREAM"], 2) == [{"N": 1, "C": 2}, {"N": 2, "C": 1}]


def test_sqlref_order_by_on_a_sliding_window_query(kda, kinesis):
    code = """
        CREATE OR REPLACE STREAM "DESTINATION_SQL_STREAM" (ticker_symbol VARCHAR(4), price DOUBLE);
        CREATE OR REPLACE PUMP "STREAM_PUMP" AS INSERT INTO "DESTINATION_SQL_STREAM"
          SELECT STREAM ticker_symbol, price FROM "SOURCE_SQL_STREAM_001"
          ORDER BY FLOOR("SOURCE_SQL_STREAM_001".ROWTIME TO SECOND), price;
    """
    _, dests = start_app(kda, kinesis, code, [tick("A", price=3.0), tick("B", price=1.0), tick("C", price=2.0)],
                         align=1)
    assert read_rows(kinesis, dests["DESTINATION_SQL_STREAM"], 3) == [
        {"TICKER_SYMBOL": "B", "PRICE": 1.0}, {"TICKER_SYMBOL": "C", "PRICE": 2.0}, {"TICKER_SYMBOL": "A", "PRICE": 3.0}]
