CREATE OR REPLACE STREAM "DESTINATION_SQL_STREAM" (time TIMESTAMP, orderId INTEGER, ticker VARCHAR(4),
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
