"""Services and their settings, and the provider's threshold table."""

from flask_login import current_user, login_required

from server.api.http import endpoint, load
from server.audit.services import Actor
from server.common.access import get_service
from server.providers import services
from server.providers.schemas import (
    PersonSchema,
    ServiceConfigureSchema,
    ServiceSchema,
    ServiceSettingsSchema,
    ThresholdsPatchSchema,
    ThresholdTableSchema,
)


def _actor() -> Actor:
    return Actor(current_user._get_current_object())


@endpoint("/services", response=ServiceSchema, summary="The services the user may see")
@login_required
def list_services():
    """List the services the user may see."""
    return {"items": ServiceSchema(many=True).dump(services.visible_services(current_user))}


@endpoint("/services/<service_id>", response=ServiceSettingsSchema)
@login_required
def get_service_settings(service_id):
    """Show a service's settings and its provider's thresholds."""
    service = get_service(current_user, service_id, "service.read")
    return ServiceSettingsSchema().dump(services.service_settings(service))


@endpoint("/services/<service_id>", methods=("PATCH",), body=ServiceConfigureSchema,
          response=ServiceSettingsSchema)
@login_required
def configure_service(service_id):
    """Change a service's areas, routines, question sets or escalation criteria."""
    service = get_service(current_user, service_id, "service.configure")
    data = load(ServiceConfigureSchema())
    base_version = data.pop("base_version")
    services.configure_service(_actor(), service, base_version, data)
    return ServiceSettingsSchema().dump(services.service_settings(service))


@endpoint("/services/<service_id>/people", response=PersonSchema,
          summary="The service's active staff: who an entry can be given to")
@login_required
def service_people(service_id):
    service = get_service(current_user, service_id, "entry.read")
    return {"items": PersonSchema(many=True).dump(services.people_of(service))}


@endpoint("/provider/thresholds", response=ThresholdTableSchema)
@login_required
def get_thresholds():
    """Show the provider's threshold table with defaults filled in."""
    return ThresholdTableSchema().dump(services.threshold_table(services.provider_of(current_user)))


@endpoint("/provider/thresholds", methods=("PATCH",), body=ThresholdsPatchSchema,
          response=ThresholdTableSchema)
@login_required
def set_thresholds():
    """Change some of the provider's thresholds (null puts one back to its default)."""
    services.require_provider_configure(current_user)
    data = load(ThresholdsPatchSchema())
    provider = services.set_thresholds(_actor(), data)
    return ThresholdTableSchema().dump(services.threshold_table(provider))
