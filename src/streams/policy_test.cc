// policy_document_problem: which resource policies PutResourcePolicy takes
// (ops_policy.cc). The operations themselves: capacity_test.cc.

#include <gtest/gtest.h>

#include "streams/kinesis_service.h"

namespace runnel::streams {
namespace {

const char* kGood = R"({
  "Version": "2012-10-17",
  "Statement": [{
    "Sid": "cross-account",
    "Effect": "Allow",
    "Principal": {"AWS": "arn:aws:iam::111122223333:root"},
    "Action": ["kinesis:GetRecords", "kinesis:DescribeStreamSummary"],
    "Resource": "arn:aws:kinesis:us-east-1:000000000000:stream/s"
  }]
})";

TEST(PolicyDocument, AcceptsIamStylePolicies) {
  EXPECT_EQ(policy_document_problem(kGood), std::nullopt);
  // One statement object instead of an array; the older Version; no Version.
  EXPECT_EQ(
      policy_document_problem(
          R"({"Version":"2008-10-17","Statement":{"Effect":"Deny","NotPrincipal":{"AWS":"*"},"NotAction":"kinesis:*"}})"),
      std::nullopt);
  EXPECT_EQ(policy_document_problem(R"({"Statement":[{"Effect":"Allow","Principal":"*","Action":"kinesis:*"}]})"),
            std::nullopt);
}

TEST(PolicyDocument, RejectsWhatIsNotAPolicy) {
  for (const char* bad :
       {"", "not json", "[]", "\"text\"", "{}", R"({"Version":"2012-10-17"})",
        R"({"Version":"2020-01-01","Statement":[{"Effect":"Allow","Principal":"*","Action":"x"}]})",
        R"({"Statement":[]})", R"({"Statement":"x"})", R"({"Statement":[1]})",
        R"({"Statement":[{"Effect":"Maybe","Principal":"*","Action":"x"}]})",
        R"({"Statement":[{"Effect":"Allow","Principal":"*"}]})", R"({"Statement":[{"Effect":"Allow","Action":"x"}]})",
        R"({"Statement":[{"Effect":"Allow","Principal":"*","Action":"x"}, {"Effect":"Allow"}]})"}) {
    EXPECT_NE(policy_document_problem(bad), std::nullopt) << bad;
  }
  EXPECT_EQ(*policy_document_problem(R"({"Statement":[{"Effect":"Allow","Principal":"*","Action":"x"},{}]})"),
            "Statement 2 needs an Effect of Allow or Deny.");
}

}  // namespace
}  // namespace runnel::streams
