#include "streams/shard_iterator.h"

#include <fcntl.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/rand.h>
#include <sys/stat.h>
#include <unistd.h>

#include <array>
#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <ctime>

namespace runnel::streams {
namespace {

// Binary layout (docs/sequence-numbers.md has the full table):
//   [0, 8)      00 00 00 00 00 00 00 01   AWS's prefix
//   [8]         format version (1)
//   [9, 17)     stream_uid, big-endian
//   [17, 21)    shard_index, big-endian
//   [21, 29)    counter, big-endian
//   [29, 37)    issued_ms, big-endian two's complement
//   [37, N-16)  zero padding up to AWS's size
//   [N-16, N)   HMAC-SHA256(key, bytes [0, N-16)), first 16 bytes
constexpr std::array<unsigned char, 8> kPrefix = {0, 0, 0, 0, 0, 0, 0, 1};
constexpr unsigned char kFormatVersion = 1;
constexpr std::size_t kVersionAt = 8;
constexpr std::size_t kStreamUidAt = 9;
constexpr std::size_t kShardIndexAt = 17;
constexpr std::size_t kCounterAt = 21;
constexpr std::size_t kIssuedAt = 29;
constexpr std::size_t kPaddingAt = 37;
constexpr std::size_t kMacSize = 16;
constexpr std::size_t kMinSize = 152;
constexpr std::size_t kSizeStep = 16;
constexpr std::size_t kMaxStreamNameLength = 128;
constexpr std::size_t kMaxSize = kMinSize + kSizeStep * ((kMaxStreamNameLength + 2) / kSizeStep);  // 280

static_assert(kPaddingAt + kMacSize <= kMinSize);
static_assert((kMaxSize + 2) / 3 * 4 <= kMaxShardIteratorLength);

constexpr char kBase64[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

std::string base64_encode(const unsigned char* data, std::size_t n) {
  std::string out;
  out.reserve((n + 2) / 3 * 4);
  std::size_t i = 0;
  for (; i + 3 <= n; i += 3) {
    const uint32_t v = (uint32_t{data[i]} << 16) | (uint32_t{data[i + 1]} << 8) | data[i + 2];
    out.push_back(kBase64[v >> 18]);
    out.push_back(kBase64[(v >> 12) & 63]);
    out.push_back(kBase64[(v >> 6) & 63]);
    out.push_back(kBase64[v & 63]);
  }
  if (n - i == 1) {
    const uint32_t v = uint32_t{data[i]} << 16;
    out.push_back(kBase64[v >> 18]);
    out.push_back(kBase64[(v >> 12) & 63]);
    out.append("==");
  } else if (n - i == 2) {
    const uint32_t v = (uint32_t{data[i]} << 16) | (uint32_t{data[i + 1]} << 8);
    out.push_back(kBase64[v >> 18]);
    out.push_back(kBase64[(v >> 12) & 63]);
    out.push_back(kBase64[(v >> 6) & 63]);
    out.push_back('=');
  }
  return out;
}

int base64_value(char c) {
  if (c >= 'A' && c <= 'Z') return c - 'A';
  if (c >= 'a' && c <= 'z') return c - 'a' + 26;
  if (c >= '0' && c <= '9') return c - '0' + 52;
  if (c == '+') return 62;
  if (c == '/') return 63;
  return -1;
}

// Strict standard base64: length a multiple of 4, '=' only as the last one
// or two characters, unused bits zero (so every byte string has exactly one
// accepted encoding). Writes at most `cap` bytes; false if more would be needed.
bool base64_decode(std::string_view in, unsigned char* out, std::size_t cap, std::size_t& n) {
  if (in.empty() || in.size() % 4 != 0) return false;
  std::size_t pad = 0;
  if (in.back() == '=') pad = (in[in.size() - 2] == '=') ? 2 : 1;
  const std::size_t len = in.size() / 4 * 3 - pad;
  if (len > cap) return false;
  n = 0;
  for (std::size_t i = 0; i < in.size(); i += 4) {
    const bool last = i + 4 == in.size();
    int v[4];
    for (std::size_t j = 0; j < 4; ++j) {
      if (last && j >= 4 - pad) {
        v[j] = 0;
        continue;
      }
      v[j] = base64_value(in[i + j]);
      if (v[j] < 0) return false;
    }
    const uint32_t bits = (uint32_t(v[0]) << 18) | (uint32_t(v[1]) << 12) | (uint32_t(v[2]) << 6) | uint32_t(v[3]);
    out[n++] = static_cast<unsigned char>(bits >> 16);
    if (last && pad == 2) {
      if ((bits & 0xFFFF) != 0) return false;
      break;
    }
    out[n++] = static_cast<unsigned char>(bits >> 8);
    if (last && pad == 1) {
      if ((bits & 0xFF) != 0) return false;
      break;
    }
    out[n++] = static_cast<unsigned char>(bits);
  }
  return n == len;
}

void put_be(unsigned char* p, uint64_t v, std::size_t bytes) {
  for (std::size_t i = bytes; i-- > 0;) {
    p[i] = static_cast<unsigned char>(v);
    v >>= 8;
  }
}

uint64_t get_be(const unsigned char* p, std::size_t bytes) {
  uint64_t v = 0;
  for (std::size_t i = 0; i < bytes; ++i) v = (v << 8) | p[i];
  return v;
}

std::size_t size_for_name_length(std::size_t name_length) {
  if (name_length > kMaxStreamNameLength) name_length = kMaxStreamNameLength;
  return kMinSize + kSizeStep * ((name_length + 2) / kSizeStep);
}

}  // namespace

// HMAC-SHA256 (RFC 2104) with the key's inner and outer SHA-256 states
// computed once: each MAC then costs two context copies and two short
// digests, several times cheaper than OpenSSL's one-shot HMAC(), which
// fetches the digest and re-keys on every call.
struct ShardIteratorCodec::MacState {
  EVP_MD_CTX* inner = nullptr;  // SHA-256 after (key ^ ipad); never modified after construction
  EVP_MD_CTX* outer = nullptr;  // SHA-256 after (key ^ opad); never modified after construction
  bool ok = false;

