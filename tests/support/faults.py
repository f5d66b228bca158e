"""Fault points for tests: where a test can make a worker thread wait at the exact moment
that matters. They live here, not in the server: each point wraps a server function while a
test's ``with hooked(...)`` block runs, and the server code carries no trace of them.

- ``seq_allocated``: a flush has just taken its change sequence numbers and holds the
  counter's row lock (after ``server.common.changes.allocate``); ``info``: ``first``,
  ``last``.
- ``sync_read``: a push is about to read (and lock) the record a mutation changes (before
  ``SqlStore._load`` with ``lock=True`` and before ``SqlStore._read_batch``, once per id);
  ``info``: ``entity_type``, ``entity_id``.

The server process that dies right after a push commits is ``tests.support.faulty_server``.
"""

import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager

import pytest

from server.common import changes
from server.syncing.store import SqlStore

_hooks: dict[str, list[Callable]] = {}
_lock = threading.Lock()


def fire(point: str, **info) -> None:
    """Run the hooks registered at ``point``."""
    for hook in list(_hooks.get(point, ())):
        hook(**info)


def _allocate(original):
    def allocate(session, count):
        first = original(session, count)
        fire("seq_allocated", first=first, last=first + count - 1)
        return first

    return allocate


def _load(original):
    def load(self, entity_type, entity_id, lock=False):
        if lock:
            fire("sync_read", entity_type=entity_type, entity_id=entity_id)
        return original(self, entity_type, entity_id, lock)

    return load


def _read_batch(original):
    def read_batch(self, entity_type, entity_ids):
        for entity_id in entity_ids:
            fire("sync_read", entity_type=entity_type, entity_id=entity_id)
        return original(self, entity_type, entity_ids)

    return read_batch


# point -> the (owner, attribute, wrapper) pairs that make it fire
POINTS = {
    "seq_allocated": [(changes, "allocate", _allocate)],
    "sync_read": [(SqlStore, "_load", _load), (SqlStore, "_read_batch", _read_batch)],
}


@contextmanager
def hooked(point: str, hook: Callable) -> Iterator[None]:
    """Call ``hook(**info)`` in whichever thread reaches ``point`` while the block runs."""
    with pytest.MonkeyPatch.context() as patch:
        if not _hooks.get(point):  # an enclosing block of the same point has wrapped them
            for owner, name, wrap in POINTS[point]:
                patch.setattr(owner, name, wrap(getattr(owner, name)))
        with _lock:
            _hooks.setdefault(point, []).append(hook)
        try:
            yield
        finally:
            with _lock:
                _hooks[point].remove(hook)
