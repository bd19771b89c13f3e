"""The files under `deploy/local/` (the Maven pom and the server config templates)."""

from __future__ import annotations

from pathlib import Path
from string import Template

_PACKAGED = Path(__file__).resolve().parents[1] / "_deploy_local"
_IN_REPO = Path(__file__).resolve().parents[2] / "deploy" / "local"


def deploy_dir() -> Path:
    """`deploy/local` of the checkout, or the copy packed into a wheel."""
    for candidate in (_IN_REPO, _PACKAGED):
        if (candidate / "pom.xml").is_file():
            return candidate
    raise FileNotFoundError(f"deploy/local not found (looked in {_IN_REPO} and {_PACKAGED})")


def pom_path() -> Path:
    return deploy_dir() / "pom.xml"


def render_text(relative: str, **values: object) -> str:
    """A template with its `${name}` placeholders filled."""
    text = (deploy_dir() / relative).read_text()
    return Template(text).substitute({k: str(v) for k, v in values.items()})


def render(relative: str, target: Path, **values: object) -> Path:
    """Fills `${name}` placeholders of a template and writes it to `target` (a directory only
    we can write; for a server's own home use `safe_files.write_file` with `render_text`)."""
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(render_text(relative, **values))
    return target
