"""HTTP plumbing shared by every API route: the unit of work, JSON bodies, pagination."""

import functools

import orjson
from flask import Blueprint, current_app, jsonify, request
from marshmallow import Schema

from server.common import transaction
from server.common.fields import CONTROL_MESSAGE, nul_at
from server.errors import AppError, Invalid, Malformed

api = Blueprint("api", __name__, url_prefix="/api/v1")

JSON = "application/json"


class UnsupportedMediaType(AppError):
    status, code = 415, "unsupported_media_type"


@api.before_request
def _refuse_nul_in_query():
    # Every route at once: a search term or filter holding NUL never reaches the database.
    for name, value in request.args.items(multi=True):
        if "\x00" in name or "\x00" in value:
            raise Invalid(f"Please check these fields: {name}.", {name: CONTROL_MESSAGE})


@api.before_request
def _begin_unit_of_work():
    view = current_app.view_functions.get(request.endpoint)
    transaction.begin(getattr(view, "reads_first", False))


# Every endpoint's documentation, read by server.api.openapi to build the OpenAPI document.
REGISTRY: list[dict] = []


def endpoint(
    rule: str,
    methods=("GET",),
    status: int = 200,
    *,
    body=None,
    query=None,
    response=None,
    paged: bool = False,
    listed: bool = False,
    media: str = JSON,
    errors: dict[int, str] | None = None,
    summary: str = "",
    tag: str = "",
    public: bool = False,
    reads_first: bool = False,
    **options,
):
    """Register a view whose return value is the JSON body, committed as one unit of work.

    ``body``, ``query`` and ``response`` name the marshmallow schema classes of the request
    body, the query string and the response (``paged``: a page of ``response`` items;
    ``listed``: ``{"items": [...]}`` of them; ``media``: the success answer's content type
    when it is not JSON); they document the route in /api/v1/openapi.json, with every
    error status it can answer (server.api.openapi derives the usual ones; ``errors``
    adds the route's own, status -> when). ``public``: no login needed.
    ``reads_first``: a write request whose view reads (slowly) before it writes, and takes
    the write lock itself when it must write (see write_lock), instead of at BEGIN.

    The view returns a dict or list (dumped as JSON with ``status``) or a full response.
    Any exception rolls the whole request back; a concurrent update of the same row
    (the version check in UPDATE) becomes a 409 like any other stale write. A transaction
    the database gave up over a lock (a deadlock, a serialisation failure) is run once
    more from the start; lost twice, the request is a 503 with Retry-After, nothing written.
    """

    def decorate(view):
        @functools.wraps(view)
        def wrapper(*args, **kwargs):
            result = transaction.unit_of_work(view, args, kwargs, reads_first)
            if isinstance(result, (dict, list)):
                return jsonify(result), status
            return result

        wrapper.reads_first = reads_first
        api.add_url_rule(rule, view_func=wrapper, methods=list(methods), **options)
        REGISTRY.append(
            {
                "rule": rule,
                "methods": tuple(methods),
                "status": status,
                "body": body,
                "query": query,
                "response": response,
                "paged": paged,
                "listed": listed,
                "media": media,
                "errors": errors or {},
                "public": public,
                "summary": summary or (view.__doc__ or view.__name__).strip().splitlines()[0],
                "tag": tag or view.__module__.split(".")[1],
                "endpoint": view.__name__,
            }
        )
        return wrapper

    return decorate


def json_body() -> dict:
    """Return the request's JSON object, or raise a clear error naming what is wrong."""
    if not request.is_json:
        raise UnsupportedMediaType(
            "Send the body as JSON with the header Content-Type: application/json.",
            {"_body": f"Content type {request.mimetype or 'none'} is not accepted."},
        )
    raw = request.get_data(cache=True)
    try:
        # orjson: a push of 500 parses in a third of the json module's time; it also refuses
        # NaN and Infinity, which no field accepts anyway.
        data = orjson.loads(raw or b"null")
    except (ValueError, UnicodeDecodeError) as exc:
        raise Malformed(
            f"The body is not valid JSON: {exc}.", {"_body": "Not valid JSON."}
        ) from exc
    if not isinstance(data, dict):
        raise Malformed("The body must be a JSON object.", {"_body": "Expected an object."})
    return data


def load(schema: Schema, data: dict | None = None, partial=None) -> dict:
    """Validate the JSON body (or ``data``) with a marshmallow schema.

    ``partial`` None keeps the schema's own (an update schema's editable fields).
    """
    data = json_body() if data is None else data
    refuse_nul(data)
    return schema.load(data, partial=partial)


def query_args(schema: Schema) -> dict:
    """Validate the query string with a marshmallow schema."""
    return schema.load(request.args.to_dict())


def refuse_nul(data) -> None:
    """Refuse a body holding a NUL character anywhere, naming where (no field takes one)."""
    where = nul_at(data)
    if where:
        raise Invalid(f"Please check these fields: {where}.", {where: CONTROL_MESSAGE})


def page(select, dump, page_number: int, per_page: int) -> dict:
    """Run a select in pages: {"items", "page", "per_page", "total", "has_more"}."""
    from sqlalchemy import func

    from server.extensions import db

    per_page = min(per_page, current_app.config["API_MAX_PER_PAGE"])
    total = db.session.scalar(db.select(func.count()).select_from(select.order_by(None).subquery()))
    rows = db.session.scalars(select.limit(per_page).offset((page_number - 1) * per_page)).all()
    return {
        "items": [dump(r) for r in rows],
        "page": page_number,
        "per_page": per_page,
        "total": total,
        "has_more": page_number * per_page < total,
    }
