#pragma once
// make_sender(): the Sender (sender.h) of a stream whose destination is
// Redshift, OpenSearch, Elasticsearch, OpenSearch Serverless or Splunk,
// from its description; each destination's own file makes it.
//
// Threads: any; the Sender it returns follows sender.h.
#include <memory>

#include "common/status.h"
#include "firehose/sender.h"
#include "firehose/stream_spec.h"
#include "s3/object_store.h"

namespace runnel::firehose {

// InvalidArgument (the stream keeps its records, and says why) for a
// destination runnel does not deliver to, or a description it cannot act
// on. `store` (Redshift's intermediate objects, its manifests, its
// jsonpaths files) must outlive the sender.
Result<std::unique_ptr<Sender>> make_sender(const StreamSpec& spec, s3::ObjectStore& store);

}  // namespace runnel::firehose
