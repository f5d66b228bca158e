"""Build the OpenAPI 3 document from the endpoint registry and the marshmallow schemas.

Every status a route can answer is documented: the ones every route of its kind shares
are derived here (a login, a write's CSRF token and stale version, a body, a query, a
record named in the path), and the endpoint adds its own (``errors``). A test runs
schemathesis against the app and holds the document to what the server answers.
"""

import re

from apispec import APISpec
from apispec.ext.marshmallow import MarshmallowPlugin

from server.api.http import JSON, REGISTRY
from server.api.schemas import ErrorSchema
from server.syncing import apidoc

_PARAM = re.compile(r"<(?:[a-z_]+:)?([a-z_]+)>")
_READS = {"GET", "HEAD", "OPTIONS"}
_ERRORS = {
    400: "Malformed: the body is not valid JSON, or not an object (code `malformed`)",
    401: "Not signed in, or the session has ended (code `unauthenticated`)",
    "403_role": "Your role does not allow it (code `forbidden`; `error.action` names the "
    "permission)",
    "403_csrf": "The X-CSRF-Token header is missing or out of date (code `csrf`)",
    404: "No such record, or not yours to see (code `not_found`)",
    409: "Based on a version that is no longer current, or changed by someone else at the "
    "same moment (code `stale_version`; `error.current` is the server's copy when "
    "there is one)",
    413: "The request is too large (code `too_large`)",
    415: "The body was not sent as application/json (code `unsupported_media_type`)",
    422: "Invalid: `error.fields` names each field at fault (code `invalid`), or a rule "
    "refused it (code `rule`, named in `error.rule`)",
    503: "The database gave this write up twice over a lock held by other writers; nothing "
    "was saved (code `busy`). Send it again after Retry-After seconds",
}
_MEDIA_SCHEMAS = {
    "application/pdf": {"type": "string", "format": "binary"},
}
_RETRY_AFTER = {
    "Retry-After": {
        "description": "Seconds to wait before sending it again",
        "schema": {"type": "integer"},
    }
}


def openapi_path(rule: str) -> str:
    return _PARAM.sub(r"{\1}", rule)


def _schema_name(schema) -> str:
    cls = schema if isinstance(schema, type) else type(schema)
    name = cls.__name__
    return name[:-6] if name.endswith("Schema") and len(name) > 6 else name


def build_spec() -> dict:
    spec = APISpec(
        title="Careloop API",
        version="1.0.0",
        openapi_version="3.0.3",
        plugins=[MarshmallowPlugin(schema_name_resolver=_schema_name)],
        info={
            "description": "The leadership action log's JSON API. Every write needs the "
            "session cookie and the X-CSRF-Token header. Every error "
            "answers in one shape, the Error schema."
        },
        servers=[{"url": "/api/v1"}],
    )
    spec.components.schema("Error", schema=ErrorSchema)
    apidoc.register(spec)
    paths: dict[str, dict] = {}
    for item in REGISTRY:
        path = openapi_path(item["rule"])
        for method in item["methods"]:
            paths.setdefault(path, {})[method.lower()] = _operation(item, path, method)
    for path, operations in sorted(paths.items()):
        spec.path(path=path, operations=operations)
    document = spec.to_dict()
    apidoc.type_mutations(document)  # each mutation's changes, by the record schemas
    return document


def _operation(item: dict, path: str, method: str) -> dict:
    op: dict = {
        "summary": item["summary"],
        "tags": [item["tag"]],
        "operationId": f"{item['endpoint']}_{len(path)}",
    }
    params = [
        {"in": "path", "name": name, "required": True, "schema": {"type": "string"}}
        for name in re.findall(r"{([a-z_]+)}", path)
    ]
    if params:
        op["parameters"] = params
    if item["query"]:
        op.setdefault("parameters", []).append({"in": "query", "schema": item["query"]})
    if item["body"]:
        op["requestBody"] = {"required": True, "content": {JSON: {"schema": item["body"]}}}
    op["responses"] = {str(item["status"]): _success(item)}
    for code, (description, schema) in sorted(_statuses(item, path, method).items()):
        op["responses"][str(code)] = {
            "description": description,
            "content": {JSON: {"schema": schema}},
        }
    if "503" in op["responses"]:  # every write: server.api.http retries a lost lock once
        op["responses"]["503"]["headers"] = _RETRY_AFTER
    return op


def _success(item: dict) -> dict:
    response: dict = {"description": "Success"}
    if item["media"] != JSON:
        schema = _MEDIA_SCHEMAS.get(item["media"], {"type": "string"})
        response["content"] = {item["media"]: {"schema": schema}}
        return response
    schema = item["response"] or {"type": "object"}
    if item["paged"]:
        schema = _wrapped(
            schema,
            page={"type": "integer"},
            per_page={"type": "integer"},
            total={"type": "integer"},
            has_more={"type": "boolean"},
        )
    elif item["listed"]:
        schema = _wrapped(schema)
    response["content"] = {JSON: {"schema": schema}}
    return response


def _wrapped(schema, **more) -> dict:
    properties = {"items": {"type": "array", "items": schema}, **more}
    return {
        "type": "object",
        "properties": properties,
        "required": sorted(properties),
        "additionalProperties": False,
    }


def _statuses(item: dict, path: str, method: str) -> dict[int, tuple[str, object]]:
    """Return every error status of one operation: {status: (when, schema)}."""
    write = method not in _READS
    when: dict[int, list[str]] = {}

    def add(status: int, text: str) -> None:
        when.setdefault(status, []).append(text)

    if not item["public"]:
        add(401, _ERRORS[401])
        add(403, _ERRORS["403_role"])
        add(404, _ERRORS[404])
    elif "{" in path:
        add(404, _ERRORS[404])
    if write:
        add(403, _ERRORS["403_csrf"])
        if not item["public"]:
            add(409, _ERRORS[409])
        add(503, _ERRORS[503])
    if item["query"] or item["body"]:
        add(422, _ERRORS[422])
    if item["body"]:
        for status in (400, 413, 415):
            add(status, _ERRORS[status])
    schemas: dict[int, object] = {}
    for status, extra in item["errors"].items():
        text, schema = extra if isinstance(extra, tuple) else (extra, "Error")
        add(status, text)
        schemas[status] = schema
    return {
        status: (". Or: ".join(texts), schemas.get(status, "Error"))
        for status, texts in when.items()
    }
