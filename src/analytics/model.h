#pragma once
// The Kinesis Data Analytics v1 service model, generated at build time from
// botocore's data/kinesisanalytics/2015-08-14 (tools/gen_model.py, CMake's
// runnel_service_model()). Static data: safe to read from any thread.

#include "protocol/model.h"

namespace runnel::analytics {

const protocol::ServiceModel& kinesisanalytics_model();

}  // namespace runnel::analytics
