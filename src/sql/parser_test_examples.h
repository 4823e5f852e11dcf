#pragma once
// Whole programs in the shape of the KDA developer guide's and SQL reference's
// examples, for the parser's tests; the same texts are the fuzz target's seeds
// (fuzz/corpus/sql_parser_fuzz/).

#include <cstddef>
#include <string_view>

namespace runnel::sql::testing {

struct Example {
  std::string_view name;
  std::string_view sql;
  size_t statements;
};

inline constexpr Example kExamples[] = {
    {"datetime", R"sql(CREATE OR REPLACE STREAM "DESTINATION_SQL_STREAM" (
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
FROM "SOURCE_SQL_STREAM_001";
)sql",
     2},
    {"getting_started", R"sql(-- The Getting Started exercise: keep the technology sector's trades.
CREATE OR REPLACE STREAM "DESTINATION_SQL_STREAM" (ticker_symbol VARCHAR(4), change DOUBLE, price DOUBLE);
CREATE OR REPLACE PUMP "STREAM_PUMP" AS INSERT INTO "DESTINATION_SQL_STREAM"
    SELECT STREAM ticker_symbol, change, price
    FROM "SOURCE_SQL_STREAM_001"
    WHERE sector SIMILAR TO '%TECH%';
)sql",
     2},
    {"having_and_errors", R"sql(-- Tumbling counts kept only above a threshold.
CREATE OR REPLACE STREAM "BUSY_STREAM" (ticker_symbol VARCHAR(4), "TradeCount" INTEGER);
CREATE OR REPLACE PUMP "BUSY_PUMP" AS INSERT INTO "BUSY_STREAM"
SELECT STREAM ticker_symbol, COUNT(*) AS "TradeCount"
FROM "SOURCE_SQL_STREAM_001"
GROUP BY ticker_symbol, FLOOR("SOURCE_SQL_STREAM_001".ROWTIME TO MINUTE)
HAVING COUNT(*) > 10;
-- The error stream example: a division by zero sends every row to error_stream.
CREATE OR REPLACE STREAM "DESTINATION_SQL_STREAM" (ticker_symbol VARCHAR(4), average_price DOUBLE);
CREATE OR REPLACE PUMP "STREAM_PUMP" AS INSERT INTO "DESTINATION_SQL_STREAM"
SELECT STREAM ticker_symbol, price / 0 AS ProblemColumn
FROM "SOURCE_SQL_STREAM_001"
WHERE sector SIMILAR TO '%TECH%';
)sql",
     4},
    {"hotspots", R"sql(CREATE OR REPLACE STREAM "DESTINATION_SQL_STREAM" (
    "x" DOUBLE,
    "y" DOUBLE,
    "is_hot" VARCHAR(4),
    HOTSPOTS_RESULT VARCHAR(10000)
);
CREATE OR REPLACE PUMP "STREAM_PUMP" AS
    INSERT INTO "DESTINATION_SQL_STREAM"
    SELECT "x", "y", "is_hot", "HOTSPOTS_RESULT"
    FROM TABLE (
        HOTSPOTS(
            CURSOR(SELECT STREAM "x", "y", "is_hot" FROM "SOURCE_SQL_STREAM_001"),
            1000,
            0.2,
            17)
    );
)sql",
     2},
    {"log_parse", R"sql(CREATE OR REPLACE STREAM "DESTINATION_SQL_STREAM" (
    column1 VARCHAR(16), column2 VARCHAR(16), column3 VARCHAR(16), column4 VARCHAR(16),
    column5 VARCHAR(16), column6 VARCHAR(16), column7 VARCHAR(16));
CREATE OR REPLACE PUMP "myPUMP" AS
    INSERT INTO "DESTINATION_SQL_STREAM"
        SELECT STREAM
            l.r.COLUMN1, l.r.COLUMN2, l.r.COLUMN3, l.r.COLUMN4, l.r.COLUMN5, l.r.COLUMN6, l.r.COLUMN7
        FROM (SELECT STREAM W3C_LOG_PARSE("log", 'COMMON')
              FROM "SOURCE_SQL_STREAM_001") AS l(r);
