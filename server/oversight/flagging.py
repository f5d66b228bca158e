"""One early warning, and the shared ways of building one: counts, named records, words."""

import uuid
from dataclasses import dataclass

from server.log.signal_scope import Scope
from server.oversight.queries import counted, ranked


@dataclass(frozen=True)
class Warning:  # noqa: A001 - the product's word
    """One early warning: which signal, where, why in words, and the records behind it."""

    signal: str
    service_id: uuid.UUID
    reason: str
    refs: tuple[tuple[str, uuid.UUID | str], ...]  # str: see warnings_report's text_ids
    count: int


def label(code: str) -> str:
    return code.replace("_", " ")


def make_warning(scope, signal, service_id, reason, items, count) -> Warning:
    refs = tuple((kind, id_) for kind, id_, _ in items[: scope.refs])
    return Warning(signal, service_id, reason, refs, count)


def by_service(scope: Scope, base, order_by, worst=None) -> dict:
    """Return {service_id: (count, worst detail, [(kind, id, detail), ...])} of ``base``.

    The worst detail is the first row in ``order_by`` order, which the aggregate ``worst``
    also gives (None without it). With no records to name (the dashboard), one grouped
    count answers, without ranking every row.
    """
    if not scope.refs:
        extra = (worst,) if worst else ()
        return {
            sid: (row[0], row[1] if worst else None, [])
            for sid, row in counted(base, *extra).items()
        }
    return {
        sid: (n, items[0][2], items)
        for sid, (n, items) in ranked(base, order_by, scope.refs).items()
    }
