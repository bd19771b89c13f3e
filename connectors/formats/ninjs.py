"""IPTC ninjs (News in JSON) 1.x and 2.x objects to articles.

1.x: `uri`, `headline`, `byline`, `body_text` / `body_html`, `subject` [{code|uri, name}].
2.x: `uri`, `headlines` [{value, role, contenttype}], `bylines` [{byline}], `bodies` [{value,
contenttype, role}], `subjects` [{uri|code|literal, name}]. Both: `version`, `versioncreated`,
`firstcreated`, `language`, and `pubstatus` / `embargoed` (read by `connectors/pubstatus.py`). HTML bodies become plain text (no markup reaches the pipeline).

An object is ninjs only when keys that only ninjs uses say so (`uri`, `body_text`,
`body_html`, `bodies`, `headlines`, `bylines`, `versioncreated`, `firstcreated`, `pubstatus`,
`embargoed`, `signals`, a ninjs `type`): `headline` or `guid` alone are also loose names
(`connectors/formats/loose.py`), and `{"headline": ..., "body": ...}` is a loose article, not a
ninjs item without a body. What the ninjs keys do not give (a `body`, a `title`, a `date`...) is
taken from the loose names.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from connectors import pubstatus
from connectors.article import ParseError, build_article
from connectors.formats.loose import LooseFields
from connectors.text import html_to_text

NINJS_KEYS = frozenset(
    {
        "uri",
        "headlines",
        "body_text",
        "body_html",
        "bodies",
        "bylines",
        "versioncreated",
        "firstcreated",
        "pubstatus",
        "embargoed",
        "signals",
    }
)
NINJS_TYPES = frozenset(
    {"text", "audio", "video", "picture", "graphic", "composite", "component", "event"}
)


def looks_like_ninjs(obj: object) -> bool:
    """True when keys only ninjs uses say so (not merely a `headline` or a `guid`)."""
    if not isinstance(obj, dict):
        return False
    return bool(NINJS_KEYS & obj.keys()) or obj.get("type") in NINJS_TYPES


def to_article(
    obj: object,
    *,
    source: str,
    fmt: str = "ninjs",
    fallback: LooseFields | None = None,
    warnings: Sequence[str] = (),
) -> dict[str, Any]:
    if not isinstance(obj, dict):
        raise ParseError(f"a ninjs item must be a JSON object, not {type(obj).__name__}")
    loose = fallback or LooseFields()
    guid = _string(obj.get("uri")) or _string(obj.get("guid")) or loose.guid
    status = pubstatus.from_ninjs(obj)  # pubstatus, embargoed, corrections
    body = _body(obj) or loose.body or pubstatus.notice(status)
    if not body:
        raise ParseError(
            loose.body_error or "the ninjs item has no body (body_text, body_html or bodies)"
        )
    url = guid if guid and guid.startswith(("http://", "https://")) else None
    article = build_article(
        source=source,
        guid=guid,
        url=url or loose.url,
        headline=_headline(obj) or loose.headline,
        byline=_byline(obj) or loose.byline,
        body=body,
        language=obj.get("language") or loose.language,
        published_at=obj.get("firstcreated") or obj.get("versioncreated") or loose.published_at,
        revision=obj.get("version") if obj.get("version") is not None else loose.revision,
        subjects=_subjects(obj) or loose.subjects,
        targets=loose.targets,
        fmt=fmt,
        warnings=[*warnings, *loose.warnings],
    )
    return pubstatus.apply(article, status, source=source)


def _string(value: object) -> str | None:
    return value if isinstance(value, str) and value.strip() else None


def _headline(obj: dict[str, Any]) -> str | None:
    headline = _string(obj.get("headline"))
    if headline:
        return headline
    headlines = [h for h in _objects(obj.get("headlines")) if _string(h.get("value"))]
    main = [h for h in headlines if h.get("role") in (None, "main", "default")]
    chosen = (main or headlines or [None])[0]
    if chosen is None:
        return None
    value = chosen["value"]
    return html_to_text(value) if "html" in str(chosen.get("contenttype", "")) else value


def _byline(obj: dict[str, Any]) -> str | None:
    byline = _string(obj.get("byline"))
    if byline:
        return byline
    names = [_string(b.get("byline")) for b in _objects(obj.get("bylines"))]
    return ", ".join(n for n in names if n) or None


def _body(obj: dict[str, Any]) -> str | None:
    if _string(obj.get("body_text")):
        return obj["body_text"]
    if _string(obj.get("body_html")):
        return html_to_text(obj["body_html"])
    bodies = [b for b in _objects(obj.get("bodies")) if _string(b.get("value"))]
    if not bodies:
        return None
    main = [b for b in bodies if b.get("role") in (None, "main", "default")] or bodies
    plain = [b for b in main if "html" not in str(b.get("contenttype", "text/plain"))]
    if plain:
        return plain[0]["value"]
    return html_to_text(main[0]["value"])


def _subjects(obj: dict[str, Any]) -> list[str]:
    codes: list[str] = []
    for subject in _objects(obj.get("subject")) + _objects(obj.get("subjects")):
        code = (
            _string(subject.get("code"))
            or _string(subject.get("uri"))
            or _string(subject.get("literal"))
            or _string(subject.get("name"))
        )
        if code:
            codes.append(_qcode(code))
    return codes


_MEDIATOPIC_URIS = (
    "http://cv.iptc.org/newscodes/mediatopic/",
    "https://cv.iptc.org/newscodes/mediatopic/",
)


def _qcode(code: str) -> str:
    """IPTC Media Topic URIs as the QCodes the enrichment uses (`medtop:11000000`)."""
    for prefix in _MEDIATOPIC_URIS:
        if code.startswith(prefix):
            return "medtop:" + code[len(prefix) :].strip("/")
    return code


def _objects(value: object) -> list[dict[str, Any]]:
    if isinstance(value, dict):
        return [value]
    if isinstance(value, list):
        return [v for v in value if isinstance(v, dict)]
    return []
