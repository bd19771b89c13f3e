"""The docker-compose file parses and only references images, volumes and networks it defines."""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest
import yaml

REPO = Path(__file__).resolve().parents[3]
COMPOSE = REPO / "deploy" / "compose" / "docker-compose.yml"
DOCKERFILE = REPO / "deploy" / "Dockerfile"
WIRESTREAM_SERVICES = {"topics-init", "worker", "http-push", "rss", "kibana-setup"}


@pytest.fixture(scope="module")
def compose() -> dict[str, Any]:
    return yaml.safe_load(COMPOSE.read_text())


@pytest.fixture(scope="module")
def services(compose) -> dict[str, dict[str, Any]]:
    return compose["services"]


def _named_volumes(service: dict) -> list[str]:
    names = []
    for volume in service.get("volumes", []):
        source = volume["source"] if isinstance(volume, dict) else volume.split(":", 1)[0]
        if not source.startswith((".", "/", "~", "$")):
            names.append(source)
    return names


def test_the_stack_has_every_service_the_deployment_needs(services):
    assert set(services) == {"kafka", "elasticsearch", "kibana"} | WIRESTREAM_SERVICES


def test_every_service_has_an_image_or_a_build(services):
    for name, service in services.items():
        assert service.get("image") or service.get("build"), name
    for name in WIRESTREAM_SERVICES:
        build = services[name]["build"]
        context = (COMPOSE.parent / build["context"]).resolve()
        assert (context / build["dockerfile"]).resolve() == DOCKERFILE


def test_third_party_images_are_pinned_to_a_version(services):
    for name in ("kafka", "elasticsearch", "kibana"):
        image = services[name]["image"]
        assert re.fullmatch(r"[\w./-]+:\d+\.\d+\.\d+", image), image
    assert services["elasticsearch"]["image"].split(":")[1].startswith("9.")
    assert (
        services["kibana"]["image"].split(":")[1]
        == services["elasticsearch"]["image"].split(":")[1]
    )


def test_every_volume_and_network_a_service_uses_is_declared(compose, services):
    volumes = set(compose.get("volumes") or {})
    networks = set(compose.get("networks") or {})
    used_volumes = set()
    for name, service in services.items():
        for volume in _named_volumes(service):
            assert volume in volumes, f"{name} uses undeclared volume {volume}"
            used_volumes.add(volume)
        service_networks = service.get("networks", [])
        for network in service_networks:  # a list or a mapping: both iterate names
            assert network in networks, f"{name} uses undeclared network {network}"
    assert used_volumes == volumes, f"declared but unused: {volumes - used_volumes}"


def test_depends_on_targets_exist_and_wait_for_health_or_completion(services):
    for name, service in services.items():
        for target, condition in (service.get("depends_on") or {}).items():
            assert target in services, f"{name} depends on unknown {target}"
            wanted = condition["condition"]
            assert wanted in ("service_healthy", "service_completed_successfully"), (name, target)
            if wanted == "service_healthy":
                check = services[target].get("healthcheck", {})
                assert check.get("test") and not check.get("disable"), (
                    f"{target} has no healthcheck"
                )


def test_long_running_services_have_healthchecks(services):
    for name in ("kafka", "elasticsearch", "kibana", "http-push"):
        assert services[name]["healthcheck"]["test"], name
    # The worker and the RSS poller use the image's HEALTHCHECK (/healthz on the metrics port).
    assert "HEALTHCHECK" in DOCKERFILE.read_text()


def test_worker_can_be_scaled(services):
    worker = services["worker"]
    assert "container_name" not in worker
    assert "ports" not in worker  # a fixed host port would clash between replicas


def test_kafka_runs_in_kraft_mode_without_topic_auto_creation(services):
    env = services["kafka"]["environment"]
    assert services["kafka"]["image"].startswith("apache/kafka:")
    assert "controller" in env["KAFKA_PROCESS_ROLES"]
    assert env["KAFKA_AUTO_CREATE_TOPICS_ENABLE"] == "false"
    assert services["topics-init"]["command"] == ["topics", "create"]
    assert services["kibana-setup"]["command"][:2] == ["kibana", "import"]


def test_published_ports_bind_to_loopback_only(services):
    for name, service in services.items():
        for port in service.get("ports", []):
            assert str(port).startswith("127.0.0.1:"), f"{name} publishes {port} on all interfaces"


@pytest.mark.needs_tool("docker-compose")
def test_docker_compose_config_accepts_the_file():
    client = shutil.which("docker-compose")
    plugin = shutil.which("docker")
    if (
        plugin
        and subprocess.run([plugin, "compose", "version"], capture_output=True).returncode == 0
    ):
        args = [plugin, "compose"]
    elif client:
        args = [client]
    else:
        pytest.skip("no compose client (docker compose plugin or docker-compose) on this machine")
    result = subprocess.run(
        [*args, "-f", str(COMPOSE), "config", "--quiet"], capture_output=True, text=True, timeout=60
    )
    assert result.returncode == 0, result.stderr
