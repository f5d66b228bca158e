"""Two-factor sign-in: TOTP (RFC 6238) with single-use recovery codes.

Login is two steps when the person has a confirmed second factor: the password opens a
half-signed-in session (stage ``second_factor``) that only POST /auth/second-factor can
finish. A provider may require a second factor for desk and admin roles (setting
``second_factor_required``); someone it applies to who has none yet signs in to a session
at stage ``enrol``, which may do nothing but enrol (see ENROL_ENDPOINTS). Floor roles may
enrol if they wish; once enrolled, they give a code like everyone else.
"""

import hashlib
import hmac
import secrets

import pyotp
import segno

from server.accounts import sessions
from server.accounts.permissions import FLOOR
from server.accounts.session_models import RecoveryCode, SecondFactor, UserSession
from server.audit import services as audit
from server.audit.services import Actor
from server.common.types import utcnow
from server.errors import Invalid, Unauthenticated
from server.extensions import db

ISSUER = "Careloop"
RECOVERY_CODES = 10
MAX_FAILED_CODES = 5
WRONG_CODE = "That code is not right. Type the 6 digits your authenticator app shows now."
# What a session that owes an enrolment may still call.
ENROL_ENDPOINTS = frozenset(
    {
        "accounts.me",
        "accounts.logout",
        "accounts.csrf_token",
        "accounts.second_factor_status",
        "accounts.second_factor_setup",
        "accounts.second_factor_confirm",
        # Public routes: signing in again (as someone else, say) or setting a password.
        "accounts.login",
        "accounts.second_factor_sign_in",
        "admin.reset_password",
        "api.health",
        "api.openapi",
    }
)


def required_for(user) -> bool:
    """True when the provider requires a second factor and the user holds a desk or admin role."""
    from server.providers.models import Provider

    if all(m.role in FLOOR for m in user.memberships):
        return False
    return bool(db.session.get(Provider, user.provider_id).setting("second_factor_required"))


def confirmed(user, lock: bool = False) -> SecondFactor | None:
    # ``lock``: two sign-ins with the same code at once cannot both pass (PostgreSQL).
    factor = db.session.get(SecondFactor, user.id, with_for_update=lock or None)
    return factor if factor is not None and factor.confirmed_at is not None else None


def begin_sign_in(user) -> UserSession:
    """Start the session a correct password earns: waiting for a code, owing an enrolment,
    or signed in."""
    if confirmed(user) is not None:
        stage = "second_factor"
    elif required_for(user):
        stage = "enrol"
    else:
        stage = "active"
    return sessions.start(user, stage)


def status(user) -> dict:
    left = db.session.scalar(
        db.select(db.func.count(RecoveryCode.id)).where(
            RecoveryCode.user_id == user.id, RecoveryCode.used_at.is_(None)
        )
    )
    return {
        "enrolled": confirmed(user) is not None,
        "required": required_for(user),
        "recovery_codes_left": left or 0,
    }


def setup(user) -> dict:
    """Make a new, unconfirmed TOTP secret; return it, its otpauth URI and a QR code of it."""
    factor = db.session.get(SecondFactor, user.id)
    if factor is not None and factor.confirmed_at is not None:
        raise Invalid(
            "Two-step sign-in is already on for your account.", {"_body": "Already enrolled."}
        )
    secret = pyotp.random_base32()
    if factor is None:
        factor = SecondFactor(user_id=user.id, secret=secret, last_step=0)
        db.session.add(factor)
    factor.secret, factor.created_at = secret, utcnow()
    db.session.flush()
    uri = pyotp.TOTP(secret).provisioning_uri(name=user.email, issuer_name=ISSUER)
    return {
        "secret": secret,
        "otpauth_uri": uri,
        "qr_svg": segno.make(uri, error="m").svg_data_uri(scale=5, border=2),
    }


def confirm(user, code: str) -> list[str]:
    """Turn the new secret on with a first code from it; return the recovery codes, once."""
    factor = db.session.get(SecondFactor, user.id)
    if factor is None or factor.confirmed_at is not None:
        raise Invalid("Start setting up two-step sign-in first.", {"code": "Nothing to confirm."})
    if not _accept(factor, code):
        raise Invalid(WRONG_CODE, {"code": "Not the current code."})
    factor.confirmed_at = utcnow()
    codes = _new_recovery_codes(user)
    audit.record(Actor(user), "user", user.id, "second_factor_enrolled", {})
    return codes


