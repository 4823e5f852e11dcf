#include "s3/object_store.h"

namespace runnel::s3 {

std::optional<std::string> bucket_from_arn(std::string_view arn) {
  // arn:<partition>:s3:::<bucket>: the region and account fields are empty
  // for buckets, and the bucket is everything after them.
  constexpr std::string_view kArn = "arn:";
  if (!arn.starts_with(kArn)) return std::nullopt;
  std::string_view rest = arn.substr(kArn.size());
  const size_t colon = rest.find(':');
  if (colon == std::string_view::npos || colon == 0) return std::nullopt;
  rest = rest.substr(colon + 1);
  constexpr std::string_view kService = "s3:::";
  if (!rest.starts_with(kService)) return std::nullopt;
  std::string_view bucket = rest.substr(kService.size());
  if (bucket.empty() || bucket.find_first_of(":/") != std::string_view::npos) return std::nullopt;
  return std::string(bucket);
}

}  // namespace runnel::s3
