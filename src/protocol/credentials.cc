#include "protocol/credentials.h"

#include <cctype>
#include <cerrno>
#include <cstring>
#include <fstream>
#include <sstream>

namespace runnel::protocol {
namespace {

std::string_view trim(std::string_view s) {
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.front()))) s.remove_prefix(1);
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.back()))) s.remove_suffix(1);
  return s;
}

std::string lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

struct Profile {
  std::string name;
  int line = 0;
  std::optional<std::string> key_id;
  std::optional<std::string> secret;
};

Status add_profile(const Profile& p, std::map<std::string, std::string, std::less<>>& out) {
  if (!p.key_id && !p.secret) return Status::ok();
  if (!p.key_id || !p.secret) {
    return Status::invalid_argument("credentials profile '" + p.name + "' (line " + std::to_string(p.line) +
                                    ") needs both aws_access_key_id and aws_secret_access_key");
  }
  auto [it, inserted] = out.emplace(*p.key_id, *p.secret);
  if (!inserted && it->second != *p.secret) {
    return Status::invalid_argument("access key id '" + *p.key_id + "' has two different secrets (profile '" + p.name +
                                    "', line " + std::to_string(p.line) + ")");
  }
  return Status::ok();
}

}  // namespace

Result<CredentialStore> CredentialStore::parse(std::string_view text) {
  CredentialStore store;
  std::optional<Profile> current;
  int line_no = 0;
  while (!text.empty()) {
    std::size_t eol = text.find('\n');
    std::string_view raw = text.substr(0, eol);
    text = eol == std::string_view::npos ? std::string_view() : text.substr(eol + 1);
    ++line_no;
    if (line_no == 1 && raw.starts_with("\xEF\xBB\xBF")) raw.remove_prefix(3);  // UTF-8 BOM
    bool indented = !raw.empty() && (raw.front() == ' ' || raw.front() == '\t');
    std::string_view line = trim(raw);
    if (line.empty() || line.front() == '#' || line.front() == ';') continue;

    if (line.front() == '[') {
      if (line.back() != ']' || line.size() < 3) {
        return error(Status::invalid_argument("credentials line " + std::to_string(line_no) + ": bad section header"));
      }
      if (current) {
        if (Status s = add_profile(*current, store.secrets_); !s) return error(s);
      }
      current = Profile{std::string(trim(line.substr(1, line.size() - 2))), line_no, std::nullopt, std::nullopt};
      continue;
    }

    std::size_t delim = line.find_first_of("=:");
    if (delim == std::string_view::npos) {
      // As Python's configparser (which the AWS CLI uses) reads it, an
      // indented line continues the previous value; no key runnel reads
      // spans lines, so it is skipped.
      if (indented && current) continue;
      return error(Status::invalid_argument("credentials line " + std::to_string(line_no) +
                                            ": expected 'key = value', '[profile]' or a comment"));
    }
    if (!current) {
      return error(Status::invalid_argument("credentials line " + std::to_string(line_no) +
                                            ": setting outside any [profile] section"));
    }
    std::string key = lower(trim(line.substr(0, delim)));
    std::string value(trim(line.substr(delim + 1)));
    if (key == "aws_access_key_id") {
      current->key_id = std::move(value);
    } else if (key == "aws_secret_access_key") {
      current->secret = std::move(value);
    }
  }
  if (current) {
    if (Status s = add_profile(*current, store.secrets_); !s) return error(s);
  }
  return store;
}

Result<CredentialStore> CredentialStore::load(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    int err = errno;
    std::string why = std::strerror(err);
    if (err == ENOENT) return error(Status::not_found("credentials file " + path + ": " + why));
    return error(Status::io_error("credentials file " + path + ": " + why));
  }
  std::ostringstream text;
  text << in.rdbuf();
  if (in.bad()) return error(Status::io_error("credentials file " + path + ": read failed"));
  auto store = parse(text.str());
  if (!store) return error(Status::invalid_argument(path + ": " + store.error().message()));
  return store;
}

CredentialStore CredentialStore::from_pairs(const std::vector<std::pair<std::string, std::string>>& pairs) {
  CredentialStore store;
  for (const auto& [id, secret] : pairs) store.secrets_[id] = secret;
  return store;
}

std::optional<std::string> CredentialStore::secret_for(std::string_view access_key_id) const {
  auto it = secrets_.find(access_key_id);
  if (it == secrets_.end()) return std::nullopt;
  return it->second;
}

}  // namespace runnel::protocol
