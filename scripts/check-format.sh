#!/usr/bin/env bash
# Fails when a C++ file under src/ is not laid out as .clang-format says.
# `scripts/check-format.sh --fix` reformats them instead. Needs clang-format
# (Debian's, 14, is on every machine of this kind; install-deps adds it).
set -euo pipefail
cd "$(dirname "$0")/.."
fmt=$(command -v clang-format-14 || command -v clang-format || true)
[ -n "$fmt" ] || { echo "check-format: clang-format is not installed" >&2; exit 2; }
mapfile -t files < <(git ls-files 'src/*.cc' 'src/*.h')
if [ "${1:-}" = "--fix" ]; then
  "$fmt" -i "${files[@]}"
  exit 0
fi
if ! "$fmt" --dry-run --Werror "${files[@]}" 2>/tmp/check-format.$$; then
  grep -o '^[^:]*\.\(cc\|h\)' /tmp/check-format.$$ | sort -u | sed 's/^/not formatted: /' >&2
  rm -f /tmp/check-format.$$
  echo "check-format: run scripts/check-format.sh --fix" >&2
  exit 1
fi
rm -f /tmp/check-format.$$
echo "check-format: ${#files[@]} files laid out as .clang-format says"
