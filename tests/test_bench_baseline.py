"""The PostgreSQL bench's raw baseline writes the pushed values in PostgreSQL's types.

(`make bench-smoke` runs the benchmarks themselves, bench/smoke.py.)"""

import uuid

from bench.client import finding_creates
from bench.pg_baseline import finding_rows


def test_baseline_rows_hold_the_pushed_values_in_postgresql_types():
    service, author = str(uuid.uuid4()), str(uuid.uuid4())
    creates = finding_creates("device", author, service, 3, seed=7)
    rows = finding_rows(creates, author, first_seq=41)
    assert [r["id"] for r in rows] == [uuid.UUID(m["entity_id"]) for m in creates]
    assert {r["service_id"] for r in rows} == {uuid.UUID(service)}
    assert {r["recorded_by"] for r in rows} == {uuid.UUID(author)}
    assert [r["change_seq"] for r in rows] == [41, 42, 43]
    assert [r["follow_up_needed"] for r in rows] == [
        m["changes"]["follow_up_needed"] for m in creates
    ]
    assert rows[0]["recorded_at"].isoformat() == creates[0]["changes"]["recorded_at"]
    assert rows[0]["description"] == creates[0]["changes"]["description"]
