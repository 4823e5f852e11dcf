#pragma once
// VideoService: the Kinesis Video Streams control plane (REST-JSON, SigV4
// service name "kinesisvideo"): every operation of botocore's kinesisvideo
// model, served from a Catalog (video/catalog.h) or answered with an
// InvalidArgumentException that names what runnel does not serve (edge
// configurations, WebRTC signaling endpoints, media storage and mapped
// resource configurations). docs/video.md lists which is which.
//
// Threads: handlers run on net/ threads, concurrently, and reply before
// returning; the Catalog serialises changes with its own lock.

#include <string>
#include <string_view>
#include <vector>

#include "protocol/service.h"
#include "video/catalog.h"

namespace runnel::video {

struct VideoServiceOptions {
  // What GetDataEndpoint answers; empty: "http://" + the request's Host.
  std::string data_endpoint;
  // When the request has no Host header either (HTTP/1.0): this.
  std::string fallback_endpoint = "http://127.0.0.1:4567";
};

class VideoService final : public protocol::Service {
 public:
  // `catalog` must outlive the service.
  VideoService(VideoServiceOptions options, Catalog& catalog);

  std::string_view name() const override { return "video"; }
  protocol::OperationTable operations() override;
  // The data-plane paths of Kinesis Video Streams (POST /putMedia,
  // /getMedia, the archived-media and signaling APIs), for requests signed
  // as kinesisvideo: answered InvalidArgumentException saying that runnel
  // does not serve them yet, instead of the generic 403 of a request no
  // service claims.
  std::vector<protocol::LocalRoute> local_routes() override;

  // The base URL GetDataEndpoint gives a request that came to `host`
  // (its Host header; empty if it had none).
  std::string data_endpoint(std::string_view host) const;

 private:
  const VideoServiceOptions options_;
  Catalog& catalog_;
};

}  // namespace runnel::video
