"""The shared spaCy pipeline: one parse per body per batch, bounded cache, capped length."""

from __future__ import annotations

from pipeline.enrich.nlp import DocCache, parse_prefix


class CountingNlp:
    """Stands in for spaCy: records how many texts it parsed."""

    def __init__(self) -> None:
        self.parsed = 0

    def pipe(self, texts, batch_size: int = 32):
        for text in texts:
            self.parsed += 1
            yield FakeDoc(text)


class FakeDoc:
    def __init__(self, text: str) -> None:
        self.text = text
        self.tensor = None


def test_second_enricher_reuses_the_parse_of_the_batch():
    nlp = CountingNlp()
    cache = DocCache(nlp, capacity=10)
    records = [{"id": "a", "body": "one"}, {"id": "b", "body": "two"}]
    first = cache.docs(records)
    second = cache.docs(records)
    assert nlp.parsed == 2
    assert [d.text for d in second] == ["one", "two"] and first[0] is second[0]


def test_changed_body_is_parsed_again():
    nlp = CountingNlp()
    cache = DocCache(nlp)
    cache.docs([{"id": "a", "body": "one"}])
    [doc] = cache.docs([{"id": "a", "body": "one, revised"}])
    assert nlp.parsed == 2 and doc.text == "one, revised"


def test_cache_drops_oldest_parses_beyond_capacity():
    nlp = CountingNlp()
    cache = DocCache(nlp, capacity=2)
    for i in range(5):
        cache.docs([{"id": str(i), "body": f"body {i}"}])
    assert len(cache._docs) == 2


def test_long_body_is_parsed_up_to_a_paragraph_break():
    body = ("word " * 50 + "\n") * 1000
    prefix = parse_prefix(body, limit=10_000)
    assert len(prefix) <= 10_000 and body.startswith(prefix) and body[len(prefix)] == "\n"


def test_short_body_is_parsed_whole():
    assert parse_prefix("short body") == "short body"


def test_concurrent_callers_parse_a_batch_once():
    import threading

    class SlowNlp(CountingNlp):
        def pipe(self, texts, batch_size: int = 32):
            threading.Event().wait(0.05)  # a parse under way when the second caller comes
            yield from super().pipe(texts, batch_size)

    nlp = SlowNlp()
    cache = DocCache(nlp)
    records = [{"id": "a", "body": "one"}, {"id": "b", "body": "two"}]
    threads = [threading.Thread(target=cache.docs, args=(records,)) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert nlp.parsed == 2


def test_a_parsed_field_enricher_prefetches_english_parses_for_its_enrich():
    from pipeline.enrich.base import Prefetching
    from pipeline.enrich.nlp import ParsedFieldEnricher
    from pipeline.enrich.resources import Resources

    class Lengths(ParsedFieldEnricher):
        name, field = "fake.lengths.v1", "entities"

        def extract(self, record, doc):
            return [{"length": len(doc.text)}]

    nlp = CountingNlp()
    resources = Resources()
    resources.shared("spacy.docs", lambda: DocCache(nlp))  # the parse cache the enricher finds
    enricher = Lengths(resources)
    records = [
        {"id": "a", "body": "one", "language": "en"},
        {"id": "b", "body": "zwei", "language": "de"},
    ]

    assert isinstance(enricher, Prefetching)
    assert enricher.prefetch_after == {"wirecopy.v1", "language.lingua.v1"}
    enricher.prefetch(records)
    enricher.enrich(records)
    assert nlp.parsed == 1
    assert [r["entities"] for r in records] == [[{"length": 3}], []]


def test_the_shared_parse_runs_in_the_configured_spacy_batches(monkeypatch):
    # spaCy's working memory grows with its batch (issue 15): the worker's batch of 32
    # bodies is parsed 8 at a time unless configured otherwise.
    from pipeline.enrich import nlp as nlp_module
    from pipeline.enrich.resources import Resources
    from pipeline.settings import EnrichSettings

    class BatchRecordingNlp(CountingNlp):
        def pipe(self, texts, batch_size: int = 32):
            self.batch_size = batch_size
            yield from super().pipe(texts, batch_size)

    fake = BatchRecordingNlp()
    monkeypatch.setattr(nlp_module, "shared_nlp", lambda resources: fake)
    default = nlp_module.shared_docs(Resources())
    default.docs([{"id": "a", "body": "one"}])
    assert fake.batch_size == 8

    configured = nlp_module.shared_docs(Resources(settings=EnrichSettings(parse_batch_size=2)))
    configured.docs([{"id": "b", "body": "two"}])
    assert fake.batch_size == 2
