#include "streams/record_cipher.h"

#include <fcntl.h>
#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/kdf.h>
#include <openssl/params.h>
#include <openssl/rand.h>
#include <spdlog/spdlog.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <memory>

namespace runnel::streams {
namespace {

// HKDF salt: fixes the purpose of derived keys, so the same master key could
// serve other uses later without their keys colliding with these.
constexpr std::string_view kHkdfSalt = "runnel/kinesis/record-cipher/v1";
// Derived keys kept in memory at most; KeyIds past it are derived per use.
constexpr size_t kMaxCachedKeys = 1024;

struct CtxFree {
  void operator()(EVP_CIPHER_CTX* c) const { EVP_CIPHER_CTX_free(c); }
};

// This thread's cipher context. Contexts are never shared between threads;
// each use ends with a reset, so no key stays in one.
EVP_CIPHER_CTX* thread_ctx() {
  thread_local std::unique_ptr<EVP_CIPHER_CTX, CtxFree> ctx(EVP_CIPHER_CTX_new());
  return ctx.get();
}

struct CtxReset {
  EVP_CIPHER_CTX* ctx;
  ~CtxReset() { EVP_CIPHER_CTX_reset(ctx); }
};

void put_u16(std::string& out, size_t v) {
  out.push_back(static_cast<char>((v >> 8) & 0xFF));
  out.push_back(static_cast<char>(v & 0xFF));
}

size_t get_u16(std::string_view s, size_t at) {
  return (size_t{static_cast<uint8_t>(s[at])} << 8) | static_cast<uint8_t>(s[at + 1]);
}

const unsigned char* bytes(std::string_view s) { return reinterpret_cast<const unsigned char*>(s.data()); }
unsigned char* bytes(std::string& s) { return reinterpret_cast<unsigned char*>(s.data()); }

std::string errno_text(int e) { return std::strerror(e); }

// --- KeyId syntax (docs/encryption.md, "KeyId") ---

bool is_hex(char c) { return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F'); }

bool all_of(std::string_view s, bool (*pred)(char)) {
  for (char c : s)
    if (!pred(c)) return false;
  return true;
}

// 12345678-1234-1234-1234-123456789012
bool is_uuid(std::string_view s) {
  if (s.size() != 36) return false;
  for (size_t i = 0; i < s.size(); ++i) {
    const bool dash = i == 8 || i == 13 || i == 18 || i == 23;
    if (dash ? s[i] != '-' : !is_hex(s[i])) return false;
  }
  return true;
}

// A multi-Region key id: mrk- and 32 hex digits.
bool is_mrk(std::string_view s) { return s.size() == 36 && s.starts_with("mrk-") && all_of(s.substr(4), is_hex); }

// alias/<name>: KMS allows 1-256 characters in all, of A-Z a-z 0-9 / _ -.
bool is_alias_name(std::string_view s) {
  if (!s.starts_with("alias/") || s.size() <= 6 || s.size() > 256) return false;
  return all_of(s.substr(6), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '/' || c == '_' ||
           c == '-';
  });
}

// arn:<partition>:kms:<region>:<12-digit account>:key/<key id> or :alias/<name>
bool is_kms_arn(std::string_view s) {
  std::string_view parts[6];
  size_t start = 0;
  for (size_t i = 0; i < 5; ++i) {
    size_t colon = s.find(':', start);
    if (colon == std::string_view::npos) return false;
    parts[i] = s.substr(start, colon - start);
    start = colon + 1;
  }
  parts[5] = s.substr(start);
  auto lower_or_dash = [](char c) { return (c >= 'a' && c <= 'z') || c == '-'; };
  auto region_char = [](char c) { return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-'; };
  auto digit = [](char c) { return c >= '0' && c <= '9'; };
  if (parts[0] != "arn" || parts[1].empty() || !all_of(parts[1], lower_or_dash) || parts[2] != "kms" ||
      parts[3].empty() || !all_of(parts[3], region_char) || parts[4].size() != 12 || !all_of(parts[4], digit))
    return false;
  const std::string_view resource = parts[5];
  if (resource.starts_with("key/")) return is_uuid(resource.substr(4)) || is_mrk(resource.substr(4));
  return is_alias_name(resource);
}

}  // namespace

RecordCipher::RecordCipher(std::string key_file) : key_file_(std::move(key_file)) {}

RecordCipher::~RecordCipher() {
  OPENSSL_cleanse(master_.data(), master_.size());
  for (auto& [_, key] : keys_) OPENSSL_cleanse(key.data(), key.size());
  EVP_CIPHER_free(aes_gcm_);
}

std::optional<protocol::ApiError> RecordCipher::check_key_id(std::string_view key_id) {
  if (key_id.empty() || key_id.size() > kMaxKeyIdSize)
    return protocol::invalid_argument("KeyId must be between 1 and 2048 characters");
  if (key_id.starts_with("arn:")) {
    if (!is_kms_arn(key_id)) return protocol::invalid_argument("Received KeyId ARN is not a properly formatted ARN");
    return std::nullopt;
  }
  if (!is_uuid(key_id) && !is_mrk(key_id) && !is_alias_name(key_id))
    return protocol::invalid_argument("Received KeyId is not a properly formatted Alias or GUID");
  return std::nullopt;
}

protocol::ApiError RecordCipher::api_error(const Status& s) {
  if (s.code() == Status::Code::kInvalidArgument)
    return protocol::ApiError{"KMSAccessDeniedException", s.message(), 400, false};
  return protocol::ApiError{"KMSInvalidStateException", s.message(), 400, false};
}

Status RecordCipher::ready() {
  if (loaded_.load(std::memory_order_acquire)) return Status::ok();
  MutexLock lock(load_mu_);
  if (loaded_.load(std::memory_order_relaxed)) return Status::ok();
  return load_or_create_locked();
}

Status RecordCipher::load_or_create_locked() {
  namespace fs = std::filesystem;
  if (!aes_gcm_) {
    aes_gcm_ = EVP_CIPHER_fetch(nullptr, "AES-256-GCM", nullptr);
    if (!aes_gcm_) return Status::io_error("OpenSSL has no AES-256-GCM");
    // Nonces: a random 32-bit field and a 64-bit counter from a random start
    // (NIST SP 800-38D 8.2.1, deterministic construction). Unique within a
    // process for 2^64 records; two processes collide only with the same
    // field and overlapping counter windows, about N / 2^95 for N records.
    uint8_t seed[12];
    if (RAND_bytes(seed, sizeof seed) != 1) return Status::io_error("RAND_bytes failed");
    std::memcpy(nonce_field_.data(), seed, 4);
    uint64_t start = 0;
    std::memcpy(&start, seed + 4, 8);
    nonce_counter_.store(start, std::memory_order_relaxed);
  }
  int fd = ::open(key_file_.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0 && errno == ENOENT) {
    // Create: a fresh key in a temporary file, durable before it becomes
    // visible; link() (unlike rename) never replaces a key that appeared
    // meanwhile, e.g. from a second process on the same data dir.
    Key fresh{};
    if (RAND_bytes(fresh.data(), static_cast<int>(fresh.size())) != 1)
      return Status::io_error("RAND_bytes failed while creating key file " + key_file_);
    const std::string tmp =
        key_file_ + ".tmp." + std::to_string(::getpid()) + "." + std::to_string(reinterpret_cast<uintptr_t>(this));
    int out = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
    if (out < 0) return Status::io_error("cannot create key file " + tmp + ": " + errno_text(errno));
    bool ok = ::fchmod(out, 0600) == 0 && ::write(out, fresh.data(), fresh.size()) == ssize_t(fresh.size()) &&
              ::fsync(out) == 0;
    const int write_errno = errno;
    OPENSSL_cleanse(fresh.data(), fresh.size());
    ::close(out);
    if (!ok) {
      ::unlink(tmp.c_str());
      return Status::io_error("cannot write key file " + tmp + ": " + errno_text(write_errno));
    }
    const int linked = ::link(tmp.c_str(), key_file_.c_str());
    const int link_errno = errno;
    ::unlink(tmp.c_str());
    if (linked != 0 && link_errno != EEXIST)
      return Status::io_error("cannot create key file " + key_file_ + ": " + errno_text(link_errno));
    fs::path dir = fs::path(key_file_).parent_path();
    if (dir.empty()) dir = ".";
    int dfd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (dfd < 0 || ::fsync(dfd) != 0) {
      const int e = errno;
      if (dfd >= 0) ::close(dfd);
      return Status::io_error("cannot sync directory " + dir.string() + ": " + errno_text(e));
    }
    ::close(dfd);
    if (linked == 0) spdlog::info("created key file {} (the local stand-in for KMS)", key_file_);
    fd = ::open(key_file_.c_str(), O_RDONLY | O_CLOEXEC);
  }
  if (fd < 0) return Status::io_error("cannot open key file " + key_file_ + ": " + errno_text(errno));
  struct stat st {};
  if (::fstat(fd, &st) != 0) {
    const int e = errno;
    ::close(fd);
    return Status::io_error("cannot stat key file " + key_file_ + ": " + errno_text(e));
  }
  if (!S_ISREG(st.st_mode) || st.st_size != static_cast<off_t>(kKeySize)) {
    ::close(fd);
    return Status::corruption("key file " + key_file_ + " is not a regular file of exactly " +
                              std::to_string(kKeySize) + " bytes (it has " + std::to_string(st.st_size) +
                              "); records encrypted under it cannot be read without the original");
  }
  if (st.st_mode & 077)
    spdlog::warn("key file {} is readable by others (mode {:o}); it should be 0600", key_file_, st.st_mode & 0777);
  Key key{};
  const ssize_t n = ::read(fd, key.data(), key.size());
  const int read_errno = errno;
  ::close(fd);
  if (n != static_cast<ssize_t>(key.size())) {
    OPENSSL_cleanse(key.data(), key.size());
    return Status::io_error("cannot read key file " + key_file_ + ": " +
                            (n < 0 ? errno_text(read_errno) : std::string("short read")));
  }
  master_ = key;
  OPENSSL_cleanse(key.data(), key.size());
  loaded_.store(true, std::memory_order_release);
  return Status::ok();
}

Result<RecordCipher::Key> RecordCipher::data_key(std::string_view key_id) {
  if (Status st = ready(); !st) return error(std::move(st));
  {
    ReaderLock lock(keys_mu_);
    if (auto it = keys_.find(key_id); it != keys_.end()) return it->second;
  }
  Key key{};
  EVP_KDF* kdf = EVP_KDF_fetch(nullptr, "HKDF", nullptr);
  EVP_KDF_CTX* kctx = kdf ? EVP_KDF_CTX_new(kdf) : nullptr;
  EVP_KDF_free(kdf);
  if (!kctx) return error(Status::io_error("OpenSSL has no HKDF"));
  char digest[] = "SHA256";
  OSSL_PARAM params[] = {
      OSSL_PARAM_construct_utf8_string(OSSL_KDF_PARAM_DIGEST, digest, 0),
      OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_KEY, master_.data(), master_.size()),
      OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_SALT, const_cast<char*>(kHkdfSalt.data()), kHkdfSalt.size()),
      OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_INFO, const_cast<char*>(key_id.data()), key_id.size()),
      OSSL_PARAM_construct_end()};
  const int ok = EVP_KDF_derive(kctx, key.data(), key.size(), params);
  EVP_KDF_CTX_free(kctx);
  if (ok != 1) return error(Status::io_error("HKDF-SHA256 failed"));
  WriterLock lock(keys_mu_);
  if (keys_.size() < kMaxCachedKeys) keys_.emplace(std::string(key_id), key);
  return key;
}

