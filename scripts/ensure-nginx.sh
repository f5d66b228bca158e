#!/usr/bin/env bash
# Install Debian's nginx (for the HTTPS deployment test) when it is missing.
set -euo pipefail
# shellcheck source=scripts/lib.sh
source "$(dirname "$0")/lib.sh"

find_nginx() {
    command -v nginx 2>/dev/null || { [ -x /usr/sbin/nginx ] && echo /usr/sbin/nginx; } || true
}

if [ -z "$(find_nginx)" ]; then
    # nginx-light: the HTTP core, TLS and proxy modules are all the test needs.
    apt_install --no-install-recommends nginx-light
fi
nginx="$(find_nginx)"
if [ -z "$nginx" ]; then
    echo "error: nginx was installed but no nginx binary was found" >&2
    exit 1
fi
echo "nginx: $("$nginx" -v 2>&1)"
