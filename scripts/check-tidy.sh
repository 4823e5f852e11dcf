#!/usr/bin/env bash
# Runs clang-tidy (.clang-tidy's checks) over C++ sources, with the flags of
# the release build's compile_commands.json. Usage:
#   scripts/check-tidy.sh [FILE...]     default: the .cc files changed since origin/main (or HEAD~1)
# Needs clang-tidy-16 (Debian: apt-get install clang-tidy-16; not needed by make test) and a configured
# release build (cmake --preset release).
set -euo pipefail
cd "$(dirname "$0")/.."
tidy=$(command -v clang-tidy-16 || true)
[ -n "$tidy" ] || { echo "check-tidy: clang-tidy-16 is not installed" >&2; exit 2; }
[ -f build/release/compile_commands.json ] || cmake --preset release >/dev/null
if [ $# -eq 0 ]; then
  base=$(git rev-parse -q --verify origin/main || git rev-parse HEAD~1)
  mapfile -t files < <(git diff --name-only "$base" -- 'src/*.cc' | grep -v '_fuzz\.cc$' || true)
else
  files=("$@")
fi
[ ${#files[@]} -gt 0 ] || { echo "check-tidy: nothing to check"; exit 0; }
# libstdc++ 12's <expected> wants __cpp_concepts >= 202002, which clang 16
# implements but does not advertise (as in the fuzz build, CMakeLists.txt);
# clang 16 spells C++23 c++2b. The macro is undefined first: clang-tidy
# reports a redefinition on the command line as an error whatever
# -Wno-macro-redefined and .clang-tidy say, failing every file.
args=(-p build/release --quiet --extra-arg=-std=c++2b --extra-arg=-U__cpp_concepts
  --extra-arg=-D__cpp_concepts=202002L --extra-arg=-Wno-unknown-warning-option)
tests=()
others=()
for f in "${files[@]}"; do
  if [[ $f == *_test.cc ]]; then tests+=("$f"); else others+=("$f"); fi
done
rc=0
[ ${#others[@]} -eq 0 ] || "$tidy" "${args[@]}" "${others[@]}" || rc=1
# In tests (*_test.cc), two families are off: bugprone-unchecked-optional-access,
# because clang-tidy 16 does not know that ASSERT_TRUE(x.has_value()) returns
# when it fails and flags every x-> after one (a test that dereferences an
# empty optional crashes, which fails it anyway); and performance-*, which
# asks tests to reserve() their vector of four threads: tests are no hot path.
[ ${#tests[@]} -eq 0 ] ||
  "$tidy" "${args[@]}" --checks=-bugprone-unchecked-optional-access,-performance-* "${tests[@]}" || rc=1
exit $rc
