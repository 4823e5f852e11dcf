/* String and datetime functions from the SQL reference's examples. */
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
