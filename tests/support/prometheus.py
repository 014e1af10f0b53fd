"""A real Prometheus (``$TESTBIN/prometheus``) scraping the operator pods the chart's metrics
Service selects, found through the Kubernetes API (endpointslice discovery), as a
ServiceMonitor would have a Prometheus Operator do; its HTTP API answers the dashboard's queries."""

from __future__ import annotations

import json
import time
import urllib.parse
import urllib.request
from pathlib import Path
from typing import Any

import yaml

from .cluster import LocalCluster
from .minio import free_port
from .network import LOOPBACK
from .processes import Daemon
from .waiting import wait_for

SCRAPE_SECONDS = 2


class Prometheus:
    def __init__(self, binary: Path, cluster: LocalCluster, workdir: Path, *, namespace: str, service: str) -> None:
        self.binary = binary
        self.cluster = cluster
        self.workdir = workdir
        self.namespace = namespace
        self.service = service
        self.port = free_port()
        self._daemon: Daemon | None = None

    @property
    def url(self) -> str:
        return f"http://{self.cluster.reachable(LOOPBACK, self.port)}"

    def start(self, timeout: float = 60.0) -> None:
        config = self.workdir / "prometheus.yml"
        config.write_text(yaml.safe_dump({
            "global": {"scrape_interval": f"{SCRAPE_SECONDS}s", "evaluation_interval": f"{SCRAPE_SECONDS}s"},
            "scrape_configs": [{
                "job_name": "simfarm-operator", "scrape_interval": f"{SCRAPE_SECONDS}s",
                "kubernetes_sd_configs": [{"role": "endpointslice", "kubeconfig_file": str(self.cluster.internal_kubeconfig),
                                           "namespaces": {"names": [self.namespace]}}],
                "relabel_configs": [
                    {"source_labels": ["__meta_kubernetes_service_name"], "regex": self.service, "action": "keep"},
                    {"source_labels": ["__meta_kubernetes_endpointslice_port_name"], "regex": "metrics",
                     "action": "keep"},
                    {"source_labels": ["__meta_kubernetes_pod_name"], "target_label": "pod"}],
            }],
        }))
        self._daemon = Daemon("prometheus", self.cluster.network.command([
            str(self.binary), f"--config.file={config}", f"--storage.tsdb.path={self.workdir / 'data'}",
            f"--web.listen-address={LOOPBACK}:{self.port}", "--log.level=warn"]),
            self.workdir / "prometheus.log", cwd=self.workdir).start()
        self._daemon.wait_until(self._ready, "ready Prometheus", timeout)

    def _ready(self) -> bool:
        try:
            with urllib.request.urlopen(f"{self.url}/-/ready", timeout=2) as response:
                return response.status == 200
        except OSError:
            return False

    def api(self, path: str, **params: Any) -> Any:
        url = f"{self.url}/api/v1/{path}?{urllib.parse.urlencode(params)}"
        with urllib.request.urlopen(url, timeout=30) as response:
            body = json.load(response)
        if body.get("status") != "success":
            raise AssertionError(f"Prometheus {path} {params}: {body}")
        return body["data"]

    def targets(self) -> list[dict[str, Any]]:
        return self.api("targets")["activeTargets"]

    def wait_for_scrapes(self, timeout: float = 120.0) -> None:
        """Until every discovered pod target has been scraped, twice (so that the next change of a
        series is an increase Prometheus sees, not its first sample)."""
        def scraped() -> bool:
            pods = [t for t in self.targets() if t["labels"].get("pod")]
            return bool(pods) and all(t["health"] == "up" for t in pods)

        wait_for(scraped, "Prometheus to scrape the operator", timeout, interval=0.5,
                 details=lambda: f"targets: {self.targets()}\n{self.log_tail()}")
        time.sleep(2 * SCRAPE_SECONDS)

    def query_range(self, expression: str, start: float, end: float, step: float) -> list[dict[str, Any]]:
        return self.api("query_range", query=expression, start=start, end=end, step=step)["result"]

    def stop(self) -> None:
        if self._daemon is not None:
            self._daemon.stop()
            self._daemon = None

    def log_tail(self) -> str:
        return self._daemon.log_tail() if self._daemon else "(not started)"
