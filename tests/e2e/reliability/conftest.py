"""Fault-injection tests: real Kafka and Elasticsearch, real worker processes.

They kill workers and pause or restart the shared servers, so (like
`tests/integration/test_stack_recovery.py`) they run in CI and locally only with
WIRESTREAM_TEST_RECOVERY=1, and every test leaves the stack healthy at the end.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

import pytest

# `worker_process` lives one directory up (tests/e2e); the e2e conftest already loaded the
# real-stack fixtures, which pytest shares with this directory.
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))


def _disruption_allowed() -> bool:
    ci = os.environ.get("CI", "").lower() in ("1", "true", "yes")
    return ci or bool(os.environ.get("WIRESTREAM_TEST_RECOVERY"))


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    here = Path(__file__).resolve().parent
    skip = pytest.mark.skipif(
        not _disruption_allowed(),
        reason="kills workers and pauses/restarts the shared local stack: "
        "runs with CI=true or WIRESTREAM_TEST_RECOVERY=1",
    )
    for item in items:
        if here in Path(str(item.path)).resolve().parents:
            item.add_marker(skip)
