"""ReDoS pass: every regex of the connectors, the enrichment and the secret redaction runs in
time proportional to its input, on the inputs that make backtracking regexes explode.

The patterns are found, not listed: module-level compiled patterns of every module under
`connectors/`, `pipeline/enrich/` and `pipeline/security/`, and every `re.*(...)` call with a
literal pattern in their source (so a new regex is covered the day it is written). Each is run
(`search`, `match`, `finditer`) over attack-shaped strings: prefix + pump x N + suffix, the pump
drawn by hypothesis from the pattern's own literal characters and the usual suspects. `re` holds
the GIL, so a runaway match cannot be timed out in a thread: each batch runs in a child
process killed after a generous guard. The guard only catches a hang (a quadratic pattern at this
input size runs for minutes); no test asserts on speed.
"""

from __future__ import annotations

import ast
import importlib
import json
import pkgutil
import re
import subprocess
import sys
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

ROOT = Path(__file__).resolve().parents[3]
PACKAGES = ("connectors", "pipeline.enrich", "pipeline.security")
SKIP_MODULES = ("pipeline.enrich.torch_backend", "pipeline.enrich.onnx_backend")
PUMPED_CHARS = 60_000  # quadratic => ~10^9 steps (minutes); linear => milliseconds
HANG_GUARD_S = 120
RE_CALLS = {"compile", "search", "match", "fullmatch", "sub", "subn", "split", "findall",
            "finditer"}  # fmt: skip
SUSPECTS = " \t\n.,:;-—'\"()<>/@=aA0\\"


def _module_names() -> list[str]:
    names = []
    for package in PACKAGES:
        module = importlib.import_module(package)
        names.append(package)
        for info in pkgutil.walk_packages(module.__path__, package + "."):
            if not info.name.startswith(SKIP_MODULES):
                names.append(info.name)
    return names


def _flags(node: ast.Call) -> int:
    flags = 0
    for arg in [*node.args[1:], *(k.value for k in node.keywords if k.arg == "flags")]:
        for sub in ast.walk(arg):
            if isinstance(sub, ast.Attribute) and isinstance(getattr(re, sub.attr, None), int):
                flags |= getattr(re, sub.attr)
    return flags


def _literal_calls(path: Path) -> list[tuple[str | bytes, int]]:
    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Attribute)
            and node.func.attr in RE_CALLS
            and isinstance(node.func.value, ast.Name)
            and node.func.value.id == "re"
            and node.args
            and isinstance(node.args[0], ast.Constant)
            and isinstance(node.args[0].value, str | bytes)
        ):
            found.append((node.args[0].value, _flags(node)))
    return found


def discover() -> list[tuple[str, str | bytes, int]]:
    patterns: dict[tuple[str | bytes, int], str] = {}
    for name in _module_names():
        try:
            module = importlib.import_module(name)
        except ImportError:  # an optional extra that is not installed
            continue
        for attr, value in vars(module).items():
            if isinstance(value, re.Pattern):
                patterns.setdefault((value.pattern, value.flags), f"{name}.{attr}")
            if isinstance(value, dict):
                for key, item in value.items():
                    if isinstance(item, re.Pattern):
                        patterns.setdefault((item.pattern, item.flags), f"{name}.{attr}[{key}]")
            if isinstance(value, list | tuple):
                for item in value:
                    inner = item[0] if isinstance(item, tuple) and item else item
                    if isinstance(inner, re.Pattern):
                        patterns.setdefault((inner.pattern, inner.flags), f"{name}.{attr}[]")
        source = getattr(module, "__file__", None)
        if source and source.endswith(".py"):
            for pattern, flags in _literal_calls(Path(source)):
                compiled = re.compile(pattern, flags)
                patterns.setdefault((compiled.pattern, compiled.flags), f"{name} (inline)")
    return [(where, pattern, flags) for (pattern, flags), where in sorted(
        patterns.items(), key=lambda kv: kv[1])]  # fmt: skip


PATTERNS = discover()

CHILD = r"""
import json, re, sys
spec = json.loads(sys.stdin.read())
raw = spec["bytes"]
pattern = re.compile(spec["pattern"].encode("latin-1") if raw else spec["pattern"], spec["flags"])
for prefix, pump, suffix in spec["shapes"]:
    text = prefix + pump * (spec["size"] // max(1, len(pump))) + suffix
    if raw:
        text = text.encode("utf-8")
    pattern.search(text)
    pattern.match(text)
    for _ in pattern.finditer(text):
        pass
print("done")
"""


def _run(pattern: str | bytes, flags: int, shapes: list[tuple[str, str, str]]) -> None:
    is_bytes = isinstance(pattern, bytes)
    spec = {
        "pattern": pattern.decode("latin-1") if is_bytes else pattern,
        "bytes": is_bytes,
        "flags": flags,
        "shapes": shapes,
        "size": PUMPED_CHARS,
    }
    try:
        result = subprocess.run(
            [sys.executable, "-c", CHILD], input=json.dumps(spec), capture_output=True,
            text=True, timeout=HANG_GUARD_S,
        )  # fmt: skip
    except subprocess.TimeoutExpired:
        pytest.fail(f"{pattern!r} is still matching after {HANG_GUARD_S} s on {shapes}")
    assert result.stdout.strip() == "done", result.stderr[-2000:]


def _alphabet(pattern: str | bytes) -> str:
    text = pattern.decode("latin-1") if isinstance(pattern, bytes) else pattern
    literal = {c for c in text if c.isprintable() and c not in "[](){}*+?|^$\\"}
    return "".join(sorted(literal | set(SUSPECTS)))


def test_the_pass_finds_the_patterns_it_is_meant_to_cover() -> None:
    where = " ".join(w for w, _, _ in PATTERNS)
    for expected in ("secrets", "wirecopy", "stance_features", "text._TAG", "plaintext", "rss"):
        assert expected in where, expected
    assert len(PATTERNS) >= 20


@pytest.mark.parametrize(("where", "pattern", "flags"), PATTERNS, ids=[w for w, _, _ in PATTERNS])
def test_classic_attack_shapes_run_in_bounded_time(where: str, pattern, flags: int) -> None:
    alphabet = _alphabet(pattern)
    shapes = [("", c, "!") for c in alphabet] + [
        ("", "a ", "\x00"), ("A", "a", "("), ("", "Aa ", ""), ("<a", " x=\"", ""),
        ("://", "a", ":"), (".", " ", "x"), ("", "\n", "x"), ("password=", "a", ""),
    ]  # fmt: skip
    _run(pattern, flags, shapes)


@settings(
    max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(data=st.data())
def test_hypothesis_pumps_run_in_bounded_time(data) -> None:
    _, pattern, flags = data.draw(st.sampled_from(PATTERNS), label="pattern")
    chars = st.sampled_from(_alphabet(pattern))
    pieces = st.text(chars, min_size=0, max_size=3)
    shapes = data.draw(
        st.lists(
            st.tuples(pieces, st.text(chars, min_size=1, max_size=4), pieces),
            min_size=1,
            max_size=6,
        ),
        label="shapes",
    )
    _run(pattern, flags, shapes)
