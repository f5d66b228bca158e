"""Services and their settings, and the provider's threshold table."""

from flask_login import current_user

from server.api.http import ApiBlueprint, first
from server.audit.services import Actor
from server.common.access import get_service
from server.providers import creation, history, services, sign_in
from server.providers.schemas import (
    HistoryArgs,
    HistoryEventSchema,
    PersonSchema,
    ServiceConfigureSchema,
    ServiceCreateSchema,
    ServiceSchema,
    ServiceSettingsSchema,
    ThresholdsHistoryArgs,
    ThresholdsPatchSchema,
    ThresholdTableSchema,
)

blp = ApiBlueprint("providers", __name__)


def _actor() -> Actor:
    return Actor(current_user._get_current_object())


def _service_for(action: str):
    """A path check giving the view the service, if the user may do ``action`` in it."""
    return lambda path: {"service": get_service(current_user, path["service_id"], action)}


def _may_configure(path) -> dict:
    services.require_provider_configure(current_user)
    return path


@blp.route("/services")
@blp.doc(summary="The services the user may see")
@blp.response(200, ServiceSchema, listed=True)
def list_services():
    """List the services the user may see."""
    return {"items": ServiceSchema(many=True).dump(services.visible_services(current_user))}


@blp.route("/services", methods=["POST"])
@blp.arguments(ServiceCreateSchema)
@blp.response(201, ServiceSettingsSchema)
def add_service(data):
    """Add a care home or branch to the provider, with starter areas, routines and questions."""
    service = creation.add_service(_actor(), data["name"], data["kind"])
    return ServiceSettingsSchema().dump(services.service_settings(service))


@blp.route("/services/<service_id>")
@blp.response(200, ServiceSettingsSchema)
def get_service_settings(service_id):
    """Show a service's settings and its provider's thresholds."""
    service = get_service(current_user, service_id, "service.read")
    return ServiceSettingsSchema().dump(services.service_settings(service))


@blp.route("/services/<service_id>", methods=["PATCH"])
@first(_service_for("service.configure"))
@blp.arguments(ServiceConfigureSchema)
@blp.response(200, ServiceSettingsSchema)
def configure_service(data, service):
    """Change a service's areas, routines, question sets or escalation criteria."""
    base_version = data.pop("base_version")
    services.configure_service(_actor(), service, base_version, data)
    return ServiceSettingsSchema().dump(services.service_settings(service))


@blp.route("/services/<service_id>/people")
@blp.doc(summary="The service's active staff: who an entry can be given to")
@blp.response(200, PersonSchema, listed=True)
def service_people(service_id):
    service = get_service(current_user, service_id, "entry.read")
    return {"items": PersonSchema(many=True).dump(services.people_of(service))}


@blp.route("/provider/thresholds")
@blp.response(200, ThresholdTableSchema)
def get_thresholds():
    """Show the provider's threshold table with defaults filled in."""
    return ThresholdTableSchema().dump(services.threshold_table(services.provider_of(current_user)))


@blp.route("/provider/thresholds", methods=["PATCH"])
@first(_may_configure)
@blp.arguments(ThresholdsPatchSchema)
@blp.response(200, ThresholdTableSchema)
def set_thresholds(data):
    """Change some of the provider's thresholds (null puts one back to its default)."""
    base_version = data.pop("base_version", None)
    provider = services.set_thresholds(_actor(), data, base_version)
    return ThresholdTableSchema().dump(services.threshold_table(provider))


def _history_page(result: dict) -> dict:
    return {**result, "items": HistoryEventSchema(many=True).dump(result["items"])}


@blp.route("/services/<service_id>/history")
@first(_service_for("service.read"))
@blp.arguments(HistoryArgs, location="query")
@blp.response(200, HistoryEventSchema, paged=True)
def service_history(args, service):
    """List the changes to a service's set-up and measures, newest first, in plain words."""
    return _history_page(history.service_history(current_user, service, **args))


@blp.route("/provider/thresholds/history")
@blp.arguments(ThresholdsHistoryArgs, location="query")
@blp.response(200, HistoryEventSchema, paged=True)
def thresholds_history(args):
    """List the changes to the provider's thresholds, newest first, in plain words."""
    return _history_page(history.thresholds_history(services.provider_of(current_user), **args))


@blp.route("/provider/sign-in-settings")
@blp.response(200, sign_in.SignInSettingsSchema)
def get_sign_in_settings():
    """Show the provider's sign-in settings (session timeouts, second factor) with defaults."""
    return sign_in.table(services.provider_of(current_user))


@blp.route("/provider/sign-in-settings", methods=["PATCH"])
@first(_may_configure)
@blp.arguments(sign_in.SignInSettingsPatchSchema)
@blp.response(200, sign_in.SignInSettingsSchema)
def set_sign_in_settings(data):
    """Change some of the provider's sign-in settings (null puts one back to its default)."""
    return sign_in.table(sign_in.change(_actor(), data))
