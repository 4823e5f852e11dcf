#pragma once
// Status and Result<T>: the error idiom of the internal layers (storage, net,
// common). Expected failures are values; exceptions are reserved for bugs.
// The API layer maps its own ApiError (protocol/api_error.h) to AWS wire
// errors; internal Status values that reach it become InternalFailure.

#include <expected>
#include <string>
#include <utility>

namespace runnel {

class [[nodiscard]] Status {
 public:
  enum class Code { kOk, kNotFound, kInvalidArgument, kCorruption, kIoError, kAborted, kResourceExhausted };

  Status() = default;
  static Status ok() { return Status(); }
  static Status not_found(std::string m) { return Status(Code::kNotFound, std::move(m)); }
  static Status invalid_argument(std::string m) { return Status(Code::kInvalidArgument, std::move(m)); }
  static Status corruption(std::string m) { return Status(Code::kCorruption, std::move(m)); }
  static Status io_error(std::string m) { return Status(Code::kIoError, std::move(m)); }
  static Status aborted(std::string m) { return Status(Code::kAborted, std::move(m)); }
  static Status resource_exhausted(std::string m) { return Status(Code::kResourceExhausted, std::move(m)); }

  bool is_ok() const { return code_ == Code::kOk; }
  explicit operator bool() const { return is_ok(); }
  Code code() const { return code_; }
  const std::string& message() const { return message_; }
  std::string to_string() const;

 private:
  Status(Code c, std::string m) : code_(c), message_(std::move(m)) {}
  Code code_ = Code::kOk;
  std::string message_;
};

// Result<T> holds a T or the Status that explains why there is none.
template <class T>
using Result = std::expected<T, Status>;

inline std::unexpected<Status> error(Status s) { return std::unexpected<Status>(std::move(s)); }

}  // namespace runnel
