"""The /api/v1 API: health, the OpenAPI document, and every area's blueprint."""

from flask import Flask
from flask_smorest import current_api
from marshmallow import fields

from server.accounts import routes as accounts
from server.admin import routes as admin
from server.api.http import ApiBlueprint
from server.api.openapi import make_api
from server.api.schemas import answer
from server.common.database import reachability
from server.desk import routes as desk
from server.evidence import routes as evidence
from server.findings import routes as findings
from server.framework import routes as framework
from server.log import routes as log
from server.measures import routes as measures
from server.myday import routes as myday
from server.oversight import routes as oversight
from server.providers import routes as providers
from server.reports import routes as reports
from server.reviews import routes as reviews
from server.syncing import routes as syncing

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


BLUEPRINTS = [
    blp,
    *(
        area.blp
        for area in (
            accounts,
            admin,
            desk,
            evidence,
            findings,
            framework,
            log,
            measures,
            myday,
            oversight,
            providers,
            reports,
            reviews,
            syncing,
        )
    ),
]
for _blueprint in BLUEPRINTS:
    # After BEGIN, as every API hook: a session owing an enrolment may only enrol.
    _blueprint.before_request(accounts.owed_enrolment)


def register(app: Flask) -> None:
    """Serve every area's routes under /api/v1, documented in one OpenAPI document."""
    api = make_api(app)
    for blueprint in BLUEPRINTS:
        api.register_blueprint(blueprint)
