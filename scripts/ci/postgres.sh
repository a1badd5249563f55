#!/usr/bin/env bash
# Throw-away PostgreSQL for the storage tests: sourced by .ci/run, which calls restora_pg_start and traps
# restora_pg_stop. Installs Debian's postgresql if missing, runs a private cluster as the postgres user in a
# temp dir, listening on 127.0.0.1 only, on a free port; exports RESTORA_TEST_DATABASE_URL.
# Does not rely on systemd (CI machines and containers have none). Trust auth is safe here: loopback only,
# the cluster lives for one CI run and holds only test data.

restora_pg_bin() {
    ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1
}

restora_pg_free_port() {
    local port
    for port in $(seq 55432 55532); do
        # A refused connection means nobody listens there.
        if ! (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then echo "$port"; return 0; fi
    done
    return 1
}

restora_pg_start() {
    if [ -z "$(restora_pg_bin)" ]; then
        echo "installing postgresql (Debian)"
        export DEBIAN_FRONTEND=noninteractive
        apt-get update -qq </dev/null && apt-get install -y -qq postgresql </dev/null >/dev/null
    fi
    local bin; bin=$(restora_pg_bin)
    [ -n "$bin" ] || { echo "postgresql binaries not found after install" >&2; return 1; }
    RESTORA_PG_DIR=$(mktemp -d /tmp/restora-pg.XXXXXX)
    chown postgres:postgres "$RESTORA_PG_DIR"
    local port; port=$(restora_pg_free_port) || { echo "no free port for PostgreSQL" >&2; return 1; }
    runuser -u postgres -- "$bin/initdb" -D "$RESTORA_PG_DIR/data" -A trust -U postgres --no-sync -E UTF8 >/dev/null
    runuser -u postgres -- "$bin/pg_ctl" -D "$RESTORA_PG_DIR/data" -l "$RESTORA_PG_DIR/server.log" -w \
        -o "-c listen_addresses=127.0.0.1 -p $port -k $RESTORA_PG_DIR -c fsync=off -c max_connections=200" start >/dev/null \
        || { cat "$RESTORA_PG_DIR/server.log" >&2; return 1; }
    runuser -u postgres -- "$bin/createdb" -h 127.0.0.1 -p "$port" -U postgres restora_test
    RESTORA_PG_BIN=$bin
    export RESTORA_TEST_DATABASE_URL="postgres://postgres:postgres@127.0.0.1:$port/restora_test"
    echo "PostgreSQL $("$bin/postgres" --version | awk '{print $3}') on 127.0.0.1:$port (data in $RESTORA_PG_DIR)"
}

restora_pg_stop() {
    [ -n "${RESTORA_PG_DIR:-}" ] || return 0
    runuser -u postgres -- "$RESTORA_PG_BIN/pg_ctl" -D "$RESTORA_PG_DIR/data" -m fast -w stop >/dev/null 2>&1 || true
    rm -rf "$RESTORA_PG_DIR"
    RESTORA_PG_DIR=
}
