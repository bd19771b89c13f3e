"""The JSON Schemas in `schemas/` are the contract of every topic; this module loads and applies them."""

from __future__ import annotations

import copy
import functools
import json
from collections.abc import Callable, Iterator
from importlib import resources
from pathlib import Path
from typing import Any

from jsonschema import Draft202012Validator, FormatChecker

ARTICLE = "wire.article.v1"
ENRICHED = "news.enriched.v1"
QUOTE = "news.quote.v1"
DEADLETTER = "wire.deadletter.v1"


class SchemaError(ValueError):
    """A record does not match its schema; the message lists every violation."""


def schema_dir() -> Path:
    """`schemas/` of a source checkout, else the copy packaged into the wheel."""
    checkout = Path(__file__).resolve().parents[2] / "schemas"
    if checkout.is_dir():
        return checkout
    return Path(str(resources.files("pipeline") / "_schemas"))


@functools.cache
def load_schema(name: str) -> dict[str, Any]:
    return json.loads((schema_dir() / f"{name}.json").read_text(encoding="utf-8"))


@functools.cache
def validator(name: str) -> Draft202012Validator:
    schema = load_schema(name)
    Draft202012Validator.check_schema(schema)
    return Draft202012Validator(schema, format_checker=FormatChecker())


@functools.cache
def _fast(name: str) -> Callable[[Any], Any] | None:
    """A compiled (fastjsonschema) check of schema `name`, trusted only to say "valid"."""
    try:
        import fastjsonschema
    except ImportError:
        return None
    checker = FormatChecker()
    # The same formats as the jsonschema path: checked where it checks them, else accepted.
    formats = {f: functools.partial(_conforms, checker, f) for f in _FORMATS}
    try:
        # deepcopy: fastjsonschema rewrites `$ref`s of the schema it is given in place
        return fastjsonschema.compile(copy.deepcopy(load_schema(name)), formats=formats)
    except Exception:
        return None


_FORMATS = ("date-time", "date", "time", "email", "hostname", "ipv4", "ipv6", "uri", "regex")


def _conforms(checker: FormatChecker, fmt: str, value: Any) -> bool:
    return checker.conforms(value, fmt)


def errors(name: str, record: Any) -> Iterator[str]:
    # The hot path validates every record twice; the compiled check makes the common case
    # (valid) cheap, and jsonschema, the reference, still words every rejection.
    fast = _fast(name)
    if fast is not None:
        try:
            fast(record)
            return
        except Exception:  # any doubt goes to the reference validator
            pass
    for error in sorted(validator(name).iter_errors(record), key=lambda e: list(e.path)):
        where = "/".join(str(p) for p in error.absolute_path) or "(record)"
        yield f"{where}: {error.message[:300]}"


def validate(name: str, record: Any) -> None:
    """Raise SchemaError naming every violation of schema `name`."""
    problems = list(errors(name, record))
    if problems:
        raise SchemaError(f"not a valid {name} record: " + "; ".join(problems[:10]))
