#!/usr/bin/env bash
# The Redshift destination's load against `psql \copy` of the same file, in
# the same run, on a throwaway PostgreSQL 15 (scripts/pg-cluster.sh):
# src/firehose/redshift_benchmark.cc says what each benchmark times.
#   scripts/bench-copy.sh [path-to-runnel_firehose_benchmarks] [benchmark flags...]
# Builds the bench preset's binary first when no path is given and it is missing.
set -euo pipefail
cd "$(dirname "$0")/.."
BIN="${1:-build/bench/runnel_firehose_benchmarks}"
[ $# -gt 0 ] && shift
if [ ! -x "$BIN" ]; then
  cmake --preset bench >/dev/null
  nice cmake --build --preset bench -j2 --target runnel_firehose_benchmarks
fi
exec scripts/pg-cluster.sh run "$BIN" --benchmark_filter='BM_RedshiftLoad|BM_Psql' \
  --benchmark_min_time=2 --benchmark_repetitions=3 --benchmark_report_aggregates_only=true "$@"
