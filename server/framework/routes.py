"""The CQC frameworks and quality statements entries are tagged with."""

from flask_login import login_required

from server.api.http import endpoint, query_args
from server.framework import services
from server.framework.schemas import (
    FrameworkListSchema,
    StatementArgs,
    StatementListSchema,
)


@endpoint("/cqc/frameworks", response=FrameworkListSchema)
@login_required
def list_frameworks():
    """List the loaded framework versions."""
    return FrameworkListSchema().dump({"items": services.frameworks()})


@endpoint("/cqc/statements", query=StatementArgs, response=StatementListSchema)
@login_required
def list_statements():
    """List a framework's quality statements in order (default: the 2023 framework)."""
    args = query_args(StatementArgs())
    return StatementListSchema().dump(services.statements_of(args["framework"]))
