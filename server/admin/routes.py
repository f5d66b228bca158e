"""Administration API: staff accounts and roles, leavers, passwords, tablets."""

import json
import re

from flask import Response
from flask_login import current_user, login_required
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
from server.api.http import endpoint, load, page, query_args
from server.api.schemas import answer
from server.audit.services import Actor


def _actor() -> Actor:
    return Actor(current_user._get_current_object(), "desk")


def _staff(user_id) -> User:
    return services.get_staff(current_user, user_id)


def _device_row(device) -> dict:
    return dump_device(device, devices.owner(device), devices.acknowledged(device))


@endpoint("/admin/users", query=StaffListArgs, response=StaffSchema, paged=True)
@login_required
def list_staff():
    """List the people you manage, by name."""
    args = query_args(StaffListArgs())
    select = services.list_staff(current_user, args["service_id"], args["active"], args["q"])
    return page(select, StaffSchema().dump, args["page"], args["per_page"])


@endpoint(
    "/admin/users",
    methods=("POST",),
    status=201,
    body=StaffCreateSchema,
    response=StaffCreatedSchema,
)
@login_required
def create_staff():
    """Create a member of staff with their roles; give them the reset code to set a password."""
    user, code = services.create_staff(_actor(), **load(StaffCreateSchema()))
    return StaffSchema().dump(user) | {"reset": ResetCodeSchema().dump(code)}


@endpoint("/admin/users/<user_id>", response=StaffSchema)
@login_required
def get_staff(user_id):
    """Read one person you manage, with their roles."""
    return StaffSchema().dump(_staff(user_id))


@endpoint(
    "/admin/users/<user_id>/roles", methods=("PUT",), body=StaffRolesSchema, response=StaffSchema
)
@login_required
def set_roles(user_id):
    """Set a person's roles in one service (service_id null: their provider-wide roles)."""
    user = _staff(user_id)
    data = load(StaffRolesSchema())
    return StaffSchema().dump(services.set_roles(_actor(), user, data["service_id"], data["roles"]))


@endpoint(
    "/admin/users/<user_id>/deactivate",
    methods=("POST",),
    body=DeactivateSchema,
    response=DeactivatedSchema,
)
@login_required
def deactivate(user_id):
    """Deactivate a leaver, handing each open entry to its new owner in the same step."""
    user = _staff(user_id)
    data = load(DeactivateSchema())
    chosen = {r["entry_id"]: r["owner_id"] for r in data["reassignments"]}
    done = leavers.deactivate(_actor(), user, data["reassign_to"], chosen)
    return StaffSchema().dump(done.user) | HandoverSchema().dump(done)


@endpoint("/admin/users/<user_id>/open-entries", response=OpenEntrySchema, listed=True)
@login_required
def open_entries(user_id):
    """List a person's open entries, each with the colleagues who could take it over."""
    items = leavers.handover(current_user, _staff(user_id))
    return {"items": OpenEntrySchema(many=True).dump(items)}


@endpoint("/admin/users/<user_id>/export")
@login_required
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


@endpoint("/admin/users/<user_id>/reset-code", methods=("POST",), response=ResetCodeSchema)
@login_required
def issue_reset_code(user_id):
    """Issue a one-time code with which the person sets a new password (valid 24 hours)."""
    return ResetCodeSchema().dump(services.issue_reset_code(_actor(), _staff(user_id)))


@endpoint(
    "/auth/reset",
    methods=("POST",),
    body=PasswordResetSchema,
    public=True,
    tag="accounts",
    response=answer("PasswordResetDone", password_reset=fields.Boolean(required=True)),
)
def reset_password():
    """Set a new password with a reset code; the code works once."""
    data = load(PasswordResetSchema())
    passwords.reset_password(data["token"], data["new_password"])
    return {"password_reset": True}


@endpoint(
    "/me/password",
    methods=("POST",),
    body=PasswordChangeSchema,
    tag="accounts",
    response=answer("PasswordChanged", password_changed=fields.Boolean(required=True)),
)
@login_required
def change_password():
    """Change your own password; other sessions end, this one stays signed in."""
    data = load(PasswordChangeSchema())
    user = passwords.change_password(_actor(), data["current_password"], data["new_password"])
    sessions.keep_after_password_change(user)
    return {"password_changed": True}


@endpoint("/admin/devices", query=DeviceListArgs, response=AdminDeviceSchema, paged=True)
@login_required
def list_devices():
    """List the tablets of the staff you manage: last sync, last acknowledged change, revoked."""
    args = query_args(DeviceListArgs())
    select = devices.list_devices(current_user, args["service_id"], args["user_id"])
    return page(select, _device_row, args["page"], args["per_page"])


@endpoint("/admin/devices/<device_id>/revoke", methods=("POST",), response=AdminDeviceSchema)
@login_required
def revoke_staff_device(device_id):
    """Withdraw a lost tablet: from now on its pushes and pulls are refused."""
    device, owner = devices.revoke(current_user, device_id)
    return dump_device(device, owner, devices.acknowledged(device))
