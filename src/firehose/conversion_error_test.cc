#include "firehose/conversion_error.h"

#include <gtest/gtest.h>

namespace runnel::firehose {
namespace {

TEST(ConversionError, RecordHasAwsFieldsInOrder) {
  ConversionFailure f;
  f.attempts_made = 1;
  f.arrival_timestamp_ms = 1700000000123;
  f.last_error_code = "DataFormatConversion.MalformedData";
  f.last_error_message = "column a: cannot convert \"x\" to int";
  f.attempt_ending_timestamp_ms = 1700000000456;
  f.raw_data = R"({"a":"x"})";
  f.sequence_number = "49590338271490256608559692538361571095921575989136588898";
  f.sub_sequence_number = 2;
  f.table = {"000000000000", "db", "t", "us-east-1", "0", "arn:aws:glue:us-east-1:000000000000:catalog"};
  EXPECT_EQ(conversion_error_record(f),
            R"({"attemptsMade":1,"arrivalTimestamp":1700000000123,)"
            R"("lastErrorCode":"DataFormatConversion.MalformedData",)"
            R"("lastErrorMessage":"column a: cannot convert \"x\" to int","attemptEndingTimestamp":1700000000456,)"
            R"("rawData":"eyJhIjoieCJ9","sequenceNumber":"49590338271490256608559692538361571095921575989136588898",)"
            R"("subSequenceNumber":2,"dataCatalogTable":{"catalogId":"000000000000","databaseName":"db",)"
            R"("tableName":"t","region":"us-east-1","versionId":"0",)"
            R"("catalogArn":"arn:aws:glue:us-east-1:000000000000:catalog"}})"
            "\n");
}

}  // namespace
}  // namespace runnel::firehose
