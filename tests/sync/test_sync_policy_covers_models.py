"""Every column of every synced model has exactly one merge policy (no silent gaps).

When the server adds a column to a synced record, this fails until sync.policies says how
the column merges.
"""

import pytest

from server.findings.models import Finding, Walkaround
from server.log.models import EvidenceRef, LogEntry, Note
from sync.policies import POLICIES

MODELS = {
    "finding": Finding,
    "walkaround": Walkaround,
    "log_entry": LogEntry,
    "note": Note,
    "evidence": EvidenceRef,
}
# Synced through a relationship rather than a column of the record's own table.
RELATIONSHIPS = {"log_entry": {"statements"}}


@pytest.mark.parametrize("entity_type", sorted(MODELS))
def test_policy_table_matches_the_model(entity_type):
    columns = set(MODELS[entity_type].__table__.columns.keys())
    fields = set(POLICIES[entity_type]) - RELATIONSHIPS.get(entity_type, set())
    assert columns - fields == set(), "columns without a merge policy"
    assert fields - columns == set(), "policies for columns that do not exist"
