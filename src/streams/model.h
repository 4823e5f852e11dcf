#pragma once
// The Kinesis Data Streams service model, generated at build time from
// botocore's data/kinesis/2013-12-02 (tools/gen_model.py, through CMake's
// runnel_service_model()). Static data: safe to read from any thread.

#include "protocol/model.h"

namespace runnel::streams {

const protocol::ServiceModel& kinesis_model();

}  // namespace runnel::streams
