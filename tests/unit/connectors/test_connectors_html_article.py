"""The HTML article extractor: the article of a page, its metadata, and bounds on hostile pages."""

from __future__ import annotations

import threading
from pathlib import Path

import pytest
from lxml import html as lxml_html

from connectors.html_article import (
    ExtractionError,
    bound_tree,
    extract_article,
    looks_like_html,
    without_headline,
)
from connectors.settings import HtmlSettings

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures" / "html"
PAGE = (FIXTURES / "escape-room-fire.html").read_bytes()
FIRST = "A fire yesterday afternoon killed five girls, all aged fifteen"
LAST = "Mayor of Koszalin Piotr Jedlinski has declared tomorrow a day of mourning."
MB = 1024 * 1024


def _within(seconds: float, fn, *args, **kwargs):
    """Run fn in a thread; fail (rather than hang the suite) if it has not returned in time."""
    outcome: dict = {}

    def target() -> None:
        try:
            outcome["value"] = fn(*args, **kwargs)
        except BaseException as exc:
            outcome["error"] = exc

    thread = threading.Thread(target=target, daemon=True)
    thread.start()
    thread.join(seconds)
    assert not thread.is_alive(), f"still running after {seconds} s"
    if "error" in outcome:
        raise outcome["error"]
    return outcome["value"]


def test_the_article_is_extracted_without_navigation_related_links_or_comments():
    page = extract_article(PAGE)
    assert page.body.startswith(FIRST)
    assert page.body.endswith(LAST)
    for boilerplate in ("Subscribe", "Most read", "weeknight dinner", "First! Great", "Cookie"):
        assert boilerplate not in page.body
    assert "<" not in page.body and "analytics" not in page.body


def test_headline_byline_date_language_and_canonical_url_come_from_the_page():
    page = extract_article(PAGE)
    assert page.headline == "Escape room fire kills five teen girls in Koszalin, Poland"
    assert page.byline == "Jane Reporter"
    assert page.published_at == "2019-01-05T09:30:00+0000"
    assert page.language == "en"
    assert page.url == "https://news.example.org/escape-room-fire"


def test_the_headline_is_not_repeated_as_the_first_body_line():
    assert without_headline("Big news\nThe text.", "Big news") == "The text."
    assert without_headline("Other line\nThe text.", "Big news") == "Other line\nThe text."
    assert without_headline("Big news", "Big news") == "Big news"  # never empties the body


def test_a_page_without_declared_metadata_gives_none_not_guesses():
    page = extract_article(
        b"<html><body><div><p>" + b"Plain words of a page without metadata. " * 20 + b"</p></div>"
        b"</body></html>"
    )
    assert page.body.startswith("Plain words of a page")
    assert page.language is None and page.byline is None and page.url is None


def test_language_from_content_language_meta():
    page = extract_article(
        b'<html><head><meta http-equiv="Content-Language" content="de-DE"></head><body><article>'
        + b"<p>"
        + "Ein Satz über die Stadt und ihre Brücken. ".encode() * 20
        + b"</p>"
        b"</article></body></html>"
    )
    assert page.language == "de-DE"


def test_a_page_without_text_is_an_extraction_error():
    with pytest.raises(ExtractionError, match="no article text"):
        extract_article(b"<html><head><title>x</title></head><body><nav></nav></body></html>")


def test_a_page_over_the_byte_limit_is_refused_before_parsing():
    with pytest.raises(ExtractionError, match="the limit is 1,000"):
        extract_article(PAGE, settings=HtmlSettings(max_bytes=1000))


def test_a_page_with_too_many_tags_is_refused_before_parsing():
    page = b"<html><body>" + b"<b>a</b>" * 2000 + b"</body></html>"
    with pytest.raises(ExtractionError, match="tags; the limit is 1,000"):
        extract_article(page, settings=HtmlSettings(max_elements=1000))


def test_long_attributes_are_dropped_and_deep_subtrees_flattened_to_their_text():
    tree = lxml_html.fromstring(
        '<html><body><p class="'
        + "c" * 50
        + '" id="short">x</p>'
        + "<div>" * 10
        + "deep <b>text</b> tail"
        + "</div>" * 10
        + "</body></html>"
    )
    bound_tree(tree, HtmlSettings(max_attribute_chars=20, max_depth=5))
    paragraph = tree.find(".//p")
    assert "class" not in paragraph.attrib and paragraph.get("id") == "short"
    depths = [len(list(e.iterancestors())) + 1 for e in tree.iter()]
    assert max(depths) == 5
    assert "deep text tail" in tree.text_content()


def _hostile_page(size: int) -> bytes:
    """An article, then megabyte attributes and nesting far past every limit, padded to size."""
    article = PAGE.split(b"<main>")[1].split(b"</article>")[0] + b"</article>"
    huge = b"x" * (MB // 2)
    parts = [b"<!DOCTYPE html><html><head><title>t</title></head><body><main>", article]
    parts += [b'<div class="' + huge + b'" data-a="' + huge + b'">ad</div>' for _ in range(4)]
    parts += [b'<span title="' + b"y" * 200 + b'">'] * 5000  # 5,000 deep, each with attributes
    page = b"".join(parts)
    return page + b"<i>z</i>" * ((size - len(page)) // 8)


def test_a_5_mb_hostile_page_completes_and_keeps_the_article():
    page = _hostile_page(5 * MB)
    assert len(page) > 4.9 * MB
    result = _within(300, extract_article, page)
    assert FIRST in result.body and LAST in result.body
    assert "xxxx" not in result.body


def test_a_5_mb_page_of_tiny_elements_is_refused_not_parsed():
    page = b"<html><body><div>" + b"<b>a</b>" * (5 * MB // 8) + b"</div></body></html>"
    with pytest.raises(ExtractionError, match="tags"):
        _within(300, extract_article, page)


@pytest.mark.parametrize(
    ("head", "expected"),
    [
        (b"<!DOCTYPE html><html>", True),
        (b"\xef\xbb\xbf  <html lang='en'>", True),
        (b"<!-- saved --><!doctype HTML>", True),
        (b"<head><title>x", True),
        (b'<?xml version="1.0"?><newsItem>', False),
        (b"<newsMessage>", False),
        (b"Plain text <html> later", False),
    ],
)
def test_html_pages_are_recognised_by_their_start(head, expected):
    assert looks_like_html(head) is expected


def test_entity_declarations_in_a_page_are_never_expanded():
    page = (
        b'<?xml version="1.0"?><!DOCTYPE html [<!ENTITY a "aaaaaaaaaa">'
        b'<!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;"><!ENTITY c "&b;&b;&b;&b;&b;&b;&b;&b;">'
        b'<!ENTITY xxe SYSTEM "file:///etc/passwd">]><html><body><article><p>Laughs: &c; &xxe;. '
        + b"Ordinary words of the article itself. " * 20
        + b"</p></article></body></html>"
    )
    body = extract_article(page).body
    assert "Ordinary words of the article itself." in body
    assert "aaaaaaaaaaaaaaaaaaaa" not in body and "root:" not in body
