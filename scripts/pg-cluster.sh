#!/usr/bin/env bash
# A throwaway PostgreSQL 15 (Debian's postgresql-15) standing in for Redshift
# in the Firehose Redshift destination's tests and benchmark
# (docs/firehose-redshift.md): a fresh cluster in a temporary directory, on a
# free TCP port of 127.0.0.1, with scram-sha-256 password logins over TCP and
# SSL on (a self-signed certificate made by openssl), so that libpq's default
# sslmode=prefer negotiates TLS. The password is random, made per cluster.
#
#   scripts/pg-cluster.sh start          starts one; prints `export ...` lines
#                                        (RUNNEL_PG_HOST/PORT/USER/PASSWORD/
#                                        DATABASE/DIR and libpq's PG*)
#   scripts/pg-cluster.sh stop DIR       stops the cluster of DIR and removes it
#   scripts/pg-cluster.sh run CMD ARGS   starts one, runs CMD with those
#                                        variables set, stops it (also on
#                                        failure or Ctrl-C); CMD's exit status
#
# PostgreSQL refuses to run as root: as root (CI), the server runs as the
# `postgres` user (runuser); as anyone else, as that user.
set -euo pipefail

BIN=${RUNNEL_PG_BIN:-/usr/lib/postgresql/15/bin}

die() {
  echo "pg-cluster: $*" >&2
  exit 1
}

# Runs a PostgreSQL program as the cluster's user, from a directory it can read.
as_pg() {
  if [ "$(id -u)" -eq 0 ]; then
    (cd / && runuser -u postgres -- "$@")
  else
    "$@"
  fi
}

free_port() {
  python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()'
}

start() {
  [ -x "$BIN/initdb" ] || die "no $BIN/initdb: install Debian's postgresql (scripts/install-deps.sh)"
  if [ "$(id -u)" -eq 0 ]; then
    id postgres >/dev/null 2>&1 || die "running as root needs the postgres user (Debian's postgresql package makes it)"
  fi
  local dir port password
  # As root the server runs as `postgres`, which must reach the directory:
  # a TMPDIR private to root (the e2e runner's is) will not do, /tmp will.
  local base=${TMPDIR:-/tmp}
  if [ "$(id -u)" -eq 0 ] && ! runuser -u postgres -- test -x "$base" 2>/dev/null; then base=/tmp; fi
  dir=$(mktemp -d "$base/runnel-pg.XXXXXX")
  chmod 700 "$dir"
  password=$(openssl rand -hex 16)
  printf '%s\n' "$password" >"$dir/pwfile"
  openssl req -x509 -newkey rsa:2048 -nodes -days 2 -subj /CN=localhost \
    -keyout "$dir/server.key" -out "$dir/server.crt" >/dev/null 2>&1 || die "openssl could not make a certificate"
  chmod 600 "$dir/server.key" "$dir/pwfile"
  [ "$(id -u)" -eq 0 ] && chown -R postgres: "$dir"
  as_pg "$BIN/initdb" -D "$dir/data" -U postgres --pwfile="$dir/pwfile" --auth-local=trust \
    --auth-host=scram-sha-256 -E UTF8 --locale=C.UTF-8 >"$dir/initdb.log" 2>&1 ||
    die "initdb failed: $(tail -5 "$dir/initdb.log")"
  rm -f "$dir/pwfile"
  # A port taken between free_port and the start is retried a few times.
  local tries=0
  while :; do
    port=$(free_port)
    cat >"$dir/data/postgresql.auto.conf" <<EOF
listen_addresses = '127.0.0.1'
port = $port
unix_socket_directories = '$dir'
password_encryption = 'scram-sha-256'
ssl = on
ssl_cert_file = '$dir/server.crt'
ssl_key_file = '$dir/server.key'
fsync = off
max_connections = 50
EOF
    [ "$(id -u)" -eq 0 ] && chown postgres: "$dir/data/postgresql.auto.conf"
    if as_pg "$BIN/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w -t 60 start >/dev/null 2>&1; then break; fi
    tries=$((tries + 1))
    [ $tries -lt 3 ] || die "postgres did not start: $(tail -5 "$dir/server.log" 2>/dev/null)"
  done
  as_pg "$BIN/psql" -h "$dir" -p "$port" -U postgres -d postgres -qAt -c "CREATE DATABASE runnel" >/dev/null ||
    die "could not create the database runnel"
  cat <<EOF
export RUNNEL_PG_DIR='$dir'
export RUNNEL_PG_HOST=127.0.0.1
export RUNNEL_PG_PORT=$port
export RUNNEL_PG_USER=postgres
export RUNNEL_PG_PASSWORD='$password'
export RUNNEL_PG_DATABASE=runnel
export PGHOST=127.0.0.1 PGPORT=$port PGUSER=postgres PGPASSWORD='$password' PGDATABASE=runnel
EOF
}

stop() {
  local dir=${1:?usage: pg-cluster.sh stop DIR}
  case "$dir" in *runnel-pg.*) ;; *) die "$dir is not a directory this script made" ;; esac
  if [ -d "$dir/data" ]; then
    as_pg "$BIN/pg_ctl" -D "$dir/data" -m immediate -w stop >/dev/null 2>&1 || true
  fi
  rm -rf "$dir"
}

case "${1:-}" in
  start) start ;;
  stop) stop "${2:-}" ;;
  run)
    shift
    [ $# -gt 0 ] || die "usage: pg-cluster.sh run CMD [ARGS...]"
    env_lines=$(start)
    eval "$env_lines"
    trap 'stop "$RUNNEL_PG_DIR"' EXIT INT TERM
    echo "pg-cluster: PostgreSQL 15 on 127.0.0.1:$RUNNEL_PG_PORT (scram-sha-256, ssl on), data in $RUNNEL_PG_DIR" >&2
    set +e
    "$@"
    status=$?
    set -e
    exit $status
    ;;
  *) die "usage: pg-cluster.sh start | stop DIR | run CMD [ARGS...]" ;;
esac