Status RecordCipher::encrypt(std::string_view key_id, storage::AppendRecord& r) {
  if (key_id.empty() || key_id.size() > kMaxKeyIdSize || r.partition_key.size() > 0xFFFF)
    return Status::invalid_argument("record cannot be encrypted: KeyId or partition key too long");
  auto key = data_key(key_id);
  if (!key) return key.error();

  std::string header;
  header.reserve(header_size(key_id));
  header.push_back(static_cast<char>(kMarker));
  header.push_back(static_cast<char>(kVersion));
  put_u16(header, key_id.size());
  header.append(key_id);
  const size_t nonce_at = header.size();
  header.resize(nonce_at + kNonceSize);
  const uint64_t count = nonce_counter_.fetch_add(1, std::memory_order_relaxed);
  std::memcpy(bytes(header) + nonce_at, nonce_field_.data(), 4);
  for (int i = 0; i < 8; ++i) header[nonce_at + 4 + i] = static_cast<char>(count >> (56 - 8 * i));

  std::string plain;
  plain.reserve(2 + r.partition_key.size() + r.data.size());
  put_u16(plain, r.partition_key.size());
  plain.append(r.partition_key);
  plain.append(r.data);

  std::string sealed(plain.size() + kTagSize, '\0');
  EVP_CIPHER_CTX* ctx = thread_ctx();
  if (!ctx) return Status::io_error("EVP_CIPHER_CTX_new failed");
  CtxReset reset{ctx};
  int len = 0;
  int final_len = 0;
  const bool ok =
      EVP_EncryptInit_ex2(ctx, aes_gcm_, key->data(), bytes(header) + nonce_at, nullptr) == 1 &&
      EVP_EncryptUpdate(ctx, nullptr, &len, bytes(header), static_cast<int>(header.size())) == 1 &&
      EVP_EncryptUpdate(ctx, bytes(sealed), &len, bytes(plain), static_cast<int>(plain.size())) == 1 &&
      static_cast<size_t>(len) == plain.size() && EVP_EncryptFinal_ex(ctx, bytes(sealed) + len, &final_len) == 1 &&
      final_len == 0 &&
      EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_AEAD_GET_TAG, static_cast<int>(kTagSize), bytes(sealed) + plain.size()) == 1;
  OPENSSL_cleanse(key->data(), key->size());
  OPENSSL_cleanse(plain.data(), plain.size());
  if (!ok) return Status::io_error("AES-256-GCM encryption failed");
  r.partition_key = std::move(header);
  r.data = std::move(sealed);
  return Status::ok();
}

