#!/usr/bin/env bash
# Builds the web console (console/, TypeScript + Vite) into console/dist,
# which the C++ build then compiles into the runnel binary
# (tools/embed_files.py, docs/console.md). Used by `make build`/`make run`
# and scripts/test.sh, before CMake. Installs the console's npm packages
# from its lockfile when they are missing or older than it, and rebuilds
# only when a source is newer than the last build.
set -euo pipefail
cd "$(dirname "$0")/../console"
if [ ! -d node_modules ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  npm ci --no-audit --no-fund --loglevel=error
fi
stamp=dist/index.html
if [ ! -f "$stamp" ] ||
   [ -n "$(find src index.html package.json package-lock.json tsconfig*.json vite.config.* public \
             -newer "$stamp" -print -quit 2>/dev/null)" ]; then
  npm run --silent build
fi
