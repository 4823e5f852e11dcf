#pragma once
// Encryption at rest of records written while a stream's encryption is on
// (StartStreamEncryption): AES-256-GCM through OpenSSL, with key material
// from a local key file that stands in for AWS KMS. Format and policy:
// record_cipher.cc, docs/encryption.md.

#include <string>

namespace runnel::streams {

class RecordCipher {
 public:
  // `key_file`: where the local master key lives.
  explicit RecordCipher(std::string key_file);

 private:
  std::string key_file_;
};

}  // namespace runnel::streams
