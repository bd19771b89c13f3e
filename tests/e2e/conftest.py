"""The e2e tests use the same real-stack fixtures as the integration tests.

They live in `tests/integration/conftest.py`; pytest only shares a conftest with the tests
below it, so this one loads it and re-exports its fixtures.
"""

from __future__ import annotations

import importlib.util
from pathlib import Path

_PATH = Path(__file__).resolve().parent.parent / "integration" / "conftest.py"
_spec = importlib.util.spec_from_file_location("wirestream_integration_fixtures", _PATH)
assert _spec and _spec.loader
_fixtures = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(_fixtures)

stack = _fixtures.stack
kafka_bootstrap = _fixtures.kafka_bootstrap
es = _fixtures.es
unique_name = _fixtures.unique_name
create_topic = _fixtures.create_topic
_created_topics = _fixtures._created_topics
