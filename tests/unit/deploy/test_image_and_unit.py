"""The Dockerfile builds a non-root, offline image with the models baked in; the systemd unit
is valid. No Docker here: both are checked statically (and with systemd-analyze if present)."""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[3]
DOCKERFILE = REPO / "deploy" / "Dockerfile"
IGNORE = REPO / "deploy" / "Dockerfile.dockerignore"
UNIT = REPO / "deploy" / "systemd" / "wirestream-worker.service"


def _stages(text: str) -> list[str]:
    return re.findall(r"^FROM \S+ AS (\w+)", text, flags=re.M)


def test_dockerfile_is_multi_stage_and_runs_as_a_non_root_user():
    text = DOCKERFILE.read_text()
    assert _stages(text) == ["build", "export", "verify", "runtime"]
    runtime = text.split("AS runtime", 1)[1]
    user = re.findall(r"^USER (\S+)", runtime, flags=re.M)
    assert user and not user[-1].startswith(("root", "0"))
    assert "COPY --from=verify /opt/wirestream /opt/wirestream" in runtime


def _stage(text: str, name: str) -> str:
    return re.split(r"^FROM ", text.split(f" AS {name}\n", 1)[1], maxsplit=1, flags=re.M)[0]


def test_the_image_serves_without_pytorch_from_an_export_made_at_build_time():
    text = DOCKERFILE.read_text()
    # The serving venv gets the `serve` extra only; PyTorch comes in with `export`, in a
    # stage of its own whose venv is thrown away and whose ONNX files are kept.
    assert '"optional-dependencies"]["serve"]' in _stage(text, "build")
    assert "models" not in re.findall(r'"optional-dependencies"\]\["(\w+)"\]', text)
    assert '"optional-dependencies"]["export"]' in _stage(text, "export")
    assert "wirestream models export" in _stage(text, "export")
    verify = _stage(text, "verify")
    assert re.search(r"^FROM build AS verify$", text, flags=re.M)
    assert "COPY --from=export /opt/wirestream-models /opt/wirestream-models" in verify
    assert '! python -c "import torch"' in verify
    runtime = _stage(text, "runtime")
    assert "--from=export" not in runtime and "--from=build" not in runtime
    assert "WIRESTREAM_ENRICH_MODEL_CACHE_DIR=/opt/wirestream-models" in runtime


def test_dockerfile_bakes_the_models_and_forbids_downloads_at_run_time():
    text = DOCKERFILE.read_text()
    makefile = (REPO / "Makefile").read_text()
    pins = re.search(r"^MODEL_PACKAGES := (.+)$", makefile, flags=re.M).group(1).split()
    for pin in pins:
        assert pin in text, f"the image does not install {pin} like `make install` does"
    runtime = text.split("AS runtime", 1)[1]
    assert "HF_HUB_OFFLINE=1" in runtime and "TRANSFORMERS_OFFLINE=1" in runtime
    # The build enriches a sample offline, so a model that would download fails the build.
    assert re.search(r"HF_HUB_OFFLINE=1 .*wirestream enrich", text, flags=re.S)


def test_dockerfile_has_a_healthcheck_on_the_metrics_endpoint():
    text = DOCKERFILE.read_text()
    assert re.search(r"^HEALTHCHECK .*\n?.*CMD .*?/healthz", text, flags=re.M)
    assert 'ENTRYPOINT ["wirestream"]' in text


def test_every_path_the_dockerfile_copies_is_in_the_repo_and_in_the_build_context():
    text = DOCKERFILE.read_text()
    allowed = [line[1:] for line in IGNORE.read_text().splitlines() if line.startswith("!")]
    for source in re.findall(r"^COPY (?!--)(.+) \S+$", text, flags=re.M):
        for path in source.split():
            assert (REPO / path).exists(), f"COPY {path}: not in the repository"
            assert any(path == a or a.startswith(path.rstrip("/") + "/") for a in allowed), (
                f"COPY {path}: excluded by {IGNORE.name}"
            )


def test_dockerfile_copies_every_path_the_wheel_force_includes():
    import tomllib

    pyproject = tomllib.loads((REPO / "pyproject.toml").read_text())
    force = pyproject["tool"]["hatch"]["build"]["targets"]["wheel"]["force-include"]
    text = DOCKERFILE.read_text()
    for source in force:
        assert re.search(rf"^COPY {re.escape(source)} ", text, flags=re.M), (
            f"the wheel build needs {source}; the Dockerfile does not copy it"
        )


def test_systemd_unit_runs_the_worker_unprivileged_and_restarts_it():
    text = UNIT.read_text()
    assert "ExecStart=/opt/wirestream/bin/wirestream worker" in text
    assert "User=wirestream" in text and "NoNewPrivileges=true" in text
    assert "Restart=on-failure" in text and "HF_HUB_OFFLINE=1" in text


@pytest.mark.needs_tool("systemd-analyze")
def test_systemd_analyze_accepts_the_unit(tmp_path):
    analyze = shutil.which("systemd-analyze")
    if not analyze:
        pytest.skip("systemd-analyze is not installed here")
    # verify also checks that ExecStart exists; /opt/wirestream is not installed here.
    unit = tmp_path / UNIT.name
    unit.write_text(UNIT.read_text().replace("/opt/wirestream/bin/wirestream", "/bin/true"))
    result = subprocess.run([analyze, "verify", str(unit)], capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    assert "Unknown key" not in result.stderr
