"""Test-only fault hooks: named points where a test can block a worker, or crash the server.

The server calls ``fire(point, **info)`` at a few points; nothing happens unless a test has
registered a hook there with ``hooked``. The points:

- ``seq_allocated`` (server.common.changes): a flush has just taken its change sequence
  numbers and holds the counter's row lock; ``info``: ``first``, ``last``.
- ``sync_read`` (server.syncing.store): a push is about to read (and lock) the record a
  mutation changes; ``info``: ``entity_type``, ``entity_id``.

A process started with ``CARELOOP_FAULT=crash_after_commit`` ends itself (``os._exit``)
right after a push's transaction commits and before its response is sent: the fault test
of a device that never hears back.
"""

import os
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager

from sqlalchemy import event
from sqlalchemy.orm import Session

CRASH_AFTER_COMMIT = "crash_after_commit"
CRASH_EXIT_CODE = 70

_hooks: dict[str, list[Callable]] = {}
_lock = threading.Lock()


def fire(point: str, **info) -> None:
    """Run the hooks registered at ``point`` (none outside tests)."""
    hooks = _hooks.get(point)
    if hooks:
        for hook in list(hooks):
            hook(**info)


@contextmanager
def hooked(point: str, hook: Callable) -> Iterator[None]:
    """Call ``hook(**info)`` in whichever thread reaches ``point`` while the block runs."""
    with _lock:
        _hooks.setdefault(point, []).append(hook)
    try:
        yield
    finally:
        with _lock:
            _hooks[point].remove(hook)


def _crash_after_push_commit(session: Session) -> None:
    from flask import has_request_context, request

    if session.in_nested_transaction():
        return  # a savepoint released (one mutation), not the push's commit
    if has_request_context() and request.path.endswith("/sync/push"):
        os._exit(CRASH_EXIT_CODE)


if os.environ.get("CARELOOP_FAULT") == CRASH_AFTER_COMMIT:
    event.listen(Session, "after_commit", _crash_after_push_commit)
