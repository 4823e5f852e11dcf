#pragma once
// Service models that protocol/'s own tests, fuzz targets and benchmarks
// run against, generated into those binaries only (CMakeLists.txt,
// runnel_service_model()): protocol/ itself serves no particular service.

#include "protocol/model.h"

namespace runnel::protocol {

// botocore's kinesis/2013-12-02: the model with the richest constraints.
const ServiceModel& kinesis_model();

}  // namespace runnel::protocol
