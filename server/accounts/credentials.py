"""Device credentials: a tablet's long-lived, sync-only sign-in for one device binding.

When a person signs in and registers the tablet (``POST /api/v1/sync/devices``), their
binding gets a credential: a random token the tablet keeps with the person's record and
sends as ``Authorization: Bearer <token>``, with no cookie, on the routes that accept it
(push and pull: ``ApiBlueprint.route(..., device_credential=True)``). Everything else,
the desk API included, answers 401 to it. It is a server-side session of its own kind
(``device_credential``) and ends like one: the revocation of its tablet, the person
signing out of the tablet, a leaver, a password change, deactivation, removal from a
service, or ``device_credential_idle_days`` (a provider setting) without a sync.

Only the token's SHA-256 is stored (the token has 256 random bits: a slow hash adds
nothing). The token is rotated on use: a reply carries the next one in the
``X-Careloop-Device-Credential`` header (at most once a ``DEVICE_CREDENTIAL_ROTATE_SECONDS``),
and the token it replaces stays good for ``DEVICE_CREDENTIAL_GRACE_SECONDS`` or until the
next one is first used, so that a reply lost on weak Wi-Fi never locks the tablet out.
"""

import functools
import hashlib
import secrets
import uuid
from datetime import timedelta

from flask import current_app, g, make_response, request
from flask_login import login_required
from sqlalchemy import or_, update
from sqlalchemy.orm import joinedload

from server.accounts.models import User
from server.accounts.session_models import UserSession
from server.common.transaction import write_lock
from server.common.types import utcnow
from server.errors import Unauthenticated
from server.extensions import csrf, db

KIND = "device_credential"
HEADER = "Authorization"
SCHEME = "Bearer"
NEXT_HEADER = "X-Careloop-Device-Credential"
LIFETIME = timedelta(days=365)
"""However busy, a credential ends a year after sign-in (the idle limit comes first)."""

REASONS = {
    "device_revoked": "This tablet's access was withdrawn. Ask your manager.",
    "signed_out": "You signed out of this tablet.",
    "password_changed": "Your password or two-step sign-in was changed.",
    "deactivated": "Your account was closed.",
    "removed_from_service": "Your roles in a service were changed.",
    "replaced": "You signed in again on this tablet.",
    "device_changed": "This sign-in belongs to another tablet.",
    "expired": "This tablet has not sent anything for too long.",
    "unknown": "This tablet's sign-in is not known to the server.",
}


class CredentialRefused(Unauthenticated):
    code = "credential_refused"


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def _new_token() -> tuple[str, str]:
    token = secrets.token_urlsafe(32)
    return token, _digest(token)


def issue(user, device_id: uuid.UUID) -> str:
    """Give ``user``'s binding ``device_id`` a new credential and return its token; the one
    it held before (an earlier sign-in on this tablet) ends."""
    from server.providers.models import Provider

    end_for(device_id=device_id, user_id=user.id, reason="replaced")
    days = int(db.session.get(Provider, user.provider_id).setting("device_credential_idle_days"))
    token, digest = _new_token()
    now = utcnow()
    db.session.add(
        UserSession(
            user_id=user.id,
            kind=KIND,
            stage="active",
            user_epoch=user.session_epoch,
            device_id=device_id,
            created_at=now,
            last_seen_at=now,
            idle_seconds=days * 86400,
            expires_at=now + LIFETIME,
            failed_codes=0,
            token_hash=digest,
            rotated_at=now,
        )
    )
    db.session.flush()
    return token


def end_for(reason: str, user_id=None, device_id=None) -> int:
    """End the live credentials of a person (or of one of their bindings) now."""
    where = [UserSession.kind == KIND, UserSession.ended_at.is_(None)]
    if user_id is not None:
        where.append(UserSession.user_id == user_id)
    if device_id is not None:
        where.append(UserSession.device_id == device_id)
    result = db.session.execute(
        update(UserSession)
        .where(*where)
        .values(ended_at=utcnow(), ended_reason=reason)
        .execution_options(synchronize_session="fetch")
    )
    return result.rowcount


