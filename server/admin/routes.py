"""Administration API: staff accounts and roles, leavers, passwords, tablets."""

import json
import re

from flask import Response
from flask_login import current_user
from marshmallow import fields

from server.accounts import sessions
from server.accounts.models import User
from server.admin import devices, export, leavers, passwords, services
from server.admin.schemas import (
    AdminDeviceSchema,
    DeactivatedSchema,
    DeactivateSchema,
    DeviceListArgs,
    HandoverSchema,
    OpenEntrySchema,
    PasswordChangeSchema,
    PasswordResetSchema,
    ResetCodeSchema,
    StaffCreatedSchema,
    StaffCreateSchema,
    StaffListArgs,
    StaffRolesSchema,
    StaffSchema,
    dump_device,
)
from server.api.http import ApiBlueprint, first, page
from server.api.schemas import answer
from server.audit.services import Actor

blp = ApiBlueprint("admin", __name__)


def _actor() -> Actor:
    return Actor(current_user._get_current_object(), "desk")


def _staff(user_id) -> User:
    return services.get_staff(current_user, user_id)


def _device_row(device) -> dict:
    return dump_device(device, devices.owner(device), devices.acknowledged(device))


def _staff_found(path) -> dict:
    return {"user": _staff(path["user_id"])}


@blp.route("/admin/users")
@blp.arguments(StaffListArgs, location="query")
@blp.response(200, StaffSchema, paged=True)
def list_staff(args):
    """List the people you manage, by name."""
    select = services.list_staff(current_user, args["service_id"], args["active"], args["q"])
    return page(select, StaffSchema().dump, args)


@blp.route("/admin/users", methods=["POST"])
@blp.arguments(StaffCreateSchema)
@blp.response(201, StaffCreatedSchema)
def create_staff(data):
    """Create a member of staff with their roles; give them the reset code to set a password."""
    user, code = services.create_staff(_actor(), **data)
    return StaffSchema().dump(user) | {"reset": ResetCodeSchema().dump(code)}


@blp.route("/admin/users/<user_id>")
@blp.response(200, StaffSchema)
def get_staff(user_id):
    """Read one person you manage, with their roles."""
    return StaffSchema().dump(_staff(user_id))


@blp.route("/admin/users/<user_id>/roles", methods=["PUT"])
@first(_staff_found)
@blp.arguments(StaffRolesSchema)
@blp.response(200, StaffSchema)
def set_roles(data, user):
    """Set a person's roles in one service (service_id null: their provider-wide roles)."""
    return StaffSchema().dump(services.set_roles(_actor(), user, data["service_id"], data["roles"]))


@blp.route("/admin/users/<user_id>/deactivate", methods=["POST"])
@first(_staff_found)
@blp.arguments(DeactivateSchema)
@blp.response(200, DeactivatedSchema)
def deactivate(data, user):
    """Deactivate a leaver, handing each open entry to its new owner in the same step."""
    chosen = {r["entry_id"]: r["owner_id"] for r in data["reassignments"]}
    done = leavers.deactivate(_actor(), user, data["reassign_to"], chosen)
    return StaffSchema().dump(done.user) | HandoverSchema().dump(done)


@blp.route("/admin/users/<user_id>/open-entries")
@blp.response(200, OpenEntrySchema, listed=True)
def open_entries(user_id):
    """List a person's open entries, each with the colleagues who could take it over."""
    items = leavers.handover(current_user, _staff(user_id))
    return {"items": OpenEntrySchema(many=True).dump(items)}


@blp.route("/admin/users/<user_id>/export")
@blp.response(200)
def export_staff(user_id):
    """Download everything held about one member of staff (UK GDPR subject access)."""
    user, data = export.export_staff(_actor(), user_id)
    slug = re.sub(r"[^a-z0-9]+", "-", user.display_name.lower()).strip("-") or "person"
    return Response(
        json.dumps(data, indent=2, ensure_ascii=False) + "\n",
        mimetype="application/json",
        headers={
            "Content-Disposition": f'attachment; filename="careloop-subject-access-{slug}.json"'
        },
    )


@blp.route("/admin/users/<user_id>/reset-code", methods=["POST"])
@blp.response(200, ResetCodeSchema)
def issue_reset_code(user_id):
    """Issue a one-time code with which the person sets a new password (valid 24 hours)."""
    return ResetCodeSchema().dump(services.issue_reset_code(_actor(), _staff(user_id)))


@blp.route("/auth/reset", methods=["POST"], tags=["accounts"], public=True)
@blp.arguments(PasswordResetSchema)
@blp.response(200, answer("PasswordResetDone", password_reset=fields.Boolean(required=True)))
def reset_password(data):
    """Set a new password with a reset code; the code works once."""
    passwords.reset_password(data["token"], data["new_password"])
    return {"password_reset": True}


@blp.route("/me/password", methods=["POST"], tags=["accounts"])
@blp.arguments(PasswordChangeSchema)
@blp.response(200, answer("PasswordChanged", password_changed=fields.Boolean(required=True)))
def change_password(data):
    """Change your own password; other sessions end, this one stays signed in."""
    user = passwords.change_password(_actor(), data["current_password"], data["new_password"])
    sessions.keep_after_password_change(user)
    return {"password_changed": True}


@blp.route("/admin/devices")
@blp.arguments(DeviceListArgs, location="query")
@blp.response(200, AdminDeviceSchema, paged=True)
def list_devices(args):
    """List the tablets of the staff you manage: last sync, last acknowledged change, revoked."""
    select = devices.list_devices(current_user, args["service_id"], args["user_id"])
    return page(select, _device_row, args)


@blp.route("/admin/devices/<device_id>/revoke", methods=["POST"])
@blp.response(200, AdminDeviceSchema)
def revoke_staff_device(device_id):
    """Withdraw a lost tablet: from now on its pushes and pulls are refused."""
    device, owner = devices.revoke(current_user, device_id)
    return dump_device(device, owner, devices.acknowledged(device))
