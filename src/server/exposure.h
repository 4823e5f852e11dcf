#pragma once
// Who can reach the server, and whether that is safe to start with.
//
// runnel accepts any well-formed signature unless it is given a credentials
// file. On a loopback address that is what a local emulator should do; on
// any other address it would let everyone who can reach the machine read and
// delete every stream. serve() refuses that unless the operator said so.
//
// Thread-safety: pure functions.

#include <optional>
#include <string>
#include <string_view>

namespace runnel::server {

// Whether `host` (the --host value) names only this machine: an IPv4 address
// in 127.0.0.0/8, ::1, an IPv4-mapped loopback (::ffff:127.x.y.z), or
// "localhost". Any other name, including the wildcard addresses, counts as
// reachable from elsewhere.
bool is_loopback_host(std::string_view host);

// nullopt if the server may start listening on `host`; otherwise the
// explanation to print before refusing (non-loopback, no credentials file,
// anonymous access not allowed).
std::optional<std::string> exposure_refusal(std::string_view host, bool has_credentials, bool allow_anonymous);

}  // namespace runnel::server
