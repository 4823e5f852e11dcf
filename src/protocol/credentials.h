#pragma once
// CredentialStore: the access keys runnel accepts when it verifies SigV4,
// read from a file in the AWS shared credentials format (~/.aws/credentials):
//
//   # comment            ; comment
//   [default]
//   aws_access_key_id = AKIDEXAMPLE
//   aws_secret_access_key = wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY
//   [profile-two]
//   aws_access_key_id=...
//
// Every profile that has both keys contributes one access key; other settings
// (region, aws_session_token, role_arn, ...) are ignored, so a real
// credentials file can be pointed at as is.
//
// Thread-safety: immutable after construction; any number of threads may call
// the const members concurrently without synchronisation.

#include <cstddef>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "common/status.h"

namespace runnel::protocol {

class CredentialStore {
 public:
  CredentialStore() = default;

  // Reads and parses the file at `path`. NotFound/IoError if it cannot be
  // read; InvalidArgument (with the line number) if it is malformed: a line
  // that is neither a section, a key = value pair, a comment nor blank; a key
  // outside any section; a profile with only one of the two keys; or one
  // access key id given two different secrets.
  [[nodiscard]] static Result<CredentialStore> load(const std::string& path);

  // As load(), from the file's text.
  [[nodiscard]] static Result<CredentialStore> parse(std::string_view text);

  // A store holding exactly these (access key id, secret) pairs; a later
  // duplicate id replaces an earlier one. For configuration given on the
  // command line and for tests.
  static CredentialStore from_pairs(const std::vector<std::pair<std::string, std::string>>& pairs);

  // The secret access key for this access key id, or nullopt if unknown.
  std::optional<std::string> secret_for(std::string_view access_key_id) const;

  std::size_t size() const { return secrets_.size(); }

 private:
  std::map<std::string, std::string, std::less<>> secrets_;  // access key id -> secret
};

}  // namespace runnel::protocol
