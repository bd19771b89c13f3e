"""Every WIRESTREAM_* variable the deployment files set names a real settings field.

pydantic-settings ignores unknown variables, so a typo in a compose file or chart would be
silently without effect; this test makes it loud.
"""

from __future__ import annotations

import re
from pathlib import Path

import yaml
from pydantic_settings import BaseSettings

REPO = Path(__file__).resolve().parents[3]


def known_variables() -> set[str]:
    import connectors.settings
    import pipeline.observability.metrics
    import pipeline.ops.kibana
    import pipeline.settings

    names = set()
    for module in (
        pipeline.settings,
        connectors.settings,
        pipeline.observability.metrics,
        pipeline.ops.kibana,
    ):
        for value in vars(module).values():
            if (
                isinstance(value, type)
                and issubclass(value, BaseSettings)
                and value is not BaseSettings
            ):
                prefix = value.model_config.get("env_prefix", "")
                names |= {f"{prefix}{field}".upper() for field in value.model_fields}
    return names


def _set_in_compose() -> set[str]:
    compose = yaml.safe_load((REPO / "deploy" / "compose" / "docker-compose.yml").read_text())
    found = set()
    for service in compose["services"].values():
        found |= {k for k in (service.get("environment") or {}) if k.startswith("WIRESTREAM_")}
    return found


def _set_in_text(path: Path, pattern: str) -> set[str]:
    return set(re.findall(pattern, path.read_text(), flags=re.M))


def test_deployment_files_set_only_known_settings():
    known = known_variables()
    sources = {
        "compose": _set_in_compose(),
        "helm configmap": _set_in_text(
            REPO / "deploy" / "helm" / "wirestream" / "templates" / "configmap.yaml",
            r"^\s+(WIRESTREAM_\w+):",
        ),
        "Dockerfile": _set_in_text(REPO / "deploy" / "Dockerfile", r"\b(WIRESTREAM_\w+)="),
        "systemd": _set_in_text(
            REPO / "deploy" / "systemd" / "wirestream-worker.service", r"\b(WIRESTREAM_\w+)="
        ),
    }
    for where, names in sources.items():
        assert names, f"found no settings in {where}"
        unknown = names - known
        assert not unknown, f"{where} sets unknown settings: {sorted(unknown)}"