def presented() -> str | None:
    """The token this request carries, if any."""
    scheme, _, token = request.headers.get(HEADER, "").partition(" ")
    if scheme.lower() != SCHEME.lower() or not token.strip():
        return None
    return token.strip()


def authenticate(token: str):
    """Return (user, record) for a live credential, or refuse saying why (401)."""
    digest = _digest(token)
    row = (
        db.session.execute(
            db.select(UserSession, User)
            .join(User, User.id == UserSession.user_id)
            .where(
                UserSession.kind == KIND,
                or_(UserSession.token_hash == digest, UserSession.previous_hash == digest),
            )
            .options(joinedload(User.memberships))
        )
        .unique()
        .first()
    )
    if row is None:
        _refuse("unknown")
    record, user = row
    now = utcnow()
    if not user.active:
        _refuse("deactivated")
    if record.ended_at is not None:
        _refuse(record.ended_reason if record.ended_reason in REASONS else "device_revoked")
    if record.user_epoch != user.session_epoch:
        _refuse("password_changed")
    idle = (now - record.last_seen_at).total_seconds() >= record.idle_seconds
    if idle or now >= record.expires_at:
        _refuse("expired")
    if record.token_hash != digest and (record.previous_until or now) <= now:
        _refuse("unknown")  # a replaced token past its grace period
    user.login_session = None  # no cookie session: nothing here may bind or end one
    return user, record


def _refuse(reason: str):
    raise CredentialRefused(
        f"{REASONS[reason]} Sign in on this tablet to send the work waiting here.",
        reason=reason,
    )


def used(record: UserSession, token: str, reading: bool) -> str | None:
    """Record a use of ``record`` with ``token``; return the next token when it rotates.

    ``reading``: the request is in a read transaction (a pull), so take the write lock first,
    which happens at most once a rotation period.
    """
    if record.ended_at is not None:
        return None  # ended by this very request (signed out of the tablet)
    now = utcnow()
    digest = _digest(token)
    every = timedelta(seconds=current_app.config["DEVICE_CREDENTIAL_ROTATE_SECONDS"])
    grace = timedelta(seconds=current_app.config["DEVICE_CREDENTIAL_GRACE_SECONDS"])
    values: dict = {}
    if digest != record.token_hash:
        # The reply that carried the current token was lost: issue another in its place.
        values = {"rotated_at": now}
    elif now - record.rotated_at >= every:
        values = {"previous_hash": digest, "previous_until": now + grace, "rotated_at": now}
    elif record.previous_hash is not None:
        # The current token has arrived: the one it replaced ends now.
        values = {"previous_hash": None, "previous_until": None}
    elif now - record.last_seen_at < timedelta(seconds=60):
        return None
    token = None
    if "rotated_at" in values:
        token, values["token_hash"] = _new_token()
    values["last_seen_at"] = now
    record_id = record.id
    if reading:
        write_lock()
    table = UserSession.__table__
    db.session.execute(
        update(table)
        .where(table.c.id == record_id, table.c.ended_at.is_(None))
        .values(**values)
        .execution_options(synchronize_session=False)
    )
    return token


def current():
    """The credential this request was signed in with, or None (a cookie session)."""
    return g.get("careloop_credential")


def accepting(view):
    """Wrap ``view`` so that it accepts a device credential instead of the cookie.

    With the header, the cookie is not read at all (a tablet sends one person's queue under
    their credential while someone else is signed in) and no CSRF token is asked for (a
    browser never adds this header by itself). Without it, the view is as any other: it
    needs a signed-in cookie and, for a write, the CSRF token.
    """
    csrf.exempt(view)
    protected = login_required(view)

    @functools.wraps(view)
    def run(*args, **kwargs):
        token = presented()
        if token is None:
            if request.method not in ("GET", "HEAD", "OPTIONS"):
                csrf.protect()
            return protected(*args, **kwargs)
        user, record = authenticate(token)
        g._login_user = user  # flask-login's current_user for this request
        g.careloop_credential = record
        response = make_response(view(*args, **kwargs))
        following = used(record, token, reading=request.method == "GET")
        if following is not None:
            response.headers[NEXT_HEADER] = following
        return response

    return run
