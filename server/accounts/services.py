"""Accounts: password hashing, login with throttling kept in the database."""

import functools
import math
import secrets
import uuid
from datetime import timedelta

from flask import current_app
from sqlalchemy.exc import IntegrityError
from werkzeug.security import check_password_hash, generate_password_hash

from server.accounts.models import LoginFailure, Membership, User
from server.common.transaction import write_lock
from server.common.types import utcnow
from server.errors import Throttled, Unauthenticated
from server.extensions import db, login_manager
from server.providers.models import Provider

BAD_LOGIN = "That email and password do not match an active account."


def hash_password(password: str) -> str:
    # Tests set a cheap method so that fixtures making ten users stay fast.
    method = current_app.config.get("PASSWORD_HASH_METHOD", "scrypt")
    return generate_password_hash(password, method=method)


def create_user(
    provider_id,
    email: str,
    display_name: str,
    password: str,
    roles: list[tuple[str, uuid.UUID | None]],
) -> User:
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


def authenticate(
    email: str, password: str, address: str | None = None, provider_id: uuid.UUID | None = None
) -> list[User]:
    """Return the active accounts these credentials open, or raise; repeated failures lock
    the email, and the client address they come from, for a while. Counts live in the
    database so that every worker shares them.

    An email is unique per provider, so an address may have an account at more than one
    provider: the password is checked against each (normally one; ``provider_id`` keeps
    that provider's alone). More than one back means the same person, with the same
    password, works for several providers: the caller asks which (only someone who knows
    the password learns them).

    The password is checked (slow on purpose) before any write lock is taken: on SQLite,
    holding it through the hash made 200 tablets signing in at the start of a shift queue
    behind each other's hashes until some gave up ("database is locked"). A correct
    password with no failures counted for the account writes nothing.
    """
    keys = [email.strip().lower()] + ([address_key(address)] if address else [])
    now = utcnow()
    failures = [db.session.get(LoginFailure, key) for key in keys]
    _refuse_if_locked(failures, now)
    matched = _matching(_accounts(keys[0], provider_id), password)
    if matched and failures[0] is None:
        return matched
    write_lock()
    if matched:
        # A right password clears its email's count, never the address's: otherwise one
        # account of one's own would reset the count between guesses at everyone else's.
        failure = db.session.get(
            LoginFailure, keys[0], with_for_update=True, populate_existing=True
        )
        if failure:
            db.session.delete(failure)
        return matched
    _count_failures(keys, now)
    raise Unauthenticated(BAD_LOGIN)


def _accounts(email: str, provider_id: uuid.UUID | None) -> list[User]:
    # Deactivated accounts too: their hash is checked like any other (the same work), and
    # verify_password never lets one in.
    query = db.select(User).where(User.email == email)
    if provider_id is not None:
        query = query.where(User.provider_id == provider_id)
    return list(db.session.scalars(query.order_by(User.provider_id)))


def _matching(users: list[User], password: str) -> list[User]:
    """Return the users whose password this is; with none to check, do one hash's work on a
    dummy, so that the time taken does not tell whether the email has an account."""
    if not users:
        verify_password(None, password)
        return []
    return [user for user in users if verify_password(user, password)]


def provider_choice(users: list[User]) -> list[dict]:
    """Return the providers of ``users`` by name, for a person to choose where to sign in."""
    providers = [db.session.get(Provider, user.provider_id) for user in users]
    return sorted(
        ({"id": str(p.id), "name": p.name} for p in providers),
        key=lambda p: (p["name"].lower(), str(p["id"])),
    )


def address_key(address: str) -> str:
    """Return the failure counter's key for a client address (an email never has a space)."""
    return f"address {address}"


def verify_password(user: User | None, password: str) -> bool:
    """Check ``password`` against ``user``'s hash, doing the same slow work when there is
    no such user or the account is deactivated, so that the time taken tells nothing."""
    if user is None:
        method = current_app.config.get("PASSWORD_HASH_METHOD", "scrypt")
        stored = _dummy_hash(method)
    else:
        stored = user.password_hash
    # werkzeug compares the derived keys with hmac.compare_digest (constant time).
    matches = check_password_hash(stored, password)
    return matches and user is not None and user.active


@functools.cache
def _dummy_hash(method: str) -> str:
    """Return a hash, made once per process, of a password nobody knows."""
    return generate_password_hash(secrets.token_urlsafe(32), method=method)


def _refuse_if_locked(failures, now) -> None:
    locked = [f.locked_until for f in failures if f and f.locked_until and f.locked_until > now]
    if not locked:
        return
    seconds = math.ceil((max(locked) - now).total_seconds())
    wait = math.ceil(seconds / 60)
    raise Throttled(
        f"Too many failed attempts. Try again in {wait} minute{'s' if wait > 1 else ''}.",
        retry_after=seconds,
    )


def _count_failures(keys: list[str], now) -> None:
    try:
        _add_failures(keys, now)
    except IntegrityError:
        # Another worker counted a first failure of one of these keys at the same moment.
        db.session.rollback()
        write_lock()
        _add_failures(keys, now)


def _add_failures(keys: list[str], now) -> None:
    cfg = current_app.config
    window = timedelta(seconds=cfg["LOGIN_LOCK_SECONDS"])
    limits = (cfg["LOGIN_MAX_FAILURES"], cfg["LOGIN_MAX_FAILURES_PER_ADDRESS"])
    for key, limit in zip(keys, limits, strict=False):  # no address: the account alone
        # Locked and read again, so that two workers counting failures for one key at once
        # cannot both write the same count back (PostgreSQL; SQLite writes are serialised).
        # The account's row is always locked before the address's: one order, no deadlock.
        failure = db.session.get(LoginFailure, key, with_for_update=True, populate_existing=True)
        if failure is None:
            failure = LoginFailure(key=key, count=0, first_at=now)
            db.session.add(failure)
        elif failure.first_at < now - window or failure.locked_until:
            failure.count, failure.first_at, failure.locked_until = 0, now, None
        failure.count += 1
        if failure.count >= limit:
            failure.locked_until = now + window
        db.session.flush()
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
