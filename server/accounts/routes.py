"""Log in (one or two steps), log out, who am I, and setting up two-step sign-in."""

from flask import request, session
from flask_login import current_user
from flask_wtf.csrf import generate_csrf
from marshmallow import fields

from server.accounts import abilities, second_factor, services, sessions
from server.accounts.schemas import (
    EnrolledSchema,
    LoginResultSchema,
    LoginSchema,
    MeSchema,
    SecondFactorCodeSchema,
    SecondFactorSetupSchema,
    SecondFactorStatusSchema,
    SignInCodeSchema,
)
from server.api.http import ApiBlueprint
from server.api.schemas import answer
from server.common.transaction import write_lock
from server.errors import Forbidden

blp = ApiBlueprint("accounts", __name__)


class EnrolmentRequired(Forbidden):
    code = "second_factor_enrolment_required"


def me_body(user) -> dict:
    data = MeSchema().dump(user)
    record = user.login_session
    data["session_kind"] = record.kind
    data["second_factor_enrolment_required"] = record.stage == "enrol"
    data["csrf_token"] = generate_csrf()
    return data | abilities.me_fields(user)


def owed_enrolment():
    """A session that owes an enrolment may only enrol (and log out): run before every
    API view (server.api.routes)."""
    if "_user_id" not in session or request.endpoint in second_factor.ENROL_ENDPOINTS:
        return
    record = getattr(current_user, "login_session", None)
    if record is not None and record.stage == "enrol":
        raise EnrolmentRequired(
            "Your provider requires two-step sign-in for your role. Set it up to go on."
        )


@blp.route("/auth/csrf", public=True)
@blp.response(200, answer("CsrfToken", csrf_token=fields.String(required=True)))
def csrf_token():
    """Give the client a CSRF token to send as X-CSRF-Token on every write."""
    return {"csrf_token": generate_csrf()}


@blp.route("/auth/login", methods=["POST"], public=True, reads_first=True)
@blp.alt_response(
    401, description="Wrong email or password, or the account is closed (code `unauthenticated`)"
)
@blp.alt_response(
    429, description="Too many failed attempts (code `throttled`; `error.retry_after` in seconds)"
)
@blp.arguments(LoginSchema)
@blp.response(200, LoginResultSchema)
def login(data):
    """Check email and password; answer who you are, that a code is needed first, or (the
    password opens accounts at more than one provider) which provider to sign in to."""
    users = services.authenticate(
        data["email"], data["password"], request.remote_addr, data["provider_id"]
    )
    if len(users) > 1:
        return {"choose_provider": services.provider_choice(users)}
    user = users[0]
    write_lock()  # the password is right: now record the session
    record = second_factor.begin_sign_in(user)
    sessions.sign_in(user, record)
    if record.stage == "second_factor":
        return {"second_factor_required": True, "csrf_token": generate_csrf()}
    return me_body(user)


@blp.route("/auth/second-factor", methods=["POST"], public=True)
@blp.alt_response(
    401,
    description="No sign-in is waiting for a code, or it ended: five wrong codes or five "
    "minutes (code `unauthenticated`): log in again",
)
@blp.arguments(SignInCodeSchema)
@blp.response(200, MeSchema)
def second_factor_sign_in(data):
    """Finish a two-step sign-in with a code from the authenticator app, or a recovery code."""
    user, record = second_factor.finish_sign_in(data.get("code"), data.get("recovery_code"))
    sessions.sign_in(user, record)
    return me_body(user)


@blp.route("/auth/logout", methods=["POST"], public=True)
@blp.response(200, answer("LoggedOut", logged_out=fields.Boolean(required=True)))
def logout():
    """End this session on the server (a copied cookie stops working too)."""
    sessions.sign_out()
    return {"logged_out": True}


@blp.route("/me")
@blp.response(200, MeSchema)
def me():
    return me_body(current_user)


@blp.route("/me/second-factor")
@blp.response(200, SecondFactorStatusSchema)
def second_factor_status():
    """Whether two-step sign-in is on for you, required, and how many recovery codes are left."""
    return second_factor.status(current_user)


@blp.route("/me/second-factor/setup", methods=["POST"])
@blp.response(200, SecondFactorSetupSchema)
def second_factor_setup():
    """Start setting up two-step sign-in: a new secret, its otpauth URI and QR code."""
    return second_factor.setup(current_user)


@blp.route("/me/second-factor/confirm", methods=["POST"])
@blp.arguments(SecondFactorCodeSchema)
@blp.response(200, EnrolledSchema)
def second_factor_confirm(data):
    """Turn two-step sign-in on with a first code; the recovery codes are shown this once."""
    user = current_user._get_current_object()
    codes, record = second_factor.finish_enrolment(user, data["code"])
    sessions.sign_in(user, record)
    return me_body(user) | {"recovery_codes": codes}


@blp.route("/me/second-factor/turn-off", methods=["POST"])
@blp.arguments(SecondFactorCodeSchema)
@blp.response(200, SecondFactorStatusSchema)
def second_factor_turn_off(data):
    """Turn your own two-step sign-in off with a current code (not where it is required)."""
    second_factor.turn_off(current_user, data["code"])
    return second_factor.status(current_user)


@blp.route("/admin/users/<user_id>/second-factor/reset", methods=["POST"], tags=["admin"])
@blp.alt_response(
    422,
    description="This person has not set up two-step sign-in (code `invalid`, `fields.user_id`)",
)
@blp.response(200, SecondFactorStatusSchema)
def reset_second_factor(user_id):
    """Take away a person's second factor (phone and recovery codes lost); their sessions end."""
    from server.admin.services import get_staff, require_manages
    from server.audit.services import Actor

    user = get_staff(current_user, user_id)
    require_manages(current_user, user, everywhere=True)
    second_factor.reset_for(Actor(current_user._get_current_object(), "desk"), user)
    return second_factor.status(user)
