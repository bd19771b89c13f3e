"""Test-suite wide rules: markers from the directory, and no silent skips in CI of real-server
tests or of checks that need an external tool (which .ci/run installs)."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

_BY_DIR = {"integration": pytest.mark.integration, "e2e": pytest.mark.e2e}
# The skip reason of the tests that restart or pause the shared stack (test_stack_recovery.py,
# reliability/test_server_faults.py): they run in CI, locally only when asked.
RECOVERY_GATE = "WIRESTREAM_TEST_RECOVERY"
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
    config.addinivalue_line(
        "markers",
        "needs_tool(name): a check that runs an external tool (systemd-analyze, docker-compose, "
        "helm); it may skip without the tool locally, but in CI (CI=true) a skip fails",
    )


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Tests under tests/integration are `integration`, under tests/e2e are `e2e`."""
    for item in items:
        kind = _kind(Path(str(item.path)))
        if kind:
            item.add_marker(_BY_DIR[kind])


_NOT_RUN = pytest.StashKey[list[str]]()


@pytest.hookimpl(trylast=True)
def pytest_terminal_summary(terminalreporter, exitstatus: int, config: pytest.Config) -> None:
    """Says loudly, at the very end, that the stack-recovery and server-fault tests did not
    run (a plain `make test` on a shared stack), so nobody takes a green run for all of them."""
    not_run = config.stash.get(_NOT_RUN, [])
    if not not_run:
        return
    files = sorted({nodeid.split("::", 1)[0] for nodeid in not_run})
    terminalreporter.write_sep(
        "!", f"{len(not_run)} RECOVERY TESTS DID NOT RUN", red=True, bold=True
    )
    terminalreporter.write_line(
        f"They restart or pause the shared Kafka/Elasticsearch, so they run only with CI=true "
        f"or {RECOVERY_GATE}=1 (on a stack nobody else uses): {', '.join(files)}",
        red=True,
    )


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo):
    # In CI a skipped integration or e2e test would hide that the real servers were not
    # exercised, so it fails instead, with the skip reason, unless the test declares with
    # `@pytest.mark.may_skip_in_ci(reason=...)` why it may skip. The same holds for a test
    # marked `needs_tool`: CI installs the tool, so a skip there means the check never ran.
    outcome = yield
    report = outcome.get_result()
    if not report.skipped or hasattr(report, "wasxfail"):
        return
    reason = report.longrepr[2] if isinstance(report.longrepr, tuple) else str(report.longrepr)
    if RECOVERY_GATE in reason and report.when == "setup":
        item.config.stash.setdefault(_NOT_RUN, []).append(item.nodeid)
    if not in_ci():
        return
    tool = item.get_closest_marker("needs_tool")
    if tool is not None:
        report.outcome = "failed"
        report.longrepr = (
            f"tests that need {tool.args[0] if tool.args else 'a tool'} must not skip in CI "
            f"(CI=true; .ci/run installs it); skipped because: {reason}"
        )
    elif _kind(Path(str(item.path))) and item.get_closest_marker("may_skip_in_ci") is None:
        report.outcome = "failed"
        report.longrepr = (
            f"integration/e2e tests must not skip in CI (CI=true); skipped because: {reason}"
        )
