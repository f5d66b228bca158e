#!/usr/bin/env bash
# Install Debian's Chromium (for the browser tests) when /usr/bin/chromium is missing.
set -euo pipefail
# shellcheck source=scripts/lib.sh
source "$(dirname "$0")/lib.sh"

if [ ! -x /usr/bin/chromium ]; then
    # Without recommends: they would pull in systemd, printing and desktop services.
    # fonts-liberation (one of them) is kept so that pages and screenshots have fonts.
    apt_install --no-install-recommends chromium fonts-liberation
fi
if [ ! -x /usr/bin/chromium ]; then
    echo "error: chromium was installed but /usr/bin/chromium is missing" >&2
    exit 1
fi
echo "Chromium: $(/usr/bin/chromium --version 2>/dev/null || echo 'installed')"