  explicit MacState(std::string_view key) {
    EVP_MD* sha256 = EVP_MD_fetch(nullptr, "SHA256", nullptr);
    if (sha256 == nullptr) return;
    constexpr std::size_t kBlock = 64;
    unsigned char block[kBlock] = {};
    unsigned int len = 0;
    if (key.size() > kBlock) {
      if (EVP_Digest(key.data(), key.size(), block, &len, sha256, nullptr) != 1) {
        EVP_MD_free(sha256);
        return;
      }
    } else {
      std::memcpy(block, key.data(), key.size());
    }
    unsigned char ipad[kBlock], opad[kBlock];
    for (std::size_t i = 0; i < kBlock; ++i) {
      ipad[i] = block[i] ^ 0x36;
      opad[i] = block[i] ^ 0x5c;
    }
    inner = EVP_MD_CTX_new();
    outer = EVP_MD_CTX_new();
    ok = inner != nullptr && outer != nullptr && EVP_DigestInit_ex2(inner, sha256, nullptr) == 1 &&
         EVP_DigestUpdate(inner, ipad, kBlock) == 1 && EVP_DigestInit_ex2(outer, sha256, nullptr) == 1 &&
         EVP_DigestUpdate(outer, opad, kBlock) == 1;
    OPENSSL_cleanse(block, kBlock);
    OPENSSL_cleanse(ipad, kBlock);
    OPENSSL_cleanse(opad, kBlock);
    EVP_MD_free(sha256);  // the contexts hold their own references
  }
  ~MacState() {
    EVP_MD_CTX_free(inner);
    EVP_MD_CTX_free(outer);
  }
  MacState(const MacState&) = delete;
  MacState& operator=(const MacState&) = delete;

