# Sourced by scripts/test (not run).
#
# `ensure_postgres` gives the Postgres halves of the push and relay tests a server: a
# throwaway PostgreSQL cluster in a fresh temporary directory, listening on 127.0.0.1 and a
# free port only (trust authentication for the unix socket and loopback, no other host),
# fsync off (its data is thrown away). It exports
#   CARTILLA_TEST_DATABASE_URL=postgresql://postgres@127.0.0.1:PORT/postgres
# and stops the cluster and removes the directory when the calling script exits. The tests
# (tests/conftest.py `pg_url`) make a fresh database on it for each test.
#
# Debian's `postgresql` package is installed when its server binaries are missing and root or
# passwordless sudo is available. When no cluster can be started the variable stays unset and
# a line says why: those tests are then skipped, and pytest says so again at the end. With
# CI=true that is a failure instead (returns 1; scripts/test runs under `set -e`), because CI
# must run both backends.
#
# A CARTILLA_TEST_DATABASE_URL already set is used as it is: nothing is started.

_pg_as_root() { if [ "$(id -u)" = 0 ]; then "$@"; else sudo "$@"; fi; }

_PG_DIR=""
_PG_BIN=""
_pg_reason=""

# Run a PostgreSQL server program: initdb and postgres refuse to run as root, so as root they
# run as Debian's `postgres` user.
_pg_run() {
  if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi
}

