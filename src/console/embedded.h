#pragma once
// The console's built files (console/dist, made by npm with Vite), compiled
// into the binary at build time by tools/embed_files.py, so a server needs
// no Node.js to serve them (docs/console.md).

#include <span>
#include <string_view>

namespace runnel::console {

struct EmbeddedFile {
  std::string_view path;  // relative to dist/, '/'-separated: "index.html", "assets/index-1a2b.js"
  std::string_view body;
};

// Every built file, sorted by path; empty when the console was not built.
std::span<const EmbeddedFile> embedded_files();

}  // namespace runnel::console
