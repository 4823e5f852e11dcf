// Applications (applications.h): load, the status machine, and the
// lifecycle operations: CreateApplication, DescribeApplication,
// ListApplications, DeleteApplication, StartApplication, StopApplication.
#include "analytics/applications.h"

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <chrono>
#include <set>

#include "analytics/arns.h"
#include "analytics/code_check.h"
#include "analytics/configuration.h"
#include "analytics/errors.h"

namespace runnel::analytics {
namespace {

int64_t wall_ms() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::system_clock::now().time_since_epoch())
      .count();
}

constexpr int32_t kDefaultListLimit = 50;

bool transient(std::string_view status) {
  return status == "STARTING" || status == "STOPPING" || status == "UPDATING" || status == "DELETING";
}

}  // namespace

Applications::Applications(ApplicationsOptions options, storage::MetadataStore& metadata)
    : now_ms(wall_ms), options_(std::move(options)), metadata_(metadata) {}

protocol::ApiError Applications::store_error(const Status& st) {
  spdlog::error("analytics: metadata store: {}", st.to_string());
  return service_unavailable("The application could not be written; try again.");
}

Status Applications::persist_locked(const StoredApplication& app) {
  return metadata_.put(kApplicationKind, app.detail.application_name, encode_application(app));
}

Status Applications::load() {
  auto docs = metadata_.load_all(kApplicationKind);
  if (!docs) return docs.error();
  MutexLock lock(mu_);
  for (auto& [key, value] : *docs) {
    auto app = decode_application(value);
    if (!app) {
      spdlog::error("analytics: skipping unreadable application document {}: {}", key, app.error().to_string());
      continue;
    }
    StoredApplication& kept = apps_[key] = std::move(*app);
    // A restart ends every transient status at once.
    if (transient(kept.detail.application_status)) kept.settle_at_ms = 0;
    if (!settle_locked(kept, now_ms())) apps_.erase(key);
  }
  return Status::ok();
}

bool Applications::settle_locked(StoredApplication& app, int64_t now) {
  if (!transient(app.detail.application_status) || now < app.settle_at_ms) return true;
  if (app.detail.application_status == "DELETING") {
    if (Status st = metadata_.remove(kApplicationKind, app.detail.application_name); !st) {
      spdlog::error("analytics: forgetting {}: {} (retried at next start)", app.detail.application_name,
                    st.to_string());
    }
    return false;
  }
  app.detail.application_status = app.settles_to.empty() ? "READY" : app.settles_to;
  app.settles_to.clear();
  app.settle_at_ms = 0;
  // A failure leaves the transient status on disk; load() settles it.
  if (Status st = persist_locked(app); !st) {
    spdlog::error("analytics: persisting {}: {}", app.detail.application_name, st.to_string());
  }
  return true;
}

StoredApplication* Applications::find_locked(const std::string& name) {
  auto it = apps_.find(name);
  if (it == apps_.end()) return nullptr;
  if (!settle_locked(it->second, now_ms())) {
    apps_.erase(it);
    return nullptr;
  }
  return &it->second;
}

std::optional<protocol::ApiError> Applications::check_streams_exist(const std::string& kinesis_arn,
                                                                    const std::string& firehose_arn) const {
  if (!kinesis_arn.empty()) {
    auto name = resource_name(kinesis_arn, "kinesis", "stream");
    if (!name) return invalid_argument("ResourceARN " + kinesis_arn + " is not a Kinesis stream ARN.");
    if (options_.kinesis_stream_exists && !options_.kinesis_stream_exists(*name)) {
      return invalid_argument("Kinesis stream " + kinesis_arn + " does not exist or is not accessible.");
    }
  }
  if (!firehose_arn.empty()) {
    auto name = resource_name(firehose_arn, "firehose", "deliverystream");
    if (!name) return invalid_argument("ResourceARN " + firehose_arn + " is not a Firehose delivery stream ARN.");
    if (options_.delivery_stream_exists && !options_.delivery_stream_exists(*name)) {
      return invalid_argument("Firehose delivery stream " + firehose_arn + " does not exist or is not accessible.");
    }
  }
  return std::nullopt;
}

Applications::ApiResult<Applications::NoOutput> Applications::change(
    const std::string& name, int64_t version,
    const std::function<std::optional<protocol::ApiError>(StoredApplication&)>& fn) {
  MutexLock lock(mu_);
  StoredApplication* app = find_locked(name);
  if (!app) return std::unexpected(application_not_found(name));
  const std::string status = app->detail.application_status;
  if (status != "READY" && status != "RUNNING") {
    return std::unexpected(wrong_status(name, status, "its configuration can be changed in READY or RUNNING status."));
  }
  if (version != app->detail.application_version_id) {
    return std::unexpected(version_mismatch(name, version, app->detail.application_version_id));
  }
  StoredApplication next = *app;
  if (auto e = fn(next)) return std::unexpected(std::move(*e));
  // The code must still compile against the changed inputs and tables.
  if (auto e = check_code(next.detail)) return std::unexpected(std::move(*e));
  const int64_t now = now_ms();
  next.detail.application_version_id += 1;
  next.detail.last_update_timestamp = protocol::Timestamp{now};
  if (status == "RUNNING") {
    next.detail.application_status = "UPDATING";
    next.settles_to = "RUNNING";
    next.settle_at_ms = now + options_.update_ms;
  }
  if (Status st = persist_locked(next); !st) return std::unexpected(store_error(st));
  *app = std::move(next);
  return NoOutput{};
}

