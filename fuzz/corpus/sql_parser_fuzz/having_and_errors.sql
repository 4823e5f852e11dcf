-- Tumbling counts kept only above a threshold.
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
