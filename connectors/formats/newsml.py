"""IPTC NewsML-G2 `newsItem` / `newsMessage` XML to articles, parsed with defusedxml only.

DTDs are refused outright, so entity expansion (billion laughs) and external entities never reach
the parser. Read per item: `@guid`, `@version`, `@xml:lang`, `itemMeta/provider`,
`itemMeta/firstCreated|versionCreated`, `itemMeta/pubStatus|embargoed|signal` (publication status,
`connectors/pubstatus.py`), `contentMeta/headline|by|dateline|language|subject/@qcode`
and the body from `contentSet/inlineXML` (XHTML) or `contentSet/inlineData`.

The article schema has no dateline field and the enrichment reads the dateline from the start of
the copy, as in plain wire copy; so a `dateline` element is put in front of the body (`PLACE —
...`) unless the body already starts with it.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from typing import Any

from defusedxml import DefusedXmlException, DTDForbidden
from defusedxml.ElementTree import fromstring

from connectors import pubstatus
from connectors.article import MalformedInput, ParseError, build_article
from connectors.text import html_to_text, join_paragraphs

G2 = "{http://iptc.org/std/nar/2006-10-01/}"
XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"
MAX_DEPTH = 100
_BLOCK = {"p", "div", "h1", "h2", "h3", "h4", "h5", "h6", "li", "blockquote", "pre", "tr", "br"}


def parse(data: bytes | str, *, source: str) -> list[dict[str, Any] | ParseError]:
    """One result per newsItem: an article, or the ParseError that item raised."""
    root = parse_xml(data)
    if local(root.tag) == "newsItem":
        items = [root]
    elif local(root.tag) == "newsMessage":
        items = [e for e in root.iter() if local(e.tag) == "newsItem"]
        if not items:
            raise ParseError("the newsMessage holds no newsItem")
    else:
        raise ParseError(f"not NewsML-G2: the root element is <{local(root.tag)}>, not <newsItem>")
    results: list[dict[str, Any] | ParseError] = []
    for item in items:
        try:
            results.append(item_to_article(item, source=source))
        except ParseError as exc:
            results.append(exc)
    return results


def parse_xml(data: bytes | str) -> ET.Element:
    try:
        root = fromstring(data, forbid_dtd=True, forbid_entities=True, forbid_external=True)
    except DTDForbidden:
        raise MalformedInput(
            "refused XML: documents with a DTD are not accepted (protects against entity "
            "expansion such as billion laughs and external entities)"
        ) from None
    except DefusedXmlException as exc:
        raise MalformedInput(f"refused XML: {exc.__class__.__name__}: {exc}") from None
    except ET.ParseError as exc:
        raise MalformedInput(f"not well-formed XML: {exc}") from None
    except (ValueError, TypeError) as exc:
        raise MalformedInput(f"unreadable XML: {exc}") from None
    _check_depth(root)
    return root


def _check_depth(root: ET.Element) -> None:
    # The readers below recurse; refuse absurd nesting here instead of hitting RecursionError.
    stack = [(root, 1)]
    while stack:
        element, depth = stack.pop()
        if depth > MAX_DEPTH:
            raise MalformedInput(f"refused XML: elements nested deeper than {MAX_DEPTH} levels")
        stack.extend((child, depth + 1) for child in element)


def local(tag: object) -> str:
    return tag.rsplit("}", 1)[-1] if isinstance(tag, str) else ""


def item_to_article(item: ET.Element, *, source: str) -> dict[str, Any]:
    item_meta = _child(item, "itemMeta")
    content_meta = _child(item, "contentMeta")
    status = _pubstatus(item_meta)
    body = _body(item) or pubstatus.notice(status)
    if not body:
        raise ParseError(f"newsItem {item.get('guid') or '(no guid)'} has no text content")
    dateline = _text(_child(content_meta, "dateline"))
    if dateline and not body.startswith(dateline):
        body = f"{dateline} — {body}"
    language = _child(content_meta, "language")
    article = build_article(
        source=_provider(item_meta) or source,
        guid=item.get("guid"),
        url=_link(item_meta),
        headline=_text(_child(content_meta, "headline")),
        byline=", ".join(t for t in (_text(b) for b in _children(content_meta, "by")) if t) or None,
        body=body,
        language=(language.get("tag") if language is not None else None) or item.get(XML_LANG),
        published_at=_text(_child(item_meta, "firstCreated"))
        or _text(_child(content_meta, "contentCreated"))
        or _text(_child(item_meta, "versionCreated")),
        revision=item.get("version"),
        subjects=[s.get("qcode") or s.get("uri") or "" for s in _children(content_meta, "subject")],
        fmt="newsml-g2",
    )
    return pubstatus.apply(article, status, source=article["source"])


def _pubstatus(item_meta: ET.Element | None) -> pubstatus.PubStatus:
    """pubStatus, embargoed, signal and correction links of `itemMeta`."""
    status = _child(item_meta, "pubStatus")
    return pubstatus.from_newsml(
        status.get("qcode") if status is not None else None,
        _text(_child(item_meta, "embargoed")),
        [s.get("qcode") or "" for s in _children(item_meta, "signal")],
        [dict(link.attrib) for link in _children(item_meta, "link")],
    )


def _child(parent: ET.Element | None, name: str) -> ET.Element | None:
    if parent is None:
        return None
    return next((c for c in parent if local(c.tag) == name), None)


def _children(parent: ET.Element | None, name: str) -> list[ET.Element]:
    return [] if parent is None else [c for c in parent if local(c.tag) == name]


def _text(element: ET.Element | None) -> str | None:
    if element is None:
        return None
    text = " ".join("".join(element.itertext()).split())
    return text or None


def _provider(item_meta: ET.Element | None) -> str | None:
    provider = _child(item_meta, "provider")
    if provider is None:
        return None
    return provider.get("qcode") or provider.get("literal") or provider.get("uri")


def _link(item_meta: ET.Element | None) -> str | None:
    for link in _children(item_meta, "link"):
        href = link.get("href") or ""
        if href.startswith(("http://", "https://")) and link.get("rel") in (None, "irel:seeAlso"):
            return href
    return None


def _body(item: ET.Element) -> str | None:
    content_set = _child(item, "contentSet")
    for content in list(content_set) if content_set is not None else []:
        kind = local(content.tag)
        if kind == "inlineXML":
            text = _xhtml_text(content)
        elif kind == "inlineData":
            data = content.text or ""
            text = html_to_text(data) if "html" in (content.get("contenttype") or "") else data
        else:
            continue
        if text.strip():
            return text
    return None


def _xhtml_text(content: ET.Element) -> str:
    """Paragraph per block element; the XHTML <head> (title) is not body text."""
    lines: list[str] = []
    current: list[str] = []

    def walk(element: ET.Element) -> None:
        name = local(element.tag)
        if name in ("head", "script", "style"):
            return
        block = name in _BLOCK
        if block and current:
            lines.append("".join(current))
            current.clear()
        if element.text:
            current.append(element.text)
        for child in element:
            walk(child)
            if child.tail:
                current.append(child.tail)
        if block:
            lines.append("".join(current))
            current.clear()

    for child in content:
        walk(child)
    if current:
        lines.append("".join(current))
    return join_paragraphs(lines)
