"""No feed reaches feedparser with entity declarations, whatever its encoding.

defusedxml (expat) cannot read shift_jis, euc-jp, gb2312, big5, utf-7 or EBCDIC; when its check
failed for such a reason, the feed went to feedparser anyway, which expanded the feed's own
`<!ENTITY>` declarations (its fallback parser without a limit: a 64 KiB feed used 921 MiB).
"""

from __future__ import annotations

import pytest

from connectors.feedfetch import FeedError
from connectors.rss import parse_feed

FEED = "https://feeds.example/news.xml"
ENCODINGS = ["shift_jis", "euc-jp", "gb2312", "big5", "utf-7", "cp037", "utf-8", "utf-16"]


def _feed(encoding: str, with_entity: bool, well_formed: bool = True) -> bytes:
    doctype = '<!DOCTYPE rss [<!ENTITY big "WIRESTREAM-ENTITY-EXPANDED">]>' if with_entity else ""
    body = "&big;" * 3 if with_entity else "A plain story."
    close = "</rss>" if well_formed else ""
    text = (
        f'<?xml version="1.0" encoding="{encoding}"?>{doctype}'
        f'<rss version="2.0"><channel><title>t</title><item><guid>urn:g1</guid><title>x</title>'
        f"<description>{body}</description></item></channel>{close}"
    )
    return text.encode(encoding)


@pytest.mark.parametrize("encoding", ENCODINGS)
def test_a_feed_declaring_entities_is_refused_in_any_encoding(encoding: str) -> None:
    with pytest.raises(FeedError, match="refused"):
        parsed = parse_feed(_feed(encoding, with_entity=True), FEED)
        # What the old code let through: the expansion reached the entries.
        assert "WIRESTREAM-ENTITY-EXPANDED" not in str(parsed.entries)


@pytest.mark.parametrize("encoding", ENCODINGS)
def test_a_not_well_formed_feed_declaring_entities_is_refused(encoding: str) -> None:
    with pytest.raises(FeedError, match="refused"):
        parse_feed(_feed(encoding, with_entity=True, well_formed=False), FEED)


@pytest.mark.parametrize("encoding", ["shift_jis", "euc-jp", "big5", "cp037", "utf-8", "utf-16"])
def test_the_same_feed_without_entities_is_still_read(encoding: str) -> None:
    parsed = parse_feed(_feed(encoding, with_entity=False), FEED)
    assert [e.get("id") for e in parsed.entries] == ["urn:g1"]
    assert "A plain story." in parsed.entries[0].get("summary", "")


def test_a_lenient_feed_without_entities_is_still_read() -> None:
    parsed = parse_feed(_feed("utf-8", with_entity=False, well_formed=False), FEED)
    assert [e.get("id") for e in parsed.entries] == ["urn:g1"]
