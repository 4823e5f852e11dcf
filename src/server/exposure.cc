#include "server/exposure.h"

#include <arpa/inet.h>

#include <cstring>

namespace runnel::server {

bool is_loopback_host(std::string_view host) {
  if (host == "localhost") return true;
  std::string text(host);
  if (text.size() > 2 && text.front() == '[' && text.back() == ']') text = text.substr(1, text.size() - 2);
  in_addr v4{};
  if (inet_pton(AF_INET, text.c_str(), &v4) == 1) return (ntohl(v4.s_addr) >> 24) == 127;
  in6_addr v6{};
  if (inet_pton(AF_INET6, text.c_str(), &v6) != 1) return false;
  static constexpr unsigned char kLoopback6[16] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1};
  if (std::memcmp(v6.s6_addr, kLoopback6, 16) == 0) return true;
  static constexpr unsigned char kMappedPrefix[12] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff};
  return std::memcmp(v6.s6_addr, kMappedPrefix, 12) == 0 && v6.s6_addr[12] == 127;
}

std::optional<std::string> exposure_refusal(std::string_view host, bool has_credentials, bool allow_anonymous) {
  if (has_credentials || allow_anonymous || is_loopback_host(host)) return std::nullopt;
  return "refusing to listen on " + std::string(host) +
         " without credentials: every request would be accepted, so anyone who can reach this address could read "
         "and delete every stream. Give --credentials-file (requests must then be signed with one of its keys), "
         "listen on 127.0.0.1, or pass --allow-anonymous (RUNNEL_ALLOW_ANONYMOUS=true) if the network is yours "
         "alone, e.g. inside a container. See docs/security.md.";
}

}  // namespace runnel::server
