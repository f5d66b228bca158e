"""docs/permissions.md shows the permission table exactly as the code enforces it."""

from pathlib import Path

from server.accounts.permissions import PERMISSIONS, ROLES, markdown_table

DOC = Path(__file__).parents[1] / "docs" / "permissions.md"
BEGIN, END = "<!-- table:begin -->", "<!-- table:end -->"


def test_permissions_doc_matches_the_table_in_code():
    text = DOC.read_text(encoding="utf-8")
    table = text.split(BEGIN, 1)[1].split(END, 1)[0].strip()
    assert table == markdown_table(), "run: flask --app server permissions-doc --write"


def test_every_role_can_do_something_and_every_action_has_a_role():
    for role in ROLES:
        if role == "provider_admin":
            continue  # the admin runs the provider, not the log (issue 8 adds its actions)
        assert any(role in allowed for allowed, _ in PERMISSIONS.values()), role
    for action, (allowed, what) in PERMISSIONS.items():
        assert allowed and what, action
