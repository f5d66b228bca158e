"""Sessions that end: one record per sign-in, read on every request, on every node.

The signed cookie holds only the record's id (flask-login's user id). Each request loads
the record and its user in one indexed query and refuses the session when it has ended
(logout, the revocation of the tablet it synced with), when the user's session epoch moved
on (password change, deactivation), when it has been idle longer than its idle timeout,
or past its absolute lifetime. Both limits are provider settings, fixed on the record at
sign-in (server/providers/models.py DEFAULT_SETTINGS).

Last-seen is written at most once a minute, after the response, in a short write
transaction of its own, so that a read never has to become a write. A request the client
marks as background (``X-Careloop-Background: 1``: the app's timed sync) does not count as
activity, so an app left open on a shared tablet still goes idle.
"""

import uuid
from datetime import timedelta

from flask import current_app, g, has_request_context, request, session
from flask_login import login_user, logout_user
from sqlalchemy import delete, update
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import joinedload

from server.accounts.models import User
from server.accounts.permissions import FLOOR
from server.accounts.session_models import UserSession
from server.common.types import utcnow
from server.errors import Unauthenticated
from server.extensions import db

SEEN_EVERY = timedelta(seconds=60)
KEPT_FOR = timedelta(days=30)
PENDING_KEY = "careloop_pending_session"
# A half-signed-in session (password right, code still owed) lasts this long at most.
PENDING_LIFETIME = timedelta(minutes=5)
BACKGROUND_HEADER = "X-Careloop-Background"


def kind_for(user) -> str:
    """A desk session for anyone holding a desk or admin role; floor staff sync from a tablet."""
    return "desk" if any(m.role not in FLOOR for m in user.memberships) else "device_sync"


def _limits(user, kind: str) -> tuple[int, timedelta]:
    from server.providers.models import Provider

    provider = db.session.get(Provider, user.provider_id)
    idle = int(provider.setting(f"{kind}_idle_minutes")) * 60
    lifetime = timedelta(hours=int(provider.setting(f"{kind}_lifetime_hours")))
    return idle, lifetime


def start(user, stage: str = "active", kind: str | None = None) -> UserSession:
    """Record a new session for ``user`` (not yet in the cookie: see sign_in)."""
    kind = kind or kind_for(user)
    idle, lifetime = _limits(user, kind)
    now = utcnow()
    # A person's sessions are kept KEPT_FOR past their lifetime (when and how each ended),
    # then go: each sign-in clears that person's old ones, so the table stays small.
    db.session.execute(
        delete(UserSession)
        .where(UserSession.user_id == user.id, UserSession.expires_at < now - KEPT_FOR)
        .execution_options(synchronize_session=False)
    )
    if stage == "second_factor":
        lifetime = min(lifetime, PENDING_LIFETIME)
    record = UserSession(
        user_id=user.id,
        kind=kind,
        stage=stage,
        user_epoch=user.session_epoch,
        created_at=now,
        last_seen_at=now,
        idle_seconds=idle,
        expires_at=now + lifetime,
        failed_codes=0,
    )
    db.session.add(record)
    db.session.flush()
    return record


def sign_in(user, record: UserSession) -> None:
    """Put ``record`` in a fresh cookie session: nothing from before sign-in survives,
    the CSRF token included (flask-wtf makes a new one on the next generate_csrf()).
    A session this cookie held before (someone signing in over it) ends."""
    for key in ("_user_id", PENDING_KEY):
        before = _record(session.get(key))
        if before is not None and before.id != record.id:
            end(before, "replaced")
    session.clear()
    g.pop("csrf_token", None)
    if record.stage == "second_factor":
        session[PENDING_KEY] = str(record.id)
        return
    user.login_session = record
    login_user(user)


def end(record: UserSession | None, reason: str) -> None:
    """End one session now; it answers 401 from the next request on, on every node."""
    if record is not None and record.ended_at is None:
        record.ended_at, record.ended_reason = utcnow(), reason
        db.session.flush()


