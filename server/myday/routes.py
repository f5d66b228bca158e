"""My day: the signed-in person's reminders, and their own reminder preferences."""

from flask_login import current_user

from server.api.http import ApiBlueprint
from server.audit.services import Actor
from server.myday.preferences import preferences, set_preferences
from server.myday.schemas import (
    MyDayCountsSchema,
    MyDaySchema,
    PreferencesSchema,
    PreferencesUpdateSchema,
)
from server.myday.services import my_day

blp = ApiBlueprint("myday", __name__)


@blp.route("/my-day")
@blp.response(200, MyDaySchema)
def my_day_view():
    """What is waiting for me: overdue and due-today actions, challenges, new assignments."""
    return MyDaySchema().dump(my_day(current_user))


@blp.route("/me/preferences")
@blp.response(200, PreferencesSchema)
def my_preferences():
    """My reminder preferences: whether I get the daily email digest."""
    return PreferencesSchema().dump(preferences(current_user))


@blp.route("/me/preferences", methods=["PATCH"])
@blp.arguments(PreferencesUpdateSchema)
@blp.response(200, PreferencesSchema)
def change_my_preferences(data):
    """Choose whether I get the daily email digest (my own preferences only)."""
    return PreferencesSchema().dump(set_preferences(Actor(current_user, "desk"), data))


@blp.route("/my-day/counts")
@blp.response(200, MyDayCountsSchema)
def my_day_counts():
    """How many records wait in each My day section, and the total (the menu's badge)."""
    return MyDayCountsSchema().dump(my_day(current_user)["counts"])
