"""Build the OpenAPI 3 document from the endpoint registry and the marshmallow schemas."""

import re

from apispec import APISpec
from apispec.ext.marshmallow import MarshmallowPlugin

from server.api.http import REGISTRY
from server.api.schemas import ErrorSchema
from server.syncing import apidoc

_PARAM = re.compile(r"<(?:[a-z_]+:)?([a-z_]+)>")
_ERRORS = {
    "400": "Malformed request (for example invalid JSON)",
    "401": "Not logged in",
    "403": "Not allowed for your role, or the CSRF token is missing",
    "404": "No such record (or not yours to see)",
    "409": "Based on a version that is no longer current; carries the current copy",
    "413": "Too large",
    "415": "Not sent as application/json",
    "422": "Invalid: the fields at fault are named in error.fields",
    "503": "busy: the database gave this write up twice over a lock held by other writers; "
           "nothing was saved. Send it again after Retry-After seconds",
}
_RETRY_AFTER = {"Retry-After": {"description": "Seconds to wait before sending it again",
                                "schema": {"type": "integer"}}}


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
        info={"description": "The leadership action log's JSON API. Every write needs the "
                             "session cookie and the X-CSRF-Token header."},
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
    op: dict = {"summary": item["summary"], "tags": [item["tag"]],
                "operationId": f"{item['endpoint']}_{len(path)}"}
    params = [{"in": "path", "name": name, "required": True, "schema": {"type": "string"}}
              for name in re.findall(r"{([a-z_]+)}", path)]
    if params:
        op["parameters"] = params
    if item["query"]:
        op.setdefault("parameters", []).append({"in": "query", "schema": item["query"]})
    if item["body"]:
        op["requestBody"] = {"required": True,
                             "content": {"application/json": {"schema": item["body"]}}}
    response: dict = {"description": "Success"}
    if item["response"]:
        schema = item["response"]
        if item["paged"]:
            schema = {"type": "object", "properties": {
                "items": {"type": "array", "items": schema},
                "page": {"type": "integer"}, "per_page": {"type": "integer"},
                "total": {"type": "integer"}, "has_more": {"type": "boolean"}}}
        response["content"] = {"application/json": {"schema": schema}}
    error = {"content": {"application/json": {"schema": "Error"}}}
    op["responses"] = {str(item["status"]): response}
    codes = ["400", "422"] if item["body"] else []
    codes += [] if item["public"] else ["401", "403", "404"]
    if item["body"]:
        codes += ["409", "413", "415"]
    if method not in ("GET", "HEAD", "OPTIONS"):
        codes.append("503")  # every write: server.api.http retries a lost lock once
    for code in sorted(set(codes)):
        op["responses"][code] = {"description": _ERRORS[code], **error}
    if "503" in op["responses"]:
        op["responses"]["503"]["headers"] = _RETRY_AFTER
    return op
