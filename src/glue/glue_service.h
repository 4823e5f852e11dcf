#pragma once
// GlueService: the part of the AWS Glue Data Catalog API runnel serves
// (AWSGlue.*, AWS JSON 1.1, SigV4 service name "glue"): databases, tables
// and table versions, 15 operations (docs/glue.md). The catalog itself is a
// Catalog (glue/catalog.h), which other services read in process. Every
// other operation of the model answers InvalidInputException naming it as
// one runnel does not serve.
//
// Threads: handlers run on net/ threads, concurrently, and reply before
// returning; the Catalog serialises changes with its own lock.

#include <string_view>

#include "glue/catalog.h"
#include "glue_shapes.h"
#include "protocol/service.h"
#include "protocol/typed_handler.h"

namespace runnel::glue {

class GlueService final : public protocol::Service {
 public:
  // `catalog` must outlive the service.
  explicit GlueService(Catalog& catalog);

  std::string_view name() const override { return "glue"; }
  protocol::OperationTable operations() override;

 private:
  Catalog& catalog_;
};

}  // namespace runnel::glue