def sign_out() -> None:
    """End this request's session (signed in or half signed in) and take it off the cookie."""
    from flask_login import current_user

    record = getattr(current_user, "login_session", None)
    end(record or pending(), "logout")
    logout_user()
    # The CSRF token stays until the next sign-in, which makes a new one.
    session.pop(PENDING_KEY, None)


def keep_after_password_change(user) -> None:
    """Keep this session signed in after its user changed their password: every other
    session (on the old epoch) has ended."""
    record = user.login_session
    record.user_epoch = user.session_epoch
    db.session.flush()


def end_for_device(device_id: uuid.UUID, reason: str = "device_revoked") -> int:
    """End every live session that synced through this device; return how many."""
    result = db.session.execute(
        update(UserSession)
        .where(UserSession.device_id == device_id, UserSession.ended_at.is_(None))
        .values(ended_at=utcnow(), ended_reason=reason)
        .execution_options(synchronize_session="fetch")
    )
    return result.rowcount


def bind_device(user, device_id: uuid.UUID, reading: bool = False) -> None:
    """Tie this request's session to the tablet it syncs through, so that revoking the
    tablet ends it. A session already tied to another tablet is ended: one sign-in is
    never shared by two installations (a thief could otherwise re-register and go on).

    ``reading``: the request is in a read transaction (a pull), so take the write lock
    first; this happens once per session.
    """
    from server.common.transaction import write_lock

    record = getattr(user, "login_session", None)
    if record is None or record.device_id == device_id:
        return
    if reading:
        write_lock()
    if record.device_id is not None:
        end(record, "device_changed")
        db.session.commit()  # ended even though the request answers with an error
        raise Unauthenticated("This sign-in belongs to another tablet. Please log in again.")
    record.device_id = device_id
    db.session.flush()


def _record(raw) -> UserSession | None:
    try:
        return db.session.get(UserSession, uuid.UUID(str(raw))) if raw else None
    except ValueError:
        return None


def pending() -> UserSession | None:
    """Return the half-signed-in session of this cookie, if it is still waiting for a code."""
    record = _record(session.get(PENDING_KEY))
    if record is None or record.stage != "second_factor" or not _live(record, utcnow()):
        return None
    return record


def _live(record: UserSession, now) -> bool:
    return (
        record.ended_at is None
        and now < record.expires_at
        and (now - record.last_seen_at).total_seconds() < record.idle_seconds
    )


def load(session_id: str):
    """flask-login's user loader: the user of a live, signed-in session, or None."""
    try:
        sid = uuid.UUID(session_id)
    except ValueError:
        return None
    # One query: the session, its user and the user's roles (every request checks one).
    row = (
        db.session.execute(
            db.select(UserSession, User)
            .join(User, User.id == UserSession.user_id)
            .where(UserSession.id == sid)
            .options(joinedload(User.memberships))
        )
        .unique()
        .first()
    )
    if row is None:
        return None
    record, user = row
    now = utcnow()
    if (
        record.stage == "second_factor"
        or record.kind == "device_credential"  # never a cookie's: only in its header
        or not user.active
        or record.user_epoch != user.session_epoch
        or not _live(record, now)
    ):
        return None
    user.login_session = record
    if (
        now - record.last_seen_at >= SEEN_EVERY
        and has_request_context()
        and request.headers.get(BACKGROUND_HEADER) != "1"
    ):
        g.careloop_touch = (record.id, now)
    return user


def touch_after_request(response):
    """Write the session's last-seen (at most once a minute), after the request's own work."""
    due = g.pop("careloop_touch", None)
    if due is None:
        return response
    session_id, now = due
    if db.session.new or db.session.dirty or db.session.deleted:
        return response  # never here after a unit of work, which commits or rolls back
    try:
        db.session.rollback()  # ends the request's read, if any
        db.session.connection(execution_options={"sqlite_begin": "IMMEDIATE"})
        db.session.execute(
            update(UserSession)
            .where(UserSession.id == session_id)
            .values(last_seen_at=now)
            .execution_options(synchronize_session=False)
        )
        db.session.commit()
    except SQLAlchemyError:
        # The next request writes it again; a missed write only shortens the session.
        db.session.rollback()
        current_app.logger.warning("Could not record the last activity of a session")
    return response
