"""Who, when and where in plain words, for history and conflicts: people's names for user
ids, a moment as London time ("Tuesday 8 December, 09:14"), a tablet's label for its id."""

import uuid
from datetime import date, datetime

from server.accounts.models import User
from server.common.dates import LONDON, london_today
from server.extensions import db

SOMEONE = "Someone"


def moment(value: datetime | None, today: date | None = None) -> str:
    """Say a moment as London time: "Tuesday 8 December, 09:14" (the year added when it is
    not this year's); "an unknown time" for none."""
    if value is None:
        return "an unknown time"
    local = value.astimezone(LONDON)
    year = "" if local.year == (today or london_today()).year else f" {local.year}"
    return f"{local:%A} {local.day} {local:%B}{year}, {local:%H:%M}"


def spoken_day(value) -> str:
    """Say a date ("2026-12-08" or a date) as "Tuesday 8 December 2026"; text that is not
    a date as it is."""
    try:
        day = value if isinstance(value, date) else date.fromisoformat(str(value)[:10])
    except ValueError:
        return str(value)
    return f"{day:%A} {day.day} {day:%B %Y}"


def _uuid(value) -> uuid.UUID | None:
    try:
        return value if isinstance(value, uuid.UUID) else uuid.UUID(str(value))
    except (TypeError, ValueError):
        return None


def people(ids) -> dict[str, str]:
    """Return {user id as text: display name} for the ids given (None and junk skipped)."""
    keys = {key for key in map(_uuid, ids) if key is not None}
    if not keys:
        return {}
    rows = db.session.execute(db.select(User.id, User.display_name).where(User.id.in_(keys)))
    return {str(key): name for key, name in rows}


def name(names: dict[str, str], user_id, unknown: str = SOMEONE) -> str:
    """A person's name from ``people``'s answer; ``unknown`` for none or a stranger."""
    return names.get(str(user_id), unknown) if user_id else unknown


def first_name(full: str) -> str:
    return full.split()[0] if full and full != SOMEONE else "the other person"


def place(channel: str | None, device_id, devices: dict[str, str]) -> str:
    """Where a change was made: "on the tablet “Lounge”", "at the desk", "by Careloop"."""
    if device_id:
        label = devices.get(str(device_id))
        return f"on the tablet “{label}”" if label else "on a tablet"
    if channel == "sync":
        return "on a tablet"
    if channel in ("system", "seed"):
        return "by Careloop itself"
    return "at the desk"
