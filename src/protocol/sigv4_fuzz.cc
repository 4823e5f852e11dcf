// libFuzzer target for SigV4 parsing and verification on hostile requests.
// Input layout (lines split on '\n'): method, path, query, then "name: value"
// header lines up to an empty line, then the body. Header names are
// lower-cased as net/ does.

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "net/http.h"
#include "protocol/credentials.h"
#include "protocol/sigv4.h"

namespace {

std::string_view next_line(std::string_view& in) {
  std::size_t nl = in.find('\n');
  std::string_view line = in.substr(0, nl);
  in = nl == std::string_view::npos ? std::string_view() : in.substr(nl + 1);
  return line;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace runnel;
  std::string_view in(reinterpret_cast<const char*>(data), size);
  net::HttpRequest req;
  req.method = std::string(next_line(in));
  req.path = std::string(next_line(in));
  req.query = std::string(next_line(in));
  while (!in.empty()) {
    std::string_view line = next_line(in);
    if (line.empty()) break;
    std::size_t colon = line.find(':', 1);  // ":authority: x" keeps its leading colon
    std::string name(line.substr(0, colon));
    for (char& c : name)
      if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
    std::string_view value = colon == std::string_view::npos ? std::string_view() : line.substr(colon + 1);
    if (!value.empty() && value.front() == ' ') value.remove_prefix(1);
    req.headers.push_back({std::move(name), std::string(value)});
  }
  req.body = std::string(in);

  (void)protocol::sigv4_canonical_uri(req.path);
  (void)protocol::sigv4_canonical_query(req.query, true);

  auto auth = protocol::parse_sigv4(req);
  if (!auth) return 0;
  // Verify at the seed corpus's time (2015-08-30T12:36:00Z) so the fuzzer
  // reaches the signature check, and far away to exercise the skew messages.
  static const auto store = protocol::CredentialStore::from_pairs({{"AKIDEXAMPLE", "secret"}});
  (void)protocol::verify_sigv4(req, *auth, "secret", 1440938160);
  (void)protocol::verify_sigv4(req, *auth, "secret", -62135596800);  // 0001-01-01
  (void)protocol::authenticate_sigv4(req, &store, 253402300799);     // 9999-12-31T23:59:59Z
  (void)protocol::authenticate_sigv4_head(req, &store, 1440938160);
  return 0;
}