CREATE OR REPLACE STREAM "REGEX_STREAM" (match1 VARCHAR(64), match2 VARCHAR(64));
CREATE OR REPLACE PUMP "REGEX_PUMP" AS INSERT INTO "REGEX_STREAM"
    SELECT STREAM T.REC.COLUMN1, T.REC.COLUMN2
    FROM (SELECT STREAM "Col_A", "Col_B",
                 REGEX_LOG_PARSE("Col_E_Unstructured", '.*([0-9]{1,3}\.[0-9]{1,3}).*"(.*)".*') AS REC
          FROM "SOURCE_SQL_STREAM_001") AS T;
CREATE OR REPLACE STREAM "TAB_STREAM" (a VARCHAR(8), b VARCHAR(8));
CREATE OR REPLACE PUMP "TAB_PUMP" AS INSERT INTO "TAB_STREAM"
    SELECT STREAM t.r.a, t.r.b
    FROM (SELECT STREAM VARIABLE_COLUMN_LOG_PARSE("line", 'A VARCHAR(8), B VARCHAR(8)', u&'\0009') AS r
          FROM "SOURCE_SQL_STREAM_001") AS t;
)sql",
     6},
    {"partial_results", R"sql(CREATE OR REPLACE STREAM "CALC_COUNT_SQL_STREAM" (
    "TICKER"        VARCHAR(4),
    "TRADETIME"     TIMESTAMP,
    "TICKERCOUNT"   DOUBLE);
CREATE OR REPLACE STREAM "DESTINATION_SQL_STREAM" (
    "TICKER"        VARCHAR(4),
    "TRADETIME"     TIMESTAMP,
    "TICKERCOUNT"   DOUBLE);
CREATE PUMP "CALC_COUNT_SQL_PUMP_001" AS
    INSERT INTO "CALC_COUNT_SQL_STREAM" ("TICKER", "TRADETIME", "TICKERCOUNT")
    SELECT STREAM
        "TICKER_SYMBOL",
        STEP("SOURCE_SQL_STREAM_001"."ROWTIME" BY INTERVAL '1' MINUTE) as "TradeTime",
        COUNT(*) AS "TickerCount"
    FROM "SOURCE_SQL_STREAM_001"
    GROUP BY
        STEP("SOURCE_SQL_STREAM_001".ROWTIME BY INTERVAL '1' MINUTE),
        STEP("SOURCE_SQL_STREAM_001"."APPROXIMATE_ARRIVAL_TIME" BY INTERVAL '1' MINUTE),
        TICKER_SYMBOL;
CREATE PUMP "AGGREGATED_SQL_PUMP" AS
    INSERT INTO "DESTINATION_SQL_STREAM" ("TICKER", "TRADETIME", "TICKERCOUNT")
    SELECT STREAM
        "TICKER",
        "TRADETIME",
        SUM("TICKERCOUNT") OVER W1 AS "TICKERCOUNT"
    FROM "CALC_COUNT_SQL_STREAM"
    WINDOW W1 AS (PARTITION BY "TRADETIME" RANGE INTERVAL '10' MINUTE PRECEDING);
)sql",
     4},
    {"random_cut_forest", R"sql(--Creates a temporary stream.
CREATE OR REPLACE STREAM "TEMP_STREAM" (
	        "heartRate"        INTEGER,
	        "rateType"         varchar(20),
	        "ANOMALY_SCORE"    DOUBLE);
--Creates another stream for application output.
CREATE OR REPLACE STREAM "DESTINATION_SQL_STREAM" (
	        "heartRate"        INTEGER,
	        "rateType"         varchar(20),
	        "ANOMALY_SCORE"    DOUBLE);
-- Compute an anomaly score for each record in the input stream
-- using Random Cut Forest
CREATE OR REPLACE PUMP "STREAM_PUMP" AS
   INSERT INTO "TEMP_STREAM"
      SELECT STREAM "heartRate", "rateType", ANOMALY_SCORE
      FROM TABLE(RANDOM_CUT_FOREST(
              CURSOR(SELECT STREAM * FROM "SOURCE_SQL_STREAM_001")));
-- Sort records by descending anomaly score, insert into output stream
CREATE OR REPLACE PUMP "OUTPUT_PUMP" AS
   INSERT INTO "DESTINATION_SQL_STREAM"
      SELECT STREAM * FROM "TEMP_STREAM"
      ORDER BY FLOOR("TEMP_STREAM".ROWTIME TO SECOND), ANOMALY_SCORE DESC;
)sql",
     4},
    {"rcf_explanation",
     R"sql(CREATE OR REPLACE STREAM "DESTINATION_SQL_STREAM" ("systolic" INTEGER, "diastolic" INTEGER,
    "bloodPressureLevel" varchar(20), ANOMALY_SCORE DOUBLE, ANOMALY_EXPLANATION varchar(512));
