"""Hypothesis profiles: "dev" by default, "ci" (fewer examples) when CI=true.

Imported by tests/conftest.py. HYPOTHESIS_PROFILE=name picks a profile explicitly.
"""

import os

from hypothesis import HealthCheck, settings

# No deadline: a shared CI machine's timing varies too much for per-example limits.
settings.register_profile("dev", deadline=None)
settings.register_profile(
    "ci",
    max_examples=25,
    deadline=None,
    print_blob=True,
    suppress_health_check=[HealthCheck.too_slow],
)
settings.register_profile("thorough", max_examples=1000, deadline=None)


def profile_name() -> str:
    """Return the profile to load: HYPOTHESIS_PROFILE, else "ci" on CI, else "dev"."""
    if os.environ.get("HYPOTHESIS_PROFILE"):
        return os.environ["HYPOTHESIS_PROFILE"]
    return "ci" if os.environ.get("CI", "").lower() in ("1", "true", "yes") else "dev"


settings.load_profile(profile_name())
