"""My day: the signed-in person's reminders, and their own reminder preferences."""

from flask_login import current_user, login_required

from server.api.http import endpoint, load
from server.audit.services import Actor
from server.myday.preferences import preferences, set_preferences
from server.myday.schemas import MyDaySchema, PreferencesSchema, PreferencesUpdateSchema
from server.myday.services import my_day


@endpoint("/my-day", response=MyDaySchema, tag="myday")
@login_required
def my_day_view():
    """What is waiting for me: overdue and due-today actions, challenges, new assignments."""
    return MyDaySchema().dump(my_day(current_user))


@endpoint("/me/preferences", response=PreferencesSchema, tag="myday")
@login_required
def my_preferences():
    """My reminder preferences: whether I get the daily email digest."""
    return PreferencesSchema().dump(preferences(current_user))


@endpoint(
    "/me/preferences",
    methods=("PATCH",),
    body=PreferencesUpdateSchema,
    response=PreferencesSchema,
    tag="myday",
)
@login_required
def change_my_preferences():
    """Choose whether I get the daily email digest (my own preferences only)."""
    data = load(PreferencesUpdateSchema())
    return PreferencesSchema().dump(set_preferences(Actor(current_user, "desk"), data))
