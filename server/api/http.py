"""The API's blueprints on flask-smorest: the unit of work, JSON bodies, paging.

Every area has an ``ApiBlueprint``. A view declares its input once with
``@blp.arguments`` (parsed by ``Parser``: orjson, NUL refused, this API's error shape),
its answer with ``@blp.response`` and its own errors with ``@blp.alt_response``; the
statuses every route of its kind shares are documented by server.api.documented.
"""

import functools

import flask_smorest
import orjson
from flask import current_app, jsonify, request
from flask_login import login_required
from marshmallow import ValidationError
from webargs.flaskparser import FlaskParser

from server.accounts import credentials
from server.api import documented
from server.common import transaction
from server.common.fields import CONTROL_MESSAGE, nul_at
from server.errors import AppError, Invalid, Malformed

JSON = documented.JSON


class UnsupportedMediaType(AppError):
    status, code = 415, "unsupported_media_type"


class Parser(FlaskParser):
    """webargs, loading the body with orjson and the query string as one value a name;
    each schema keeps its own ``unknown``; a refusal is this API's 422."""

    DEFAULT_UNKNOWN_BY_LOCATION: dict = {}

    def load_json(self, req, schema):
        data = json_body()
        refuse_nul(data)
        return data

    def load_querystring(self, req, schema):
        return req.args.to_dict()

    def handle_error(self, error, req, schema, *, error_status_code, error_headers):
        (messages,) = error.messages.values()  # webargs files them under the location
        raise ValidationError(messages)


def _refuse_nul_in_query():
    # Every route at once: a search term or filter holding NUL never reaches the database.
    for name, value in request.args.items(multi=True):
        if "\x00" in name or "\x00" in value:
            raise Invalid(f"Please check these fields: {name}.", {name: CONTROL_MESSAGE})


def _begin_unit_of_work():
    view = current_app.view_functions.get(request.endpoint)
    transaction.begin(getattr(view, "reads_first", False))


def _documented_only(decorator, view):
    """``view`` carrying the documentation ``decorator`` gives it, without its run-time part."""
    decorated = decorator(view)

    @functools.wraps(view)
    def plain(*args, **kwargs):
        return view(*args, **kwargs)

    plain._apidoc = decorated._apidoc
    return plain


class ApiBlueprint(flask_smorest.Blueprint):
    """A flask-smorest blueprint whose every view is one unit of work (server.common.transaction).

    Every route needs a login (flask-login's login_required), unless ``public=True``. ``reads_first=True``: a write request
    whose view reads (slowly) before it writes, and takes the write lock itself when it
    must write (transaction.write_lock), instead of at BEGIN.
    """

    ARGUMENTS_PARSER = Parser()

    def __init__(self, name: str, import_name: str, **options):
        options.setdefault("url_prefix", "/api/v1")
        super().__init__(name, import_name, **options)
        self.before_request(_refuse_nul_in_query)
        self.before_request(_begin_unit_of_work)
        self._prepare_doc_cbks.append(documented.prepare_errors_doc)

    def route(
        self,
        rule,
        *,
        public: bool = False,
        reads_first: bool = False,
        device_credential: bool = False,
        **options,
    ):
        """``device_credential``: a tablet's sync-only credential is accepted here too, in
        place of the cookie (server/accounts/credentials.py); nowhere else."""

        def decorate(view):
            if public:
                guarded = view
            elif device_credential:
                guarded = credentials.accepting(view)
            else:
                guarded = login_required(view)

            @functools.wraps(view)
            def run(*args, **kwargs):
                return transaction.unit_of_work(guarded, args, kwargs, reads_first)

            run.reads_first = reads_first
            apidoc = dict(getattr(view, "_apidoc", {}))
            apidoc["careloop"] = {
                "public": public,
                "path_params": "<" in rule,
                "device_credential": device_credential,
            }
            apidoc["manual_doc"] = {"operationId": view.__name__} | apidoc.get("manual_doc", {})
            run._apidoc = apidoc
            flask_smorest.Blueprint.route(self, rule, **options)(run)
            return view

        return decorate

    def arguments(self, schema, *, location: str = "json", parsed_by_view=False, **kwargs):
        """Parse and validate the body (or the query string) with ``schema``; the view gets
        it as its first argument. ``parsed_by_view``: only document it (a push is parsed
        by hand, after its size is checked)."""
        decorator = super().arguments(schema, location=location, **kwargs)
        if parsed_by_view:
            return functools.partial(_documented_only, decorator)
        return decorator

    def response(
        self,
        status_code: int,
        schema=None,
        *,
        paged: bool = False,
        listed: bool = False,
        content_type: str | None = None,
        **kwargs,
    ):
        """Document the success answer; the view returns it already written (a dict or a
        list, sent as JSON with ``status_code``) or a full response.

        ``paged``: a page of ``schema`` items (server.api.http.page); ``listed``:
        ``{"items": [...]}`` of them; ``content_type``: when the answer is not JSON.
        """
        doc_schema = documented.success_schema(schema, paged, listed, content_type)
        kwargs.setdefault("description", "Success")
        decorator = super().response(status_code, doc_schema, content_type=content_type, **kwargs)

        def decorate(view):
            @functools.wraps(view)
            def answer(*args, **kwargs):
                result = view(*args, **kwargs)
                if isinstance(result, (dict, list)):
                    return jsonify(result), status_code
                return result

            answer._apidoc = decorator(view)._apidoc
            return answer

        return decorate


def first(check):
    """Run ``check(path)`` on the path's values before the body or query is parsed, so a
    record that is not there (404) or not the caller's (403) answers before a 422 about the
    input. ``check`` returns the keyword arguments the view gets (the record found)."""

    def decorate(view):
        @functools.wraps(view)
        def checked(*args, **path):
            return view(*args, **check(path))

        return checked

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


def refuse_nul(data) -> None:
    """Refuse a body holding a NUL character anywhere, naming where (no field takes one)."""
    where = nul_at(data)
    if where:
        raise Invalid(f"Please check these fields: {where}.", {where: CONTROL_MESSAGE})


def page(select, dump, args: dict) -> dict:
    """Run a select in pages: {"items", "page", "per_page", "total", "has_more"}.

    The paging body stays in the body (no X-Pagination header): ``args`` holds the
    validated ``page`` and ``per_page`` (server.api.schemas.PageArgs).
    """
    from sqlalchemy import func

    from server.extensions import db

    page_number = args["page"]
    per_page = min(args["per_page"], current_app.config["API_MAX_PER_PAGE"])
    total = db.session.scalar(db.select(func.count()).select_from(select.order_by(None).subquery()))
    rows = db.session.scalars(select.limit(per_page).offset((page_number - 1) * per_page)).all()
    return {
        "items": [dump(r) for r in rows],
        "page": page_number,
        "per_page": per_page,
        "total": total,
        "has_more": page_number * per_page < total,
    }
