"""Dates as the rules need them: Europe/London days, English working days (DESIGN.md rule 8)."""

from datetime import UTC, date, datetime

from server.common.dates import (
    add_working_days,
    is_overdue,
    is_working_day,
    london_date,
    next_working_day,
    previous_working_day,
)


def test_london_date_follows_british_summer_time():
    # 23:30 UTC on 30 June is 00:30 on 1 July in London (BST), but still 30 Dec in winter.
    assert london_date(datetime(2026, 6, 30, 23, 30, tzinfo=UTC)) == date(2026, 7, 1)
    assert london_date(datetime(2026, 12, 30, 23, 30, tzinfo=UTC)) == date(2026, 12, 30)


def test_overdue_starts_the_day_after_the_due_date():
    due = date(2026, 11, 27)
    assert not is_overdue(due, date(2026, 11, 27))
    assert is_overdue(due, date(2026, 11, 28))
    assert not is_overdue(None, date(2026, 11, 28))


def test_working_days_skip_weekends_and_english_bank_holidays():
    # Christmas Day 2026 is a Friday; Boxing Day falls on Saturday, so Monday 28th is the
    # substitute bank holiday in England.
    assert next_working_day(date(2026, 12, 24)) == date(2026, 12, 29)
    assert not is_working_day(date(2026, 12, 28))
    assert not is_working_day(date(2026, 12, 26))
    # Easter Monday 2026 (6 April) is a bank holiday in England.
    assert next_working_day(date(2026, 4, 2)) == date(2026, 4, 7)  # Good Friday too
    assert previous_working_day(date(2026, 4, 7)) == date(2026, 4, 2)


def test_scottish_only_holidays_are_working_days_in_england():
    # St Andrew's Day (Monday 30 November 2026) is a bank holiday in Scotland only.
    assert is_working_day(date(2026, 11, 30))
    # 2 January is a Scottish bank holiday; in England Friday 2 January 2026 is a working day.
    assert is_working_day(date(2026, 1, 2))


def test_add_working_days_counts_only_working_days():
    assert add_working_days(date(2026, 11, 27), 1) == date(2026, 11, 30)  # Fri -> Mon
    assert add_working_days(date(2026, 12, 23), 3) == date(2026, 12, 30)
