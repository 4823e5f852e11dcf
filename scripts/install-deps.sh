#!/usr/bin/env bash
# Installs the Debian packages and npm modules runnel needs to build and test.
# Used by `make run`, `make test` and .ci/run alike. Idempotent: installs only
# what is missing.
set -euo pipefail
cd "$(dirname "$0")/.."

packages=(
  build-essential cmake ninja-build pkg-config libclang-rt-16-dev
  clang-16      # clang++-16: the fuzz preset, and scripts/check-thread-safety.sh (a step of scripts/test.sh)
  libssl-dev libsimdjson-dev libasio-dev libnghttp2-dev libspdlog-dev libfmt-dev
  libcli11-dev libsqlite3-dev zlib1g-dev libexpat1-dev libgtest-dev libgmock-dev libbenchmark-dev
  python3 python3-pytest python3-cbor2 python3-h2 curl openssl libcurl4-openssl-dev ccache
  clang-format  # scripts/check-format.sh, the first step of scripts/test.sh
  prometheus  # promtool checks the /metrics text in metrics/prometheus_test.cc; e2e scrapes /metrics with it
  libzip-dev libsnappy-dev libjq-dev  # Firehose: ZIP, Snappy/Hadoop-Snappy, JQ 1.6 (dynamic partitioning)
  libisal-dev  # Firehose: GZIP objects through ISA-L's igzip
  libpq-dev postgresql  # Firehose's Redshift destination: libpq, and PostgreSQL 15 in its tests (scripts/pg-cluster.sh)
  protobuf-compiler libprotobuf-dev  # orc/: the ORC file tail's protobuf messages (orc_proto.proto)
  libpcre2-dev  # sql/: regular expressions (Java-like patterns: REGEX_REPLACE, SIMILAR TO, the log parsers)
  chromium    # the console's browser tests (console/e2e/, playwright-core drives Debian's Chromium)
  firefox-esr # ... and its Firefox walk (console/e2e/6-firefox.test.mjs, puppeteer-core over WebDriver BiDi)
  awscli      # /usr/bin/aws, the AWS CLI v2 (AWS Query to CloudWatch) in tests/e2e/test_cloudwatch_cli.py
)
missing=()
# Node.js and npm may come from elsewhere than Debian (the machine image ships
# its own); Debian's packages are only wanted when the commands are missing.
command -v node >/dev/null || packages+=(nodejs)
command -v npm >/dev/null || packages+=(npm)
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if ((${#missing[@]})); then
  echo "install-deps: installing ${missing[*]}"
  SUDO=""
  [ "$(id -u)" -ne 0 ] && SUDO="sudo"
  $SUDO apt-get update -qq || true
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}"
fi

# The end-to-end tests drive the server with the AWS SDK for JavaScript v3, and
# the S3 client is tested against s3rver, and Parquet files are read back with
# DuckDB and hyparquet; installed when any of them is missing. (Looked up by
# folder: hyparquet's "exports" hide its package.json from require.resolve.)
if [ "${RUNNEL_SKIP_NPM:-0}" != 1 ] && [ -f tests/e2e/node/package.json ] &&
   ! node -e 'const fs = require("fs"), d = require("./tests/e2e/node/package.json").dependencies;
              for (const m of Object.keys(d))
                if (!fs.existsSync("tests/e2e/node/node_modules/" + m + "/package.json")) process.exit(1);' 2>/dev/null; then
  (cd tests/e2e/node && npm ci --no-audit --no-fund --silent 2>/dev/null || npm install --no-audit --no-fund --silent)
fi
