#pragma once
// Service models that protocol/'s own tests, fuzz targets and benchmarks
// run against, generated into those binaries only (CMakeLists.txt,
// runnel_service_model()): protocol/ itself serves no particular service.

#include "protocol/model.h"

namespace runnel::protocol {

// botocore's kinesis/2013-12-02: the model with the richest constraints.
const ServiceModel& kinesis_model();

// botocore's cloudwatch/2010-08-01: AWS Query, JSON 1.0 and RPC v2 CBOR,
// awsQueryCompatible.
const ServiceModel& cloudwatch_model();

}  // namespace runnel::protocol
