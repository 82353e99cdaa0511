#!/usr/bin/env bash
# A throwaway PostgreSQL server for tests, on loopback, in a directory of its own.
#
#   scripts/postgres.sh install          install Debian's postgresql if initdb/postgres are missing
#   scripts/postgres.sh start DIR [PORT] initdb into DIR (new or empty), start on 127.0.0.1:PORT
#                                        (a free port if none), create database "lameduck";
#                                        prints the DATABASE_URL as its last line
#   scripts/postgres.sh stop DIR         stop the server (fast: open connections are cut)
#   scripts/postgres.sh resume DIR       start it again on the same port
#   scripts/postgres.sh destroy DIR      stop it if running, then remove DIR
#
# PostgreSQL refuses to run as root: as root, the server runs as the `postgres` OS user (which
# Debian's package creates); as anyone else, as that user. Trust authentication, loopback only,
# the socket inside DIR: nothing outside DIR is touched except by `install`.
set -euo pipefail

die() {
  echo "postgres.sh: $*" >&2
  exit 1
}

# The directory holding initdb, postgres and pg_ctl: PATH first, then Debian's (and Ubuntu's)
# versioned directories, newest first.
bin_dir() {
  if command -v initdb >/dev/null 2>&1 && command -v pg_ctl >/dev/null 2>&1 && command -v postgres >/dev/null 2>&1; then
    # Resolve symlinks: the client programs (createdb) sit beside the real initdb.
    dirname "$(readlink -f "$(command -v initdb)")"
    return 0
  fi
  local dir
  for dir in $(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -t/ -k4 -n -r); do
    if [[ -x "$dir/initdb" && -x "$dir/postgres" && -x "$dir/pg_ctl" ]]; then
      echo "$dir"
      return 0
    fi
  done
  return 1
}

as_server_user() {
  if [[ $EUID -eq 0 ]]; then
    runuser -u postgres -- "$@"
  else
    "$@"
  fi
}

install_postgres() {
  if bin_dir >/dev/null; then
    echo "postgres.sh: PostgreSQL found in $(bin_dir)"
    return 0
  fi
  local sudo=()
  if [[ $EUID -ne 0 ]]; then
    command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null || die "PostgreSQL is not installed, and installing it needs root (or password-less sudo)"
    sudo=(sudo -n)
  fi
  command -v apt-get >/dev/null 2>&1 || die "PostgreSQL is not installed, and there is no apt-get to install it with"
  echo "postgres.sh: installing Debian's postgresql package (apt-get)"
  local started=$SECONDS
  # Debian's package also sets up a cluster of its own ("main"); ours lives in DIR instead.
  # Short network timeouts: an unreachable mirror should fail in seconds, not stall the test run.
  local apt=("${sudo[@]}" env DEBIAN_FRONTEND=noninteractive apt-get -o Acquire::http::Timeout=30 -o Acquire::https::Timeout=30 -o Acquire::Retries=2)
  "${apt[@]}" update -qq || die "apt-get update failed"
  "${apt[@]}" install -y -qq --no-install-recommends postgresql >/dev/null || die "apt-get install postgresql failed"
  bin_dir >/dev/null || die "apt-get installed postgresql, but no initdb/postgres/pg_ctl was found"
  echo "postgres.sh: installed PostgreSQL in $(bin_dir) in $((SECONDS - started)) s"
}

free_port() {
  node -e "const s=require('net').createServer();s.listen(0,'127.0.0.1',()=>{console.log(s.address().port);s.close()})"
}

start() {
  local dir=$1 port=${2:-}
  local bin
  bin=$(bin_dir) || die "PostgreSQL is not installed: run scripts/postgres.sh install"
  [[ -n $port ]] || port=$(free_port)
  mkdir -p "$dir"
  [[ -z "$(ls -A "$dir")" ]] || die "$dir is not empty"
  chmod 700 "$dir"
  if [[ $EUID -eq 0 ]]; then
    chown postgres: "$dir"
    runuser -u postgres -- test -w "$dir" || die "the postgres user cannot reach $dir: use a directory under /tmp"
  fi
  as_server_user "$bin/initdb" --pgdata="$dir/data" --username=postgres --auth=trust \
    --encoding=UTF8 --no-locale --no-sync >"$dir/initdb.log" 2>&1 ||
    die "initdb failed: $(tail -n 5 "$dir/initdb.log")"
  echo "$port" >"$dir/port"
  [[ $EUID -ne 0 ]] || chown postgres: "$dir/port"
  resume "$dir"
  "$bin/createdb" --host=127.0.0.1 --port="$port" --username=postgres lameduck ||
    die "createdb failed (server log: $dir/server.log)"
  echo "postgres://postgres@127.0.0.1:$port/lameduck"
}

resume() {
  local dir=$1 bin
  bin=$(bin_dir) || die "PostgreSQL is not installed"
  local port
  port=$(cat "$dir/port")
  # fsync off and a small footprint: a test database, thrown away afterwards.
  as_server_user "$bin/pg_ctl" --pgdata="$dir/data" --log="$dir/server.log" --wait --timeout=60 \
    -o "-c listen_addresses=127.0.0.1 -c port=$port -c unix_socket_directories='$dir' -c fsync=off -c full_page_writes=off -c max_connections=50 -c shared_buffers=16MB" \
    start >/dev/null || die "the server did not start: $(tail -n 5 "$dir/server.log")"
}

stop() {
  local dir=$1 bin
  bin=$(bin_dir) || die "PostgreSQL is not installed"
  as_server_user "$bin/pg_ctl" --pgdata="$dir/data" --mode=fast --wait --timeout=60 stop >/dev/null
}

destroy() {
  local dir=$1 bin
  [[ -d "$dir" ]] || return 0
  if bin=$(bin_dir) && [[ -f "$dir/data/postmaster.pid" ]]; then
    as_server_user "$bin/pg_ctl" --pgdata="$dir/data" --mode=immediate --wait --timeout=60 stop >/dev/null 2>&1 || true
  fi
  rm -rf "$dir"
}

command=${1:-}
case "$command" in
install) install_postgres ;;
start | stop | resume | destroy)
  [[ $# -ge 2 ]] || die "usage: scripts/postgres.sh $command DIR"
  "$command" "${@:2}"
  ;;
*) die "usage: scripts/postgres.sh install | start DIR [PORT] | stop DIR | resume DIR | destroy DIR" ;;
esac
