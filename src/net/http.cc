#include "net/http.h"

namespace runnel::net {

const std::string* HttpRequest::header(std::string_view lower_name) const {
  for (const auto& h : headers)
    if (h.name == lower_name) return &h.value;
  return nullptr;
}

}  // namespace runnel::net
