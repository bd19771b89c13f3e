"""Speakers linked to the article's entities: a name is a name the entity list knows.

The resolver (`resolution.py`) proposes a name for each quote's speaker mention. Here
that name is kept only when it is the canonical name of a PERSON, ORG or PLACE entity
of the same article ("Mattis" -> "Jim Mattis"; "Washington" inside the mention "the
Washington Post" -> "Washington Post"), and the record gets `speaker_type`, that
entity's label. Anything else ("University", "the report", "study co", "US media") is
not a name: `speaker` becomes null and `speaker_mention` keeps the words of the text.
Definite organisation nouns ("the newspaper", "the ministry", "the influential US
daily") go to the organisation named most recently before them.
"""

from __future__ import annotations

import bisect
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

SPEAKER_LABELS = ("PERSON", "ORG", "PLACE")
ORG_NOUNS = frozenset(
    """
    newspaper paper daily tabloid magazine outlet broadcaster network channel agency
    company firm group organization organisation ministry department government
    administration campaign committee commission party union university institute council
    bank court website publication watchdog regulator office team club board bureau
    foundation corporation coalition army military police
    """.split()
)
"""Heads of a definite noun phrase that stand for an organisation named before."""


@dataclass
class EntityIndex:
    """The speaker-capable entities of one article."""

    canonical: dict[str, tuple[str, str]] = field(default_factory=dict)
    """lowercased canonical name -> (canonical, label)."""
    by_last_word: dict[str, tuple[str, str]] = field(default_factory=dict)
    spans: list[tuple[int, int, str, str]] = field(default_factory=list)
    """(start, end, canonical, label), sorted by start."""
    _org_positions: list[int] = field(default_factory=list)
    _org_names: list[str] = field(default_factory=list)

    @classmethod
    def build(cls, entities: Sequence[dict[str, Any]]) -> EntityIndex:
        index = cls()
        for ent in entities:
            label = ent.get("label")
            if label not in SPEAKER_LABELS:
                continue
            name = ent.get("canonical") or ent["text"]
            index.canonical.setdefault(name.lower(), (name, label))
            last = name.split()[-1].lower() if name.split() else ""
            known = index.by_last_word.get(last)
            if label in ("PERSON", "ORG") and (
                known is None
                or (known[1] != "PERSON" and label == "PERSON")
                or (known[1] == label and len(name) > len(known[0]))
            ):
                index.by_last_word[last] = (name, label)
            index.spans.append((ent["start"], ent["end"], name, label))
            if label == "ORG":
                index._org_positions.append(ent["start"])
                index._org_names.append(name)
        index.spans.sort()
        order = sorted(range(len(index._org_positions)), key=index._org_positions.__getitem__)
        index._org_positions = [index._org_positions[i] for i in order]
        index._org_names = [index._org_names[i] for i in order]
        return index

    def inside(self, start: int, end: int) -> list[tuple[int, int, str, str]]:
        """Entities overlapping the mention [start, end), people first."""
        i = bisect.bisect_left(self.spans, (end,))
        found = [s for s in self.spans[max(0, i - 50) : i] if s[1] > start]
        return sorted(found, key=lambda s: SPEAKER_LABELS.index(s[3]))

    def recent_org(self, before: int) -> str | None:
        i = bisect.bisect_left(self._org_positions, before) - 1
        return self._org_names[i] if i >= 0 else None

    def link(
        self, name: str | None, start: int | None, end: int | None, mention: str | None
    ) -> tuple[str, str] | None:
        """(canonical, label) of the entity a proposed name and its mention refer to.

        A name read off the mention itself ("Washington" of "the Washington Post") is
        the entity the mention holds; a name resolved from elsewhere ("he", "the
        defense secretary") is looked up by itself."""
        from_mention = bool(name and mention and name.split()[-1] in mention)
        if (from_mention or not name) and start is not None and end is not None:
            for _, _, canonical, label in self.inside(start, end):
                if label != "PLACE" or (name or "").lower() == canonical.lower():
                    return canonical, label
        if name:
            exact = self.canonical.get(name.lower())
            if exact is not None:
                return exact
            words = name.split()
            by_last = self.by_last_word.get(words[-1].lower()) if words else None
            if by_last is not None and by_last[1] == "PERSON":
                return by_last
        return None


def link_speakers(text: str, quotes: list[dict[str, Any]], entities: EntityIndex) -> None:
    """Keep only linked speaker names; add `speaker_mention` and `speaker_type`."""
    for quote in quotes:
        start, end = quote.get("speaker_start"), quote.get("speaker_end")
        mention = text[start:end] if start is not None and end is not None else None
        linked = entities.link(quote.get("speaker"), start, end, mention)
        if linked is None and mention:
            linked = _org_noun(mention, start, entities)
        quote["speaker"], quote["speaker_type"] = linked if linked else (None, None)
        quote["speaker_mention"] = mention


def _org_noun(mention: str, start: int | None, entities: EntityIndex) -> tuple[str, str] | None:
    words = mention.lower().split()
    if len(words) < 2 or words[0] not in ("the", "this", "that") or start is None:
        return None
    if words[-1].strip(".,") not in ORG_NOUNS:
        return None
    name = entities.recent_org(start)
    return (name, "ORG") if name else None
