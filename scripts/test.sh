#!/usr/bin/env bash
# The whole suite, as `make test` and CI run it:
#   0. the layout of src/ against .clang-format, and the thread-safety
#      annotations of the folders that use common/mutex.h (clang++ -Wthread-safety)
#   1. the web console's build (npm, Vite; compiled into the binary) and its
#      Vitest unit tests; release build, unit tests (GoogleTest via ctest)
#   2. end-to-end suites against the real binary (boto3, AWS CLI, JS SDK v3,
#      CBOR, bad input, kill -9 crash test)
#   3. a few seconds of `runnel bench` (the load tool must keep working)
#   4. ASan+UBSan build, unit tests again
#   5. libFuzzer targets, a few seconds each
set -euo pipefail
cd "$(dirname "$0")/.."
# ccache: paths relative to the checkout, so every clone shares one cache.
export CCACHE_BASEDIR="$PWD" CCACHE_NOHASHDIR=1
JOBS=${JOBS:-$(nproc)}
step() { printf '\n=== %s ===\n' "$*"; }

step "layout (.clang-format)"
bash scripts/check-format.sh

step "thread-safety annotations (clang++ -Wthread-safety)"
bash scripts/check-thread-safety.sh

step "console: npm build and Vitest unit tests (console/)"
bash scripts/build-console.sh
(cd console && npm test --silent)

step "release build"
cmake --preset release >/dev/null
cmake --build --preset release -j "$JOBS"

step "unit tests (release)"
ctest --test-dir build/release -L unit --output-on-failure -j "$JOBS"

step "end-to-end tests"
bash tests/e2e/run.sh build/release/runnel

step "runnel bench smoke"
bash scripts/bench-smoke.sh build/release/runnel

step "ASan+UBSan build and unit tests"
cmake --preset asan >/dev/null
cmake --build --preset asan -j "$JOBS"
ASAN_OPTIONS=detect_leaks=1 UBSAN_OPTIONS=print_stacktrace=1 \
  ctest --test-dir build/asan -L unit --output-on-failure -j "$JOBS"

step "fuzz smoke (libFuzzer, ${FUZZ_SECONDS:-10}s per target)"
bash scripts/fuzz-smoke.sh "${FUZZ_SECONDS:-10}"

step "all tests passed"
