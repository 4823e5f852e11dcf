// The tag operations of Applications (applications.h): TagResource,
// UntagResource, ListTagsForResource. Tags do not change the application's
// version (they are not its configuration).
#include <fmt/format.h>

#include <algorithm>

#include "analytics/applications.h"
#include "analytics/arns.h"
#include "analytics/configuration.h"
#include "analytics/errors.h"

namespace runnel::analytics {
Applications::ApiResult<StoredApplication*> Applications::find_by_arn_locked(const std::string& arn) {
  auto parsed = parse_application_arn(arn);
  if (!parsed) return std::unexpected(invalid_argument("ResourceARN " + arn + " is not a valid application ARN."));
  StoredApplication* app = find_locked(parsed->name);
  if (!app || app->detail.application_arn != arn) {
    return std::unexpected(resource_not_found("Resource " + arn + " is not found."));
  }
  return app;
}

Applications::ApiResult<Applications::NoOutput> Applications::tag(const api::TagResourceRequest& in) {
  if (auto e = check_new_tags(in.tags)) return std::unexpected(std::move(*e));
  MutexLock lock(mu_);
  auto app = find_by_arn_locked(in.resource_arn);
  if (!app) return std::unexpected(std::move(app.error()));
  StoredApplication next = **app;
  for (const api::Tag& t : in.tags) {
    auto it = std::find_if(next.tags.begin(), next.tags.end(), [&](const api::Tag& x) { return x.key == t.key; });
    if (it != next.tags.end()) {
      it->value = t.value;
    } else {
      next.tags.push_back(t);
    }
  }
  if (auto e = check_tag_count(next.detail.application_name, next.tags.size())) return std::unexpected(std::move(*e));
  if (Status st = persist_locked(next); !st) return std::unexpected(store_error(st));
  **app = std::move(next);
  return NoOutput{};
}

Applications::ApiResult<Applications::NoOutput> Applications::untag(const api::UntagResourceRequest& in) {
  MutexLock lock(mu_);
  auto app = find_by_arn_locked(in.resource_arn);
  if (!app) return std::unexpected(std::move(app.error()));
  StoredApplication next = **app;
  std::erase_if(next.tags, [&](const api::Tag& t) {
    return std::find(in.tag_keys.begin(), in.tag_keys.end(), t.key) != in.tag_keys.end();
  });
  if (Status st = persist_locked(next); !st) return std::unexpected(store_error(st));
  **app = std::move(next);
  return NoOutput{};
}

Applications::ApiResult<api::ListTagsForResourceResponse> Applications::list_tags(
    const api::ListTagsForResourceRequest& in) {
  MutexLock lock(mu_);
  auto app = find_by_arn_locked(in.resource_arn);
  if (!app) return std::unexpected(std::move(app.error()));
  api::ListTagsForResourceResponse out;
  out.tags = (*app)->tags;
  return out;
}

}  // namespace runnel::analytics
