#pragma once
// The Redshift destination as a Sender (sender.h), with PostgreSQL standing
// in for Redshift (docs/firehose-redshift.md). Each send() writes the
// batch's intermediate object to S3 (SendRequest bucket/key/body) and loads
// it into the table in one PostgreSQL transaction: the CopyCommand is
// translated by redshift_copy.h into a `COPY table (columns) FROM STDIN`.
// While RetryOptions.DurationInSeconds (default 3600, counted from the
// batch's first attempt) lasts, a failure answers kRetry; after it, the
// object is listed in a COPY manifest under
// `<Prefix>errors/manifests/YYYY/MM/DD/HH/` in the intermediate bucket, as
// AWS does, and the answer is kHandled.
//
// Threads: send() only queues; one worker thread per sender writes the
// object, connects (libpq, blocking; one connection kept open between
// loads) and loads, one batch at a time, and calls `done` on that thread.
// The destructor lets the load under way finish and answers kRetry to the
// batches still queued.
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>

#include "common/status.h"
#include "firehose/sender.h"
#include "firehose_shapes.h"
#include "s3/object_store.h"

namespace runnel::firehose {

struct RedshiftOptions {
  // The wait before attempt `attempt + 1` after attempt `attempt` failed.
  // Empty: 1 s doubling up to 5 min (AWS retries a Redshift COPY every 5
  // minutes; starting short gets a restarted database going again quickly).
  std::function<int64_t(int attempt)> backoff_ms;
  // Milliseconds since the epoch; empty: the system clock. Retrying is over
  // once now_ms() - first_attempt_ms reaches DurationInSeconds.
  std::function<int64_t()> now_ms;
  // libpq's connect_timeout, seconds (a JDBC connectTimeout overrides it).
  int connect_timeout_s = 10;
};

// A sender for the stream whose destination is `d`. `password` is
// RedshiftDestinationConfiguration.Password (StreamSpec keeps it; it is
// never described). `store` must outlive the sender. Fails when
// ClusterJDBCURL cannot be read (the message says why); CopyOptions that
// runnel does not support fail each load instead, with a message naming
// the option, as Redshift's COPY would.
Result<std::unique_ptr<Sender>> make_redshift_sender(const api::RedshiftDestinationDescription& d,
                                                     std::optional<std::string> password, s3::ObjectStore& store,
                                                     RedshiftOptions options = {});

}  // namespace runnel::firehose
