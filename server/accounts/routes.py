"""Log in, log out, and who am I."""

from flask_login import current_user, login_required, login_user, logout_user
from flask_wtf.csrf import generate_csrf
from marshmallow import fields

from server.accounts import services
from server.accounts.schemas import LoginSchema, MeSchema
from server.api.http import endpoint, load
from server.api.schemas import answer


def me_body(user) -> dict:
    data = MeSchema().dump(user)
    data["csrf_token"] = generate_csrf()
    return data


@endpoint("/auth/csrf", public=True,
          response=answer("CsrfToken", csrf_token=fields.String(required=True)))
def csrf_token():
    """Give the client a CSRF token to send as X-CSRF-Token on every write."""
    return {"csrf_token": generate_csrf()}


@endpoint("/auth/login", methods=("POST",), body=LoginSchema, response=MeSchema, public=True,
          reads_first=True, errors={
              401: "Wrong email or password, or the account is closed (code `unauthenticated`)",
              429: "Too many failed attempts (code `throttled`; `error.retry_after` in seconds)"})
def login():
    data = load(LoginSchema())
    user = services.authenticate(data["email"], data["password"])
    login_user(user)
    return me_body(user)


@endpoint("/auth/logout", methods=("POST",), public=True,
          response=answer("LoggedOut", logged_out=fields.Boolean(required=True)))
def logout():
    logout_user()
    return {"logged_out": True}


@endpoint("/me", response=MeSchema)
@login_required
def me():
    return me_body(current_user)