CREATE OR REPLACE PUMP "OUTPUT_PUMP" AS INSERT INTO "DESTINATION_SQL_STREAM"
SELECT "systolic", "diastolic", "bloodPressureLevel", ANOMALY_SCORE, ANOMALY_EXPLANATION
FROM TABLE(RANDOM_CUT_FOREST_WITH_EXPLANATION(
    CURSOR(SELECT STREAM * FROM "SOURCE_SQL_STREAM_001"), 300, 512, 1024, 1, true))
WHERE ANOMALY_SCORE > 0;
)sql",
     2},
    {"regex_replace",
     R"sql(CREATE OR REPLACE STREAM "DESTINATION_SQL_STREAM" (ingest_time TIMESTAMP, referrer VARCHAR(32), secure VARCHAR(32),
    label VARCHAR(8));
CREATE OR REPLACE PUMP "STREAM_PUMP" AS INSERT INTO "DESTINATION_SQL_STREAM"
    SELECT STREAM "SOURCE_SQL_STREAM_001".APPROXIMATE_ARRIVAL_TIME,
                  "REFERRER",
                  REGEX_REPLACE("REFERRER", 'http://', 'https://', 1, 0),
                  COALESCE(NULLIF(LOWER("LABEL"), ''), 'none')
    FROM "SOURCE_SQL_STREAM_001"
    WHERE "REFERRER" IS NOT NULL AND CHAR_LENGTH("REFERRER") BETWEEN 8 AND 32
    UNION ALL
    SELECT STREAM ROWTIME, 'none', 'none', 'none' FROM "HEARTBEAT_STREAM";
)sql",
     2},
    {"sliding",
     R"sql(CREATE OR REPLACE STREAM "DESTINATION_SQL_STREAM" (ticker_symbol VARCHAR(4), min_price DOUBLE, avg_price DOUBLE);
CREATE OR REPLACE PUMP "STREAM_PUMP" AS INSERT INTO "DESTINATION_SQL_STREAM"
SELECT STREAM ticker_symbol,
              MIN(Price) OVER W1 AS Min_Price,
              AVG(Price) OVER W1 AS Avg_Price
FROM   "SOURCE_SQL_STREAM_001"
WINDOW W1 AS (
   PARTITION BY ticker_symbol
   RANGE INTERVAL '1' MINUTE PRECEDING);
SELECT STREAM ticker_symbol,
    AVG(price) OVER (PARTITION BY ticker_symbol ROWS 10 PRECEDING) AS avg_last_10,
    AVG(price) OVER last_hour AS avg_hour
FROM "SOURCE_SQL_STREAM_001"
WINDOW last_hour AS (PARTITION BY ticker_symbol RANGE INTERVAL '1' HOUR PRECEDING);
)sql",
     3},
    {"stagger", R"sql(CREATE OR REPLACE STREAM "DESTINATION_SQL_STREAM" (
    event_time TIMESTAMP,
    ticker_symbol    VARCHAR(4),
    ticker_count     INTEGER);
CREATE OR REPLACE PUMP "STREAM_PUMP" AS
  INSERT INTO "DESTINATION_SQL_STREAM"
    SELECT STREAM
        EVENT_TIME,
        TICKER,
        COUNT(TICKER) AS ticker_count
    FROM "SOURCE_SQL_STREAM_001"
    WINDOWED BY STAGGER (
            PARTITION BY TICKER, EVENT_TIME RANGE INTERVAL '1' MINUTE);
)sql",
     2},
    {"stream_join",
     R"sql(CREATE OR REPLACE STREAM "DESTINATION_SQL_STREAM" (time TIMESTAMP, orderId INTEGER, ticker VARCHAR(4),
    tradeAmount DOUBLE, orderAmount DOUBLE);
