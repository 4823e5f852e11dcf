#pragma once
// Applications: the Kinesis Data Analytics v1 applications runnel keeps, one
// set per server, in memory and in the MetadataStore (analytics/persistence.h),
// and the operations on them, on typed shapes (AnalyticsService turns
// requests into these calls). DiscoverInputSchema is not here: it reads
// streams and objects (analytics/discovery.h).
//
// Statuses: READY after CreateApplication; StartApplication moves READY →
// STARTING → RUNNING, StopApplication RUNNING → STOPPING → READY, a
// configuration change of a RUNNING application RUNNING → UPDATING →
// RUNNING, DeleteApplication → DELETING → gone. Each transient status lasts
// the option's milliseconds and ends lazily: the first call that looks at
// the application after its time settles it (and persists that). No
// thread of its own. The Runtime (analytics/runtime.h) runs what running()
// returns.
//
// Durability: a change is answered only after the application's document
// is written to the MetadataStore (durable when put() returns); the whole
// document is written at once, so a crash leaves the old or the new one.
//
// Threads: every method may be called from any thread, concurrently; one
// mutex guards the applications and is held across the MetadataStore
// writes of a change (the store's own lock is taken inside; the store never
// calls back). The existence callbacks of the options are called under it
// and must not call back into Applications.

#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "analytics/persistence.h"
#include "common/mutex.h"
#include "common/status.h"
#include "common/thread_annotations.h"
#include "kinesisanalytics_shapes.h"
#include "protocol/api_error.h"
#include "protocol/typed_handler.h"
#include "storage/metadata_store.h"

namespace runnel::analytics {

struct ApplicationsOptions {
  std::string account_id = "000000000000";
  std::string region = "us-east-1";  // for ARNs when a request carries no region
  // How long each transient status lasts.
  int64_t start_ms = 500;
  int64_t stop_ms = 500;
  int64_t update_ms = 500;
  int64_t delete_ms = 500;
  // KDA's 50 applications per account and region (LimitExceededException
  // beyond); off with the server's --control-plane-limits off.
  bool control_plane_limits = true;
  size_t application_limit = 50;
  // Whether a Kinesis stream / Firehose delivery stream of that name exists
  // (inputs and outputs must name existing ones). Null: not checked.
  std::function<bool(const std::string& name)> kinesis_stream_exists;
  std::function<bool(const std::string& name)> delivery_stream_exists;
  // Whether runnel can invoke Lambda functions (--lambda-endpoint): without,
  // StartApplication refuses applications with a Lambda preprocessor or
  // output.
  bool lambda_endpoint = true;
};

// The syntax check of ApplicationCode (CodeValidationException with the
// line and column); defined in code_check.cc with the fuller checks.
std::optional<protocol::ApiError> validate_application_code(std::string_view code);

class Applications {
 public:
  using NoOutput = protocol::NoOutput;
  template <class T>
  using ApiResult = protocol::ApiResult<T>;

  // `metadata` must outlive this object.
  Applications(ApplicationsOptions options, storage::MetadataStore& metadata);
  Applications(const Applications&) = delete;
  Applications& operator=(const Applications&) = delete;

  // Loads the applications from the metadata store. Transient statuses
  // settle now (STARTING → RUNNING, STOPPING → READY, UPDATING → what it
  // was, DELETING → gone): a RUNNING application comes back RUNNING. Call
  // once, before use.
  Status load() EXCLUDES(mu_);

