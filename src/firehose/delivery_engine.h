#pragma once
// DeliveryEngine: the data plane of Firehose. The control plane
// (firehose_service) owns the API, the validation and the metadata; it tells
// the engine what exists and when records arrive, and the engine buffers,
// processes, compresses and delivers them to their destination, checkpoints
// what it delivered, and retries or writes error output as AWS does.
//
// Threads: every method may be called from any thread (API handlers run on
// net/ threads, records_durable() on the log's thread that made records
// durable); each returns quickly and does its work on the engine's threads.
#include <functional>
#include <optional>
#include <string>

#include "firehose/stream_spec.h"

namespace runnel::firehose {

class DeliveryEngine {
 public:
  virtual ~DeliveryEngine() = default;

  // Before CREATING becomes ACTIVE: can the destination be reached (the S3
  // bucket exists, the HTTP endpoint answers)? `done` gets nullopt when it
  // can, or the FailureDescription the stream goes CREATING_FAILED with.
  virtual void check_destination(const StreamSpec& spec,
                                 std::function<void(std::optional<api::FailureDescription>)> done) = 0;

  // The stream is ACTIVE (created, loaded at start, destination updated,
  // encryption changed): start delivering it, or go on with the new
  // configuration from the next buffer on. Idempotent.
  virtual void configure(const StreamSpec& spec) = 0;

  // The stream is being deleted: stop delivering it and forget its state.
  // Records not yet delivered are dropped, as AWS drops them.
  virtual void remove(const std::string& name) = 0;

  // New records of the stream are durable in its log shard (called from a
  // PutRecord/PutRecordBatch append's completion).
  virtual void records_durable(const std::string& name) = 0;
};

}  // namespace runnel::firehose
