"""Publication status as each wire format writes it: kills, withholds, embargoes, corrections.

The formats say it in their own words; every connector turns them into the same three fields
of `wire.article.v1` (`status`, `embargoed_until`, `corrects`, see
`pipeline/contracts/pubstatus.py` for what the pipeline does with them):

* ninjs 1.x / 2.x: `pubstatus` (`usable` / `withheld` / `canceled`), `embargoed` (date-time);
  a correction is an item with a `signal` / `signals` entry naming a correction (the same
  `uri` at a higher `version` replaces its article anyway), and `corrects` (a wirestream
  extension) names another item's `uri` or article id.
* NewsML-G2: `itemMeta/pubStatus/@qcode` (`stat:usable|withheld|canceled`), `itemMeta/embargoed`,
  `itemMeta/signal/@qcode` containing `correction`, and an `itemMeta/link` whose `rel`
  contains `correct` (its `residref`, else `href`, names the corrected item).
* Plain text: an advisory header, the lines before the first blank line (`read_advisory`).

A kill or correction that names another story ("KILL <ref>") carries that story's id, so it
is a revision of it. A reference is an article id (32 hex characters, as `wirestream search
--json` shows it), or a guid / URL / URN, turned into an id with the connector's source like
any guid (so it names stories that came through the same source).

The trap avoided: a kill advisory whose story cannot be identified, or an embargo whose time
cannot be read, must never become an ordinary, publishable article; it is a `ParseError`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from connectors.article import ParseError, article_id, check_article
from connectors.text import parse_datetime

_STATUS_WORDS = {"usable": "usable", "withheld": "withheld", "canceled": "canceled"}
_STATUS_WORDS["cancelled"] = "canceled"
_ARTICLE_ID = re.compile(r"^[0-9a-f]{32}$")
_REFERENCE = re.compile(r"^(?:[0-9a-f]{32}|(?:https?|urn|tag):\S+)$", re.IGNORECASE)
MAX_HEADER_LINES = 12


@dataclass(frozen=True)
class PubStatus:
    """What a source said about publication; `about` is the named story (kill/correction)."""

    status: str | None = None
    embargoed_until: str | None = None
    correction: bool = False
    about: str | None = None  # a reference to another story (guid, URL, URN or article id)

    @property
    def empty(self) -> bool:
        return self == PubStatus()


def status_word(value: object) -> str | None:
    """`usable` / `withheld` / `canceled` from `canceled`, `stat:canceled`, `Cancelled`..."""
    if not isinstance(value, str):
        return None
    word = value.strip().lower().rsplit(":", 1)[-1].rsplit("/", 1)[-1]
    return _STATUS_WORDS.get(word)


def embargo_time(value: object, where: str) -> str | None:
    """The embargo as RFC 3339 UTC; an embargo that is there but unreadable is refused."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    parsed = parse_datetime(value)
    if parsed is None:
        raise ParseError(f"{where}: cannot read the embargo time {str(value)[:80]!r}")
    return parsed


def reference_id(reference: str, source: str) -> str:
    """The article id a reference names (see the module docstring)."""
    reference = reference.strip()
    if _ARTICLE_ID.match(reference):
        return reference
    return article_id(source[:512], guid=reference)


def apply(record: dict[str, Any], status: PubStatus, *, source: str) -> dict[str, Any]:
    """The record with its publication status; re-validated."""
    if status.empty:
        return record
    if status.status:
        record["status"] = status.status
    if status.embargoed_until:
        record["embargoed_until"] = status.embargoed_until
    if status.about:
        record["id"] = reference_id(status.about, source)
    if status.correction:
        record["corrects"] = record["id"]
    check_article(record)
    return record


def notice(status: PubStatus) -> str | None:
    """The body of a kill or withhold that came without text (the schema wants one)."""
    if status.status == "canceled":
        return "This story has been withdrawn by its source (canceled)."
    if status.status == "withheld":
        return "This story is withheld by its source."
    return None


# -- ninjs ------------------------------------------------------------------------------------


def from_ninjs(obj: dict[str, Any]) -> PubStatus:
    raw = obj.get("pubstatus")
    status = status_word(raw)
    if raw is not None and status is None:
        raise ParseError(f"ninjs pubstatus {str(raw)[:40]!r} is not usable, withheld or canceled")
    corrects = obj.get("corrects") if isinstance(obj.get("corrects"), str) else None
    signals = _entries(obj.get("signal")) + _entries(obj.get("signals"))
    return PubStatus(
        status=status,
        embargoed_until=embargo_time(obj.get("embargoed"), "ninjs embargoed"),
        correction=bool(corrects) or any("correct" in s.lower() for s in signals),
        about=corrects.strip() if corrects and corrects.strip() else None,
    )


def _entries(value: object) -> list[str]:
    items = value if isinstance(value, list) else [value]
    out: list[str] = []
    for item in items:
        if isinstance(item, str):
            out.append(item)
        elif isinstance(item, dict):
            out.extend(str(item.get(k)) for k in ("code", "uri", "name", "literal") if item.get(k))
    return out


