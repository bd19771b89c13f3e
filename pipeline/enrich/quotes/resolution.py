"""Who said it: a cue's subject resolved to the fullest in-article name of its speaker.

Shared by the direct (`extract`) and the reported-speech (`indirect`) finders, which is why it
lives apart from both: the quote modules depend one way, extract -> indirect -> resolution.
"""

from __future__ import annotations

from dataclasses import dataclass

from spacy.tokens import Token

from pipeline.enrich.quotes.attribution import Attribution
from pipeline.enrich.quotes.lexicon import ROLE_NOUNS
from pipeline.enrich.quotes.speakers import PersonIndex, is_pronoun


@dataclass
class Speaker:
    name: str | None
    start: int | None
    end: int | None


def propn_run(head: Token) -> list[str]:
    """The proper nouns of a name ending at head: "New York Post", "Jim Mattis"."""
    words, members = [head.text], {head.i}
    i = head.i - 1
    while i >= 0 and head.doc[i].pos_ == "PROPN" and head.doc[i].head.i in members:
        words.insert(0, head.doc[i].text)
        members.add(i)
        i -= 1
    return words


def resolve(att: Attribution, people: PersonIndex) -> Speaker:
    if att.head is None or att.mention is None:
        return Speaker(None, None, None)
    doc = att.head.doc
    span = doc[att.mention[0] : att.mention[1]]
    start, end = span.start_char, span.end_char
    head = att.head
    if head.pos_ == "PROPN":
        return Speaker(people.canonical(propn_run(head)), start, end)
    if head.pos_ == "PRON" or is_pronoun(head.text):
        if head.lower_ in ("i", "we", "you", "it", "this", "that"):
            return Speaker(None, start, end)
        return Speaker(people.most_recent(head.idx), start, end)
    named = [c for c in head.children if c.dep_ == "appos" and c.pos_ == "PROPN"]
    if named:  # `her senior policy adviser, Jake Sullivan, said`
        return Speaker(people.canonical(propn_run(named[0])), start, end)
    # `the defense secretary` points back to a person; `the Labour Party's leader` need not.
    definite = any(c.dep_ == "det" and c.lower_ in ("the", "this", "that") for c in head.children)
    possessed = any(c.dep_ == "poss" for c in head.children)
    if definite and not possessed and head.lemma_.lower() in ROLE_NOUNS:
        return Speaker(people.most_recent(head.idx), start, end)
    # Any other noun phrase ("the report", "US media") is no name; `link.py` may still
    # find an organisation it stands for ("the newspaper").
    return Speaker(None, start, end)
