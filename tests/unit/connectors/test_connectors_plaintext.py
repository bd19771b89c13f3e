from __future__ import annotations

import pytest

from connectors.article import MalformedInput, ParseError
from connectors.decoding import warning_code
from connectors.formats import plaintext


def test_sample_wire_article_keeps_dateline_and_related_headlines_in_body(sample_path) -> None:
    [article] = plaintext.parse(sample_path.read_bytes(), source="wire")
    # No headline line: one is derived from the lede after the dateline (issue 16).
    assert article["headline"] == "The deconfliction line runs down the Euphrates River"
    assert article["headline_derived"] is True
    assert article["body"].startswith("WASHINGTON (Sputnik) — The deconfliction line")
    assert (
        "\nPentagon Admits Daesh Militants Escaped Coalition to Syria's Euphrates Valley\n"
        in article["body"]
    )
    assert "Mattis Says He Does Not See 'Evolving US Military Role' in Ukraine" in article["body"]
    assert article["format"] == "plaintext"


def test_short_first_line_followed_by_blank_line_is_the_headline() -> None:
    [article] = plaintext.parse(b"Storm hits coast\n\nLONDON (Wire) - A storm hit.", source="s")
    assert article["headline"] == "Storm hits coast"
    assert article["body"] == "LONDON (Wire) - A storm hit."
    assert "headline_derived" not in article


def test_first_line_with_terminal_punctuation_is_not_a_headline() -> None:
    [article] = plaintext.parse(b"It rained today.\n\nMore text follows.", source="s")
    # Not split off as a headline line: the body keeps it, the headline is derived from it.
    assert article["body"].startswith("It rained today.")
    assert (article["headline"], article["headline_derived"]) == ("It rained today", True)


def test_dateline_first_line_is_never_a_headline() -> None:
    [article] = plaintext.parse(b"PARIS (AFP) - Short lead\n\nMore.", source="s")
    assert article["body"].startswith("PARIS (AFP) - Short lead")
    assert (article["headline"], article["headline_derived"]) == ("Short lead", True)


def test_single_line_text_has_no_headline_line_but_a_derived_one() -> None:
    [article] = plaintext.parse(b"Just one line without a stop", source="s")
    assert article["headline"] == "Just one line without a stop"
    assert article["headline_derived"] is True
    assert article["body"] == "Just one line without a stop"


def test_resent_text_gets_the_same_id() -> None:
    first = plaintext.parse(b"Same copy.\nSecond line.", source="s")[0]
    again = plaintext.parse(b"Same   copy.\r\nSecond line.\n", source="s")[0]
    assert first["id"] == again["id"]


def test_latin1_bytes_are_read_with_a_warning() -> None:
    [article] = plaintext.parse("Café à Paris.".encode("latin-1"), source="s")
    assert article["body"] == "Café à Paris."
    assert [warning_code(w) for w in article["warnings"]] == ["encoding_detected"]


def test_binary_bytes_are_refused_as_malformed() -> None:
    with pytest.raises(MalformedInput, match=r"binary content \(a gzip file\)"):
        plaintext.parse(b"\x1f\x8b\x08\x00\x00\x00\x00\x00\x02\x03\xff\xfe", source="s")


def test_empty_file_is_refused() -> None:
    with pytest.raises(ParseError, match="empty"):
        plaintext.parse(b"\n \n", source="s")


def test_utf8_bom_is_dropped() -> None:
    [article] = plaintext.parse("\ufeffText with a BOM.".encode(), source="s")
    assert article["body"] == "Text with a BOM."


def test_saved_html_page_is_reduced_to_its_visible_text() -> None:
    page = b"<!DOCTYPE html><html><head><title>t</title><script>x()</script></head><body><p>Para one.</p><p>Two.</p></body></html>"
    [article] = plaintext.parse(page, source="s")
    assert article["body"] == "Para one.\nTwo."


def test_nul_bytes_are_dropped_and_right_to_left_text_kept() -> None:
    [article] = plaintext.parse("القاهرة (رويترز) - قال\x00 المتحدث".encode(), source="s")
    assert article["body"] == "القاهرة (رويترز) - قال المتحدث"