Applications::ApiResult<api::CreateApplicationResponse> Applications::create(const api::CreateApplicationRequest& in,
                                                                             const std::string& region) {
  const std::string& name = in.application_name;
  if (in.inputs && in.inputs->size() > kMaxInputs) {
    return std::unexpected(invalid_argument("An application has at most one input (streaming source)."));
  }
  if (in.outputs && in.outputs->size() > kMaxOutputs) {
    return std::unexpected(invalid_argument("An application has at most 3 outputs."));
  }
  if (in.tags) {
    if (auto e = check_tag_count(name, in.tags->size())) return std::unexpected(std::move(*e));
    if (auto e = check_new_tags(*in.tags)) return std::unexpected(std::move(*e));
  }
  if (in.application_code) {
    if (auto e = validate_application_code(*in.application_code)) return std::unexpected(std::move(*e));
  }
  StoredApplication app;
  const int64_t now = now_ms();
  api::ApplicationDetail& d = app.detail;
  d.application_name = name;
  d.application_description = in.application_description;
  d.application_arn = application_arn(region.empty() ? options_.region : region, options_.account_id, name);
  d.application_status = "READY";
  d.create_timestamp = protocol::Timestamp{now};
  d.last_update_timestamp = protocol::Timestamp{now};
  d.application_code = in.application_code.value_or("");
  d.application_version_id = 1;
  d.input_descriptions.emplace();
  d.output_descriptions.emplace();
  d.reference_data_source_descriptions.emplace();
  d.cloud_watch_logging_option_descriptions.emplace();
  if (in.inputs) {
    for (const api::Input& input : *in.inputs) {
      if (auto e = check_input(input)) return std::unexpected(std::move(*e));
      d.input_descriptions->push_back(describe_input(input, item_id(app.next_ids.input++)));
    }
  }
  if (in.outputs) {
    for (const api::Output& output : *in.outputs) {
      if (auto e = check_output(output)) return std::unexpected(std::move(*e));
      d.output_descriptions->push_back(describe_output(output, item_id(app.next_ids.output++)));
    }
  }
  if (in.cloud_watch_logging_options) {
    for (const api::CloudWatchLoggingOption& o : *in.cloud_watch_logging_options) {
      d.cloud_watch_logging_option_descriptions->push_back(describe_logging(o, item_id(app.next_ids.logging++)));
    }
  }
  if (in.tags) app.tags = *in.tags;
  if (auto e = check_code(d)) return std::unexpected(std::move(*e));

  MutexLock lock(mu_);
  if (find_locked(name)) return std::unexpected(resource_in_use("Application " + name + " already exists."));
  if (options_.control_plane_limits && apps_.size() >= options_.application_limit) {
    return std::unexpected(limit_exceeded(fmt::format(
        "You have reached the limit of {} applications per account and region.", options_.application_limit)));
  }
  for (const auto& input : *d.input_descriptions) {
    const StreamRef s = stream_of(input);
    if (auto e = check_streams_exist(s.kinesis_arn, s.firehose_arn)) return std::unexpected(std::move(*e));
  }
  for (const auto& output : *d.output_descriptions) {
    const StreamRef s = stream_of(output);
    if (auto e = check_streams_exist(s.kinesis_arn, s.firehose_arn)) return std::unexpected(std::move(*e));
  }
  if (Status st = persist_locked(app); !st) return std::unexpected(store_error(st));
  api::CreateApplicationResponse out;
  out.application_summary.application_name = name;
  out.application_summary.application_arn = d.application_arn;
  out.application_summary.application_status = d.application_status;
  apps_[name] = std::move(app);
  return out;
}

Applications::ApiResult<api::DescribeApplicationResponse> Applications::describe(
    const api::DescribeApplicationRequest& in) {
  MutexLock lock(mu_);
  StoredApplication* app = find_locked(in.application_name);
  if (!app) return std::unexpected(application_not_found(in.application_name));
  api::DescribeApplicationResponse out;
  out.application_detail = app->detail;
  return out;
}

Applications::ApiResult<api::ListApplicationsResponse> Applications::list(const api::ListApplicationsRequest& in) {
  const size_t limit = static_cast<size_t>(in.limit.value_or(kDefaultListLimit));
  api::ListApplicationsResponse out;
  out.has_more_applications = false;
  MutexLock lock(mu_);
  auto it =
      in.exclusive_start_application_name ? apps_.upper_bound(*in.exclusive_start_application_name) : apps_.begin();
  while (it != apps_.end()) {
    if (!settle_locked(it->second, now_ms())) {
      it = apps_.erase(it);
      continue;
    }
    if (out.application_summaries.size() == limit) {
      out.has_more_applications = true;
      break;
    }
    api::ApplicationSummary s;
    s.application_name = it->second.detail.application_name;
    s.application_arn = it->second.detail.application_arn;
    s.application_status = it->second.detail.application_status;
    out.application_summaries.push_back(std::move(s));
    ++it;
  }
  return out;
}

