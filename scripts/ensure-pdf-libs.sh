#!/usr/bin/env bash
# Install the system libraries WeasyPrint draws PDFs with (Pango, HarfBuzz, fonts) when
# any is missing. Debian's chromium usually brings them already.
set -euo pipefail
# shellcheck source=scripts/lib.sh
source "$(dirname "$0")/lib.sh"

missing=0
for lib in libpango-1.0.so.0 libpangoft2-1.0.so.0 libharfbuzz-subset.so.0 libfontconfig.so.1; do
    ldconfig -p | grep -q "$lib" || missing=1
done
fc-list 2>/dev/null | grep -qi "dejavu sans" || missing=1
if [ "$missing" -eq 1 ]; then
    apt_install --no-install-recommends libpango-1.0-0 libpangoft2-1.0-0 \
        libharfbuzz-subset0 fontconfig fonts-dejavu-core
fi
echo "PDF libraries: Pango $(ldconfig -p | grep -c 'libpango-1.0.so.0') found, fonts ok"
