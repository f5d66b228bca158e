#!/usr/bin/env bash
# Install Debian's PostgreSQL server when initdb or pg_ctl is missing.
set -euo pipefail
# shellcheck source=scripts/lib.sh
source "$(dirname "$0")/lib.sh"

if [ -z "$(pg_bindir)" ]; then
    apt_install postgresql
fi
bindir="$(pg_bindir)"
if [ -z "$bindir" ]; then
    echo "error: PostgreSQL was installed but initdb and pg_ctl were not found" >&2
    exit 1
fi
echo "PostgreSQL: $("$bindir/postgres" --version) ($bindir)"
