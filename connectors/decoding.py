"""Bytes to text for every text-based wire format: UTF-8 first, then repair, then detection.

Newsrooms still send Windows-1252 and Latin-1 exports, and copy that went through one bad tool
carries a stray byte in otherwise clean UTF-8. Refusing such a file whole loses a story over a
byte; guessing silently loses the trail. So `decode_text` always returns text plus the
`warnings` (for the record's `warnings` field) that say what it did, and refuses only content
that is not text at all (NUL bytes, control bytes, a known binary signature).

The order matters:

1. A UTF-8 BOM is dropped; valid UTF-8 is taken as it is (no warning: the normal case, and
   exactly what was accepted before, NUL bytes included).
2. A UTF-16/UTF-32 BOM decodes as that encoding (warning), if the result is plausible text.
3. Binary content (a signature such as `%PDF` or `PK\\x03\\x04`, NUL bytes, many control bytes)
   raises `MalformedInput`: a dead letter, never an article of mojibake.
4. Mostly UTF-8 with a few invalid bytes: those bytes become U+FFFD (warning). Bytes are
   "stray" rather than legacy text when the text also has valid multi-byte UTF-8 sequences and
   the invalid bytes are at most 3 or a fifth of the non-ASCII bytes (legacy CJK text makes
   accidental UTF-8 pairs, but most of its bytes are invalid), or, in otherwise ASCII text, when
   each byte read as Windows-1252 is not a letter inside a word.
5. Otherwise a legacy 8-bit encoding: charset-normalizer is asked, and trusted when it names a
   non-Latin script (Cyrillic, Greek, Japanese, ...). For Latin-script text it cannot tell
   Windows-1250 from Windows-1252 on short copy (it reads `à` as `ŕ`), so Windows-1252 is used
   unless the detector's Latin guess reads more of the high bytes as letters (Polish `ł`, `ą`).
   Windows-1252 decodes Latin-1 text identically (bar the unused C1 range).
"""

from __future__ import annotations

import codecs
import re
import threading
import unicodedata
from dataclasses import dataclass, field

from connectors.errors import MalformedInput

