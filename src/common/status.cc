#include "common/status.h"

namespace runnel {

std::string Status::to_string() const {
  const char* name = "OK";
  switch (code_) {
    case Code::kOk: return "OK";
    case Code::kNotFound: name = "NotFound"; break;
    case Code::kInvalidArgument: name = "InvalidArgument"; break;
    case Code::kCorruption: name = "Corruption"; break;
    case Code::kIoError: name = "IOError"; break;
    case Code::kAborted: name = "Aborted"; break;
    case Code::kResourceExhausted: name = "ResourceExhausted"; break;
  }
  return std::string(name) + ": " + message_;
}

}  // namespace runnel
