"""Signing in checks the password before taking any write lock, and still counts failures."""

import pytest
from sqlalchemy import event

from server.accounts.models import LoginFailure
from server.extensions import db
from tests.support.people import PASSWORD

pytestmark = pytest.mark.db
WRITES = ("INSERT", "UPDATE", "DELETE", "BEGIN IMMEDIATE")


@pytest.fixture()
def statements(app):
    seen: list[str] = []

    def _seen(_conn, _cursor, statement, *_args):
        seen.append(statement.strip().upper())

    event.listen(db.engine, "before_cursor_execute", _seen)
    yield seen
    event.remove(db.engine, "before_cursor_execute", _seen)


def _sign_in(client, user, password):
    return client.post("/api/v1/auth/login", json={"email": user.email, "password": password})


def _failure(user):
    db.session.expire_all()
    return db.session.get(LoginFailure, user.email.lower())


def test_a_correct_sign_in_checks_the_password_before_its_one_write(world, client, statements):
    # The only writes a correct sign-in makes are its session record (server/accounts/
    # sessions.py) and clearing the person's month-old ones, and the write lock is taken
    # only once the account has been read and its password checked.
    r = _sign_in(client, world.users["senior_carer"], PASSWORD)
    assert r.status_code == 200, r.get_json()
    assert r.get_json()["email"] == world.users["senior_carer"].email
    writes = [s for s in statements if s.startswith(WRITES)]
    assert [
        w.split("(")[0].split(" WHERE")[0].strip() for w in writes if not w.startswith("BEGIN")
    ] == ["DELETE FROM USER_SESSION", "INSERT INTO USER_SESSION"]
    read_user = next(i for i, s in enumerate(statements) if "FROM USER_ACCOUNT" in s)
    assert statements.index(writes[0]) > read_user


def test_a_wrong_password_is_counted_and_a_later_correct_one_clears_it(world, client):
    carer = world.users["senior_carer"]
    r = _sign_in(client, carer, "not the password")
    assert r.status_code == 401
    assert _failure(carer).count == 1
    r = _sign_in(client, carer, "still not it")
    assert _failure(carer).count == 2
    r = _sign_in(client, carer, PASSWORD)
    assert r.status_code == 200, r.get_json()
    assert _failure(carer) is None
