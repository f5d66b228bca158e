"""Accounts: password hashing, login with throttling kept in the database."""

import uuid
from datetime import timedelta

from flask import current_app
from sqlalchemy.exc import IntegrityError
from werkzeug.security import check_password_hash, generate_password_hash

from server.accounts.models import LoginFailure, Membership, User
from server.api.http import write_lock
from server.common.types import utcnow
from server.errors import Throttled, Unauthenticated
from server.extensions import db, login_manager

BAD_LOGIN = "That email and password do not match an active account."


def hash_password(password: str) -> str:
    # Tests set a cheap method so that fixtures making ten users stay fast.
    method = current_app.config.get("PASSWORD_HASH_METHOD", "scrypt")
    return generate_password_hash(password, method=method)


def create_user(provider_id, email: str, display_name: str, password: str,
                roles: list[tuple[str, uuid.UUID | None]]) -> User:
    """Create a user with (role, service_id or None for provider-wide) memberships."""
    user = User(
        provider_id=provider_id,
        email=email.strip().lower(),
        display_name=display_name,
        password_hash=hash_password(password),
    )
    user.memberships = [Membership(role=role, service_id=sid) for role, sid in roles]
    db.session.add(user)
    db.session.flush()
    return user


def authenticate(email: str, password: str) -> User:
    """Return the user for these credentials, or raise; repeated failures lock the account
    for a while. Counts live in the database so that every worker shares them.

    The password is checked (slow on purpose) before any write lock is taken: on SQLite,
    holding it through the hash made 200 tablets signing in at the start of a shift queue
    behind each other's hashes until some gave up ("database is locked"). A correct
    password with no failures counted writes nothing.
    """
    key = email.strip().lower()
    now = utcnow()
    failure = db.session.get(LoginFailure, key)
    if failure and failure.locked_until and failure.locked_until > now:
        wait = int((failure.locked_until - now).total_seconds() // 60) + 1
        raise Throttled(
            f"Too many failed attempts. Try again in {wait} minute{'s' if wait > 1 else ''}.",
            retry_after=wait * 60,
        )
    user = db.session.scalar(db.select(User).where(User.email == key))
    ok = user is not None and user.active and check_password_hash(user.password_hash, password)
    if ok and failure is None:
        return user
    write_lock()
    # Locked and read again, so that two workers counting failures for one account at once
    # cannot both write the same count back (PostgreSQL; SQLite writes are serialised).
    failure = db.session.get(LoginFailure, key, with_for_update=True, populate_existing=True)
    if ok:
        if failure:
            db.session.delete(failure)
        return user
    _count_failure(key, failure, now)
    raise Unauthenticated(BAD_LOGIN)


def _count_failure(key: str, failure: LoginFailure | None, now) -> None:
    try:
        _add_failure(key, failure, now)
    except IntegrityError:
        # Another worker counted this account's first failure at the same moment.
        db.session.rollback()
        _add_failure(key, db.session.get(LoginFailure, key, with_for_update=True), now)


def _add_failure(key: str, failure: LoginFailure | None, now) -> None:
    cfg = current_app.config
    window = timedelta(seconds=cfg["LOGIN_LOCK_SECONDS"])
    if failure is None:
        failure = LoginFailure(key=key, count=0, first_at=now)
        db.session.add(failure)
    elif failure.first_at < now - window or failure.locked_until:
        failure.count, failure.first_at, failure.locked_until = 0, now, None
    failure.count += 1
    if failure.count >= cfg["LOGIN_MAX_FAILURES"]:
        failure.locked_until = now + window
    # A failed login must be counted even though the request answers with an error.
    db.session.commit()


@login_manager.user_loader
def load_user(session_id: str):
    # The cookie carries a session record's id: server/accounts/sessions.py checks it.
    from server.accounts.sessions import load

    return load(session_id)


@login_manager.unauthorized_handler
def unauthorized():
    raise Unauthenticated("Please log in.")
