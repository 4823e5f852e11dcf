#pragma once
// What the Firehose mode reads back from the S3 store: ListObjectsV2 answers
// (REST-XML), S3 error documents, GZIP objects, and objects cut into the
// fixed-size stamped records the producer put (Firehose writes a DirectPut
// stream's records one after another, as put, when no processor runs).
//
// Thread-safety: pure functions.

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "bench/consumer.h"

namespace runnel::bench {

struct ListedObject {
  std::string key;
  uint64_t size = 0;
};

// One page of a ListObjectsV2 answer.
struct ObjectListing {
  std::vector<ListedObject> objects;
  bool truncated = false;
  std::string next_token;  // NextContinuationToken, as sent (not URL-encoded)
};

// The request target of ListObjectsV2 on `bucket` after `continuation_token`
// (empty: the first page): /<bucket>?list-type=2[&continuation-token=...],
// URI-encoded.
std::string list_objects_v2_target(std::string_view bucket, std::string_view continuation_token);
// The request target of object `key` in `bucket`, URI-encoded ('/' kept).
std::string object_target(std::string_view bucket, std::string_view key);

// Reads a ListBucketResult document; nullopt (with `why`) when it is not
// one: not XML, another root, a Contents without Key, or a truncated page
// without NextContinuationToken.
std::optional<ObjectListing> parse_list_objects_v2(std::string_view xml, std::string* why = nullptr);

// The Code of an S3 <Error> document, "" when `xml` is not one.
std::string s3_error_code(std::string_view xml);

// The bytes of a gzip file (one member or several, concatenated, as RFC 1952
// allows); nullopt when it is not gzip or is damaged or cut short.
std::optional<std::string> gunzip(std::string_view gz);

// Cuts `object` into records of `record_size` bytes and adds each to `batch`
// as received at `seen_us` (its latency: seen_us minus its stamp). Returns
// the bytes left over at the end (0 unless the object is not a whole number
// of records).
size_t split_records(std::string_view object, size_t record_size, int64_t seen_us, ReceivedBatch& batch);

}  // namespace runnel::bench
