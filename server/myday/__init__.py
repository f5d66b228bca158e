"""My day: each person's reminders of what is theirs to do, in one view."""
