"""The CQC frameworks and quality statements entries are tagged with."""

from server.api.http import ApiBlueprint
from server.framework import services
from server.framework.schemas import (
    FrameworkListSchema,
    StatementArgs,
    StatementListSchema,
)

blp = ApiBlueprint("framework", __name__)


@blp.route("/cqc/frameworks")
@blp.response(200, FrameworkListSchema)
def list_frameworks():
    """List the loaded framework versions."""
    return FrameworkListSchema().dump({"items": services.frameworks()})


@blp.route("/cqc/statements")
@blp.arguments(StatementArgs, location="query")
@blp.response(200, StatementListSchema)
def list_statements(args):
    """List a framework's quality statements in order (default: the 2023 framework)."""
    return StatementListSchema().dump(services.statements_of(args["framework"]))
