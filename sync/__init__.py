"""Careloop's offline-sync engine: framework-free, pure Python, storage behind an interface.

The server adapts it (HTTP, device bindings, a SQLAlchemy Store calling the services); the
protocol it implements is written down in docs/sync-protocol.md.
"""

from sync.engine import apply, apply_batch, resolve
from sync.merge import FieldConflict, MergeResult, merge
from sync.store import (
    ChangeFeed,
    IdTaken,
    InvalidChange,
    NotFound,
    NotPermitted,
    Page,
    Refused,
    RuleRefused,
    StaleWrite,
    Store,
    SyncActor,
    TransactionLost,
    WriteContext,
    Writer,
)
from sync.types import (
    Applied,
    Conflict,
    ConflictRecorded,
    Duplicate,
    Merged,
    Mutation,
    Outcome,
    Rejected,
    Transition,
    outcome_from_dict,
)
from sync.validate import (
    PROTOCOL_VERSION,
    BatchRefused,
    BatchTooLarge,
    ProtocolMismatch,
    check_batch,
    check_protocol,
    validate,
    validate_batch,
)

__all__ = [
    "PROTOCOL_VERSION",
    "Applied",
    "BatchRefused",
    "BatchTooLarge",
    "ChangeFeed",
    "Conflict",
    "ConflictRecorded",
    "Duplicate",
    "FieldConflict",
    "IdTaken",
    "InvalidChange",
    "Merged",
    "MergeResult",
    "Mutation",
    "NotFound",
    "NotPermitted",
    "Outcome",
    "Page",
    "ProtocolMismatch",
    "Refused",
    "Rejected",
    "RuleRefused",
    "StaleWrite",
    "Store",
    "SyncActor",
    "TransactionLost",
    "Transition",
    "WriteContext",
    "Writer",
    "apply",
    "apply_batch",
    "check_batch",
    "check_protocol",
    "merge",
    "outcome_from_dict",
    "resolve",
    "validate",
    "validate_batch",
]
