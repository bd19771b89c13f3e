"""The connectors' error types (re-exported by `connectors.article`)."""

from __future__ import annotations


class ParseError(ValueError):
    """The input is not an article we can accept; the message says why."""


class MalformedInput(ParseError):
    """The bytes are not even well-formed (not UTF-8, broken JSON or XML, refused XML)."""
