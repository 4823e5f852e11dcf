// The configuration operations of Applications (applications.h):
// UpdateApplication and the Add/Delete operations for inputs, input
// processing, outputs, reference data sources and CloudWatch logging
// options. Each runs through change(): status, version, copy, persist.
#include <fmt/format.h>

#include <algorithm>

#include "analytics/applications.h"
#include "analytics/configuration.h"
#include "analytics/errors.h"

namespace runnel::analytics {
namespace {

template <class List, class Pred>
auto find_item(List& list, Pred pred) {
  return std::find_if(list.begin(), list.end(), pred);
}

protocol::ApiError unknown_id(std::string_view name, std::string_view kind, std::string_view id) {
  return invalid_argument(fmt::format("Application {} has no {} with id {}.", name, kind, id));
}

}  // namespace

using Out = protocol::ApiResult<protocol::NoOutput>;
using Maybe = std::optional<protocol::ApiError>;

Out Applications::update(const api::UpdateApplicationRequest& in) {
  const std::string& name = in.application_name;
  const api::ApplicationUpdate& u = in.application_update;
  if (!u.input_updates && !u.application_code_update && !u.output_updates && !u.reference_data_source_updates &&
      !u.cloud_watch_logging_option_updates) {
    return std::unexpected(invalid_argument("ApplicationUpdate must contain at least one update."));
  }
  if (u.application_code_update) {
    if (auto e = validate_application_code(*u.application_code_update)) return std::unexpected(std::move(*e));
  }
  return change(name, in.current_application_version_id, [&](StoredApplication& app) -> Maybe {
    api::ApplicationDetail& d = app.detail;
    if (u.input_updates) {
      for (const api::InputUpdate& iu : *u.input_updates) {
        auto it = find_item(*d.input_descriptions, [&](const auto& x) { return x.input_id == iu.input_id; });
        if (it == d.input_descriptions->end()) return unknown_id(name, "input", iu.input_id);
        if (auto e = apply_input_update(*it, iu)) return e;
        const StreamRef s = stream_of(*it);
        if (auto e = check_streams_exist(iu.kinesis_streams_input_update ? s.kinesis_arn : "",
                                         iu.kinesis_firehose_input_update ? s.firehose_arn : "")) {
          return e;
        }
      }
    }
    if (u.application_code_update) d.application_code = *u.application_code_update;
    if (u.output_updates) {
      for (const api::OutputUpdate& ou : *u.output_updates) {
        auto it = find_item(*d.output_descriptions, [&](const auto& x) { return x.output_id == ou.output_id; });
        if (it == d.output_descriptions->end()) return unknown_id(name, "output", ou.output_id);
        if (auto e = apply_output_update(*it, ou)) return e;
        const StreamRef s = stream_of(*it);
        if (auto e = check_streams_exist(ou.kinesis_streams_output_update ? s.kinesis_arn : "",
                                         ou.kinesis_firehose_output_update ? s.firehose_arn : "")) {
          return e;
        }
      }
    }
    if (u.reference_data_source_updates) {
      for (const api::ReferenceDataSourceUpdate& ru : *u.reference_data_source_updates) {
        auto it = find_item(*d.reference_data_source_descriptions,
                            [&](const auto& x) { return x.reference_id == ru.reference_id; });
        if (it == d.reference_data_source_descriptions->end()) {
          return unknown_id(name, "reference data source", ru.reference_id);
        }
        if (auto e = apply_reference_update(*it, ru)) return e;
      }
    }
    if (u.cloud_watch_logging_option_updates) {
      for (const api::CloudWatchLoggingOptionUpdate& cu : *u.cloud_watch_logging_option_updates) {
        auto it = find_item(*d.cloud_watch_logging_option_descriptions, [&](const auto& x) {
          return x.cloud_watch_logging_option_id == cu.cloud_watch_logging_option_id;
        });
        if (it == d.cloud_watch_logging_option_descriptions->end()) {
          return unknown_id(name, "CloudWatch logging option", cu.cloud_watch_logging_option_id);
        }
        apply_logging_update(*it, cu);
      }
    }
    return std::nullopt;
  });
}

Out Applications::add_input(const api::AddApplicationInputRequest& in) {
  const std::string& name = in.application_name;
  if (auto e = check_input(in.input)) return std::unexpected(std::move(*e));
  return change(name, in.current_application_version_id, [&](StoredApplication& app) -> Maybe {
    if (app.detail.input_descriptions->size() >= kMaxInputs) {
      return invalid_argument("Application " + name +
                              " already has an input; an application has at most one input (streaming source).");
    }
    auto d = describe_input(in.input, item_id(app.next_ids.input++));
    const StreamRef s = stream_of(d);
    if (auto e = check_streams_exist(s.kinesis_arn, s.firehose_arn)) return e;
    app.detail.input_descriptions->push_back(std::move(d));
    return std::nullopt;
  });
}

Out Applications::add_input_processing(const api::AddApplicationInputProcessingConfigurationRequest& in) {
  const std::string& name = in.application_name;
  return change(name, in.current_application_version_id, [&](StoredApplication& app) -> Maybe {
    auto& inputs = *app.detail.input_descriptions;
    auto it = find_item(inputs, [&](const auto& x) { return x.input_id == in.input_id; });
    if (it == inputs.end()) return unknown_id(name, "input", in.input_id);
    if (it->input_processing_configuration_description) {
      return invalid_argument("Input " + in.input_id + " of application " + name +
                              " already has an input processing configuration.");
    }
    auto& lambda =
        it->input_processing_configuration_description.emplace().input_lambda_processor_description.emplace();
    lambda.resource_arn = in.input_processing_configuration.input_lambda_processor.resource_arn;
    lambda.role_arn = in.input_processing_configuration.input_lambda_processor.role_arn;
    return std::nullopt;
  });
}

Out Applications::delete_input_processing(const api::DeleteApplicationInputProcessingConfigurationRequest& in) {
  const std::string& name = in.application_name;
  return change(name, in.current_application_version_id, [&](StoredApplication& app) -> Maybe {
    auto& inputs = *app.detail.input_descriptions;
    auto it = find_item(inputs, [&](const auto& x) { return x.input_id == in.input_id; });
    if (it == inputs.end()) return unknown_id(name, "input", in.input_id);
    if (!it->input_processing_configuration_description) {
      return invalid_argument("Input " + in.input_id + " of application " + name +
                              " has no input processing configuration.");
    }
    it->input_processing_configuration_description.reset();
    return std::nullopt;
  });
}

Out Applications::add_output(const api::AddApplicationOutputRequest& in) {
  const std::string& name = in.application_name;
  if (auto e = check_output(in.output)) return std::unexpected(std::move(*e));
  return change(name, in.current_application_version_id, [&](StoredApplication& app) -> Maybe {
    auto& outputs = *app.detail.output_descriptions;
    if (outputs.size() >= kMaxOutputs) {
      return invalid_argument("Application " + name + " already has 3 outputs; an application has at most 3.");
    }
    auto d = describe_output(in.output, item_id(app.next_ids.output++));
    const StreamRef s = stream_of(d);
    if (auto e = check_streams_exist(s.kinesis_arn, s.firehose_arn)) return e;
    outputs.push_back(std::move(d));
    return std::nullopt;
  });
}

Out Applications::delete_output(const api::DeleteApplicationOutputRequest& in) {
  const std::string& name = in.application_name;
  return change(name, in.current_application_version_id, [&](StoredApplication& app) -> Maybe {
    auto& outputs = *app.detail.output_descriptions;
    auto it = find_item(outputs, [&](const auto& x) { return x.output_id == in.output_id; });
    if (it == outputs.end()) return unknown_id(name, "output", in.output_id);
    outputs.erase(it);
    return std::nullopt;
  });
}

Out Applications::add_reference(const api::AddApplicationReferenceDataSourceRequest& in) {
  const std::string& name = in.application_name;
  if (auto e = check_reference(in.reference_data_source)) return std::unexpected(std::move(*e));
  return change(name, in.current_application_version_id, [&](StoredApplication& app) -> Maybe {
    auto& refs = *app.detail.reference_data_source_descriptions;
    if (!refs.empty()) {
      return invalid_argument("Application " + name +
                              " already has a reference data source; an application has at most one.");
    }
    refs.push_back(describe_reference(in.reference_data_source, item_id(app.next_ids.reference++)));
    return std::nullopt;
  });
}

Out Applications::delete_reference(const api::DeleteApplicationReferenceDataSourceRequest& in) {
  const std::string& name = in.application_name;
  return change(name, in.current_application_version_id, [&](StoredApplication& app) -> Maybe {
    auto& refs = *app.detail.reference_data_source_descriptions;
    auto it = find_item(refs, [&](const auto& x) { return x.reference_id == in.reference_id; });
    if (it == refs.end()) return unknown_id(name, "reference data source", in.reference_id);
    refs.erase(it);
    return std::nullopt;
  });
}

Out Applications::add_logging(const api::AddApplicationCloudWatchLoggingOptionRequest& in) {
  const std::string& name = in.application_name;
  return change(name, in.current_application_version_id, [&](StoredApplication& app) -> Maybe {
    auto& options = *app.detail.cloud_watch_logging_option_descriptions;
    for (const auto& o : options) {
      if (o.log_stream_arn == in.cloud_watch_logging_option.log_stream_arn) {
        return invalid_argument("Application " + name + " already logs to " + o.log_stream_arn + ".");
      }
    }
    options.push_back(describe_logging(in.cloud_watch_logging_option, item_id(app.next_ids.logging++)));
    return std::nullopt;
  });
}

Out Applications::delete_logging(const api::DeleteApplicationCloudWatchLoggingOptionRequest& in) {
  const std::string& name = in.application_name;
  return change(name, in.current_application_version_id, [&](StoredApplication& app) -> Maybe {
    auto& options = *app.detail.cloud_watch_logging_option_descriptions;
    auto it = find_item(
        options, [&](const auto& x) { return x.cloud_watch_logging_option_id == in.cloud_watch_logging_option_id; });
    if (it == options.end()) return unknown_id(name, "CloudWatch logging option", in.cloud_watch_logging_option_id);
    options.erase(it);
    return std::nullopt;
  });
}

}  // namespace runnel::analytics
