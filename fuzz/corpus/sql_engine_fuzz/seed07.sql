
    CREATE STREAM "DESTINATION_SQL_STREAM" (ticker_symbol VARCHAR(4), "Company" VARCHAR(20), price REAL);
    CREATE PUMP "P" AS INSERT INTO "DESTINATION_SQL_STREAM"
      SELECT STREAM ticker_symbol, c."Company", price
      FROM "SOURCE_SQL_STREAM_001" LEFT JOIN "companyName" AS c ON "SOURCE_SQL_STREAM_001".ticker_symbol = c."Ticker";
  