_pg_find_bin() {
  local initdb
  initdb=$(ls -d /usr/lib/postgresql/*/bin/initdb 2>/dev/null | sort -V | tail -n 1)
  [ -n "$initdb" ] && [ -x "$initdb" ] && _PG_BIN=$(dirname "$initdb")
}

_pg_install() {
  if ! command -v apt-get >/dev/null 2>&1; then
    _pg_reason="no PostgreSQL server binaries in /usr/lib/postgresql and no apt-get to install them"
    return 1
  fi
  if [ "$(id -u)" != 0 ] && ! sudo -n true 2>/dev/null; then
    _pg_reason="no PostgreSQL server binaries in /usr/lib/postgresql; installing Debian's postgresql needs root or sudo"
    return 1
  fi
  echo "Installing postgresql from Debian (for the Postgres halves of the push and relay tests) ..."
  if ! { _pg_as_root apt-get update -qq &&
    DEBIAN_FRONTEND=noninteractive _pg_as_root apt-get install -y -qq postgresql >/dev/null; }; then
    _pg_reason="apt-get install postgresql failed"
    return 1
  fi
  # Where services start on install, the package started its default cluster on port 5432;
  # the tests use their own cluster, so stop it.
  if command -v pg_lsclusters >/dev/null 2>&1; then
    local ver name _rest
    while read -r ver name _rest; do
      [ -n "$name" ] && _pg_as_root pg_ctlcluster "$ver" "$name" stop >/dev/null 2>&1 || true
    done < <(pg_lsclusters -h 2>/dev/null | awk '$4 == "online"')
  fi
}

_pg_free_port() {
  python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()'
}

_pg_cleanup() {
  if [ -n "$_PG_DIR" ] && [ -d "$_PG_DIR" ]; then
    if [ -f "$_PG_DIR/data/postmaster.pid" ]; then
      _pg_run "$_PG_BIN/pg_ctl" -D "$_PG_DIR/data" -m immediate -w stop >/dev/null 2>&1 || true
    fi
    rm -rf "$_PG_DIR"
  fi
  _PG_DIR=""
}

_pg_start() {
  if ! _pg_find_bin; then
    _pg_install || return 1
    if ! _pg_find_bin; then
      _pg_reason="postgresql was installed but /usr/lib/postgresql/*/bin/initdb is missing"
      return 1
    fi
  fi
  if [ "$(id -u)" = 0 ] && ! id postgres >/dev/null 2>&1; then
    _pg_reason="running as root and there is no postgres user to run the server as"
    return 1
  fi
  if ! _PG_DIR=$(mktemp -d "${TMPDIR:-/tmp}/cartilla-pg.XXXXXX" 2>/dev/null); then
    _pg_reason="mktemp -d failed in ${TMPDIR:-/tmp}"
    return 1
  fi
  # Chained so an EXIT trap the caller set keeps running.
  local previous
  previous=$(trap -p EXIT | sed -E "s/^trap -- '(.*)' EXIT$/\1/")
  # shellcheck disable=SC2064
  trap "_pg_cleanup${previous:+; $previous}" EXIT
  if [ "$(id -u)" = 0 ] && ! chown postgres: "$_PG_DIR"; then
    _pg_reason="could not give $_PG_DIR to the postgres user"
    return 1
  fi
  if ! _pg_run "$_PG_BIN/initdb" -D "$_PG_DIR/data" -U postgres -A trust -E UTF8 --locale=C \
    --no-sync >"$_PG_DIR/initdb.log" 2>&1; then
    _pg_reason="initdb failed: $(tail -n 3 "$_PG_DIR/initdb.log" | tr '\n' ' ')"
    return 1
  fi
  # Trust only the unix socket (inside the temporary directory) and loopback.
  if ! _pg_run sh -c "printf '%s\n' \
      'local all all trust' \
      'host all all 127.0.0.1/32 trust' \
      > '$_PG_DIR/data/pg_hba.conf'"; then
    _pg_reason="could not write pg_hba.conf"
    return 1
  fi
  local port attempt i
  for attempt in 1 2 3; do
    port=$(_pg_free_port) || { _pg_reason="could not pick a free port"; return 1; }
    _pg_run "$_PG_BIN/pg_ctl" -D "$_PG_DIR/data" -l "$_PG_DIR/server.log" -W \
      -o "-c listen_addresses=127.0.0.1 -p $port -k $_PG_DIR -c fsync=off \
          -c synchronous_commit=off -c full_page_writes=off -c max_connections=200" \
      start >/dev/null 2>&1 || true
    # Poll until it answers (at most 30 s), or until it has exited (the port was taken).
    for i in $(seq 1 300); do
      if "$_PG_BIN/pg_isready" -q -h 127.0.0.1 -p "$port" -U postgres -d postgres; then
        export CARTILLA_TEST_DATABASE_URL="postgresql://postgres@127.0.0.1:$port/postgres"
        return 0
      fi
      if [ "$i" -gt 5 ] && [ ! -f "$_PG_DIR/data/postmaster.pid" ]; then break; fi
      sleep 0.1
    done
    _pg_run "$_PG_BIN/pg_ctl" -D "$_PG_DIR/data" -m immediate -w stop >/dev/null 2>&1 || true
  done
  _pg_reason="the server did not start: $(tail -n 3 "$_PG_DIR/server.log" 2>/dev/null | tr '\n' ' ')"
  return 1
}

ensure_postgres() {
  if [ -n "${CARTILLA_TEST_DATABASE_URL:-}" ]; then
    echo "Using the PostgreSQL server of CARTILLA_TEST_DATABASE_URL for the Postgres tests."
    return 0
  fi
  _pg_reason=""
  if _pg_start; then
    echo "PostgreSQL $("$_PG_BIN/postgres" --version | awk '{print $3}') on 127.0.0.1 (throwaway, in $_PG_DIR) for the Postgres halves of the push and relay tests."
    return 0
  fi
  _pg_cleanup
  unset CARTILLA_TEST_DATABASE_URL
  if [ "${CI:-}" = true ]; then
    echo "PostgreSQL not available, and CI must run the Postgres halves of the push and relay tests: failing ($_pg_reason)" >&2
    return 1
  fi
  echo "PostgreSQL not available: the Postgres halves of the push and relay tests will be skipped ($_pg_reason)" >&2
  return 0
}