WESTERN_FALLBACK = "cp1252"
_BOMS = (
    (codecs.BOM_UTF32_LE, "utf-32-le", "UTF-32LE"),
    (codecs.BOM_UTF32_BE, "utf-32-be", "UTF-32BE"),
    (codecs.BOM_UTF16_LE, "utf-16-le", "UTF-16LE"),
    (codecs.BOM_UTF16_BE, "utf-16-be", "UTF-16BE"),
)
_SIGNATURES = (
    (b"%PDF-", "a PDF document"),
    (b"\x89PNG\r\n\x1a\n", "a PNG image"),
    (b"GIF87a", "a GIF image"),
    (b"GIF89a", "a GIF image"),
    (b"\xff\xd8\xff", "a JPEG image"),
    (b"PK\x03\x04", "a ZIP archive (or a .docx/.xlsx/.odt)"),
    (b"\x1f\x8b", "a gzip file"),
    (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", "an old Microsoft Office document"),
    (b"{\\rtf", None),  # RTF is 7-bit text; let it through as text
    (b"\x7fELF", "an executable"),
)
_TEXT_CONTROLS = frozenset(b"\t\n\r\x0c\x0b\x1a\x1b")  # tab, LF, CR, FF, VT, SUB, ESC
_MAX_CONTROL_SHARE = 0.01
_ONE_LETTER_WORDS = frozenset("àÀèÈòùé")
_MIN_NON_LATIN_LETTERS = 8
_FEW_STRAY_BYTES = 3
_STRAY_SHARE = 0.2
_NEWS_SIGNS = frozenset("€£¥¢°§©®™±×÷½¼¾")


@dataclass(frozen=True)
class Decoded:
    """The text, the encoding it was read as, and what was done to read it."""

    text: str
    encoding: str = "utf-8"
    warnings: tuple[str, ...] = field(default=())


def warning(code: str, message: str) -> str:
    """One entry of a record's `warnings`: a stable code, a colon, and a message for people.

    `warnings` are strings (schemas/wire.article.v1.json, shared with the page fetcher's); the
    code in front keeps them countable (a prefix query on the keyword field).
    """
    return f"{code}: {message}"[:1000]


def warning_code(entry: str) -> str | None:
    """The code of a `warning(...)` entry, None for a free-text warning."""
    code, sep, _ = entry.partition(": ")
    return code if sep and re.fullmatch(r"[a-z][a-z_]{0,63}", code) else None


def decode_text(data: bytes | str, what: str = "the input") -> Decoded:
    """Text from bytes, with warnings for anything but clean UTF-8; MalformedInput if binary."""
    if isinstance(data, str):
        return Decoded(data)
    if data.startswith(codecs.BOM_UTF8):
        data = data[len(codecs.BOM_UTF8) :]
    try:
        return Decoded(data.decode("utf-8"))
    except UnicodeDecodeError:
        pass
    for bom, codec, label in _BOMS:
        if data.startswith(bom):
            decoded = _with_bom(data[len(bom) :], codec, label, what)
            if decoded is not None:
                return decoded
            break
    _refuse_binary(data, what)
    invalid, multibyte, repaired = _utf8_damage(data)
    if _stray(data, invalid, multibyte):
        return _replaced(data, invalid, repaired, what)
    return _legacy(data, what)


def _with_bom(body: bytes, codec: str, label: str, what: str) -> Decoded | None:
    try:
        text = body.decode(codec)
    except UnicodeDecodeError:
        return None
    if _implausible_share(text) > _MAX_CONTROL_SHARE:
        return None
    message = f"{what} is {label} (byte order mark), not UTF-8; decoded as {label}"
    return Decoded(text, codec, (warning("encoding_detected", message),))


def _refuse_binary(data: bytes, what: str) -> None:
    for signature, kind in _SIGNATURES:
        if data.startswith(signature):
            if kind is None:
                return
            raise MalformedInput(f"{what} is binary content ({kind}), not text")
    nuls = data.count(0)
    controls = sum(1 for b in data[:65536] if b < 0x20 and b not in _TEXT_CONTROLS)
    if nuls > 0 or controls > max(2, _MAX_CONTROL_SHARE * min(len(data), 65536)):
        detail = f"{nuls:,} NUL bytes" if nuls else f"{controls:,} control bytes"
        raise MalformedInput(
            f"{what} is binary content ({detail}, not valid UTF-8 and not text in a legacy "
            "encoding)"
        )


_DAMAGE = threading.local()


def _record_damage(exc: UnicodeError) -> tuple[str, int]:
    assert isinstance(exc, UnicodeDecodeError)
    _DAMAGE.offsets.extend(range(exc.start, exc.end))
    _DAMAGE.events += 1
    return "\ufffd", exc.end


codecs.register_error("wirestream.record-damage", _record_damage)


def _utf8_damage(data: bytes) -> tuple[list[int], int, str]:
    """(offsets of the invalid bytes, count of valid multi-byte characters, the text with
    U+FFFD for each invalid sequence), in one pass over the bytes."""
    _DAMAGE.offsets, _DAMAGE.events = [], 0
    text = data.decode("utf-8", "wirestream.record-damage")
    invalid, events = _DAMAGE.offsets, _DAMAGE.events
    multibyte = sum(1 for ch in text if ord(ch) > 0x7F) - events
    return invalid, multibyte, text


def _stray(data: bytes, invalid: list[int], multibyte: int) -> bool:
    """True when the invalid bytes are damage in UTF-8 text, not a legacy encoding's letters."""
    if multibyte:
        # UTF-8 text with a few bad bytes, or bad bytes a small share of the non-ASCII ones.
        # Legacy double-byte text (GB2312, EUC-KR, Shift_JIS, Big5) makes accidental valid
        # UTF-8 pairs too, but most of its high bytes are invalid (about 60 %).
        high = sum(1 for b in data if b >= 0x80)
        return len(invalid) <= _FEW_STRAY_BYTES or len(invalid) <= _STRAY_SHARE * high
    return all(not _letter_in_word(data, offset) for offset in invalid)


def _letter_in_word(data: bytes, offset: int) -> bool:
    """Whether the byte, read as Windows-1252, is a letter or typographic mark next to text."""
    char = bytes([data[offset]]).decode(WESTERN_FALLBACK, "replace")
    before = chr(data[offset - 1]) if offset > 0 else " "
    after = chr(data[offset + 1]) if offset + 1 < len(data) else " "
    if char.isalpha():
        # Inside a word (`caf\xe9`), or one of the one-letter words (French `\xe0`, Italian `\xe8`).
        return before.isalpha() or after.isalpha() or char in _ONE_LETTER_WORDS
    # ’ “ ” – — … € and the like sit next to letters or spaces in real Western copy.
    return unicodedata.category(char)[0] in "PS" and char not in "\ufffd\xa6\xac\xaf"


def _replaced(data: bytes, invalid: list[int], text: str, what: str) -> Decoded:
    count = len(invalid)
    first = invalid[0] if invalid else 0
    message = (
        f"{what} is UTF-8 with {count:,} invalid byte{'s' if count != 1 else ''} "
        f"(first 0x{data[first]:02x} at offset {first:,}); replaced with U+FFFD"
    )
    return Decoded(text, "utf-8", (warning("invalid_bytes_replaced", message),))


def _legacy(data: bytes, what: str) -> Decoded:
    encoding, how = _choose_legacy(data)
    text = data.decode(encoding, "replace")
    if _implausible_share(text) > _MAX_CONTROL_SHARE:
        raise MalformedInput(f"{what} is binary content, not valid UTF-8 and not legacy text")
    name = codecs.lookup(encoding).name
    label = f"windows-{name[2:]}" if name.startswith("cp125") else name
    message = f"{what} is not UTF-8; decoded as {label} ({how})"
    return Decoded(text, label, (warning("encoding_detected", message),))


def _choose_legacy(data: bytes) -> tuple[str, str]:
    try:
        from charset_normalizer import from_bytes
    except ImportError:  # pragma: no cover - a dependency of the project (and of requests)
        return WESTERN_FALLBACK, "the Western fallback"
    matches = list(from_bytes(data[:65536], steps=5, chunk_size=512))[:6]
    if not matches:
        return WESTERN_FALLBACK, "the Western fallback: no detection"
    best = matches[0]
    sample = data[:65536]
    decoded = sample.decode(best.encoding, "replace")
    # A non-Latin script is trusted only on enough text (8 letters or more): on a few bytes (`Caf\xe9 \xe0 Paris`) it guesses Arabic code pages as readily as any.
    if not _is_latin(decoded) and _high_letter_count(decoded) >= _MIN_NON_LATIN_LETTERS:
        return best.encoding, "detected by charset-normalizer"
    fallback_odd = _odd_characters(sample, WESTERN_FALLBACK)
    if fallback_odd == 0:
        return WESTERN_FALLBACK, "Western text; the Windows-1252 fallback"
    latin = [m.encoding for m in matches if _is_latin(sample.decode(m.encoding, "replace"))]
    scored = [(_odd_characters(sample, c), i, c) for i, c in enumerate(latin)]
    odd, _, candidate = min(scored, default=(fallback_odd, 0, WESTERN_FALLBACK))
    if odd < fallback_odd:
        return candidate, "detected by charset-normalizer"
    return WESTERN_FALLBACK, "Western text; the Windows-1252 fallback"


def _high_letter_count(text: str) -> int:
    return sum(1 for ch in text if ord(ch) > 0x7F and ch.isalpha())


def _is_latin(text: str) -> bool:
    letters = [ch for ch in text if ord(ch) > 0x7F and ch.isalpha()]
    if not letters:
        return True
    latin = sum(1 for ch in letters if unicodedata.name(ch, "").startswith("LATIN"))
    return latin * 2 >= len(letters)


def _odd_characters(data: bytes, encoding: str) -> int:
    """High characters that are neither letters nor the punctuation and signs of news copy.

    Polish copy read as Windows-1252 shows `³` for `ł` and `¹` for `ą`; Western copy read as
    Windows-1252 shows none.
    """
    text = data.decode(encoding, "replace")
    return sum(
        1
        for ch in text
        if ord(ch) > 0x7F
        and not ch.isalpha()
        and unicodedata.category(ch)[0] not in "PZ"
        and ch not in _NEWS_SIGNS
    )


def _implausible_share(text: str) -> float:
    """Share of characters no text carries: controls, unassigned, private use, surrogates."""
    if not text:
        return 0.0
    sample = text[:65536]
    bad = sum(
        1
        for ch in sample
        if unicodedata.category(ch) in ("Cn", "Co", "Cs")
        or (unicodedata.category(ch) == "Cc" and ch not in "\t\n\r\x0c\x0b\x1a\x1b\x85")
    )
    return bad / len(sample)


def transcode_declared(data: bytes, charset: str | None) -> tuple[bytes, str | None]:
    """UTF-8 bytes from a body whose sender declared a charset (HTTP `; charset=...`).

    A declared UTF-8 (or none, or an unknown name) leaves the bytes to `decode_text`; a body
    that does not decode in its declared charset is left to detection too.
    """
    if not charset:
        return data, None
    try:
        name = codecs.lookup(charset).name
    except LookupError:
        return data, None
    if name in ("utf-8", "utf-8-sig", "ascii"):
        return data, None
    try:
        text = data.decode(name)
    except UnicodeDecodeError:
        return data, None
    message = f"the request declared charset={charset}; decoded as {name}"
    return text.encode("utf-8"), warning("encoding_declared", message)
