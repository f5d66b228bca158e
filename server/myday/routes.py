"""My day: the signed-in person's reminders."""

from flask_login import current_user, login_required

from server.api.http import endpoint
from server.myday.schemas import MyDaySchema
from server.myday.services import my_day


@endpoint("/my-day", response=MyDaySchema, tag="myday")
@login_required
def my_day_view():
    """What is waiting for me: overdue and due-today actions, challenges, new assignments."""
    return MyDaySchema().dump(my_day(current_user))
