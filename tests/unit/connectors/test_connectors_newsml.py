from __future__ import annotations

import pytest

from connectors.article import REVISION_SPAN, MalformedInput, ParseError
from connectors.formats import newsml


def test_news_item_maps_guid_version_headline_by_language_dates_and_qcodes(fixtures) -> None:
    [article] = newsml.parse((fixtures / "newsml" / "newsitem.xml").read_bytes(), source="wire")
    assert article["guid"] == "urn:newsml:example.org:20041130:gusenbauer"
    assert article["revision"] // REVISION_SPAN == 3  # source version first
    assert article["source"] == "nprov:EXAMPLE"
    assert article["headline"] == "Gusenbauer reelected as Austrian Social Democrat Party leader"
    assert article["byline"] == "Wikinews"
    assert article["language"] == "en"
    assert article["published_at"] == "2004-11-30T09:15:00Z"
    assert article["subjects"] == ["medtop:11000000", "medtop:20000621"]
    assert article["url"].startswith("https://en.wikinews.org/wiki/Gusenbauer")
    assert article["format"] == "newsml-g2"


def test_xhtml_body_is_text_with_paragraphs_and_without_head(fixtures) -> None:
    [article] = newsml.parse((fixtures / "newsml" / "newsitem.xml").read_bytes(), source="wire")
    lines = article["body"].split("\n")
    assert "not body text" not in article["body"]
    assert (
        lines[1]
        == 'Albeit the low result he has called the vote an "impressive display of confidence".'
    )
    assert "an unexpectedly low value" in lines[0]


def test_dateline_is_put_in_front_of_the_body_for_the_enrichment(fixtures) -> None:
    [article] = newsml.parse((fixtures / "newsml" / "newsitem.xml").read_bytes(), source="wire")
    assert article["body"].startswith("VIENNA (Wikinews) — Alfred Gusenbauer")


def test_news_message_gives_one_result_per_item_and_the_bad_one_as_error(fixtures) -> None:
    good, bad = newsml.parse((fixtures / "newsml" / "newsmessage.xml").read_bytes(), source="wire")
    assert isinstance(good, dict)
    assert good["body"].startswith("ALMERIA, Spain (Wikinews) — A small explosive device")
    assert isinstance(bad, ParseError)
    assert "no text content" in str(bad)


@pytest.mark.parametrize("name", ["billion-laughs.xml", "external-entity.xml"])
def test_entity_tricks_are_refused_with_a_clear_error(fixtures, name) -> None:
    with pytest.raises(MalformedInput, match="DTD are not accepted"):
        newsml.parse((fixtures / "newsml" / name).read_bytes(), source="wire")


def test_broken_xml_is_malformed_input() -> None:
    with pytest.raises(MalformedInput, match="not well-formed"):
        newsml.parse(b"<newsItem><unclosed></newsItem>", source="s")


def test_other_xml_is_not_newsml() -> None:
    with pytest.raises(ParseError, match="root element is <rss>"):
        newsml.parse(b"<rss/>", source="s")


def test_deep_nesting_is_refused_before_the_readers_recurse() -> None:
    deep = b"<newsItem>" + b"<a>" * 5000 + b"</a>" * 5000 + b"</newsItem>"
    with pytest.raises(MalformedInput, match="nested deeper"):
        newsml.parse(deep, source="s")
