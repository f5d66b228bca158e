"""Passwords: the rules, one-time reset codes issued by an admin, and changing your own.

A reset code is a signed, time-limited token holding the user's id and session epoch, so
nothing is stored: using it bumps the epoch, which makes the code (and every other code
issued before) worthless, and so does a password change or deactivation.
"""

import functools
import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta

from flask import current_app
from itsdangerous import BadSignature, SignatureExpired, TimestampSigner, URLSafeTimedSerializer
from werkzeug.security import check_password_hash

from server.accounts.models import LoginFailure, User
from server.accounts.services import hash_password
from server.audit import services as audit
from server.audit.services import Actor
from server.common.types import utcnow
from server.errors import Invalid
from server.extensions import db

MIN_LENGTH = 10
DEFAULT_RESET_SECONDS = 24 * 3600
USED = "This reset code has already been used or is no longer valid. Ask for a new one."


@dataclass(frozen=True)
class ResetCode:
    token: str
    expires_at: datetime
    emailed: bool = False  # set once an email sender (server/notify) sends the code too


class _ServerClockSigner(TimestampSigner):
    # Use the server clock so that clock_at() moves codes through their lifetime in tests.
    def get_timestamp(self) -> int:
        return int(utcnow().timestamp())


def _serializer() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(
        current_app.config["SECRET_KEY"], salt="careloop-password-reset", signer=_ServerClockSigner
    )


def _max_age() -> int:
    return int(current_app.config.get("PASSWORD_RESET_SECONDS", DEFAULT_RESET_SECONDS))


def check_rules(
    user: User | None, password: str, field: str = "new_password", email: str | None = None
) -> str:
    """Return the password if it follows the rules, or raise naming ``field``."""
    email = (email or (user.email if user else "")).strip().lower()
    if len(password or "") < MIN_LENGTH:
        raise Invalid(
            f"The password must be at least {MIN_LENGTH} characters long.",
            {field: f"Use at least {MIN_LENGTH} characters."},
        )
    if email and password.strip().lower() == email:
        raise Invalid(
            "The password must not be your email address.",
            {field: "Choose something other than your email address."},
        )
    if is_common(password):
        raise Invalid(
            "This password is one of the most common passwords, which attackers try first. "
            "Choose one that is less common, such as three or four random words.",
            {field: "Too common: choose a less common password."},
        )
    return password


def is_common(password: str) -> bool:
    """Whether ``password`` is on the common-password list, whatever its letter case."""
    return password.strip().lower() in _common_passwords()


@functools.cache
def _common_passwords() -> frozenset[str]:
    # zxcvbn's ranked list of the 30,000 passwords most often found in breaches (Xato's
    # corpus), shipped with the package: kept up by its maintainers, read once per process.
    from zxcvbn.frequency_lists import FREQUENCY_LISTS

    return frozenset(FREQUENCY_LISTS["passwords"])


def _set_password(user: User, password: str) -> None:
    user.password_hash = hash_password(password)
    # Every session, and every reset code, issued before this moment stops working.
    user.session_epoch += 1
    failure = db.session.get(LoginFailure, user.email)
    if failure is not None:
        db.session.delete(failure)


def issue_reset(actor: Actor, user: User) -> ResetCode:
    """Issue a one-time reset code for ``user``; the caller checks who may do this."""
    if not user.active:
        raise Invalid(
            "This account is deactivated: it cannot be given a reset code.",
            {"user_id": "Deactivated account."},
        )
    token = _serializer().dumps({"u": str(user.id), "e": user.session_epoch})
    expires_at = utcnow() + timedelta(seconds=_max_age())
    # The code itself is never written anywhere: only that one was issued, by whom.
    audit.record(actor, "user", user.id, "reset_code_issued", {"expires_at": expires_at})
    db.session.flush()
    return ResetCode(token, expires_at, emailed=_email_code(user, token, expires_at))


def _email_code(user: User, token: str, expires_at: datetime) -> bool:
    """Email the code to its owner when email is set up; say whether it went."""
    from server.notify import MailError, mail_configured, send_mail

    if not mail_configured():
        return False
    base = current_app.config["PUBLIC_URL"].rstrip("/")
    body = (
        f"Hello {user.display_name},\n\n"
        "You have been given a one-time code to set your Careloop password.\n"
        f"Open {base}/#/reset and enter this code with your new password:\n\n"
        f"{token}\n\nThe code works once, until {expires_at:%d %B %Y %H:%M} UTC.\n"
        "If you did not expect this email, tell your manager.\n"
    )
    try:
        return send_mail(user.email, "Your Careloop set-up code", body)
    except MailError:
        # The admin still sees the code on screen and can hand it over in person.
        current_app.logger.warning("Could not email a reset code to user %s", user.id)
        return False


def _user_for_token(token: str) -> User:
    try:
        data = _serializer().loads(token, max_age=_max_age())
    except SignatureExpired as exc:
        raise Invalid(
            "This reset code has expired. Ask for a new one.", {"token": "Expired."}
        ) from exc
    except BadSignature as exc:
        raise Invalid("This is not a valid reset code.", {"token": "Not a valid code."}) from exc
    try:
        user = db.session.get(User, uuid.UUID(str(data["u"])))
    except (KeyError, TypeError, ValueError):
        user = None
    if user is None or not user.active or user.session_epoch != data.get("e"):
        raise Invalid(USED, {"token": "Already used or no longer valid."})
    return user


def reset_password(token: str, new_password: str) -> User:
    """Set a new password with a reset code; the code works once."""
    user = _user_for_token(token)
    check_rules(user, new_password)
    _set_password(user, new_password)
    audit.record(Actor(user), "user", user.id, "password_reset", {})
    db.session.flush()
    return user


def change_password(actor: Actor, current_password: str, new_password: str) -> User:
    """Change your own password; your other sessions are logged out."""
    user = actor.user
    if not check_password_hash(user.password_hash, current_password or ""):
        raise Invalid(
            "That is not your current password.", {"current_password": "Not your current password."}
        )
    check_rules(user, new_password)
    if check_password_hash(user.password_hash, new_password):
        raise Invalid(
            "The new password must differ from the current one.",
            {"new_password": "Choose a different password."},
        )
    _set_password(user, new_password)
    audit.record(actor, "user", user.id, "password_change", {})
    db.session.flush()
    return user
