"""Indirect quotes: `X said that ...`, `..., X said.`, `according to X, ...`."""

from __future__ import annotations

from typing import Any

from spacy.tokens import Doc

from pipeline.enrich.quotes.speakers import PersonIndex


def find_indirect(
    text: str, doc: Doc, direct: list[dict[str, Any]], people: PersonIndex
) -> list[dict[str, Any]]:
    return []
