"""Services and their settings, and the provider's threshold table."""

from flask_login import current_user, login_required

from server.api.http import endpoint, load, query_args
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


def _actor() -> Actor:
    return Actor(current_user._get_current_object())


@endpoint("/services", response=ServiceSchema, listed=True, summary="The services the user may see")
@login_required
def list_services():
    """List the services the user may see."""
    return {"items": ServiceSchema(many=True).dump(services.visible_services(current_user))}


@endpoint(
    "/services",
    methods=("POST",),
    status=201,
    body=ServiceCreateSchema,
    response=ServiceSettingsSchema,
)
@login_required
def add_service():
    """Add a care home or branch to the provider, with starter areas, routines and questions."""
    data = load(ServiceCreateSchema())
    service = creation.add_service(_actor(), data["name"], data["kind"])
    return ServiceSettingsSchema().dump(services.service_settings(service))


@endpoint("/services/<service_id>", response=ServiceSettingsSchema)
@login_required
def get_service_settings(service_id):
    """Show a service's settings and its provider's thresholds."""
    service = get_service(current_user, service_id, "service.read")
    return ServiceSettingsSchema().dump(services.service_settings(service))


@endpoint(
    "/services/<service_id>",
    methods=("PATCH",),
    body=ServiceConfigureSchema,
    response=ServiceSettingsSchema,
)
@login_required
def configure_service(service_id):
    """Change a service's areas, routines, question sets or escalation criteria."""
    service = get_service(current_user, service_id, "service.configure")
    data = load(ServiceConfigureSchema())
    base_version = data.pop("base_version")
    services.configure_service(_actor(), service, base_version, data)
    return ServiceSettingsSchema().dump(services.service_settings(service))


@endpoint(
    "/services/<service_id>/people",
    response=PersonSchema,
    listed=True,
    summary="The service's active staff: who an entry can be given to",
)
@login_required
def service_people(service_id):
    service = get_service(current_user, service_id, "entry.read")
    return {"items": PersonSchema(many=True).dump(services.people_of(service))}


@endpoint("/provider/thresholds", response=ThresholdTableSchema)
@login_required
def get_thresholds():
    """Show the provider's threshold table with defaults filled in."""
    return ThresholdTableSchema().dump(services.threshold_table(services.provider_of(current_user)))


@endpoint(
    "/provider/thresholds",
    methods=("PATCH",),
    body=ThresholdsPatchSchema,
    response=ThresholdTableSchema,
)
@login_required
def set_thresholds():
    """Change some of the provider's thresholds (null puts one back to its default)."""
    services.require_provider_configure(current_user)
    data = load(ThresholdsPatchSchema())
    base_version = data.pop("base_version", None)
    provider = services.set_thresholds(_actor(), data, base_version)
    return ThresholdTableSchema().dump(services.threshold_table(provider))


def _history_page(result: dict) -> dict:
    return {**result, "items": HistoryEventSchema(many=True).dump(result["items"])}


@endpoint(
    "/services/<service_id>/history", query=HistoryArgs, response=HistoryEventSchema, paged=True
)
@login_required
def service_history(service_id):
    """List the changes to a service's set-up and measures, newest first, in plain words."""
    service = get_service(current_user, service_id, "service.read")
    args = query_args(HistoryArgs())
    return _history_page(
        history.service_history(
            current_user,
            service,
            about=args.get("about"),
            page=args["page"],
            per_page=args["per_page"],
        )
    )


@endpoint(
    "/provider/thresholds/history",
    query=ThresholdsHistoryArgs,
    response=HistoryEventSchema,
    paged=True,
)
@login_required
def thresholds_history():
    """List the changes to the provider's thresholds, newest first, in plain words."""
    args = query_args(ThresholdsHistoryArgs())
    provider = services.provider_of(current_user)
    return _history_page(
        history.thresholds_history(provider, page=args["page"], per_page=args["per_page"])
    )


@endpoint("/provider/sign-in-settings", response=sign_in.SignInSettingsSchema)
@login_required
def get_sign_in_settings():
    """Show the provider's sign-in settings (session timeouts, second factor) with defaults."""
    return sign_in.table(services.provider_of(current_user))


@endpoint(
    "/provider/sign-in-settings",
    methods=("PATCH",),
    body=sign_in.SignInSettingsPatchSchema,
    response=sign_in.SignInSettingsSchema,
)
@login_required
def set_sign_in_settings():
    """Change some of the provider's sign-in settings (null puts one back to its default)."""
    services.require_provider_configure(current_user)
    data = load(sign_in.SignInSettingsPatchSchema())
    return sign_in.table(sign_in.change(_actor(), data))
