"""The Grafana dashboard queries only metrics the operator exports, and shows every one of them."""

from __future__ import annotations

import json
import re

import pytest

from support.chart import CHART
from simfarm import metrics

DASHBOARD = json.loads((CHART / "dashboards" / "simfarm.json").read_text())
SUFFIXES = {"counter": ("_total",), "gauge": ("",), "histogram": ("_bucket", "_sum", "_count"),
            "summary": ("", "_sum", "_count"), "info": ("_info",)}
PROMQL_WORDS = {"by", "without", "on", "ignoring", "group_left", "group_right", "bool", "and", "or", "unless",
                "offset", "inf", "nan"}


def exported_names() -> set[str]:
    """Series names the registry exposes, from each family's name and type (labelled families have no samples yet)."""
    return {family.name + suffix for family in metrics.REGISTRY.collect() for suffix in SUFFIXES[family.type]}


def metric_names(expr: str) -> set[str]:
    """Metric identifiers in a PromQL expression: no strings, label matchers, ranges, groupings or functions."""
    expr = re.sub(r'"(?:[^"\\]|\\.)*"', "", expr)
    expr = re.sub(r"\{[^}]*\}", "", expr)
    expr = re.sub(r"\[[^\]]*\]", "", expr)
    expr = re.sub(r"\b(by|without|on|ignoring|group_left|group_right)\s*\([^)]*\)", "", expr)
    names = set()
    for match in re.finditer(r"(?<![\w$.])([a-zA-Z_:][\w:]*)\b(\s*\()?", expr):
        if not match.group(2) and match.group(1).lower() not in PROMQL_WORDS:
            names.add(match.group(1))
    return names


def expressions() -> list[str]:
    return [target["expr"] for panel in DASHBOARD["panels"] for target in panel["targets"]]


def test_parser_finds_metric_names_and_nothing_else() -> None:
    expr = ('histogram_quantile(0.95, sum by (le, engine) (rate(a_bucket{stage!="x{y}"}[$__rate_interval]))) '
            '/ on (engine) group_left sum without (device) (b_total offset 5m) > bool 0.5 or c')
    assert metric_names(expr) == {"a_bucket", "b_total", "c"}


def test_exported_names_match_the_operators_list() -> None:
    assert exported_names() == set(metrics.METRIC_NAMES)


@pytest.mark.parametrize("expr", expressions())
def test_panel_queries_use_exported_metrics(expr: str) -> None:
    used = metric_names(expr)
    assert used, f"no metric in {expr!r}"
    assert used <= exported_names(), f"not exported: {used - exported_names()}"


def test_every_metric_family_is_on_the_dashboard() -> None:
    used = set().union(*(metric_names(e) for e in expressions()))
    families = {family.name: {family.name + s for s in SUFFIXES[family.type]} for family in metrics.REGISTRY.collect()}
    assert [name for name, series in families.items() if not series & used] == []


def test_panels_have_the_promised_views() -> None:
    titles = [panel["title"] for panel in DASHBOARD["panels"]]
    for words in ("phase", "videos finished per hour", "frames per second", "shards", "seconds per frame", "stage latency",
                  "retrieval latency", "fallbacks", "errors by reason"):
        assert any(words in title.lower() for title in titles), words
    assert all(panel["datasource"] == {"type": "prometheus", "uid": "${datasource}"} for panel in DASHBOARD["panels"])
    ids = [panel["id"] for panel in DASHBOARD["panels"]]
    assert len(ids) == len(set(ids))


def test_videos_finished_per_hour_counts_videos_by_outcome() -> None:
    (panel,) = [panel for panel in DASHBOARD["panels"] if panel["title"] == "Videos finished per hour"]
    assert [metric_names(target["expr"]) for target in panel["targets"]] == [{"simfarm_videos_total"}]
    assert "by (outcome)" in panel["targets"][0]["expr"]