Applications::ApiResult<Applications::NoOutput> Applications::remove(const api::DeleteApplicationRequest& in) {
  const std::string& name = in.application_name;
  MutexLock lock(mu_);
  StoredApplication* app = find_locked(name);
  if (!app) return std::unexpected(application_not_found(name));
  // Clients send the CreateTimestamp DescribeApplication gave, some in whole
  // seconds (botocore), some with milliseconds: compare the seconds.
  const int64_t created = app->detail.create_timestamp.value_or(protocol::Timestamp{}).millis;
  if (in.create_timestamp.millis / 1000 != created / 1000) {
    return std::unexpected(resource_not_found(
        fmt::format("Application {} with create timestamp {} is not found; its CreateTimestamp is {}.", name,
                    in.create_timestamp.millis / 1000, created / 1000)));
  }
  const std::string status = app->detail.application_status;
  if (status != "READY" && status != "RUNNING") {
    return std::unexpected(wrong_status(name, status, "it can be deleted in READY or RUNNING status."));
  }
  StoredApplication next = *app;
  next.detail.application_status = "DELETING";
  next.settles_to.clear();
  next.settle_at_ms = now_ms() + options_.delete_ms;
  if (Status st = persist_locked(next); !st) return std::unexpected(store_error(st));
  *app = std::move(next);
  if (options_.delete_ms <= 0) find_locked(name);  // settles now: gone
  return NoOutput{};
}

Applications::ApiResult<Applications::NoOutput> Applications::start(const api::StartApplicationRequest& in) {
  const std::string& name = in.application_name;
  MutexLock lock(mu_);
  StoredApplication* app = find_locked(name);
  if (!app) return std::unexpected(application_not_found(name));
  const std::string& status = app->detail.application_status;
  if (status != "READY") {
    return std::unexpected(wrong_status(name, status, "an application can be started in READY status only."));
  }
  StoredApplication next = *app;
  auto& inputs = *next.detail.input_descriptions;
  if (inputs.empty()) {
    return std::unexpected(invalid_application_configuration(
        "Application " + name + " has no input; add one with AddApplicationInput before starting it."));
  }
  // This start's configuration replaces the last one's.
  for (auto& d : inputs) d.input_starting_position_configuration.reset();
  for (const api::InputConfiguration& c : in.input_configurations) {
    auto it = std::find_if(inputs.begin(), inputs.end(), [&](const auto& d) { return d.input_id == c.id; });
    if (it == inputs.end()) {
      return std::unexpected(invalid_argument("Application " + name + " has no input with id " + c.id + "."));
    }
    auto& position = it->input_starting_position_configuration.emplace();
    position.input_starting_position = c.input_starting_position_configuration.input_starting_position.value_or("NOW");
  }
  for (const auto& d : inputs) {
    if (!d.input_starting_position_configuration) {
      return std::unexpected(invalid_argument("InputConfigurations must configure input " + d.input_id.value_or("") +
                                              " of application " + name + "."));
    }
  }
  if (auto e = check_startable(next.detail, options_.lambda_endpoint)) return std::unexpected(std::move(*e));
  next.run_started_ms = now_ms();
  next.detail.application_status = "STARTING";
  next.settles_to = "RUNNING";
  next.settle_at_ms = now_ms() + options_.start_ms;
  if (Status st = persist_locked(next); !st) return std::unexpected(store_error(st));
  *app = std::move(next);
  return NoOutput{};
}

Applications::ApiResult<Applications::NoOutput> Applications::stop(const api::StopApplicationRequest& in) {
  const std::string& name = in.application_name;
  MutexLock lock(mu_);
  StoredApplication* app = find_locked(name);
  if (!app) return std::unexpected(application_not_found(name));
  const std::string& status = app->detail.application_status;
  if (status != "RUNNING") {
    return std::unexpected(wrong_status(name, status, "an application can be stopped in RUNNING status only."));
  }
  StoredApplication next = *app;
  next.detail.application_status = "STOPPING";
  next.settles_to = "READY";
  next.settle_at_ms = now_ms() + options_.stop_ms;
  if (Status st = persist_locked(next); !st) return std::unexpected(store_error(st));
  *app = std::move(next);
  return NoOutput{};
}

}  // namespace runnel::analytics

namespace runnel::analytics {

std::vector<StoredApplication> Applications::running() {
  MutexLock lock(mu_);
  std::vector<StoredApplication> out;
  const int64_t now = now_ms();
  for (auto it = apps_.begin(); it != apps_.end();) {
    if (!settle_locked(it->second, now)) {  // a DELETING application has ended
      it = apps_.erase(it);
      continue;
    }
    const std::string& st = it->second.detail.application_status;
    if (st == "RUNNING" || st == "UPDATING") out.push_back(it->second);
    ++it;
  }
  return out;
}

}  // namespace runnel::analytics
