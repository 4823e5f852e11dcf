#pragma once
// A small hand-written AWS Query model for query_codec's tests: the model
// features CloudWatch does not use (flattened and named lists, maps, blobs,
// longs, booleans, recursion, an error shape with a code). Test-only.

#include "protocol/model.h"

namespace runnel::protocol::testing {

// Service "example", api_version "2020-01-01", xml_namespace
// "https://example.com/doc/2020-01-01/". Operations:
//   Do   (input and output: Input, result wrapper "DoResult")
//   Ping (no input, no output)
// Input members, in order: Name (string, required), Flags (flattened list
// of strings, items named "Flag"), Items (list of strings, items named
// "Item"), Tags (map string -> string), Data (blob), On (boolean), Big
// (long), Ratio (double), Small (float), When (timestamp), Node (Node).
// Node: Label (string), Child (Node, recursive). Error shape
// "ThingNotFoundException" with code "ThingNotFound", status 404.
const ServiceModel& example_query_model();

}  // namespace runnel::protocol::testing
