#include "analytics/analytics_service.h"

#include <memory>
#include <string>
#include <utility>

#include "analytics/model.h"
#include "protocol/dispatcher.h"
#include "protocol/typed_handler.h"

namespace runnel::analytics {

AnalyticsService::AnalyticsService(Applications& applications, Discovery& discovery)
    : applications_(applications), discovery_(discovery) {}

protocol::OperationTable AnalyticsService::operations() {
  // The handlers hold the Applications itself, not `this` (see
  // glue_service.cc: a `this` captured in a lambda nested in a template
  // lambda pointed at the outer closure in GCC 12's code).
  Applications* apps = &applications_;
  auto serve = [apps]<class In, class Out>(protocol::ApiResult<Out> (Applications::*fn)(const In&)) {
    return protocol::typed<In, Out>(
        [apps, fn](const In& in, const protocol::RequestContext&) { return (apps->*fn)(in); });
  };
  auto create = protocol::typed<api::CreateApplicationRequest, api::CreateApplicationResponse>(
      [apps](const api::CreateApplicationRequest& in, const protocol::RequestContext& ctx) {
        return apps->create(in, ctx.region);
      });
  Discovery* discovery = &discovery_;
  auto discover = [discovery](const protocol::OperationModel&, protocol::Value input, const protocol::RequestContext&,
                              protocol::OperationReply reply) {
    auto in = std::make_shared<api::DiscoverInputSchemaRequest>();
    if (auto decoded = api::decode(std::move(input), *in); !decoded) {
      reply(std::unexpected(std::move(decoded.error())));
      return;
    }
    discovery->discover(*in, [reply = std::move(reply), in](protocol::ApiResult<api::DiscoverInputSchemaResponse> r) {
      if (!r) {
        reply(std::unexpected(std::move(r.error())));
        return;
      }
      reply(api::encode(*r));
    });
  };
  protocol::OperationTable table(kinesisanalytics_model());
  table.on("CreateApplication", std::move(create))
      .on("DescribeApplication", serve(&Applications::describe))
      .on("ListApplications", serve(&Applications::list))
      .on("DeleteApplication", serve(&Applications::remove))
      .on("UpdateApplication", serve(&Applications::update))
      .on("StartApplication", serve(&Applications::start))
      .on("StopApplication", serve(&Applications::stop))
      .on("AddApplicationInput", serve(&Applications::add_input))
      .on("AddApplicationInputProcessingConfiguration", serve(&Applications::add_input_processing))
      .on("DeleteApplicationInputProcessingConfiguration", serve(&Applications::delete_input_processing))
      .on("AddApplicationOutput", serve(&Applications::add_output))
      .on("DeleteApplicationOutput", serve(&Applications::delete_output))
      .on("AddApplicationReferenceDataSource", serve(&Applications::add_reference))
      .on("DeleteApplicationReferenceDataSource", serve(&Applications::delete_reference))
      .on("AddApplicationCloudWatchLoggingOption", serve(&Applications::add_logging))
      .on("DeleteApplicationCloudWatchLoggingOption", serve(&Applications::delete_logging))
      .on("TagResource", serve(&Applications::tag))
      .on("UntagResource", serve(&Applications::untag))
      .on("ListTagsForResource", serve(&Applications::list_tags))
      .on("DiscoverInputSchema", std::move(discover));
  return table;
}

}  // namespace runnel::analytics
