"""Property: whatever bytes arrive, a batch never raises; every record is indexed, stale or
dead-lettered, and a dead letter carries the exact original bytes (base64 when not UTF-8)."""

from __future__ import annotations

import asyncio
import base64

import orjson
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from test_processor import FakePublisher, FakeSink, article, message, processor

from pipeline.contracts import schemas
from pipeline.worker.processor import Incoming

_json_values = st.recursive(
    st.none()
    | st.booleans()
    | st.integers(-(2**63), 2**64 - 1)  # what JSON encoders write
    | st.floats(allow_nan=False)
    | st.text(),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(), inner, max_size=4),
    max_leaves=12,
)
_hostile_text = st.text(
    alphabet=st.characters(codec="utf-8") | st.sampled_from("\x00\u202e\u200f\"'“”«»<>&"),
    max_size=300,
)


_LITERAL = (
    b'{"schema": "wire.article.v1", "id": "00000000000000000000000000000000", "source": "s", '
    b'"body": "b", "received_at": "2026-11-25T09:00:00Z", "revision": %s}'
)


@st.composite
def _values(draw) -> bytes:
    kind = draw(st.sampled_from(["bytes", "json", "article", "broken-article", "literal"]))
    if kind == "bytes":
        return draw(st.binary(max_size=300))
    if kind == "literal":
        # JSON other encoders write that orjson reads differently or refuses.
        value = draw(st.sampled_from(["1" * 40, "1e400", "-0", '"\\ud800"', "[" * 12 + "]" * 12]))
        return _LITERAL % value.encode()
    if kind == "json":
        return orjson.dumps(draw(_json_values))
    record = article(draw(st.integers(0, 5)), body=draw(_hostile_text))
    if kind == "broken-article":
        field = draw(st.sampled_from(["id", "schema", "source", "body", "received_at"]))
        record[field] = draw(_json_values)
    return orjson.dumps(record)


def _original_bytes(letter: dict) -> bytes:
    original = letter["original"]
    if original["encoding"] == "base64":
        return base64.b64decode(original["value"])
    return original["value"].encode("utf-8")


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(_values(), min_size=1, max_size=6))
def test_any_batch_is_accounted_for_and_dead_letters_keep_the_original_bytes(values):
    publisher, sink = FakePublisher(), FakeSink()
    batch: list[Incoming] = [message(v, offset=i) for i, v in enumerate(values)]
    report = asyncio.run(processor(sink, publisher).process(batch))

    assert report.consumed == len(values)
    assert report.indexed + report.stale + report.deadlettered == len(values)
    for letter in publisher.on("wire.deadletter.v1"):
        schemas.validate(schemas.DEADLETTER, letter)
        assert letter["error_message"] and letter["stage"] in ("decode", "validate", "enrich")
        assert _original_bytes(letter) == values[letter["original"]["offset"]]
