"""Careloop's offline-sync engine: framework-free, pure Python, storage behind an interface.

The server adapts it (HTTP, device bindings, a SQLAlchemy Store calling the services); the
protocol it implements is written down in docs/sync-protocol.md. What a push or a conflict
resolution calls is here; the types, the store interface, the merge and the validator are
in their modules (sync.types, sync.store, sync.merge, sync.validate).
"""

from sync.engine import apply_batch, resolve
from sync.store import Refused
from sync.validate import (
    PROTOCOL_VERSION,
    BatchRefused,
    BatchTooLarge,
    ProtocolMismatch,
    check_protocol,
    validate_batch,
)

__all__ = [
    "PROTOCOL_VERSION",
    "BatchRefused",
    "BatchTooLarge",
    "ProtocolMismatch",
    "Refused",
    "apply_batch",
    "check_protocol",
    "resolve",
    "validate_batch",
]
