"""The enrichment runner: errors are data, one bad record never fails its batch."""

from __future__ import annotations

import threading
from collections.abc import Sequence

import pytest

from pipeline.contracts import schemas
from pipeline.enrich.runner import EnrichmentRunner, quote_records, skeleton


def article(n: int = 0, **extra) -> dict:
    record = {
        "schema": "wire.article.v1",
        "id": f"{n:032x}",
        "source": "test",
        "body": f'WASHINGTON (Test) — Article {n}. "We will win," Jane Doe said.',
        "received_at": "2026-11-25T09:00:00Z",
        "headline": f"Headline {n}",
    }
    record.update(extra)
    return record


class QuoteFaker:
    name = "fake.quotes.v1"

    def enrich(self, records: Sequence[dict]) -> None:
        for record in records:
            start = record["body"].index('"')
            end = record["body"].index('"', start + 1) + 1
            record["quotes"] = [
                {
                    "text": record["body"][start:end],
                    "speaker": "Jane Doe",
                    "kind": "direct",
                    "start": start,
                    "end": end,
                    "cue": "said",
                }
            ]


class Boom:
    """Fails any batch containing an article whose body mentions BOOM."""

    name = "fake.boom.v1"

    def __init__(self) -> None:
        self.calls = 0

    def enrich(self, records: Sequence[dict]) -> None:
        self.calls += 1
        if any("BOOM" in r["body"] for r in records):
            raise ValueError("cannot enrich BOOM")
        for record in records:
            record["language"] = "en"


class WritesGarbage:
    name = "fake.garbage.v1"

    def enrich(self, records: Sequence[dict]) -> None:
        for record in records:
            if "GARBAGE" in record["body"]:
                record["topics"] = [{"code": "not-a-code", "label": "x", "score": 7}]


def test_enriched_records_are_schema_valid_and_name_their_enrichers():
    runner = EnrichmentRunner([QuoteFaker(), Boom()])
    oks, errs = runner.run([article(1), article(2)])
    assert errs == []
    assert [r["id"] for r in oks] == [article(1)["id"], article(2)["id"]]
    for record in oks:
        schemas.validate(schemas.ENRICHED, record)
        assert record["enrichment"]["enrichers"] == ["fake.quotes.v1", "fake.boom.v1"]
        assert record["enrichment"]["model"] == "fake.quotes.v1,fake.boom.v1"
        assert record["enrichment"]["version"].startswith("wirestream-")
        assert record["enrichment"]["version"].endswith("+fake.quotes.v1+fake.boom.v1")
        assert record["language"] == "en"
        assert "targets" not in record


def test_invalid_input_becomes_a_validate_failure_with_the_schema_error():
    bad = article(3)
    del bad["body"]
    oks, errs = EnrichmentRunner([]).run([bad, "not even a dict", article(4)])
    assert [r["id"] for r in oks] == [article(4)["id"]]
    assert [e.stage for e in errs] == ["validate", "validate"]
    assert "body" in errs[0].message
    assert errs[0].article_id == bad["id"]
    assert errs[0].record is bad
    assert errs[1].article_id is None


@pytest.mark.parametrize("body", ["", " \n\t "])
def test_an_article_without_text_is_rejected_not_indexed(body):
    oks, errs = EnrichmentRunner([]).run([article(5, body=body)])
    assert oks == []
    assert [e.stage for e in errs] == ["validate"]
    assert "body" in errs[0].message


def test_one_bad_record_in_a_batch_does_not_fail_the_others():
    boom = Boom()
    batch = [article(5), article(6, body="BOOM goes the article"), article(7)]
    oks, errs = EnrichmentRunner([boom, QuoteFaker()]).run(batch)
    assert [r["id"] for r in oks] == [article(5)["id"], article(7)["id"]]
    assert len(errs) == 1
    assert errs[0].stage == "enrich"
    assert errs[0].error_class == "ValueError"
    assert "fake.boom.v1" in errs[0].message and "BOOM" in errs[0].message
    assert errs[0].article_id == article(6)["id"]
    assert boom.calls == 1 + 3  # the batch, then each record alone


def test_a_record_the_enrichers_made_invalid_is_a_failure_not_an_output():
    oks, errs = EnrichmentRunner([WritesGarbage()]).run([article(8), article(9, body="GARBAGE")])
    assert [r["id"] for r in oks] == [article(8)["id"]]
    assert errs[0].stage == "enrich" and "topics" in errs[0].message


def test_skeleton_has_every_required_field_and_keeps_targets_for_stance():
    record = skeleton(article(10, targets=["Russia"], language="en-GB", subjects=["x"]))
    assert record["schema"] == "news.enriched.v1"
    assert record["language"] == "en"
    assert record["targets"] == ["Russia"]
    assert record["embedding"] is None
    for name in ("related_headlines", "topics", "stance", "quotes", "entities"):
        assert record[name] == []
    assert skeleton(article(11))["language"] == "und"


def test_the_runner_does_not_modify_its_input():
    original = article(12, targets=["x"])
    EnrichmentRunner([QuoteFaker()]).run([original])
    assert original == article(12, targets=["x"])


