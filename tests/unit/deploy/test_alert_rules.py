"""The Prometheus alert rules parse and only use metrics the pipeline exports."""

from __future__ import annotations

import re
from pathlib import Path

import yaml
from prometheus_client import CollectorRegistry

from pipeline.observability.metrics import PipelineMetrics

RULES = Path(__file__).resolve().parents[3] / "deploy" / "prometheus" / "wirestream-alerts.yml"


def exported_series() -> set[str]:
    registry = CollectorRegistry()
    metrics = PipelineMetrics(registry)
    # Touch the labelled series so they show up in the exposition.
    metrics.deadletter.labels(stage="x")
    metrics.errors.labels(stage="x")
    metrics.articles_produced.labels(connector="x")
    metrics.set_lag("t", {0: 0})
    return {sample.name for family in registry.collect() for sample in family.samples}


def test_alert_rules_use_only_exported_metrics():
    groups = yaml.safe_load(RULES.read_text())["groups"]
    rules = [rule for group in groups for rule in group["rules"]]
    assert len(rules) >= 6
    exported = exported_series()
    for rule in rules:
        assert rule["alert"].startswith("Wirestream") and rule["annotations"]["summary"]
        used = set(re.findall(r"\bwirestream_\w+", rule["expr"]))
        assert used, rule["alert"]
        assert used <= exported, f"{rule['alert']}: unknown {sorted(used - exported)}"
        assert rule["expr"].count("(") == rule["expr"].count(")"), rule["alert"]
