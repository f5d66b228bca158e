"""Fixtures of the sync suite: every test that takes ``store`` or ``harness`` runs once per
store implementation: the in-memory store, and the server's SqlStore on the real database
(marked ``db``, so that `make test` runs it on PostgreSQL too)."""

import pytest

from tests.support.sync_harness import MemoryHarness, Tablet


def _sql(request):
    request.getfixturevalue("app")  # a migrated database and an app context
    from tests.support.sql_harness import SqlHarness

    return SqlHarness()


# name -> callable(request) -> harness (see tests/support/sync_harness.py for what a harness provides)
HARNESSES = {
    "memory": lambda request: MemoryHarness(),
    "sql": _sql,
}
MARKS = {"sql": [pytest.mark.db]}


@pytest.fixture(params=[pytest.param(name, marks=MARKS.get(name, [])) for name in HARNESSES])
def store_factory(request):
    """Return a callable making a fresh, empty harness (one per hypothesis example);
    its ``harness_name`` says which store it makes."""
    made = []

    def factory():
        harness = HARNESSES[request.param](request)
        made.append(harness)
        return harness

    factory.harness_name = request.param
    yield factory
    for harness in reversed(made):
        if hasattr(harness, "close"):
            harness.close()


@pytest.fixture
def harness(store_factory):
    return store_factory()


@pytest.fixture
def store(harness):
    return harness.store


@pytest.fixture
def tablet(harness):
    """Return a factory: tablet(user_index, device_id) -> Tablet."""
    return lambda user=1, device_id=None: Tablet(harness, user, device_id or f"tablet-{user}")


@pytest.fixture
def desk(tablet):
    return tablet(0, "desk-1")


@pytest.fixture
def ann(tablet):
    return tablet(1, "tablet-ann")


@pytest.fixture
def bob(tablet):
    return tablet(2, "tablet-bob")
