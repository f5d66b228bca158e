# shellcheck shell=bash
# Shared helpers for the scripts in this folder (sourced, not run).

# Run a command as root: directly when we are root, else through sudo.
# On failure, say the exact command to run by hand and stop.
as_root() {
    if [ "$(id -u)" -eq 0 ]; then
        "$@" && return 0
    elif command -v sudo >/dev/null 2>&1; then
        sudo "$@" && return 0
    else
        echo "error: this needs root and sudo is not installed. Run as root:" >&2
        echo "    $*" >&2
        exit 1
    fi
    echo "error: this command failed:" >&2
    echo "    $([ "$(id -u)" -eq 0 ] || echo 'sudo ')$*" >&2
    exit 1
}

# Install Debian packages (apt-get options may come first), refreshing the lists first.
apt_install() {
    if ! command -v apt-get >/dev/null 2>&1; then
        echo "error: apt-get not found. Install these Debian packages (or your system's" >&2
        echo "equivalents) yourself, then run the command again: $*" >&2
        exit 1
    fi
    echo "Installing $* with apt-get ..."
    as_root env DEBIAN_FRONTEND=noninteractive apt-get update -q
    as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -q "$@"
}

# Print the folder holding initdb and pg_ctl, or nothing when PostgreSQL is missing.
pg_bindir() {
    local found
    found="$(command -v initdb 2>/dev/null || true)"
    if [ -n "$found" ] && [ -x "$(dirname "$found")/pg_ctl" ]; then
        dirname "$(readlink -f "$found")"
        return
    fi
    # Debian keeps the server binaries off PATH, one folder per major version.
    found="$(find /usr/lib/postgresql -mindepth 2 -maxdepth 2 -name bin 2>/dev/null | sort -V | tail -n 1)"
    if [ -n "$found" ] && [ -x "$found/initdb" ] && [ -x "$found/pg_ctl" ]; then
        echo "$found"
    fi
}