# -- NewsML-G2 --------------------------------------------------------------------------------


def from_newsml(
    pub_status: str | None, embargoed: str | None, signals: list[str], links: list[dict[str, str]]
) -> PubStatus:
    """From `itemMeta`: pubStatus qcode, embargoed text, signal qcodes, link attributes."""
    status = status_word(pub_status)
    if pub_status is not None and status is None:
        raise ParseError(f"NewsML-G2 pubStatus {pub_status[:40]!r} is not a stat: code we know")
    about = next(
        (
            (link.get("residref") or link.get("href") or "").strip()
            for link in links
            if "correct" in (link.get("rel") or "").lower()
        ),
        None,
    )
    return PubStatus(
        status=status,
        embargoed_until=embargo_time(embargoed, "NewsML-G2 embargoed"),
        correction=bool(about) or any("correct" in s.lower() for s in signals),
        about=about or None,
    )


# -- plain text -------------------------------------------------------------------------------

_KILL = re.compile(r"^(?:MANDATORY\s+)?(?:KILL|WITHDRAWN|WITHDRAW)\b[\s:.\-—–]*(.*)$")
_WITHHOLD = re.compile(r"^(?:WITHHELD|WITHHOLD)\b[\s:.\-—–]*(.*)$")
_CORRECTS = re.compile(r"^(?:CORRECTS|CORRECTED|CORRECTION)\b[\s:.\-—–]*(.*)$")
_EMBARGO = re.compile(r"^EMBARGO(?:ED)?\s*(?:UNTIL\b\s*:?|:)\s*(.+)$")
_REF_LINE = re.compile(r"^(?:REF|STORY|ID)\s*:\s*(\S+)\s*$", re.IGNORECASE)


def read_advisory(text: str) -> tuple[PubStatus, str]:
    """The advisory header of plain-text wire copy, and the text that follows it.

    The header is the lines before the first blank line (at most MAX_HEADER_LINES). Accepted,
    keywords in capitals, each on its own line:

    * `KILL <ref>`, `MANDATORY KILL <ref>`, `WITHDRAWN <ref>`, `WITHDRAW <ref>` -> canceled;
      `WITHHELD <ref>` / `WITHHOLD <ref>` -> withheld;
    * `CORRECTS <ref>`, `CORRECTED <ref>`, `CORRECTION <ref>` -> a correction of that story;
    * `EMBARGOED UNTIL <date-time>` (also `EMBARGO UNTIL`, `EMBARGOED:`), ISO 8601 or RFC 2822
      (an unreadable time is refused rather than published early);
    * `REF: <ref>` (or `STORY:` / `ID:`): the reference, when not on the keyword's line.

    A keyword line is an advisory only when the keyword stands alone or is followed by a
    reference, so a headline such as "KILL BILL sequel announced" stays a story. A kill,
    withhold or correction without a reference is refused (it cannot say which story).
    Not an advisory: (PubStatus(), text) unchanged. Otherwise the text after the header is
    returned; for a kill it is the whole text (the notice is the record's body).
    """
    lines = text.split("\n")
    header: list[str] = []
    for line in lines[:MAX_HEADER_LINES]:
        if not line.strip():
            break
        header.append(line.strip())
    status = None
    correction = False
    embargo = None
    reference = None
    matched = 0
    for line in header:
        for pattern, kind in ((_KILL, "canceled"), (_WITHHOLD, "withheld"), (_CORRECTS, "fix")):
            found = pattern.match(line)
            if found and _alone_or_reference(found.group(1)):
                matched += 1
                reference = reference or _first_reference(found.group(1))
                if kind == "fix":
                    correction = True
                else:
                    status = kind
                break
        else:
            embargoed = _EMBARGO.match(line)
            ref_line = _REF_LINE.match(line)
            if embargoed:
                matched += 1
                embargo = embargo_time(embargoed.group(1).strip(), "EMBARGOED UNTIL")
            elif ref_line and _REFERENCE.match(ref_line.group(1)):
                reference = reference or ref_line.group(1)
    if not matched:
        return PubStatus(), text
    if (status or correction) and not reference:
        raise ParseError(
            "the advisory does not name its story: put the article id or guid after the "
            "keyword (KILL <ref>) or on a REF: line"
        )
    rest = "\n".join(lines[len(header) :]).strip()
    advisory = PubStatus(status, embargo, correction, reference if status or correction else None)
    if status or not rest:
        return advisory, text  # the kill notice itself is the body
    return advisory, rest


def _alone_or_reference(tail: str) -> bool:
    tail = tail.strip()
    return not tail or _first_reference(tail) is not None


def _first_reference(tail: str) -> str | None:
    token = tail.strip().split(maxsplit=1)[0] if tail.strip() else ""
    return token if _REFERENCE.match(token) else None