  // The first kMacSize bytes of HMAC-SHA256(key, data[0, n)). Thread-safe:
  // the keyed states are only read; each thread works in its own context.
  bool compute(const unsigned char* data, std::size_t n, unsigned char* mac) const {
    struct Scratch {
      EVP_MD_CTX* ctx = EVP_MD_CTX_new();
      ~Scratch() { EVP_MD_CTX_free(ctx); }
    };
    thread_local Scratch scratch;
    if (!ok || scratch.ctx == nullptr) return false;
    unsigned char digest[EVP_MAX_MD_SIZE];
    unsigned int len = 0;
    if (EVP_MD_CTX_copy_ex(scratch.ctx, inner) != 1 || EVP_DigestUpdate(scratch.ctx, data, n) != 1 ||
        EVP_DigestFinal_ex(scratch.ctx, digest, &len) != 1 || EVP_MD_CTX_copy_ex(scratch.ctx, outer) != 1 ||
        EVP_DigestUpdate(scratch.ctx, digest, len) != 1 || EVP_DigestFinal_ex(scratch.ctx, digest, &len) != 1 ||
        len < kMacSize) {
      return false;
    }
    std::memcpy(mac, digest, kMacSize);
    return true;
  }
};

ShardIteratorCodec::ShardIteratorCodec(std::string key) : mac_(std::make_shared<const MacState>(key)) {
  OPENSSL_cleanse(key.data(), key.size());
  if (!mac_->ok) {
    // SHA-256 is in every OpenSSL provider set, FIPS included; without it
    // no iterator could ever verify.
    std::fprintf(stderr, "runnel: cannot set up HMAC-SHA256 for shard iterators\n");
    std::abort();
  }
}

std::string ShardIteratorCodec::encode(const IteratorPosition& pos, std::size_t stream_name_length) const {
  std::array<unsigned char, kMaxSize> buf{};
  const std::size_t n = size_for_name_length(stream_name_length);
  std::memcpy(buf.data(), kPrefix.data(), kPrefix.size());
  buf[kVersionAt] = kFormatVersion;
  put_be(buf.data() + kStreamUidAt, pos.stream_uid, 8);
  put_be(buf.data() + kShardIndexAt, pos.shard_index, 4);
  put_be(buf.data() + kCounterAt, pos.counter, 8);
  put_be(buf.data() + kIssuedAt, static_cast<uint64_t>(pos.issued_ms), 8);
  if (!mac_->compute(buf.data(), n - kMacSize, buf.data() + n - kMacSize)) {
    // HMAC-SHA256 over a few hundred bytes fails only if OpenSSL is broken;
    // an iterator with a zero MAC never verifies, so the client gets
    // "Invalid ShardIterator." on its next call rather than a wrong read.
    std::memset(buf.data() + n - kMacSize, 0, kMacSize);
  }
  return base64_encode(buf.data(), n);
}

std::optional<IteratorPosition> ShardIteratorCodec::decode(std::string_view iterator) const {
  if (iterator.size() >= 2 && iterator.front() == '"' && iterator.back() == '"') {
    iterator = iterator.substr(1, iterator.size() - 2);
  }
  if (iterator.size() > kMaxShardIteratorLength) return std::nullopt;
  std::array<unsigned char, kMaxSize> buf{};
  std::size_t n = 0;
  if (!base64_decode(iterator, buf.data(), buf.size(), n)) return std::nullopt;
  if (n < kMinSize || n > kMaxSize || (n - kMinSize) % kSizeStep != 0) return std::nullopt;
  if (std::memcmp(buf.data(), kPrefix.data(), kPrefix.size()) != 0) return std::nullopt;
  if (buf[kVersionAt] != kFormatVersion) return std::nullopt;
  unsigned char mac[kMacSize];
  if (!mac_->compute(buf.data(), n - kMacSize, mac)) return std::nullopt;
  if (CRYPTO_memcmp(mac, buf.data() + n - kMacSize, kMacSize) != 0) return std::nullopt;
  for (std::size_t i = kPaddingAt; i < n - kMacSize; ++i) {
    if (buf[i] != 0) return std::nullopt;
  }
  IteratorPosition pos;
  pos.stream_uid = get_be(buf.data() + kStreamUidAt, 8);
  pos.shard_index = static_cast<uint32_t>(get_be(buf.data() + kShardIndexAt, 4));
  pos.counter = get_be(buf.data() + kCounterAt, 8);
  pos.issued_ms = static_cast<int64_t>(get_be(buf.data() + kIssuedAt, 8));
  return pos;
}

std::string java_utc_date_string(int64_t epoch_ms) {
  static constexpr const char* kDays[] = {"Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"};
  static constexpr const char* kMonths[] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                            "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
  // Floor division, so times before 1970 land in the right second.
  int64_t secs = epoch_ms / 1000;
  if (epoch_ms % 1000 < 0) --secs;
  const std::time_t t = static_cast<std::time_t>(secs);
  std::tm tm{};
  if (gmtime_r(&t, &tm) == nullptr || tm.tm_wday < 0 || tm.tm_wday > 6 || tm.tm_mon < 0 || tm.tm_mon > 11) {
    return std::to_string(epoch_ms);
  }
  char buf[64];
  std::snprintf(buf, sizeof buf, "%s %s %02d %02d:%02d:%02d UTC %04lld", kDays[tm.tm_wday], kMonths[tm.tm_mon],
                tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec, static_cast<long long>(tm.tm_year) + 1900);
  return buf;
}

std::string iterator_expired_message(int64_t issued_ms, int64_t now_ms) {
  return "Iterator expired. The iterator was created at time " + java_utc_date_string(issued_ms) +
         " while right now it is " + java_utc_date_string(now_ms) +
         " which is further in the future than the tolerated delay of " + std::to_string(kIteratorLifetimeMs) +
         " milliseconds.";
}

namespace {

std::string errno_text(const std::string& what, const std::string& path) {
  return what + " " + path + ": " + std::strerror(errno);
}

// Reads the whole key file at `path`. nullopt with errno == ENOENT when it
// does not exist.
Result<std::optional<std::string>> read_key_file(const std::string& path) {
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) {
    if (errno == ENOENT) return std::optional<std::string>();
    return error(Status::io_error(errno_text("cannot open iterator key", path)));
  }
  std::string key;
  char buf[kIteratorKeySize + 1];
  for (;;) {
    const ssize_t r = ::read(fd, buf, sizeof buf);
    if (r < 0 && errno == EINTR) continue;
    if (r < 0) {
      const Status s = Status::io_error(errno_text("cannot read iterator key", path));
      ::close(fd);
      return error(s);
    }
    if (r == 0) break;
    key.append(buf, static_cast<std::size_t>(r));
    if (key.size() > kIteratorKeySize) break;
  }
  ::close(fd);
  if (key.size() != kIteratorKeySize) {
    return error(Status::corruption("iterator key " + path + " is not exactly " + std::to_string(kIteratorKeySize) +
                                    " bytes; remove it to make a new one (this invalidates every issued iterator)"));
  }
  return std::optional<std::string>(std::move(key));
}

Status write_all_and_sync(int fd, const std::string& data, const std::string& path) {
  std::size_t done = 0;
  while (done < data.size()) {
    const ssize_t w = ::write(fd, data.data() + done, data.size() - done);
    if (w < 0 && errno == EINTR) continue;
    if (w < 0) return Status::io_error(errno_text("cannot write", path));
    done += static_cast<std::size_t>(w);
  }
  if (::fsync(fd) != 0) return Status::io_error(errno_text("cannot fsync", path));
  return Status::ok();
}

Status sync_directory_of(const std::string& path) {
  const auto slash = path.rfind('/');
  const std::string dir = slash == std::string::npos ? "." : (slash == 0 ? "/" : path.substr(0, slash));
  const int fd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0) return Status::io_error(errno_text("cannot open directory", dir));
  const int rc = ::fsync(fd);
  const int saved = errno;
  ::close(fd);
  errno = saved;
  if (rc != 0) return Status::io_error(errno_text("cannot fsync directory", dir));
  return Status::ok();
}

}  // namespace

