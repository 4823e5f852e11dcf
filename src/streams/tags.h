#pragma once
// Tag checks shared by the operations that take tags (streams and consumers).

#include "protocol/api_error.h"
#include "protocol/value.h"

namespace runnel::streams {

// InvalidArgumentException, in AWS's words, when a key or value of the Tags
// map has characters AWS refuses or a key starts with "aws:".
protocol::ApiResult<void> check_tags(const protocol::Value& tags);

}  // namespace runnel::streams
