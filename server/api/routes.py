"""The /api/v1 API: health, the OpenAPI document, and every area's blueprint."""

from importlib import import_module

from flask import Flask
from flask_smorest import current_api
from marshmallow import fields

from server.accounts.routes import owed_enrolment
from server.api.http import ApiBlueprint
from server.api.openapi import make_api
from server.api.schemas import answer
from server.common.database import reachability

blp = ApiBlueprint("api", __name__)

Health = answer(
    "Health",
    status=fields.String(required=True),
    database=fields.String(required=True),
    schema_revision=fields.String(allow_none=True),
    detail=fields.String(metadata={"description": "the kind of failure, when it failed"}),
)


@blp.route("/health", public=True)
@blp.alt_response(503, description="The database does not answer", schema=Health)
@blp.response(200, Health)
def health():
    """Database reachability and schema revision."""
    return reachability()


@blp.route("/openapi.json", public=True)
@blp.response(200)
def openapi():
    """This API's OpenAPI 3 document."""
    return current_api.document()


AREAS = "accounts admin desk evidence findings framework log measures myday oversight providers"
AREAS += " reports reviews syncing jobs"
BLUEPRINTS = [blp, *(import_module(f"server.{area}.routes").blp for area in AREAS.split())]
for _blueprint in BLUEPRINTS:
    # After BEGIN, as every API hook: a session owing an enrolment may only enrol.
    _blueprint.before_request(owed_enrolment)


def register(app: Flask) -> None:
    """Serve every area's routes under /api/v1, documented in one OpenAPI document."""
    api = make_api(app)
    for blueprint in BLUEPRINTS:
        api.register_blueprint(blueprint)
