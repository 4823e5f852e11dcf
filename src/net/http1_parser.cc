#include "net/http1_parser.h"

#include <algorithm>
#include <utility>

namespace runnel::net {
namespace {

constexpr size_t kMaxChunkLineBytes = 1024;
constexpr std::string_view kCrlf = "\r\n";

// RFC 9110 tchar.
bool is_tchar(unsigned char c) {
  if (c >= '0' && c <= '9') return true;
  if ((c | 0x20) >= 'a' && (c | 0x20) <= 'z') return true;
  switch (c) {
    case '!':
    case '#':
    case '$':
    case '%':
    case '&':
    case '\'':
    case '*':
    case '+':
    case '-':
    case '.':
    case '^':
    case '_':
    case '`':
    case '|':
    case '~': return true;
    default: return false;
  }
}

bool is_token(std::string_view s) {
  return !s.empty() && std::all_of(s.begin(), s.end(), [](char c) { return is_tchar(c); });
}

// field-vchar / SP / HTAB, obs-text allowed.
bool is_field_value_char(unsigned char c) { return c == '\t' || (c >= 0x20 && c != 0x7f); }

char ascii_lower(char c) { return (c >= 'A' && c <= 'Z') ? static_cast<char>(c + 32) : c; }

bool iequals(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i)
    if (ascii_lower(a[i]) != ascii_lower(b[i])) return false;
  return true;
}

std::string_view trim_ows(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

// Calls fn(token) for each trimmed, non-empty element of a comma-separated list.
template <class Fn>
void for_each_list_element(std::string_view list, Fn&& fn) {
  while (!list.empty()) {
    size_t comma = list.find(',');
    std::string_view element = trim_ows(list.substr(0, comma));
    if (!element.empty()) fn(element);
    if (comma == std::string_view::npos) break;
    list.remove_prefix(comma + 1);
  }
}

bool parse_decimal(std::string_view s, uint64_t* out) {
  if (s.empty() || s.size() > 19) return false;  // 19 digits always fit in uint64_t
  uint64_t v = 0;
  for (char c : s) {
    if (c < '0' || c > '9') return false;
    v = v * 10 + static_cast<uint64_t>(c - '0');
  }
  *out = v;
  return true;
}

int hex_value(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  char l = ascii_lower(c);
  if (l >= 'a' && l <= 'f') return l - 'a' + 10;
  return -1;
}

// Offset of the first bare LF, or CR followed by something other than LF, in
// `s` at or after `from` (a CR at the very end may still get its LF); npos if none.
size_t bad_line_break(std::string_view s, size_t from) {
  for (size_t i = s.find_first_of("\r\n", from); i != std::string_view::npos; i = s.find_first_of("\r\n", i + 1)) {
    if (s[i] == '\n' && (i == 0 || s[i - 1] != '\r')) return i;
    if (s[i] == '\r' && i + 1 < s.size() && s[i + 1] != '\n') return i;
  }
  return std::string_view::npos;
}

}  // namespace

Http1Parser::Http1Parser(Http1Limits limits) : limits_(limits) {}

Http1Parser::Result Http1Parser::fail(int status, std::string message, uint64_t body_bytes) {
  state_ = State::kError;
  error_ = Http1Error{status, std::move(message), body_bytes};
  return Result::kError;
}

bool Http1Parser::reject(int status, std::string message, uint64_t body_bytes) {
  fail(status, std::move(message), body_bytes);
  return false;
}

Http1Parser::Result Http1Parser::feed(std::string_view input, size_t* consumed) {
  *consumed = 0;
  switch (state_) {
    case State::kHead: return parse_head(input, consumed);
    case State::kDone: return Result::kRequestDone;
    case State::kError: return Result::kError;
    default: return parse_body(input, consumed);
  }
}

HttpRequest Http1Parser::take_request() {
  HttpRequest out = std::move(request_);
  request_ = HttpRequest{};
  state_ = State::kHead;
  scanned_ = 0;
  trailer_bytes_ = 0;
  remaining_ = 0;
  declared_length_ = 0;
  http_minor_ = 1;
  keep_alive_ = true;
  expects_continue_ = false;
  streaming_ = false;
  return out;
}

Http1Parser::Result Http1Parser::parse_head(std::string_view input, size_t* consumed) {
  // RFC 9112 2.2: ignore empty lines before the request line.
  size_t skip = 0;
  while (input.size() - skip >= 2 && input[skip] == '\r' && input[skip + 1] == '\n') skip += 2;
  if (skip > 0) scanned_ = 0;
  input.remove_prefix(skip);
  *consumed = skip;

  size_t from = scanned_ > 3 ? scanned_ - 3 : 0;
  size_t end = input.find("\r\n\r\n", from);
  size_t checked = end == std::string_view::npos ? input.size() : end + 4;
  if (bad_line_break(input.substr(0, checked), from > 0 ? from - 1 : 0) != std::string_view::npos)
    return fail(400, "Request head lines must end in CRLF");
  if (end == std::string_view::npos) {
    if (input.size() > limits_.max_header_bytes)
      return fail(431, "Request header section exceeds " + std::to_string(limits_.max_header_bytes) + " bytes");
    scanned_ = input.size();
    return Result::kNeedMore;
  }
  size_t head_len = end + 4;
  if (head_len > limits_.max_header_bytes)
    return fail(431, "Request header section exceeds " + std::to_string(limits_.max_header_bytes) + " bytes");

  std::string_view block = input.substr(0, end + 2);  // every line ends in CRLF
  size_t line_end = block.find(kCrlf);
  if (!parse_request_line(block.substr(0, line_end))) return Result::kError;
  block.remove_prefix(line_end + 2);
  while (!block.empty()) {
    line_end = block.find(kCrlf);
    if (!parse_header_line(block.substr(0, line_end))) return Result::kError;
    block.remove_prefix(line_end + 2);
  }
  if (!finish_headers()) return Result::kError;
  scanned_ = 0;
  *consumed += head_len;
  return Result::kHeadersDone;
}

bool Http1Parser::parse_request_line(std::string_view line) {
  size_t sp1 = line.find(' ');
  if (sp1 == std::string_view::npos) return reject(400, "Malformed request line");
  size_t sp2 = line.find(' ', sp1 + 1);
  if (sp2 == std::string_view::npos) return reject(400, "Malformed request line");
  std::string_view method = line.substr(0, sp1);
  std::string_view target = line.substr(sp1 + 1, sp2 - sp1 - 1);
  std::string_view version = line.substr(sp2 + 1);
  if (!is_token(method)) return reject(400, "Malformed request method");
  if (target.empty() || !std::all_of(target.begin(), target.end(), [](char c) {
        auto u = static_cast<unsigned char>(c);
        return u > 0x20 && u != 0x7f;
      }))
    return reject(400, "Malformed request target");

  if (version.size() != 8 || version.substr(0, 5) != "HTTP/" || version[6] != '.' || version[5] < '0' ||
      version[5] > '9' || version[7] < '0' || version[7] > '9')
    return reject(400, "Malformed HTTP version");
  if (version[5] != '1') return reject(505, "HTTP version not supported");
  http_minor_ = version[7] - '0';
  keep_alive_ = http_minor_ >= 1;

  if (target.front() != '/' && target != "*") {
    // absolute-form: keep the path and query, drop scheme and authority.
    size_t scheme_end = target.find("://");
    if (scheme_end == std::string_view::npos ||
        !(iequals(target.substr(0, scheme_end), "http") || iequals(target.substr(0, scheme_end), "https")))
      return reject(400, "Malformed request target");
    size_t slash = target.find('/', scheme_end + 3);
    target = slash == std::string_view::npos ? std::string_view("/") : target.substr(slash);
  }
  size_t q = target.find('?');
  request_.method.assign(method);
  request_.path.assign(target.substr(0, q));
  if (q != std::string_view::npos) request_.query.assign(target.substr(q + 1));
  return true;
}

bool Http1Parser::parse_header_line(std::string_view line) {
  if (line.empty()) return reject(400, "Malformed header line");
  if (line.front() == ' ' || line.front() == '\t') return reject(400, "Obsolete header line folding");
  size_t colon = line.find(':');
  if (colon == std::string_view::npos) return reject(400, "Malformed header line");
  std::string_view name = line.substr(0, colon);
  if (!is_token(name)) return reject(400, "Malformed header name");
  std::string_view value = trim_ows(line.substr(colon + 1));
  if (!std::all_of(value.begin(), value.end(), [](char c) { return is_field_value_char(c); }))
    return reject(400, "Invalid character in header value");
  if (request_.headers.size() >= limits_.max_header_count) return reject(431, "Too many request headers");
  Header h;
  h.name.resize(name.size());
  std::transform(name.begin(), name.end(), h.name.begin(), ascii_lower);
  h.value.assign(value);
  request_.headers.push_back(std::move(h));
  return true;
}

bool Http1Parser::finish_headers() {
  bool have_length = false;
  bool chunked = false;
  bool have_te = false;
  size_t hosts = 0;
  uint64_t length = 0;
  for (const Header& h : request_.headers) {
    if (h.name == "content-length") {
      uint64_t v = 0;
      if (!parse_decimal(h.value, &v)) return reject(400, "Invalid Content-Length");
      if (have_length && v != length) return reject(400, "Conflicting Content-Length values");
      have_length = true;
      length = v;
    } else if (h.name == "transfer-encoding") {
      bool bad = false;
      for_each_list_element(h.value, [&](std::string_view coding) {
        // Only "chunked", and it must be the one and only coding.
        if (!iequals(coding, "chunked") || chunked) bad = true;
        chunked = true;
      });
      if (bad) return reject(501, "Unsupported Transfer-Encoding");
      have_te = true;
    } else if (h.name == "connection") {
      for_each_list_element(h.value, [&](std::string_view option) {
        if (iequals(option, "close"))
          keep_alive_ = false;
        else if (iequals(option, "keep-alive") && http_minor_ == 0)
          keep_alive_ = true;
      });
    } else if (h.name == "host") {
      ++hosts;
    } else if (h.name == "expect") {
      if (iequals(h.value, "100-continue") && http_minor_ >= 1) expects_continue_ = true;
    }
  }
  if (have_te && !chunked) return reject(400, "Empty Transfer-Encoding");
  if (have_te && have_length) return reject(400, "Both Content-Length and Transfer-Encoding");
  if (hosts > 1) return reject(400, "More than one Host header");
  if (hosts == 0 && http_minor_ >= 1 && limits_.require_host) return reject(400, "Missing Host header");
  if (have_te && http_minor_ == 0) keep_alive_ = false;  // RFC 9112 6.1: answer, then close
  if (chunked) {
    state_ = State::kChunkSize;
  } else if (length > 0) {
    // Over max_body_bytes: 413 at the next feed(), unless the body is streamed.
    remaining_ = length;
    declared_length_ = length;
    state_ = State::kBody;
  } else {
    state_ = State::kDone;
  }
  return true;
}

Http1Parser::Result Http1Parser::parse_body(std::string_view input, size_t* consumed) {
  size_t pos = 0;
  auto need_more = [&](bool partial_line) {
    scanned_ = partial_line ? input.size() - pos : 0;
    *consumed = pos;
    return Result::kNeedMore;
  };
  // Finds the CRLF ending the line at pos, resuming where the last call stopped.
  size_t line_from = 0;  // where find_line_end() started searching
  auto find_line_end = [&]() {
    line_from = pos + (scanned_ > 1 ? scanned_ - 1 : 0);
    scanned_ = 0;
    return input.find(kCrlf, line_from);
  };
  auto bad_line = [&]() {
    return bad_line_break(input.substr(pos), line_from > pos ? line_from - pos - 1 : 0) != std::string_view::npos;
  };

  if (state_ == State::kBody && !streaming_ && request_.body.empty()) {
    if (declared_length_ > limits_.max_body_bytes) return fail(413, "Request body too large", declared_length_);
    // A declared length is not trusted with more than 1 MiB up front; once
    // that much has arrived, the body grows to its full size in one step.
    size_t first = static_cast<size_t>(std::min<uint64_t>(declared_length_, 1 << 20)) + kBodyPadding;
    if (request_.body.capacity() < first) request_.body.reserve(first);
  }
  while (true) {
    switch (state_) {
      case State::kBody:
      case State::kChunkData: {
        size_t take = static_cast<size_t>(std::min<uint64_t>(remaining_, input.size() - pos));
        std::string& body = request_.body;
        if (state_ == State::kBody && !streaming_ && body.size() + take > body.capacity())
          body.reserve(body.size() + remaining_ + kBodyPadding);
        body.append(input.data() + pos, take);
        pos += take;
        remaining_ -= take;
        if (remaining_ > 0) return need_more(false);
        state_ = state_ == State::kBody ? State::kDone : State::kChunkDataEnd;
        break;
      }
      case State::kChunkDataEnd: {
        if (input.size() - pos < 2) return need_more(false);
        if (input.substr(pos, 2) != kCrlf) return fail(400, "Malformed chunk terminator");
        pos += 2;
        state_ = State::kChunkSize;
        break;
      }
      case State::kChunkSize: {
        size_t end = find_line_end();
        if (end == std::string_view::npos) {
          if (input.size() - pos > kMaxChunkLineBytes) return fail(400, "Chunk size line too long");
          if (bad_line()) return fail(400, "Chunk size line must end in CRLF");
          return need_more(true);
        }
        std::string_view line = input.substr(pos, end - pos);
        if (line.size() > kMaxChunkLineBytes) return fail(400, "Chunk size line too long");
        uint64_t size = 0;
        size_t i = 0;
        for (; i < line.size() && hex_value(line[i]) >= 0; ++i) {
          if (size > (UINT64_MAX >> 4)) return fail(400, "Chunk size overflows");
          size = (size << 4) | static_cast<uint64_t>(hex_value(line[i]));
        }
        if (i == 0) return fail(400, "Malformed chunk size");
        std::string_view rest = trim_ows(line.substr(i));
        if (!rest.empty() && rest.front() != ';') return fail(400, "Malformed chunk size");
        if (!std::all_of(rest.begin(), rest.end(), [](char c) { return is_field_value_char(c); }))
          return fail(400, "Invalid character in chunk extension");
        pos = end + 2;
        if (size == 0) {
          state_ = State::kTrailers;
          break;
        }
        uint64_t total = request_.body.size();
        if (!streaming_ && size > limits_.max_body_bytes - total)
          return fail(413, "Request body too large", total + size);
        remaining_ = size;
        state_ = State::kChunkData;
        break;
      }
      case State::kTrailers: {
        size_t end = find_line_end();
        if (end == std::string_view::npos) {
          if (trailer_bytes_ + (input.size() - pos) > limits_.max_header_bytes)
            return fail(431, "Request trailer section too large");
          if (bad_line()) return fail(400, "Trailer lines must end in CRLF");
          return need_more(true);
        }
        size_t line_len = end - pos;
        pos = end + 2;
        if (line_len == 0) {
          state_ = State::kDone;
          break;
        }
        trailer_bytes_ += line_len + 2;
        if (trailer_bytes_ > limits_.max_header_bytes) return fail(431, "Request trailer section too large");
        break;
      }
      case State::kDone:
        *consumed = pos;
        scanned_ = 0;
        return Result::kRequestDone;
      default: return fail(400, "Parser misuse");
    }
  }
}

}  // namespace runnel::net
