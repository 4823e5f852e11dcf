#include "cloudwatch/dynamic_labels.h"

#include <gtest/gtest.h>

namespace runnel::cloudwatch {
namespace {

TEST(DynamicLabels, PropertiesLabelAndStatistics) {
  std::map<std::string, std::string> props = {{"MetricName", "Latency"}, {"Dim.Host", "h1"}, {"Stat", "p99"}};
  std::vector<Datapoint> points = {{60, 2}, {120, 8}, {180, 5}};
  EXPECT_EQ(
      expand_dynamic_label("${PROP('MetricName')} on ${PROP('Dim.Host')} (${PROP('Stat')})", props, "Latency", points),
      "Latency on h1 (p99)");
  EXPECT_EQ(expand_dynamic_label("${LABEL}: avg ${AVG}, max ${MAX}, min ${MIN}", props, "Latency", points),
            "Latency: avg 5, max 8, min 2");
  EXPECT_EQ(expand_dynamic_label("${FIRST}..${LAST} of ${DATAPOINT_COUNT}, sum ${SUM}", props, "x", points),
            "2..5 of 3, sum 15");
  // Unknown placeholders and missing properties stay as written.
  EXPECT_EQ(expand_dynamic_label("${PROP('Dim.Az')} ${NOPE} ${AVG", props, "x", points),
            "${PROP('Dim.Az')} ${NOPE} ${AVG");
  EXPECT_EQ(expand_dynamic_label("${AVG}", props, "x", {}), "${AVG}");
  EXPECT_EQ(expand_dynamic_label("plain", props, "x", points), "plain");
}

}  // namespace
}  // namespace runnel::cloudwatch
