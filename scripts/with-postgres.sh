#!/usr/bin/env bash
# Run a command against a throwaway PostgreSQL cluster, then stop and delete the cluster.
#
#   scripts/with-postgres.sh COMMAND [ARG...]
#
# The cluster listens on a free port on 127.0.0.1 only, trusts local connections, and
# lives in a temporary folder. The command sees CARELOOP_TEST_DATABASE_URL pointing at
# an empty database, and this script exits with the command's exit status. initdb
# refuses to run as root, so as root the cluster runs as an unprivileged user: the
# `postgres` system user when there is one, else `careloop-test` (created here).
set -euo pipefail
# shellcheck source=scripts/lib.sh
source "$(dirname "$0")/lib.sh"

if [ $# -eq 0 ]; then
    echo "usage: $0 COMMAND [ARG...]" >&2
    exit 2
fi

BIN="$(pg_bindir)"
if [ -z "$BIN" ]; then
    echo "error: PostgreSQL is not installed (initdb, pg_ctl). Run: scripts/ensure-postgres.sh" >&2
    exit 1
fi

if [ "$(id -u)" -eq 0 ]; then
    PGUSER_OS="postgres"
    if ! id -u "$PGUSER_OS" >/dev/null 2>&1; then
        PGUSER_OS="careloop-test"
        id -u "$PGUSER_OS" >/dev/null 2>&1 ||
            useradd --system --no-create-home --shell /usr/sbin/nologin "$PGUSER_OS"
    fi
    # /tmp, not $TMPDIR: a root-only temporary folder would be out of the user's reach.
    CLUSTER="$(mktemp -d /tmp/careloop-pg.XXXXXX)"
    as_pg() { (cd "$CLUSTER" && runuser -u "$PGUSER_OS" -- "$@"); }
else
    PGUSER_OS="$(id -un)"
    CLUSTER="$(mktemp -d "${TMPDIR:-/tmp}/careloop-pg.XXXXXX")"
    as_pg() { (cd "$CLUSTER" && "$@"); }
fi
DATA="$CLUSTER/data"
LOG="$CLUSTER/server.log"
ROLE="careloop"
DATABASE="careloop_test"

# shellcheck disable=SC2317  # called by the EXIT trap
stop_cluster() {
    local status=$?
    trap - EXIT INT TERM
    if [ -f "$DATA/postmaster.pid" ]; then
        as_pg "$BIN/pg_ctl" -D "$DATA" -m fast -w stop >/dev/null 2>&1 ||
            echo "warning: pg_ctl stop failed for $DATA" >&2
    fi
    rm -rf "$CLUSTER"
    echo "PostgreSQL cluster stopped and removed ($CLUSTER)."
    exit "$status"
}
trap stop_cluster EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

[ "$(id -u)" -ne 0 ] || chown "$PGUSER_OS" "$CLUSTER"
chmod 700 "$CLUSTER"

free_port() {
    python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

as_pg "$BIN/initdb" --pgdata="$DATA" --username="$ROLE" --auth=trust --encoding=UTF8 \
    --locale=C --no-sync >"$CLUSTER/initdb.log" 2>&1 || {
    cat "$CLUSTER/initdb.log" >&2
    echo "error: initdb failed" >&2
    exit 1
}

# Another process may take the port between picking and binding it: try a few.
started=""
for _ in 1 2 3; do
    PORT="$(free_port)"
    # fsync off: the cluster is thrown away, so durability only costs time.
    if as_pg "$BIN/pg_ctl" -D "$DATA" -l "$LOG" -w -t 60 \
        -o "-h 127.0.0.1 -p $PORT -k $CLUSTER -c fsync=off -c synchronous_commit=off -c full_page_writes=off" \
        start >/dev/null; then
        started="yes"
        break
    fi
done
if [ -z "$started" ]; then
    cat "$LOG" >&2 || true
    echo "error: the PostgreSQL cluster did not start" >&2
    exit 1
fi

as_pg "$BIN/createdb" -h 127.0.0.1 -p "$PORT" -U "$ROLE" "$DATABASE"
export CARELOOP_TEST_DATABASE_URL="postgresql://$ROLE@127.0.0.1:$PORT/$DATABASE"
echo "PostgreSQL cluster in $CLUSTER (user $PGUSER_OS): $CARELOOP_TEST_DATABASE_URL"

# Not exec: the EXIT trap must run after the command to stop the cluster.
set +e
"$@"
status=$?
set -e
exit "$status"
