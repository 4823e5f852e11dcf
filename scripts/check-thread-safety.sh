#!/usr/bin/env bash
# Checks Clang's thread-safety annotations (src/common/thread_annotations.h,
# src/common/mutex.h): compiles every source of the annotated folders,
# tests included, with clang++ -fsyntax-only -Wthread-safety -Werror and the
# release build's flags (its compile_commands.json). Fails on state read or
# written without the lock that GUARDED_BY names, on a call to a REQUIRES
# function without the lock, on a lock not released, and the like.
# g++, which builds runnel, ignores the annotations: this is what checks them.
#
# Usage: scripts/check-thread-safety.sh [FOLDER...]   (default: $kFolders)
# Needs clang++-16 (Debian's clang-16, installed by scripts/install-deps.sh).
# Before it checks the tree, it checks itself: a probe with one unguarded
# access must fail with a -Wthread-safety-analysis error, so a broken setup
# (say, the annotations expanding to nothing) cannot pass silently.
set -euo pipefail
cd "$(dirname "$0")/.."
kFolders=(common storage metrics cloudwatch server net protocol streams bench s3 firehose glue analytics video)  # annotated with common/mutex.h
folders=("$@")
[ ${#folders[@]} -gt 0 ] || folders=("${kFolders[@]}")
clangxx=$(command -v clang++-16 || true)
[ -n "$clangxx" ] || { echo "check-thread-safety: clang++-16 is not installed (apt-get install clang-16)" >&2; exit 2; }

# Configure (cheap when nothing changed) so that new files are in the
# compile database, and generate the headers the folders include (the
# service shapes, of every library: the folders include each other's
# headers; orc/'s protobuf messages) when a fresh checkout has not built them yet: only their
# generator's command, not the libraries ninja would build before it.
export CCACHE_BASEDIR="$PWD" CCACHE_NOHASHDIR=1
cmake --preset release >/dev/null
while read -r header; do
  [ -f "build/release/$header" ] || sh -c "$(ninja -C build/release -t commands -s "$header")" >/dev/null
done < <(ninja -C build/release -t targets all | grep -oE "^gen/(runnel_[a-z_]*/[^:]*\.h|[a-z_]*/[^:]*\.pb\.h)" || true)

# libstdc++ 12's <expected> wants __cpp_concepts >= 202002, which clang 16
# implements but does not advertise (as in the fuzz build, CMakeLists.txt);
# clang 16 spells C++23 c++2b. Only the database's -I/-isystem/-D flags are
# kept: its warning flags are g++'s.
flags=(-fsyntax-only -Wthread-safety -Werror -std=c++2b -D__cpp_concepts=202002L -Wno-macro-redefined)

probe=$(mktemp --suffix=.cc)
trap 'rm -f "$probe" "$probe.args"' EXIT
cat >"$probe" <<'EOF'
#include "common/mutex.h"
struct Probe {
  runnel::Mutex mu;
  int guarded GUARDED_BY(mu) = 0;
  int read() { return guarded; }  // no lock: must not compile
};
EOF
if probe_out=$("$clangxx" "${flags[@]}" -Isrc "$probe" 2>&1) || ! grep -q 'Wthread-safety-analysis' <<<"$probe_out"; then
  echo "check-thread-safety: an unguarded access was not reported: the analysis is not on" >&2
  echo "$probe_out" >&2
  exit 1
fi

# One line per source: its directory, then the clang++ arguments (the
# database's -I, -isystem and -D flags, and the file).
python3 - "${folders[@]}" >"$probe.args" <<'EOF'
import json, shlex, sys
folders = tuple(f"/src/{f}/" for f in sys.argv[1:])
for e in json.load(open("build/release/compile_commands.json")):
    if not any(f in e["file"] for f in folders):
        continue
    args = e.get("arguments") or shlex.split(e["command"])
    keep, i = [], 1
    while i < len(args):
        a = args[i]
        if a in ("-I", "-isystem", "-D"):
            keep += args[i:i + 2]
            i += 2
            continue
        if a.startswith(("-I", "-isystem", "-D")):
            keep.append(a)
        i += 1
    print(shlex.quote(e["directory"]), *map(shlex.quote, keep), shlex.quote(e["file"]))
EOF
count=$(wc -l <"$probe.args")
[ "$count" -gt 0 ] || { echo "check-thread-safety: no sources of ${folders[*]} in the compile database" >&2; exit 1; }
# Each line: cd to its directory and compile; xargs fails if any does. (The
# flags have no spaces, so they travel as one word-split string.)
export clangxx flags_str="${flags[*]}"
# shellcheck disable=SC2016
if ! xargs -P "${JOBS:-$(nproc)}" -L 1 bash -c 'cd "$0" && "$clangxx" $flags_str "$@"' <"$probe.args"; then
  echo "check-thread-safety: fix the accesses above (common/mutex.h says how to annotate)" >&2
  exit 1
fi
echo "check-thread-safety: $count sources of ${folders[*]} pass -Wthread-safety"