Result<std::string> load_or_create_iterator_key(const std::string& path) {
  auto existing = read_key_file(path);
  if (!existing) return error(existing.error());
  if (std::optional<std::string>& found = *existing; found.has_value()) return std::move(*found);

  std::string key(kIteratorKeySize, '\0');
  if (RAND_bytes(reinterpret_cast<unsigned char*>(key.data()), static_cast<int>(key.size())) != 1) {
    return error(Status::aborted("OpenSSL RAND_bytes failed while creating the iterator key"));
  }
  // Write a private temporary file, then link it into place: `path` either
  // does not exist or holds a complete, synced key, even across a crash; and
  // link (unlike rename) fails when another process created the key first.
  const std::string tmp = path + ".tmp." + std::to_string(::getpid());
  const int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
  if (fd < 0) return error(Status::io_error(errno_text("cannot create", tmp)));
  Status s = Status::ok();
  if (::fchmod(fd, 0600) != 0) s = Status::io_error(errno_text("cannot chmod", tmp));
  if (s.is_ok()) s = write_all_and_sync(fd, key, tmp);
  if (::close(fd) != 0 && s.is_ok()) s = Status::io_error(errno_text("cannot close", tmp));
  if (!s.is_ok()) {
    ::unlink(tmp.c_str());
    return error(s);
  }
  bool lost_race = false;
  if (::link(tmp.c_str(), path.c_str()) != 0) {
    if (errno == EEXIST) {
      lost_race = true;
    } else if (::rename(tmp.c_str(), path.c_str()) != 0) {
      // A file system without hard links: rename instead (no race guard).
      s = Status::io_error(errno_text("cannot move the iterator key into place at", path));
      ::unlink(tmp.c_str());
      return error(s);
    }
  }
  ::unlink(tmp.c_str());  // after rename it is already gone; ENOENT is fine
  if (lost_race) {
    auto theirs = read_key_file(path);
    if (!theirs) return error(theirs.error());
    std::optional<std::string>& found = *theirs;
    if (!found.has_value()) return error(Status::io_error("iterator key " + path + " vanished while being created"));
    return std::move(*found);
  }
  if (Status synced = sync_directory_of(path); !synced.is_ok()) return error(synced);
  return key;
}

}  // namespace runnel::streams
