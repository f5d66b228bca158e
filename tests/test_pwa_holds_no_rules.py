"""The PWA holds no copy of the server's rules: no role list and no status machine in
pwa/js. What a person may do comes from /me and the pull (tests/test_permissions_from_server.py).
"""

import re
from pathlib import Path

from server.accounts.permissions import ROLES

JS = Path(__file__).resolve().parent.parent / "pwa" / "js"
STATUSES = ("draft", "open", "in_progress", "awaiting_check", "awaiting_sign_off", "closed")


def _js_files():
    return sorted(p for p in JS.rglob("*.js") if "vendor" not in p.parts)


def test_no_role_name_appears_in_the_pwa_javascript():
    found = [
        f"{p.relative_to(JS)}: {role}"
        for p in _js_files()
        for role in ROLES
        if role in p.read_text()
    ]
    assert found == []


def test_no_status_machine_appears_in_the_pwa_javascript():
    """No table from a status to its actions, and no list of an action's source statuses."""
    status = "|".join(STATUSES)
    keyed = re.compile(rf"\b({status})\s*:\s*\[")
    listed = re.compile(rf"\[\s*'({status})'\s*,\s*'({status})'")
    found = [
        f"{p.relative_to(JS)}: {m.group(0)}"
        for p in _js_files()
        for pattern in (keyed, listed)
        for m in pattern.finditer(p.read_text())
    ]
    assert found == []