CREATE OR REPLACE PUMP "STREAM_PUMP" AS INSERT INTO "DESTINATION_SQL_STREAM"
SELECT STREAM ROWTIME as time, o.orderId, o.ticker, o.amount as tradeAmount, t.amount as orderAmount
FROM OrderStream AS o
JOIN TradeStream OVER (RANGE INTERVAL '1' MINUTE PRECEDING) AS t
ON   o.orderId = t.orderId;
-- Enrichment from an in-application reference table.
CREATE OR REPLACE STREAM "ENRICHED" (ticker_symbol VARCHAR(4), "Company" varchar(20), sector VARCHAR(12),
    change DOUBLE, price DOUBLE);
CREATE OR REPLACE PUMP "ENRICH_PUMP" AS INSERT INTO "ENRICHED"
   SELECT STREAM ticker_symbol, "c"."Company", sector, change, price
   FROM "SOURCE_SQL_STREAM_001" LEFT JOIN "CompanyName" as "c"
   ON "SOURCE_SQL_STREAM_001".ticker_symbol = "c"."Ticker";
)sql",
     4},
    {"strings_and_times", R"sql(/* String and datetime functions from the SQL reference's examples. */
CREATE OR REPLACE STREAM "DESTINATION_SQL_STREAM" (
    referrer VARCHAR(32), domain VARCHAR(32), ingest_lag BIGINT, hour_of_day INTEGER, label VARCHAR(16),
    trimmed VARCHAR(32), first_char CHAR(1));
CREATE OR REPLACE PUMP "STREAM_PUMP" AS INSERT INTO "DESTINATION_SQL_STREAM"
    SELECT STREAM
        referrer,
        SUBSTRING(referrer, 12, (POSITION('.com' IN referrer) - POSITION('www.' IN referrer) - 4)),
        TSDIFF(CURRENT_ROW_TIMESTAMP, "SOURCE_SQL_STREAM_001".APPROXIMATE_ARRIVAL_TIME),
        EXTRACT(HOUR FROM ROWTIME),
        CASE WHEN price > 100 THEN 'expensive' WHEN price IS NULL THEN 'unknown' ELSE 'cheap' END,
        TRIM(BOTH ' ' FROM UPPER(referrer) || '-' || LOWER(sector)),
        SUBSTRING(referrer FROM 1 FOR 1)
    FROM "SOURCE_SQL_STREAM_001"
    WHERE referrer LIKE 'http%' AND NOT (price BETWEEN 0 AND 1)
      AND ticker_symbol IN ('AMZN', 'INTC') AND CAST(change AS DECIMAL(8, 2)) <> 0.00;
CREATE OR REPLACE STREAM "EVENT_TIME_STREAM" (event_time TIMESTAMP, ticker VARCHAR(4));
CREATE OR REPLACE PUMP "EVENT_TIME_PUMP" AS INSERT INTO "EVENT_TIME_STREAM"
    SELECT STREAM CHAR_TO_TIMESTAMP('yyyy-MM-dd''T''HH:mm:ss', "event_time_text") AS ROWTIME,
           ticker
    FROM "SOURCE_SQL_STREAM_001";
)sql",
     4},
    {"throttled_alerts", R"sql(CREATE OR REPLACE STREAM "CHANGE_STREAM"
           (ticker_symbol VARCHAR(4),
            sector        VARCHAR(12),
            change        DOUBLE,
            price         DOUBLE);
CREATE OR REPLACE PUMP "change_pump" AS INSERT INTO "CHANGE_STREAM"
   SELECT STREAM ticker_symbol, sector, change, price
   FROM   "SOURCE_SQL_STREAM_001"
   WHERE  (ABS(Change / (Price - Change)) * 100) > 1;
-- ** Trigger Count and Limit **
-- Counts "triggers" or those values that evaluated true against the previous where clause
CREATE OR REPLACE STREAM TRIGGER_COUNT_STREAM(
   ticker_symbol VARCHAR(4),
   change REAL,
   trigger_count INTEGER);
CREATE OR REPLACE PUMP trigger_count_pump AS INSERT INTO TRIGGER_COUNT_STREAM
SELECT STREAM ticker_symbol, change, trigger_count
FROM (
    SELECT STREAM ticker_symbol, change, COUNT(*) OVER W1 as trigger_count
    FROM "CHANGE_STREAM"
    --window to perform aggregations over last minute to keep track of triggers
    WINDOW W1 AS (PARTITION BY ticker_symbol RANGE INTERVAL '1' MINUTE PRECEDING)
)
WHERE trigger_count >= 1;
)sql",
     4},
    {"top_k", R"sql(CREATE OR REPLACE STREAM DESTINATION_SQL_STREAM (
  "TICKER_SYMBOL" VARCHAR(4),
  "MOST_FREQUENT_VALUES" BIGINT
);
CREATE OR REPLACE PUMP "STREAM_PUMP" AS INSERT INTO "DESTINATION_SQL_STREAM"
SELECT STREAM *
    FROM TABLE (TOP_K_ITEMS_TUMBLING(
        CURSOR(SELECT STREAM * FROM "SOURCE_SQL_STREAM_001"),
        'TICKER_SYMBOL',         -- name of column in single quotes
        5,                       -- number of most frequently occurring values
        60                       -- tumbling window size in seconds
        )
);
CREATE OR REPLACE STREAM DISTINCT_STREAM ("NUMBER_OF_DISTINCT_ITEMS" BIGINT);
CREATE OR REPLACE PUMP "DISTINCT_PUMP" AS INSERT INTO DISTINCT_STREAM
SELECT STREAM NUMBER_OF_DISTINCT_ITEMS
    FROM TABLE(COUNT_DISTINCT_ITEMS_TUMBLING(
        CURSOR(SELECT STREAM * FROM "SOURCE_SQL_STREAM_001"), 'TICKER_SYMBOL', 60));
)sql",
     4},
    {"tumbling_floor",
     R"sql(CREATE OR REPLACE STREAM "DESTINATION_SQL_STREAM" (ticker_symbol VARCHAR(4), event_time TIMESTAMP, ticker_count DOUBLE);
CREATE OR REPLACE PUMP "STREAM_PUMP" AS INSERT INTO "DESTINATION_SQL_STREAM"
    SELECT STREAM TICKER_SYMBOL, FLOOR(EVENT_TIME TO MINUTE), COUNT(TICKER_SYMBOL) AS TICKER_COUNT
    FROM "SOURCE_SQL_STREAM_001"
    GROUP BY ticker_symbol, FLOOR(EVENT_TIME TO MINUTE), STEP("SOURCE_SQL_STREAM_001".ROWTIME BY INTERVAL '1' MINUTE);
SELECT STREAM ROWTIME, Ticker_Symbol, COUNT(*) AS Symbol_Count
FROM "SOURCE_SQL_STREAM_001"
GROUP BY Ticker_Symbol,
    FLOOR(("SOURCE_SQL_STREAM_001".ROWTIME - TIMESTAMP '1970-01-01 00:00:00') SECOND / 10 TO SECOND);
)sql",
     3},
    {"tumbling_step", R"sql(CREATE OR REPLACE STREAM "DESTINATION_SQL_STREAM" (
   TICKER_SYMBOL VARCHAR(4),
   TICKER_SYMBOL_COUNT INTEGER);
CREATE OR REPLACE PUMP "STREAM_PUMP" AS
   INSERT INTO "DESTINATION_SQL_STREAM"
   SELECT STREAM TICKER_SYMBOL, COUNT(*) AS TICKER_SYMBOL_COUNT
   FROM "SOURCE_SQL_STREAM_001"
   GROUP BY TICKER_SYMBOL,
       STEP("SOURCE_SQL_STREAM_001".ROWTIME BY INTERVAL '60' SECOND);
SELECT STREAM ROWTIME, Ticker_Symbol, MIN(Price) AS Price, MAX(Price) AS Price
FROM "SOURCE_SQL_STREAM_001"
GROUP BY Ticker_Symbol, STEP("SOURCE_SQL_STREAM_001".ROWTIME BY INTERVAL '60' SECOND);
)sql",
     3},
};

}  // namespace runnel::sql::testing
