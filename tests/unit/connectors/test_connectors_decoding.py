"""Decoding (connectors/decoding.py): UTF-8 first, repair, detection, and binary refused."""

from __future__ import annotations

import codecs

import pytest

from connectors.decoding import decode_text, warning_code
from connectors.errors import MalformedInput

FRENCH = "Le président a déclaré « nous verrons » à Paris. L’été dernier, c’était différent."
GERMAN = "Die Bürger in München müssen größere Straßen bauen. Über Änderungen wird geredet."
SPANISH = "El niño pequeño comió en la ciudad. Señor García dijo: ¡qué año!"
ENGLISH = "He said “we will see” – and that’s it. The café’s owner agreed."
UTF8_COPY = "WASHINGTON (Sputnik) — The line runs down the river. “Never,” Mattis said. " * 4


def _codes(decoded) -> list[str]:
    return [warning_code(w) for w in decoded.warnings]


def test_utf8_is_taken_as_it_is_without_a_warning() -> None:
    decoded = decode_text(UTF8_COPY.encode())
    assert (decoded.text, decoded.warnings) == (UTF8_COPY, ())


def test_a_utf8_bom_is_dropped_and_crlf_kept_for_the_cleaner() -> None:
    decoded = decode_text(codecs.BOM_UTF8 + b"Line one.\r\nLine two.")
    assert (decoded.text, decoded.warnings) == ("Line one.\r\nLine two.", ())


def test_utf8_with_nul_bytes_is_still_accepted_as_before() -> None:
    assert decode_text(b"ROME \x00(Wire) - The talks resumed.").warnings == ()


@pytest.mark.parametrize(
    ("text", "encoding"),
    [
        (FRENCH, "cp1252"),
        (GERMAN, "cp1252"),
        (SPANISH, "cp1252"),
        (ENGLISH, "cp1252"),
        (GERMAN, "latin-1"),
        (SPANISH, "latin-1"),
        (FRENCH.replace("’", "'"), "latin-1"),  # Latin-1 has no curly quotes
    ],
)
def test_western_legacy_text_is_decoded_with_accents_intact(text: str, encoding: str) -> None:
    decoded = decode_text(text.encode(encoding), "the file")
    assert decoded.text == text
    assert _codes(decoded) == ["encoding_detected"]
    assert "windows-1252" in decoded.warnings[0]


def test_short_latin1_text_is_not_taken_for_another_script() -> None:
    assert decode_text("Café à Paris.".encode("latin-1")).text == "Café à Paris."


@pytest.mark.parametrize(
    ("text", "encoding"),
    [
        ("Президент России заявил, что переговоры продолжатся на следующей неделе.", "cp1251"),
        ("Ο πρωθυπουργός δήλωσε ότι οι διαπραγματεύσεις θα συνεχιστούν.", "cp1253"),
        ("Prezydent powiedział, że rozmowy będą kontynuowane. Łódź i Kraków.", "cp1250"),
        # Double-byte text makes accidental valid UTF-8 pairs: still not "UTF-8 with damage".
        ("北京市政府今天宣布了新的交通政策，以减少城市拥堵和空气污染。", "gb2312"),
        ("東京都の知事は記者会見で新しい政策を発表しました。", "shift_jis"),
        ("서울시는 오늘 새로운 교통 정책을 발표했습니다. 시민들은 환영했습니다.", "euc_kr"),
    ],
)
def test_other_scripts_are_detected(text: str, encoding: str) -> None:
    assert decode_text(text.encode(encoding)).text == text


def test_a_stray_byte_in_utf8_is_replaced_and_reported_with_its_offset() -> None:
    data = UTF8_COPY.encode()
    at = data.index(b"Mattis")
    decoded = decode_text(data[:at] + b"\xff" + data[at:], "the text file")
    chars = UTF8_COPY.index("Mattis")
    assert decoded.text == UTF8_COPY[:chars] + "\ufffd" + UTF8_COPY[chars:]
    assert _codes(decoded) == ["invalid_bytes_replaced"]
    assert f"0xff at offset {at}" in decoded.warnings[0]


def test_a_stray_byte_beside_a_single_utf8_dash_is_replaced_and_the_dash_kept() -> None:
    decoded = decode_text("LONDON — Talks resumed".encode() + b" \xff and went on.")
    assert decoded.text == "LONDON — Talks resumed \ufffd and went on."


def test_a_stray_byte_in_plain_ascii_is_replaced_not_read_as_a_letter() -> None:
    decoded = decode_text(b"Officials met on Tuesday \xff to discuss the plan.")
    assert decoded.text == "Officials met on Tuesday \ufffd to discuss the plan."


def test_utf16_with_a_bom_is_decoded() -> None:
    decoded = decode_text(codecs.BOM_UTF16_LE + "Grüße aus Wien.".encode("utf-16-le"))
    assert decoded.text == "Grüße aus Wien."
    assert _codes(decoded) == ["encoding_detected"]


@pytest.mark.parametrize(
    ("data", "kind"),
    [
        (b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj", "a PDF document"),
        (b"\x1f\x8b\x08\x00\x00\x00\x00\x00\x02\x03\xff", "a gzip file"),
        (b"PK\x03\x04\x14\x00\x06\x00\x08\x00\xff\xfe", "a ZIP archive"),
        (b"\x00\xff\xfe" + bytes(range(256)) * 64, "NUL bytes"),
        (b"\x01\x02\x03\x04\x05\x06\xe9\x07\x08" * 20, "control bytes"),
    ],
)
def test_binary_content_is_refused_naming_what_it_is(data: bytes, kind: str) -> None:
    with pytest.raises(MalformedInput, match=f"binary content.*{kind}"):
        decode_text(data, "the file")
