#pragma once
// The Glue service model, generated at build time from botocore's
// data/glue/2017-03-31 (tools/gen_model.py, CMake's runnel_service_model()
// with OPERATIONS: every operation's name, but only the served operations'
// shapes). Static data: safe to read from any thread.

#include "protocol/model.h"

namespace runnel::glue {

const protocol::ServiceModel& glue_model();

}  // namespace runnel::glue
