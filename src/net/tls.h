#pragma once
// The server's TLS configuration: TLS 1.2+, the certificate chain and key
// from PEM files, and ALPN preferring "h2" over "http/1.1".

#include <memory>
#include <string>

#include "common/status.h"
#include "net/asio.h"

namespace runnel::net {

// Fails with invalid_argument naming the file OpenSSL could not use.
Result<std::shared_ptr<asio::ssl::context>> make_server_tls_context(const std::string& cert_file,
                                                                    const std::string& key_file);

}  // namespace runnel::net