def _new_recovery_codes(user) -> list[str]:
    db.session.execute(db.delete(RecoveryCode).where(RecoveryCode.user_id == user.id))
    codes = [
        "-".join(secrets.token_hex(10)[i : i + 5] for i in range(0, 20, 5))
        for _ in range(RECOVERY_CODES)
    ]
    db.session.add_all(RecoveryCode(user_id=user.id, code_hash=_hash(c)) for c in codes)
    db.session.flush()
    return codes


def _hash(code: str) -> str:
    normal = "".join(ch for ch in code.lower() if ch.isalnum())
    return hashlib.sha256(normal.encode()).hexdigest()


def _accept(factor: SecondFactor, code: str) -> bool:
    """Check a TOTP code (this step or one either side, for clock drift), never the same
    step twice."""
    code = "".join((code or "").split())
    if len(code) != 6 or not code.isdigit():
        return False
    totp = pyotp.TOTP(factor.secret)
    now_step = int(utcnow().timestamp()) // totp.interval
    for step in (now_step - 1, now_step, now_step + 1):
        if step > factor.last_step and hmac.compare_digest(totp.at(step * totp.interval), code):
            factor.last_step = step
            return True
    return False


def _use_recovery_code(user, code: str) -> bool:
    row = db.session.scalar(
        db.select(RecoveryCode)
        .where(
            RecoveryCode.user_id == user.id,
            RecoveryCode.code_hash == _hash(code or ""),
            RecoveryCode.used_at.is_(None),
        )
        .with_for_update()
    )
    if row is None:
        return False
    row.used_at = utcnow()
    return True


def finish_sign_in(code: str | None, recovery_code: str | None):
    """Check the code owed by this cookie's half-signed-in session; on success return the
    user and their new, signed-in session (a new id: the half session ends)."""
    from server.accounts.models import User

    record = sessions.pending()
    if record is None:
        raise Unauthenticated("Your sign-in has timed out. Please log in again.")
    user = db.session.get(User, record.user_id)
    factor = confirmed(user, lock=True)
    ok = (
        factor is not None
        and user.active
        and (_accept(factor, code) if code else _use_recovery_code(user, recovery_code))
    )
    if not ok:
        return _refuse(record, bool(code))
    sessions.end(record, "second_factor_done")
    if recovery_code and not code:
        audit.record(Actor(user), "user", user.id, "recovery_code_used", {})
    return user, sessions.start(user, "active", record.kind)


def _refuse(record: UserSession, was_code: bool):
    record.failed_codes += 1
    if record.failed_codes >= MAX_FAILED_CODES:
        sessions.end(record, "too_many_codes")
        # Counted even though the request answers with an error.
        db.session.commit()
        raise Unauthenticated("Too many wrong codes. Please log in again.")
    db.session.commit()
    if was_code:
        raise Invalid(WRONG_CODE, {"code": "Not the current code."})
    raise Invalid(
        "That recovery code is not right, or has been used already.",
        {"recovery_code": "Not a recovery code of yours, or already used."},
    )


def finish_enrolment(user, code: str) -> tuple[list[str], UserSession]:
    """Confirm the new second factor; a session that owed it is replaced by a signed-in one."""
    codes = confirm(user, code)
    record = user.login_session
    sessions.end(record, "enrolled")
    return codes, sessions.start(user, "active", record.kind)


def _remove(user) -> None:
    db.session.execute(db.delete(RecoveryCode).where(RecoveryCode.user_id == user.id))
    db.session.execute(db.delete(SecondFactor).where(SecondFactor.user_id == user.id))


def turn_off(user, code: str) -> None:
    """Turn your own two-step sign-in off, with a current code; not where it is required."""
    if required_for(user):
        raise Invalid(
            "Your provider requires two-step sign-in for your role: it stays on.",
            {"_body": "Required for your role."},
        )
    factor = confirmed(user, lock=True)
    if factor is None:
        raise Invalid("Two-step sign-in is not on for your account.", {"_body": "Not enrolled."})
    if not _accept(factor, code):
        raise Invalid(WRONG_CODE, {"code": "Not the current code."})
    _remove(user)
    audit.record(Actor(user), "user", user.id, "second_factor_removed", {})
    db.session.flush()


def reset_for(actor: Actor, user) -> None:
    """Take away someone's second factor (a lost phone and lost recovery codes): they set
    it up again at their next sign-in if their provider requires it. The caller checks that
    ``actor`` manages ``user`` in every service they work in."""
    if db.session.get(SecondFactor, user.id) is None:
        raise Invalid("This person has not set up two-step sign-in.", {"user_id": "Not enrolled."})
    _remove(user)
    # Their sessions end too: whoever holds the phone may have been signed in with it.
    user.session_epoch += 1
    audit.record(actor, "user", user.id, "second_factor_reset", {})
    db.session.flush()
