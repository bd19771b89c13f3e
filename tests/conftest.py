"""Test-suite wide rules: markers from the directory, and no silent skips of real-server tests in CI."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

_BY_DIR = {"integration": pytest.mark.integration, "e2e": pytest.mark.e2e}
_TESTS = Path(__file__).resolve().parent


def in_ci() -> bool:
    return os.environ.get("CI", "").lower() in ("1", "true", "yes")


def _kind(path: Path) -> str | None:
    try:
        top = path.resolve().relative_to(_TESTS).parts[0]
    except (ValueError, IndexError):
        return None
    return top if top in _BY_DIR else None


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers",
        "may_skip_in_ci(reason): an integration/e2e test that is allowed to skip in CI, for the "
        "reason given (e.g. a module the local Elasticsearch distribution does not ship)",
    )


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Tests under tests/integration are `integration`, under tests/e2e are `e2e`."""
    for item in items:
        kind = _kind(Path(str(item.path)))
        if kind:
            item.add_marker(_BY_DIR[kind])


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo):
    # In CI a skipped integration or e2e test would hide that the real servers were not
    # exercised, so it fails instead, with the skip reason, unless the test declares with
    # `@pytest.mark.may_skip_in_ci(reason=...)` why it may skip.
    outcome = yield
    report = outcome.get_result()
    if (
        in_ci()
        and report.skipped
        and _kind(Path(str(item.path)))
        and not hasattr(report, "wasxfail")
        and item.get_closest_marker("may_skip_in_ci") is None
    ):
        reason = report.longrepr[2] if isinstance(report.longrepr, tuple) else str(report.longrepr)
        report.outcome = "failed"
        report.longrepr = (
            f"integration/e2e tests must not skip in CI (CI=true); skipped because: {reason}"
        )
