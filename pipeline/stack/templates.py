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


def render(relative: str, target: Path, **values: object) -> Path:
    """Fills `${name}` placeholders of a template and writes it to `target`."""
    text = (deploy_dir() / relative).read_text()
    rendered = Template(text).substitute({k: str(v) for k, v in values.items()})
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(rendered)
    return target
