#include "net/tls.h"

#include <openssl/ssl.h>

namespace runnel::net {
namespace {

// ALPN wire format: length-prefixed protocol names, in our order of preference.
constexpr unsigned char kAlpnProtocols[] = {2, 'h', '2', 8, 'h', 't', 't', 'p', '/', '1', '.', '1'};

int select_alpn(SSL*, const unsigned char** out, unsigned char* outlen, const unsigned char* in, unsigned int inlen,
                void*) {
  unsigned char* selected = nullptr;
  if (SSL_select_next_proto(&selected, outlen, kAlpnProtocols, sizeof kAlpnProtocols, in, inlen) !=
      OPENSSL_NPN_NEGOTIATED)
    return SSL_TLSEXT_ERR_NOACK;  // no overlap: carry on without ALPN (HTTP/1.1)
  *out = selected;
  return SSL_TLSEXT_ERR_OK;
}

}  // namespace

Result<std::shared_ptr<asio::ssl::context>> make_server_tls_context(const std::string& cert_file,
                                                                    const std::string& key_file) {
  if (cert_file.empty() || key_file.empty())
    return error(Status::invalid_argument("TLS needs both a certificate file and a key file"));
  auto context = std::make_shared<asio::ssl::context>(asio::ssl::context::tls_server);
  context->set_options(asio::ssl::context::default_workarounds | asio::ssl::context::no_sslv2 |
                       asio::ssl::context::no_sslv3 | asio::ssl::context::no_tlsv1 | asio::ssl::context::no_tlsv1_1 |
                       asio::ssl::context::single_dh_use);
  std::error_code ec;
  context->use_certificate_chain_file(cert_file, ec);
  if (ec) return error(Status::invalid_argument("cannot load TLS certificate " + cert_file + ": " + ec.message()));
  context->use_private_key_file(key_file, asio::ssl::context::pem, ec);
  if (ec) return error(Status::invalid_argument("cannot load TLS key " + key_file + ": " + ec.message()));
  if (SSL_CTX_check_private_key(context->native_handle()) != 1)
    return error(Status::invalid_argument("TLS key " + key_file + " does not match certificate " + cert_file));
  SSL_CTX_set_alpn_select_cb(context->native_handle(), &select_alpn, nullptr);
  return context;
}

}  // namespace runnel::net
