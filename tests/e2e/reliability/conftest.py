"""Fault-injection tests: real Kafka and Elasticsearch, real worker processes.

`test_server_faults.py` pauses and restarts the shared servers, so (like
`tests/integration/test_stack_recovery.py`) it runs in CI and locally only with
WIRESTREAM_TEST_RECOVERY=1, and leaves the stack healthy at the end. The other tests only
kill workers of their own and run with the other e2e tests.
"""

from __future__ import annotations

import sys
from pathlib import Path

# `worker_process` lives one directory up (tests/e2e); the e2e conftest already loaded the
# real-stack fixtures, which pytest shares with this directory.
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