  // The operations (KDA's semantics and errors, docs/analytics.md).
  // `region` is the request's (for new ARNs; empty: the options').
  ApiResult<api::CreateApplicationResponse> create(const api::CreateApplicationRequest& in, const std::string& region)
      EXCLUDES(mu_);
  ApiResult<api::DescribeApplicationResponse> describe(const api::DescribeApplicationRequest& in) EXCLUDES(mu_);
  ApiResult<api::ListApplicationsResponse> list(const api::ListApplicationsRequest& in) EXCLUDES(mu_);
  ApiResult<NoOutput> remove(const api::DeleteApplicationRequest& in) EXCLUDES(mu_);
  ApiResult<NoOutput> update(const api::UpdateApplicationRequest& in) EXCLUDES(mu_);
  ApiResult<NoOutput> start(const api::StartApplicationRequest& in) EXCLUDES(mu_);
  ApiResult<NoOutput> stop(const api::StopApplicationRequest& in) EXCLUDES(mu_);
  ApiResult<NoOutput> add_input(const api::AddApplicationInputRequest& in) EXCLUDES(mu_);
  ApiResult<NoOutput> add_input_processing(const api::AddApplicationInputProcessingConfigurationRequest& in)
      EXCLUDES(mu_);
  ApiResult<NoOutput> delete_input_processing(const api::DeleteApplicationInputProcessingConfigurationRequest& in)
      EXCLUDES(mu_);
  ApiResult<NoOutput> add_output(const api::AddApplicationOutputRequest& in) EXCLUDES(mu_);
  ApiResult<NoOutput> delete_output(const api::DeleteApplicationOutputRequest& in) EXCLUDES(mu_);
  ApiResult<NoOutput> add_reference(const api::AddApplicationReferenceDataSourceRequest& in) EXCLUDES(mu_);
  ApiResult<NoOutput> delete_reference(const api::DeleteApplicationReferenceDataSourceRequest& in) EXCLUDES(mu_);
  ApiResult<NoOutput> add_logging(const api::AddApplicationCloudWatchLoggingOptionRequest& in) EXCLUDES(mu_);
  ApiResult<NoOutput> delete_logging(const api::DeleteApplicationCloudWatchLoggingOptionRequest& in) EXCLUDES(mu_);
  ApiResult<NoOutput> tag(const api::TagResourceRequest& in) EXCLUDES(mu_);
  ApiResult<NoOutput> untag(const api::UntagResourceRequest& in) EXCLUDES(mu_);
  ApiResult<api::ListTagsForResourceResponse> list_tags(const api::ListTagsForResourceRequest& in) EXCLUDES(mu_);

  const ApplicationsOptions& options() const { return options_; }

  // The applications that are RUNNING (or UPDATING, which runs the new
  // version), settled first: what the runtime runs.
  std::vector<StoredApplication> running() EXCLUDES(mu_);

  // Wall clock in epoch ms; tests may replace it before use.
  std::function<int64_t()> now_ms;

 private:
  // The application, settled (its transient status ended if due); nullptr
  // when there is none (or it has just finished DELETING).
  StoredApplication* find_locked(const std::string& name) REQUIRES(mu_);
  // Ends `app`'s transient status if due, persisting it; false when the
  // application is gone (DELETING ended).
  bool settle_locked(StoredApplication& app, int64_t now) REQUIRES(mu_);
  Status persist_locked(const StoredApplication& app) REQUIRES(mu_);
  // A configuration change: checks that the application exists, that its
  // status allows changes (READY or RUNNING) and that `version` is current,
  // runs `change` on a copy, bumps ApplicationVersionId, persists the copy
  // and keeps it. A RUNNING application goes UPDATING.
  ApiResult<NoOutput> change(const std::string& name, int64_t version,
                             const std::function<std::optional<protocol::ApiError>(StoredApplication&)>& change)
      EXCLUDES(mu_);
  // The application an ARN names (InvalidArgumentException for a malformed
  // ARN, ResourceNotFoundException for an unknown application).
  ApiResult<StoredApplication*> find_by_arn_locked(const std::string& arn) REQUIRES(mu_);
  // InvalidArgumentException when the stream an input or output names does
  // not exist (options' callbacks).
  std::optional<protocol::ApiError> check_streams_exist(const std::string& kinesis_arn,
                                                        const std::string& firehose_arn) const;
  // A store failure as the client sees it.
  static protocol::ApiError store_error(const Status& st);

  ApplicationsOptions options_;
  storage::MetadataStore& metadata_;

  Mutex mu_;
  std::map<std::string, StoredApplication> apps_ GUARDED_BY(mu_);  // by name (case-sensitive, sorted)
};

}  // namespace runnel::analytics
