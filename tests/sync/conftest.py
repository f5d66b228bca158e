"""Fixtures of the sync suite: every test that takes ``store`` or ``harness`` runs once per
store implementation. Add the server's SQLAlchemy store to HARNESSES to run it too."""

import pytest
from sync_harness import MemoryHarness, Tablet

# name -> callable(request) -> harness (see sync_harness.py for what a harness provides)
HARNESSES = {
    "memory": lambda request: MemoryHarness(),
}


@pytest.fixture(params=sorted(HARNESSES))
def store_factory(request):
    """Return a callable making a fresh, empty harness (one per hypothesis example)."""
    return lambda: HARNESSES[request.param](request)


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
