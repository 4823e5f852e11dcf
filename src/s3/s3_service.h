#pragma once
// S3Service: the S3 API (botocore's s3/2006-03-01, REST-XML, path-style
// addressing) over an EmbeddedStore, served on runnel's own port through the
// dispatcher like every service (docs/s3.md lists the operations). Every
// other operation of the model answers S3's NotImplemented (501).
//
// Threads: handlers run on the connection's thread and hand their work to
// the store's workers (EmbeddedStore::run), which reply; a streamed
// PutObject/UploadPart body is written to its blob as it arrives (a write(2)
// to the page cache on the connection's thread), and sealed and indexed on a
// worker.
#include <memory>

#include "protocol/model.h"
#include "protocol/service.h"
#include "s3/embedded_store.h"

namespace runnel::s3 {

const protocol::ServiceModel& s3_model();

class S3Service final : public protocol::Service {
 public:
  explicit S3Service(EmbeddedStore& store) : store_(store) {}
  std::string_view name() const override { return "s3"; }
  protocol::OperationTable operations() override;
  // Finishes the work handed to the store's workers (their replies), so the
  // dispatcher may go once the server has stopped.
  Status close() override {
    store_.stop_workers();
    return Status::ok();
  }

 private:
  void add_bucket_operations(protocol::OperationTable& table);
  void add_object_operations(protocol::OperationTable& table);
  void add_multipart_operations(protocol::OperationTable& table);

  EmbeddedStore& store_;
};

}  // namespace runnel::s3
