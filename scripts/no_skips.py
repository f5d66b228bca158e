"""A pytest plugin for `make test`: any skipped test fails the run.

Load it with `-p no_skips` and this folder on PYTHONPATH.
"""

import pytest


def _skipped(config) -> int:
    reporter = config.pluginmanager.get_plugin("terminalreporter")
    return len(reporter.stats.get("skipped", [])) if reporter else 0


def pytest_terminal_summary(terminalreporter, exitstatus, config):
    """Say why the run fails when something was skipped."""
    count = _skipped(config)
    if count:
        terminalreporter.write_line(
            f"no_skips: {count} skipped; make test allows no skipped tests "
            "(install what the test needs, or make it run).",
            red=True,
            bold=True,
        )


def pytest_sessionfinish(session, exitstatus):
    """Turn a green run with skips into a failed one."""
    if _skipped(session.config) and session.exitstatus == pytest.ExitCode.OK:
        session.exitstatus = pytest.ExitCode.TESTS_FAILED
