"""Fixtures of the protocol tests (every generated function and event on the devnet).

- ``kit`` (function): a :class:`protocol_kit.Kit` on the plugin's ``devnet`` fixture (one anvil
  per session; the chain is snapshotted before each test and reverted after it).

The coverage report test (``test_coverage_report.py``) is moved to the end of the run, and the
terminal summary repeats its two lines when any protocol test ran.
"""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent))  # makes protocol_kit importable (importlib mode)

from protocol_kit import COVERAGE, Kit  # noqa: E402

from ogpu.devnet import Devnet  # noqa: E402

REPORT_MODULE = "test_coverage_report.py"


@pytest.fixture
def kit(devnet: Devnet) -> Kit:
    """The test's accounts, builders and recorded calls on the devnet."""
    return Kit(devnet, COVERAGE)


@pytest.hookimpl(trylast=True)
def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Run the coverage report after every other test."""
    report = [item for item in items if item.path.name == REPORT_MODULE]
    if report:
        items[:] = [item for item in items if item.path.name != REPORT_MODULE] + report


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    """Print the coverage lines at the end of a session that ran protocol tests."""
    if COVERAGE.functions or COVERAGE.events:
        terminalreporter.section("ogpu protocol coverage")
        for line in COVERAGE.summary():
            terminalreporter.write_line(line)
