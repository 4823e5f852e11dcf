#pragma once
// Service models that only protocol's tests link (CMakeLists.txt generates
// them into runnel_protocol_tests, not into runnel_protocol): a service
// speaking another protocol than Kinesis does, to test codecs against.

#include "protocol/model.h"

namespace runnel::protocol {

// Generated from botocore's data/cloudwatch/2010-08-01 (tools/gen_model.py):
// AWS Query, JSON 1.0 and RPC v2 CBOR, awsQueryCompatible.
const ServiceModel& cloudwatch_model();

}  // namespace runnel::protocol
