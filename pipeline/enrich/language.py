"""Language detection (`language.lingua.v1`): ISO 639-1 code, or `und` when unsure.

Later enrichers give English topic, stance and quote labels only to `en` articles;
everything else passes through marked with its language.
"""

from __future__ import annotations

from collections.abc import Sequence

from lingua import Language, LanguageDetector, LanguageDetectorBuilder

from pipeline.enrich.base import Record
from pipeline.enrich.resources import Resources

# The languages of the world's big wire services and their audiences. A closed set keeps
# the detector small (~30 MB) and fast; anything else comes out as the nearest of these
# or, at low confidence, `und`.
LANGUAGES = (
    "ENGLISH GERMAN FRENCH SPANISH ITALIAN PORTUGUESE DUTCH SWEDISH DANISH BOKMAL FINNISH "
    "POLISH CZECH HUNGARIAN ROMANIAN GREEK TURKISH RUSSIAN UKRAINIAN ARABIC HEBREW PERSIAN "
    "URDU HINDI BENGALI CHINESE JAPANESE KOREAN INDONESIAN VIETNAMESE THAI SWAHILI"
).split()

SAMPLE_CHARS = 3000
FIRST_LOOK_CHARS = 400
"""Lingua's cost grows with the text; 400 characters of copy settle nearly every article
(issue 8: the 3,000-character look was 10 ms an article, most of a light worker's CPU)."""
SURE = 0.9
MIN_CONFIDENCE = 0.5
MIN_LETTERS = 20


def build_detector() -> LanguageDetector:
    languages = [getattr(Language, name) for name in LANGUAGES]
    return LanguageDetectorBuilder.from_languages(*languages).with_low_accuracy_mode().build()


def detect_language(detector: LanguageDetector, text: str, declared: str | None = None) -> str:
    sample = text[:SAMPLE_CHARS]
    if sum(ch.isalpha() for ch in sample) < MIN_LETTERS:
        return _primary(declared) or "und"
    confidences = detector.compute_language_confidence_values(sample[:FIRST_LOOK_CHARS])
    if len(sample) > FIRST_LOOK_CHARS and (not confidences or confidences[0].value < SURE):
        # Mixed or ambiguous openings (a dateline, a quote in another language) read further.
        confidences = detector.compute_language_confidence_values(sample)
    if not confidences or confidences[0].value < MIN_CONFIDENCE:
        return _primary(declared) or "und"
    return confidences[0].language.iso_code_639_1.name.lower()


def _primary(tag: str | None) -> str | None:
    """`en-GB` -> `en`; a declared tag is the fallback when the text is too short to tell."""
    if not tag:
        return None
    primary = tag.split("-")[0].split("_")[0].lower()
    return primary if len(primary) == 2 and primary.isalpha() else None


class LanguageEnricher:
    name = "language.lingua.v1"

    def __init__(self, resources: Resources) -> None:
        self._detector = resources.shared("lingua", build_detector)

    def enrich(self, records: Sequence[Record]) -> None:
        for record in records:
            text = "\n".join(filter(None, [record.get("headline"), record.get("body", "")]))
            record["language"] = detect_language(self._detector, text, record.get("language"))
