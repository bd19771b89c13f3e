"""What kind of stance target a text is: a claim, or a short target (a name, policy, topic).

The two kinds have different heads and labels (docs/quality.md, "Stance"): a claim
("Russia will disrupt US plans in Syria") is agreed with, disputed, discussed or unrelated;
a short target ("Hillary Clinton", "Brexit", "Legalization of Abortion") is favoured,
opposed, treated neutrally or unrelated. A target states its kind with a prefix, anywhere a
target is given (`WIRESTREAM_ENRICH_TARGETS`, an article's `targets`, `wirestream enrich
--target`):

    short:Climate Change is a Real Concern      claim:Apple will buy Beats

(lowercase, as written here: "Claim: ..." is a headline, not a prefix).

A target without a prefix gets `WIRESTREAM_ENRICH_TARGET_KIND` (default `auto`): detected.
The trap detection avoids is a parser on the hot path: a short target is a short noun
phrase, so "at most 6 words and no sign of a finite verb" (an auxiliary, a modal, a copula,
a reporting verb, a past-tense form after the first word, a lowercase -s word inside it, a
question mark) is enough: a few string checks per target. It errs towards "claim", the head
every target had before: a cause phrased as a sentence ("Climate Change is a Real Concern")
needs `short:`. On FNC-1's 1,648 headlines (all claims) it says "short" for 33.
"""

from __future__ import annotations

import re
from typing import Literal

Kind = Literal["claim", "short"]
KINDS: tuple[str, ...] = ("claim", "short")
PREFIXES = tuple(f"{kind}:" for kind in KINDS)
MAX_SHORT_WORDS = 6

_WORD = re.compile(r"[A-Za-z][A-Za-z'’-]*|\d+")
FINITE_CUES = frozenset(
    "is are was were am isn't aren't wasn't weren't be been being has have had hasn't haven't "
    "will won't would can can't cannot could should shall may might must does do did doesn't "
    "don't didn't says said say claims claimed denies denied admits reveals reveal reveals "
    "confirms confirmed wants plans threatens warns".split()
)
_NOT_PAST = frozenset("red bed need seed speed feed breed creed greed shed led united".split())


def split_kind(target: str) -> tuple[Kind | None, str]:
    """(the kind the target states with a prefix, or None; the text without the prefix)."""
    text = target.strip()
    for kind in KINDS:
        # Lowercase only: FNC-1 has the headline "Claim: Comcast Got Complaining Customer
        # Fired From His Job", and a headline must reach the claim head as written.
        if text.startswith(f"{kind}:"):
            return kind, text[len(kind) + 1 :].strip()  # type: ignore[return-value]
    return None, text


def detect_kind(text: str) -> Kind:
    """`short` for a short noun phrase without a finite verb, else `claim`."""
    words = _WORD.findall(text)
    if not words or len(words) > MAX_SHORT_WORDS or "?" in text:
        return "claim"
    lowered = [w.lower().replace("’", "'") for w in words]
    if any(w in FINITE_CUES for w in lowered):
        return "claim"
    # "Man arrested", "Video shows ...": a past tense or participle after the first word.
    if any(w.endswith("ed") and w not in _NOT_PAST for w in lowered[1:]):
        return "claim"
    # "Comcast blocks Tor": a lowercase -s word inside the phrase reads as a present tense.
    inner = words[1:-1]
    if any(w.islower() and w.endswith("s") and not w.endswith(("ss", "us", "is")) for w in inner):
        return "claim"
    return "short"


def resolve_kind(target: str, default: str = "auto") -> tuple[Kind, str]:
    """(kind, text) of one configured target: its prefix, else `default`, else detected."""
    stated, text = split_kind(target)
    if stated:
        return stated, text
    if default in KINDS:
        return default, text  # type: ignore[return-value]
    return detect_kind(text), text
