#pragma once
// FirehoseSetup: the synchronous calls around a `--service firehose` run,
// through the public APIs only: the bucket on the endpoint's S3 store
// (REST-XML, SigV4 service `s3`), the DirectPut delivery stream into it
// (Firehose_20150804.*, AWS JSON 1.1), and their removal.
//
// Errors are Status values whose message reads "<Operation>: <ErrorType>:
// <message>", ready to show to the user.
//
// Thread-safety: stateless apart from the options; callable from any thread.

#include <chrono>
#include <string>
#include <string_view>
#include <vector>

#include "bench/options.h"
#include "bench/s3_objects.h"
#include "common/status.h"
#include "protocol/value.h"

namespace runnel::bench {

class FirehoseSetup {
 public:
  explicit FirehoseSetup(const BenchOptions& options) : o_(options) {}

  // One Firehose call; the decoded answer of a 200, else the error.
  Result<protocol::Value> invoke(std::string_view operation, const protocol::Value& request) const;

  // CreateBucket (PUT /<bucket>).
  Status create_bucket(std::string_view bucket) const;
  // CreateDeliveryStream (create_delivery_stream_request).
  Status create_delivery_stream(std::string_view name, std::string_view bucket) const;
  // DescribeDeliveryStream until ACTIVE; CREATING_FAILED is an error that
  // carries the stream's FailureDescription.
  Status wait_active(std::string_view name, std::chrono::seconds timeout) const;
  // DeleteDeliveryStream, then DescribeDeliveryStream until the stream is
  // gone (so that no delivery is still writing into the bucket).
  Status delete_delivery_stream(std::string_view name, std::chrono::seconds timeout) const;
  // Every object of the bucket (ListObjectsV2, all pages).
  Result<std::vector<ListedObject>> list_objects(std::string_view bucket) const;
  // Deletes every object of the bucket, then the bucket.
  Status delete_bucket(std::string_view bucket) const;

 private:
  const BenchOptions& o_;
};

}  // namespace runnel::bench
