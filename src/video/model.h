#pragma once
// The Kinesis Video Streams control-plane model, generated at build time from
// botocore's data/kinesisvideo/2017-09-30 (tools/gen_model.py, CMake's
// runnel_service_model()). Static data: safe to read from any thread.

#include "protocol/model.h"

namespace runnel::video {

const protocol::ServiceModel& kinesisvideo_model();

}  // namespace runnel::video
