"""The article in an HTML page: the one extractor behind RSS links, `.html` files and HTML pushes.

A saved or fetched page is mostly navigation, ads, related links and comments; the article is a
few paragraphs in it. trafilatura finds them (measured on the article-extraction benchmark:
docs/quality.md). The settings are the ones that measured best and held up on every random half
of the pages, not per-site rules: `favor_precision` (menus and teasers cost more than the odd
lost paragraph) and no comments (readers' comments are not the article). The headline, byline,
publication date and canonical URL come from the page's own metadata (a first body line that
repeats the headline is dropped); the language only from what the page declares (`<html lang>`,
`content-language`, `og:locale`), never guessed here.

Hostile pages are bounded before trafilatura sees them, because its cost grows with the element
count and the attribute sizes, not with the text: the bytes are capped before parsing
(`max_bytes`), start tags are counted in the raw bytes and a page with too many is refused
before a tree is built (`max_elements`: a 5 MB page of tiny tags would otherwise take a minute
and a gigabyte), attribute values longer than `max_attribute_chars` are dropped (they hold no
article text; megabyte `class` values make trafilatura's XPath matching crawl), and subtrees
nested deeper than `max_depth` are flattened to their text. libxml2 itself stops building the
tree at depth 256 (lxml's `huge_tree` stays off). A page that yields no text is an
`ExtractionError`, a `ParseError` like every other refusal.
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass
from typing import Any

from connectors.errors import ParseError
from connectors.settings import HtmlSettings
from connectors.text import clean_line, clean_text, language_tag

log = logging.getLogger(__name__)

# The extraction settings measured in docs/quality.md; change them only with a new measurement.
EXTRACTION_OPTIONS = {"favor_precision": True, "include_comments": False, "include_tables": True}
_START_TAG = re.compile(rb"<[A-Za-z]")
_HTML_HEAD = re.compile(rb"^\s*(<!--.*?-->\s*)*<(!doctype\s+html|html[\s>]|head[\s>])", re.I | re.S)


class ExtractionError(ParseError):
    """The page is refused (too large, too many elements) or holds no article text."""


@dataclass(frozen=True)
class PageArticle:
    """What a page says about its article; None where the page does not say."""

    body: str
    headline: str | None = None
    byline: str | None = None
    published_at: str | None = None
    language: str | None = None
    url: str | None = None


def looks_like_html(head: bytes | str) -> bool:
    """Whether a document starts like an HTML page (doctype, `<html>` or `<head>`)."""
    data = head.encode("utf-8", "replace") if isinstance(head, str) else head
    return bool(_HTML_HEAD.match(data[:2048].lstrip(b"\xef\xbb\xbf")))


def extract_article(
    html: bytes | str, *, url: str | None = None, settings: HtmlSettings | None = None
) -> PageArticle:
    """The article of one page, or ExtractionError saying why there is none."""
    settings = settings or HtmlSettings()
    data = html.encode("utf-8") if isinstance(html, str) else html
    if len(data) > settings.max_bytes:
        raise ExtractionError(
            f"the page is {len(data):,} bytes; the limit is {settings.max_bytes:,}"
        )
    tags = sum(1 for _ in _START_TAG.finditer(data))
    if tags > settings.max_elements:
        raise ExtractionError(f"the page has {tags:,} tags; the limit is {settings.max_elements:,}")
    tree = _parse(data)
    bound_tree(tree, settings)
    return _extract(tree, url)


def _parse(data: bytes) -> Any:
    from trafilatura.utils import load_html

    tree = load_html(data)
    if tree is None:  # a bare fragment (`<p>...</p>`): trafilatura wants a whole document
        tree = load_html(b"<html><body>" + data + b"</body></html>")
    if tree is None:
        raise ExtractionError("the page is not HTML that can be parsed")
    return tree


def bound_tree(tree: Any, settings: HtmlSettings) -> None:
    """Drop over-long attribute values; flatten subtrees nested deeper than `max_depth`.

    One pass in document order (a parent before its children), depth from the parent's; no
    recursion, so a deep tree cannot exhaust the stack.
    """
    too_deep: list[Any] = []
    depths: dict[Any, int] = {}
    for element in tree.iter("*"):  # elements only: no comments, entities, PIs
        depth = depths.get(element.getparent(), 0) + 1
        depths[element] = depth
        attributes = element.attrib
        for name in [n for n, v in attributes.items() if len(v) > settings.max_attribute_chars]:
            del attributes[name]
        if depth == settings.max_depth and len(element):
            too_deep.append(element)
    for element in too_deep:
        text = "".join(element.itertext())
        for child in list(element):
            element.remove(child)
        element.text = text


def _extract(tree: Any, url: str | None) -> PageArticle:
    import trafilatura
    from trafilatura.settings import set_date_params

    declared = page_language(tree)
    dates = {**set_date_params(True), "outputformat": "%Y-%m-%dT%H:%M:%S%z"}
    document = trafilatura.bare_extraction(
        tree,
        url=url,
        with_metadata=True,
        output_format="python",
        date_extraction_params=dates,
        **EXTRACTION_OPTIONS,
    )
    body = clean_text(getattr(document, "text", None) or "") if document else ""
    if not body:
        raise ExtractionError("no article text found in the page")
    headline = clean_line(document.title)
    return PageArticle(
        body=without_headline(body, headline),
        headline=headline,
        byline=clean_line(document.author),
        published_at=document.date or None,
        language=declared,
        url=document.url if _is_http(document.url) else None,
    )


def without_headline(body: str, headline: str | None) -> str:
    """The body without a first line that repeats the headline (the `<h1>` inside `<article>`).

    The headline has its own field; repeated in the body it would be read twice by the
    enrichment. Measured: +0.001 F1 on the benchmark, precision only (docs/quality.md).
    """
    first, _, rest = body.partition("\n")
    if headline and rest.strip() and " ".join(first.split()).casefold() == headline.casefold():
        return rest.strip()
    return body


def page_language(tree: Any) -> str | None:
    """The language the page declares, as a BCP 47 tag, else None."""
    candidates = [tree.get("lang"), tree.get("{http://www.w3.org/XML/1998/namespace}lang")]
    for xpath in (
        '//meta[translate(@http-equiv,"CONTENTLAGU","contentlagu")="content-language"]/@content',
        '//meta[@property="og:locale"]/@content',
    ):
        candidates += [str(v) for v in tree.xpath(xpath)[:1]]
    for value in candidates:
        tag = language_tag((value or "").split(",")[0].strip())
        if tag:
            return tag
    return None


def _is_http(value: str | None) -> bool:
    return bool(value) and str(value).lower().startswith(("http://", "https://"))