Status RecordCipher::decrypt(storage::StoredRecord& r) {
  const std::string_view header = r.partition_key;
  const std::string_view sealed = r.data;
  if (header.size() < 4 || static_cast<uint8_t>(header[0]) != kMarker)
    return Status::invalid_argument("record is not an encrypted envelope");
  if (static_cast<uint8_t>(header[1]) != kVersion)
    return Status::invalid_argument("encrypted record has unknown envelope version " +
                                    std::to_string(static_cast<uint8_t>(header[1])));
  const size_t key_id_size = get_u16(header, 2);
  if (key_id_size == 0 || key_id_size > kMaxKeyIdSize || header.size() != 4 + key_id_size + kNonceSize ||
      sealed.size() < 2 + kTagSize)
    return Status::invalid_argument("encrypted record is malformed");
  const std::string_view key_id = header.substr(4, key_id_size);
  auto key = data_key(key_id);
  if (!key) return key.error();

  const size_t plain_size = sealed.size() - kTagSize;
  std::string plain(plain_size, '\0');
  std::array<unsigned char, kTagSize> tag;
  std::memcpy(tag.data(), sealed.data() + plain_size, kTagSize);
  EVP_CIPHER_CTX* ctx = thread_ctx();
  if (!ctx) return Status::io_error("EVP_CIPHER_CTX_new failed");
  CtxReset reset{ctx};
  int len = 0;
  int final_len = 0;
  const bool ok = EVP_DecryptInit_ex2(ctx, aes_gcm_, key->data(), bytes(header) + 4 + key_id_size, nullptr) == 1 &&
                  EVP_DecryptUpdate(ctx, nullptr, &len, bytes(header), static_cast<int>(header.size())) == 1 &&
                  EVP_DecryptUpdate(ctx, bytes(plain), &len, bytes(sealed), static_cast<int>(plain_size)) == 1 &&
                  static_cast<size_t>(len) == plain_size &&
                  EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_AEAD_SET_TAG, static_cast<int>(kTagSize), tag.data()) == 1 &&
                  EVP_DecryptFinal_ex(ctx, bytes(plain) + len, &final_len) == 1;
  OPENSSL_cleanse(key->data(), key->size());
  if (!ok) {
    OPENSSL_cleanse(plain.data(), plain.size());
    return Status::invalid_argument("encrypted record does not authenticate under KeyId " + std::string(key_id) +
                                    " with this key file");
  }
  const size_t pk_size = get_u16(plain, 0);
  if (pk_size > plain_size - 2) return Status::invalid_argument("encrypted record is malformed");
  r.partition_key.assign(plain, 2, pk_size);
  r.data.assign(plain, 2 + pk_size);
  OPENSSL_cleanse(plain.data(), plain.size());
  return Status::ok();
}

}  // namespace runnel::streams
