"""Field types every input schema shares: trimmed text without control characters, and
dates in a sane range.

The rules are marshmallow fields so that one definition serves REST loading, sync
validation (server.syncing.rules) and the published JSON Schema (server.api.jsonschema):
each check is also written as the JSON Schema keyword a client can run (``pattern``).
"""

import re

from marshmallow import ValidationError, fields

from sync.values import NUL_MESSAGE

# Regular expressions in the syntax shared by Python and ECMA-262 (JSON Schema's own).
ONE_LINE = r"^[^\u0000-\u001f\u007f]*$"
"""Text on one line: no control character at all (NUL, tab, newline, escape…)."""

MULTI_LINE = r"^[^\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f]*$"
"""Long text: tabs and line breaks are allowed, no other control character."""

NOT_BLANK = r"(?=[\s\S]*\S)"
"""Put after ``^``: the text holds something besides white space (it is trimmed)."""

MULTI_LINE_FROM = 1000
"""Texts allowed this many characters or more may hold line breaks."""

CONTROL_MESSAGE = NUL_MESSAGE
ONE_LINE_MESSAGE = "Must be one line, without tabs or control characters such as NUL."

FIRST_YEAR, LAST_YEAR = 2000, 2099
"""The years a date in Careloop may fall in: year 1 or 9999 is a typing slip, not a date."""

YEAR_PATTERN = r"^20[0-9]{2}-"
"""``FIRST_YEAR``..``LAST_YEAR`` as a pattern on the ISO text, for JSON Schema."""

_ONE_LINE, _MULTI_LINE = re.compile(ONE_LINE), re.compile(MULTI_LINE)
_NUL = "\x00"


class Text(fields.String):
    """A string refused if it holds a control character, then trimmed of surrounding space.

    ``multiline`` texts may hold tabs and line breaks. The check runs on the text as sent,
    so it says the same as the JSON Schema ``pattern`` it publishes; ``not_blank`` adds
    to that pattern what the field's length rule says after trimming (a blank is refused).
    """

    def __init__(self, *, multiline: bool = False, not_blank: bool = False, **options):
        pattern = MULTI_LINE if multiline else ONE_LINE
        if not_blank:
            pattern = "^" + NOT_BLANK + pattern[1:]
        metadata = {"pattern": pattern} | options.pop("metadata", {})
        super().__init__(metadata=metadata, **options)
        self.multiline = multiline

    def _deserialize(self, value, attr, data, **kwargs):
        text = super()._deserialize(value, attr, data, **kwargs)
        if not (_MULTI_LINE if self.multiline else _ONE_LINE).fullmatch(text):
            plain = self.multiline or _NUL in text  # a NUL is never a matter of lines
            raise ValidationError(CONTROL_MESSAGE if plain else ONE_LINE_MESSAGE)
        return text.strip()


class _InRange:
    """A date field whose year must fall from ``FIRST_YEAR`` to ``LAST_YEAR``."""

    def __init__(self, **options):
        metadata = {"pattern": YEAR_PATTERN} | options.pop("metadata", {})
        super().__init__(metadata=metadata, **options)

    def _deserialize(self, value, attr, data, **kwargs):
        day = super()._deserialize(value, attr, data, **kwargs)
        if not FIRST_YEAR <= day.year <= LAST_YEAR:
            raise ValidationError(f"Must be a date from {FIRST_YEAR} to {LAST_YEAR}.")
        return day


class SaneDate(_InRange, fields.Date):
    """A calendar date from ``FIRST_YEAR`` to ``LAST_YEAR``."""


class SaneDateTime(_InRange, fields.AwareDateTime):
    """A date and time with its UTC offset, from ``FIRST_YEAR`` to ``LAST_YEAR``."""


def nul_at(value, path: str = "") -> str | None:
    """Return the path of the first text holding a NUL character in ``value``, or None.

    No field may hold one (PostgreSQL cannot store it): a request body or query string
    that does is refused before any schema reads it.
    """
    if isinstance(value, str):
        return path or "_body" if _NUL in value else None
    if isinstance(value, dict):
        items = value.items()
    elif isinstance(value, list):
        items = enumerate(value)
    else:
        return None
    for key, inner in items:
        inner_path = f"{path}.{key}" if path else str(key)
        found = inner_path if _NUL in str(key) else nul_at(inner, inner_path)
        if found:
            return found
    return None
