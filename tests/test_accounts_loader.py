"""Every request loads its user with the memberships in one query."""

import pytest
from sqlalchemy import event

from server.accounts.services import load_user
from server.extensions import db

pytestmark = pytest.mark.db


def test_the_user_and_their_roles_load_in_one_query(world):
    manager = world.users["registered_manager"]
    session_id = f"{manager.id}:{manager.session_epoch}"
    home_id = world.home.id
    db.session.expunge_all()
    statements = []
    engine = db.engine
    listener = lambda *args: statements.append(args[2])  # noqa: E731
    event.listen(engine, "before_cursor_execute", listener)
    try:
        user = load_user(session_id)
        roles = {(m.service_id, m.role) for m in user.memberships}
    finally:
        event.remove(engine, "before_cursor_execute", listener)
    assert roles == {(home_id, "registered_manager")}
    assert len(statements) == 1, statements


def test_a_stale_session_or_a_bad_id_loads_nobody(world):
    manager = world.users["registered_manager"]
    assert load_user(f"{manager.id}:{manager.session_epoch + 1}") is None
    assert load_user("not-a-uuid:0") is None
