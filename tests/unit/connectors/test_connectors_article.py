from __future__ import annotations

import re

import pytest

from connectors.article import (
    REVISION_SPAN,
    ParseError,
    article_id,
    build_article,
    normalise_url,
)


def test_article_id_is_32_lowercase_hex_characters() -> None:
    assert re.fullmatch(r"[0-9a-f]{32}", article_id("wire", guid="urn:x:1"))


def test_resent_article_gets_the_same_id() -> None:
    # Pinned against sha256 computed outside the code, so an id that changes between runs or
    # releases (a salt, a new field separator, a hash of the object) fails here:
    #   printf 'wire\x1fguid\x1furn:x:1' | sha256sum | cut -c1-32
    assert article_id("wire", guid="urn:x:1") == "70a76d44849efcf83b11b04afaad9bf7"
    assert article_id("wire", guid="  urn:x:1 ") == "70a76d44849efcf83b11b04afaad9bf7"


def test_url_id_is_the_sha256_of_the_source_and_the_normalised_url() -> None:
    #   printf 's\x1furl\x1fhttps://news.example.org/story/1' | sha256sum | cut -c1-32
    assert article_id("s", url="https://news.example.org/story/1/") == (
        "5e02298d95d80a470a02345e43f18432"
    )


def test_different_guid_gives_a_different_id() -> None:
    assert article_id("wire", guid="urn:x:1") != article_id("wire", guid="urn:x:2")


def test_same_guid_from_another_source_is_another_article() -> None:
    assert article_id("feed-a", guid="1") != article_id("feed-b", guid="1")


def test_guid_wins_over_url_and_body() -> None:
    assert article_id("s", guid="g", url="https://a.example/1", body="x") == article_id(
        "s", guid="g"
    )


def test_url_variants_of_one_page_share_an_id() -> None:
    a = article_id("s", url="HTTPS://News.Example.org:443/story/1/?utm_source=x#top")
    b = article_id("s", url="https://news.example.org/story/1")
    assert a == b


def test_body_id_ignores_whitespace_and_case() -> None:
    assert article_id("s", body="Hello   World\n\nAgain") == article_id(
        "t", body="hello world again"
    )


def test_article_without_guid_url_or_body_cannot_be_identified() -> None:
    with pytest.raises(ParseError, match="cannot identify"):
        article_id("s")


def test_normalise_url_keeps_meaningful_query_parameters() -> None:
    assert normalise_url("https://x.org/a?b=2&a=1&utm_medium=m") == "https://x.org/a?a=1&b=2"


def test_built_article_is_schema_valid_with_receive_time_and_revision() -> None:
    article = build_article(source="wire", body="Some text.", fmt="plaintext")
    assert article["schema"] == "wire.article.v1"
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z", article["received_at"])
    assert article["revision"] > 1_700_000_000_000  # receive time in ms


def test_source_version_leads_the_revision_and_receive_time_breaks_ties() -> None:
    at = "2026-01-02T03:04:05.678Z"
    article = build_article(source="s", body="b", fmt="ninjs", revision="7", received_at=at)
    assert divmod(article["revision"], REVISION_SPAN) == (7, 1_767_323_045_678)


def test_an_unversioned_copy_never_outranks_a_versioned_one_received_earlier() -> None:
    # The Elasticsearch guard refuses a lower revision: `version: 3` must beat an unversioned
    # copy of the same article received later, and a later version must beat an earlier one.
    early, late = "2026-01-01T00:00:00.000Z", "2026-06-01T00:00:00.000Z"
    v3 = build_article(source="s", guid="g", body="b", fmt="ninjs", revision=3, received_at=early)
    plain = build_article(source="s", guid="g", body="b", fmt="ninjs", received_at=late)
    v4 = build_article(source="s", guid="g", body="c", fmt="ninjs", revision=4, received_at=early)
    assert v3["id"] == plain["id"] == v4["id"]
    assert plain["revision"] < v3["revision"] < v4["revision"]


def test_a_composed_revision_passing_through_is_kept() -> None:
    first = build_article(source="s", body="b", fmt="ninjs", revision=5)
    again = build_article(source="s", body="b", fmt="wire.article.v1", revision=first["revision"])
    assert again["revision"] == first["revision"]


def test_a_huge_source_version_still_fits_an_elasticsearch_version() -> None:
    article = build_article(source="s", body="b", fmt="ninjs", revision=str(REVISION_SPAN - 1))
    assert article["revision"] < 2**63


def test_empty_or_whitespace_body_is_a_parse_error() -> None:
    for body in ("", "  \n\t "):
        with pytest.raises(ParseError, match="empty body"):
            build_article(source="s", body=body, fmt="plaintext")


def test_nul_and_control_characters_are_removed_from_text() -> None:
    article = build_article(source="s", body="a\x00b\x07c\r\nd", headline="h\x00i", fmt="plaintext")
    assert article["body"] == "abc\nd"
    assert article["headline"] == "hi"


def test_unparseable_date_is_dropped_not_fatal() -> None:
    assert (
        build_article(source="s", body="b", fmt="jsonl", published_at="soon")["published_at"]
        is None
    )


def test_dates_are_normalised_to_utc() -> None:
    article = build_article(
        source="s", body="b", fmt="rss", published_at="Tue, 30 Nov 2004 13:00:00 +0100"
    )
    assert article["published_at"] == "2004-11-30T12:00:00Z"


def test_non_http_url_is_not_kept_as_link() -> None:
    assert (
        build_article(source="s", body="b", fmt="jsonl", url="javascript:alert(1)")["url"] is None
    )


def test_overlong_body_is_a_parse_error() -> None:
    with pytest.raises(ParseError, match="limit"):
        build_article(source="s", body="x" * 2_000_001, fmt="plaintext")


def test_invalid_language_tag_is_dropped() -> None:
    assert (
        build_article(source="s", body="b", fmt="ninjs", language="not a tag!")["language"] is None
    )
