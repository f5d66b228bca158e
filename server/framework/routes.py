"""The CQC frameworks and quality statements entries are tagged with, the provider's
framework in force, and statement suggestions for a finding or an entry."""

from flask_login import current_user

from server.api.http import ApiBlueprint
from server.audit.services import Actor
from server.framework import in_force, services, suggest
from server.framework.schemas import (
    FrameworkListSchema,
    InForcePatchSchema,
    InForceSchema,
    StatementArgs,
    StatementListSchema,
    SuggestArgs,
    SuggestionListSchema,
)

blp = ApiBlueprint("framework", __name__)


@blp.route("/cqc/frameworks")
@blp.response(200, FrameworkListSchema)
def list_frameworks():
    """List the loaded framework versions, saying which one is in force for the provider."""
    chosen = in_force.framework_of_user(current_user)
    items = [{**f, "in_force": f["id"] == chosen} for f in services.frameworks()]
    return FrameworkListSchema().dump({"items": items, "in_force": chosen})


@blp.route("/cqc/statements")
@blp.arguments(StatementArgs, location="query")
@blp.response(200, StatementListSchema)
def list_statements(args):
    """List a framework's quality statements in order (default: the one in force)."""
    framework = in_force.or_in_force(current_user, args.get("framework"))
    return StatementListSchema().dump(services.statements_of(framework))


@blp.route("/cqc/suggestions")
@blp.arguments(SuggestArgs, location="query")
@blp.response(200, SuggestionListSchema)
def suggest_statements(args):
    """Quality statements suggested from an area and some words, each with why."""
    framework = in_force.or_in_force(current_user, args.get("framework"))
    return SuggestionListSchema().dump(
        suggest.suggestions(framework, args.get("area", []), args.get("text", ""))
    )


@blp.route("/provider/framework")
@blp.response(200, InForceSchema)
def get_framework_in_force():
    """The provider's framework in force (what packs, pickers and suggestions default to)."""
    return InForceSchema().dump(in_force.setting(in_force.provider_of_user(current_user)))


@blp.route("/provider/framework", methods=["PATCH"])
@blp.arguments(InForcePatchSchema)
@blp.response(200, InForceSchema)
def set_framework_in_force(data):
    """Choose the provider's framework in force (null: back to the default)."""
    provider = in_force.set_in_force(Actor(current_user._get_current_object()), data["framework"])
    return InForceSchema().dump(in_force.setting(provider))
