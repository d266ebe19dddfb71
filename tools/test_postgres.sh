# Sourced by tools/test.sh: starts a throw-away PostgreSQL server for the test suite, on
# 127.0.0.1 only, in a temporary directory, and stops it (and removes the directory) when the
# script exits. Exports what the tests read (tests/common/postgres.h):
#   HASTORE_TEST_POSTGRES  the ODBC connection string (psqlODBC's "PostgreSQL Unicode" driver)
#   HASTORE_TEST_PGCTL     a pg_ctl for this server (stop -m immediate / start -w, for fault tests)
#   HASTORE_TEST_PGDATA    its data directory
# PostgreSQL refuses to run as root, so as root the server runs as the `postgres` user.

hastore_start_postgres() {
  local bin
  bin=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1)
  if [ -z "$bin" ]; then
    echo "hastore: no PostgreSQL server binaries under /usr/lib/postgresql" >&2
    return 1
  fi
  HASTORE_PG_DIR=$(mktemp -d "${TMPDIR:-/tmp}/hastore-pg-XXXXXX")
  local as=()
  if [ "$(id -u)" -eq 0 ]; then
    chown postgres: "$HASTORE_PG_DIR"
    as=(runuser -u postgres --)
  fi
  local data=$HASTORE_PG_DIR/data
  "${as[@]}" "$bin/initdb" -D "$data" -U hastore --auth=trust -E UTF8 >"$HASTORE_PG_DIR/initdb.log" 2>&1 || {
    cat "$HASTORE_PG_DIR/initdb.log" >&2
    return 1
  }
  # A wrapper the fault tests call to stop and restart this server.
  cat >"$HASTORE_PG_DIR/pg_ctl" <<WRAP
#!/usr/bin/env bash
exec ${as[*]} "$bin/pg_ctl" -D "$data" -l "$HASTORE_PG_DIR/server.log" "\$@"
WRAP
  chmod +x "$HASTORE_PG_DIR/pg_ctl"
  local port started=0
  for _ in 1 2 3 4 5; do
    port=$((20000 + RANDOM % 40000))
    {
      echo "listen_addresses = '127.0.0.1'"
      echo "port = $port"
      echo "unix_socket_directories = '$HASTORE_PG_DIR'"
      echo "fsync = on"
      echo "synchronous_commit = on"
      echo "max_connections = 200"
    } >"$data/postgresql.auto.conf"
    if "$HASTORE_PG_DIR/pg_ctl" start -w -t 60 >/dev/null; then
      started=1
      break
    fi
  done
  if [ $started -ne 1 ]; then
    echo "hastore: the test PostgreSQL server did not start:" >&2
    tail -20 "$HASTORE_PG_DIR/server.log" >&2
    return 1
  fi
  trap hastore_stop_postgres EXIT
  export HASTORE_TEST_POSTGRES="Driver=PostgreSQL Unicode;Server=127.0.0.1;Port=$port;Database=postgres;Uid=hastore;Pwd=;UseServerSidePrepare=1"
  export HASTORE_TEST_PGCTL=$HASTORE_PG_DIR/pg_ctl
  export HASTORE_TEST_PGDATA=$data
  echo "hastore: test PostgreSQL server on 127.0.0.1:$port ($data)" >&2
}

hastore_stop_postgres() {
  [ -n "${HASTORE_PG_DIR:-}" ] || return 0
  "$HASTORE_PG_DIR/pg_ctl" stop -m fast >/dev/null 2>&1 || true
  rm -rf "$HASTORE_PG_DIR"
}
