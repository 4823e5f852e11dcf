#pragma once
// AnalyticsService: Kinesis Data Analytics for SQL, the v1 API
// (KinesisAnalytics_20150814.*, AWS JSON 1.1, SigV4 service name
// "kinesisanalytics"), all 20 operations (docs/analytics.md). The
// applications live in Applications (analytics/applications.h);
// DiscoverInputSchema samples streams and objects through Discovery
// (analytics/discovery.h).
//
// Threads: handlers run on net/ threads, concurrently. Every operation but
// DiscoverInputSchema replies before returning; DiscoverInputSchema may
// reply from the object store's thread.

#include <string_view>

#include "analytics/applications.h"
#include "analytics/discovery.h"
#include "protocol/service.h"

namespace runnel::analytics {

class AnalyticsService final : public protocol::Service {
 public:
  // `applications` and `discovery` must outlive the service.
  AnalyticsService(Applications& applications, Discovery& discovery);

  std::string_view name() const override { return "kinesisanalytics"; }
  protocol::OperationTable operations() override;

 private:
  Applications& applications_;
  Discovery& discovery_;
};

}  // namespace runnel::analytics
