"""How every route's answers are documented: its success body and the error statuses it shares.

Used by server.api.http as each view is registered; the document itself is put together by
server.api.openapi. Kept apart from it so that a route's module, importing the blueprints,
imports nothing of the sync adapter's schemas.
"""

JSON = "application/json"
PREFIX = "/api/v1"
READS = {"GET", "HEAD", "OPTIONS"}
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
CREDENTIAL_REFUSED = (
    "The device credential (`Authorization: Bearer`) has ended, expired or is unknown "
    "(code `credential_refused`; `error.reason` says why: `device_revoked`, `signed_out`, "
    "`password_changed`, `deactivated`, `removed_from_service`, `replaced`, `expired`, "
    "`unknown`). Sign in on the tablet to get a new one"
)
NEXT_CREDENTIAL = {
    "X-Careloop-Device-Credential": {
        "description": "Sent with a device credential only: the credential's next token. "
        "Keep it in place of the one sent; the one sent stays good for a short grace period "
        "(docs/sync-protocol.md, Device credentials)",
        "schema": {"type": "string"},
    }
}
_MEDIA_SCHEMAS = {"application/pdf": {"type": "string", "format": "binary"}}
_RETRY_AFTER = {
    "Retry-After": {
        "description": "Seconds to wait before sending it again",
        "schema": {"type": "integer"},
    }
}


def success_schema(schema, paged: bool, listed: bool, content_type: str | None):
    """The success answer's schema in the document: ``schema``, a page or a list of it."""
    if content_type not in (None, JSON):
        return _MEDIA_SCHEMAS.get(content_type, {"type": "string"})
    schema = schema or {"type": "object"}
    if paged:
        return _wrapped(
            schema,
            page={"type": "integer"},
            per_page={"type": "integer"},
            total={"type": "integer"},
            has_more={"type": "boolean"},
        )
    if listed:
        return _wrapped(schema)
    return schema


def _wrapped(schema, **more) -> dict:
    properties = {"items": {"type": "array", "items": schema}, **more}
    return {
        "type": "object",
        "properties": properties,
        "required": sorted(properties),
        "additionalProperties": False,
    }


def prepare_errors_doc(doc: dict, doc_info: dict, *, method: str, **kwargs) -> dict:
    """A flask-smorest doc callback: add the statuses every route of its kind shares to
    the ones the view documents (``alt_response``), each in the Error shape."""
    own = doc_info.get("careloop", {})
    located = {p["in"] for p in doc.get("parameters", []) if isinstance(p, dict)}
    if "requestBody" in doc:
        located.add("json")
    shared = _shared(method.upper(), own.get("public", False), own.get("path_params"), located)
    responses = {}
    for status, response in doc.get("responses", {}).items():
        if isinstance(response, dict):  # not flask-smorest's own 422 reference
            responses[str(status)] = response
    for status, texts in shared.items():
        mine = responses.get(str(status), {})
        if mine.get("description"):
            texts = [*texts, mine["description"]]
        responses[str(status)] = mine | {"description": ". Or: ".join(texts)}
    for status, response in responses.items():
        if int(status) >= 400:
            response.setdefault("content", {JSON: {"schema": "Error"}})
    if own.get("device_credential"):
        _credential_doc(doc, responses)
    if "503" in responses:  # every write: server.common.transaction retries a lost lock once
        responses["503"]["headers"] = _RETRY_AFTER
    doc["responses"] = dict(sorted(responses.items()))
    return doc


def _credential_doc(doc: dict, responses: dict) -> None:
    """A route a tablet's device credential may call: either sign-in, the refusal, and the
    next token in the reply."""
    doc["security"] = [{"sessionCookie": []}, {"deviceCredential": []}]
    refused = responses.setdefault("401", {})
    refused["description"] = f"{refused.get('description', _ERRORS[401])}. Or: {CREDENTIAL_REFUSED}"
    for status, response in responses.items():
        if status.startswith("2"):
            response.setdefault("headers", {}).update(NEXT_CREDENTIAL)


def _shared(method: str, public: bool, path_params: bool, located: set) -> dict[int, list]:
    """The statuses one operation shares with every route of its kind: {status: [when]}."""
    write = method not in READS
    when: dict[int, list[str]] = {}

    def add(status: int, text: str) -> None:
        when.setdefault(status, []).append(text)

    if not public:
        add(401, _ERRORS[401])
        add(403, _ERRORS["403_role"])
        add(404, _ERRORS[404])
    elif path_params:
        add(404, _ERRORS[404])
    if write:
        add(403, _ERRORS["403_csrf"])
        if not public:
            add(409, _ERRORS[409])
        add(503, _ERRORS[503])
    if located:
        add(422, _ERRORS[422])
    if "json" in located:
        for status in (400, 413, 415):
            add(status, _ERRORS[status])
    return when
