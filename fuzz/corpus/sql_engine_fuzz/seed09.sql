
    CREATE STREAM "DESTINATION_SQL_STREAM" (sym VARCHAR(4), min_price REAL, max_price REAL, n BIGINT, last2 REAL, prev REAL);
    CREATE PUMP p AS INSERT INTO "DESTINATION_SQL_STREAM"
      SELECT STREAM ticker_symbol, MIN(price) OVER w1, MAX(price) OVER w1, COUNT(*) OVER w1,
                    SUM(price) OVER (PARTITION BY ticker_symbol ROWS 1 PRECEDING),
                    LAG(price, 1) OVER (PARTITION BY ticker_symbol)
      FROM "SOURCE_SQL_STREAM_001"
      WINDOW w1 AS (PARTITION BY ticker_symbol RANGE INTERVAL '1' MINUTE PRECEDING);
  