"""Every format's way of saying kill, withhold, embargo and correction ends in the same fields."""

from __future__ import annotations

import orjson
import pytest

from connectors.article import ParseError, article_id
from connectors.formats import jsonl, newsml, plaintext

STORY_ID = "0123456789abcdef0123456789abcdef"


def ninjs(fixtures, **changes) -> dict:
    item = orjson.loads((fixtures / "ninjs" / "ninjs-2.json").read_bytes())
    item.update(changes)
    [article] = jsonl.parse_document(orjson.dumps(item), source="wire")
    if isinstance(article, ParseError):
        raise article
    return article


def g2(fixtures, item_meta: str, *, body: bool = True) -> dict:
    xml = (fixtures / "newsml" / "newsitem.xml").read_text()
    xml = xml.replace('<pubStatus qcode="stat:usable"/>', item_meta)
    if not body:
        start, end = xml.index("<contentSet>"), xml.index("</contentSet>") + len("</contentSet>")
        xml = xml[:start] + xml[end:]
    [article] = newsml.parse(xml.encode(), source="wire")
    return article


def test_a_canceled_ninjs_version_is_a_kill_of_the_same_article(fixtures):
    story = ninjs(fixtures)
    kill = ninjs(fixtures, pubstatus="canceled", version="2")
    assert "status" not in story or story["status"] == "usable"
    assert kill["status"] == "canceled" and kill["id"] == story["id"]


def test_ninjs_1_pubstatus_withheld_and_embargoed_are_read(fixtures):
    [article] = jsonl.parse_document(
        orjson.dumps(
            {
                "uri": "urn:x:1",
                "body_text": "Text.",
                "pubstatus": "withheld",
                "embargoed": "2030-01-01T14:00:00+01:00",
            }
        ),
        source="wire",
    )
    assert article["status"] == "withheld"
    assert article["embargoed_until"] == "2030-01-01T13:00:00Z"


def test_a_canceled_item_without_a_body_still_kills(fixtures):
    [article] = jsonl.parse_document(
        orjson.dumps({"uri": "urn:x:1", "pubstatus": "canceled"}), source="wire"
    )
    assert article["status"] == "canceled" and article["body"]


def test_an_unknown_pubstatus_or_unreadable_embargo_is_refused_not_published(fixtures):
    with pytest.raises(ParseError, match="pubstatus"):
        ninjs(fixtures, pubstatus="maybe")
    with pytest.raises(ParseError, match="embargo"):
        ninjs(fixtures, embargoed="after lunch")


def test_a_ninjs_correction_names_the_article_it_replaces(fixtures):
    correction = ninjs(fixtures, uri="urn:x:fixed", corrects=STORY_ID)
    assert correction["id"] == STORY_ID and correction["corrects"] == STORY_ID
    signalled = ninjs(fixtures, version="2", signals=[{"code": "correction"}])
    assert signalled["corrects"] == signalled["id"] == ninjs(fixtures)["id"]


def test_newsml_g2_stat_canceled_without_content_is_a_kill(fixtures):
    story = g2(fixtures, '<pubStatus qcode="stat:usable"/>')
    kill = g2(fixtures, '<pubStatus qcode="stat:canceled"/>', body=False)
    assert kill["status"] == "canceled" and kill["id"] == story["id"]


def test_newsml_g2_embargoed_and_correction_link_are_read(fixtures):
    article = g2(
        fixtures,
        '<pubStatus qcode="stat:usable"/><embargoed>2030-01-01T10:00:00Z</embargoed>'
        '<signal qcode="sig:correction"/>'
        '<link rel="irel:correctionOf" residref="urn:newsml:example.org:original"/>',
    )
    assert article["embargoed_until"] == "2030-01-01T10:00:00Z"
    expected = article_id("nprov:EXAMPLE", guid="urn:newsml:example.org:original")
    assert article["id"] == article["corrects"] == expected


@pytest.mark.parametrize(
    "header",
    [
        f"KILL {STORY_ID}",
        f"KILL: {STORY_ID}",
        f"MANDATORY KILL - {STORY_ID} (legal)",
        f"WITHDRAWN {STORY_ID}",
        f"KILL\nREF: {STORY_ID}",
    ],
)
def test_plain_text_kill_advisories_name_their_story(header):
    [kill] = plaintext.parse(f"{header}\n\nThe story is withdrawn. Do not use.", source="w")
    assert kill["status"] == "canceled" and kill["id"] == STORY_ID
    assert "withdrawn" in kill["body"]


def test_plain_text_kill_by_guid_uses_the_connectors_source():
    [kill] = plaintext.parse("KILL urn:agency:story-7\n\nDo not use.", source="agency")
    assert kill["id"] == article_id("agency", guid="urn:agency:story-7")


def test_a_kill_that_does_not_say_which_story_is_refused():
    with pytest.raises(ParseError, match="does not name its story"):
        plaintext.parse("KILL\n\nThe story about the minister is withdrawn.", source="w")


def test_a_headline_that_starts_with_kill_is_an_ordinary_story():
    [story] = plaintext.parse("KILL BILL sequel announced\n\nA studio said.", source="w")
    assert "status" not in story and story["headline"] == "KILL BILL sequel announced"


def test_plain_text_embargo_and_correction_headers_leave_the_story_as_body():
    [held] = plaintext.parse(
        "EMBARGOED UNTIL 2030-01-01T10:00:00Z\n\nMinister resigns\n\nThe minister resigned.",
        source="w",
    )
    assert held["embargoed_until"] == "2030-01-01T10:00:00Z"
    assert held["headline"] == "Minister resigns" and held["body"] == "The minister resigned."
    [fixed] = plaintext.parse(
        f"CORRECTS {STORY_ID}\n\nMinister resigns\n\nThe minister resigned on Monday.",
        source="w",
    )
    assert fixed["id"] == fixed["corrects"] == STORY_ID
    assert fixed["body"] == "The minister resigned on Monday."


def test_an_unreadable_plain_text_embargo_is_refused():
    with pytest.raises(ParseError, match="embargo"):
        plaintext.parse("EMBARGOED UNTIL teatime\n\nStory.", source="w")
