#pragma once
// The web console's paths on the server's port (docs/console.md): the built
// single-page app under /console/, its settings at /console/config.json,
// and a redirect from / for browsers. The app itself talks to runnel only
// through the public AWS APIs, with the AWS SDK for JavaScript in the page;
// nothing here gives it more than a user's own code has.
//
// Threads: the routes are built on the main thread before the server starts;
// their handlers then run on net/ threads, concurrently, and only read.

#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "console/embedded.h"
#include "protocol/service.h"

namespace runnel::console {

struct ConsoleOptions {
  // Serve the app from this folder (a console/dist being developed) instead
  // of the files compiled in; empty: the compiled-in files.
  std::string dir;
  // What /console/config.json tells the page.
  bool auth = false;  // a credentials file is configured: the page asks for keys
  std::string region;
  std::string account_id;  // said only when auth is off
  std::string version;
  int64_t started_at_ms = 0;
  std::vector<std::string> services;  // signing names of the services served ("kinesis", ...)
};

// The console's routes. `files` are the built app's files (embedded_files()
// in the server); they must outlive the routes.
std::vector<protocol::LocalRoute> console_routes(const ConsoleOptions& options, std::span<const EmbeddedFile> files);

// The Content-Type for a file name, by its extension.
std::string_view content_type_for(std::string_view path);

// Whether a path below /console/ is one the console may serve: no empty,
// "." or ".." segments, no backslash, percent sign or control character.
bool safe_relative_path(std::string_view path);

}  // namespace runnel::console
