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

// tests/models/toyxml/2026-12-07: a REST-XML toy, an S3-like subset
// (rest_xml_test.cc, rest_xml_fuzz.cc).
const ServiceModel& toyxml_model();

// botocore's s3/2006-03-01 (rest_xml_test.cc routes every operation).
const ServiceModel& s3_model();

}  // namespace runnel::protocol
