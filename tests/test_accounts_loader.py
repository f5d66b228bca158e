"""Every request loads its session, its user and their roles in one query."""

import pytest
from sqlalchemy import event

from server.accounts import sessions
from server.accounts.services import load_user
from server.extensions import db

pytestmark = pytest.mark.db


def _session_id(user) -> str:
    record = sessions.start(user)
    db.session.commit()
    return str(record.id)


def test_the_user_and_their_roles_load_in_one_query(world):
    manager = world.users["registered_manager"]
    session_id = _session_id(manager)
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
    session_id = _session_id(manager)
    manager.session_epoch += 1  # a password change
    db.session.commit()
    assert load_user(session_id) is None
    assert load_user("not-a-uuid") is None
    assert load_user("00000000-0000-0000-0000-000000000000") is None
