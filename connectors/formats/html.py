"""A saved or pushed HTML page: the article in it, not its markup.

The page goes through the one extractor (`connectors.html_article`) that also reads the pages
behind RSS links, so a page ingested from a file, pushed, or fetched from a feed link gives the
same body. The page's canonical URL, when it declares one, identifies the article (the same
page saved twice keeps its id); else the body does.
"""

from __future__ import annotations

from typing import Any

from connectors.article import build_article
from connectors.html_article import extract_article
from connectors.settings import HtmlSettings


def parse(
    data: bytes | str, *, source: str, settings: HtmlSettings | None = None
) -> list[dict[str, Any]]:
    page = extract_article(data, settings=settings)
    return [
        build_article(
            source=source,
            body=page.body,
            url=page.url,
            headline=page.headline,
            byline=page.byline,
            language=page.language,
            published_at=page.published_at,
            fmt="html",
            body_source="page",
        )
    ]
