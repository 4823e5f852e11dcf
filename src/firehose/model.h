#pragma once
// The Firehose service model, generated at build time from botocore's
// data/firehose/2015-08-04 (tools/gen_model.py, CMake's
// runnel_service_model()). Static data: safe to read from any thread.

#include "protocol/model.h"

namespace runnel::firehose {

const protocol::ServiceModel& firehose_model();

}  // namespace runnel::firehose