def test_quote_records_are_valid_and_keyed_by_article():
    oks, _ = EnrichmentRunner([QuoteFaker()]).run([article(13)])
    quotes = quote_records(oks[0])
    assert len(quotes) == 1
    for quote in quotes:
        schemas.validate(schemas.QUOTE, quote)
    assert quotes[0]["quote_id"] == f"{article(13)['id']}:0"
    assert quotes[0]["speaker"] == "Jane Doe"
    assert quotes[0]["enrichment_version"] == oks[0]["enrichment"]["version"]


def test_an_unknown_enricher_is_a_clear_error():
    with pytest.raises(ValueError, match="unknown enricher"):
        EnrichmentRunner.from_names(["nope.v1"])


def test_the_encoder_leaves_a_core_to_the_parse_only_when_the_chain_parses(monkeypatch):
    from pipeline.enrich import registry
    from pipeline.enrich.resources import Resources
    from pipeline.settings import EnrichSettings

    monkeypatch.setattr("os.cpu_count", lambda: 2)
    # the automatic choice is under test, whatever the shell running the tests configured
    monkeypatch.delenv("WIRESTREAM_ENRICH_ENCODER_THREADS", raising=False)
    cheap = Resources()
    registry.build(["wirecopy.v1", "language.lingua.v1"], cheap)
    assert (cheap.background_threads, cheap.encoder_threads()) == (0, 2)
    # No models load here: the check reads the classes; only their constructors load models.
    monkeypatch.setattr("pipeline.enrich.entities.EntityEnricher.__init__", lambda s, r: None)
    parsing = Resources()
    registry.build(["wirecopy.v1", "entities.spacy.v1"], parsing)
    assert (parsing.background_threads, parsing.encoder_threads()) == (1, 1)
    pinned = Resources(EnrichSettings(encoder_threads=2), background_threads=1)
    assert pinned.encoder_threads() == 2


def test_the_real_cheap_chain_enriches_the_sample_shape():
    runner = EnrichmentRunner.from_names(["wirecopy.v1", "language.lingua.v1"])
    oks, errs = runner.run([article(14)])
    assert errs == []
    assert oks[0]["language"] == "en"
    assert oks[0]["dateline"]["place"] == "WASHINGTON"


class Slow:
    """Busy like an encoder enricher, and provably concurrent with a prefetch: both meet at a
    barrier, which only two threads running at once can pass (bounded, so a runner that
    does not overlap them fails instead of hanging)."""

    name = "fake.slow.v1"

    def __init__(self, log: list[str], meet: threading.Barrier) -> None:
        self.log, self.meet = log, meet

    def enrich(self, records: Sequence[dict]) -> None:
        self.log.append("slow starts")
        try:
            self.meet.wait()
        except threading.BrokenBarrierError:
            self.log.append("slow ends with no prefetch beside it")
            return
        self.log.append("slow ends")


class Parsing:
    """Prefetches after `fake.boom.v1` (whose language it needs) and uses what it prefetched;
    like the real parse cache, `enrich` waits for a prefetch in flight."""

    name = "fake.parsing.v1"
    prefetch_after = frozenset({"fake.boom.v1", "not.in.the.chain.v1"})

    def __init__(
        self, log: list[str], fail: bool = False, meet: threading.Barrier | None = None
    ) -> None:
        self.log, self.fail, self.ready, self.meet = log, fail, set(), meet
        self.in_flight = threading.Lock()

    def prefetch(self, records: Sequence[dict]) -> None:
        with self.in_flight:
            self.log.append("prefetch starts")
            if self.meet is not None:
                self.meet.wait()  # a broken barrier fails the prefetch: nothing is ready
            if self.fail:
                raise RuntimeError("prefetch broke")
            assert all(r["language"] == "en" for r in records)
            self.ready |= {r["id"] for r in records}
            self.log.append("prefetch ends")

    def enrich(self, records: Sequence[dict]) -> None:
        with self.in_flight:
            self.log.append("enrich uses prefetched" if self.ready else "enrich works alone")
        for record in records:
            record["entities"] = []


def test_a_prefetch_runs_once_its_inputs_are_ready_alongside_the_enrichers_before_it():
    log: list[str] = []
    meet = threading.Barrier(2, timeout=30)
    parsing = Parsing(log, meet=meet)
    oks, errs = EnrichmentRunner([Boom(), Slow(log, meet), parsing]).run([article(15), article(16)])

    assert errs == [] and len(oks) == 2
    assert "slow ends" in log, log
    assert log.index("prefetch starts") < log.index("slow ends")
    assert log[-1] == "enrich uses prefetched"
    assert parsing.ready == {article(15)["id"], article(16)["id"]}


def test_a_failed_prefetch_is_ignored_and_the_enricher_does_the_work():
    log: list[str] = []
    oks, errs = EnrichmentRunner([Boom(), Parsing(log, fail=True)]).run([article(17)])

    assert errs == [] and len(oks) == 1
    assert sorted(log) == ["enrich works alone", "prefetch starts"]
