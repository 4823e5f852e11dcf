#include "video/video_service.h"

#include <string>
#include <utility>

#include "protocol/dispatcher.h"
#include "protocol/rest_json.h"
#include "protocol/sigv4.h"
#include "protocol/typed_handler.h"
#include "video/errors.h"
#include "video/model.h"

namespace runnel::video {

namespace {

using protocol::ApiResult;
using protocol::NoOutput;
using protocol::RequestContext;

// The operations runnel does not serve, and why, for the answer to them.
std::string not_served_reason(std::string_view op) {
  if (op.find("EdgeConfiguration") != std::string_view::npos || op == "ListEdgeAgentConfigurations")
    return "runnel runs no Kinesis Video Streams Edge Agent";
  if (op == "GetSignalingChannelEndpoint")
    return "runnel stores signaling channels but serves no WebRTC signaling or ICE servers";
  if (op.find("MediaStorageConfiguration") != std::string_view::npos || op == "DescribeMappedResourceConfiguration")
    return "runnel does not ingest WebRTC sessions into streams";
  return "it is not part of runnel's Kinesis Video Streams control plane";
}

ApiResult<NoOutput> no_output(ApiResult<void> r) {
  if (!r) return std::unexpected(std::move(r.error()));
  return NoOutput{};
}

// The data-plane operations, by path: PutMedia (developer guide),
// kinesis-video-media, kinesis-video-archived-media, kinesis-video-signaling
// and kinesis-video-webrtc-storage.
constexpr std::pair<std::string_view, std::string_view> kDataPlane[] = {
    {"/putMedia", "PutMedia"},
    {"/getMedia", "GetMedia"},
    {"/listFragments", "ListFragments"},
    {"/getMediaForFragmentList", "GetMediaForFragmentList"},
    {"/getHLSStreamingSessionURL", "GetHLSStreamingSessionURL"},
    {"/getDASHStreamingSessionURL", "GetDASHStreamingSessionURL"},
    {"/getClip", "GetClip"},
    {"/getImages", "GetImages"},
    {"/v1/get-ice-server-config", "GetIceServerConfig"},
    {"/v1/send-alexa-offer-to-master", "SendAlexaOfferToMaster"},
    {"/joinStorageSession", "JoinStorageSession"},
    {"/joinStorageSessionAsViewer", "JoinStorageSessionAsViewer"},
};

}  // namespace

std::vector<protocol::LocalRoute> VideoService::local_routes() {
  std::vector<protocol::LocalRoute> routes;
  for (const auto& [path, op] : kDataPlane) {
    protocol::LocalRoute r;
    r.method = "POST";
    r.path = std::string(path);
    // Only requests signed for Kinesis Video: an S3 POST to a bucket of
    // that name, or anything else, goes on to its own service.
    r.accepts = [](const net::HttpRequest& req) {
      auto auth = protocol::parse_sigv4(req);
      return auth && auth->credential.service == "kinesisvideo";
    };
    const bool signaling = path.starts_with("/v1/") || path.starts_with("/join");
    r.handle = [op, signaling](const net::HttpRequest&, net::ResponseSink& sink) {
      const std::string why = signaling ? "runnel serves no WebRTC signaling or storage sessions"
                                        : "Kinesis Video Streams' media APIs (PutMedia, GetMedia, the archived-media "
                                          "APIs, HLS and DASH) are not built yet";
      sink.send(protocol::encode_rest_json_error(
          invalid_argument("runnel does not serve the Kinesis Video Streams operation " + std::string(op) + ": " + why +
                           " (docs/video.md).")));
    };
    routes.push_back(std::move(r));
  }
  return routes;
}

VideoService::VideoService(VideoServiceOptions options, Catalog& catalog)
    : options_(std::move(options)), catalog_(catalog) {}

std::string VideoService::data_endpoint(std::string_view host) const {
  if (!options_.data_endpoint.empty()) return options_.data_endpoint;
  if (host.empty()) return options_.fallback_endpoint;
  return "http://" + std::string(host);
}

protocol::OperationTable VideoService::operations() {
  // The handlers hold the catalog and this service by pointer (see
  // glue_service.cc on why not a captured `this` inside nested lambdas).
  Catalog* c = &catalog_;
  const VideoService* self = this;
  protocol::OperationTable table(kinesisvideo_model());
  auto with = [c]<class In, class Out, class Fn>(Fn fn) {
    return protocol::typed<In, Out>(
        [c, fn](const In& in, const RequestContext& ctx) -> ApiResult<Out> { return fn(*c, in, ctx); });
  };
  using namespace api;
  table
      .on("CreateStream", with.operator()<CreateStreamInput, CreateStreamOutput>(
                              [](Catalog& c, const CreateStreamInput& in, const RequestContext& ctx) {
                                return c.create_stream(in, ctx.region);
                              }))
      .on("DescribeStream",
          with.operator()<DescribeStreamInput, DescribeStreamOutput>(
              [](Catalog& c, const DescribeStreamInput& in, const RequestContext&) { return c.describe_stream(in); }))
      .on("ListStreams",
          with.operator()<ListStreamsInput, ListStreamsOutput>(
              [](Catalog& c, const ListStreamsInput& in, const RequestContext&) { return c.list_streams(in); }))
      .on("UpdateStream", with.operator()<UpdateStreamInput, NoOutput>(
                              [](Catalog& c, const UpdateStreamInput& in, const RequestContext&) {
                                return no_output(c.update_stream(in));
                              }))
      .on("UpdateDataRetention", with.operator()<UpdateDataRetentionInput, NoOutput>(
                                     [](Catalog& c, const UpdateDataRetentionInput& in, const RequestContext&) {
                                       return no_output(c.update_data_retention(in));
                                     }))
      .on("DeleteStream", with.operator()<DeleteStreamInput, NoOutput>(
                              [](Catalog& c, const DeleteStreamInput& in, const RequestContext&) {
                                return no_output(c.delete_stream(in));
                              }))
      .on("TagStream",
          with.operator()<TagStreamInput, NoOutput>(
              [](Catalog& c, const TagStreamInput& in, const RequestContext&) { return no_output(c.tag_stream(in)); }))
      .on("UntagStream", with.operator()<UntagStreamInput, NoOutput>(
                             [](Catalog& c, const UntagStreamInput& in, const RequestContext&) {
                               return no_output(c.untag_stream(in));
                             }))
      .on("ListTagsForStream", with.operator()<ListTagsForStreamInput, ListTagsForStreamOutput>(
                                   [](Catalog& c, const ListTagsForStreamInput& in, const RequestContext&) {
                                     return c.list_tags_for_stream(in);
                                   }))
      .on("TagResource", with.operator()<TagResourceInput, NoOutput>(
                             [](Catalog& c, const TagResourceInput& in, const RequestContext&) {
                               return no_output(c.tag_resource(in));
                             }))
      .on("UntagResource", with.operator()<UntagResourceInput, NoOutput>(
                               [](Catalog& c, const UntagResourceInput& in, const RequestContext&) {
                                 return no_output(c.untag_resource(in));
                               }))
      .on("ListTagsForResource", with.operator()<ListTagsForResourceInput, ListTagsForResourceOutput>(
                                     [](Catalog& c, const ListTagsForResourceInput& in, const RequestContext&) {
                                       return c.list_tags_for_resource(in);
                                     }))
      .on("GetDataEndpoint", with.operator()<GetDataEndpointInput, GetDataEndpointOutput>(
                                 [self](Catalog& c, const GetDataEndpointInput& in,
                                        const RequestContext& ctx) -> ApiResult<GetDataEndpointOutput> {
                                   // Every APIName is served on runnel's own port (the media
                                   // APIs themselves are not built yet: docs/video.md).
                                   if (auto s = c.find_stream(in.stream_name, in.stream_arn); !s)
                                     return std::unexpected(s.error());
                                   GetDataEndpointOutput out;
                                   out.data_endpoint = self->data_endpoint(ctx.host);
                                   return out;
                                 }))
      .on("DescribeImageGenerationConfiguration",
          with.operator()<DescribeImageGenerationConfigurationInput, DescribeImageGenerationConfigurationOutput>(
              [](Catalog& c, const DescribeImageGenerationConfigurationInput& in, const RequestContext&) {
                return c.describe_image_generation(in);
              }))
      .on("UpdateImageGenerationConfiguration",
          with.operator()<UpdateImageGenerationConfigurationInput, NoOutput>(
              [](Catalog& c, const UpdateImageGenerationConfigurationInput& in, const RequestContext&) {
                return no_output(c.update_image_generation(in));
              }))
      .on("DescribeNotificationConfiguration",
          with.operator()<DescribeNotificationConfigurationInput, DescribeNotificationConfigurationOutput>(
              [](Catalog& c, const DescribeNotificationConfigurationInput& in, const RequestContext&) {
                return c.describe_notification(in);
              }))
      .on("UpdateNotificationConfiguration",
          with.operator()<UpdateNotificationConfigurationInput, NoOutput>(
              [](Catalog& c, const UpdateNotificationConfigurationInput& in, const RequestContext&) {
                return no_output(c.update_notification(in));
              }))
      .on("DescribeStreamStorageConfiguration",
          with.operator()<DescribeStreamStorageConfigurationInput, DescribeStreamStorageConfigurationOutput>(
              [](Catalog& c, const DescribeStreamStorageConfigurationInput& in, const RequestContext&) {
                return c.describe_storage(in);
              }))
      .on("UpdateStreamStorageConfiguration",
          with.operator()<UpdateStreamStorageConfigurationInput, NoOutput>(
              [](Catalog& c, const UpdateStreamStorageConfigurationInput& in, const RequestContext&) {
                return no_output(c.update_storage(in));
              }))
      .on("CreateSignalingChannel", with.operator()<CreateSignalingChannelInput, CreateSignalingChannelOutput>(
                                        [](Catalog& c, const CreateSignalingChannelInput& in,
                                           const RequestContext& ctx) { return c.create_channel(in, ctx.region); }))
      .on("DescribeSignalingChannel", with.operator()<DescribeSignalingChannelInput, DescribeSignalingChannelOutput>(
                                          [](Catalog& c, const DescribeSignalingChannelInput& in,
                                             const RequestContext&) { return c.describe_channel(in); }))
      .on("ListSignalingChannels", with.operator()<ListSignalingChannelsInput, ListSignalingChannelsOutput>(
                                       [](Catalog& c, const ListSignalingChannelsInput& in, const RequestContext&) {
                                         return c.list_channels(in);
                                       }))
      .on("UpdateSignalingChannel", with.operator()<UpdateSignalingChannelInput, NoOutput>(
                                        [](Catalog& c, const UpdateSignalingChannelInput& in, const RequestContext&) {
                                          return no_output(c.update_channel(in));
                                        }))
      .on("DeleteSignalingChannel", with.operator()<DeleteSignalingChannelInput, NoOutput>(
                                        [](Catalog& c, const DeleteSignalingChannelInput& in, const RequestContext&) {
                                          return no_output(c.delete_channel(in));
                                        }))
      .otherwise([](const protocol::OperationModel& op, protocol::Value, const RequestContext&,
                    protocol::OperationReply reply) {
        reply(std::unexpected(invalid_argument("runnel does not serve the Kinesis Video Streams operation " +
                                               std::string(op.name) + ": " + not_served_reason(op.name) +
                                               " (docs/video.md).")));
      });
  return table;
}

}  // namespace runnel::video
