"""The /api/v1 blueprint: health, and every feature's routes registered on it."""

from marshmallow import fields
from sqlalchemy import text

from server.api.http import api, endpoint
from server.api.schemas import answer
from server.extensions import db

Health = answer(
    "Health",
    status=fields.String(required=True),
    database=fields.String(required=True),
    schema_revision=fields.String(allow_none=True),
    detail=fields.String(metadata={"description": "the kind of failure, when it failed"}),
)


@endpoint(
    "/health",
    public=True,
    summary="Database reachability and schema revision",
    response=Health,
    errors={503: ("The database does not answer", Health)},
)
def health():
    """Report whether the database answers, and its schema revision."""
    try:
        revision = db.session.execute(text("SELECT version_num FROM alembic_version")).scalar()
        return {"status": "ok", "database": "reachable", "schema_revision": revision}
    except Exception as exc:  # noqa: BLE001 - health reports any database failure
        db.session.rollback()
        return {"status": "error", "database": "unreachable", "detail": type(exc).__name__}, 503


def _register_features():
    # Importing a routes module registers its endpoints on ``api``.
    from server.accounts import routes as _accounts  # noqa: F401
    from server.admin import routes as _admin  # noqa: F401
    from server.desk import routes as _desk  # noqa: F401
    from server.evidence import routes as _evidence  # noqa: F401
    from server.findings import routes as _findings  # noqa: F401
    from server.framework import routes as _framework  # noqa: F401
    from server.log import routes as _log  # noqa: F401
    from server.measures import routes as _measures  # noqa: F401
    from server.myday import routes as _myday  # noqa: F401
    from server.oversight import routes as _oversight  # noqa: F401
    from server.providers import routes as _providers  # noqa: F401
    from server.reports import routes as _reports  # noqa: F401
    from server.reviews import routes as _reviews  # noqa: F401
    from server.syncing import routes as _syncing  # noqa: F401


@endpoint("/openapi.json", public=True, summary="This API's OpenAPI 3 document")
def openapi():
    from server.api.openapi import build_spec

    return build_spec()


_register_features()

__all__ = ["api"]
