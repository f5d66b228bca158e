"""The project's exceptions and the one JSON error shape built from them.

Every error leaves the API as ``{"error": {"code", "message", "fields"}}`` with a stable
machine-readable code; a stale write also carries the server's current copy.
"""

from flask import Flask, jsonify
from flask_wtf.csrf import CSRFError
from marshmallow import ValidationError
from werkzeug.exceptions import HTTPException


class AppError(Exception):
    """Base of every error the API reports on purpose."""

    status = 400
    code = "bad_request"

    def __init__(self, message: str, fields: dict | None = None, **extra):
        super().__init__(message)
        self.message = message
        self.fields = fields or {}
        self.extra = extra

    def body(self) -> dict:
        error = {"code": self.code, "message": self.message, "fields": self.fields}
        error.update(self.extra)
        return {"error": error}

    def headers(self) -> dict:
        """Response headers the error brings besides its body."""
        return {}


class Malformed(AppError):
    status, code = 400, "malformed"


class Unauthenticated(AppError):
    status, code = 401, "unauthenticated"


class Forbidden(AppError):
    status, code = 403, "forbidden"


class NotFound(AppError):
    status, code = 404, "not_found"


class CsrfFailed(Forbidden):
    code = "csrf"


class Conflict(AppError):
    """A write based on a version that is no longer current."""

    status, code = 409, "stale_version"


class TooLarge(AppError):
    status, code = 413, "too_large"


class Invalid(AppError):
    """Well-formed input that breaks a field rule or a rule of the log."""

    status, code = 422, "invalid"


class RuleBroken(Invalid):
    """A rule of a good log refused the change; ``rule`` names it."""

    code = "rule"

    def __init__(self, rule: str, message: str, fields: dict | None = None, **extra):
        super().__init__(message, fields, rule=rule, **extra)
        self.rule = rule


class Throttled(AppError):
    """Too many attempts; ``retry_after`` seconds tell the client when to try again."""

    status, code = 429, "throttled"

    def __init__(self, message: str, retry_after: int, fields: dict | None = None, **extra):
        super().__init__(message, fields, retry_after=max(1, int(retry_after)), **extra)

    def headers(self) -> dict:
        return {"Retry-After": str(self.extra["retry_after"])}


class Busy(AppError):
    """The database gave the request up twice over a lock held by other writers: nothing
    was written; send the same request again after ``Retry-After`` seconds."""

    status, code = 503, "busy"
    RETRY_AFTER = 5  # seconds: a contended write usually clears in well under this

    def headers(self) -> dict:
        return {"Retry-After": str(self.RETRY_AFTER)}


def flatten_messages(messages) -> dict:
    """Turn marshmallow's nested messages into {"field.sub": "first message"}."""
    out: dict = {}

    def walk(prefix, value):
        if isinstance(value, dict):
            for key, inner in value.items():
                walk(f"{prefix}.{key}" if prefix else str(key), inner)
        elif isinstance(value, list) and value and not isinstance(value[0], (dict, list)):
            out[prefix or "_body"] = " ".join(str(v) for v in value)
        elif isinstance(value, list):
            for index, inner in enumerate(value):
                walk(f"{prefix}.{index}", inner)
        else:
            out[prefix or "_body"] = str(value)

    walk("", messages)
    return out


_HTTP_ERRORS = {400: Malformed, 401: Unauthenticated, 403: Forbidden, 404: NotFound, 413: TooLarge}
_HTTP_MESSAGES = {404: "There is nothing at this address.", 413: "The request is too large."}


def as_app_error(error: Exception) -> AppError | None:
    """The AppError an error answers as (None: an HTTP error of no kind of ours)."""
    if isinstance(error, AppError):
        return error
    if isinstance(error, ValidationError):
        fields = flatten_messages(error.messages)
        return Invalid(f"Please check these fields: {', '.join(sorted(fields))}.", fields)
    if isinstance(error, CSRFError):
        return CsrfFailed(
            "The security token is missing or out of date. Reload the page and try again."
        )
    cls = _HTTP_ERRORS.get(error.code or 500)
    if cls is None:
        return None
    return cls(_HTTP_MESSAGES.get(error.code, error.description))


def handle_error(error: Exception):
    """The one error handler: every error leaves in the one shape."""
    known = as_app_error(error)
    if known is not None:
        return jsonify(known.body()), known.status, known.headers()
    body = {
        "error": {
            "code": error.name.lower().replace(" ", "_"),
            "message": error.description,
            "fields": {},
        }
    }
    return jsonify(body), error.code


def register_error_handlers(app: Flask) -> None:
    for kind in (AppError, ValidationError, HTTPException):  # CSRFError is an HTTPException
        app.register_error_handler(kind, handle_error)
