#include "console/console.h"

#include <filesystem>
#include <fstream>
#include <map>
#include <memory>
#include <sstream>

#include "protocol/json_codec.h"
#include "protocol/value.h"

namespace runnel::console {
namespace {

constexpr std::string_view kPrefix = "/console/";

// What the page loads: its own files only, and its API calls to this origin.
// Vite's build puts no inline scripts in index.html; uPlot sets styles
// inline, hence 'unsafe-inline' for styles alone.
constexpr std::string_view kContentSecurityPolicy =
    "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data: blob:; "
    "connect-src 'self'; frame-ancestors 'none'; base-uri 'self'; form-action 'self'";

// Served when the binary was built without the console (no Node.js at build
// time): says so, and how to build it.
constexpr std::string_view kNotBuiltPage =
    "<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>runnel console</title></head>"
    "<body><h1>The runnel console was not built</h1>"
    "<p>This binary was built without the console's files (they need Node.js and npm at build time). "
    "Build them with <code>scripts/build-console.sh</code>, then rebuild runnel (<code>make build</code>), "
    "or serve a built folder with <code>runnel serve --console-dir console/dist</code>.</p>"
    "<p>The AWS APIs on this port work without it.</p></body></html>";

net::HttpResponse text_response(int status, std::string_view type, std::string body) {
  net::HttpResponse r;
  r.status = status;
  r.headers.push_back({"Content-Type", std::string(type)});
  r.headers.push_back({"X-Content-Type-Options", "nosniff"});
  r.body = std::move(body);
  return r;
}

net::HttpResponse redirect(int status, std::string location) {
  net::HttpResponse r;
  r.status = status;
  r.headers.push_back({"Location", std::move(location)});
  r.headers.push_back({"Content-Type", "text/plain; charset=utf-8"});
  r.body = "The runnel console is at /console/\n";
  return r;
}

net::HttpResponse file_response(std::string_view path, std::string body) {
  net::HttpResponse r = text_response(200, content_type_for(path), std::move(body));
  // Vite names what it emits under assets/ after the content's hash: such a
  // name never changes meaning. Everything else is checked on every load.
  if (path.starts_with("assets/")) {
    r.headers.push_back({"Cache-Control", "public, max-age=31536000, immutable"});
  } else {
    r.headers.push_back({"Cache-Control", "no-cache"});
  }
  if (path.ends_with(".html")) {
    r.headers.push_back({"Content-Security-Policy", std::string(kContentSecurityPolicy)});
    r.headers.push_back({"X-Frame-Options", "DENY"});
    r.headers.push_back({"Referrer-Policy", "no-referrer"});
  }
  return r;
}

net::HttpResponse not_found(std::string_view path) {
  return text_response(404, "text/plain; charset=utf-8",
                       "No such console file: " + std::string(kPrefix) + std::string(path) + "\n");
}

// Reads a regular file below `root`; nullopt when there is none.
std::optional<std::string> read_below(const std::filesystem::path& root, std::string_view relative) {
  std::error_code ec;
  std::filesystem::path full = root / std::filesystem::path(std::string(relative));
  if (!std::filesystem::is_regular_file(full, ec)) return std::nullopt;
  std::ifstream in(full, std::ios::binary);
  if (!in) return std::nullopt;
  std::ostringstream out;
  out << in.rdbuf();
  return std::move(out).str();
}

std::string config_json(const ConsoleOptions& o) {
  protocol::Value v = protocol::Object{};
  v.set("auth", o.auth);
  v.set("region", o.region);
  // With a credentials file the page is open to anyone who reaches the
  // port; it then says no more than an unsigned AWS request would learn.
  if (!o.auth) v.set("accountId", o.account_id);
  v.set("version", o.version);
  v.set("startedAt", o.started_at_ms);
  protocol::Array services;
  for (const std::string& s : o.services) services.emplace_back(s);
  v.set("services", std::move(services));
  return protocol::encode_json(v);
}

// A browser asking for the root page: GET / with no signature, accepting
// HTML. Anything signed (S3's ListBuckets) or not asking for HTML (an SDK,
// curl) keeps the AWS protocols' answer.
bool browser_at_root(const net::HttpRequest& req) {
  if (req.header("authorization")) return false;
  if (req.query.find("X-Amz-") != std::string::npos) return false;
  const std::string* accept = req.header("accept");
  return accept && accept->find("text/html") != std::string::npos;
}

}  // namespace

std::string_view content_type_for(std::string_view path) {
  static const std::map<std::string_view, std::string_view, std::less<>> kTypes = {
      {".html", "text/html; charset=utf-8"},
      {".js", "text/javascript; charset=utf-8"},
      {".mjs", "text/javascript; charset=utf-8"},
      {".css", "text/css; charset=utf-8"},
      {".json", "application/json"},
      {".map", "application/json"},
      {".svg", "image/svg+xml"},
      {".png", "image/png"},
      {".ico", "image/x-icon"},
      {".woff2", "font/woff2"},
      {".txt", "text/plain; charset=utf-8"},
      {".webmanifest", "application/manifest+json"},
  };
  size_t dot = path.rfind('.');
  size_t slash = path.rfind('/');
  if (dot != std::string_view::npos && (slash == std::string_view::npos || dot > slash)) {
    auto it = kTypes.find(path.substr(dot));
    if (it != kTypes.end()) return it->second;
  }
  return "application/octet-stream";
}

bool safe_relative_path(std::string_view path) {
  if (path.empty() || path.size() > 1024) return false;
  for (char c : path) {
    if (static_cast<unsigned char>(c) < 0x20 || c == 0x7f || c == '\\' || c == '%') return false;
  }
  size_t start = 0;
  while (start <= path.size()) {
    size_t end = path.find('/', start);
    if (end == std::string_view::npos) end = path.size();
    std::string_view segment = path.substr(start, end - start);
    if (segment.empty() || segment == "." || segment == "..") return false;
    start = end + 1;
  }
  return true;
}

std::vector<protocol::LocalRoute> console_routes(const ConsoleOptions& options, std::span<const EmbeddedFile> files) {
  std::vector<protocol::LocalRoute> routes;
  auto route = [&](std::string path, bool prefix, auto handle) {
    protocol::LocalRoute r;
    r.method = "GET";
    r.path = std::move(path);
    r.prefix = prefix;
    // The page and its settings load before it has any keys to sign with.
    r.open = true;
    r.handle = std::move(handle);
    routes.push_back(std::move(r));
    return &routes.back();
  };

  protocol::LocalRoute* root = route("/", false, [](const net::HttpRequest&, net::ResponseSink& sink) {
    sink.send(redirect(302, std::string(kPrefix)));
  });
  root->accepts = browser_at_root;
  route("/console", false,
        [](const net::HttpRequest&, net::ResponseSink& sink) { sink.send(redirect(301, std::string(kPrefix))); });

  auto config = std::make_shared<const std::string>(config_json(options));
  route(std::string(kPrefix) + "config.json", false, [config](const net::HttpRequest&, net::ResponseSink& sink) {
    net::HttpResponse r = text_response(200, "application/json", *config);
    r.headers.push_back({"Cache-Control", "no-store"});
    sink.send(std::move(r));
  });

  auto index = std::make_shared<const std::map<std::string_view, std::string_view, std::less<>>>([&] {
    std::map<std::string_view, std::string_view, std::less<>> m;
    for (const EmbeddedFile& f : files) m.emplace(f.path, f.body);
    return m;
  }());
  route(std::string(kPrefix), true, [index, dir = options.dir](const net::HttpRequest& req, net::ResponseSink& sink) {
    std::string_view rel = std::string_view(req.path).substr(kPrefix.size());
    if (rel.empty()) rel = "index.html";
    if (!safe_relative_path(rel)) {
      sink.send(not_found(rel));
      return;
    }
    if (!dir.empty()) {
      std::optional<std::string> body = read_below(dir, rel);
      sink.send(body ? file_response(rel, std::move(*body)) : not_found(rel));
      return;
    }
    if (index->empty() && rel == "index.html") {
      sink.send(file_response(rel, std::string(kNotBuiltPage)));
      return;
    }
    auto it = index->find(rel);
    sink.send(it != index->end() ? file_response(rel, std::string(it->second)) : not_found(rel));
  });
  return routes;
}

}  // namespace runnel::console
