#pragma once
// The CloudWatch service model, generated at build time from botocore's
// data/cloudwatch/2010-08-01 (tools/gen_model.py, CMake's
// runnel_service_model()). Static data: safe to read from any thread.

#include "protocol/model.h"

namespace runnel::cloudwatch {

const protocol::ServiceModel& cloudwatch_model();

}  // namespace runnel::cloudwatch
