"""HTML to text costs time in proportion to the input, whatever the input.

`html.parser` is quadratic on unterminated constructs: a ninjs `body_html` of repeated `<a`
(200 KiB) took 30 s. Guarded by a generous timeout against hanging only, never a speed bound.
"""

from __future__ import annotations

import threading
from html.parser import HTMLParser

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from connectors.errors import ParseError
from connectors.formats.ninjs import to_article
from connectors.text import MAX_HTML_CHARS, html_to_text

HANG_GUARD_S = 120  # far above the linear cost (well under a second); only catches a hang

PATHOLOGICAL = {
    "open tags": "<a" * 500_000,
    "open end tags": "</a" * 350_000,
    "open comments": "<!--" * 250_000,
    "open declarations": "<!x" * 350_000,
    "open processing instructions": "<?x" * 350_000,
    "open quotes": '<a "' * 250_000,
    "open single quotes": "<a '" * 250_000,
    "marked sections": "<![" * 350_000,
    "char refs": "&#" * 500_000,
    "nested scripts": "<script>" * 120_000,
}


def _finishes(fn) -> bool:
    done = threading.Event()

    def run() -> None:
        fn()
        done.set()

    threading.Thread(target=run, daemon=True).start()
    return done.wait(HANG_GUARD_S)


@pytest.mark.parametrize("name", sorted(PATHOLOGICAL))
def test_pathological_html_is_converted_without_hanging(name: str) -> None:
    html = PATHOLOGICAL[name]
    assert len(html) < MAX_HTML_CHARS
    assert _finishes(lambda: html_to_text(html)), f"{name}: still running after the guard"


def test_a_ninjs_body_of_repeated_open_tags_is_converted(tmp_path) -> None:
    item = {"uri": "urn:x", "body_html": "<p>Real text.</p>" + "<a" * 500_000}
    out: list[object] = []
    assert _finishes(lambda: out.append(to_article(item, source="s")))
    assert out and "Real text." in out[0]["body"]  # type: ignore[index]


def test_html_over_the_size_limit_is_refused_before_parsing() -> None:
    with pytest.raises(ParseError, match="limit"):
        html_to_text("<p>" + "x" * MAX_HTML_CHARS + "</p>")


class _Reference(HTMLParser):
    """The previous converter (html.parser), for well-formed input where it is right."""

    BLOCK = frozenset({"p", "div", "br", "li", "h1", "ul", "table", "tr"})
    SKIP = frozenset({"script", "style"})

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self.skipping = 0

    def handle_starttag(self, tag, attrs) -> None:
        if tag in self.SKIP:
            self.skipping += 1
        elif tag in self.BLOCK:
            self.parts.append("\n")

    def handle_startendtag(self, tag, attrs) -> None:
        if tag in self.BLOCK:
            self.parts.append("\n")

    def handle_endtag(self, tag) -> None:
        if tag in self.SKIP:
            self.skipping = max(0, self.skipping - 1)
        elif tag in self.BLOCK:
            self.parts.append("\n")

    def handle_data(self, data) -> None:
        if not self.skipping:
            self.parts.append(data)


def _reference(html: str) -> str:
    from connectors.text import join_paragraphs

    parser = _Reference()
    parser.feed(html)
    parser.close()
    return join_paragraphs("".join(parser.parts).split("\n"))


TEXT = st.text(st.characters(blacklist_characters="<>&\"'", codec="utf-8"), max_size=20)
ATTR = st.sampled_from(["", ' class="x"', " href='/a?b=1&amp;c=2'", ' title="a > b"', " hidden"])
TAG = st.sampled_from(["p", "div", "br", "li", "h1", "b", "i", "a", "span", "em", "ul"])


@st.composite
def fragments(draw) -> str:
    parts = []
    for _ in range(draw(st.integers(0, 8))):
        kind = draw(st.integers(0, 4))
        tag, attr, text = draw(TAG), draw(ATTR), draw(TEXT)
        if kind == 0:
            parts.append(f"<{tag}{attr}>{text}</{tag}>")
        elif kind == 1:
            parts.append(f"<{tag}{attr}/>")
        elif kind == 2:
            parts.append(f"<script>var x = '{text}';</script>")
        elif kind == 3:
            parts.append(f"{text} &amp; &eacute; &#233;")
        else:
            parts.append(f"<!-- {text} -->{text}")
    return "".join(parts)


@settings(max_examples=300, deadline=None)
@given(fragments())
def test_well_formed_html_gives_the_same_text_as_html_parser(html: str) -> None:
    assert html_to_text(html) == _reference(html)
